"""The scenario schema: strict, frozen pydantic models validated once at the edge.

The field docstrings are the scenario file reference (``docs/scenario.md`` is generated from them by
``negsim schema --markdown``). Every numeric field also declares its human name and unit
(:func:`sim.scenario.params.term`), which :func:`sim.scenario.vocabulary.describe` gives to
explanations, figures, the dashboard and the reference. Concepts and symbols follow
``docs/model.md`` (ODD+D).
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from sim.scenario.params import (
    MAX_MAGNITUDE,
    ON_ISSUE_SCALE,
    Evidence,
    Param,
    ParamSpec,
    Strict,
    magnitude,
    raise_problems,
    term,
    uncertainty,
)
from sim.scenario.walk import numeric_fields

PRINCIPALS = ("us", "iran")
"""The ids of the two negotiating sides by default (``sides``: the enforcer, the target); the
outcome names (``strike_us``) keep the baseline's words whatever the sides' ids."""

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
NAME_PATTERN = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,99}")
"""A scenario name: one path component (it names the output directory ``runs/NAME``)."""
ProposalRule = Literal["aspiration", "rubinstein", "nash_mediator", "screening"]
StanceRule = Literal["compromise", "bdm_eum"]


class Issue(Strict):
    """One dimension of the issue space (docs/model.md §1.2)."""

    lo: float = Field(allow_inf_nan=False)
    """Lowest value on the issue's own scale."""
    hi: float = Field(allow_inf_nan=False)
    """Highest value on the issue's own scale."""
    status_quo: Param = term(..., name="the status quo of {issue}", unit=ON_ISSUE_SCALE)
    """The value if there is no deal (the reversion point)."""
    unit: str = ""
    """Unit of the scale, for tables and plots."""
    description: str = ""
    """What low and high values mean."""
    levels: tuple[Annotated[float, Field(allow_inf_nan=False)], ...] | None = None
    """Optional knots of the issue's value scale, increasing from ``lo`` to ``hi`` (e.g.
    enrichment ``[0, 3.67, 20, 60]``): every step between two knots weighs the same in every
    actor's utility (piecewise linear between knots; docs/model.md §3.4.1). Without it the issue
    is linear on its own scale. Packages, ideals and red lines stay in the issue's own units."""
    levels_evidence: tuple[Evidence, ...] = ()
    """Quotes that name the thresholds the knots stand for (checked verbatim like evidence)."""

    @model_validator(mode="after")
    def _range(self) -> Issue:
        if not self.lo < self.hi:
            raise ValueError(f"an issue needs lo < hi, got lo={self.lo}, hi={self.hi}")
        if max(abs(self.lo), abs(self.hi)) > MAX_MAGNITUDE:
            raise ValueError(
                f"an issue's lo and hi must lie in [{-MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}], "
                f"got lo={self.lo:g}, hi={self.hi:g}"
            )
        levels = self.levels
        if levels is not None:
            if len(levels) < 2 or levels[0] != self.lo or levels[-1] != self.hi:
                raise ValueError(
                    f"an issue's levels run from lo to hi ({self.lo:g} to {self.hi:g}), "
                    f"got {list(levels)}"
                )
            if any(b <= a for a, b in itertools.pairwise(levels)):
                raise ValueError(f"an issue's levels must increase strictly, got {list(levels)}")
        return self


class RedLine(Strict):
    """A bound a faction will not see crossed; a package beyond it is vetoed (Tsebelis)."""

    issue: Id
    """The issue the bound is on."""
    max: Param | None = term(None, name="red-line ceiling on {issue}", unit=ON_ISSUE_SCALE)
    """Packages with a value above this are vetoed (a number, or a distribution each world
    draws from, like any parameter: ``actors.<faction>.red_lines.<k>.max``)."""
    min: Param | None = term(None, name="red-line floor on {issue}", unit=ON_ISSUE_SCALE)
    """Packages with a value below this are vetoed (``actors.<faction>.red_lines.<k>.min``)."""
    evidence: tuple[Evidence, ...] = ()
    """Quotes that state the red line (they cover its bound unless the bound has its own)."""
    assumption: str | None = None
    """The modelling assumption, where the articles do not give the bound."""

    @model_validator(mode="after")
    def _one_bound(self) -> RedLine:
        if (self.max is None) == (self.min is None):
            raise ValueError("a red line needs exactly one of 'max' or 'min'")
        return self


class ActorBase(Strict):
    """Fields every actor has."""

    name: str = ""
    """Display name (for tables, plots and explanations)."""
    description: str = ""
    """Who the actor stands for in the articles."""
    ideal: dict[Id, Param] = term(name="ideal {issue}", unit=ON_ISSUE_SCALE, default_factory=dict)
    """Ideal point per issue, on each issue's own scale."""
    salience: dict[Id, Param] = term(
        name="the salience of {issue} to {actor}", unit="weight, 0 to 1", default_factory=dict
    )
    """Salience per issue (0 to 1); normalised to weights that sum to 1."""
    clout: Param = term(1.0, name="clout", unit="relative weight inside the side")
    """Clout: weight inside its principal (factions), bargaining weight (principals, Nash)."""
    risk_exponent: Param = term(1.0, name="risk exponent", unit="exponent of the utility")
    """Curvature rho >= 1 of the utility over packages (1 linear, 2 quadratic: risk averse)."""
    discount: Param = term(0.99, name="discount factor", unit="discount factor per step")
    """Per-step discount factor delta in (0, 1]."""


class Faction(ActorBase):
    """A faction of a principal: votes in ratification, pulls the principal's stance."""

    role: Literal["faction"]
    """Actor role."""
    principal: Id
    """The principal the faction belongs to (the id of one of the two ``sides``)."""
    no_deal_shift: Param = term(
        0.0, name="value of no deal relative to the status quo", unit="utility"
    )
    """Utility of no deal relative to the status-quo package (negative: no deal hurts)."""
    pressure_sensitivity: Param = term(
        0.0, name="sensitivity to economic pressure", unit="utility per unit of pressure"
    )
    """How much one unit of economic pressure lowers the faction's no-deal value."""
    pressure_clout_gain: Param = term(
        0.0, name="clout gain from pressure", unit="relative clout per unit of pressure"
    )
    """Relative clout gained per unit of economic pressure (Iran's pragmatists)."""
    lobbying_clout_gain: Param = term(
        0.0, name="clout gain from Israeli lobbying", unit="relative clout per unit of lobbying"
    )
    """Relative clout gained per unit of accumulated Israeli lobbying (US hawks)."""
    red_lines: tuple[RedLine, ...] = ()
    """Bounds whose crossing vetoes a package. A ratifier's own always hold; another faction's
    yield when the clout backing the package is above its principal's ``override_threshold``."""


