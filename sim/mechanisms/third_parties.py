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


def snapback_survival(
    expiry_step: int, window_steps: float, hazard: np.ndarray, urgency: np.ndarray
) -> np.ndarray:
    """Chance that the E3 do *not* trigger snapback from each step to the expiry, (E + 1, N).

    Row ``s`` is ``Π_{s ≤ u < E} (1 − p_u)`` with ``p_u`` the per-step probability of
    :func:`snapback_probability` (a reverse cumulative product); row ``E`` (the expiry) is 1.
    """
    hazard = np.asarray(hazard, dtype=float)
    stay = np.ones((max(expiry_step, 0) + 1, *hazard.shape))
    for s in range(expiry_step - 1, -1, -1):
        p = snapback_probability(s, expiry_step, window_steps, hazard, urgency)
        stay[s] = stay[s + 1] * (1 - p)
    return stay


def snapback_chance(
    step: int, expiry_step: int, window_steps: float, hazard: np.ndarray, urgency: np.ndarray
) -> np.ndarray:
    """Chance that the E3 trigger snapback from ``step`` to the expiry, if not yet triggered.

    ``1 − Π_s (1 − p_s)`` over the steps ``s`` from ``step`` to the last before the expiry
    (:func:`snapback_survival`); 0 from the expiry on (docs/model.md 3.4.18: the threat of
    snapback weighs on Iran before it is used).
    """
    survival = snapback_survival(expiry_step, window_steps, hazard, urgency)
    return 1 - survival[min(max(step, 0), len(survival) - 1)]


def snapback_threat(
    chance: np.ndarray, drop: np.ndarray, weight: np.ndarray, live: np.ndarray
) -> np.ndarray:
    """Expected cost of the snapback threat in Iran's value of no deal, while it is live.

    ``weight · chance · drop`` where the threat is live (not yet used, not expired), else 0:
    the expected value of the drop the E3 can still inflict (``drop`` already less the patrons'
    cover, :func:`snapback_drop`); once used the drop itself applies, and the threat is spent.
    docs/model.md 3.4.18; article A: "The threat of looming snapback ... gives Iran
    additional incentives to negotiate".
    """
    return np.where(live, weight * chance * drop, 0.0)


def patron_lift(support: np.ndarray, lifeline: np.ndarray) -> np.ndarray:
    """Rise of Iran's value of no deal from the patrons' support, ``Σ_p lifeline_p · support_p``.

    ``support`` and ``lifeline`` are (P, N). A patron's economic lifeline makes no deal more
    bearable (article A: support "giving Tehran less of a reason to make painful concessions";
    docs/model.md 3.4.19).
    """
    return np.sum(np.clip(support, 0.0, 1.0) * lifeline, axis=0)


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
