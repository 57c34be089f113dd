"""The Mesa model: N worlds stepped in lockstep (docs/model.md §1.2, §1.3).

A step runs, in order: shocks; domestic politics (pressure, lobbying, clout, stances); the
session, on session steps (proposal, response, ratification, walk-out, mediator); outside options
(nuclear progress, the US decision to back Israel, Israel's strike decision, the US decision to
strike, the E3 snapback); termination.
Every state update is masked by the worlds at peace (:attr:`~NegotiationModel.active`): a world
ended by a deal or the horizon never changes, and a world at war does nothing but its war. A
world's first decisive event (a deal or a strike) is its ``outcome``, version 1's; a strike does
not end it: the world goes on in the phase ``at_war`` (docs/model.md, "Episodes").
The mathematics is in :mod:`sim.mechanisms`; a run that records hands each step's typed events
and state to a :class:`~sim.engine.recorder.Recorder`, and builds none otherwise.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace

import numpy as np

from sim.engine.agents import (
    AGENT_CLASSES,
    Actor,
    CounterweightAgent,
    FactionAgent,
    MediatorAgent,
    PatronAgent,
    PrincipalAgent,
    SnapbackAgent,
    StrikerAgent,
)
from sim.engine.events import HORIZON, EventLog, interims_possible
from sim.engine.recorder import Recorder
from sim.engine.records import (
    BackingEvent,
    SessionEvent,
    SideAtSession,
    SnapbackEvent,
    StepRecord,
    StrikeEvent,
    StrikeHit,
    UsStrikeEvent,
    WarStep,
    WorldState,
)
from sim.engine.world import World
from sim.mechanisms.arrays import any_last, where_rows
from sim.mechanisms.bargaining import Path, aspiration, take
from sim.mechanisms.deadlines import (
    AT_KINDS,
    EXTEND,
    FINAL,
    NONE,
    WALKOUT,
    deadline_choice,
    extended,
    extension_steps,
    fixed_choice,
    next_deadline,
)
from sim.mechanisms.escalation import PROVOCATIONS, escalated_growth, escalation, provocation
from sim.mechanisms.interim import duration_steps, frozen_growth, limited_package, renewal
from sim.mechanisms.outcomes import (
    AT_WAR,
    BREAKDOWN,
    CEASEFIRE,
    DEAL,
    DEAL_IN_FORCE,
    INTERIM_IN_FORCE,
    NO_RESOLUTION,
    OUTCOMES,
    RUNNING,
    STATES,
    STRIKE_ISRAEL,
    STRIKE_JOINT,
    STRIKE_US,
    TALKS_COLLAPSED,
    TALKS_ONGOING,
)
from sim.mechanisms.ratification import Ratification
from sim.mechanisms.rng import WorldStreams
from sim.mechanisms.rules import PROPOSAL_RULES, NashMediator, SessionClock
from sim.mechanisms.shocks import apply_op, condition_holds, in_window
from sim.mechanisms.strike import CLOSENESS_SCALE, Walkout, lock_in
from sim.mechanisms.third_parties import (
    lobbying_received,
    patron_lift,
    snapback_drop,
    snapback_threat,
)
from sim.mechanisms.utility import IssueScale
from sim.mechanisms.war import CeasefireHazard, ceasefire_hazard, set_back
from sim.scenario.draws import draw_parameters
from sim.scenario.params import ParamSpec
from sim.scenario.schema import (
    Faction,
    ForceAction,
    Principal,
    Scenario,
    SetParam,
    Shock,
    State,
    parameter_paths,
)

COLLAPSE_CAUSES = ("", "walkout", "mediator", "rejection", "shock", "deadline")
LOOKAHEAD_WEIGHT = 1e-9
"""A later session whose discounted weight is below this no longer moves an offer."""
LOOKAHEAD_SESSIONS = 2_000
"""At most this many sessions ahead when no side has a deadline (no discount, no risk)."""
PHASE_AFTER = {DEAL: DEAL_IN_FORCE, STRIKE_ISRAEL: AT_WAR, STRIKE_JOINT: AT_WAR, STRIKE_US: AT_WAR}
"""The phase a decisive event puts a world in (a strike starts a war: no ceasefire yet)."""


class NegotiationModel(World):
    """N worlds of one scenario, stepped together; ``N = 1`` runs the same code."""

    def __init__(
        self,
        spec: Scenario,
        seed: np.random.SeedSequence,
        local_index: np.ndarray,
        *,
        record: bool = False,
    ):
        """Draw every world's parameters and create one agent per actor.

        Args:
            spec: the validated scenario.
            seed: the block's seed sequence (see :mod:`sim.mechanisms.rng`).
            local_index: the worlds' indices inside their block (their random streams).
            record: keep each step's typed record (:attr:`trace`, for explanations) in a
                :class:`~sim.engine.recorder.Recorder`.
        """
        super().__init__(rng=np.random.default_rng(seed))
        self.spec = spec
        self.streams = WorldStreams(seed, local_index)
        self.n_worlds = len(local_index)
        self.issue_ids = list(spec.issues)
        specs: dict[str, ParamSpec] = parameter_paths(spec)
        self.central = {path: s.central() for path, s in specs.items()}
        self.drawn = draw_parameters(specs, self.streams)
        self.params = {path: v.copy() for path, v in self.drawn.items()}
        self.versions: dict[str, int] = {}  # shock changes per dotted path and prefix
        self.public: dict[str, np.ndarray] = {}  # what others know of shocked parameters
        self.span = np.array([i.hi - i.lo for i in spec.issues.values()])
        self.scale = IssueScale(
            self.span,
            tuple(
                (d, np.array(issue.levels))
                for d, issue in enumerate(spec.issues.values())
                if issue.levels is not None
            ),
        )
        self._status_quo: tuple[int, np.ndarray] | None = None
        self._create_agents()
        self._init_state()
        if spec.state is not None:
            self._start_episode(spec.state)
        self.rule = PROPOSAL_RULES[spec.protocol.proposal_rule]()
        self.session_steps = self._session_steps()
        self._session_index = {step: k for k, step in enumerate(self.session_steps)}
        self._init_deadlines()
        observed = spec.calendar.observed_until
        self.open_from = spec.date_to_step(observed) + 1 if observed else 0
        self._forcing = {  # shocks that force a strike, a walk-out or snapback
            name
            for name, shock in spec.shocks.items()
            if any(isinstance(e, ForceAction) for e in shock.effects)
        }
        ultimatum = spec.protocol.ultimatum
        self.ultimatum_step = spec.date_to_step(ultimatum) if ultimatum else None
        self.step_index = 0
        self.recorder = Recorder() if record else None

    # --- set-up --------------------------------------------------------------------------------
    def _create_agents(self) -> None:
        spec = self.spec
        self.factions = [
            FactionAgent(self, aid, a) for aid, a in spec.actors.items() if isinstance(a, Faction)
        ]
        self.principals: dict[str, PrincipalAgent] = {
            aid: PrincipalAgent(self, aid, a)
            for aid, a in spec.actors.items()
            if isinstance(a, Principal)
        }
        self.third: dict[type[Actor], list[Actor]] = {cls: [] for cls in AGENT_CLASSES.values()}
        for aid, a in spec.actors.items():
            cls = AGENT_CLASSES.get(type(a))
            if cls is not None:
                self.third[cls].append(cls(self, aid, a))
        # The sides by role, named after the baseline's: ``us`` the enforcer, ``iran`` the target.
        self.us, self.iran = (self.principals[pid] for pid in spec.side_ids())
        self.israel = [a for a in self.third[StrikerAgent] if isinstance(a, StrikerAgent)]
        self.patrons = self.third[PatronAgent]
        self.e3 = [a for a in self.third[SnapbackAgent] if isinstance(a, SnapbackAgent)]
        self.mediators = [a for a in self.third[MediatorAgent] if isinstance(a, MediatorAgent)]
        self.counterweights = self.third[CounterweightAgent]

    def _init_state(self) -> None:
        n, d = self.n_worlds, len(self.issue_ids)
        self.outcome = np.full(n, RUNNING, dtype=np.int8)
        self.end_step = np.full(n, -1, dtype=np.int32)
        self.joint = np.zeros(n, dtype=bool)
        self.terms = np.full((n, d), np.nan)
        self.progress = np.clip(self.params["programme.initial_progress"].copy(), 0, 1)
        if "state.programme_damage" in self.params:  # set back before the start
            self.progress = self.progress * (1 - self.params["state.programme_damage"])
        self.collapsed = np.zeros(n, dtype=bool)
        self.collapse_step = np.full(n, -1, dtype=np.int32)
        self.collapse_cause = np.zeros(n, dtype=np.int8)
        self.snapback_step = np.full(n, -1, dtype=np.int32)
        self.backed = np.zeros(n, dtype=bool)  # Washington has given Israel a green light
        self.backing_step = np.full(n, -1, dtype=np.int32)
        self.failed_sessions = np.zeros(n, dtype=np.int32)
        self.offers = np.zeros(n, dtype=np.int32)
        self.vetoes = np.zeros(n, dtype=np.int32)
        self.walkout_threats = np.zeros(n, dtype=np.int32)
        self.last_offer = np.full((n, d), np.nan)
        # Each side's own offers, (N, 2, D): the last and the one before (NaN: none yet).
        self.own_offers = {pid: np.full((n, 2, d), np.nan) for pid in self.principals}
        self.last_gap = np.full(n, np.inf)
        self.last_ratifiable = np.zeros(n, dtype=bool)  # the last offer passed both votes
        self._mediated = np.zeros(n, dtype=bool)  # a patron tabled this session's offer
        self.shock_step = {name: np.full(n, -1, dtype=np.int32) for name in self.spec.shocks}
        self.bog_step = np.full(n, -1, dtype=np.int32)  # the first session the talks bogged down
        ids = [p.actor_id for p in self.patrons]
        self.mediation_step = {pid: np.full(n, -1, dtype=np.int32) for pid in ids}
        self.distance_step = {pid: np.full(n, -1, dtype=np.int32) for pid in ids}
        self.support_kept = {pid: np.ones(n) for pid in ids}  # 1 − distance_cut once distanced
        self.lifeline = np.zeros(n)  # the patrons' lift of Iran's no-deal value this step
        self.threat = np.zeros(n)  # the looming snapback's cost to it this step
        self.phase = np.full(n, TALKS_ONGOING, dtype=np.int8)  # a code of STATES
        self.alive = np.ones(n, dtype=bool)  # still simulated: no comprehensive deal, no horizon
        self._active = self.alive.copy()  # alive and not at war (set_phase keeps it)
        self._frozen: dict[str, np.ndarray] = {}  # version-1 columns of worlds struck first
        self._frozen_mask = np.zeros(n, dtype=bool)
        self.us_at_war = np.zeros(n, dtype=bool)  # the US took part in the latest strike
        self.escalated = np.zeros(n, dtype=bool)  # Iran's retaliation to it escalated
        self.strikes = np.zeros(n, dtype=np.int16)  # strikes so far (a joint strike is one)
        self.programme_escalated = np.zeros(n, dtype=bool)  # Iran escalated its programme
        self.escalation_step = np.full(n, -1, dtype=np.int32)
        self.events = EventLog()
        self._init_interim()

    def _session_steps(self) -> list[int]:
        proto, horizon = self.spec.protocol, self.spec.horizon
        if proto.session_dates:
            steps = {self.spec.date_to_step(d) for d in proto.session_dates}
            return sorted(s for s in steps if 0 <= s < horizon)
        return list(range(0, horizon, proto.session_every))

    # --- helpers -------------------------------------------------------------------------------
    @property
    def trace(self) -> list[StepRecord]:
        """The recorded steps (empty unless the model records)."""
        return self.recorder.steps if self.recorder is not None else []

    @property
    def status_quo(self) -> np.ndarray:
        """The status-quo package (N, D), following shocks to ``issues.<d>.status_quo``."""
        version = self.version("issues")
        if self._status_quo is None or self._status_quo[0] != version:
            value = np.stack(
                [self.params[f"issues.{i}.status_quo"] for i in self.issue_ids], axis=1
            )
            self._status_quo = (version, value)
        return self._status_quo[1]

    @property
    def active(self) -> np.ndarray:
        """Worlds at peace: still simulated (:attr:`alive`) and not at war.

        Every peacetime update (shocks, domestic politics, sessions, outside options) is masked
        by it. Before a world's first decisive event it is version 1's "still running".
        """
        return self._active

    @property
    def talking(self) -> np.ndarray:
        """Worlds whose talks are on: at peace, not collapsed, not paused by a ceasefire."""
        return self.active & ~self.collapsed & (self.phase != CEASEFIRE)

    @property
    def undecided(self) -> np.ndarray:
        """Worlds without a decisive event yet (no deal, no strike): their ``outcome`` is open."""
        return self.outcome == RUNNING

    def set_phase(self, mask: np.ndarray, phase: int) -> None:
        """Put the worlds of ``mask`` in ``phase`` (a code of STATES); refresh :attr:`active`."""
        self.phase[mask] = phase
        self._active = self.alive & (self.phase != AT_WAR)

    @property
    def running(self) -> bool:
        """Whether any world is still simulated and the horizon is not reached."""
        return bool(self.step_index < self.spec.horizon and self.alive.any())

    @running.setter
    def running(self, value: bool) -> None:
        pass  # Mesa sets it in __init__; the model derives it from the worlds' state.

    def date(self, step: int) -> dt.date:
        """Calendar date of a step."""
        return self.spec.step_to_date(step)

    def lobbying_on(self, principal: PrincipalAgent) -> np.ndarray:
        """Lobbying reaching a principal this step (Israel on Washington, damped by the Gulf)."""
        if principal is not self.us or not self.israel:
            return np.zeros(self.n_worlds)
        damping = sum(
            (c.param("lobbying_damping") for c in self.counterweights), np.zeros(self.n_worlds)
        )
        total = sum((s.param("lobbying") for s in self.israel), np.zeros(self.n_worlds))
        return lobbying_received(total, damping)

    def _patron_sum(self, name: str) -> np.ndarray:
        total = sum((p.param(name) for p in self.patrons), np.zeros(self.n_worlds))
        return np.clip(total, 0.0, 0.95)

    def _patron_lift(self) -> np.ndarray:
        """The patrons' lifeline in Iran's value of no deal (:func:`patron_lift`)."""
        if not self.patrons:
            return np.zeros(self.n_worlds)
        support = np.stack([self.support(p) for p in self.patrons])
        return patron_lift(support, np.stack([p.param("lifeline") for p in self.patrons]))

    def _snapback_threat(self, t: int) -> np.ndarray:
        """Expected cost of the live snapback threat to Iran (:func:`snapback_threat`).

        The E3 cannot act before the end of the observed history, so the chance counts from it.
        """
        cost = np.zeros(self.n_worlds)
        live = self.snapback_step < 0
        cover = self._patron_sum("snapback_cover")
        for e3 in self.e3:
            weight = e3.param("threat_weight")
            if not np.any(weight > 0):
                continue
            chance = e3.chance(max(t, self.open_from))
            drop = snapback_drop(e3.param("no_deal_drop"), cover)
            cost = cost + snapback_threat(chance, drop, weight, live)
        return cost

    def end(self, mask: np.ndarray, outcome: int, step: int) -> None:
        """Set ``outcome`` at ``step`` in the worlds of ``mask`` still undecided (the first)."""
        mask = mask & self.undecided
        self.outcome[mask] = outcome
        self.end_step[mask] = step

    def decisive(
        self, mask: np.ndarray, outcome: int, step: int, actor: str = "", details: str = ""
    ) -> np.ndarray:
        """A deal or a strike in ``mask`` (worlds at peace): logged, its phase, maybe the outcome.

        A world's first decisive event is its ``outcome`` (:meth:`end`), version 1's; before it
        the world's version-1 columns are frozen (:meth:`first_view`). The event log and the
        phase (:data:`PHASE_AFTER`) record every decisive event, the first or a later one. A
        deal ends the world (:attr:`alive`); a strike puts it at war. Returns the worlds hit.
        """
        mask = mask & self.active
        if not mask.any():
            return mask
        self._freeze(mask & self.undecided & (outcome != DEAL))
        self.events.add(mask, step, OUTCOMES[outcome - 1], actor, details)
        if outcome == DEAL:
            self.alive &= ~mask
        self.set_phase(mask, PHASE_AFTER[outcome])
        self.end(mask, outcome, step)
        if outcome != DEAL:
            self._war_starts(mask, outcome, step)
        return mask

    def _war_starts(self, mask: np.ndarray, outcome: int, step: int) -> None:
        """A strike in ``mask``: the programme set back, Iran retaliates, a war begins.

        The retaliation escalates with ``war.retaliation_escalation``, else it is proportionate
        (docs/model.md, "Episodes"); both are logged as ``retaliation`` events.
        """
        before = self.progress
        self.progress = set_back(self.progress, self.params["programme.strike_setback"], mask)
        self.strikes += mask
        self.us_at_war = np.where(mask, outcome != STRIKE_ISRAEL, self.us_at_war)
        p = self.params["war.retaliation_escalation"]
        escalates = mask & self.streams.bernoulli("retaliation", step, p)
        self.escalated = np.where(mask, escalates, self.escalated)
        iran = self.iran.actor_id
        self.events.add(escalates, step, "retaliation", iran, "escalating")
        self.events.add(mask & ~escalates, step, "retaliation", iran, "proportionate")
        self._war_marks(mask)
        if self.recorder is not None:
            self.recorder.hit(StrikeHit(mask, before, self.progress, escalates, self.us_at_war))

    def _war_marks(self, mask: np.ndarray) -> None:
        """A strike's lasting marks on the talks, should they resume (docs/model.md 3.4.26).

        Iran's hawks rally: their base clout is multiplied by ``1 + war.rally_clout_gain`` (the
        rally round the flag, Mueller 1970, here of the attacked state's hardliners). Each side
        reads the other less well: both sides' ``belief_halfwidth`` is multiplied by
        ``1 + war.mistrust``. Like a shock's effect, each is public and lasts; each strike adds
        its own. The war also strains Iran's economy: its pressure rises by
        ``war.pressure_jump`` (clipped to 1).
        """
        jump = self.params["war.pressure_jump"]
        pressure = self.iran.pressure
        self.iran.pressure = np.where(mask, np.clip(pressure + jump, 0, 1), pressure)
        hawk = self.iran.hawk
        if hawk is not None:
            path = f"actors.{self.iran.factions[hawk].actor_id}.clout"
            self._scale(path, mask, 1 + self.params["war.rally_clout_gain"])
        for side in (self.us, self.iran):
            self._scale(
                f"actors.{side.actor_id}.belief_halfwidth", mask, 1 + self.params["war.mistrust"]
            )

    def _scale(self, path: str, mask: np.ndarray, factor: np.ndarray) -> None:
        """Multiply parameter ``path`` by ``factor`` in ``mask``, and what others know of it."""
        if not np.any(mask & (factor != 1)):
            return
        self.params[path] = np.where(mask, self.params[path] * factor, self.params[path])
        known = self.known(path)
        self.public[path] = np.where(mask, known * factor, known)
        self._bump(path)

    def _start_episode(self, state: State) -> None:
        """The ``state:`` block: the snapback in force, the phase after ``past_strikes``."""
        if state.snapback:  # in force from step 0
            self.trigger_snapback(np.ones(self.n_worlds, dtype=bool), 0)
        self.strikes[:] = state.past_strikes
        if state.phase == "at_war":
            self.us_at_war[:] = state.us_took_part
            self.escalated[:] = state.escalated
            self.set_phase(self.alive, AT_WAR)
        elif state.phase == "ceasefire":
            self.set_phase(self.alive, CEASEFIRE)

    def _first_columns(self) -> dict[str, np.ndarray]:
        """The state version 1 reports at a world's end, by column name of ``worlds.parquet``."""
        cols = {
            "progress": self.progress,
            "pressure": self.iran.pressure,
            "us_hawk_share": self.us.hawk_share(),
            "snapback_step": self.snapback_step,
            "backing_step": self.backing_step,
            "collapse_step": self.collapse_step,
            "collapse_cause": self.collapse_cause,
            "offers": self.offers,
            "vetoes": self.vetoes,
            "walkout_threats": self.walkout_threats,
            "bog_step": self.bog_step,
        }
        cols |= {f"shock.{k}": v for k, v in self.shock_step.items()}
        cols |= {f"mediation.{k}": v for k, v in self.mediation_step.items()}
        cols |= {f"distance.{k}": v for k, v in self.distance_step.items()}
        return cols

    def _freeze(self, mask: np.ndarray) -> None:
        """Keep the version-1 columns of the worlds of ``mask`` as they are now (first strike)."""
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        for key, now in self._first_columns().items():
            kept = self._frozen.get(key)
            if kept is None:
                kept = self._frozen[key] = np.zeros_like(now)
            kept[idx] = now[idx]
        self._frozen_mask[idx] = True

    def first_view(self) -> dict[str, np.ndarray]:
        """Version 1's columns: each world's state at its first decisive event or the horizon.

        A world that went on after a strike reports the state it had when it was struck (as
        version 1, which ended it there); every other world its state now.
        """
        now = self._first_columns()
        if not self._frozen:
            return now
        mask = self._frozen_mask
        return {key: np.where(mask, self._frozen[key], value) for key, value in now.items()}

    def states(self) -> np.ndarray:
        """Each world's state now, by name (:data:`~sim.mechanisms.outcomes.STATES`)."""
        return np.array(STATES, dtype=object)[self.phase]

    def collapse(self, mask: np.ndarray, cause: str, step: int, actor: str = "") -> None:
        """Talks collapse in ``mask``: not terminal (strikes may follow); breakdown at horizon."""
        mask = mask & self.active & ~self.collapsed
        self.collapsed |= mask
        self.collapse_step[mask] = step
        self.collapse_cause[mask] = COLLAPSE_CAUSES.index(cause)
        self.set_phase(mask, TALKS_COLLAPSED)
        self.events.add(mask, step, "collapse", actor, cause)
        self._patrons_distance(mask, step)

    def _patrons_distance(self, collapsed: np.ndarray, step: int) -> None:
        """A patron may distance itself from Iran when the talks collapse (article A).

        With probability ``distance_probability`` it withdraws the share ``distance_cut`` of its
        support, and so of the lifeline and the relief that support gives (:meth:`support`).
        """
        for p in self.patrons:
            chance = p.param("distance_probability")
            if not collapsed.any() or not np.any(chance > 0):
                continue
            pid = p.actor_id
            leaves = collapsed & self.streams.bernoulli(f"distance:{pid}", step, chance)
            self.distance_step[pid][leaves] = step
            self.events.add(leaves, step, f"distance:{pid}", pid)
            kept = np.clip(1 - p.param("distance_cut"), 0.0, 1.0)
            self.support_kept[pid] = np.where(leaves, kept, self.support_kept[pid])

    def support(self, patron: Actor) -> np.ndarray:
        """A patron's support for Iran now: its parameter, less what distancing withdrew."""
        return patron.param("support") * self.support_kept[patron.actor_id]

    def trigger_snapback(self, mask: np.ndarray, step: int, actor: str = "") -> None:
        """The E3 trigger snapback: Iran's no-deal value drops and pressure grows faster."""
        mask = mask & self.active & (self.snapback_step < 0)
        if not mask.any():
            return
        self.snapback_step[mask] = step
        self.events.add(mask, step, "snapback", actor)
        cover = self._patron_sum("snapback_cover")
        for e3 in self.e3 or []:
            drop = snapback_drop(e3.param("no_deal_drop"), cover)
            self.iran.snap_drop = np.where(mask, self.iran.snap_drop + drop, self.iran.snap_drop)
            boost = e3.param("pressure_boost")
            self.iran.pressure_boost = np.where(
                mask, self.iran.pressure_boost + boost, self.iran.pressure_boost
            )

    # --- the step ------------------------------------------------------------------------------
    def step(self) -> None:
        """Advance every running world by one step (does nothing once all worlds have ended)."""
        t = self.step_index
        if t >= self.spec.horizon:
            return
        if self.recorder is not None:
            self.recorder.begin()
        self.wage_war(t)
        if self.active.any():
            self.interim_expiry(t)
            self.apply_shocks(t)
            self.domestic_politics(t)
            if t in self.session_steps:
                self.session(t)
            self.outside_options(t)
            self.deadlines_pass(t)
        self.step_index = t + 1
        if self.step_index >= self.spec.horizon:
            self.finish()
        self._record_step(t)

    def run(self) -> None:
        """Step until every world has ended or the horizon is reached."""
        while self.running:
            self.step()
        if self.step_index < self.spec.horizon:
            self.step_index = self.spec.horizon
            self.finish()

    def finish(self) -> None:
        """At the horizon every world stops; undecided ones end in breakdown or no resolution.

        A world without a decisive event whose talks have collapsed ends in a breakdown (at the
        collapse), the other undecided worlds in no resolution.
        """
        broken = self.undecided & self.collapsed
        self.outcome[broken] = BREAKDOWN
        self.end_step[broken] = self.collapse_step[broken]
        self.end(self.undecided, NO_RESOLUTION, self.spec.horizon)
        self.alive[:] = False
        self._active = self.alive.copy()
        every = np.ones(self.n_worlds, dtype=bool)
        self.events.add(every, self.spec.horizon, HORIZON, details=self.states())

    # --- phases --------------------------------------------------------------------------------
    def wage_war(self, t: int) -> None:
        """Worlds at war may reach a ceasefire; under a ceasefire talks may resume.

        Nothing else happens in a world at war (no bargaining, no growth of the programme or the
        pressure): a war step costs two draws. A ceasefire pauses the talks (no session) until
        they resume (docs/model.md, "Episodes").
        """
        if t < self.open_from:
            return  # the observed history records no ceasefire and no resumption
        paused = self.alive & (self.phase == CEASEFIRE)
        resumes: np.ndarray | None = None
        ceases: np.ndarray | None = None
        hazard: CeasefireHazard | None = None
        if paused.any():
            resumes = paused & self.streams.bernoulli(
                "resumption", t, self.params["war.resumption_hazard"]
            )
            self._talks_resume(resumes, t)
        war = self.alive & (self.phase == AT_WAR)
        if war.any():
            support = self._patron_relief()
            hazard = ceasefire_hazard(
                self.params["war.ceasefire_hazard"],
                self.params["war.us_ceasefire_boost"],
                self.params["war.patron_ceasefire_boost"],
                support,
                self.us_at_war,
                self.params["war.escalation_drag"],
                self.escalated,
            )
            ceases = war & self.streams.bernoulli("ceasefire", t, hazard.total())
            self._ceasefire(ceases, t)
        if self.recorder is not None and (resumes is not None or ceases is not None):
            self._record_war(hazard, ceases, resumes)

    def _record_war(
        self, hazard: CeasefireHazard | None, ceases: np.ndarray | None, resumes: np.ndarray | None
    ) -> None:
        """Hand the step's ceasefire and resumption draws to the recorder (recorded runs only)."""
        assert self.recorder is not None
        resumption = None if resumes is None else self.params["war.resumption_hazard"]
        self.recorder.war(WarStep(hazard, ceases, resumption, resumes))

    def _ceasefire(self, mask: np.ndarray, t: int) -> None:
        """A ceasefire in ``mask``: the war stops, the talks are paused, not collapsed.

        The sides stop fighting without a deal; no session is held until the talks resume. The
        strike decisions read a ceasefire as talks not (yet) failed: the collapse that may have
        preceded the strike was answered by it, and the table is cleared (no offer on it for
        Israel to fear). A second strike comes from the margins that act during talks: Powell's
        as the programme regrows, the striker's resolve (docs/model.md, "Episodes").
        """
        if not mask.any():
            return
        self.collapsed &= ~mask
        self._clear_table(mask)
        self.set_phase(mask, CEASEFIRE)
        self.events.add(mask, t, "ceasefire")

    def _clear_table(self, mask: np.ndarray) -> None:
        """No offer on the table in ``mask``: a fresh round of talks starts from nothing."""
        self.failed_sessions[mask] = 0
        self.last_gap[mask] = np.inf
        self.last_ratifiable[mask] = False

    def _talks_resume(self, mask: np.ndarray, t: int) -> None:
        """Talks resume under a ceasefire: a fresh round from the state the war left."""
        if not mask.any():
            return
        self._clear_table(mask)
        self.set_phase(mask, TALKS_ONGOING)
        mediator = self.mediators[0].actor_id if self.mediators else ""
        self.events.add(mask, t, "talks_resume", mediator)

    # --- interim deals (docs/model.md §3.4.27) -------------------------------------------------
    def _init_interim(self) -> None:
        """No interim deal yet, or one in force from step 0 (``state.interim_until``)."""
        spec = self.spec
        self._interims = interims_possible(spec)  # else every interim method returns at once
        self.interim_until = np.full(self.n_worlds, -1, dtype=np.int32)  # its expiry step
        weeks = spec.interim.duration_weeks if spec.interim is not None else 0
        self.interim_steps = duration_steps(weeks, spec.calendar.step_days)
        self._covered = np.array(
            [spec.interim is not None and i in spec.interim.covers for i in self.issue_ids]
        )
        until = spec.state.interim_until if spec.state is not None else None
        if until is not None:
            every = np.ones(self.n_worlds, dtype=bool)
            self._interim_starts(every, 0, spec.date_to_step(until), details="in_force_at_start")

    def _interim_starts(
        self, mask: np.ndarray, t: int, until: int, actor: str = "", details: str = ""
    ) -> None:
        """An interim deal in ``mask`` from step ``t``, expiring at step ``until``."""
        if not mask.any():
            return
        self.interim_until[mask] = until
        self.set_phase(mask, INTERIM_IN_FORCE)
        self.events.add(mask, t, "interim", actor, details)

    def _interim_talks(
        self,
        t: int,
        failed: np.ndarray,
        offer: np.ndarray,
        responder: PrincipalAgent,
    ) -> None:
        """After a failed session where the talks go on, the sides may conclude an interim deal.

        With ``interim.proposal_probability`` the session's offer, limited to the covered issues
        (:func:`~sim.mechanisms.interim.limited_package`), is put to both sides' ratification,
        the same vote as a comprehensive deal's (Putnam 1988, Tsebelis 2002); where both ratify
        it the interim deal is in force. None before the observed history ends.
        """
        if self.spec.interim is None or t < self.open_from:
            return
        proposer = self.us if responder is self.iran else self.iran
        open_talks = failed & ~self.collapsed & (self.phase == TALKS_ONGOING)
        if not open_talks.any():
            return
        p = self.params["interim.proposal_probability"]
        idx = np.flatnonzero(open_talks & self.streams.bernoulli("interim", t, p))
        if idx.size == 0:
            return
        package = limited_package(offer[idx], self.status_quo[idx], self._covered)
        ok = proposer.vote(package, idx).passed & responder.vote(package, idx).passed
        concluded = np.zeros(self.n_worlds, dtype=bool)
        concluded[idx[ok]] = True
        self._interim_starts(concluded, t, t + self.interim_steps, proposer.actor_id)

    def interim_expiry(self, t: int) -> None:
        """Interim deals expiring at ``t`` are renewed for another term or lapse.

        Renewal with ``interim.renewal_probability + interim.renewal_closeness · closeness``
        (:func:`~sim.mechanisms.interim.renewal`; no renewal without an ``interim`` block); a
        lapse puts the talks back to ``talks_ongoing`` and the programme grows again.
        """
        if not self._interims:
            return
        due = self.active & (self.phase == INTERIM_IN_FORCE) & (self.interim_until == t)
        if not due.any():
            return
        if self.spec.interim is None:
            renewed = np.zeros_like(due)
        else:
            p = renewal(
                self.params["interim.renewal_probability"],
                self.params["interim.renewal_closeness"],
                self.last_gap,
            ).total()
            renewed = due & self.streams.bernoulli("interim_renewal", t, p)
        self.interim_until[renewed] = t + self.interim_steps
        self.events.add(renewed, t, "interim_renewed")
        lapsed = due & ~renewed
        self.set_phase(lapsed, TALKS_ONGOING)
        self.events.add(lapsed, t, "interim_lapsed")

    def programme_growth(self) -> np.ndarray:
        """The programme's growth this step: frozen (0) where an interim deal is in force."""
        growth = self.params["programme.growth"]
        if not self._interims:
            return growth
        return frozen_growth(growth, self.phase == INTERIM_IN_FORCE)

    def apply_shocks(self, t: int) -> None:
        """Fire the shocks whose triggers hold (docs/model.md §3.4.21)."""
        for name, shock in self.spec.shocks.items():
            if t < self.open_from and name in self._forcing:
                continue  # the record shows no strike, walk-out or snapback before then
            fire = self.active & self._triggered(name, shock, t)
            if shock.once:
                fire &= self.shock_step[name] < 0
            if not fire.any():
                continue
            self.shock_step[name] = np.where(
                fire & (self.shock_step[name] < 0), t, self.shock_step[name]
            )
            self.events.add(fire, t, f"shock:{name}")
            if self.recorder is not None:
                self.recorder.shock(name, fire)
            for k, effect in enumerate(shock.effects):
                if isinstance(effect, SetParam):
                    value = self.params[f"shocks.{name}.effects.{k}.value"]
                    self.params[effect.path] = np.where(
                        fire,
                        apply_op(effect.op, self.params[effect.path], value),
                        self.params[effect.path],
                    )
                    known = self.known(effect.path)
                    self.public[effect.path] = np.where(
                        fire, apply_op(effect.op, known, value), known
                    )
                    self._bump(effect.path)
                else:
                    self._force(effect, fire, t, f"forced_by:shock:{name}")

    def _bump(self, path: str) -> None:
        """A shock changed ``path``: count a change of it and of every prefix of it."""
        parts = path.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            self.versions[prefix] = self.versions.get(prefix, 0) + 1

    def version(self, prefix: str) -> int:
        """How many shock changes have hit parameters under ``prefix`` (a dotted path or part).

        Caches key on the versions of what they read, so a shock to one actor's parameters
        leaves every other actor's caches valid (state-triggered shocks fire at many steps).
        """
        return self.versions.get(prefix, 0)

    def known(self, path: str) -> np.ndarray:
        """What the other actors know of a parameter in every world (N,).

        A world's draw is private: the others know the scenario's central value, changed by
        every shock that has hit the parameter since, as the shock changes the parameter itself
        (the shocks are public).
        """
        known = self.public.get(path)
        return np.full(self.n_worlds, self.central[path]) if known is None else known

    def _force(self, effect: ForceAction, mask: np.ndarray, t: int, details: str) -> None:
        if effect.action == "strike_israel":
            striker = self.israel[0].actor_id if self.israel else ""
            self._israeli_strike(mask, t, striker, details)
        elif effect.action == "strike_us":
            self.decisive(mask, STRIKE_US, t, self.us.actor_id, details)
        elif effect.action == "snapback":
            self.trigger_snapback(mask, t)
        else:
            self.collapse(mask, "walkout" if effect.action == "walkout" else "shock", t)

    def _triggered(self, name: str, shock: Shock, t: int) -> np.ndarray:
        trig = shock.trigger
        ok = np.ones(self.n_worlds, dtype=bool)

        def step_of(v: dt.date | int | None) -> int | None:
            if v is None:
                return None
            return self.spec.date_to_step(v) if isinstance(v, dt.date) else int(v)

        if not in_window(t, step_of(trig.at), step_of(trig.after), step_of(trig.until)):
            return ok & False
        if trig.when is not None:
            value = self.state_variable(trig.when.variable)
            bound = f"shocks.{name}.trigger.when"
            above = self.params[f"{bound}.above"] if trig.when.above is not None else None
            below = self.params[f"{bound}.below"] if trig.when.below is not None else None
            ok = condition_holds(value, above, below, ok)
        if trig.hazard is not None and ok.any():  # no draw where no world meets the rest
            ok &= self.streams.bernoulli(
                f"shock:{name}", t, self.params[f"shocks.{name}.trigger.hazard"]
            )
        return ok

    def state_variable(self, name: str) -> np.ndarray:
        """A state variable of every world, by the name shock conditions use."""
        return {
            "pressure": lambda: self.iran.pressure,
            "progress": lambda: self.progress,
            "us_hawk_share": self.us.hawk_share,
            "iran_hawk_share": self.iran.hawk_share,
            "failed_sessions": lambda: self.failed_sessions.astype(float),
            "snapback": lambda: (self.snapback_step >= 0).astype(float),
            "strikes": lambda: self.strikes.astype(float),
        }[name]()

    def _patron_relief(self) -> np.ndarray:
        """The patrons' summed support for Iran, capped at 0.95.

        The share of Iran's pressure growth they absorb, and the weight of their pressure for a
        ceasefire (:func:`sim.mechanisms.war.ceasefire_hazard`).
        """
        return np.clip(
            sum((self.support(p) for p in self.patrons), np.zeros(self.n_worlds)), 0, 0.95
        )

    def domestic_politics(self, t: int) -> None:
        """Level II: pressure, lobbying, clout and stances (docs/model.md §3.4.2, §3.4.3)."""
        relief = self._patron_relief()
        self.lifeline, self.threat = self._patron_lift(), self._snapback_threat(t)
        shift = self.lifeline - self.threat
        self.iran.outside_shift = np.where(self.active, shift, self.iran.outside_shift)
        for p in self.principals.values():
            p.update_domestic(
                self.active, t == 0, relief if p is self.iran else np.zeros(self.n_worlds)
            )
        if t == 0 and self.spec.state is not None and self.spec.state.red_lines_known:
            self.us.learn_red_lines(self.iran, self.active)  # known from earlier rounds
            self.iran.learn_red_lines(self.us, self.active)

    def session(self, t: int) -> None:
        """Level I: a session in worlds whose talks are still on (docs/model.md §3.4.5–3.4.13)."""
        live = self.talking
        if not live.any():
            return
        proposer, responder = self._session_sides(t)
        self._bog_down(live, t)
        idx = np.flatnonzero(live)
        path, offer_live, accepted_live = self._table_offer(t, proposer, responder, idx)
        accepted = np.zeros(self.n_worlds, dtype=bool)
        accepted[idx] = accepted_live
        offer = self.status_quo.copy()
        offer[idx] = offer_live
        gap = np.full(self.n_worlds, np.inf)
        gap[idx] = np.maximum(0.0, path.responder.reservation - path.u_responder(offer_live))
        # The sides vote where it can matter: on an accepted offer (a deal or a veto), or on one
        # close enough for Israel to fear it locks in (``last_ratifiable``: closeness is 0 from a
        # gap of CLOSENESS_SCALE on). A vote elsewhere changes nothing; a recorded run votes always.
        voting = (
            idx
            if self.recorder is not None
            else np.flatnonzero(live & (accepted | (gap < CLOSENESS_SCALE)))
        )
        votes = proposer.vote(offer[voting], voting), responder.vote(offer[voting], voting)
        (ok_p, veto_p), (ok_r, veto_r) = (
            (_spread(self.n_worlds, voting, v.passed), _spread(self.n_worlds, voting, v.veto))
            for v in votes
        )
        # Before the end of the observed history the record shows no agreement and no collapse.
        open_now = t >= self.open_from
        deal = live & accepted & ok_p & ok_r & open_now
        # A red-line veto reveals the vetoing side's red lines to the other side, and so does a
        # rejection of an offer that crosses them (the responder says why it refuses).
        held = responder.binding_red_lines()
        refused = any_last((offer < held.lower) | (offer > held.upper))
        proposer.learn_red_lines(responder, live & ((accepted & veto_r) | (~accepted & refused)))
        responder.learn_red_lines(proposer, live & accepted & veto_p)
        self.vetoes += (live & accepted & ~(ok_p & ok_r)).astype(np.int32)
        self.offers += live.astype(np.int32)
        self.last_offer = where_rows(live, offer, self.last_offer)
        self._remember_offer(proposer, live & ~self._mediated, offer)
        self.last_gap = np.where(live, gap, self.last_gap)
        self.last_ratifiable = np.where(live, ok_p & ok_r, self.last_ratifiable)
        self.terms = where_rows(deal & self.active & self.undecided, offer, self.terms)
        self.decisive(deal, DEAL, t, proposer.actor_id)
        self.failed_sessions = np.where(
            live, np.where(deal, 0, self.failed_sessions + 1), self.failed_sessions
        )
        failed = live & ~deal
        walk, walked, ends = self._failed_session(t, failed, accepted, offer, responder)
        if self.recorder is not None:
            n = self.n_worlds
            p_side, r_side = (
                self._side_at_session(t, side, role, offer, _spread_vote(n, voting, vote))
                for side, role, vote in zip(
                    (proposer, responder), ("proposer", "responder"), votes, strict=True
                )
            )
            event = SessionEvent(p_side, r_side, offer, live, accepted, deal, walk, walked, ends)
            self.recorder.session(event)

    def _bog_down(self, live: np.ndarray, t: int) -> None:
        """Record where the talks first bog down: ``protocol.bog_down_sessions`` failed in a row."""
        bogged = live & (self.failed_sessions >= self.spec.protocol.bog_down_sessions)
        first = bogged & (self.bog_step < 0)
        self.events.add(first, t, "bog_down")
        self.bog_step = np.where(first, t, self.bog_step)

    def _remember_offer(
        self, proposer: PrincipalAgent, mask: np.ndarray, offer: np.ndarray
    ) -> None:
        """Keep the proposer's offer where it tabled its own (not a patron's compromise)."""
        mine = self.own_offers[proposer.actor_id]
        moved = np.stack([offer, mine[:, 0]], axis=1)
        self.own_offers[proposer.actor_id] = where_rows(mask, moved, mine)

    def _session_sides(self, t: int) -> tuple[PrincipalAgent, PrincipalAgent]:
        """The proposer and the responder of the session at step ``t``: the sides alternate.

        The proposer is set by the session's place in the schedule (the first mover at the
        first, third, ... scheduled session), not by how many sessions the block has held: a
        world's talks paused by a war resume with the proposer the calendar gives, the same
        whether the world runs alone or in a block whose other worlds held sessions meanwhile.
        """
        first = self.spec.first_mover()
        other = next(pid for pid in self.spec.side_ids() if pid != first)
        proposer_id = first if self._session_index[t] % 2 == 0 else other
        responder_id = other if proposer_id == first else first
        return self.principals[proposer_id], self.principals[responder_id]

    def _table_offer(
        self, t: int, proposer: PrincipalAgent, responder: PrincipalAgent, idx: np.ndarray
    ) -> tuple[Path, np.ndarray, np.ndarray]:
        """The offer tabled in the live worlds ``idx`` and whether the responder accepts it.

        The proposal rule's offer within the bounds the proposer knows (a mediator's within
        both sides'), or a patron's compromise. Returns the live worlds' path, the offer (n, D)
        and the acceptance (n,).
        """
        full = Path(proposer.side(), responder.side(), self.scale)
        path = full.take(idx)
        clock = take(self._clock(t, proposer, responder, full.responder.public_reservation), idx)
        # A proposer respects the bounds it knows, its own red lines and those the responder has
        # revealed (a mediator both sides'): its path stays within them, so along it neither its
        # own red lines nor the responder's known ones are ever crossed, and its model of the
        # responder needs no red lines of its own (the unknown ones it cannot count).
        mediator = self.rule.name == "nash_mediator"
        lo, hi = self._mediator_bounds() if mediator else proposer.own_bounds()
        believed = Path(
            replace(path.proposer, red_lower=None, red_upper=None),
            replace(path.responder, red_lower=None, red_upper=None),
            self.scale,
        ).within(lo[idx], hi[idx])
        offer_live = np.clip(self.rule.offer(believed, clock), lo[idx], hi[idx])
        offer_live = self._patron_mediation(t, believed, offer_live, idx)
        if self._mediated.any():
            both_lo, both_hi = self._mediator_bounds()
            offer_live = np.where(
                self._mediated[idx, None],
                np.clip(offer_live, both_lo[idx], both_hi[idx]),
                offer_live,
            )
        return path, offer_live, self.rule.accepts(path, offer_live, clock)

    def _failed_session(
        self,
        t: int,
        failed: np.ndarray,
        accepted: np.ndarray,
        offer: np.ndarray,
        responder: PrincipalAgent,
    ) -> tuple[Walkout, np.ndarray, np.ndarray]:
        """After a failed session: a walk-out, a rejection, the mediator; maybe an interim deal.

        Where the talks go on, the sides may conclude an interim deal (:meth:`_interim_talks`).
        Returns the walk-out decision, where the responder walked out and where the rejection
        ended the talks.
        """
        open_now = t >= self.open_from
        walk = responder.walkout(offer)
        self.walkout_threats += (failed & (walk.probability > 0.5)).astype(np.int32)
        walked = (
            failed
            & open_now
            & self.streams.bernoulli(f"walkout:{responder.actor_id}", t, walk.probability)
        )
        self.collapse(walked, "walkout", t, responder.actor_id)
        q = (
            np.ones(self.n_worlds)
            if self.rule.reject_ends_talks
            else self.params["protocol.breakdown_risk"]
        )
        ends = failed & ~accepted & open_now & self.streams.bernoulli("rejection", t, q)
        self.collapse(ends, "rejection", t)
        for m in self.mediators:
            quits = (
                failed
                & open_now
                & self.streams.bernoulli(
                    f"give_up:{m.actor_id}", t, m.give_up_probability(self.failed_sessions)
                )
            )
            self.collapse(quits, "mediator", t, m.actor_id)
        self._interim_talks(t, failed, offer, responder)
        return walk, walked, ends

    def _side_at_session(
        self, t: int, side: PrincipalAgent, role: str, offer: np.ndarray, vote: Ratification
    ) -> SideAtSession:
        """What an offer was worth to a side, its vote and its red lines (recorded runs only)."""
        deadline = self.deadline_now[side.actor_id]
        reservation = side.reservation()
        lower, upper = side.red_line_bounds()
        return SideAtSession(
            actor_id=side.actor_id,
            role=role,
            utility=side.utility(offer),
            reservation=reservation,
            aspiration=aspiration(
                t,
                deadline,
                reservation,
                side.param("concession_beta"),
                side.param("patience_half_life"),
            ),
            vote=vote,
            quota=side.param("quota"),
            override_threshold=side.param("override_threshold"),
            red_lower=lower,
            red_upper=upper,
            binding=side.binding_red_lines(),
        )

    def _clock(
        self,
        t: int,
        proposer: PrincipalAgent,
        responder: PrincipalAgent,
        public_reservation: np.ndarray,
    ) -> SessionClock:
        later = self._sessions_ahead(t, proposer, responder)
        future = []
        prev = t
        for j, s in enumerate(later, start=1):
            future.append((s - prev, j % 2 == 0))
            prev = s
        width = responder.param("belief_halfwidth")
        noise = (2 * self.streams.uniform(f"belief:{proposer.actor_id}") - 1) * width
        return SessionClock(
            step=t,
            proposer_deadline=self.deadline_now[proposer.actor_id],
            responder_deadline=self.deadline_now[responder.actor_id],
            proposer_beta=proposer.param("concession_beta"),
            responder_beta=responder.param("concession_beta"),
            proposer_half_life=proposer.param("patience_half_life"),
            responder_half_life=responder.param("patience_half_life"),
            breakdown_risk=self.params["protocol.breakdown_risk"],
            believed_reservation=public_reservation + noise,
            future=tuple(future),
            proposer_offers=self.own_offers[proposer.actor_id],
            responder_offers=self.own_offers[responder.actor_id],
        )

    def _sessions_ahead(
        self, t: int, proposer: PrincipalAgent, responder: PrincipalAgent
    ) -> list[int]:
        """The later sessions a proposal rule looks ahead to; never cut by the horizon.

        Where every world has a side with a current deadline, they end at the latest such
        deadline. Elsewhere they end once a session's weight, the per-session factor ``δ·(1 − q)``
        (largest discount, smallest breakdown risk) raised to the sessions ahead, falls below
        ``LOOKAHEAD_WEIGHT`` (at most ``LOOKAHEAD_SESSIONS``): past it no later session moves an
        offer; and not before the latest deadline of any world (deadlines move: §3.4.28).
        """
        proto = self.spec.protocol
        latest, everywhere = self._deadline_ends
        if proto.session_dates:
            steps = sorted({self.spec.date_to_step(d) for d in proto.session_dates})
            end = latest if everywhere else math.inf
            return [s for s in steps if t < s < end]
        if everywhere:
            return list(range(t + proto.session_every, int(latest), proto.session_every))
        delta = max(
            float(proposer.param("discount").max()), float(responder.param("discount").max())
        )
        keep = delta * (1 - float(self.params["protocol.breakdown_risk"].min()))
        n = LOOKAHEAD_SESSIONS
        if keep < 1:
            n = min(n, max(1, math.ceil(math.log(LOOKAHEAD_WEIGHT) / math.log(keep))))
        if math.isfinite(latest):  # some worlds still have a deadline: look ahead to it
            n = max(n, math.ceil((latest - t) / proto.session_every) - 1)
        return [t + k * proto.session_every for k in range(1, n + 1)]

    def _mediator_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds a mediator respects: what both sides would refuse to cross, (N, D) each."""
        us_lo, us_hi = self.us.own_bounds()
        iran_lo, iran_hi = self.iran.own_bounds()
        return np.maximum(us_lo, iran_lo), np.minimum(us_hi, iran_hi)

    def _patron_mediation(
        self, t: int, path: Path, offer: np.ndarray, idx: np.ndarray
    ) -> np.ndarray:
        """A patron may table the Nash compromise instead of the offer (docs/model.md §3.4.14).

        ``path`` and ``offer`` are restricted to the live worlds ``idx``.
        """
        self._mediated = np.zeros(self.n_worlds, dtype=bool)
        if not self.patrons or self.rule.name == "nash_mediator":
            return offer
        mediates = self._mediates(t)
        chosen = np.flatnonzero(mediates[idx])
        self._mediated[idx[chosen]] = True
        if chosen.size == 0:
            return offer
        sub = path.take(chosen)
        nash = sub.package(NashMediator().propose(sub, None))  # type: ignore[arg-type]
        offer = offer.copy()
        offer[chosen] = nash
        return offer

    def _mediates(self, t: int) -> np.ndarray:
        """Where a patron tables this session's offer: only once the talks have bogged down.

        The talks bog down after ``protocol.bog_down_sessions`` failed sessions in a row. A
        patron mediates in a world when its fixed uniform draw lies below ``mediation_entry``
        (so a shock raising it brings the patron in at once), then tables a compromise at a
        session with probability ``mediation_rate``. Records each patron's first proposal.
        """
        bogged = self.talking & (self.bog_step >= 0)
        mediates = np.zeros(self.n_worlds, dtype=bool)
        for p in self.patrons:
            pid = p.actor_id
            entered = self.streams.uniform(f"mediation_entry:{pid}") < p.param("mediation_entry")
            rate = p.param("mediation_rate")
            tables = bogged & entered & self.streams.bernoulli(f"mediation:{pid}", t, rate)
            first = tables & (self.mediation_step[pid] < 0)
            self.mediation_step[pid] = np.where(first, t, self.mediation_step[pid])
            self.events.add(first, t, f"mediation:{pid}", pid)
            mediates |= tables
        return mediates

    def outside_options(self, t: int) -> None:
        """Nuclear progress, strikes and snapback (docs/model.md §3.4.15–3.4.18)."""
        active = self.active
        # Within the observed history no one strikes and the E3 do not trigger snapback.
        may_act = active if t >= self.open_from else np.zeros_like(active)
        growth = self._growth(t, may_act)
        self.progress = np.where(active, np.clip(self.progress + growth, 0, 1), self.progress)
        failed = self.collapsed | (self.ultimatum_step is not None and t >= self.ultimatum_step)
        self._us_backs(t, may_act, failed)
        self._israel_decides(t, may_act, growth)
        us = self.us.strike(failed & may_act & self.active)
        us_strikes = self.streams.bernoulli("strike:us", t, us.probability)
        struck = self.decisive(us_strikes, STRIKE_US, t, self.us.actor_id)
        if self.recorder is not None:
            self.recorder.us_strike(UsStrikeEvent(us, failed & may_act, struck))
        for e3 in self.e3:
            p_snap = e3.probability(t)
            snaps = (
                may_act & self.active & self.streams.bernoulli(f"snapback:{e3.actor_id}", t, p_snap)
            )
            self.trigger_snapback(snaps, t, e3.actor_id)
            if self.recorder is not None:
                self.recorder.snapback(SnapbackEvent(e3.actor_id, p_snap, snaps))

    def _growth(self, t: int, may_act: np.ndarray) -> np.ndarray:
        """The programme's growth this step: frozen by an interim, after Iran's escalation (3.4.29).

        Where provoked (talks bogged down or collapsed, the snapback in force, a strike
        suffered) Iran escalates with ``programme.escalation_hazard`` times its hawks' clout
        share (:func:`sim.mechanisms.escalation.escalation`); an escalated programme grows
        ``programme.escalation_factor`` times faster. No draw where the hazard is 0 everywhere.
        """
        growth = self.programme_growth()
        hazard = self.params["programme.escalation_hazard"]
        if not hazard.any():
            return growth
        flags = (self.bog_step >= 0, self.collapsed, self.snapback_step >= 0, self.strikes > 0)
        provoked = may_act & np.logical_or.reduce(flags)
        move = escalation(hazard, self.iran.hawk_share(), provoked, self.programme_escalated)
        escalates = provoked & self.streams.bernoulli("escalation", t, move.probability)
        if escalates.any():
            self.programme_escalated |= escalates
            self.escalation_step[escalates] = t
            reason, iran = provocation(flags), self.iran.actor_id
            for k, name in enumerate(PROVOCATIONS):
                self.events.add(escalates & (reason == k), t, "escalation", iran, name)
        factor = self.params["programme.escalation_factor"]
        return escalated_growth(growth, factor, self.programme_escalated)

    def _us_backs(self, t: int, may_act: np.ndarray, failed: np.ndarray) -> None:
        """Washington decides whether to give Israel a green light (docs/model.md 3.4.16).

        A decision of its own, before Israel's: the hazard (higher once talks have failed)
        times the hawks' clout share, which Israel's lobbying grows. Once given it stays.
        """
        if not self.israel:
            return
        backing = self.us.backing(failed, self.backed)
        backs = may_act & self.active & self.streams.bernoulli("backing:us", t, backing.probability)
        self.backed |= backs
        self.backing_step[backs] = t
        self.events.add(backs, t, "backing", self.us.actor_id)
        if self.recorder is not None:
            self.recorder.backing(BackingEvent(backing, failed & may_act, backs, self.backed))

    def _israeli_strike(
        self, strikes: np.ndarray, t: int, striker: str, details: str = ""
    ) -> np.ndarray:
        """Israel (the striker) strikes in ``strikes``; the US joins where it has backed Israel.

        Where Washington has backed Israel it joins with its join probability (the outcome is
        then ``strike_joint``). Returns where it joined.
        """
        joins = (
            strikes
            & self.backed
            & self.streams.bernoulli("join:us", t, self.us.param("join_probability"))
        )
        self.joint |= joins & self.active & self.undecided
        self.decisive(joins, STRIKE_JOINT, t, striker, details)
        self.decisive(strikes, STRIKE_ISRAEL, t, striker, details)
        return joins

    def _israel_decides(self, t: int, may_act: np.ndarray, growth: np.ndarray) -> None:
        """Each striker weighs its margin (Powell's logic and more); the US may join a strike."""
        restraint = sum(
            (c.param("strike_restraint") for c in self.counterweights), np.zeros(self.n_worlds)
        )
        for israel in self.israel:
            fear = self._lock_in(israel)
            parts = israel.margin(
                self.progress, growth, self.backed, fear, self.collapsed, restraint
            )
            margin = parts.total()
            p_strike = israel.strike_probability(margin)
            strikes = may_act & self.streams.bernoulli(f"strike:{israel.actor_id}", t, p_strike)
            joins = self._israeli_strike(strikes, t, israel.actor_id)
            if self.recorder is not None:
                event = StrikeEvent(israel.actor_id, parts, margin, fear, p_strike, strikes, joins)
                self.recorder.strike(event)

    def _lock_in(self, israel: StrikerAgent) -> np.ndarray:
        """Israel's fear of a deal it dislikes (:func:`sim.mechanisms.strike.lock_in`)."""
        if not israel.has_position():
            return np.zeros(self.n_worlds)
        seen = ~np.isnan(self.last_offer[:, 0])
        offer = where_rows(seen, self.last_offer, self.status_quo)
        return lock_in(israel.utility(offer), self.last_gap, self.last_ratifiable, self.collapsed)

    def _record_step(self, t: int) -> None:
        """Close the step's record with the worlds' state at its end (recorded runs only)."""
        if self.recorder is None:
            return
        world = WorldState(
            progress=self.progress,
            outcome=self.outcome,
            end_step=self.end_step,
            collapsed=self.collapsed,
            collapse_cause=self.collapse_cause,
            last_offer=self.last_offer,
            lifeline=self.lifeline,
            snapback_threat=self.threat,
            phase=self.phase,
        )
        principals = {pid: p.state() for pid, p in self.principals.items()}
        self.recorder.end(t, principals, world)

    # --- deadlines that move (docs/model.md §3.4.28) -------------------------------------------
    def _init_deadlines(self) -> None:
        """Each side's listed deadlines, and every world's current one: the first listed."""
        n = self.n_worlds
        self.deadline_lists: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.deadline_now: dict[str, np.ndarray] = {}  # the current deadline's step (inf: none)
        self.deadline_kind: dict[str, np.ndarray] = {}  # its ``at``: a code of AT_KINDS
        for pid, side in self.principals.items():
            listed = side.spec.deadline_list()
            steps = np.array([self.spec.date_to_step(d.date) for d in listed], dtype=float)
            kinds = np.array([AT_KINDS.index(d.at) for d in listed], dtype=np.int8)
            self.deadline_lists[pid] = (steps, kinds)
            self.deadline_now[pid] = np.full(n, steps[0] if len(steps) else np.inf)
            self.deadline_kind[pid] = np.full(n, kinds[0] if len(kinds) else NONE, dtype=np.int8)
        self._deadlines_changed()

    def _deadlines_changed(self) -> None:
        """Refresh what the step and the look-ahead read of the worlds' current deadlines.

        ``_deadline_due``: the earliest current deadline still to be decided (not ``final``), so
        a step before it costs one comparison; ``_deadline_ends``: the latest finite current
        deadline and whether every world has one on some side (:meth:`_sessions_ahead`).
        """
        nows = list(self.deadline_now.values())
        pending = [now[self.deadline_kind[pid] > FINAL] for pid, now in self.deadline_now.items()]
        self._deadline_due = min((float(p.min()) for p in pending if p.size), default=math.inf)
        finite = [now[np.isfinite(now)] for now in nows]
        latest = max((float(f.max()) for f in finite if f.size), default=math.inf)
        everywhere = bool(np.logical_or.reduce([np.isfinite(now) for now in nows]).all())
        self._deadline_ends = (latest, everywhere and math.isfinite(latest))

    def deadlines_pass(self, t: int) -> None:
        """Deadlines that pass at ``t`` without a deal: extended, walked out of or let pass.

        Only worlds not ended by a deal decide; where the talks are off (collapsed, at war,
        paused by a ceasefire) the deadline passes without a decision or an event.
        """
        if t < self._deadline_due:
            return
        for pid in self.principals:
            due = self.alive & (self.deadline_now[pid] <= t) & (self.deadline_kind[pid] > FINAL)
            if due.any():
                self._deadline_decided(t, pid, due)
        self._deadlines_changed()

    def _deadline_decided(self, t: int, pid: str, due: np.ndarray) -> None:
        """The sides' choice where ``pid``'s deadline passes (``due``): its events and effects.

        An extension moves the deadline ``extension_weeks`` later, at most to the side's next
        listed one (:func:`~sim.mechanisms.deadlines.extended`); a walk-out collapses the talks
        (cause ``deadline``; not before the end of the observed history, where the deadline
        passes instead); a deadline let pass gives way to the side's next listed one, or to none
        (its aspiration then follows its patience).
        """
        rule = "protocol.deadline_decision."
        decided = deadline_choice(
            self.last_gap,
            self.last_ratifiable,
            *(self.params[rule + k] for k in ("extend_probability", "walkout_probability")),
            *(self.params[rule + k] for k in ("closeness_weight", "ratifiable_weight")),
        )
        choice = fixed_choice(self.deadline_kind[pid], decided)
        drawn = choice.draw(self.streams.uniform(f"deadline:{pid}", t))
        talks = due & self.talking
        extend = talks & (drawn == EXTEND)
        walk = talks & (drawn == WALKOUT) & (t >= self.open_from)
        length = extension_steps(
            self.params[rule + "extension_weeks"], self.spec.calendar.step_days
        )
        moved, kind = extended(t, length, *self.deadline_lists[pid])
        self.events.add(extend, t, "deadline_extended", pid, self._step_dates(extend, moved))
        self.events.add(walk, t, "deadline_walkout", pid, str(self.date(t)))
        self.collapse(walk, "deadline", t, pid)
        self.events.add(talks & ~extend & ~walk, t, "deadline_passed", pid, str(self.date(t)))
        self.deadline_now[pid] = np.where(extend, moved, self.deadline_now[pid])
        self.deadline_kind[pid] = np.where(extend, kind, self.deadline_kind[pid]).astype(np.int8)
        self._next_listed(pid, due & ~extend, t)

    def _next_listed(self, pid: str, mask: np.ndarray, t: int) -> None:
        """In ``mask`` the side's current deadline becomes its first listed one after ``t``."""
        steps, kinds = self.deadline_lists[pid]
        pos = int(next_deadline(steps, np.array([t]))[0])
        step, kind = (steps[pos], kinds[pos]) if pos < len(steps) else (np.inf, NONE)
        self.deadline_now[pid] = np.where(mask, step, self.deadline_now[pid])
        self.deadline_kind[pid] = np.where(mask, kind, self.deadline_kind[pid]).astype(np.int8)

    def _step_dates(self, mask: np.ndarray, steps: np.ndarray) -> np.ndarray:
        """The dates of ``steps`` as texts in the worlds of ``mask`` (event details)."""
        out = np.full(self.n_worlds, "", dtype=object)
        if mask.any():
            values, inverse = np.unique(steps[mask], return_inverse=True)
            out[mask] = np.array([str(self.date(int(v))) for v in values], dtype=object)[inverse]
        return out


def _spread(n: int, idx: np.ndarray, part: np.ndarray) -> np.ndarray:
    """Values of the worlds ``idx`` (..., n_idx) over all ``n`` worlds (False or NaN elsewhere)."""
    out = np.full((*part.shape[:-1], n), np.nan if part.dtype.kind == "f" else 0, part.dtype)
    out[..., idx] = part
    return out


def _spread_vote(n: int, idx: np.ndarray, vote: Ratification) -> Ratification:
    """A ratification vote of the worlds ``idx`` over all worlds."""
    return Ratification(*(_spread(n, idx, part) for part in vote))