class Deadline(Strict):
    """A date by which a side wants a deal, and what happens if it passes without one."""

    date: dt.date
    """The deadline's date; the side's aspiration reaches its reservation value at its step."""
    at: Literal["decide", "extend", "walkout", "pass", "final"] = "decide"
    """What happens when it passes without a deal while the talks are on: ``decide`` (the sides
    extend it, walk away or let it pass, with the probabilities of ``protocol.deadline_decision``),
    one of those three fixed (``extend``, ``walkout``, ``pass``), or ``final`` (the side's last
    word, only the last deadline: nothing is decided and its aspiration stays at its reservation
    value). An extension moves it later, never past the side's next listed deadline; an
    extended deadline is decided (``decide``) when it passes in turn."""
    note: str = ""
    """What the date is (``the snapback expires``), for tables and explanations."""


class Principal(ActorBase):
    """A negotiating state: owns a ratifier and factions (Putnam's two-level game)."""

    role: Literal["principal"]
    """Actor role."""
    ratifier: Id
    """The faction whose acceptance is needed; its own red lines always hold."""
    clout: Param = term(1.0, name="weight in a mediator's compromise", unit="relative weight")
    """Bargaining weight in a mediator's compromise (the exponent of its gain in the Nash
    product)."""
    quota: Param = term(0.5, name="ratification quota", unit="share of the side's clout")
    """Share of clout that must prefer a package to no deal for ratification."""
    override_threshold: Param = term(
        0.5, name="backing needed to override a red line", unit="share of the side's clout"
    )
    """Share of clout backing a package (the ratifier and the factions preferring it to no
    deal) above which the other factions' red lines are overridden (the ratifier's never)."""
    stance_inertia: Param = term(
        0.3,
        name="share of the gap to its factions' compromise closed per step",
        unit="share of the gap closed per step",
    )
    """Share of the gap to the factions' compromise closed per step (1: no inertia)."""
    concession_beta: Param = term(
        1.0, name="concession curve exponent", unit="exponent of the aspiration curve"
    )
    """Aspiration curve shape beta (< 1 Boulware, holds firm; > 1 Conceder; GENIUS convention)."""
    deadline: dt.date | None = None
    """The date the side's aspiration reaches its reservation value (none: it decays with its
    patience half-life instead, never reaching it by a date)."""
    patience_half_life: Param = term(
        20.0,
        name="patience half-life (side without a deadline)",
        unit="steps for the aspiration to fall halfway to the reservation value",
    )
    """For a side with no deadline: steps for its aspiration to fall halfway to its reservation
    value (``a(t) = r + (1 − r)·2^(−t/h)``); unused when the side has a deadline."""
    belief_halfwidth: Param = term(0.05, name="opacity of its bottom line", unit="utility")
    """How opaque this side's bottom line is: half-width of the other side's uniform belief
    about this side's reservation value (utility)."""
    breakdown_value: Param = term(0.0, name="value of breaking off the talks", unit="utility")
    """The principal's utility of a breakdown of talks."""
    walkout_temperature: Param = term(
        0.0, name="walk-out noise", unit="logit temperature, utility units"
    )
    """Logit temperature of the walk-out decision; 0 means the side never walks out."""
    pressure_initial: Param = term(
        0.0, name="economic pressure at the start", unit="pressure index, 0 to 1"
    )
    """Economic pressure on this side at the start (0 to 1)."""
    pressure_rate: Param = term(
        0.0, name="growth of economic pressure per step", unit="pressure index per step"
    )
    """Growth of economic pressure per step while there is no deal."""
    strike_hazard: Param = term(0.0, name="strike hazard per step", unit="probability per step")
    """Per-step probability of striking, at full hawk clout and credibility, once talks fail."""
    threat_credibility: Param = term(0.0, name="credibility of its threat", unit="0 to 1")
    """The president's threat credibility (0 to 1): scales the strike hazard."""
    join_probability: Param = term(
        0.0, name="probability of joining an Israeli strike", unit="probability"
    )
    """Probability the side joins its ally's strike once it has backed it (``backing_hazard``):
    the world ends as ``strike_joint`` ("Israeli strike, US joined") instead of
    ``strike_israel``. A side that never backed the ally never joins; it decides who is in the
    strike, not whether Israel strikes."""
    backing_hazard: Param = term(
        0.0, name="hazard of backing an ally's strike during talks", unit="probability per step"
    )
    """Per-step probability, at full hawk clout, that the side gives its ally (Israel) a green
    light while talks go on; the hawks' clout share scales it. Once given, backing stays."""
    backing_hazard_failed: Param = term(
        0.0,
        name="hazard of backing an ally's strike once talks failed",
        unit="probability per step",
    )
    """As ``backing_hazard``, once talks have failed (collapsed, or the ultimatum passed)."""
    stance_rule: StanceRule | None = None
    """How this side's stance follows its factions (default: ``protocol.stance_rule``)."""
    hawk_faction: Id | None = None
    """The faction whose clout share is the side's hawkishness (strikes, US support to Israel)."""
    deadlines: tuple[Deadline, ...] = ()
    """The side's known deadlines, in date order (docs/model.md §3.4.28): its aspiration heads to
    its reservation value by the current one; when one passes without a deal the sides extend
    it, walk away or let it pass (``at``; ``protocol.deadline_decision``). ``deadline: DATE`` is
    the one-element list ``[{date: DATE, at: final}]``; give one of the two."""

    @model_validator(mode="after")
    def _one_deadline_field(self) -> Principal:
        if self.deadline is not None and self.deadlines:
            raise ValueError("give 'deadline' (one final date) or 'deadlines' (a list), not both")
        dates = [d.date for d in self.deadlines]
        if any(b <= a for a, b in itertools.pairwise(dates)):
            raise ValueError("'deadlines' must be in date order, each date once")
        if any(d.at == "final" for d in self.deadlines[:-1]):
            raise ValueError("only the last of 'deadlines' can be 'final' (nothing follows it)")
        return self

    def deadline_list(self) -> tuple[Deadline, ...]:
        """The side's deadlines: ``deadlines``, or ``deadline`` as one ``final`` deadline."""
        if self.deadline is not None:
            return (Deadline(date=self.deadline, at="final"),)
        return self.deadlines


class ThirdParty(ActorBase):
    """Fields every third party has; its ``instrument`` says which kind it is."""

    role: Literal["third_party"]
    """Actor role."""


