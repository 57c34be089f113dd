"""The Mesa model: N worlds stepped in lockstep (MODEL.md sections 2, 8, 9 and 10).

A step runs, in order: shocks; domestic politics (pressure, lobbying, clout, stances); the
session, on session steps (proposal, response, ratification, walk-out, mediator); outside options
(nuclear progress, Israel's strike decision, the US decision, the E3 snapback); termination.
Every state update is masked by the worlds still running, so an ended world never changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

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
from sim.engine.world import World
from sim.mechanisms.bargaining import Path, aspiration, take
from sim.mechanisms.outcomes import (
    BREAKDOWN,
    DEAL,
    NO_RESOLUTION,
    RUNNING,
    STRIKE_ISRAEL,
    STRIKE_US,
)
from sim.mechanisms.rng import WorldStreams
from sim.mechanisms.rules import PROPOSAL_RULES, NashMediator, SessionClock
from sim.scenario.draws import draw_parameters
from sim.scenario.params import ParamSpec
from sim.scenario.schema import (
    Faction,
    ForceAction,
    Principal,
    Scenario,
    SetParam,
    Shock,
    parameter_paths,
)

CLOSENESS_SCALE = 0.2
"""Utility gap below which the last offer counts as nearly agreed (Israel's lock-in fear)."""

COLLAPSE_CAUSES = ("", "walkout", "mediator", "rejection", "shock")


@dataclass
class SessionRecord:
    """What happened at the last session, per world (for traces and explanations)."""

    step: int
    proposer: str
    offer: np.ndarray
    accepted: np.ndarray
    ratified: dict[str, np.ndarray]
    deal: np.ndarray


def apply_op(op: str, old: np.ndarray, value: np.ndarray) -> np.ndarray:
    """A parameter after a shock's ``set``, ``add`` or ``scale`` effect (MODEL.md section 9)."""
    if op == "set":
        return value
    if op == "add":
        return old + value
    return old * value


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
            record: keep a per-step trace of stances, offers and events (for explanations).
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
        self.params_version = 0  # bumped whenever a shock changes a parameter
        self.public: dict[str, np.ndarray] = {}  # what others know of shocked parameters
        self.span = np.array([i.hi - i.lo for i in spec.issues.values()])
        self._status_quo: tuple[int, np.ndarray] | None = None
        self._create_agents()
        self._init_state()
        self.rule = PROPOSAL_RULES[spec.protocol.proposal_rule]()
        self.session_steps = self._session_steps()
        self.deadline_step = {
            p.actor_id: spec.date_to_step(p.spec.deadline) if p.spec.deadline else spec.horizon
            for p in self.principals.values()
        }
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
        self.session_count = 0
        self.record = record
        self.trace: list[dict[str, Any]] = []
        self._notes: dict[str, Any] = {}
        self.last_session: SessionRecord | None = None

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
        self.us, self.iran = self.principals["us"], self.principals["iran"]
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
        self.collapsed = np.zeros(n, dtype=bool)
        self.collapse_step = np.full(n, -1, dtype=np.int32)
        self.collapse_cause = np.zeros(n, dtype=np.int8)
        self.snapback_step = np.full(n, -1, dtype=np.int32)
        self.failed_sessions = np.zeros(n, dtype=np.int32)
        self.offers = np.zeros(n, dtype=np.int32)
        self.vetoes = np.zeros(n, dtype=np.int32)
        self.walkout_threats = np.zeros(n, dtype=np.int32)
        self.last_offer = np.full((n, d), np.nan)
        self.last_gap = np.full(n, np.inf)
        self._mediated = np.zeros(n, dtype=bool)  # a patron tabled this session's offer
        self.shock_step = {name: np.full(n, -1, dtype=np.int32) for name in self.spec.shocks}

    def _session_steps(self) -> list[int]:
        proto, horizon = self.spec.protocol, self.spec.horizon
        if proto.session_dates:
            steps = {self.spec.date_to_step(d) for d in proto.session_dates}
            return sorted(s for s in steps if 0 <= s < horizon)
        return list(range(0, horizon, proto.session_every))

    # --- helpers -------------------------------------------------------------------------------
    @property
    def status_quo(self) -> np.ndarray:
        """The status-quo package (N, D), following shocks to ``issues.<d>.status_quo``."""
        if self._status_quo is None or self._status_quo[0] != self.params_version:
            value = np.stack(
                [self.params[f"issues.{i}.status_quo"] for i in self.issue_ids], axis=1
            )
            self._status_quo = (self.params_version, value)
        return self._status_quo[1]

    @property
    def active(self) -> np.ndarray:
        """Worlds still running (not ended by a deal, a strike or the horizon)."""
        return self.outcome == RUNNING

    @property
    def running(self) -> bool:
        """Whether any world is still running and the horizon is not reached."""
        return bool(self.step_index < self.spec.horizon and self.active.any())

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
        return total * np.clip(1 - damping, 0, 1)

    def _patron_sum(self, name: str) -> np.ndarray:
        total = sum((p.param(name) for p in self.patrons), np.zeros(self.n_worlds))
        return np.clip(total, 0.0, 0.95)

    def end(self, mask: np.ndarray, outcome: int, step: int) -> None:
        """End the worlds in ``mask`` with ``outcome`` at ``step`` (only worlds still running)."""
        mask = mask & self.active
        self.outcome[mask] = outcome
        self.end_step[mask] = step

    def collapse(self, mask: np.ndarray, cause: str, step: int) -> None:
        """Talks collapse in ``mask``: not terminal (strikes may follow); breakdown at horizon."""
        mask = mask & self.active & ~self.collapsed
        self.collapsed |= mask
        self.collapse_step[mask] = step
        self.collapse_cause[mask] = COLLAPSE_CAUSES.index(cause)

    def trigger_snapback(self, mask: np.ndarray, step: int) -> None:
        """The E3 trigger snapback: Iran's no-deal value drops and pressure grows faster."""
        mask = mask & self.active & (self.snapback_step < 0)
        if not mask.any():
            return
        self.snapback_step[mask] = step
        cover = self._patron_sum("snapback_cover")
        for e3 in self.e3 or []:
            drop = e3.param("no_deal_drop") * (1 - cover)
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
        self._notes = {"step": t}
        if self.active.any():
            self.apply_shocks(t)
            self.domestic_politics(t)
            if t in self.session_steps:
                self.session(t)
            self.outside_options(t)
        self.step_index = t + 1
        if self.step_index >= self.spec.horizon:
            self.finish()
        if self.record:
            self._record(t)

    def run(self) -> None:
        """Step until every world has ended or the horizon is reached."""
        while self.running:
            self.step()
        if self.step_index < self.spec.horizon:
            self.step_index = self.spec.horizon
            self.finish()

    def finish(self) -> None:
        """At the horizon: collapsed talks are a breakdown, the rest no resolution."""
        broken = self.active & self.collapsed
        self.outcome[broken] = BREAKDOWN
        self.end_step[broken] = self.collapse_step[broken]
        self.end(self.active, NO_RESOLUTION, self.spec.horizon)

    # --- phases --------------------------------------------------------------------------------
    def apply_shocks(self, t: int) -> None:
        """Fire the shocks whose triggers hold (MODEL.md section 9)."""
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
            self.note(**{f"shock:{name}": fire})
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
                    self.params_version += 1
                else:
                    self._force(effect, fire, t)

    def known(self, path: str) -> np.ndarray:
        """What the other actors know of a parameter in every world (N,).

        A world's draw is private: the others know the scenario's central value, changed by
        every shock that has hit the parameter since, as the shock changes the parameter itself
        (the shocks are public).
        """
        known = self.public.get(path)
        return np.full(self.n_worlds, self.central[path]) if known is None else known

    def _force(self, effect: ForceAction, mask: np.ndarray, t: int) -> None:
        if effect.action == "strike_israel":
            self.end(mask, STRIKE_ISRAEL, t)
        elif effect.action == "strike_us":
            self.end(mask, STRIKE_US, t)
        elif effect.action == "snapback":
            self.trigger_snapback(mask, t)
        else:
            self.collapse(mask, "walkout" if effect.action == "walkout" else "shock", t)

    def _triggered(self, name: str, shock: Shock, t: int) -> np.ndarray:
        trig = shock.trigger
        ok = np.ones(self.n_worlds, dtype=bool)

        def step_of(v: dt.date | int) -> int:
            return self.spec.date_to_step(v) if isinstance(v, dt.date) else int(v)

        if trig.at is not None and t != step_of(trig.at):
            return ok & False
        if trig.after is not None and t < step_of(trig.after):
            return ok & False
        if trig.until is not None and t > step_of(trig.until):
            return ok & False
        if trig.when is not None:
            value = self.state_variable(trig.when.variable)
            if trig.when.above is not None:
                ok &= value >= trig.when.above
            if trig.when.below is not None:
                ok &= value <= trig.when.below
        if trig.hazard is not None:
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
        }[name]()

    def domestic_politics(self, t: int) -> None:
        """Level II: pressure, lobbying, clout and stances (MODEL.md section 6)."""
        relief = self._patron_sum("support")
        for p in self.principals.values():
            p.update_domestic(
                self.active, t == 0, relief if p is self.iran else np.zeros(self.n_worlds)
            )

    def session(self, t: int) -> None:
        """Level I: one round of the protocol in worlds whose talks are still on (MODEL.md 7)."""
        live = self.active & ~self.collapsed
        if not live.any():
            return
        first = self.spec.protocol.first_mover
        other = "iran" if first == "us" else "us"
        proposer_id = first if self.session_count % 2 == 0 else other
        responder_id = other if proposer_id == first else first
        self.session_count += 1
        proposer, responder = self.principals[proposer_id], self.principals[responder_id]
        idx = np.flatnonzero(live)
        full = Path(proposer.side(), responder.side(), self.span)
        path = full.take(idx)
        clock = take(self._clock(t, proposer, responder, full.responder.public_reservation), idx)
        offer_live = path.package(self.rule.propose(path, clock))
        # A proposer respects the bounds it knows; a mediator those of both sides.
        lo, hi = proposer.own_bounds()
        both_lo, both_hi = self._mediator_bounds()
        if self.rule.name == "nash_mediator":
            lo, hi = both_lo, both_hi
        offer_live = np.clip(offer_live, lo[idx], hi[idx])
        offer_live = self._patron_mediation(t, path, offer_live, idx)
        offer_live = np.where(
            self._mediated[idx, None],
            np.clip(offer_live, both_lo[idx], both_hi[idx]),
            offer_live,
        )
        accepted = np.zeros(self.n_worlds, dtype=bool)
        accepted[idx] = self.rule.accepts(path, offer_live, clock)
        offer = self.status_quo.copy()
        offer[idx] = offer_live
        gap = np.full(self.n_worlds, np.inf)
        gap[idx] = np.maximum(0.0, path.responder.reservation - path.u_responder(offer_live))
        ok_p, veto_p, ok_r, veto_r = (np.zeros(self.n_worlds, dtype=bool) for _ in range(4))
        ok_p[idx], veto_p[idx] = proposer.ratify(offer_live, idx)
        ok_r[idx], veto_r[idx] = responder.ratify(offer_live, idx)
        # Before the end of the observed history the record shows no agreement and no collapse.
        open_now = t >= self.open_from
        deal = live & accepted & ok_p & ok_r & open_now
        # A red-line veto reveals the vetoing side's red lines to the other side.
        proposer.learn_red_lines(responder, live & accepted & veto_r)
        responder.learn_red_lines(proposer, live & accepted & veto_p)
        self.vetoes += (live & accepted & ~(ok_p & ok_r)).astype(np.int32)
        self.offers += live.astype(np.int32)
        self.last_offer = np.where(live[:, None], offer, self.last_offer)
        self.last_gap = np.where(live, gap, self.last_gap)
        self.terms = np.where(deal[:, None] & self.active[:, None], offer, self.terms)
        self.end(deal, DEAL, t)
        failed = live & ~deal
        self.failed_sessions = np.where(
            live, np.where(deal, 0, self.failed_sessions + 1), self.failed_sessions
        )
        # Outcomes of a failed session: walk-out, a rejection that ends the talks, the mediator.
        p_walk = responder.walkout_probability(offer)
        threat = failed & (p_walk > 0.5)
        self.walkout_threats += threat.astype(np.int32)
        walk = failed & open_now & self.streams.bernoulli(f"walkout:{responder_id}", t, p_walk)
        self.collapse(walk, "walkout", t)
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
            self.collapse(quits, "mediator", t)
        self.last_session = SessionRecord(
            t, proposer_id, offer, accepted, {proposer_id: ok_p, responder_id: ok_r}, deal
        )
        if self.record:
            self._note_session(t, proposer, responder, offer, live)
            self._note_ratification(proposer, responder, offer)
            self.note(
                session_live=live,
                accepted=accepted,
                ratified_proposer=ok_p,
                ratified_responder=ok_r,
                red_line_veto_proposer=veto_p,
                red_line_veto_responder=veto_r,
                deal=deal,
                walkout_probability=p_walk,
                walkout=walk,
                rejection_ends=ends,
            )

    def _note_session(
        self,
        t: int,
        proposer: PrincipalAgent,
        responder: PrincipalAgent,
        offer: np.ndarray,
        live: np.ndarray,
    ) -> None:
        """Record an offer's value to each side against its reservation and aspiration."""
        values: dict[str, np.ndarray] = {}
        for role, side in (("proposer", proposer), ("responder", responder)):
            deadline = np.full(self.n_worlds, float(self.deadline_step[side.actor_id]))
            reservation = side.reservation()
            values |= {
                f"{role}_utility": side.utility(offer),
                f"{role}_reservation": reservation,
                f"{role}_aspiration": aspiration(
                    t, deadline, reservation, side.param("concession_beta")
                ),
            }
        self.note(proposer=proposer.actor_id, responder=responder.actor_id, offer=offer, **values)

    def _note_ratification(
        self, proposer: PrincipalAgent, responder: PrincipalAgent, offer: np.ndarray
    ) -> None:
        """Record what ratification and the walk-out weighed (recorded runs only)."""
        for role, side in (("proposer", proposer), ("responder", responder)):
            self.note(
                **{
                    f"{role}_faction_utility": np.stack([f.utility(offer) for f in side.factions]),
                    f"{role}_faction_no_deal": np.stack(
                        [f.no_deal_value(side.pressure, side.snap_drop) for f in side.factions]
                    ),
                    f"{role}_quota": side.param("quota"),
                    f"{role}_override_threshold": side.param("override_threshold"),
                }
            )
            lower, upper = self._red_line_record(side)
            self.note(**{f"{role}_red_lower": lower, f"{role}_red_upper": upper})
        self.note(
            walkout_utility=responder.factions[responder.ratifier].utility(offer),
            walkout_breakdown=responder.param("breakdown_value"),
            walkout_temperature=responder.param("walkout_temperature"),
        )

    def _red_line_record(self, side: PrincipalAgent) -> tuple[np.ndarray, np.ndarray]:
        """The side's factions' red lines in force, (F, N, D) lower and upper bounds."""
        shape = (len(side.factions), self.n_worlds, len(self.issue_ids))
        lower, upper = np.full(shape, -np.inf), np.full(shape, np.inf)
        for j, f in enumerate(side.factions):
            faction = self.spec.actors[f.actor_id]
            for k, rl in enumerate(faction.red_lines if isinstance(faction, Faction) else ()):
                d = self.issue_ids.index(rl.issue)
                path = f"actors.{f.actor_id}.red_lines.{k}"
                if rl.max is not None:
                    upper[j, :, d] = np.minimum(upper[j, :, d], self.params[f"{path}.max"])
                if rl.min is not None:
                    lower[j, :, d] = np.maximum(lower[j, :, d], self.params[f"{path}.min"])
        return lower, upper

    def _clock(
        self,
        t: int,
        proposer: PrincipalAgent,
        responder: PrincipalAgent,
        public_reservation: np.ndarray,
    ) -> SessionClock:
        deadline = min(max(self.deadline_step.values()), self.spec.horizon)
        later = [s for s in self.session_steps if t < s < deadline]
        future = []
        prev = t
        for j, s in enumerate(later, start=1):
            future.append((s - prev, j % 2 == 0))
            prev = s
        width = responder.param("belief_halfwidth")
        noise = (2 * self.streams.uniform(f"belief:{proposer.actor_id}") - 1) * width
        return SessionClock(
            step=t,
            proposer_deadline=np.full(self.n_worlds, float(self.deadline_step[proposer.actor_id])),
            responder_deadline=np.full(
                self.n_worlds, float(self.deadline_step[responder.actor_id])
            ),
            proposer_beta=proposer.param("concession_beta"),
            responder_beta=responder.param("concession_beta"),
            breakdown_risk=self.params["protocol.breakdown_risk"],
            believed_reservation=public_reservation + noise,
            future=tuple(future),
        )

    def _mediator_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds a mediator respects: what both sides would refuse to cross, (N, D) each."""
        us_lo, us_hi = self.us.own_bounds()
        iran_lo, iran_hi = self.iran.own_bounds()
        return np.maximum(us_lo, iran_lo), np.minimum(us_hi, iran_hi)

    def _patron_mediation(
        self, t: int, path: Path, offer: np.ndarray, idx: np.ndarray
    ) -> np.ndarray:
        """A patron may table the Nash compromise instead of the proposer's offer (MODEL.md 8).

        ``path`` and ``offer`` are restricted to the live worlds ``idx``.
        """
        self._mediated = np.zeros(self.n_worlds, dtype=bool)
        if not self.patrons or self.rule.name == "nash_mediator":
            return offer
        mediates = np.zeros(self.n_worlds, dtype=bool)
        for p in self.patrons:
            rate = p.param("mediation_rate")
            mediates |= self.streams.bernoulli(f"mediation:{p.actor_id}", t, rate)
        chosen = np.flatnonzero(mediates[idx])
        self._mediated[idx[chosen]] = True
        if chosen.size == 0:
            return offer
        sub = path.take(chosen)
        nash = sub.package(NashMediator().propose(sub, None))  # type: ignore[arg-type]
        offer = offer.copy()
        offer[chosen] = nash
        return offer

    def outside_options(self, t: int) -> None:
        """Nuclear progress, Israel's strike, the US decision, the E3 snapback (MODEL.md 8)."""
        active = self.active
        # Within the observed history no one strikes and the E3 do not trigger snapback.
        may_act = active if t >= self.open_from else np.zeros_like(active)
        growth = self.params["programme.growth"]
        self.progress = np.where(active, np.clip(self.progress + growth, 0, 1), self.progress)
        us_hawks = self.us.hawk_share()
        restraint = sum(
            (c.param("strike_restraint") for c in self.counterweights), np.zeros(self.n_worlds)
        )
        for israel in self.israel:
            lock_in = self._lock_in(israel)
            margin = israel.margin(
                self.progress, growth, us_hawks, lock_in, self.collapsed, restraint
            )
            p_strike = israel.strike_probability(margin)
            strikes = may_act & self.streams.bernoulli(f"strike:{israel.actor_id}", t, p_strike)
            joins = strikes & self.streams.bernoulli(
                "join:us", t, self.us.param("join_probability")
            )
            self.joint |= joins & self.active
            self.end(joins, STRIKE_US, t)
            self.end(strikes, STRIKE_ISRAEL, t)
            if self.record:
                self._note_margin(israel, margin, lock_in, restraint)
            self.note(
                israel_margin=margin,
                israel_lock_in=lock_in,
                israel_probability=p_strike,
                israel_strikes=strikes,
                us_joins=joins,
            )
        failed = self.collapsed | (self.ultimatum_step is not None and t >= self.ultimatum_step)
        p_us = self.us.strike_probability(failed & may_act & self.active)
        us_strikes = self.streams.bernoulli("strike:us", t, p_us)
        self.end(us_strikes, STRIKE_US, t)
        self.note(us_probability=p_us, us_strikes=us_strikes & (self.end_step == t))
        if self.record:
            self.note(
                us_strike_hazard=self.us.param("strike_hazard"),
                us_threat_credibility=self.us.param("threat_credibility"),
                us_talks_failed=failed & may_act,
            )
        for e3 in self.e3:
            p_snap = e3.probability(t)
            snaps = (
                may_act & self.active & self.streams.bernoulli(f"snapback:{e3.actor_id}", t, p_snap)
            )
            self.trigger_snapback(snaps, t)
            self.note(snapback_probability=p_snap, snapback=snaps)

    def _note_margin(
        self,
        israel: StrikerAgent,
        margin: np.ndarray,
        lock_in: np.ndarray,
        restraint: np.ndarray,
    ) -> None:
        """Record the parts of a striker's margin (recorded runs only)."""
        resolve = israel.param("strike_resolve")
        fear = israel.param("deal_aversion") * lock_in
        failed = israel.param("collapse_resolve") * self.collapsed
        self.note(
            israel_powell=margin - resolve - fear - failed + restraint,
            israel_resolve=resolve,
            israel_fear=fear,
            israel_collapse=failed,
            israel_restraint=restraint,
        )

    def _lock_in(self, israel: StrikerAgent) -> np.ndarray:
        """Israel's fear of a deal it dislikes: its disutility of the last offer times closeness."""
        if not israel.has_position():
            return np.zeros(self.n_worlds)
        seen = ~np.isnan(self.last_offer[:, 0])
        offer = np.where(seen[:, None], self.last_offer, self.status_quo)
        closeness = np.clip(1 - self.last_gap / CLOSENESS_SCALE, 0.0, 1.0)
        return np.where(seen & ~self.collapsed, (1 - israel.utility(offer)) * closeness, 0.0)

    def note(self, **items: Any) -> None:
        """Keep details of this step for explanations (only when recording)."""
        if self.record:
            for key, value in items.items():
                self._notes[key] = value.copy() if isinstance(value, np.ndarray) else value

    def _principal_record(self, p: PrincipalAgent) -> dict[str, Any]:
        """What a principal's stance and clout were made of at the end of this step."""
        _, salience = p.faction_positions()
        pid = p.actor_id
        inputs = [
            np.stack([f.param(name) for f in p.factions])
            for name in ("clout", "pressure_clout_gain", "lobbying_clout_gain")
        ]
        return {
            f"{pid}_positions": p.positions.copy(),
            f"{pid}_salience": salience.copy(),
            f"{pid}_clout_inputs": np.stack(inputs),
            f"{pid}_pressure": p.pressure.copy(),
            f"{pid}_lobbying": p.lobbying.copy(),
            f"{pid}_inertia": p.param("stance_inertia").copy(),
        }

    def _record(self, t: int) -> None:
        principals: dict[str, Any] = {}
        for p in self.principals.values():
            principals |= self._principal_record(p)
        self.trace.append(
            self._notes
            | principals
            | {
                "step": t,
                "us_stance": self.us.stance.copy(),
                "iran_stance": self.iran.stance.copy(),
                "us_shares": self.us.shares().copy(),
                "iran_shares": self.iran.shares().copy(),
                "pressure": self.iran.pressure.copy(),
                "lobbying": self.us.lobbying.copy(),
                "progress": self.progress.copy(),
                "outcome": self.outcome.copy(),
                "end_step": self.end_step.copy(),
                "collapsed": self.collapsed.copy(),
                "collapse_cause": self.collapse_cause.copy(),
                "last_offer": self.last_offer.copy(),
            }
        )
