"""The story of one world, step by step, in plain words (``negsim explain``).

A world is identified by the run's root seed and its world id; because every world draws from
its own random streams, re-running it alone (N = 1, with a full trace) reproduces exactly what
it did inside its ensemble.

Stances and clout drift slowly, so a move is told once it has accumulated past a threshold since
the value last told (the opening values at step 0), with the step it is measured from. Who pulled
a stance and what moved a clout share are computed from the values the trace recorded at each
step (positions, saliences, clout and its inputs), so shocks that change ideal points or clout
are taken into account where they fired.

The story goes on past the first decisive event (docs/model.md §3.4.26): each strike's set-back
and Iran's retaliation, the war, its ceasefire (with the hazard's parts), the talks resuming,
later collapses, strikes or a deal; the first and last lines give the state at the horizon.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.engine.agents import PrincipalAgent
from sim.engine.events import PHASE_AFTER_EVENT
from sim.engine.model import COLLAPSE_CAUSES, NegotiationModel
from sim.engine.records import SessionEvent, SideAtSession, StepRecord, StrikeHit, WarStep
from sim.mechanisms import domestic
from sim.mechanisms.outcomes import LABELS, STATES, STRIKES, name
from sim.mechanisms.rng import BLOCK_SIZE, block_seed
from sim.mechanisms.strike import StrikeMargin
from sim.mechanisms.war import CeasefireHazard
from sim.runs.ensemble import ScenarioLike, as_loaded
from sim.scenario.loader import Loaded
from sim.scenario.overrides import label
from sim.scenario.schema import Scenario, SetParam, parameter_paths
from sim.scenario.vocabulary import SIDE_NAMES, describe, possessive

STANCE_THRESHOLD = 0.02  # share of an issue's range a stance must move (since last told)
CLOUT_THRESHOLD = 0.02  # change in a clout share (since last told) worth telling
CLOSE_CALL = 0.02  # a weekly strike or walk-out probability worth telling
DRIVER_SHARE = 0.25  # share of a clout move a cause must account for to be named

CLOUT_FIELDS = ("clout", "pressure_clout_gain", "lobbying_clout_gain")
"""A faction's parameters that set its clout (with its principal's pressure and lobbying)."""


@dataclass(frozen=True)
class WorldStory:
    """A world's trace and the text told from it."""

    model: NegotiationModel
    world: int
    seed: int
    lines: list[str]

    @property
    def text(self) -> str:
        """The story as one string."""
        return "\n".join(self.lines)


def run_world(
    scenario: ScenarioLike, seed: int, world: int, block_size: int = BLOCK_SIZE
) -> NegotiationModel:
    """Re-run world ``world`` of the ensemble with root seed ``seed``, alone and recorded."""
    if world < 0:
        raise ValueError("the world id must be at least 0")
    loaded = as_loaded(scenario)
    block, local = divmod(world, block_size)
    model = NegotiationModel(
        loaded.scenario, block_seed(seed, block), np.array([local]), record=True
    )
    model.run()
    return model


def explain(
    scenario: ScenarioLike, seed: int, world: int, block_size: int = BLOCK_SIZE
) -> WorldStory:
    """Tell what happened in one world and why."""
    model = run_world(scenario, seed, world, block_size)
    settings = scenario.settings if isinstance(scenario, Loaded) else []
    title = label(model.spec.name, settings)
    return WorldStory(model, world, seed, tell(model, world, seed, title=title))


# ----------------------------------------------------------------------------- words


def _label(spec: Scenario, actor_id: str) -> str:
    actor = spec.actors[actor_id]
    return actor.name or actor_id