class Striker(ThirdParty):
    """A third party that may strike Iran's programme preventively (Powell 2006): Israel."""

    instrument: Literal["striker"]
    """Instrument: preventive strike and lobbying Washington."""
    strike_resolve: Param = term(
        0.0, name="strike resolve", unit="utility units of the strike margin"
    )
    """Additive bias toward striking, in the margin's utility units."""
    strike_temperature: Param = term(
        0.1, name="strike decision noise", unit="logit temperature, utility units"
    )
    """Logit temperature of the strike decision; 0 makes it deterministic."""
    war_cost: Param = term(0.1, name="cost of war", unit="utility per step")
    """The striker's cost of war c_D (per-step utility units)."""
    target_war_cost: Param = term(
        0.1, name="estimate of Iran's cost of war", unit="utility per step"
    )
    """The target's cost of war c_R."""
    target_win_low: Param = term(
        0.1, name="estimate of Iran's chance of prevailing far from breakout", unit="probability"
    )
    """The target's probability of prevailing at nuclear progress 0."""
    target_win_high: Param = term(
        0.6, name="estimate of Iran's chance of prevailing at breakout", unit="probability"
    )
    """The target's probability of prevailing at nuclear progress 1 (breakout)."""
    breakout_convexity: Param = term(
        2.0, name="convexity of Iran's gain near breakout", unit="exponent"
    )
    """Exponent gamma of p(k) = low + (high - low) k^gamma: how late the shift accelerates."""
    us_support_cost_cut: Param = term(
        0.0, name="cut in its cost of war from US support", unit="share of the war cost"
    )
    """Share of the striker's war cost removed once Washington has backed a strike (the US
    ``backing_hazard``): American backing makes the striker's own strike cheaper and so
    likelier."""
    lobbying: Param = term(
        0.0, name="lobbying of Washington per step", unit="lobbying units per step"
    )
    """Lobbying added per step (moves US clout toward the hawks)."""
    deal_aversion: Param = term(
        0.0, name="fear of a deal it dislikes", unit="weight in the strike margin"
    )
    """Weight of the fear that a deal locks in enrichment, in the strike margin."""
    collapse_resolve: Param = term(
        0.0, name="added resolve once talks collapse", unit="utility units of the strike margin"
    )
    """Added to the strike margin once talks have collapsed: waiting no longer holds the prospect
    of a negotiated containment of the programme (Powell 2006)."""


class Patron(ThirdParty):
    """A patron of Iran (Russia, China): economic lifeline, diplomatic cover, mediation."""

    instrument: Literal["patron"]
    """Instrument: support that softens pressure; optional mediation."""
    support: Param = term(
        0.0,
        name="share of Iran's pressure growth absorbed",
        unit="share of pressure growth absorbed",
    )
    """Share of the growth of economic pressure on Iran the patron absorbs; times ``lifeline``,
    also the rise of Iran's value of no deal (docs/model.md, patrons)."""
    lifeline: Param = term(
        0.0,
        name="rise in Iran's value of no deal at full support",
        unit="utility at support 1",
    )
    """Utility the patron's support adds to every Iranian faction's value of no deal, at support
    1 (the lift is ``lifeline · support``): a lifeline makes no deal more bearable."""
    distance_probability: Param = term(
        0.0,
        name="probability it distances itself from Iran once talks collapse",
        unit="probability per collapse",
    )
    """Probability that the patron distances itself from Iran when the talks collapse."""
    distance_cut: Param = term(
        0.0,
        name="share of its support withdrawn when it distances itself",
        unit="share of support",
    )
    """Share of the patron's support (and so of its lifeline) withdrawn when it distances itself."""
    snapback_cover: Param = term(
        0.0,
        name="share of the snapback's effect absorbed",
        unit="share of the snapback's effect absorbed",
    )
    """Share of the snapback's effect the patron absorbs."""
    mediation_rate: Param = term(
        0.0, name="share of sessions where it tables a compromise", unit="probability per session"
    )
    """Per-session probability the patron tables a compromise (Nash) proposal while it mediates."""
    mediation_entry: Param = term(
        1.0,
        name="probability it takes up mediation once the talks bog down",
        unit="probability per world",
    )
    """Probability, per world, that the patron mediates once the talks have bogged down
    (``protocol.bog_down_sessions``); a shock that raises it brings the patron in at once."""


class Snapback(ThirdParty):
    """A third party holding the UN snapback (the E3)."""

    instrument: Literal["snapback"]
    """Instrument: trigger the snapback before it expires."""
    expiry: dt.date
    """The date the snapback provision expires."""
    hazard: Param = term(
        0.0, name="hazard of triggering snapback per step", unit="probability per step"
    )
    """Base per-step probability of triggering snapback."""
    urgency: Param = term(
        0.0, name="rise of its hazard near the expiry", unit="multiplier on the hazard"
    )
    """Multiplier on the hazard as the expiry nears (linear ramp over ``window_days``)."""
    window_days: int = Field(default=90, ge=1)
    """Days before expiry over which the urgency ramps up."""
    no_deal_drop: Param = term(
        0.0, name="drop in Iran's value of no deal after snapback", unit="utility"
    )
    """Utility drop of Iran's factions' no-deal value once snapback is triggered."""
    pressure_boost: Param = term(
        0.0, name="rise in the growth of Iran's pressure after snapback", unit="relative increase"
    )
    """Relative increase of Iran's pressure growth once snapback is triggered."""
    threat_weight: Param = term(
        0.0,
        name="weight Iran gives the snapback threat before it is used",
        unit="share of the expected cost",
    )
    """Share of the threat's expected cost (the chance the E3 trigger snapback before the expiry
    times its drop, less the patrons' cover) that enters Iran's value of no deal while the threat
    is live."""


class Mediator(ThirdParty):
    """A mediator with no stake (Oman): hosts the sessions, may give up."""

    instrument: Literal["mediator"]
    """Instrument: hosting talks."""
    patience: int = Field(default=8, ge=0)
    """Failed sessions in a row before the mediator may give up."""
    give_up_hazard: Param = term(
        0.0, name="hazard of giving up per session", unit="probability per session"
    )
    """Per-session probability of giving up once patience is exhausted."""


class Counterweight(ThirdParty):
    """A regional power that may check Israeli pressure (Saudi Arabia and the Gulf)."""

    instrument: Literal["counterweight"]
    """Instrument: counterweight to Israeli lobbying and strikes."""
    lobbying_damping: Param = term(
        0.0, name="share of Israeli lobbying cancelled", unit="share of Israel's lobbying cancelled"
    )
    """Share of Israel's lobbying effect it cancels."""
    strike_restraint: Param = term(
        0.0, name="restraint on an Israeli strike", unit="utility units of the strike margin"
    )
    """Subtracted from Israel's strike margin."""


def _actor_tag(value: Any) -> str | None:
    get = value.get if isinstance(value, dict) else lambda k, d=None: getattr(value, k, d)
    role = get("role")
    if role == "third_party":
        return f"third_party:{get('instrument')}"
    return role if isinstance(role, str) else None


