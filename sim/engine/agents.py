"""Mesa agents, one per actor; each holds its state in arrays over worlds (docs/model.md §1.2).

Agents read their parameters from the model's per-world parameter table on every use, so a shock
that changes a parameter takes effect at once. They compute with the pure functions of
:mod:`sim.mechanisms.utility`, :mod:`sim.mechanisms.ratification`, :mod:`sim.mechanisms.strike`
and :mod:`sim.mechanisms.rules`; the model orchestrates the phases of a step.
"""

from __future__ import annotations

import mesa
import numpy as np

from sim.engine.records import PrincipalState
from sim.engine.world import World
from sim.mechanisms.arrays import any_last, repeat_last, where_rows
from sim.mechanisms.bargaining import Side
from sim.mechanisms.domestic import clout, clout_shares, pressure_growth
from sim.mechanisms.ratification import (
    BindingRedLines,
    Ratification,
    binding_red_lines,
    ratification,
    red_line_crossed,
)
from sim.mechanisms.rules import STANCE_RULES
from sim.mechanisms.strike import (
    Backing,
    StrikeMargin,
    UsStrike,
    Walkout,
    logit_choice,
    powell_term,
    strike_margin,
    supported_war_cost,
    us_backing,
    us_strike,
    walkout,
)
from sim.mechanisms.third_parties import (
    give_up_probability,
    snapback_probability,
    snapback_survival,
)
from sim.mechanisms.utility import normalise_weights, utility
from sim.scenario.schema import (
    ActorBase,
    Counterweight,
    Faction,
    Mediator,
    Patron,
    Principal,
    Snapback,
    Striker,
)


