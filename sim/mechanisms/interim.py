"""Interim deals: a limited package, the freeze it buys, its renewal (docs/model.md §3.4.27).

An interim deal is a package limited to a few issues (the others stay at the status quo),
ratified by both sides like any deal, that freezes the programme for a fixed term; at its
expiry the sides renew it or it lapses, and a comprehensive deal replaces it. The 2013 Joint
Plan of Action is the pattern: a six-month freeze of Iran's enrichment for limited relief,
renewed twice before the 2015 JCPOA. Splitting an agreement into small steps, each worth
keeping on its own, eases the commitment problem of a deal no one can enforce (Schelling
1960, ch. 2; Fearon 1995; Watson 1999, "starting small"), and a freeze buys time: it removes
the shifting balance behind the preventive motive (Powell 2006). The numbers are the
scenario's (``interim.*``), each with its evidence or assumption.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanisms.strike import closeness


def limited_package(offer: np.ndarray, status_quo: np.ndarray, covered: np.ndarray) -> np.ndarray:
    """The limited package of an offer: its terms on the ``covered`` issues, the status quo else.

    ``offer`` and ``status_quo`` are (N, D) packages, ``covered`` a (D,) mask of the issues the
    interim deal covers. The 2013 Joint Plan of Action capped enrichment for limited sanctions
    relief and left the rest of the dispute to the comprehensive talks.
    """
    return np.where(covered[None, :], offer, status_quo)


def frozen_growth(growth: np.ndarray, frozen: np.ndarray) -> np.ndarray:
    """The programme's growth per step: 0 where an interim deal freezes it, ``growth`` else.

    A freeze removes the window Powell's (2006) preventive motive looks at: with no growth the
    striker's value of waiting no longer falls, so its preventive margin reads the freeze.
    """
    return np.where(frozen, 0.0, growth)


def duration_steps(weeks: int, step_days: int) -> int:
    """An interim deal's term in steps: ``max(1, round(7 · weeks / step_days))``."""
    return max(1, round(7 * weeks / step_days))


@dataclass(frozen=True)
class Renewal:
    """The chance an interim deal is renewed at its expiry, by its parts (N,) each."""

    base: np.ndarray
    """``interim.renewal_probability``."""
    closeness: np.ndarray
    """``interim.renewal_closeness`` times the sides' closeness at their last session."""

    def total(self) -> np.ndarray:
        """``clip(base + closeness, 0, 1)``."""
        return np.clip(self.base + self.closeness, 0.0, 1.0)


def renewal(base: np.ndarray, weight: np.ndarray, gap: np.ndarray) -> Renewal:
    """The renewal chance of an interim deal: likelier the closer the sides came.

    ``gap`` is the responder's utility shortfall on the last offer (∞ before any offer), read
    as closeness ``clip(1 − gap / CLOSENESS_SCALE, 0, 1)`` exactly as Israel's lock-in fear
    reads it (:func:`~sim.mechanisms.strike.closeness`): sides close to a comprehensive deal
    extend the freeze to finish it, as the P5+1 and Iran twice extended the Joint Plan of
    Action (an assumption of the model, not in the seed articles).
    """
    return Renewal(base=base, closeness=weight * closeness(gap))