Actor = Annotated[
    Annotated[Principal, Tag("principal")]
    | Annotated[Faction, Tag("faction")]
    | Annotated[Striker, Tag("third_party:striker")]
    | Annotated[Patron, Tag("third_party:patron")]
    | Annotated[Snapback, Tag("third_party:snapback")]
    | Annotated[Mediator, Tag("third_party:mediator")]
    | Annotated[Counterweight, Tag("third_party:counterweight")],
    Discriminator(
        _actor_tag,
        custom_error_type="actor_role",
        custom_error_message=(
            "unknown actor kind: 'role' must be principal, faction or third_party, and a "
            "third_party needs 'instrument': striker, patron, snapback, mediator or counterweight"
        ),
    ),
]


class Calendar(Strict):
    """Maps steps to dates (docs/model.md §1.2)."""

    start: dt.date
    """Date of step 0 (the first session of the talks)."""
    step_days: int = Field(default=7, ge=1, le=366)
    """Days per step."""
    observed_until: dt.date | None = None
    """Known history: up to this date the talks went on with no deal, strike, walk-out or
    snapback, so no world may end (or trigger snapback) on its own before it; the model is
    conditioned on what the sources report."""


class DeadlineDecision(Strict):
    """The choice at a passing deadline: extend, walk out or let it pass (docs/model.md §3.4.28).

    A multinomial logit (:func:`sim.mechanisms.deadlines.deadline_choice`): far apart, the
    sides extend with ``extend_probability`` and the side whose deadline it is walks out with
    ``walkout_probability``; closeness (``clip(1 − gap/0.2, 0, 1)`` of the last offer's utility
    shortfall) and a ratifiable offer on the table raise the log-odds of extending. The
    defaults let every deadline pass.
    """

    extend_probability: Param = term(
        0.0, name="chance of extending a deadline when far apart", unit="probability"
    )
    """Probability of extending a passing deadline when the sides are far apart (closeness 0, no
    ratifiable offer)."""
    walkout_probability: Param = term(
        0.0, name="chance of walking out at a deadline when far apart", unit="probability"
    )
    """Probability that the side whose deadline passes walks out (the talks collapse, cause
    ``deadline``) when the sides are far apart."""
    closeness_weight: Param = term(
        0.0, name="rise in the log-odds of extending when close", unit="log-odds at closeness 1"
    )
    """Log-odds of extending added at full closeness (the last offer short of the responder's
    reservation value by nothing), in proportion to closeness."""
    ratifiable_weight: Param = term(
        0.0,
        name="rise in the log-odds of extending with a ratifiable offer",
        unit="log-odds",
    )
    """Log-odds of extending added where the last offer passed both sides' ratification votes."""
    extension_weeks: Param = term(4.0, name="length of an extension", unit="weeks")
    """How much later an extension moves the deadline (at least one step)."""


class Protocol(Strict):
    """The bargaining protocol (docs/model.md §1.3, §3.4.5–3.4.13)."""

    proposal_rule: ProposalRule = "aspiration"
    """How offers are made: aspiration, rubinstein, nash_mediator or screening."""
    stance_rule: StanceRule = "compromise"
    """How a principal's stance follows its factions (docs/model.md §3.4.3)."""
    first_mover: Id | None = None
    """The principal that proposes at the first session (one of the two ``sides``; default:
    the enforcer); proposers then alternate."""
    session_every: int = Field(default=1, ge=1)
    """A session every k steps (from step 0), unless ``session_dates`` is given."""
    session_dates: tuple[dt.date, ...] = ()
    """Explicit session dates (each mapped to the step containing it)."""
    breakdown_risk: Param = term(
        0.0,
        name="the risk that a rejected offer ends the talks",
        unit="probability per rejected offer",
    )
    """Probability q that a rejected offer ends the talks."""
    bog_down_sessions: int = Field(default=0, ge=0)
    """The talks have bogged down once this many sessions in a row have failed (0: from the
    start); a patron mediates only then."""
    ultimatum: dt.date | None = None
    """After this date without a deal, the US strike hazard applies while talks go on."""
    deadline_decision: DeadlineDecision = DeadlineDecision()
    """How the sides choose when a side's ``decide`` deadline passes without a deal."""


class Sides(Strict):
    """The two negotiating sides: the principals' ids, by the role the model gives each.

    The model is not symmetric (docs/model.md): one side can strike the programme and stands
    behind the striker, the other holds the programme. Any ids will do; the defaults are the
    baseline's. Outcome names, a shock's forced actions and state variables keep the baseline's
    words: ``strike_us`` is the enforcer's own strike, ``us_hawk_share`` the enforcer's hawks'
    share of clout, ``iran_hawk_share`` and ``pressure`` the target's.
    """

    enforcer: Id = "us"
    """The side that presses the holder of the programme (the US in the baseline): it may
    strike alone once talks fail (``strike_hazard``, ``threat_credibility``; outcome
    ``strike_us``), give the striker a green light and join its strike (``backing_hazard``,
    ``join_probability``; outcome ``strike_joint``), and the striker's lobbying (damped by any
    counterweight) works on its factions' clout."""
    target: Id = "iran"
    """The side whose nuclear programme is at stake (Iran in the baseline): the programme's
    progress is its, strikes hit it, the patrons' support eases the economic pressure on it
    (the ``pressure`` of shock conditions) and lifts its value of no deal, the snapback (its
    threat, then its drop and its pressure boost) hits it, and its hawks' share is
    ``iran_hawk_share``."""


class Programme(Strict):
    """Iran's nuclear programme: breakout-capability index k in [0, 1] (docs/model.md §3.4.15)."""

    initial_progress: Param = term(
        0.5, name="Iran's nuclear progress at the start", unit="breakout index, 0 to 1"
    )
    """k at step 0."""
    growth: Param = term(
        0.01, name="the growth of Iran's nuclear progress per step", unit="breakout index per step"
    )
    """Growth of k per step while there is no deal."""
    strike_setback: Param = term(
        0.0, name="share of Iran's nuclear progress a strike destroys", unit="share"
    )
    """Share of the programme's progress a strike destroys (every strike, the first or a later
    one): ``k ← k · (1 − strike_setback)``, drawn once per world (docs/model.md, "Episodes")."""
    escalation_hazard: Param = term(
        0.0,
        name="hazard of Iran escalating its programme when provoked",
        unit="probability per step at full hawk clout",
    )
    """Per-step probability, times the target's hawks' clout share, that the target escalates
    its programme (raises enrichment, restricts inspections) once provoked: the talks bogged
    down or failed, the snapback in force, or a strike suffered (docs/model.md 3.4.29). 0: no
    escalation."""
    escalation_factor: Param = term(
        1.0, name="factor on the programme's growth once Iran has escalated", unit="factor"
    )
    """Once escalated, the programme grows by ``growth · escalation_factor`` a step (until a deal
    freezes it); a striker's Powell margin reads the faster growth."""


