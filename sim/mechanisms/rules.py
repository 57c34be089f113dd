"""Pluggable behaviour rules, registered by name and selected in the scenario file.

Proposal rules (docs/model.md §3.4.6–3.4.9) decide a session's offer and whether the responder
accepts it; stance rules (docs/model.md §3.4.3) move a principal's stance toward its factions.
Each rule is a small class whose docstring names its source; the mathematics lives in
:mod:`sim.mechanisms.bargaining`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from sim.mechanisms.arrays import repeat_last
from sim.mechanisms.bargaining import (
    Path,
    aspiration,
    maximise,
    nash_objective,
    screening_objective,
)
from sim.mechanisms.bdm import ExpectedUtility
from sim.mechanisms.stance import Compromise, StanceRule

ACCEPT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SessionClock:
    """What a rule may know about time at a session.

    A deadline is infinite for a side without one (its aspiration then decays with its
    half-life). ``future`` lists the later sessions the rule looks ahead to as
    ``(steps_after_previous, same_proposer_as_now)``.
    """

    step: int
    proposer_deadline: np.ndarray
    responder_deadline: np.ndarray
    proposer_beta: np.ndarray
    responder_beta: np.ndarray
    proposer_half_life: np.ndarray  # patience of a side with no deadline (infinite deadline)
    responder_half_life: np.ndarray
    breakdown_risk: np.ndarray
    believed_reservation: np.ndarray  # (N,) proposer's point belief of responder's reservation
    future: tuple[tuple[int, bool], ...]
    # The sides' own offers so far, (N, 2, D): [:, 0] the last, [:, 1] the one before (NaN: none).
    proposer_offers: np.ndarray | None = None
    responder_offers: np.ndarray | None = None


def _gap(clock: SessionClock) -> int:
    """Steps to the next session (1 when none is ahead)."""
    return clock.future[0][0] if clock.future else 1


def _responder_aspiration_next(clock: SessionClock, reservation: np.ndarray) -> np.ndarray:
    """The responder's aspiration at the next session, reckoned from ``reservation``."""
    return aspiration(
        clock.step + _gap(clock),
        clock.responder_deadline,
        reservation,
        clock.responder_beta,
        clock.responder_half_life,
    )


def _offers(offers: np.ndarray | None, like: np.ndarray) -> np.ndarray:
    """A side's last two offers (N, 2, D), all NaN where none is recorded."""
    n, d = like.shape
    return np.full((n, 2, d), np.nan) if offers is None else offers


def reciprocal_demand(
    u_own: np.ndarray, u_theirs: np.ndarray, u_theirs_before: np.ndarray
) -> np.ndarray:
    """A side's demand by relative tit-for-tat (Faratin, Sierra and Jennings 1998, §4.3).

    In the side's own utility: ``u_own`` its last offer, ``u_theirs`` and ``u_theirs_before``
    the other side's last two. The other side closed the share
    ``f = (u_theirs − u_theirs_before) / (u_own − u_theirs_before)`` (clipped to [0, 1]) of the
    gap between its previous offer and the side's demand; the side answers by closing the same
    share of the gap left: ``u_own − f·(u_own − u_theirs)``. Where a part is missing (NaN: no
    history yet) the demand is +inf: no concession is owed.
    """
    gap_before = u_own - u_theirs_before
    safe = np.where(gap_before > 0, gap_before, 1.0)
    share = np.clip((u_theirs - u_theirs_before) / safe, 0.0, 1.0)
    share = np.where(gap_before > 0, share, 0.0)
    demand = u_own - share * (u_own - u_theirs)
    return np.where(np.isnan(demand), np.inf, demand)


class ProposalRule:
    """Base class: ``propose`` returns λ on the compromise path; ``accepts`` the responder's yes."""

    name: ClassVar[str]
    reject_ends_talks: ClassVar[bool] = False

    def propose(self, path: Path, clock: SessionClock) -> np.ndarray:
        """λ per world (0: the responder's stance, 1: the proposer's)."""
        raise NotImplementedError

    def accepts(self, path: Path, offer: np.ndarray, clock: SessionClock) -> np.ndarray:
        """Whether the responder accepts the package ``offer`` (N, D)."""
        raise NotImplementedError

    def offer(self, path: Path, clock: SessionClock) -> np.ndarray:
        """The package offered (N, D): by default the path's package at :meth:`propose`'s λ."""
        return path.package(self.propose(path, clock))