class Actor(mesa.Agent):
    """Base of every actor: its id, its scenario entry and access to its parameters."""

    model: World

    def __init__(self, model: World, actor_id: str, spec: ActorBase):
        """Register the agent with the model."""
        super().__init__(model)
        self.actor_id = actor_id
        self.spec = spec
        self._vectors: dict[str, tuple[tuple[object, ...], np.ndarray]] = {}

    def param(self, name: str) -> np.ndarray:
        """This actor's parameter ``name`` in every world (N,)."""
        return self.model.params[f"actors.{self.actor_id}.{name}"]

    def central(self, name: str) -> float:
        """The scenario's central value of this actor's parameter ``name``."""
        return self.model.central[f"actors.{self.actor_id}.{name}"]

    def public(self, name: str) -> np.ndarray:
        """What others know of a parameter: its central value as the shocks since changed it."""
        return self.model.known(f"actors.{self.actor_id}.{name}")

    def vector(self, field: str) -> np.ndarray:
        """A per-issue parameter (``ideal`` or ``salience``) as an (N, D) array.

        Cached until a shock next changes one of them (``model.version``).
        """
        key = (field, self.model.version(f"actors.{self.actor_id}.{field}"))
        cached = self._vectors.get(field)
        if cached is None or cached[0] != key:
            value = np.stack([self.param(f"{field}.{i}") for i in self.model.issue_ids], axis=1)
            cached = self._vectors[field] = (key, value)
        return cached[1]

    def weights(self) -> np.ndarray:
        """Salience normalised to issue weights (N, D), cached like :meth:`vector`."""
        key = ("weights", self.model.version(f"actors.{self.actor_id}.salience"))
        cached = self._vectors.get("weights")
        if cached is None or cached[0] != key:
            cached = self._vectors["weights"] = (key, normalise_weights(self.vector("salience")))
        return cached[1]

    def has_position(self) -> bool:
        """Whether the actor has an ideal point on the issues."""
        return f"actors.{self.actor_id}.ideal.{self.model.issue_ids[0]}" in self.model.params

    def utility(self, x: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
        """The actor's utility of packages ``x`` (N, D), or of the worlds ``index`` only."""
        ideal, weights, rho = self.vector("ideal"), self.weights(), self.param("risk_exponent")
        if index is not None:
            ideal, weights, rho = ideal[index], weights[index], rho[index]
        return utility(x, ideal, weights, self.model.scale, rho)


class FactionAgent(Actor):
    """A faction: votes to ratify, pulls its principal's stance (docs/model.md §3.4.3, §3.4.12)."""

    def __init__(self, model: World, actor_id: str, spec: Faction):
        """Register the faction; its red lines are read per world by :meth:`bounds`."""
        super().__init__(model, actor_id, spec)
        self.spec: Faction = spec
        self._bounds: tuple[int, np.ndarray, np.ndarray] | None = None

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """The faction's red lines as (N, D) lower and upper bounds (±inf where it has none).

        Each world draws its own bounds (``actors.<f>.red_lines.<k>.max``/``min``); cached
        until a shock next changes a parameter.
        """
        version = self.model.version(f"actors.{self.actor_id}.red_lines")
        if self._bounds is None or self._bounds[0] != version:
            n, d = self.model.n_worlds, len(self.model.issue_ids)
            lower, upper = np.full((n, d), -np.inf), np.full((n, d), np.inf)
            for k, rl in enumerate(self.spec.red_lines):
                i = self.model.issue_ids.index(rl.issue)
                path = f"red_lines.{k}"
                if rl.max is not None:
                    upper[:, i] = np.minimum(upper[:, i], self.param(f"{path}.max"))
                if rl.min is not None:
                    lower[:, i] = np.maximum(lower[:, i], self.param(f"{path}.min"))
            self._bounds = (version, lower, upper)
        return self._bounds[1], self._bounds[2]

    def clout(self, pressure: np.ndarray, lobbying: np.ndarray) -> np.ndarray:
        """Effective clout: base clout grown by economic pressure and by Israeli lobbying."""
        gains = self.param("pressure_clout_gain"), self.param("lobbying_clout_gain")
        return clout(self.param("clout"), *gains, pressure, lobbying)

    def no_deal_shift(
        self, pressure: np.ndarray, snap_drop: np.ndarray, *, public: bool
    ) -> np.ndarray:
        """No-deal value minus the status quo's utility: the shift, pressure and snapback costs.

        With ``public`` the privately known parts (shift and sensitivity) take their central values.
        """
        if public:  # the draw is private; what shocks changed since is public
            return (
                self.public("no_deal_shift") - self.public("pressure_sensitivity") * pressure
            ) - snap_drop
        shift, sensitivity = self.param("no_deal_shift"), self.param("pressure_sensitivity")
        return shift - sensitivity * pressure - snap_drop

    def status_quo_utility(self) -> np.ndarray:
        """Utility of the status-quo package (cached until a shock changes a parameter)."""
        key = (
            "status_quo",
            self.model.version(f"actors.{self.actor_id}"),
            self.model.version("issues"),
        )
        cached = self._vectors.get("status_quo")
        if cached is None or cached[0] != key:
            cached = self._vectors["status_quo"] = (key, self.utility(self.model.status_quo))
        return cached[1]

    def no_deal_value(self, pressure: np.ndarray, snap_drop: np.ndarray) -> np.ndarray:
        """Value of no deal: the status quo package's utility plus the shift."""
        return self.status_quo_utility() + self.no_deal_shift(pressure, snap_drop, public=False)

    def has_red_lines(self) -> bool:
        """Whether the faction holds any red line."""
        return bool(self.spec.red_lines)

    def red_line_crossed(self, x: np.ndarray) -> np.ndarray:
        """Whether packages ``x`` (N, D) cross any of the faction's red lines, per world."""
        lower, upper = self.bounds()
        return any_last((x < lower) | (x > upper))


class PrincipalAgent(Actor):
    """A negotiating state (Putnam's chief negotiator): stance, pressure, ratification."""

    def __init__(self, model: World, actor_id: str, spec: Principal):
        """Collect the principal's factions and initialise its state arrays."""
        super().__init__(model, actor_id, spec)
        self.spec: Principal = spec
        self.factions: list[FactionAgent] = [
            a
            for a in model.factions
            if model.spec.actors[a.actor_id].principal == actor_id  # type: ignore[union-attr]
        ]
        ids = [f.actor_id for f in self.factions]
        self.ratifier = ids.index(spec.ratifier)
        self.hawk = ids.index(spec.hawk_faction) if spec.hawk_faction else None
        self._binding: tuple[tuple[object, ...], np.ndarray, BindingRedLines] | None = None
        self._bounds: tuple[tuple[int, ...], np.ndarray, np.ndarray] | None = None
        n, d = model.n_worlds, len(model.issue_ids)
        self.pressure = self.param("pressure_initial").copy()
        self.lobbying = np.zeros(n)
        self.clout = np.ones((len(self.factions), n))
        self.stance = np.zeros((n, d))
        self.issue_weights = np.full((n, d), 1.0 / d)
        self.known_lower = np.full((n, d), -np.inf)  # the other side's red lines, once revealed
        self.known_upper = np.full((n, d), np.inf)
        self.snap_drop = np.zeros(n)
        self.outside_shift = np.zeros(n)  # patrons' lifeline less the snapback threat's cost
        self.pressure_boost = np.zeros(n)
        self._positions: tuple[tuple[object, ...], np.ndarray, np.ndarray] | None = None
        rule = spec.stance_rule or model.spec.protocol.stance_rule
        self.stance_rule = STANCE_RULES[rule]()
        self.positions = np.zeros((len(self.factions), n, d))  # bargaining positions (F, N, D)
        self._ideals_seen = self.positions

    # --- domestic politics -------------------------------------------------------------------
    def update_domestic(self, active: np.ndarray, first: bool, relief: np.ndarray) -> None:
        """Pressure, lobbying, clout, then stance in active worlds (docs/model.md §3.4.2–3.4.3).

        ``relief`` is the share of pressure growth absorbed by patrons.
        """
        growth = pressure_growth(self.param("pressure_rate"), self.pressure_boost, relief)
        if not first:
            self.pressure = np.where(active, np.clip(self.pressure + growth, 0, 1), self.pressure)
            self.lobbying = np.where(
                active, self.lobbying + self.model.lobbying_on(self), self.lobbying
            )
        grown = np.stack([f.clout(self.pressure, self.lobbying) for f in self.factions])
        self.clout = np.where(active, grown, self.clout)
        ideals, sal = self.faction_positions()
        if first:
            self.positions = ideals.copy()
        elif self._ideals_seen is not ideals:  # a shock moved ideal points: positions follow
            self.positions = self.positions + (ideals - self._ideals_seen)
        self._ideals_seen = ideals
        positions, target = self.stance_rule.round(self.positions, sal, self.clout)
        if positions is not self.positions:  # a rule that moves them (the compromise does not)
            self.positions = np.where(active[None, :, None], positions, self.positions)
        rate = np.ones(self.model.n_worlds) if first else self.param("stance_inertia")
        d = self.stance.shape[-1]
        stance = self.stance + repeat_last(rate, d) * (target - self.stance)
        weights = normalise_weights(np.sum(repeat_last(self.clout, d) * sal, axis=0))
        self.stance = where_rows(active, stance, self.stance)
        self.issue_weights = where_rows(active, weights, self.issue_weights)

    def _faction_versions(self, *fields: str) -> tuple[int, ...]:
        """The shock versions of the factions' ``fields`` (what a cache of them keys on)."""
        version = self.model.version
        return tuple(
            version(f"actors.{f.actor_id}.{field}") for f in self.factions for field in fields
        )

    def faction_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """The factions' ideal points and saliences, (F, N, D) each (cached like ``vector``)."""
        key = ("positions", self._faction_versions("ideal", "salience"))
        cached = self._positions
        if cached is None or cached[0] != key:
            ideals = np.stack([f.vector("ideal") for f in self.factions])
            sal = np.stack([f.vector("salience") for f in self.factions])
            cached = self._positions = (key, ideals, sal)
        return cached[1], cached[2]

    def shares(self) -> np.ndarray:
        """Clout shares of the factions (F, N)."""
        return clout_shares(self.clout)

    def state(self) -> PrincipalState:
        """What the side's stance and clout are made of now (for a step's record)."""
        _, salience = self.faction_positions()
        inputs = [
            np.stack([f.param(name) for f in self.factions])
            for name in ("clout", "pressure_clout_gain", "lobbying_clout_gain")
        ]
        return PrincipalState(
            stance=self.stance,
            shares=self.shares(),
            positions=self.positions,
            salience=salience,
            clout_inputs=np.stack(inputs),
            pressure=self.pressure,
            lobbying=self.lobbying,
            inertia=self.param("stance_inertia"),
        )

    def hawk_share(self) -> np.ndarray:
        """Clout share of the hawk faction (0 if none is named)."""
        return self.shares()[self.hawk] if self.hawk is not None else np.zeros(self.model.n_worlds)

    # --- bargaining --------------------------------------------------------------------------
    def utility(self, x: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
        """The side's utility: distance from its stance, weighted by its factions' salience."""
        if index is not None:
            rho = self.param("risk_exponent")[index]
            return utility(x, self.stance[index], self.issue_weights[index], self.model.scale, rho)
        return utility(
            x, self.stance, self.issue_weights, self.model.scale, self.param("risk_exponent")
        )

    def reservation(
        self, *, public: bool = False, status_quo: np.ndarray | None = None
    ) -> np.ndarray:
        """Value of no deal: the status quo's utility plus the clout-weighted shifts of factions.

        ``status_quo`` is the side's utility of the status quo where already computed.
        """
        drop = self.no_deal_drop()
        shifts = np.stack(
            [f.no_deal_shift(self.pressure, drop, public=public) for f in self.factions]
        )
        if status_quo is None:
            status_quo = self.utility(self.model.status_quo)
        return status_quo + np.sum(self.shares() * shifts, axis=0)

    def no_deal_drop(self) -> np.ndarray:
        """What outside actors take off every faction's value of no deal (N,).

        The snapback's drop once used, plus the expected cost of its threat while live, less the
        patrons' lifeline (docs/model.md 3.4.4, 3.4.18 and 3.4.19).
        """
        return self.snap_drop - self.outside_shift

    def side(self, red_lines: tuple[np.ndarray, np.ndarray] | None = None) -> Side:
        """The side's bargaining position for the proposal rules.

        Its utility counts ``red_lines`` ((N, D) lower and upper bounds), by default its binding
        red lines (:meth:`binding_red_lines`): a package beyond them is worth less than no deal.
        """
        if red_lines is None:
            held = self.binding_red_lines()
            red_lines = held.lower, held.upper
        status_quo = self.utility(self.model.status_quo)
        return Side(
            red_lower=red_lines[0],
            red_upper=red_lines[1],
            stance=self.stance,
            weights=self.issue_weights,
            rho=self.param("risk_exponent"),
            reservation=self.reservation(status_quo=status_quo),
            public_reservation=self.reservation(public=True, status_quo=status_quo),
            belief_halfwidth=self.param("belief_halfwidth"),
            discount=self.param("discount"),
            breakdown=self.param("breakdown_value"),
            clout=self.param("clout"),
        )

    def red_line_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Every faction's red lines, (F, N, D) lower and upper bounds (cached like ``vector``)."""
        version = self._faction_versions("red_lines")
        if self._bounds is None or self._bounds[0] != version:
            both = [f.bounds() for f in self.factions]
            lower = np.stack([lo for lo, _ in both])
            upper = np.stack([hi for _, hi in both])
            self._bounds = (version, lower, upper)
        return self._bounds[1], self._bounds[2]

    def binding_red_lines(self) -> BindingRedLines:
        """The side's red lines that hold, (N, D) lower and upper bounds, with their parts.

        The ratifier's always; the other factions' unless the clout of the ratifier and the
        factions without red lines overrides them
        (:func:`sim.mechanisms.ratification.binding_red_lines`).
        """
        key = (
            self._faction_versions("red_lines"),
            self.model.version(f"actors.{self.actor_id}.override_threshold"),
            id(self.clout),
        )
        cached = self._binding
        if cached is not None and cached[0] == key and cached[1] is self.clout:
            return cached[2]
        free = np.array(
            [k == self.ratifier or not f.has_red_lines() for k, f in enumerate(self.factions)]
        )
        lower, upper = self.red_line_bounds()
        threshold = self.param("override_threshold")
        held = binding_red_lines(lower, upper, self.ratifier, free, self.shares(), threshold)
        self._binding = (key, self.clout, held)  # until clout or a parameter next changes
        return held

    def own_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Bounds a proposer respects, (N, D) lower and upper.

        Its side's binding red lines, and the other side's as revealed by vetoes; where the
        two conflict, the side's own come first.
        """
        held = self.binding_red_lines()
        lo, hi = held.lower, held.upper
        learned_lo = np.clip(self.known_lower, lo, hi)
        learned_hi = np.clip(self.known_upper, lo, hi)
        return np.maximum(lo, learned_lo), np.minimum(hi, learned_hi)

    def ratify(self, x: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Whether the side ratifies packages ``x`` (n, D) in the worlds ``index``.

        Also returns whether a red line vetoed them (the first parts of :meth:`vote`).
        """
        vote = self.vote(x, index)
        return vote.passed, vote.veto

    def vote(self, x: np.ndarray, index: np.ndarray) -> Ratification:
        """The side's vote on packages ``x`` (n, D) in the worlds ``index``, with its parts.

        See :func:`sim.mechanisms.ratification.ratification`.
        """
        u = np.stack([f.utility(x, index) for f in self.factions])
        drop = self.no_deal_drop()
        nd = np.stack([f.no_deal_value(self.pressure, drop)[index] for f in self.factions])
        lower, upper = self.red_line_bounds()
        crossed = red_line_crossed(x, lower[:, index], upper[:, index])
        threshold = self.param("override_threshold")[index]
        clout = self.clout[:, index]
        quota = self.param("quota")[index]
        return ratification(u, nd, clout, self.ratifier, quota, crossed, threshold)

    def known_red_lines(self) -> tuple[np.ndarray, np.ndarray]:
        """The other side's red lines that vetoes have revealed, (N, D) lower and upper."""
        return self.known_lower, self.known_upper

    def learn_red_lines(self, other: PrincipalAgent, revealed: np.ndarray) -> None:
        """After ``other`` vetoed on its red lines, respect those that hold in later offers."""
        if not revealed.any():
            return
        held = other.binding_red_lines()
        lo, hi = held.lower, held.upper
        self.known_lower = where_rows(revealed, np.maximum(self.known_lower, lo), self.known_lower)
        self.known_upper = where_rows(revealed, np.minimum(self.known_upper, hi), self.known_upper)

    def walkout(self, offer: np.ndarray) -> Walkout:
        """The walk-out decision after an offer (:func:`sim.mechanisms.strike.walkout`).

        A logit of the breakdown value minus the ratifier's utility of the offer.
        """
        u = self.factions[self.ratifier].utility(offer)
        return walkout(u, self.param("breakdown_value"), self.param("walkout_temperature"))

    def strike(self, talks_failed: np.ndarray) -> UsStrike:
        """Per-step strike probability once talks have failed, with its parts.

        The hazard times the hawks' clout share times the president's threat credibility
        (:func:`sim.mechanisms.strike.us_strike`).
        """
        hazard, credibility = self.param("strike_hazard"), self.param("threat_credibility")
        return us_strike(hazard, self.hawk_share(), credibility, talks_failed)

    def backing(self, talks_failed: np.ndarray, backed: np.ndarray) -> Backing:
        """Per-step probability of backing the ally's strike (a green light), with its parts.

        The hazard during talks, or once they failed, times the hawks' clout share
        (:func:`sim.mechanisms.strike.us_backing`); 0 where backing was given already.
        """
        hazard = self.param("backing_hazard"), self.param("backing_hazard_failed")
        return us_backing(hazard, self.hawk_share(), talks_failed, backed)


class StrikerAgent(Actor):
    """Israel: a preventive strike (Powell), lobbying Washington (docs/model.md §3.4.16, §3.4.2)."""

    def margin(
        self,
        progress: np.ndarray,
        growth: np.ndarray,
        backed: np.ndarray,
        lock_in: np.ndarray,
        collapsed: np.ndarray,
        restraint: np.ndarray,
    ) -> StrikeMargin:
        """Strike margin in its parts: Powell's margin, resolve, lock-in fear, collapse, restraint.

        American backing (``backed``, Washington's green light) cuts the striker's cost of war
        (:func:`sim.mechanisms.strike.supported_war_cost`,
        :func:`~sim.mechanisms.strike.strike_margin`).
        """
        win = (
            self.param("target_win_low"),
            self.param("target_win_high"),
            self.param("breakout_convexity"),
        )
        cost = supported_war_cost(self.param("war_cost"), self.param("us_support_cost_cut"), backed)
        powell = powell_term(
            progress, growth, win, self.param("discount"), self.param("target_war_cost"), cost
        )
        return strike_margin(
            powell,
            self.param("strike_resolve"),
            (self.param("deal_aversion"), lock_in),
            (self.param("collapse_resolve"), collapsed),
            restraint,
        )

    def strike_probability(self, margin: np.ndarray) -> np.ndarray:
        """Logit choice over the margin with the striker's temperature."""
        return logit_choice(margin, self.param("strike_temperature"))


class PatronAgent(Actor):
    """Russia or China: a lifeline, softer pressure and snapback; may mediate; may distance."""


class SnapbackAgent(Actor):
    """The E3 with the UN snapback: a hazard rising as the expiry nears (docs/model.md §3.4.18)."""

    def __init__(self, model: World, actor_id: str, spec: Snapback):
        """Keep the expiry as a step."""
        super().__init__(model, actor_id, spec)
        self.expiry_step = model.spec.date_to_step(spec.expiry)
        self.window_steps = max(1.0, spec.window_days / model.spec.calendar.step_days)
        self._survival: tuple[int, np.ndarray] | None = None

    def probability(self, step: int) -> np.ndarray:
        """Per-step probability of triggering snapback at ``step`` (0 from the expiry on)."""
        hazard, urgency = self.param("hazard"), self.param("urgency")
        return snapback_probability(step, self.expiry_step, self.window_steps, hazard, urgency)

    def chance(self, step: int) -> np.ndarray:
        """Chance of a snapback from ``step`` to the expiry, (N,) (:func:`snapback_survival`).

        The survival table is cached until a shock next changes a parameter.
        """
        version = self.model.version(f"actors.{self.actor_id}")
        cached = self._survival
        if cached is None or cached[0] != version:
            hazard, urgency = self.param("hazard"), self.param("urgency")
            table = snapback_survival(self.expiry_step, self.window_steps, hazard, urgency)
            cached = self._survival = (version, table)
        table = cached[1]
        return 1 - table[min(max(step, 0), len(table) - 1)]


class MediatorAgent(Actor):
    """Oman: hosts the sessions; gives up with a hazard once its patience is exhausted."""

    def __init__(self, model: World, actor_id: str, spec: Mediator):
        """Keep the patience (sessions)."""
        super().__init__(model, actor_id, spec)
        self.patience = spec.patience

    def give_up_probability(self, failed_sessions: np.ndarray) -> np.ndarray:
        """Per-session probability of giving up."""
        return give_up_probability(failed_sessions, self.patience, self.param("give_up_hazard"))


class CounterweightAgent(Actor):
    """Saudi Arabia and the Gulf: a counterweight to Israeli pressure on Washington."""


AGENT_CLASSES: dict[type, type[Actor]] = {
    Striker: StrikerAgent,
    Patron: PatronAgent,
    Snapback: SnapbackAgent,
    Mediator: MediatorAgent,
    Counterweight: CounterweightAgent,
}