class War(Strict):
    """What follows a strike: Iran's retaliation, the war, its ceasefire and talks resuming.

    A strike puts a world at war (docs/model.md, "Episodes"). Iran retaliates at once,
    escalating with ``retaliation_escalation``, else proportionately. Each later step of the war
    a ceasefire comes with the hazard ``ceasefire_hazard + us_ceasefire_boost·[the US took part]
    + patron_ceasefire_boost·(the patrons' support for Iran)``, times ``escalation_drag`` after
    an escalating retaliation (:func:`sim.mechanisms.war.ceasefire_hazard`). Under a ceasefire
    the talks resume with ``resumption_hazard`` per step. The defaults leave a war unending, as
    version 1 did.
    """

    retaliation_escalation: Param = term(
        0.0, name="chance Iran's retaliation escalates", unit="probability per strike"
    )
    """Probability that Iran's retaliation to a strike escalates (else it is proportionate)."""
    ceasefire_hazard: Param = term(
        0.0, name="ceasefire hazard of a war", unit="probability per step"
    )
    """Per-step probability that a war ends in a ceasefire (before the boosts and the drag)."""
    us_ceasefire_boost: Param = term(
        0.0, name="rise in the ceasefire hazard when the US takes part", unit="probability per step"
    )
    """Added to the ceasefire hazard in a war the US took part in (a joint or a US strike)."""
    patron_ceasefire_boost: Param = term(
        0.0,
        name="rise in the ceasefire hazard per unit of the patrons' support",
        unit="probability per step per unit of support",
    )
    """Added to the ceasefire hazard, times the patrons' summed support for Iran (capped at
    0.95): the pressure of Iran's patrons for calm."""
    escalation_drag: Param = term(
        1.0, name="factor on the ceasefire hazard after an escalation", unit="factor"
    )
    """Factor on the ceasefire hazard of a war whose retaliation escalated (1: no effect)."""
    resumption_hazard: Param = term(
        0.0, name="hazard of talks resuming after a ceasefire", unit="probability per step"
    )
    """Per-step probability that talks resume under a ceasefire (a mediator brings the sides
    back); they resume from the state the war left: progress set back, pressure and clout as
    they have moved."""
    rally_clout_gain: Param = term(
        0.0,
        name="rise in the base clout of the target's hawks at each strike",
        unit="share of their clout",
    )
    """At each strike the base clout of the target's hawk faction is multiplied by
    ``1 + rally_clout_gain``: the attacked state's hardliners rally support (the rally round the
    flag). It lasts, and weighs in any talks that resume."""
    mistrust: Param = term(
        0.0,
        name="rise in each side's uncertainty about the other's bottom line at each strike",
        unit="share of the belief half-width",
    )
    """At each strike both sides' ``belief_halfwidth`` is multiplied by ``1 + mistrust``: a war
    leaves each side reading the other's bottom line less well when talks resume."""
    pressure_jump: Param = term(
        0.0, name="rise in the economic pressure on the target at each strike", unit="pressure"
    )
    """At each strike the target's economic pressure rises by ``pressure_jump`` (clipped to 1):
    the war's damage to its economy, on top of the pressure's growth in peacetime."""


class Interim(Strict):
    """Interim deals: a limited package, ratified like any deal, that freezes the programme.

    After a session that finds no comprehensive deal, where the talks go on, the sides put the
    session's offer limited to the issues ``covers`` (the status quo on the others) to both
    sides' ratification with probability ``proposal_probability``; if both ratify it, an interim
    deal is in force (docs/model.md §3.4.27). While it is in force the programme does not grow
    and the talks go on: a comprehensive deal replaces it, a strike ends it (war), a collapse of
    the talks ends it. At its expiry, ``duration_weeks`` after it was concluded or last renewed,
    it is renewed with probability ``renewal_probability + renewal_closeness · closeness`` (the
    sides' closeness at their last session, as in Israel's lock-in fear), else it lapses and the
    programme grows again. The 2013 Joint Plan of Action is the pattern. Without this block no
    interim deal is concluded or renewed.
    """

    covers: tuple[Id, ...] = Field(min_length=1)
    """The issues a limited package covers (e.g. ``[enrichment, sanctions_relief]``); on the
    others it keeps the status quo."""
    duration_weeks: int = Field(default=26, ge=1, le=520)
    """Its term in weeks (rounded to whole steps, at least one): the time from its conclusion
    or its last renewal to its expiry."""
    proposal_probability: Param = term(
        0.0,
        name="chance an interim deal is put to the sides after a failed session",
        unit="probability per failed session",
    )
    """Per session that finds no comprehensive deal (talks still on, no interim in force): the
    probability that the limited package is put to both sides' ratification."""
    renewal_probability: Param = term(
        0.0, name="chance an interim deal is renewed at its expiry", unit="probability"
    )
    """The renewal probability at expiry when the sides are far apart."""
    renewal_closeness: Param = term(
        0.0,
        name="rise in the renewal chance when the sides are close",
        unit="probability at full closeness",
    )
    """Added to the renewal probability times the closeness of the last session's offer
    (1 at no shortfall, 0 from a shortfall of 0.2 on: :func:`sim.mechanisms.strike.closeness`)."""
    evidence: tuple[Evidence, ...] = ()
    """Quotes that support the covered issues and the term."""
    assumption: str | None = None
    """The modelling assumption, where the articles do not give them."""


