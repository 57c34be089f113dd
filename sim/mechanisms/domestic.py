"""Level II dynamics: economic pressure and the factions' clout (docs/model.md 3.4.2)."""

from __future__ import annotations

import numpy as np


def pressure_growth(rate: np.ndarray, boost: np.ndarray, relief: np.ndarray) -> np.ndarray:
    """Growth of economic pressure per step: the rate, sped up after snapback, less relief.

    ``rate · (1 + boost) · (1 − relief)``, with ``relief`` the share absorbed by patrons.
    """
    return rate * (1 + boost) * (1 - relief)


def clout(
    base: np.ndarray,
    pressure_gain: np.ndarray,
    lobbying_gain: np.ndarray,
    pressure: np.ndarray,
    lobbying: np.ndarray,
) -> np.ndarray:
    """A faction's effective clout: ``base · (1 + g_p · pressure) · (1 + g_l · lobbying)``.

    Economic pressure and the lobbying a side received grow the clout of the factions that
    gain from them (docs/model.md 3.4.2).
    """
    return base * (1 + pressure_gain * pressure) * (1 + lobbying_gain * lobbying)


def clout_shares(clout: np.ndarray) -> np.ndarray:
    """Clout shares of the factions, along the first axis (F,) or (F, N)."""
    return clout / np.maximum(clout.sum(axis=0), 1e-12)
