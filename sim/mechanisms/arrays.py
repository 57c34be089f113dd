"""Broadcasts made contiguous: the same values as NumPy's broadcasting, computed faster.

NumPy runs an operation between contiguous arrays of one shape as one loop over all their
elements. With an operand broadcast along a short last axis (the issues, D = 4 in the baseline:
``a[:, None] * b`` for ``a`` (N,) and ``b`` (N, D)) it loops over every row of D elements
instead, several times slower. Repeating the operand to the full shape first costs one fast
copy and gives the same values element by element, so the results are bit-identical.
"""

from __future__ import annotations

import math

import numpy as np


def repeat_last(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` (...) repeated along a new last axis of ``k``: ``a[..., None]`` made contiguous."""
    return np.repeat(a, k).reshape(*a.shape, k)


def repeat_rows(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` (N, ...) repeated along a new second axis of ``k``: ``a[:, None]`` made contiguous."""
    return np.repeat(a, k, axis=0).reshape(a.shape[0], k, *a.shape[1:])


def tile_last(a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """``a`` (D,) tiled to ``shape`` (..., D): its broadcast to ``shape`` made contiguous."""
    return np.repeat(a.reshape(1, -1), math.prod(shape[:-1]), axis=0).reshape(shape)


def where_rows(mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.where(mask[:, None, ...], a, b)``: rows of ``a`` where ``mask`` (N,), else of ``b``.

    ``a`` and ``b`` have the full shape (N, ...). Where ``mask`` is all true or all false, a
    copy of ``a`` or ``b`` (``np.where`` itself takes several times longer than a copy).
    """
    if mask.all():
        return a.astype(np.result_type(a, b))
    if not mask.any():
        return b.astype(np.result_type(a, b))
    return np.where(repeat_last(mask, int(np.prod(a.shape[1:]))).reshape(a.shape), a, b)


def any_last(b: np.ndarray) -> np.ndarray:
    """``b.any(axis=-1)`` for booleans (..., D): the issues or-ed one by one.

    A reduction along a short last axis also loops over every row; D or-s of whole columns are
    several times faster, with the same result.
    """
    out = b[..., 0].copy()
    for d in range(1, b.shape[-1]):
        out |= b[..., d]
    return out


def sum_last(a: np.ndarray) -> np.ndarray:
    """``a.sum(axis=-1)`` for floats (..., D), bit for bit, the issues added column by column.

    NumPy sums fewer than 8 elements in order from 0.0 (its pairwise summation's base case),
    which adding whole columns to 0.0 repeats several times faster than its loop over rows. From
    8 issues on its pairwise order differs, and its own sum is used.
    """
    if a.shape[-1] >= 8:
        return a.sum(axis=-1)
    out = np.zeros(a.shape[:-1])
    for d in range(a.shape[-1]):
        out += a[..., d]
    return out