class State(Strict):
    """Where a scenario starts, beyond what other fields set (docs/new_episode.md).

    The rest of the starting state has fields of its own: the programme's progress
    (``programme.initial_progress``), each faction's clout (``actors.<faction>.clout``, before
    pressure and lobbying move it), each side's economic pressure
    (``actors.<side>.pressure_initial``) and how well each side reads the other's bottom line
    (``actors.<side>.belief_halfwidth``). A start after a strike, at war or under a ceasefire is
    given by ``phase`` and ``past_strikes`` (docs/model.md, "Episodes"), one inside an interim
    deal by ``interim_until``.
    """

    programme_damage: Param = term(
        0.0, name="share of Iran's nuclear progress destroyed before the start", unit="share"
    )
    """Share of the programme's progress destroyed before step 0 (say by an earlier strike): the
    progress at step 0 is ``programme.initial_progress · (1 − programme_damage)``; it grows from
    there at ``programme.growth``."""
    snapback: bool = False
    """The UN snapback is already in force at step 0: the target's factions' value of no deal is
    lower by the snapback holder's ``no_deal_drop`` (less the patrons' ``snapback_cover``) and
    the pressure on it grows faster by its ``pressure_boost``, from step 0; the threat is spent
    (``threat_weight`` no longer counts) and the holder cannot trigger it again. It needs a
    snapback holder (an actor with ``instrument: snapback``), whose numbers it applies;
    ``worlds.parquet`` records the snapback at step 0."""
    red_lines_known: bool = False
    """Each side knows, from the first session, the red lines of the other's that hold at the
    start (after earlier rounds of talks): its offers respect them, as they respect red lines a
    veto has revealed in a run."""
    phase: Literal["talks_ongoing", "at_war", "ceasefire"] = "talks_ongoing"
    """The episode's phase at step 0: talks on (the default), a war under way (no session until
    a ceasefire; its hazard ``war.*`` from the first step after the observed history), or a
    ceasefire with the talks paused (until they resume, ``war.resumption_hazard``). A war or a
    ceasefire needs ``past_strikes`` of at least 1. ``outcome`` then reports the first decisive
    event of the run (a later strike or a deal), ``no_resolution`` if none comes."""
    past_strikes: int = Field(0, ge=0, le=100)
    """How many strikes the world saw before step 0 (the shock-trigger variable ``strikes``
    counts from it: a shock with ``when: {variable: strikes, below: 0}`` then never fires).
    Their damage to the programme is ``programme_damage``."""
    us_took_part: bool = False
    """At war only: the US took part in the strike that started the war (the ceasefire hazard
    adds ``war.us_ceasefire_boost``)."""
    escalated: bool = False
    """At war only: Iran's retaliation escalated (the ceasefire hazard is multiplied by
    ``war.escalation_drag``)."""
    interim_until: dt.date | None = None
    """An interim deal is in force at step 0 until this date (after the start): the programme
    does not grow, the talks go on; at the step of this date it is renewed (by ``interim``'s
    renewal numbers; without an ``interim`` block it lapses) or lapses (docs/model.md §3.4.27).
    ``events.parquet`` logs it as an ``interim`` event at step 0."""


class Trigger(Strict):
    """When a shock fires (docs/model.md §3.4.21). All given conditions must hold."""

    at: dt.date | int | None = None
    """Fire at this date or step (once)."""
    after: dt.date | int | None = None
    """Only from this date or step on."""
    until: dt.date | int | None = None
    """Only up to this date or step."""
    hazard: Param | None = term(
        None, name="the hazard per step of the shock '{shock}'", unit="probability per step"
    )
    """Per-step probability of firing while the other conditions hold."""
    when: StateCondition | None = None
    """A condition on the state of the world."""


class StateCondition(Strict):
    """A condition on a state variable of a world."""

    variable: Literal[
        "pressure",
        "progress",
        "us_hawk_share",
        "iran_hawk_share",
        "failed_sessions",
        "snapback",
        "strikes",
    ]
    """The state variable (``snapback``: 1 once in force, else 0; ``strikes``: how many strikes
    the world has seen, a joint strike counting once)."""
    above: Param | None = term(
        None,
        name="the level of its state variable from which the shock '{shock}' can fire",
        unit="level of the state variable",
    )
    """Holds when the variable is at least this (a number, or a distribution each world draws:
    ``shocks.<name>.trigger.when.above``, so overrides, sweeps and screenings move it)."""
    below: Param | None = term(
        None,
        name="the level of its state variable up to which the shock '{shock}' can fire",
        unit="level of the state variable",
    )
    """Holds when the variable is at most this (``shocks.<name>.trigger.when.below``)."""


class SetParam(Strict):
    """Change a numeric parameter (for the rest of the world's run)."""

    op: Literal["set", "add", "scale"]
    """How the value combines with the current one."""
    path: str
    """Dotted path of the parameter, for example ``actors.israel.strike_resolve``."""
    value: Param
    """The value (drawn per world if a distribution)."""

    NAMES: ClassVar[dict[str, tuple[str, str | None]]] = {
        "set": ("the value the shock '{shock}' sets for {target}", None),
        "add": ("the amount the shock '{shock}' adds to {target}", None),
        "scale": ("the factor the shock '{shock}' applies to {target}", "factor"),
    }
    """The name and unit of ``value`` for each ``op``: ``{target}`` is the name of the parameter
    at ``path``, and a unit of ``None`` is that parameter's unit."""


class ForceAction(Strict):
    """Force an action in the world."""

    action: Literal["strike_israel", "strike_us", "walkout", "snapback", "collapse"]
    """The action."""


Effect = SetParam | ForceAction


class Shock(Strict):
    """A named, typed event: a trigger and its effects, with evidence."""

    description: str = ""
    """What the shock stands for in the articles."""
    trigger: Trigger
    """When it fires."""
    effects: tuple[Effect, ...] = Field(min_length=1)
    """What it does."""
    once: bool = True
    """Fire at most once per world."""
    evidence: tuple[Evidence, ...] = ()
    """Quotes that motivate the shock."""
    assumption: str | None = None
    """The modelling assumption where the articles are silent."""


class Scenario(Strict):
    """A complete scenario: issues, actors, protocol, outside options, shocks, time."""

    name: str = Field(min_length=1)
    """Short name, used in tables and file names (``negsim run`` writes to ``runs/NAME`` by
    default): letters, digits, ``_``, ``.`` and ``-``, at most 100 characters, not starting with
    ``.``."""
    description: str = ""
    """What question the scenario asks."""
    calendar: Calendar
    """Start date and step length."""
    horizon: int = Field(ge=1, le=10_000)
    """Number of steps; worlds still talking then end as ``no_resolution``."""
    issues: dict[Id, Issue] = Field(min_length=1)
    """The issue space, by id."""
    actors: dict[Id, Actor]
    """Every actor, by id."""
    sides: Sides = Sides()
    """The two negotiating sides, by role (default: ``us`` the enforcer, ``iran`` the
    target)."""
    protocol: Protocol = Protocol()
    """The bargaining protocol."""
    programme: Programme = Programme()
    """Iran's nuclear programme."""
    war: War = War()
    """What follows a strike (docs/model.md, "Episodes")."""
    shocks: dict[Id, Shock] = Field(default_factory=dict)
    """Shocks, by name (library shocks are merged in by ``include_shocks``)."""
    assumptions: dict[str, str] = Field(default_factory=dict)
    """Assumptions covering parameters left at their defaults, by dotted-path pattern
    (``fnmatch`` style, e.g. ``actors.us.pressure_*``) with the reason."""
    state: State | None = None
    """The starting state beyond the other fields (none: talks start afresh, as in April
    2025)."""
    interim: Interim | None = None
    """Interim deals (docs/model.md §3.4.27; none: no interim deal is ever concluded)."""

    @field_validator("name")
    @classmethod
    def _safe_name(cls, value: str) -> str:
        if not NAME_PATTERN.fullmatch(value):
            raise ValueError(
                f"{value[:40]!r} is not a plain name: it names the output directory runs/NAME, "
                "so use letters, digits, '_', '.' and '-' only (at most 100 characters, not "
                "starting with '.'; no '/' or '..')"
            )
        return value

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        raise_problems("references", reference_problems(self))
        return self

    def side_ids(self) -> tuple[str, str]:
        """The ids of the two negotiating sides: the enforcer's and the target's."""
        return (self.sides.enforcer, self.sides.target)

    def first_mover(self) -> str:
        """The side that proposes at the first session (``protocol.first_mover``)."""
        return self.protocol.first_mover or self.sides.enforcer

    def factions_of(self, principal: str) -> list[str]:
        """Ids of the factions of a principal, in file order."""
        return [
            i for i, a in self.actors.items() if isinstance(a, Faction) and a.principal == principal
        ]

    def date_to_step(self, date: dt.date) -> int:
        """The step whose period contains ``date`` (negative if before the start)."""
        return (date - self.calendar.start).days // self.calendar.step_days

    def step_to_date(self, step: int) -> dt.date:
        """The calendar date of a step."""
        return self.calendar.start + dt.timedelta(days=step * self.calendar.step_days)