class Aspiration(ProposalRule):
    """The negotiation dance (Raiffa 1982; Faratin, Sierra and Jennings 1998; Baarslag 2014).

    Concession by the clock and in answer to the other side: Raiffa's negotiation dance (1982,
    ch. 9) with Faratin, Sierra and Jennings's time- and behaviour-dependent tactics. The
    proposer's demand, in its own utility, is ``max(u(x_o), min(a(t), max(tft, r)))``:

    - ``a(t)`` its time-dependent aspiration (:func:`~sim.mechanisms.bargaining.aspiration`:
      ``r + (1 − r)(1 − (t/T)^(1/β))`` by a deadline, or a half-life without one);
    - ``tft`` its answer to the other side's last concession by relative tit-for-tat
      (:func:`reciprocal_demand`), floored at its reservation value ``r``: it concedes with its
      clock or in answer to the other side, whichever gives more;
    - ``u(x_o)`` what the other side's last offer already gives it: it never asks for less.

    The offer is the point giving that demand on the path from the other side's last offer (held
    between the two stances) to the proposer's stance, within the red lines it respects: a new
    offer lies between the other side's offer and one's own stance. It never gives the responder
    more than the proposer believes the responder needs now, the responder's aspiration at the
    next session reckoned from a noisy belief of its reservation value (Fearon's private
    information: a wrong belief can make talks fail although packages both prefer exist). The
    proposer's model of the responder counts only the red lines the responder has revealed.
    The responder accepts an offer worth at least what it would itself demand at the next
    session, which is at most its aspiration now (AC_next: Baarslag, Hindriks and Jonker 2014,
    "Effective acceptance conditions in real-time automated negotiation").
    """

    name = "aspiration"

    def propose(self, path: Path, clock: SessionClock) -> np.ndarray:
        """λ on the path anchored at the responder's last offer (:meth:`offer`)."""
        return self._lam(self._anchored(path, clock), clock)

    def offer(self, path: Path, clock: SessionClock) -> np.ndarray:
        """The proposer's demand on the path from the responder's last offer to its stance."""
        anchored = self._anchored(path, clock)
        return anchored.package(self._lam(anchored, clock))

    @staticmethod
    def _anchored(path: Path, clock: SessionClock) -> Path:
        return path.anchored(_offers(clock.responder_offers, path.proposer.stance)[:, 0])

    @staticmethod
    def demand(
        u_side: Callable[[np.ndarray], np.ndarray],
        clock_value: np.ndarray,
        reservation: np.ndarray,
        own: np.ndarray,
        theirs: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """A side's demand in its utility, and its utility of the other side's last offer.

        The demand answers the clock, the other side's concession (tit-for-tat) and its last
        offer. ``own`` and ``theirs`` (N, 2, D) are the side's and the other side's last two
        offers (NaN where none: a utility of NaN, no history). An offer worth less than no deal
        (one across the side's red lines) counts as no deal, ``r``, in the tit-for-tat: moving
        off a red line is a concession, but not one worth more than reaching no deal's value.
        """
        u = u_side(np.stack([own[:, 0], theirs[:, 0], theirs[:, 1]], axis=1))
        r = np.clip(reservation, 0.0, 1.0)
        valued = np.maximum(u, repeat_last(r, u.shape[1]))  # NaN stays NaN
        u_theirs = u[:, 1]
        tft = reciprocal_demand(valued[:, 0], valued[:, 1], valued[:, 2])
        demand = np.minimum(clock_value, np.maximum(tft, r))
        return np.where(np.isnan(u_theirs), demand, np.maximum(demand, u_theirs)), u_theirs

    def _lam(self, path: Path, clock: SessionClock) -> np.ndarray:
        """λ giving the proposer its demand, capped by the believed reservation."""
        p = path.proposer
        target, _ = self.demand(
            path.u_proposer,
            aspiration(
                clock.step,
                clock.proposer_deadline,
                p.reservation,
                clock.proposer_beta,
                clock.proposer_half_life,
            ),
            p.reservation,
            _offers(clock.proposer_offers, p.stance),
            _offers(clock.responder_offers, p.stance),
        )
        lam = path.lam_for_proposer(target)
        # The cap binds only where the offer would give the responder more than it is believed
        # to need (its aspiration at the next session, from the believed reservation value);
        # solve for it there alone.
        belief = _responder_aspiration_next(clock, clock.believed_reservation)
        generous = np.flatnonzero(path.u_responder(path.package(lam)) > belief)
        if generous.size:
            cap = path.lam_for_responder(belief[generous], generous)
            lam[generous] = np.maximum(lam[generous], cap)
        return lam

    def accepts(self, path: Path, offer: np.ndarray, clock: SessionClock) -> np.ndarray:
        """Yes when the offer is worth what the responder would demand next (AC_next).

        Its next demand (:meth:`demand`, at the next session) is at most the offer's worth
        exactly when the offer is worth its reservation value and either its aspiration then,
        or what its own last offer asked (the relative tit-for-tat's share is then 1).
        """
        r = path.responder
        own = _offers(clock.responder_offers, r.stance)[:, 0]
        worth, asked = path.u_responder(np.stack([offer, own], axis=1)).T
        later = _responder_aspiration_next(clock, r.reservation)
        enough = worth >= np.clip(r.reservation, 0.0, 1.0) - ACCEPT_TOLERANCE
        reciprocal = worth >= np.where(np.isnan(asked), np.inf, asked) - ACCEPT_TOLERANCE
        return enough & ((worth >= later - ACCEPT_TOLERANCE) | reciprocal)


class Rubinstein(ProposalRule):
    """Alternating offers with discounting and breakdown risk (Rubinstein 1982; Binmore 1986).

    The proposer offers the responder exactly its continuation value, found by backward
    induction over the remaining sessions: ``W_R = δ_R^gap · [(1 − q)·V_R(next) + q·b_R]``, where
    ``V(next)`` is what the responder gets as proposer next time and ``b`` is the breakdown value
    (also the value after the deadline). With one linear issue and many sessions this is the
    stationary solution, the first proposer getting ``(1 − δ2)/(1 − δ1δ2)``; with T sessions,
    ``s_T = 1`` and ``s_t = 1 − δ_resp·s_{t+1}``.
    """

    name = "rubinstein"

    def __init__(self) -> None:
        self._cached: tuple[int, np.ndarray] | None = None

    def continuation(self, path: Path, clock: SessionClock) -> np.ndarray:
        """The responder's continuation value at the current session (cached per step)."""
        if self._cached is not None and self._cached[0] == clock.step:
            return self._cached[1]
        a, b = path.proposer, path.responder
        q = clock.breakdown_risk
        v_a, v_b = a.breakdown.copy(), b.breakdown.copy()
        sessions = [(1, True), *clock.future]  # (gap to the next session, proposer is A)
        gaps = [g for g, _ in sessions[1:]] + [1]
        w_b = v_b
        for (_, a_proposes), gap in reversed(list(zip(sessions, gaps, strict=True))):
            if a_proposes:
                w = b.discount**gap * ((1 - q) * v_b + q * b.breakdown)
                lam = path.lam_for_responder(w)
                w_b = w
            else:
                w = a.discount**gap * ((1 - q) * v_a + q * a.breakdown)
                lam = path.lam_for_proposer(w)
            x = path.package(lam)
            v_a, v_b = path.u_proposer(x), path.u_responder(x)
        self._cached = (clock.step, w_b)
        return w_b

    def propose(self, path: Path, clock: SessionClock) -> np.ndarray:
        """λ giving the responder exactly its continuation value."""
        return path.lam_for_responder(self.continuation(path, clock))

    def accepts(self, path: Path, offer: np.ndarray, clock: SessionClock) -> np.ndarray:
        """Yes when the offer is worth the continuation value."""
        w = self.continuation(path, clock)
        return path.u_responder(offer) >= w - 1e-7


class NashMediator(ProposalRule):
    """The mediator proposes the asymmetric Nash bargaining solution (Nash 1950; Kalai 1977).

    It maximises ``α_P·log(u_P − r_P) + α_R·log(u_R − r_R)`` along the path, with the principals'
    clout as weights α and their reservation values as the disagreement point. Each side accepts
    a package worth at least its reservation value.
    """

    name = "nash_mediator"

    def propose(self, path: Path, clock: SessionClock) -> np.ndarray:
        """λ of the asymmetric Nash solution."""
        p, r = path.proposer, path.responder

        def objective(lam: np.ndarray) -> np.ndarray:
            x = path.package(lam)
            return nash_objective(
                (path.u_proposer(x), path.u_responder(x)),
                (p.reservation, r.reservation),
                (p.clout, r.clout),
            )

        return maximise(objective, p.stance.shape[0])

    def accepts(self, path: Path, offer: np.ndarray, clock: SessionClock) -> np.ndarray:
        """Yes when both sides get at least their reservation values."""
        ok_r = path.u_responder(offer) >= path.responder.reservation - ACCEPT_TOLERANCE
        ok_p = path.u_proposer(offer) >= path.proposer.reservation - ACCEPT_TOLERANCE
        return ok_r & ok_p


class Screening(ProposalRule):
    """A take-it-or-leave-it demand under private information (Fearon 1995).

    The proposer believes the responder's reservation value uniform on
    ``public_reservation ± belief_halfwidth`` and maximises
    ``F(u_R)·u_P + (1 − F(u_R))·b_P`` along the path; a rejection ends the talks. With a pie,
    war value ``p − c_A`` and ``c_B ~ U[c_lo, c_hi]`` this gives ``x* = p + (c_hi − c_A)/2`` and
    ``P(war) = (c_hi − c_A − 2c_lo)/(2(c_hi − c_lo))`` (Fearon's risk–return trade-off).
    """

    name = "screening"
    reject_ends_talks = True

    def propose(self, path: Path, clock: SessionClock) -> np.ndarray:
        """λ maximising the proposer's expected utility."""
        p, r = path.proposer, path.responder
        lo = r.public_reservation - r.belief_halfwidth
        hi = r.public_reservation + r.belief_halfwidth

        def objective(lam: np.ndarray) -> np.ndarray:
            x = path.package(lam)
            return screening_objective(path.u_proposer(x), path.u_responder(x), lo, hi, p.breakdown)

        return maximise(objective, p.stance.shape[0])

    def accepts(self, path: Path, offer: np.ndarray, clock: SessionClock) -> np.ndarray:
        """Yes when the offer is worth the responder's true reservation value."""
        return path.u_responder(offer) >= path.responder.reservation - ACCEPT_TOLERANCE


PROPOSAL_RULES: dict[str, type[ProposalRule]] = {
    rule.name: rule for rule in (Aspiration, Rubinstein, NashMediator, Screening)
}


STANCE_RULES: dict[str, type[StanceRule]] = {
    rule.name: rule for rule in (Compromise, ExpectedUtility)
}
