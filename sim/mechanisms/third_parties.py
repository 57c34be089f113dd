"""The third parties' hazards and effects: snapback, the mediator, lobbying (docs/model.md 3.4)."""

from __future__ import annotations

import numpy as np


def snapback_probability(
    step: int, expiry_step: int, window_steps: float, hazard: np.ndarray, urgency: np.ndarray
) -> np.ndarray:
    """Per-step probability that the E3 trigger snapback: a hazard that rises near the expiry.

    ``clip(hazard · (1 + urgency · ramp), 0, 1)``, where the ramp rises linearly over the last
    ``window_steps`` and reaches its full height at the last step before the expiry; 0 from
    the expiry on, when UN Security Council resolution 2231's snapback lapses (docs/model.md
    3.4.18).
    """
    if step >= expiry_step:
        return np.zeros_like(hazard)
    ramp = np.clip(1 - (expiry_step - 1 - step) / window_steps, 0.0, 1.0)
    return np.clip(hazard * (1 + urgency * ramp), 0.0, 1.0)


def snapback_drop(no_deal_drop: np.ndarray, cover: np.ndarray) -> np.ndarray:
    """The drop in Iran's value of no deal after snapback, less the share patrons absorb.

    docs/model.md 3.4.18 and 3.4.19.
    """
    return no_deal_drop * (1 - cover)


def give_up_probability(
    failed_sessions: np.ndarray, patience: int, hazard: np.ndarray
) -> np.ndarray:
    """Per-session probability that the mediator gives up: its hazard once patience is spent.

    docs/model.md 3.4.13.
    """
    return np.where(failed_sessions >= patience, hazard, 0.0)


def lobbying_received(total: np.ndarray, damping: np.ndarray) -> np.ndarray:
    """Lobbying reaching Washington: Israel's, less the share counterweights cancel.

    docs/model.md 3.4.2 and 3.4.20.
    """
    return total * np.clip(1 - damping, 0, 1)