Trigger.model_rebuild()


def reference_problems(s: Scenario) -> list[str]:
    """Cross-field checks: every id a field names must exist and have the right kind."""
    out = side_problems(s)
    issues = set(s.issues)
    for p in s.side_ids():
        actor = s.actors.get(p)
        if not isinstance(actor, Principal):
            continue
        for field in ("ratifier", "hawk_faction"):
            fid = getattr(actor, field)
            member = s.actors.get(fid) if fid else None
            if fid and not (isinstance(member, Faction) and member.principal == p):
                out.append(f"actors.{p}.{field}: '{fid}' is not a faction of '{p}'")
        if actor.ideal or actor.salience:
            out.append(
                f"actors.{p}: a principal's stance comes from its factions; "
                "give 'ideal' and 'salience' to its factions instead"
            )
    for aid, actor in s.actors.items():
        for field in ("ideal", "salience"):
            given = set(getattr(actor, field))
            if isinstance(actor, Faction) and given != issues:
                missing, extra = sorted(issues - given), sorted(given - issues)
                out.append(
                    f"actors.{aid}.{field}: must give every issue"
                    + (f"; missing {missing}" if missing else "")
                    + (f"; unknown {extra}" if extra else "")
                )
            elif given and given != issues and not isinstance(actor, Principal):
                out.append(f"actors.{aid}.{field}: give every issue or none ({sorted(issues)})")
        if not isinstance(actor, Principal) and bool(actor.ideal) != bool(actor.salience):
            # a utility needs both: Israel's fear of a deal it dislikes is its utility of the deal
            out.append(
                f"actors.{aid}: give 'ideal' and 'salience' together (its utility needs both)"
            )
        if isinstance(actor, Faction):
            for k, rl in enumerate(actor.red_lines):
                if rl.issue not in issues:
                    out.append(f"actors.{aid}.red_lines.{k}.issue: unknown issue '{rl.issue}'")
    for p in s.side_ids():
        if isinstance(s.actors.get(p), Principal) and not s.factions_of(p):
            out.append(f"actors.{p}: a principal needs at least one faction")
    out.extend(calendar_problems(s))
    out.extend(state_problems(s))
    out.extend(interim_problems(s))
    params = parameter_paths(s)
    out.extend(range_problems(s, params))
    known = set(params)
    for name, shock in s.shocks.items():
        for k, eff in enumerate(shock.effects):
            if isinstance(eff, SetParam) and eff.path not in known:
                out.append(
                    f"shocks.{name}.effects.{k}.path: '{eff.path}' is not a numeric parameter"
                )
        out.extend(_history_problems(s, name, shock))
    return out


def state_problems(s: Scenario) -> list[str]:
    """The starting state must be one the model can be in.

    A snapback in force at the start needs a snapback holder, whose numbers it applies; a war or
    a ceasefire follows a strike (``past_strikes`` at least 1); the war's details need a war.
    """
    state = s.state
    if state is None:
        return []
    out = []
    if state.snapback and not any(isinstance(a, Snapback) for a in s.actors.values()):
        out.append(
            "state.snapback: needs a snapback holder (an actor with instrument: snapback) whose "
            "no_deal_drop and pressure_boost it applies"
        )
    if state.phase != "talks_ongoing" and state.past_strikes < 1:
        out.append(
            f"state.phase: '{state.phase}' follows a strike, so state.past_strikes must be at "
            "least 1"
        )
    for name in ("us_took_part", "escalated"):
        if getattr(state, name) and state.phase != "at_war":
            out.append(f"state.{name}: describes a war under way, so needs state.phase: at_war")
    if state.interim_until is not None and state.phase != "talks_ongoing":
        out.append(
            "state.interim_until: an interim deal in force is part of talks under way, so needs "
            "state.phase: talks_ongoing"
        )
    return out


def interim_problems(s: Scenario) -> list[str]:
    """An interim deal covers known issues; one in force at the start expires after it."""
    out = []
    if s.interim is not None:
        out += [
            f"interim.covers.{k}: unknown issue '{issue}'"
            for k, issue in enumerate(s.interim.covers)
            if issue not in s.issues
        ]
    until = s.state.interim_until if s.state is not None else None
    if until is not None and s.date_to_step(until) < 1:
        out.append(
            f"state.interim_until: {until} must fall in a step after the start "
            f"({s.calendar.start}, one step of {s.calendar.step_days} days)"
        )
    return out


def side_problems(s: Scenario) -> list[str]:
    """The two sides must be two principals; every principal and faction belongs to a side."""
    sides = s.side_ids()
    named = f"the sides are '{sides[0]}' and '{sides[1]}' (see sides)"
    out = []
    if sides[0] == sides[1]:
        out.append(f"sides.target: the two sides must differ, got '{sides[1]}' twice")
    for role, pid in zip(("enforcer", "target"), sides, strict=True):
        if not isinstance(s.actors.get(pid), Principal):
            out.append(f"actors.{pid}: the {role} side '{pid}' needs a principal with this id")
    for aid, actor in s.actors.items():
        if isinstance(actor, Principal) and aid not in sides:
            out.append(f"actors.{aid}: a principal must be one of the two sides; {named}")
        if isinstance(actor, Faction) and actor.principal not in sides:
            out.append(f"actors.{aid}.principal: '{actor.principal}' is not a side; {named}")
    first = s.protocol.first_mover
    if first is not None and first not in sides:
        out.append(f"protocol.first_mover: '{first}' is not a side; {named}")
    return out


