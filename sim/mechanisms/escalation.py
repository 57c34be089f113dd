"""Iran's escalation of its programme as a move in the talks (docs/model.md 3.4.29).

Iran may escalate its programme (raise enrichment, restrict inspections) as a move in the talks,
which speeds the growth of its progress k (issue 14). An escalation is a costly signal of
resolve in a crisis bargain (Fearon 1995; Schelling 1966's "threat that leaves something to
chance"): it raises the programme's growth, and with it the preventive motive of a striker
(Powell 2006), the risk the move runs.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

PROVOCATIONS = ("bog_down", "collapse", "snapback", "strike")
"""What provokes an escalation, in the order a world's reason is named (the first that holds)."""


class Escalation(NamedTuple):
    """The parts of Iran's decision to escalate, (N,) each."""

    probability: np.ndarray
    """The probability of escalating this step (0 where not provoked or already escalated)."""
    provoked: np.ndarray
    """Whether something provokes the move (talks bogged down or failed, snapback, a strike)."""
    hawk_share: np.ndarray
    """The clout share of the target's hawks, who push for the move."""


def escalation(
    hazard: np.ndarray, hawk_share: np.ndarray, provoked: np.ndarray, escalated: np.ndarray
) -> Escalation:
    """Per-step probability that the target escalates: ``hazard · hawk share`` where provoked.

    The hawks push for the move (their clout share scales it, as the US hawks' share scales a US
    strike, docs/model.md 3.4.17); an escalation is a state: once made it stays until a deal
    freezes the programme, so the probability is 0 where ``escalated``.
    """
    p = np.clip(hazard * hawk_share, 0.0, 1.0)
    return Escalation(np.where(provoked & ~escalated, p, 0.0), provoked, hawk_share)


def escalated_growth(growth: np.ndarray, factor: np.ndarray, escalated: np.ndarray) -> np.ndarray:
    """The programme's growth per step: ``growth · factor`` where escalated, else ``growth``."""
    return np.where(escalated, growth * factor, growth)


def provocation(flags: tuple[np.ndarray, ...]) -> np.ndarray:
    """The index in :data:`PROVOCATIONS` of each world's first provocation that holds (-1: none)."""
    stacked = np.stack(flags)
    return np.where(stacked.any(axis=0), np.argmax(stacked, axis=0), -1)
