"""Level II ratification: Putnam's win-set with Tsebelis's veto players (MODEL.md section 6)."""

from __future__ import annotations

import numpy as np


def red_line_crossed(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Whether each faction's red lines are crossed by packages ``x`` (N, D).

    ``lower``/``upper`` are (F, N, D) bounds, each world's own (±inf where a faction has none),
    or (F, D) bounds shared by every world. Returns (F, N).
    """
    if lower.ndim == 2:
        lower, upper = lower[:, None, :], upper[:, None, :]
    below = x[None, :, :] < lower
    above = x[None, :, :] > upper
    return np.any(below | above, axis=-1)


def ratify(
    u_package: np.ndarray,
    u_no_deal: np.ndarray,
    clout: np.ndarray,
    ratifier: int,
    quota: np.ndarray,
    crossed: np.ndarray,
    override_threshold: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Whether a principal ratifies a package, and whether a red line vetoed it, per world.

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
    return prefers[ratifier] & (support >= quota - 1e-12) & ~veto, veto


def red_line_veto(
    crossed: np.ndarray, ratifier: int, backing: np.ndarray, override_threshold: np.ndarray
) -> np.ndarray:
    """Whether crossed red lines veto a package, per world (N,).

    The ratifier's own red lines always hold. Another faction's red line holds unless the
    clout share backing the package (the ratifier and the factions that prefer it to no deal)
    is above the override threshold: a broad enough coalition makes a veto player recalibrate.
    """
    others = np.delete(crossed, ratifier, axis=0).any(axis=0)
    return crossed[ratifier] | (others & (backing <= override_threshold))