def _history_problems(s: Scenario, name: str, shock: Shock) -> list[str]:
    """A shock that forces an action cannot fire before the observed history ends.

    The model holds such shocks back until the week after ``calendar.observed_until``, so one
    timed only inside the history would silently never fire.
    """
    observed = s.calendar.observed_until
    if observed is None or not any(isinstance(e, ForceAction) for e in shock.effects):
        return []
    open_from = s.date_to_step(observed) + 1
    first = s.step_to_date(open_from)
    out = []
    for field in ("at", "until"):
        value = getattr(shock.trigger, field)
        step = s.date_to_step(value) if isinstance(value, dt.date) else value
        if step is not None and step < open_from:
            out.append(
                f"shocks.{name}.trigger.{field}: a shock that forces an action cannot fire "
                f"within the observed history (to {observed}); the first open week starts "
                f"{first}"
            )
    return out


def calendar_problems(s: Scenario) -> list[str]:
    """The horizon's last date must exist (``datetime.date`` ends at 9999-12-31)."""
    try:
        s.step_to_date(s.horizon)
    except OverflowError:
        return [
            f"horizon: {s.horizon} steps of {s.calendar.step_days} days from "
            f"{s.calendar.start} run past {dt.date.max}"
        ]
    return []


_UNIT = (0.0, 1.0, False)
_NONNEG = (0.0, math.inf, False)
_POSITIVE = (0.0, math.inf, True)
_SHIFT = (-10.0, 10.0, False)
"""A shift in utility units: utilities lie in [0, 1], so 10 is already ten whole scales."""
_COST = (0.0, 10.0, False)
"""A non-negative cost, drop or weight in utility units (see ``_SHIFT``)."""
RANGES: dict[str, tuple[float, float, bool]] = {
    "salience": _UNIT,
    "clout": _NONNEG,
    "risk_exponent": (1.0, 16.0, False),
    "discount": (0.0, 1.0, True),
    "concession_beta": _POSITIVE,
    "patience_half_life": _POSITIVE,
    "breakout_convexity": _POSITIVE,
    "strike_temperature": _NONNEG,
    "walkout_temperature": _NONNEG,
    "war_cost": _COST,
    "target_war_cost": _COST,
    "growth": _UNIT,
    "pressure_rate": _UNIT,
    "belief_halfwidth": _COST,
    "lobbying": _UNIT,
    "deal_aversion": _COST,
    "urgency": _NONNEG,
    "pressure_boost": _NONNEG,
    "no_deal_drop": _COST,
    "no_deal_shift": _SHIFT,
    "breakdown_value": _SHIFT,
    "strike_resolve": _SHIFT,
    "collapse_resolve": _SHIFT,
    "pressure_sensitivity": _COST,
    "pressure_clout_gain": _NONNEG,
    "lobbying_clout_gain": _NONNEG,
    "strike_restraint": _COST,
    "escalation_factor": (1.0, 20.0, False),
    "rally_clout_gain": (0.0, 10.0, False),
    "mistrust": (0.0, 10.0, False),
    "pressure_jump": _UNIT,
}
"""Allowed values by parameter name; on top of these every number of every parameter lies in
``[-MAX_MAGNITUDE, MAX_MAGNITUDE]``."""
for _name in [
    "quota",
    "override_threshold",
    "stance_inertia",
    "support",
    "snapback_cover",
    "mediation_rate",
    "hazard",
    "give_up_hazard",
    "breakdown_risk",
    "threat_credibility",
    "join_probability",
    "backing_hazard",
    "backing_hazard_failed",
    "strike_hazard",
    "lobbying_damping",
    "us_support_cost_cut",
    "target_win_low",
    "target_win_high",
    "initial_progress",
    "pressure_initial",
    "programme_damage",
    "strike_setback",
    "escalation_hazard",
    "retaliation_escalation",
    "ceasefire_hazard",
    "us_ceasefire_boost",
    "patron_ceasefire_boost",
    "escalation_drag",
    "resumption_hazard",
    "proposal_probability",
    "renewal_probability",
    "renewal_closeness",
]:
    RANGES[_name] = _UNIT
RANGES |= {  # the choice at a passing deadline (§3.4.28): extension never likelier far apart
    "extend_probability": _UNIT,
    "walkout_probability": _UNIT,
    "closeness_weight": _COST,
    "ratifiable_weight": _COST,
    "extension_weeks": (0.0, 520.0, True),
}


def range_problems(s: Scenario, params: dict[str, ParamSpec]) -> list[str]:
    """Parameters whose support or plausible range leaves their allowed range.

    For example a discount above 1, or ``{value: 0.995, range: [0.99, 2]}``: a sweep or a
    sensitivity analysis would run the range's ends. Every number of every parameter (shocks'
    included) must also lie within ``MAX_MAGNITUDE`` of 0.
    """
    out: list[str] = []
    for path, spec in params.items():
        size = magnitude(spec)
        if size > MAX_MAGNITUDE:
            out.append(
                f"{path}: every number must lie in [{-MAX_MAGNITUDE:g}, {MAX_MAGNITUDE:g}], "
                f"got {size:g} (see docs/reliability.md)"
            )
            continue
        allowed = allowed_range(s, path)
        if allowed is None:
            continue
        lo, hi = spec.bounds()
        low, high = uncertainty(spec)
        if _outside(allowed, lo, hi):
            got = f"{lo:g}" if lo == hi else f"values from {lo:g} to {hi:g}"
            out.append(f"{path}: must lie in {_interval(allowed)}, got {got}")
        elif _outside(allowed, low, high):
            out.append(f"{path}.range: must lie in {_interval(allowed)}, got [{low:g}, {high:g}]")
    return out


def allowed_range(s: Scenario, path: str) -> tuple[float, float, bool] | None:
    """The allowed ``(low, high, low_is_strict)`` of the parameter at ``path``, if any."""
    parts = path.split(".")
    if len(parts) >= 2 and parts[-2] == "ideal" and parts[-1] in s.issues:
        issue = s.issues[parts[-1]]
        return (issue.lo, issue.hi, False)
    if parts[-1] == "status_quo" and parts[0] == "issues":
        issue = s.issues[parts[1]]
        return (issue.lo, issue.hi, False)
    key = parts[-2] if len(parts) >= 2 and parts[-2] == "salience" else parts[-1]
    if key not in RANGES or (parts[0] == "shocks" and key != "hazard"):
        return None
    return RANGES[key]


def _outside(allowed: tuple[float, float, bool], lo: float, hi: float) -> bool:
    """Whether ``[lo, hi]`` leaves the allowed range."""
    a, b, strict = allowed
    return lo < a or hi > b or (strict and lo <= a)


def _interval(allowed: tuple[float, float, bool]) -> str:
    """An allowed range as text: ``[0, 1]``, ``(0, 1]``."""
    a, b, strict = allowed
    return f"{'(' if strict else '['}{a:g}, {b:g}]"


def parameter_paths(s: Scenario) -> dict[str, Any]:
    """Every numeric parameter of a scenario by dotted path, in a fixed order (file order)."""
    return dict(numeric_fields(s))
