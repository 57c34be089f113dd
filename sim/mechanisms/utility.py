"""Utilities over packages (docs/model.md §3.4.1).

``u_i(x) = 1 − Σ_d w_id · (|x_d − ideal_id| / (hi_d − lo_d))^ρ_i`` with saliences normalised to
weights (Σ_d w_id = 1) and ρ_i ≥ 1, so ``u_i ∈ [0, 1]`` on the issue box. The spatial form is the
one used by the expert-coded models (Bueno de Mesquita 1994; Achen and Stokman's compromise model).

An issue may carry a *value scale* (:class:`IssueScale`): increasing knots ``lo = k_0 < … < k_m =
hi`` mapped to equal steps of a scale of length 1, linear between knots. Distances on that issue
are measured on the value scale: ``|v(x_d) − v(ideal_d)|`` in place of ``|x_d − ideal_d| /
(hi_d − lo_d)``. It is the piecewise-linear value function of multi-attribute value theory
(Keeney and Raiffa 1976, ch. 3; the "mid-value splitting" of equal value steps): where the
actors fight over thresholds (dismantling, civilian enrichment, weapons grade), each threshold
step weighs the same, however short it is on the issue's own scale.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np

from sim.mechanisms.arrays import repeat_last, repeat_rows, sum_last, tile_last

IDEAL_MEMORY = 16
"""How many ideal arrays an :class:`IssueScale` remembers on its value scales."""
SPAN_MEMORY = 4
"""How many shapes of tiled spans an :class:`IssueScale` remembers."""


@dataclass(frozen=True)
class IssueScale:
    """How distances on each issue are measured: its span, and the knots of its value scale.

    ``knots`` holds ``(issue index, knots)`` for the issues with a value scale; every other issue
    is linear, distances divided by ``span``.
    """

    span: np.ndarray  # (D,) hi − lo of each issue
    knots: tuple[tuple[int, np.ndarray], ...] = ()
    _ideals: dict[int, tuple[np.ndarray, list[np.ndarray]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _package: list[tuple[np.ndarray, list[np.ndarray]]] = field(
        default_factory=list, compare=False, repr=False
    )
    _tiled: dict[tuple[int, ...], np.ndarray] = field(
        default_factory=dict, compare=False, repr=False
    )

    def gaps(self, x: np.ndarray, ideal: np.ndarray) -> np.ndarray:
        """``|x − ideal|`` per issue on the value scale (span 1 on every issue)."""
        many = x.ndim == ideal.ndim + 1  # packages (N, K, D) for ideals (N, D)
        gap = x - (repeat_rows(ideal, x.shape[1]) if many else ideal)
        np.abs(gap, out=gap)
        gap /= self._spans(x.shape)
        for d, x_value, v in zip(
            (d for d, _ in self.knots),
            self._package_values(x),
            self._ideal_values(ideal),
            strict=True,
        ):
            value = x_value - (repeat_last(v, x.shape[1]) if many else v)
            gap[..., d] = np.abs(value, out=value)
        return gap

    def _spans(self, shape: tuple[int, ...]) -> np.ndarray:
        """The spans tiled to ``shape`` (read-only), remembered for the last few shapes.

        A solver divides gaps of one shape by them at every step (:func:`tile_last`).
        """
        spans = self._tiled.get(shape)
        if spans is None:
            spans = tile_last(self.span, shape)
            spans.flags.writeable = False
            if len(self._tiled) >= SPAN_MEMORY:
                self._tiled.pop(next(iter(self._tiled)))
            self._tiled[shape] = spans
        return spans

    def _package_values(self, x: np.ndarray) -> list[np.ndarray]:
        """The levelled issues of packages ``x`` on their value scales.

        Remembered for the last read-only array (a path's packages, :func:`package_at`), whose
        values cannot change: a mediator weighs both sides' utilities of the same packages.
        """
        seen = self._package
        if seen and seen[0][0] is x:
            return seen[0][1]
        values = [value_scale(x[..., d], k) for d, k in self.knots]
        if not x.flags.writeable and self.knots:
            self._package[:] = [(x, values)]
        return values

    def _ideal_values(self, ideal: np.ndarray) -> list[np.ndarray]:
        """The levelled issues of ``ideal`` on their value scales, remembered for the same array.

        A solver evaluates one side's utility many times with the same ideal array: its values
        are computed once (the array is kept, so its identity is not reused while remembered).
        """
        if not self.knots:
            return []
        seen = self._ideals.get(id(ideal))
        if seen is not None and seen[0] is ideal:
            return seen[1]
        values = [value_scale(ideal[..., d], k) for d, k in self.knots]
        if len(self._ideals) >= IDEAL_MEMORY:
            self._ideals.pop(next(iter(self._ideals)))
        self._ideals[id(ideal)] = (ideal, values)
        return values


def value_scale(x: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """Piecewise-linear value of ``x``: knot ``j`` of ``knots[0] < … < knots[m]`` maps to ``j/m``.

    Values between knots are interpolated linearly (``np.interp``); values outside the knots are
    held at 0 or 1. With two knots ``lo, hi`` it is ``(x − lo) / (hi − lo)``.
    """
    return np.interp(x, knots, _steps(knots.size))


@cache
def _steps(m: int) -> np.ndarray:
    """``m`` equal steps from 0 to 1 (the values of ``m`` knots)."""
    return np.linspace(0.0, 1.0, m)


@cache
def _ones(d: int) -> np.ndarray:
    """A read-only vector of ``d`` ones (to sum the issues by a matrix-vector product)."""
    ones = np.ones(d)
    ones.flags.writeable = False
    return ones


def normalise_weights(salience: np.ndarray) -> np.ndarray:
    """Saliences (..., D) to weights summing to 1 over the last axis (uniform if all are zero)."""
    total = sum_last(salience)
    d = salience.shape[-1]
    if np.all(total > 0):
        return salience / repeat_last(total, d)
    safe = np.where(total > 0, total, 1.0)[..., None]
    return np.where(total[..., None] > 0, salience / safe, 1.0 / d)


def utility(
    x: np.ndarray,
    ideal: np.ndarray,
    weights: np.ndarray,
    scale: IssueScale | np.ndarray,
    rho: np.ndarray,
) -> np.ndarray:
    """Utility of packages ``x`` (N, D) or (N, K, D) for actors with ideals and weights (N, D).

    ``scale`` is the issues' :class:`IssueScale`, or their spans (D,) where every issue is
    linear. ``rho`` has shape (N,). Returns (N,) or (N, K).
    """
    if isinstance(scale, IssueScale):
        gap = scale.gaps(x, ideal)
    else:
        gap = np.abs(x - (ideal[:, None, :] if x.ndim == 3 else ideal)) / scale
    if x.ndim == 3:
        weights, rho_b = repeat_rows(weights, x.shape[1]), rho[:, None, None]
    else:
        rho_b = rho[:, None]
    loss = weights * _power(gap, rho, rho_b)
    # A matrix-vector product sums the short issue axis much faster than np.sum(axis=-1).
    return 1.0 - loss @ _ones(loss.shape[-1])


def _power(gap: np.ndarray, rho: np.ndarray, rho_b: np.ndarray) -> np.ndarray:
    """``gap ** rho``, with the common exponents (1, 1.5, 2) computed without ``pow``.

    Each element gets the same arithmetic whatever the other worlds' exponents, so a world's
    utilities do not depend on which worlds share its block.
    """
    if rho.size and np.all(rho == rho[0]):
        return _power_scalar(gap, float(rho[0]))
    out = gap**rho_b
    for r in _FAST:
        out = np.where(rho_b == r, _power_scalar(gap, r), out)
    return out


_FAST = (1.0, 1.5, 2.0)


def _power_scalar(gap: np.ndarray, r: float) -> np.ndarray:
    if r == 1.0:
        return gap
    if r == 2.0:
        return gap * gap
    if r == 1.5:
        return gap * np.sqrt(gap)
    return gap**r
