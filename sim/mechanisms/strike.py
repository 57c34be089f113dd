"""Outside options: the preventive-strike rule (docs/model.md §3.4.16, Powell 2006)."""

from __future__ import annotations

from typing import NamedTuple

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


CLOSENESS_SCALE = 0.2
"""Utility gap below which the last offer counts as nearly agreed (Israel's lock-in fear)."""


class StrikeMargin(NamedTuple):
    """The parts of a striker's margin (N,) each; :meth:`total` is the margin it acts on."""

    powell: np.ndarray
    """Powell's commitment-problem margin: the value of striking now rather than waiting."""
    resolve: np.ndarray
    """The striker's resolve, whatever the balance of power."""
    fear: np.ndarray
    """Its fear of a deal it dislikes locking in (deal aversion × lock-in)."""
    collapse: np.ndarray
    """The resolve added once the talks have collapsed: waiting no longer holds the prospect of
    a negotiated containment of the programme, so its value falls (Powell 2006)."""
    restraint: np.ndarray
    """The counterweights' restraint (subtracted)."""

    def total(self) -> np.ndarray:
        """``powell + resolve + fear + collapse − restraint``, summed in that order."""
        return self.powell + self.resolve + self.fear + self.collapse - self.restraint


def powell_term(
    progress: np.ndarray,
    growth: np.ndarray,
    win: tuple[np.ndarray, np.ndarray, np.ndarray],
    delta: np.ndarray,
    target_cost: np.ndarray,
    striker_cost: np.ndarray,
) -> np.ndarray:
    """Powell's margin for a striker facing a target whose programme grows by ``growth``.

    ``win`` is the target's chance of prevailing far from and at breakout and the convexity
    (:func:`target_win_probability`); the margin is :func:`preventive_margin` between this
    step's progress and the next's (docs/model.md 3.4.16, Powell 2006).
    """
    low, high, gamma = win
    p_now = target_win_probability(progress, low, high, gamma)
    p_next = target_win_probability(progress + growth, low, high, gamma)
    return preventive_margin(p_now, p_next, delta, target_cost, striker_cost)


def supported_war_cost(
    war_cost: np.ndarray, support_cost_cut: np.ndarray, backed: np.ndarray
) -> np.ndarray:
    """The striker's cost of war, cut once Washington has given it a green light.

    ``war_cost · (1 − cut · backed)`` with ``backed`` 0 or 1 (or a share in between):
    American backing lowers the striker's expected cost of war c_D and so raises Powell's
    margin (docs/model.md 3.4.16; Powell 2006).
    """
    return war_cost * (1 - support_cost_cut * backed)


def strike_margin(
    powell: np.ndarray,
    resolve: np.ndarray,
    fear: tuple[np.ndarray, np.ndarray],
    collapse: tuple[np.ndarray, np.ndarray],
    restraint: np.ndarray,
) -> StrikeMargin:
    """A striker's margin in its parts (docs/model.md 3.4.16).

    Powell's margin (:func:`powell_term`) plus the striker's resolve, its deal aversion times
    the lock-in of the deal on the table (``fear`` = (aversion, lock-in)), its collapse resolve
    times whether the talks collapsed (``collapse`` = (resolve, collapsed)), minus the
    counterweights' restraint.
    """
    aversion, lock_in = fear
    collapse_resolve, collapsed = collapse
    fear_part, collapse_part = aversion * lock_in, collapse_resolve * collapsed
    return StrikeMargin(powell, resolve, fear_part, collapse_part, restraint)


def lock_in(
    u_offer: np.ndarray, gap: np.ndarray, ratifiable: np.ndarray, collapsed: np.ndarray
) -> np.ndarray:
    """A striker's fear of a deal locking in: its disutility of the last offer × closeness.

    Only a deal both sides could conclude counts: ``ratifiable`` says the last offer passed
    both sides' ratification votes (no red-line veto, no failed quota), so 0 before any offer,
    for an offer a ratifier turned down, and once talks ``collapsed``. Closeness is
    ``clip(1 − gap / CLOSENESS_SCALE, 0, 1)`` with ``gap`` the responder's utility shortfall
    in accepting it (docs/model.md 3.4.16: a deal "accepted and ratified by both sides").
    """
    return np.where(ratifiable & ~collapsed, (1 - u_offer) * closeness(gap), 0.0)


def closeness(gap: np.ndarray) -> np.ndarray:
    """How close a responder came to accepting: ``clip(1 − gap / CLOSENESS_SCALE, 0, 1)``.

    1 at no shortfall, 0 from a shortfall of ``CLOSENESS_SCALE`` on (and before any offer,
    ``gap = ∞``). Israel's lock-in fear and the renewal of an interim deal read it.
    """
    return np.clip(1 - gap / CLOSENESS_SCALE, 0.0, 1.0)


class Backing(NamedTuple):
    """The parts of Washington's decision to give Israel a green light, (N,) each."""

    probability: np.ndarray
    """The probability of backing this step (0 where it was given already)."""
    hazard: np.ndarray
    """The hazard in force: during talks, or the higher one once they have failed."""
    hawk_share: np.ndarray
    """The US hawks' clout share (grown by Israeli lobbying)."""


def us_backing(
    hazard: tuple[np.ndarray, np.ndarray],
    hawk_share: np.ndarray,
    talks_failed: np.ndarray,
    backed: np.ndarray,
) -> Backing:
    """Per-step probability that Washington backs an Israeli strike: hazard × hawks' share.

    ``hazard`` is (during talks, once talks failed); the hawks' clout share carries Israel's
    lobbying (their clout grows with it, docs/model.md 3.4.2), so lobbying makes a green light
    likelier. Backing is a state: once given it stays, so the probability is 0 where
    ``backed`` (docs/model.md 3.4.16).
    """
    during, failed = hazard
    h = np.where(talks_failed, failed, during)
    return Backing(np.where(backed, 0.0, np.clip(h * hawk_share, 0.0, 1.0)), h, hawk_share)


class UsStrike(NamedTuple):
    """The parts of the US decision to strike once talks failed, (N,) each."""

    probability: np.ndarray
    hazard: np.ndarray
    hawk_share: np.ndarray
    credibility: np.ndarray


def us_strike(
    hazard: np.ndarray, hawk_share: np.ndarray, credibility: np.ndarray, talks_failed: np.ndarray
) -> UsStrike:
    """Per-step probability of a US strike: hazard × hawks' clout share × credibility.

    Zero while the talks have not failed (docs/model.md 3.4.17).
    """
    h = hazard * hawk_share * credibility
    return UsStrike(np.where(talks_failed, h, 0.0), hazard, hawk_share, credibility)


class Walkout(NamedTuple):
    """The parts of a walk-out decision, (N,) each."""

    probability: np.ndarray
    utility: np.ndarray
    """The ratifier's utility of the offer."""
    breakdown: np.ndarray
    """The side's value of breaking off the talks."""


def walkout(utility: np.ndarray, breakdown: np.ndarray, temperature: np.ndarray) -> Walkout:
    """Probability of walking out after an offer: a logit of breakdown value minus utility.

    Zero at temperature 0 (docs/model.md 3.4.13: humiliating demands).
    """
    p = np.where(temperature > 0, logit_choice(breakdown - utility, temperature), 0.0)
    return Walkout(p, utility, breakdown)
