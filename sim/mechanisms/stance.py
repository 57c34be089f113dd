"""Stance rules: one round of a principal's internal politics (docs/model.md §3.4.3).

A stance rule moves a principal's stance toward its factions' positions. The compromise model
lives here; Bueno de Mesquita's expected-utility model (``bdm_eum``) builds on :class:`StanceRule`
in :mod:`sim.mechanisms.bdm`. :data:`sim.mechanisms.rules.STANCE_RULES` registers both by name.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from sim.mechanisms.arrays import repeat_last


def compromise_stance(ideals: np.ndarray, salience: np.ndarray, clout: np.ndarray) -> np.ndarray:
    """The compromise model: the clout × salience weighted mean of the factions' positions.

    ``ideals`` and ``salience`` are (F, N, D), ``clout`` (F, N); returns (N, D). Achen (2006),
    "Institutional realism and bargaining models"; Stokman and van Oosten's compromise model.
    """
    w = repeat_last(clout, salience.shape[-1]) * salience
    total = w.sum(axis=0)
    if np.all(total > 0):
        return (w * ideals).sum(axis=0) / total
    # Where no faction cares about an issue, the plain clout-weighted mean decides it.
    safe = np.where(total > 0, total, 1.0)
    mean = (w * ideals).sum(axis=0) / safe
    fallback = (clout[:, :, None] * ideals).sum(axis=0) / np.maximum(clout.sum(axis=0), 1e-12)[
        :, None
    ]
    return np.where(total > 0, mean, fallback)


class StanceRule:
    """Base class: one round of a principal's internal politics (docs/model.md §3.4.3).

    ``round`` takes the factions' current bargaining positions, their saliences (both
    (F, N, D)) and clouts (F, N), and returns the positions after the round and the stance the
    principal moves toward (N, D). A rule that keeps positions fixed returns them unchanged.
    """

    name: ClassVar[str]

    def round(
        self, positions: np.ndarray, salience: np.ndarray, clout: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """One round: new positions (F, N, D) and the target stance (N, D)."""
        raise NotImplementedError


class Compromise(StanceRule):
    """The compromise model (Achen 2006; Stokman and van Oosten 1994).

    Factions keep their ideal points; the stance is their clout × salience weighted mean.
    """

    name = "compromise"

    def round(
        self, positions: np.ndarray, salience: np.ndarray, clout: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Positions unchanged; the weighted mean as the stance."""
        return positions, compromise_stance(positions, salience, clout)
