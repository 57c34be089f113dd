"""Level II ratification: Putnam's win-set with Tsebelis's veto players (MODEL.md section 6)."""

from __future__ import annotations

import numpy as np


def red_line_crossed(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """Whether each faction's red lines are crossed by packages ``x`` (N, D).

    ``lower``/``upper`` are (F, D) bounds (±inf where a faction has none). Returns (F, N).
    """
    below = x[None, :, :] < lower[:, None, :]
    above = x[None, :, :] > upper[:, None, :]
    return np.any(below | above, axis=-1)


def ratify(
    u_package: np.ndarray,
    u_no_deal: np.ndarray,
    clout: np.ndarray,
    ratifier: int,
    quota: np.ndarray,
    crossed: np.ndarray,
    override_threshold: np.ndarray,
) -> np.ndarray:
    """Whether a principal ratifies a package, per world.

    Args:
        u_package: (F, N) each faction's utility of the package.
        u_no_deal: (F, N) each faction's value of no deal.
        clout: (F, N) effective clout of each faction.
        ratifier: index of the ratifying faction.
        quota: (N,) share of clout that must weakly prefer the package to no deal.
        crossed: (F, N) whether the package crosses each faction's red lines.
        override_threshold: (N,) ratifier clout share at which red lines are overridden.

    The package passes when the ratifier weakly prefers it to no deal, the clout of the factions
    that weakly prefer it reaches the quota, and no red line is crossed: the ratifier's own red
    lines always hold, the other factions' unless the ratifier's clout share is above the
    override threshold (Putnam 1988; Tsebelis 2002).
    """
    prefers = u_package >= u_no_deal
    total = clout.sum(axis=0)
    support = np.sum(clout * prefers, axis=0) / np.where(total > 0, total, 1.0)
    return (
        prefers[ratifier]
        & (support >= quota - 1e-12)
        & ~red_line_veto(clout, ratifier, crossed, override_threshold)
    )


def red_line_veto(
    clout: np.ndarray, ratifier: int, crossed: np.ndarray, override_threshold: np.ndarray
) -> np.ndarray:
    """Whether crossed red lines veto a package, per world (N,).

    The ratifier's own red lines always do; the other factions' unless the ratifier's clout
    share is above the override threshold.
    """
    total = clout.sum(axis=0)
    share = clout[ratifier] / np.where(total > 0, total, 1.0)
    others = np.delete(crossed, ratifier, axis=0).any(axis=0)
    return crossed[ratifier] | (others & (share <= override_threshold))
