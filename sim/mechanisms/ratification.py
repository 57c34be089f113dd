"""Level II ratification: Putnam's win-set with Tsebelis's veto players (docs/model.md §3.4.12)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.mechanisms.arrays import any_last, where_rows


def red_line_crossed(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Whether each faction's red lines are crossed by packages ``x`` (N, D).

    ``lower``/``upper`` are (F, N, D) bounds, each world's own (±inf where a faction has none),
    or (F, D) bounds shared by every world. Returns (F, N).
    """
    if lower.ndim == 2:
        lower, upper = lower[:, None, :], upper[:, None, :]
    below = x[None, :, :] < lower
    above = x[None, :, :] > upper
    return any_last(below | above)


class Ratification(NamedTuple):
    """A principal's vote on a package in its parts (N,) or (F, N)."""

    passed: np.ndarray
    """(N,) whether the side ratifies the package."""
    veto: np.ndarray
    """(N,) whether a red line vetoed it."""
    prefers: np.ndarray
    """(F, N) whether each faction weakly prefers the package to no deal."""
    support: np.ndarray
    """(N,) share of clout that weakly prefers it."""
    u_package: np.ndarray
    """(F, N) each faction's utility of the package."""
    u_no_deal: np.ndarray
    """(F, N) each faction's value of no deal."""


def ratification(
    u_package: np.ndarray,
    u_no_deal: np.ndarray,
    clout: np.ndarray,
    ratifier: int,
    quota: np.ndarray,
    crossed: np.ndarray,
    override_threshold: np.ndarray,
) -> Ratification:
    """Whether a principal ratifies a package, per world, with the parts of the vote.

    Args:
        u_package: (F, N) each faction's utility of the package.
        u_no_deal: (F, N) each faction's value of no deal.
        clout: (F, N) effective clout of each faction.
        ratifier: index of the ratifying faction.
        quota: (N,) share of clout that must weakly prefer the package to no deal.
        crossed: (F, N) whether the package crosses each faction's red lines.
        override_threshold: (N,) share of clout backing the package above which the ratifier
            overrides the other factions' red lines.

    The package passes when the ratifier weakly prefers it to no deal, the clout of the factions
    that weakly prefer it reaches the quota, and no red line vetoes it (:func:`red_line_veto`).
    Putnam (1988) for the win-set, Tsebelis (2002) for the veto players.
    """
    prefers = u_package >= u_no_deal
    total = clout.sum(axis=0)
    support = np.sum(clout * prefers, axis=0) / np.where(total > 0, total, 1.0)
    veto = red_line_veto(crossed, ratifier, prefers[ratifier] * support, override_threshold)
    passed = prefers[ratifier] & (support >= quota - 1e-12) & ~veto
    return Ratification(passed, veto, prefers, support, u_package, u_no_deal)


def ratify(*args: Any) -> tuple[np.ndarray, np.ndarray]:
    """Whether a principal ratifies a package, and whether a red line vetoed it, per world.

    The first two parts of :func:`ratification`, which takes the same arguments (Putnam 1988,
    Tsebelis 2002).
    """
    vote = ratification(*args)
    return vote.passed, vote.veto


def overrides(backing: np.ndarray, override_threshold: np.ndarray) -> np.ndarray:
    """Whether a coalition's clout share ``backing`` overrides other factions' red lines.

    It must be above the threshold: a broad enough coalition makes a veto player recalibrate
    (Tsebelis 2002). The one rule for both ratification and the bounds a proposer keeps to
    (docs/model.md 3.4.11, 3.4.12).
    """
    return backing > override_threshold


def red_line_veto(
    crossed: np.ndarray, ratifier: int, backing: np.ndarray, override_threshold: np.ndarray
) -> np.ndarray:
    """Whether crossed red lines veto a package, per world (N,).

    The ratifier's own red lines always hold. Another faction's red line holds unless the
    clout share backing the package (the ratifier and the factions that prefer it to no deal)
    overrides it (:func:`overrides`).
    """
    others = np.delete(crossed, ratifier, axis=0).any(axis=0)
    return crossed[ratifier] | (others & ~overrides(backing, override_threshold))


class BindingRedLines(NamedTuple):
    """The red lines a side keeps to, with why: (N, D) bounds, (N,) backing and override."""

    lower: np.ndarray
    upper: np.ndarray
    backing: np.ndarray
    """Clout share of the ratifier and the factions without red lines."""
    overridden: np.ndarray
    """Whether that backing overrides the other factions' red lines."""


def binding_red_lines(
    lower: np.ndarray,
    upper: np.ndarray,
    ratifier: int,
    free: np.ndarray,
    shares: np.ndarray,
    override_threshold: np.ndarray,
) -> BindingRedLines:
    """The red lines that hold on a side, (N, D) lower and upper bounds, with their parts.

    ``lower``/``upper`` are the factions' red lines (F, N, D), ``free`` (F,) marks the ratifier
    and the factions without red lines, ``shares`` (F, N) the clout shares. The ratifier's red
    lines always hold; the other factions' unless the clout of the free factions (the
    coalition that can back a package over them) overrides them (:func:`overrides`;
    Tsebelis 2002; docs/model.md 3.4.11).
    """
    backing = shares[free].sum(axis=0)
    overridden = overrides(backing, override_threshold)
    lo, hi = own_lo, own_hi = lower[ratifier], upper[ratifier]
    if (~free).any():
        others_lo, others_hi = lower[~free].max(axis=0), upper[~free].min(axis=0)
        lo = where_rows(overridden, lo, np.maximum(own_lo, others_lo))
        hi = where_rows(overridden, hi, np.minimum(own_hi, others_hi))
    return BindingRedLines(lo, hi, backing, overridden)
