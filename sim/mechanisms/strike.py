"""Outside options: the preventive-strike rule (MODEL.md section 8, Powell 2006)."""

from __future__ import annotations

import numpy as np


def target_win_probability(
    progress: np.ndarray, low: np.ndarray, high: np.ndarray, convexity: np.ndarray
) -> np.ndarray:
    """The target's probability of prevailing, ``p(k) = low + (high − low)·k^γ``, k in [0, 1]."""
    return low + (high - low) * np.clip(progress, 0.0, 1.0) ** convexity


MAX_DISCOUNT = 1.0 - 1e-4
"""War values are perpetuities: a discount of 1 makes them infinite, so δ is capped here."""


def war_value(p: np.ndarray, delta: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The rising state's value of war at t: ``M_R(t) = p_t / (1 − δ) − c_R`` (Powell 2006).

    δ is capped at ``MAX_DISCOUNT`` (a perpetuity of 10,000 steps) so that δ = 1 stays finite.
    """
    return p / (1.0 - np.minimum(delta, MAX_DISCOUNT)) - cost


def preventive_margin(
    p_now: np.ndarray,
    p_next: np.ndarray,
    delta: np.ndarray,
    cost_target: np.ndarray,
    cost_striker: np.ndarray,
) -> np.ndarray:
    """Powell's commitment-problem margin ``δ·M_R(t+1) − M_R(t) − (c_R + c_D)``.

    Positive exactly when the shift in power outruns the bargaining surplus the costs of war
    create, so no peaceful division today can buy off tomorrow's stronger rival: preventive war
    occurs in every equilibrium iff the margin is positive at some t (Powell 2006, prop. 1).
    """
    delta = np.minimum(delta, MAX_DISCOUNT)
    m_now = war_value(p_now, delta, cost_target)
    m_next = war_value(p_next, delta, cost_target)
    return delta * m_next - m_now - (cost_target + cost_striker)


def logit_choice(margin: np.ndarray, temperature: np.ndarray) -> np.ndarray:
    """Probability of acting, ``1 / (1 + exp(−margin / τ))``; a step function at τ = 0."""
    z = np.where(temperature > 0, margin / np.where(temperature > 0, temperature, 1.0), 0.0)
    soft = 0.5 * (1.0 + np.tanh(0.5 * z))
    return np.where(temperature > 0, soft, (margin > 0).astype(float))