def join_words(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _issue(issue: str) -> str:
    return issue.replace("_", " ")


def _unit(spec: Scenario, issue: str) -> str:
    """The issue's unit as it follows a number: ``% U-235`` glued, other units spaced."""
    unit = spec.issues[issue].unit
    if not unit or unit == "share":
        return ""
    return unit if unit.startswith("%") else f" {unit}"


def _fmt(spec: Scenario, issue: str, value: float) -> str:
    return f"{value:.2f}{_unit(spec, issue)}"


def _span(spec: Scenario, issue: str, before: float, after: float) -> str:
    """``from 2.60% to 4.10% U-235`` (the unit once, at the end, when it is not a %)."""
    unit = _unit(spec, issue)
    if unit.startswith("%"):
        return f"from {before:.2f}% to {after:.2f}{unit}"
    return f"from {before:.2f} to {after:.2f}{unit}"


def _package(spec: Scenario, x: np.ndarray) -> str:
    return ", ".join(
        f"{_issue(issue)} {_fmt(spec, issue, v)}" for issue, v in zip(spec.issues, x, strict=True)
    )


def step_word(spec: Scenario) -> str:
    """What one step is called: ``week`` for seven-day steps, else ``step``."""
    return "week" if spec.calendar.step_days == 7 else "step"


_PHRASES = {
    "no_resolution": "no resolution",
    "strike_israel": "an Israeli strike that the US did not join",
    "strike_joint": "an Israeli strike that the US joined",
    "strike_us": "a US strike, Israel not striking",
}


def outcome_phrase(outcome: str) -> str:
    """An outcome inside a sentence, with its article: ``a deal``, ``an Israeli strike ...``.

    A strike says who started it and who joined it (:mod:`sim.mechanisms.outcomes`).
    """
    if outcome in _PHRASES:
        return _PHRASES[outcome]
    label = LABELS[outcome]
    noun = label if label.split()[0] in ("Israeli", "US") else label.lower()
    # "a US strike": the article follows the sound, and "US" starts with a "you".
    return f"{'an' if noun[0] in 'AEIOaeio' else 'a'} {noun}"


def parameter_phrase(spec: Scenario, path: str) -> str:
    """A parameter's dotted path in plain words (:func:`sim.scenario.vocabulary.describe`).

    ``actors.pragmatists.pressure_clout_gain`` is ``Pezeshkian, Araghchi and the reformists'
    clout gain from pressure``; unknown paths fall back to their last part.
    """
    return describe(path, spec).name


def _with_unit(spec: Scenario, path: str, value: float) -> str:
    """A drawn value, with the issue's unit when the parameter is a point on an issue."""
    issue = describe(path, spec).issue
    unit = _unit(spec, issue) if issue in spec.issues else ""
    return f"{value:.3g}{unit}"


# ------------------------------------------------------------------------------ the story


def tell(model: NegotiationModel, world: int, seed: int, *, title: str | None = None) -> list[str]:
    """The story of world 0 of a recorded single-world model, as lines of text.

    ``title`` is the run's label (default: the scenario's name).
    """
    spec = model.spec
    outcome = name(int(model.outcome[0]))
    step = int(model.end_step[0])
    lines = [
        f"World {world} of '{title or spec.name}' (seed {seed}): "
        f"{outcome_phrase(outcome)} "
        f"at step {step} ({spec.step_to_date(step)}); at the horizon, "
        f"{STATE_PHRASES[STATES[int(model.phase[0])]]}.",
        "",
        "What this world drew (parameters furthest from their central values):",
        *_draws(model),
        "",
    ]
    for t, told in told_by_step(model).items():
        lines.append(f"Step {t} ({spec.step_to_date(t)}):")
        lines.extend(f"  {line}" for line in told)
    lines.append("")
    lines.append(f"{_ending(model, outcome, step)}{_afterwards(model)}")
    return lines


Mark = tuple[str, str, int]
"""What a told value is of: (``stance`` or ``clout``, side id, issue or faction index)."""


def told_by_step(model: NegotiationModel) -> dict[int, list[str]]:
    """What :func:`tell` says at each step of a recorded world (silent steps are left out)."""
    told: dict[int, list[str]] = {}
    marks: dict[Mark, int] = {}  # trace index of the value last told
    for i, record in enumerate(model.trace):
        lines, marked = _step_lines(model, i, marks)
        marks.update({mark: i for mark in marked})
        if lines:
            told[record.step] = lines
    return told


def _draws(model: NegotiationModel, count: int = 8) -> list[str]:
    spec = model.spec
    scored = []
    for path, param in parameter_paths(spec).items():
        lo, hi = param.bounds()
        if hi > lo:
            value = float(model.drawn[path][0])
            scored.append((abs(value - param.central()) / (hi - lo), path, value, param.central()))
    scored.sort(reverse=True)
    return [
        f"  {parameter_phrase(spec, path)} = {_with_unit(spec, path, value)}, "
        f"central {_with_unit(spec, path, central)} ({path})"
        for _, path, value, central in scored[:count]
    ]


def _step_lines(
    model: NegotiationModel, i: int, marks: dict[Mark, int]
) -> tuple[list[str], list[Mark]]:
    """The lines told at the ``i``-th recorded step, and the values they told."""
    record = model.trace[i]
    out = _war_lines(model, record)
    out += [
        f"Shock '{shock_name}': {shock.description or 'fired'}"
        for shock_name, shock in model.spec.shocks.items()
        if record.fired(shock_name)
    ]
    marked: list[Mark] = []
    if i == 0:
        out.extend(_opening_lines(model, record))
        marked = [("stance", s.actor_id, d) for s in _sides(model) for d in range(model.span.size)]
        marked += [("clout", s.actor_id, k) for s in _sides(model) for k in range(len(s.factions))]
    else:
        for side in _sides(model):
            for k in range(len(side.factions)):
                line = _clout_line(model, side, k, marks[("clout", side.actor_id, k)], i)
                if line:
                    out.append(line)
                    marked.append(("clout", side.actor_id, k))
        for side in _sides(model):
            for d in range(model.span.size):
                line = _stance_line(model, side, d, marks[("stance", side.actor_id, d)], i)
                if line:
                    out.append(line)
                    marked.append(("stance", side.actor_id, d))
    session = record.live_session
    if session is not None:
        earlier = [r.session for r in model.trace[:i] if r.live_session is not None]
        out.extend(_binding_lines(model, record, session, earlier[-1] if earlier else None))
        out.extend(_session_lines(model, record, session))
        out.extend(_reveal_lines(model, session, [e for e in earlier if e is not None]))
    out.extend(_outside_lines(model, record, model.trace[i - 1] if i else None))
    return out, marked


def _sides(model: NegotiationModel) -> tuple[PrincipalAgent, PrincipalAgent]:
    return model.us, model.iran


def _opening_lines(model: NegotiationModel, record: StepRecord) -> list[str]:
    """Each side's opening stance and its factions' clout shares (what later moves start from)."""
    spec, out = model.spec, []
    for side in _sides(model):
        sid = side.actor_id
        shares = record.principals[sid].shares[:, 0]
        clout = ", ".join(
            f"{_label(spec, f.actor_id)} {s:.0%}"
            for f, s in zip(side.factions, shares, strict=True)
        )
        stance = _package(spec, record.principals[sid].stance[0])
        out.append(f"{SIDE_NAMES[sid]} opens with the stance {stance}; clout: {clout}.")
    return out + _no_deal_lines(model, record, None)


def _no_deal_lines(
    model: NegotiationModel, record: StepRecord, previous: StepRecord | None
) -> list[str]:
    """What lifts or weighs on Tehran's no-deal value: its patrons' lifeline, the looming snapback.

    Told at the start, then when either changes (docs/model.md §3.4.14, §3.4.18).
    """
    world, name = record.world, SIDE_NAMES[model.iran.actor_id]
    if world.lifeline is None or world.snapback_threat is None:
        return []
    lift, threat = float(world.lifeline[0]), float(world.snapback_threat[0])
    if previous is None or previous.world.lifeline is None:
        parts = []
        if model.patrons:
            patrons = join_words([_label(model.spec, p.actor_id) for p in model.patrons])
            parts.append(f"its patrons' lifeline (+{lift:.2f}: {patrons})")
        if threat > 0:
            parts.append(f"the cost of the looming UN snapback (-{threat:.2f})")
        return [f"{name}'s value of no deal counts {join_words(parts)}."] if parts else []
    out = []
    before = float(previous.world.lifeline[0])
    if abs(lift - before) >= 0.005:
        causes = [f"'{s}'" for s in model.spec.shocks if record.fired(s)]
        causes += [
            f"{_label(model.spec, pid)} distanced itself from Iran"
            for pid, step in model.distance_step.items()
            if previous.step <= step[0] < record.step
        ]
        why = f" ({join_words(causes)})" if causes else ""
        moved = "fallen" if lift < before else "risen"
        out.append(
            f"{name}'s lifeline from its patrons has {moved} from {before:.2f} to {lift:.2f}{why}."
        )
    was = previous.world.snapback_threat
    if was is not None and was[0] > 0 and threat == 0:
        used = 0 <= model.snapback_step[0] < record.step
        how = "it is spent, the snapback used" if used else "the snapback has lapsed"
        out.append(f"The snapback threat no longer weighs on {name}: {how}.")
    return out


def _shocks_between(model: NegotiationModel, start: int, end: int, paths: set[str]) -> list[str]:
    """Shocks fired after trace index ``start`` up to ``end`` that change any of ``paths``."""
    fired = []
    for shock_name, shock in model.spec.shocks.items():
        touches = any(isinstance(e, SetParam) and e.path in paths for e in shock.effects)
        if touches and any(model.trace[m].fired(shock_name) for m in range(start + 1, end + 1)):
            fired.append(shock_name)
    return fired


def _quoted(shocks: Sequence[str]) -> str:
    return f"the shock{'s' if len(shocks) > 1 else ''} " + join_words([f"'{s}'" for s in shocks])


# ---------------------------------------------------------------------------------- stances


def stance_weights(record: StepRecord, sid: str, d: int) -> np.ndarray:
    """The factions' weights in a side's compromise on issue ``d`` at a recorded step (F,).

    Clout share × salience, normalised (the clout shares where no faction cares).
    """
    side = record.principals[sid]
    shares = side.shares[:, 0]
    weight = shares * side.salience[:, 0, d]
    return np.asarray(weight / weight.sum() if weight.sum() > 0 else shares)


def target_moves(before: StepRecord, now: StepRecord, sid: str, d: int) -> np.ndarray:
    """Each faction's part in the move of a side's compromise on issue ``d`` in one step (F,).

    The compromise is the factions' weighted mean position. A faction whose position moved
    is credited with its weight times that move; weight that changed hands is credited to the
    factions that gained it, for the distance from the losers' (loss-weighted) mean position to
    their own. The parts add up to the compromise's move.
    """
    w0, w1 = stance_weights(before, sid, d), stance_weights(now, sid, d)
    x0 = before.principals[sid].positions[:, 0, d]
    x1 = now.principals[sid].positions[:, 0, d]
    gain = w1 - w0
    lost = np.maximum(-gain, 0.0)
    losers = float(np.sum(lost * x0) / lost.sum()) if lost.sum() > 0 else 0.0
    return np.asarray(np.maximum(gain, 0.0) * (x0 - losers) + w1 * (x1 - x0))


def stance_credits(model: NegotiationModel, side: PrincipalAgent, d: int) -> np.ndarray:
    """Each faction's part in the move of the side's stance on issue ``d`` since step 0.

    The stance closes a share (its inertia) of the gap to the factions' compromise each step,
    starting on it at step 0; each faction's part follows its own part of the compromise's
    moves (:func:`target_moves`) through the same inertia, so the parts add up to the
    stance's move (exactly under the compromise rule). Returns a (steps, F) array; faction
    ``k``'s part in the move between trace indices ``j`` and ``i`` is ``[i, k] - [j, k]``.
    """
    sid, trace = side.actor_id, model.trace
    credits = np.zeros((len(trace), len(side.factions)))
    aimed = np.zeros(len(side.factions))  # each faction's part of the compromise's move
    for m in range(1, len(trace)):
        aimed = aimed + target_moves(trace[m - 1], trace[m], sid, d)
        rate = float(trace[m].principals[sid].inertia[0])
        credits[m] = credits[m - 1] + rate * (aimed - credits[m - 1])
    return credits


def _stance_line(
    model: NegotiationModel, side: PrincipalAgent, d: int, since: int, i: int
) -> str | None:
    """A side's stance on issue ``d`` once it has moved far enough from the value last told."""
    spec, sid = model.spec, side.actor_id
    issue = model.issue_ids[d]
    before = float(model.trace[since].principals[sid].stance[0, d])
    now = float(model.trace[i].principals[sid].stance[0, d])
    move = now - before
    if abs(move) < STANCE_THRESHOLD * model.span[d]:
        return None
    credits = stance_credits(model, side, d)
    pulls = (credits[i] - credits[since]) * np.sign(move)
    why, own = "", []
    if pulls.max() > 0:
        puller = side.factions[int(np.argmax(pulls))].actor_id
        why = f", pulled by {_label(spec, puller)}"
        own = _shocks_between(model, since, i, {f"actors.{puller}.ideal.{issue}"})
        if own:
            why += f", whose ideal {_quoted(own)} changed"
    paths = {
        f"actors.{f.actor_id}.{field}.{issue}"
        for f in side.factions
        for field in ("ideal", "salience")
    }
    shocks = [s for s in _shocks_between(model, since, i, paths) if s not in own]
    if shocks:
        why += f", after {_quoted(shocks)}"
    verb = "moved" if i - since > 1 else "moved in one step"
    return (
        f"{possessive(SIDE_NAMES[sid])} stance on {_issue(issue)} has {verb} "
        f"{_span(spec, issue, before, now)} since step {model.trace[since].step}{why}."
    )


# ----------------------------------------------------------------------------------- clout


def clout_shares(inputs: np.ndarray, pressure: float, lobbying: float) -> np.ndarray:
    """Clout shares (F,) from the factions' clout inputs (3, F): base clout and the two gains.

    The engine's own :func:`sim.mechanisms.domestic.clout`, for one world.
    """
    base, pressure_gain, lobbying_gain = inputs
    clout = domestic.clout(
        base, pressure_gain, lobbying_gain, np.asarray(pressure), np.asarray(lobbying)
    )
    return np.asarray(domestic.clout_shares(clout))


def clout_causes(before: StepRecord, now: StepRecord, sid: str, k: int) -> dict[str, float]:
    """What moved faction ``k``'s clout share between two recorded steps, cause by cause.

    Each cause's effect is the change in the share had only it changed: ``shock`` (the
    factions' clout parameters, which only shocks change), ``pressure`` (the side's economic
    pressure) and ``lobbying`` (the lobbying it has received).
    """

    def inputs(r: StepRecord) -> tuple[np.ndarray, float, float]:
        side = r.principals[sid]
        return side.clout_inputs[:, :, 0], float(side.pressure[0]), float(side.lobbying[0])

    (c0, p0, l0), (c1, p1, l1) = inputs(before), inputs(now)
    base = clout_shares(c0, p0, l0)[k]
    return {
        "shock": float(clout_shares(c1, p0, l0)[k] - base),
        "pressure": float(clout_shares(c0, p1, l0)[k] - base),
        "lobbying": float(clout_shares(c0, p0, l1)[k] - base),
    }


def main_causes(effects: dict[str, float], move: float) -> list[str]:
    """The causes that pushed a share the way it moved, largest first.

    Those accounting for at least :data:`DRIVER_SHARE` of the move; if none does, the largest
    one pushing that way; none if no cause did.
    """
    along = sorted(
        ((e * np.sign(move), cause) for cause, e in effects.items() if e * move > 0), reverse=True
    )
    named = [cause for e, cause in along if e >= DRIVER_SHARE * abs(move)]
    return named or [cause for _, cause in along[:1]]


def _cause_text(
    model: NegotiationModel, side: PrincipalAgent, cause: str, since: int, i: int
) -> str:
    """A cause of a clout move in words: the shocks, the pressure or the lobbying, with values."""
    sid, spec = side.actor_id, model.spec
    before, now = model.trace[since], model.trace[i]
    if cause == "shock":
        paths = {f"actors.{f.actor_id}.{field}" for f in side.factions for field in CLOUT_FIELDS}
        shocks = _shocks_between(model, since, i, paths)
        return _quoted(shocks) if shocks else "a change in the factions' base clout"
    if cause == "pressure":
        p0, p1 = float(before.principals[sid].pressure[0]), float(now.principals[sid].pressure[0])
        paths = {f"actors.{sid}.pressure_rate", f"actors.{sid}.pressure_initial"}
        paths |= (
            {f"actors.{p.actor_id}.support" for p in model.patrons} if side is model.iran else set()
        )
        shocks = _shocks_between(model, since, i, paths)
        extra = f", its growth changed by {_quoted(shocks)}" if shocks else ""
        if any(model.trace[m].snapback for m in range(since + 1, i + 1)):
            extra += ", growing faster since the UN snapback"
        verb = "up" if p1 >= p0 else "down"
        return f"economic pressure on {SIDE_NAMES[sid]} ({verb} from {p0:.2f} to {p1:.2f}{extra})"
    l0, l1 = float(before.principals[sid].lobbying[0]), float(now.principals[sid].lobbying[0])
    who = join_words([_label(spec, s.actor_id) for s in model.israel]) or "Israel"
    paths = {f"actors.{s.actor_id}.lobbying" for s in model.israel}
    paths |= {f"actors.{c.actor_id}.lobbying_damping" for c in model.counterweights}
    shocks = _shocks_between(model, since, i, paths)
    extra = f", its pace changed by {_quoted(shocks)}" if shocks else ""
    return (
        f"{possessive(who)} lobbying of {SIDE_NAMES[sid]} "
        f"(accumulated from {l0:.2f} to {l1:.2f}{extra})"
    )


def _clout_line(
    model: NegotiationModel, side: PrincipalAgent, k: int, since: int, i: int
) -> str | None:
    """A faction's clout share once it has moved far enough from the value last told."""
    sid = side.actor_id
    before = float(model.trace[since].principals[sid].shares[k, 0])
    now = float(model.trace[i].principals[sid].shares[k, 0])
    move = now - before
    if abs(move) < CLOUT_THRESHOLD:
        return None
    causes = main_causes(clout_causes(model.trace[since], model.trace[i], sid, k), move)
    why = (
        join_words([_cause_text(model, side, c, since, i) for c in causes])
        if causes
        else "the combined changes in the other factions' clout"
    )
    who = _label(model.spec, side.factions[k].actor_id)
    verb = "risen" if move > 0 else "fallen"
    return (
        f"{possessive(who)} share of clout in {SIDE_NAMES[sid]} has {verb} from {before:.0%} to "
        f"{now:.0%} since step {model.trace[since].step}, driven by {why}."
    )


# --------------------------------------------------------------------------------- sessions


def _session_lines(model: NegotiationModel, record: StepRecord, session: SessionEvent) -> list[str]:
    spec = model.spec
    proposer, responder = session.proposer, session.responder
    lines = [
        f"{SIDE_NAMES[proposer.actor_id]} proposed: {_package(spec, session.offer[0])}.",
        (
            f"For {SIDE_NAMES[responder.actor_id]} it was worth {responder.utility[0]:.2f}, "
            f"against its aspiration of {responder.aspiration[0]:.2f} and "
            f"{responder.reservation[0]:.2f} for no deal."
        ),
        *_response_lines(model, record, session),
    ]
    if not session.deal[0] and record.step >= model.open_from:
        line = _walkout_line(model, session)
        if line:
            lines.append(line)
    if session.rejection_ends[0]:
        lines.append("The rejection ended the talks.")
    return lines


def _beyond(model: NegotiationModel, session: SessionEvent) -> str:
    """Why a rejection was certain: the offer crossed the responder's binding red lines."""
    held, x, spec = session.responder.binding, session.offer[0], model.spec
    crossed = []
    for d, issue in enumerate(spec.issues):
        if x[d] > held.upper[0, d]:
            crossed.append(f"{_issue(issue)} (at most {_fmt(spec, issue, held.upper[0, d])})")
        elif x[d] < held.lower[0, d]:
            crossed.append(f"{_issue(issue)} (at least {_fmt(spec, issue, held.lower[0, d])})")
    if not crossed:
        return ""
    return (
        f": it crosses its red lines on {', '.join(crossed)}, worth less than no deal to it, "
        "and the refusal makes them known"
    )


def _response_lines(
    model: NegotiationModel, record: StepRecord, session: SessionEvent
) -> list[str]:
    """The response to an offer: rejected, a deal, or which side did not ratify it and why."""
    spec = model.spec
    sides = (session.proposer, session.responder)
    if not session.accepted[0]:
        return [f"{SIDE_NAMES[session.responder.actor_id]} rejected it{_beyond(model, session)}."]
    if session.deal[0]:
        return ["Accepted and ratified on both sides: a deal."]
    if all(s.vote.passed[0] for s in sides):
        observed = spec.calendar.observed_until or spec.step_to_date(model.open_from)
        return [
            f"Accepted and ratified, but the record has the talks going on until {observed}: "
            "no deal yet."
        ]
    return [
        f"Accepted, but {SIDE_NAMES[s.actor_id]} did not ratify it: "
        f"{ratification_failure(model, record, s)}."
        for s in sides
        if not s.vote.passed[0]
    ]


def ratification_failure(model: NegotiationModel, record: StepRecord, at: SideAtSession) -> str:
    """Why a side did not ratify an accepted offer: whose red line on which bound, or votes.

    Read from the side's recorded vote (:class:`sim.mechanisms.ratification.Ratification`).
    """
    spec, vote = model.spec, at.vote
    side = model.principals[at.actor_id]
    prefers = vote.prefers[:, 0]
    leader = _label(spec, side.factions[side.ratifier].actor_id)
    if vote.veto[0]:
        crossed = crossed_lines(spec, side, record)
        own = [text for k, text, _ in crossed if k == side.ratifier]
        if own:
            return f"it crossed {own[0]}"
        others = join_words([text for _, text, _ in crossed])
        them = "them" if sum(n for _, _, n in crossed) > 1 else "it"
        if not prefers[side.ratifier]:
            return (
                f"it crossed {others}, and {leader}, who could override {them}, preferred no deal"
            )
        backing, needed = percents(float(vote.support[0]), float(at.override_threshold[0]))
        return (
            f"it crossed {others}, and the clout backing it, {backing}, was not above the "
            f"{needed} needed to override {them}"
        )
    if not prefers[side.ratifier]:
        u = vote.u_package[side.ratifier, 0]
        nd = vote.u_no_deal[side.ratifier, 0]
        return f"{leader} preferred no deal ({u:.2f} for the offer against {nd:.2f})"
    support, quota = percents(float(vote.support[0]), float(at.quota[0]))
    return f"only {support} of its clout preferred it to no deal, short of the {quota} needed"


def crossed_lines(
    spec: Scenario, side: PrincipalAgent, record: StepRecord, *, bounds: bool = True
) -> list[tuple[int, str, int]]:
    """The red lines the session's offer crossed on one side, faction by faction.

    Triples of the faction's index, the words (``Khamenei's own red line on enrichment (at
    least 1.00% U-235; the offer had 0.00% U-235)``, without the parenthesis if not ``bounds``)
    and how many lines it crossed. The bounds are those in force at the session, as recorded
    (each world draws its own).
    """
    assert record.session is not None, "a step without a session crosses no red line"
    offer = record.session.offer[0]
    lower, upper = red_line_table(record.session, side)
    out = []
    for k, faction in enumerate(side.factions):
        crossed = [
            f"{_issue(issue)} ({word} {_fmt(spec, issue, bound)}; "
            f"the offer had {_fmt(spec, issue, offer[d])})"
            if bounds
            else _issue(issue)
            for d, issue in enumerate(spec.issues)
            for bound, over, word in (
                (upper[k, d], offer[d] > upper[k, d], "at most"),
                (lower[k, d], offer[d] < lower[k, d], "at least"),
            )
            if over
        ]
        if crossed:
            owner = possessive(_label(spec, faction.actor_id))
            own = " own" if k == side.ratifier else ""
            lines = "red lines" if len(crossed) > 1 else "red line"
            out.append((k, f"{owner}{own} {lines} on {join_words(crossed)}", len(crossed)))
    return out


def red_line_table(session: SessionEvent, side: PrincipalAgent) -> tuple[np.ndarray, np.ndarray]:
    """A side's factions' red lines in force at a session, (F, D) lower and upper bounds."""
    at = session.side(side.actor_id)
    return at.red_lower[:, 0], at.red_upper[:, 0]


def binding_red_lines(
    session: SessionEvent, side: PrincipalAgent
) -> tuple[list[int], float, float]:
    """The other factions' red lines a side keeps to in its offers at a session.

    Read from the side's recorded :class:`sim.mechanisms.ratification.BindingRedLines`: the
    ratifier's own red lines always hold; the other factions' unless the clout share of the
    ratifier and the factions without red lines overrides them. Returns the indices of the
    factions whose red lines hold (besides the ratifier's), that share and the threshold.
    """
    at = session.side(side.actor_id)
    others = [k for k in _with_red_lines(session, side) if k != side.ratifier]
    held = [] if at.binding.overridden[0] else others
    return held, float(at.binding.backing[0]), float(at.override_threshold[0])


def _red_line_words(
    model: NegotiationModel, session: SessionEvent, side: PrincipalAgent, k: int
) -> str:
    """``Rubio and the hardliners' red line on enrichment (at most 0.00% U-235)``."""
    spec = model.spec
    lower, upper = (bounds[k] for bounds in red_line_table(session, side))
    bounds = [
        f"{_issue(issue)} ({word} {_fmt(spec, issue, float(b))})"
        for d, issue in enumerate(spec.issues)
        for b, word in ((upper[d], "at most"), (lower[d], "at least"))
        if np.isfinite(b)
    ]
    owner = possessive(_label(spec, side.factions[k].actor_id))
    return f"{owner} red line{'s' if len(bounds) > 1 else ''} on {join_words(bounds)}"


def _binding_lines(
    model: NegotiationModel,
    record: StepRecord,
    session: SessionEvent,
    previous: SessionEvent | None,
) -> list[str]:
    """When a side starts or stops keeping to its other factions' red lines in its offers."""
    out = []
    for side in _sides(model):
        held, backing, threshold = binding_red_lines(session, side)
        before = binding_red_lines(previous, side)[0] if previous is not None else []
        lined = _with_red_lines(session, side)
        free = "; ".join(
            _label(model.spec, f.actor_id)
            for k, f in enumerate(side.factions)
            if k == side.ratifier or k not in lined
        )
        who = SIDE_NAMES[side.actor_id]
        have, needed = percents(backing, threshold)
        for k in held:
            if k not in before:
                out.append(
                    f"{who} keeps to {_red_line_words(model, session, side, k)} in its offers: "
                    f"the factions that could override {_them(session, side, k)} ({free}) hold "
                    f"{have} of its clout, not above the {needed} needed."
                )
        for k in before:
            if k not in held:
                out.append(
                    f"{who} no longer keeps to {_red_line_words(model, session, side, k)} in "
                    f"its offers: the factions that can override {_them(session, side, k)} "
                    f"({free}) now hold {have} of its clout, above the {needed} needed."
                )
    return out


def percents(a: float, b: float) -> tuple[str, str]:
    """Two shares as percentages, with a decimal when they would otherwise read the same."""
    for digits in (0, 1, 2):
        pair = f"{a:.{digits}%}", f"{b:.{digits}%}"
        if pair[0] != pair[1]:
            return pair
    return pair


def _them(session: SessionEvent, side: PrincipalAgent, k: int) -> str:
    """``it`` or ``them``, for faction ``k``'s red lines."""
    lower, upper = (bounds[k] for bounds in red_line_table(session, side))
    return "them" if int(np.isfinite(lower).sum() + np.isfinite(upper).sum()) > 1 else "it"


def chance(p: float) -> str:
    """A probability in words' precision: ``26%``, ``8.1%``, ``0.16%``."""
    if p >= 0.1:
        return f"{p:.0%}"
    return f"{p:.1%}" if p >= 0.01 else f"{p:.2%}"


def _with_red_lines(session: SessionEvent, side: PrincipalAgent) -> list[int]:
    """The indices of a side's factions that hold any red line at a session."""
    lower, upper = red_line_table(session, side)
    return [
        int(k)
        for k in np.flatnonzero(np.isfinite(lower).any(axis=1) | np.isfinite(upper).any(axis=1))
    ]


def revealed_bounds(
    session: SessionEvent, side: PrincipalAgent
) -> tuple[np.ndarray, np.ndarray] | None:
    """The red lines a side's veto of an accepted offer revealed to the other side, (D,) each.

    Those that hold on the side at that session: its ratifier's and the other factions' it
    keeps to (:func:`binding_red_lines`). ``None`` if the side vetoed nothing there.
    """
    if not (session.accepted[0] and session.side(side.actor_id).vote.veto[0]):
        return None
    return held_bounds(session, side)


def held_bounds(session: SessionEvent, side: PrincipalAgent) -> tuple[np.ndarray, np.ndarray]:
    """The bounds of the red lines that hold on a side at a session, (D,) lower and upper."""
    binding = session.side(side.actor_id).binding
    return binding.lower[0], binding.upper[0]


def _reveal_lines(
    model: NegotiationModel, session: SessionEvent, earlier: list[SessionEvent]
) -> list[str]:
    """When a veto first shows the other side red lines it did not know (it respects them)."""
    spec, out = model.spec, []
    for side in _sides(model):
        shown = revealed_bounds(session, side)
        if shown is None:
            continue
        d = len(model.issue_ids)
        known_lo, known_hi = np.full(d, -np.inf), np.full(d, np.inf)
        for e in earlier:
            before = revealed_bounds(e, side)
            if before is not None:
                known_lo, known_hi = (
                    np.maximum(known_lo, before[0]),
                    np.minimum(known_hi, before[1]),
                )
        lo, hi = shown
        if not ((lo > known_lo).any() or (hi < known_hi).any()):
            continue
        bounds = [
            f"{_issue(issue)} {word} {_fmt(spec, issue, float(b))}"
            for k, issue in enumerate(spec.issues)
            for b, word in ((hi[k], "at most"), (lo[k], "at least"))
            if np.isfinite(b)
        ]
        learner = model.iran if side is model.us else model.us
        own_lo, own_hi = held_bounds(session, learner)
        clash = [
            _issue(issue)
            for k, issue in enumerate(spec.issues)
            if lo[k] > own_hi[k] or hi[k] < own_lo[k]
        ]
        other = SIDE_NAMES[learner.actor_id]
        but = f", except on {join_words(clash)}, where its own come first" if clash else ""
        out.append(
            f"The veto showed {other} where {possessive(SIDE_NAMES[side.actor_id])} red lines "
            f"lie ({join_words(bounds)}); {other} keeps its offers within them from now on"
            f"{but}."
        )
    return out


def _walkout_line(model: NegotiationModel, session: SessionEvent) -> str | None:
    """The walk-out calculation, when it was close or the walk-out happened."""
    p = float(session.walkout.probability[0])
    walked = bool(session.walked_out[0])
    if not walked and p < CLOSE_CALL:
        return None
    side = model.principals[session.responder.actor_id]
    leader = _label(model.spec, side.factions[side.ratifier].actor_id)
    u, b = float(session.walkout.utility[0]), float(session.walkout.breakdown[0])
    who = SIDE_NAMES[side.actor_id]
    verb = "walked out" if walked else "weighed walking out"
    return (
        f"{who} {verb}: the offer was worth {u:.2f} to {leader}, against {b:.2f} for breaking off "
        f"the talks, which made a walk-out {chance(p)} likely."
    )


# ---------------------------------------------------------------------------- outside options


def _outside_lines(
    model: NegotiationModel, record: StepRecord, previous: StepRecord | None
) -> list[str]:
    """A collapse of the talks, US backing, then strikes weighed or made, then the snapback."""
    out = []
    was = previous is not None and previous.world.collapsed[0]
    if record.world.collapsed[0] and not was:
        cause = COLLAPSE_CAUSES[int(record.world.collapse_cause[0])]
        text = {
            "walkout": "Talks collapsed after the walk-out.",
            "mediator": "The mediator gave up: talks collapsed.",
            "rejection": "Talks collapsed.",
            "shock": "A shock ended the talks.",
            "deadline": "A side walked out as its deadline passed: talks collapsed.",
        }.get(cause, "Talks collapsed.")
        out.append(text)
    if record.step >= model.open_from:
        line = _backing_line(model, record)
        if line:
            out.append(line)
        out.extend(_israel_lines(model, record))
        line = _us_strike_line(model, record)
        if line:
            out.append(line)
    out.extend(_hit_lines(model, record))
    if record.snapback:
        out.append("The E3 triggered the UN snapback: harsher sanctions return.")
    if previous is not None:
        out.extend(_no_deal_lines(model, record, previous))
    return out


def strike_margin_terms(margin: StrikeMargin) -> list[str]:
    """The parts of Israel's strike margin beyond the value of striking now, in words.

    Its resolve, its fear of the deal on the table locking in, the collapse of the talks and
    the Gulf's restraint, leaving out those that are 0.
    """
    terms = [
        ("its resolve", float(margin.resolve[0])),
        ("its fear of the deal on the table locking in", float(margin.fear[0])),
        ("the collapse of the talks", float(margin.collapse[0])),
        ("the Gulf's restraint", -float(margin.restraint[0])),
    ]
    return [f"{text} {value:+.3f}" for text, value in terms if value != 0]


def _israel_lines(model: NegotiationModel, record: StepRecord) -> list[str]:
    """Israel's strike calculation, when a strike was close or happened."""
    event = record.israel
    if event is None:
        return []
    p, strikes = float(event.probability[0]), bool(event.strikes[0])
    if p < CLOSE_CALL and not strikes:
        return []
    who = _label(model.spec, model.israel[-1].actor_id) if model.israel else "Israel"
    if record.backing is not None and record.backing.backed[0]:
        who += ", with American backing,"
    verb = "struck Iran's programme" if strikes else "weighed a strike"
    terms = strike_margin_terms(event.margin)
    plus = f"; with {join_words(terms)}," if terms else ";"
    out = [
        f"{who} {verb}: striking now rather than waiting was worth "
        f"{event.margin.powell[0]:+.3f}, with Iran's programme at "
        f"{_progress_weighed(record):.0%} of breakout{plus} the strike margin was "
        f"{event.total[0]:+.3f}, which made a strike {chance(p)} likely this "
        f"{step_word(model.spec)}."
    ]
    if event.us_joins[0]:
        out.append("The United States joined the strike.")
    return out


def _hawks_text(model: NegotiationModel, share: float) -> str:
    """`` × the hawks' clout share 36%`` (empty when the US names no hawk faction)."""
    us = model.us
    if us.hawk is None:
        return ""
    name_ = _label(model.spec, us.factions[us.hawk].actor_id)
    return f" × {possessive(name_)} clout share {share:.0%}"


def _backing_line(model: NegotiationModel, record: StepRecord) -> str | None:
    """Washington's green light to Israel, in the step it was given."""
    event = record.backing
    if event is None or not event.backs[0]:
        return None
    parts = event.backing
    failed = ", the talks having failed" if event.talks_failed[0] else ""
    return (
        f"The United States gave Israel a green light{failed}: a backing hazard of "
        f"{parts.hazard[0]:.2f}{_hawks_text(model, float(parts.hawk_share[0]))} made it "
        f"{chance(float(parts.probability[0]))} likely this {step_word(model.spec)}."
    )


def _us_strike_line(model: NegotiationModel, record: StepRecord) -> str | None:
    event = record.us_strike
    if event is None:
        return None
    parts, strikes = event.parts, bool(event.strikes[0])
    p = float(parts.probability[0])
    if p < CLOSE_CALL and not strikes:
        return None
    hawks = _hawks_text(model, float(parts.hawk_share[0]))
    verb = "struck Iran" if strikes else "weighed a strike"
    return (
        f"The United States {verb}, the talks having failed: a strike hazard of "
        f"{parts.hazard[0]:.2f}{hawks} × the threat's credibility "
        f"{parts.credibility[0]:.2f} made a strike {chance(p)} likely this "
        f"{step_word(model.spec)}."
    )


def _ending(model: NegotiationModel, outcome: str, step: int) -> str:
    spec = model.spec
    phrase = outcome_phrase(outcome)
    if outcome == "deal":
        return f"Outcome: a deal at step {step}: {_package(spec, model.terms[0])}."
    if outcome == "breakdown":
        return f"Outcome: a breakdown (talks collapsed at step {step}, no strike by the horizon)."
    if outcome == "no_resolution":
        return f"Outcome: no resolution, still talking at the horizon (step {spec.horizon})."
    return f"Outcome: {phrase} at step {step} ({spec.step_to_date(step)})."


# ------------------------------------------------------------------------------- the episode

STATE_PHRASES = {
    "deal_in_force": "a deal in force",
    "interim_in_force": "an interim deal in force",
    "at_war": "at war",
    "ceasefire": "under a ceasefire without a deal",
    "talks_ongoing": "talks ongoing",
    "talks_collapsed": "talks collapsed",
}
"""Each state (:data:`~sim.mechanisms.outcomes.STATES`) inside a sentence."""

_EPISODE_WORDS = {
    "deal": "a deal",
    "ceasefire": "a ceasefire",
    "talks_resume": "talks resuming",
    "collapse": "the talks collapsing",
    "interim": "an interim deal",
    "interim_renewed": "the interim deal renewed",
    "interim_lapsed": "the interim deal lapsing",
}


def episode_log(model: NegotiationModel) -> list[tuple[int, str, str, str]]:
    """World 0's events as (step, event, actor, details), in the order they happened."""
    rows = model.events.rows()
    keep = np.flatnonzero(rows.world == 0)
    return [
        (
            int(rows.step[k]),
            rows.event.categories[rows.event.codes[k]],
            rows.actor.categories[rows.actor.codes[k]],
            rows.details.categories[rows.details.codes[k]],
        )
        for k in keep
    ]


def _hit(record: StepRecord) -> StrikeHit | None:
    """The strike that hit world 0 at this step, if one did."""
    return next((h for h in record.hits if h.hit[0]), None)


def _progress_weighed(record: StepRecord) -> float:
    """Iran's progress when the strikes were weighed: before a strike's set-back, if one hit."""
    hit = _hit(record)
    return float(hit.progress_before[0] if hit is not None else record.world.progress[0])


def _ordinal(k: int) -> str:
    return {1: "first", 2: "second", 3: "third"}.get(k, f"{k}th")


def _hit_lines(model: NegotiationModel, record: StepRecord) -> list[str]:
    """What a strike did: the programme set back, Iran's retaliation, the war it starts."""
    hit = _hit(record)
    if hit is None:
        return []
    count = sum(_hit(r) is not None for r in model.trace if r.step <= record.step)
    how = "and escalated" if hit.escalates[0] else "in proportion"
    us = ", the United States a party to it" if hit.us_at_war[0] else ""
    return [
        f"The strike set Iran's programme back from {hit.progress_before[0]:.0%} to "
        f"{hit.progress_after[0]:.0%} of breakout. Tehran retaliated {how}: the world's "
        f"{_ordinal(count)} war begins{us}. No talks, no growth of the programme or of the "
        "pressure until a ceasefire."
    ]


def ceasefire_terms(hazard: CeasefireHazard) -> str:
    """The parts of a war's ceasefire hazard in words (docs/model.md §3.4.26)."""
    parts = [f"a base hazard of {hazard.base[0]:.2f}"]
    if hazard.us[0]:
        parts.append(f"{hazard.us[0]:+.2f} as the United States took part")
    if hazard.patrons[0]:
        parts.append(f"{hazard.patrons[0]:+.2f} from Iran's patrons' pressure for calm")
    text = join_words(parts)
    if hazard.drag[0] != 1:
        text = f"({text}) × {hazard.drag[0]:.2f} after an escalating retaliation"
    return text


def _war_lines(model: NegotiationModel, record: StepRecord) -> list[str]:
    """A ceasefire or the talks resuming, at the start of the step (before anything else)."""
    war: WarStep | None = record.war
    if war is None:
        return []
    out, spec = [], model.spec
    word = step_word(spec)
    if war.ceases is not None and war.ceases[0] and war.hazard is not None:
        struck = [s for s, e, _, _ in episode_log(model) if e in STRIKES and s < record.step]
        since = struck[-1] if struck else record.step
        weeks = record.step - since
        out.append(
            f"A ceasefire, {weeks} {word}{'s' if weeks != 1 else ''} after the strike of step "
            f"{since}, without a deal: the war stops and the talks are paused. Its chance was "
            f"{chance(float(war.hazard.total()[0]))} this {word}: "
            f"{ceasefire_terms(war.hazard)}."
        )
    if war.resumes is not None and war.resumes[0] and war.resumption is not None:
        mediator = _label(spec, model.mediators[0].actor_id) if model.mediators else "a mediator"
        out.append(
            f"Talks resumed under the ceasefire, {mediator} bringing the sides back (a chance of "
            f"{chance(float(war.resumption[0]))} each {word}), from the state the war left: "
            f"Iran's programme at {record.world.progress[0]:.0%} of breakout, no offer on "
            "the table."
        )
    return out


def _afterwards(model: NegotiationModel) -> str:
    """What followed the first decisive event, and the state at the horizon."""
    log = episode_log(model)
    first = next((k for k, (_, e, _, _) in enumerate(log) if e == "deal" or e in STRIKES), None)
    said: list[str] = []
    for step, event, _, details in log[first + 1 :] if first is not None else []:
        if event in STRIKES:
            said.append(f"{outcome_phrase(event)} at step {step}")
        elif event == "retaliation":
            article = "an" if details[:1] in ("a", "e", "i", "o") else "a"
            retaliation = f"{article} {details} retaliation".replace("  ", " ")
            said.append(f"({retaliation})" if said else f"Tehran's {details} retaliation")
        elif event in PHASE_AFTER_EVENT:
            said.append(f"{_EPISODE_WORDS.get(event, event.replace('_', ' '))} at step {step}")
    said = [
        f"{text} {said[k + 1]}" if k + 1 < len(said) and said[k + 1].startswith("(") else text
        for k, text in enumerate(said)
        if not text.startswith("(")
    ]
    then = f" Then {join_words(said)}." if said else ""
    horizon = model.spec.horizon
    state = STATE_PHRASES[STATES[int(model.phase[0])]]
    return f"{then} At the horizon (step {horizon}, {model.spec.step_to_date(horizon)}): {state}."
