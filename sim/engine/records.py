"""What a recorded run keeps of each step: typed events and per-step records (docs/model.md 2.10).

The model emits these only when a recorder is attached (:mod:`sim.engine.recorder`);
explanations, figures and the dashboard read them. Arrays run over the model's worlds: (N,),
or (F, N) and (F, N, D) over a side's factions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.mechanisms.ratification import BindingRedLines, Ratification
from sim.mechanisms.strike import Backing, StrikeMargin, UsStrike, Walkout
from sim.mechanisms.war import CeasefireHazard


@dataclass(frozen=True)
class SideAtSession:
    """One side at a session: what the offer was worth to it and how it voted."""

    actor_id: str
    role: str
    """``proposer`` or ``responder``."""
    utility: np.ndarray
    reservation: np.ndarray
    aspiration: np.ndarray
    vote: Ratification
    """Its ratification vote (over every world; not live where the session was not)."""
    quota: np.ndarray
    override_threshold: np.ndarray
    red_lower: np.ndarray
    """(F, N, D) its factions' red lines in force (lower bounds; −inf where none)."""
    red_upper: np.ndarray
    binding: BindingRedLines
    """The red lines it keeps to in its offers, and why."""


@dataclass(frozen=True)
class SessionEvent:
    """A session: the offer, the response, the votes, the walk-out and the rejection."""

    proposer: SideAtSession
    responder: SideAtSession
    offer: np.ndarray
    live: np.ndarray
    accepted: np.ndarray
    deal: np.ndarray
    walkout: Walkout
    walked_out: np.ndarray
    rejection_ends: np.ndarray

    def side(self, actor_id: str) -> SideAtSession:
        """The proposer's or the responder's part, by actor id."""
        return self.proposer if self.proposer.actor_id == actor_id else self.responder


@dataclass(frozen=True)
class StrikeEvent:
    """A striker's decision: its margin in parts, the probability, the strike, a US join."""

    actor_id: str
    margin: StrikeMargin
    total: np.ndarray
    lock_in: np.ndarray
    probability: np.ndarray
    strikes: np.ndarray
    us_joins: np.ndarray


@dataclass(frozen=True)
class BackingEvent:
    """Washington's green light to Israel (a decision of its own, before Israel's).

    The parts of its probability, whether talks had failed, the worlds where it was given this
    step and those where it stands after the step.
    """

    backing: Backing
    talks_failed: np.ndarray
    backs: np.ndarray
    backed: np.ndarray


@dataclass(frozen=True)
class UsStrikeEvent:
    """The US decision: the parts of its probability, whether talks had failed, the strike."""

    parts: UsStrike
    talks_failed: np.ndarray
    strikes: np.ndarray

    @property
    def probability(self) -> np.ndarray:
        """The probability of a US strike this step."""
        return self.parts.probability


@dataclass(frozen=True)
class SnapbackEvent:
    """The E3's snapback decision."""

    actor_id: str
    probability: np.ndarray
    triggered: np.ndarray


@dataclass(frozen=True)
class StrikeHit:
    """What a strike did where it hit: the programme set back, Iran's retaliation.

    docs/model.md §3.4.26; every strike, the first or a later one.
    """

    hit: np.ndarray
    """The worlds struck this step."""
    progress_before: np.ndarray
    """The programme's progress just before the strike (after this step's growth)."""
    progress_after: np.ndarray
    """Its progress once set back by ``programme.strike_setback``."""
    escalates: np.ndarray
    """Where Iran's retaliation escalated (else it was proportionate)."""
    us_at_war: np.ndarray
    """Where the United States took part in the strike (joint or its own)."""


@dataclass(frozen=True)
class WarStep:
    """The war phases at the start of a step: the ceasefire hazard, the talks' resumption.

    ``hazard`` and ``ceases`` are ``None`` where no world was at war; ``resumption`` and
    ``resumes`` where none was under a ceasefire (docs/model.md §3.4.26).
    """

    hazard: CeasefireHazard | None = None
    ceases: np.ndarray | None = None
    resumption: np.ndarray | None = None
    """The per-step hazard that the talks resume under a ceasefire."""
    resumes: np.ndarray | None = None


@dataclass(frozen=True)
class PrincipalState:
    """A principal at the end of a step: stance, clout and what they were made of."""

    stance: np.ndarray
    shares: np.ndarray
    positions: np.ndarray
    """(F, N, D) the factions' bargaining positions."""
    salience: np.ndarray
    clout_inputs: np.ndarray
    """(3, F, N) base clout, clout gain from pressure, clout gain from lobbying."""
    pressure: np.ndarray
    lobbying: np.ndarray
    inertia: np.ndarray


@dataclass(frozen=True)
class WorldState:
    """The worlds' state at the end of a step."""

    progress: np.ndarray
    outcome: np.ndarray
    end_step: np.ndarray
    collapsed: np.ndarray
    collapse_cause: np.ndarray
    last_offer: np.ndarray
    lifeline: np.ndarray | None = None
    """What Iran's patrons add to its value of no deal (``patron_lift``)."""
    snapback_threat: np.ndarray | None = None
    """What the looming snapback costs Iran's value of no deal before it is used."""
    phase: np.ndarray | None = None
    """The phase at the end of the step: a code of :data:`~sim.mechanisms.outcomes.STATES`."""


@dataclass(frozen=True)
class StepRecord:
    """One step: its events (``None`` or empty when they did not happen) and the end state."""

    step: int
    principals: dict[str, PrincipalState]
    world: WorldState
    shocks: dict[str, np.ndarray] = field(default_factory=dict)
    """The shocks that fired, with the worlds they fired in."""
    session: SessionEvent | None = None
    backing: BackingEvent | None = None
    strikes: tuple[StrikeEvent, ...] = ()
    us_strike: UsStrikeEvent | None = None
    snapbacks: tuple[SnapbackEvent, ...] = ()
    hits: tuple[StrikeHit, ...] = ()
    """What each strike of the step did (set-back, retaliation), in the order they came."""
    war: WarStep | None = None
    """The ceasefire and resumption draws of the step (``None`` where nothing was at war or
    paused)."""

    def fired(self, shock: str) -> bool:
        """Whether the shock fired in world 0 at this step."""
        fire = self.shocks.get(shock)
        return fire is not None and bool(fire[0])

    @property
    def israel(self) -> StrikeEvent | None:
        """The (last) striker's decision, if any was weighed this step."""
        return self.strikes[-1] if self.strikes else None

    @property
    def snapback(self) -> bool:
        """Whether the (last) snapback actor triggered snapback in world 0."""
        return bool(self.snapbacks and self.snapbacks[-1].triggered[0])

    @property
    def live_session(self) -> SessionEvent | None:
        """The session, if talks were on in world 0."""
        s = self.session
        return s if s is not None and bool(s.live[0]) else None
