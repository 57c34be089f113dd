"""Shocks: when a trigger holds and what an effect does to a parameter (docs/model.md 3.4.21)."""

from __future__ import annotations

import numpy as np


def apply_op(op: str, old: np.ndarray, value: np.ndarray) -> np.ndarray:
    """A parameter after a shock's ``set``, ``add`` or ``scale`` effect (docs/model.md 3.4.21)."""
    if op == "set":
        return value
    if op == "add":
        return old + value
    return old * value


def in_window(t: int, at: int | None, after: int | None, until: int | None) -> bool:
    """Whether step ``t`` is in a trigger's window: at ``at``, from ``after``, up to ``until``.

    A bound that is ``None`` does not restrict (docs/model.md 3.4.21).
    """
    if at is not None and t != at:
        return False
    if after is not None and t < after:
        return False
    return until is None or t <= until


def condition_holds(
    value: np.ndarray,
    above: np.ndarray | float | None,
    below: np.ndarray | float | None,
    holds: np.ndarray,
) -> np.ndarray:
    """``holds`` where a state variable is at least ``above`` and at most ``below`` (N,).

    A bound that is ``None`` does not restrict (docs/model.md 3.4.21).
    """
    if above is not None:
        holds &= value >= above
    if below is not None:
        holds &= value <= below
    return holds
