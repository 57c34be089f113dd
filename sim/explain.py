"""The story of one world, step by step, in plain words (``negsim explain``).

A world is identified by the run's root seed and its world id; because every world draws from
its own random streams, re-running it alone (N = 1, with a full trace) reproduces exactly what
it did inside its ensemble.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.ensemble import ScenarioLike, as_loaded
from sim.model import COLLAPSE_CAUSES, NegotiationModel
from sim.outcomes import LABELS, name
from sim.rng import BLOCK_SIZE, block_seed
from sim.scenario.schema import Scenario, parameter_paths

SIDE_NAMES = {"us": "Washington", "iran": "Tehran"}
STANCE_THRESHOLD = 0.02  # share of an issue's range a stance must move to be told
CLOUT_THRESHOLD = 0.02  # change in a clout share worth telling
CLOSE_CALL = 0.02  # a weekly strike or walk-out probability worth telling


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
    return WorldStory(model, world, seed, tell(model, world, seed))


def _label(spec: Scenario, actor_id: str) -> str:
    actor = spec.actors[actor_id]
    return actor.name or actor_id


def _fmt(spec: Scenario, issue: str, value: float) -> str:
    unit = spec.issues[issue].unit
    return f"{value:.2f}{' ' + unit if unit and unit != 'share' else ''}"


def _package(spec: Scenario, x: np.ndarray) -> str:
    return ", ".join(
        f"{issue.replace('_', ' ')} {_fmt(spec, issue, v)}"
        for issue, v in zip(spec.issues, x, strict=True)
    )


def tell(model: NegotiationModel, world: int, seed: int) -> list[str]:
    """The story of world 0 of a recorded single-world model, as lines of text."""
    spec = model.spec
    outcome = name(int(model.outcome[0]))
    step = int(model.end_step[0])
    lines = [
        f"World {world} of '{spec.name}' (seed {seed}): {LABELS[outcome].lower()} "
        f"at step {step} ({spec.step_to_date(step)}).",
        "",
        "What this world drew (parameters furthest from their central values):",
        *_draws(model),
        "",
    ]
    for t, told in told_by_step(model).items():
        lines.append(f"Step {t} ({spec.step_to_date(t)}):")
        lines.extend(f"  {line}" for line in told)
    lines.append("")
    lines.append(_ending(model, outcome, step))
    return lines


def told_by_step(model: NegotiationModel) -> dict[int, list[str]]:
    """What :func:`tell` says at each step of a recorded world (silent steps are left out)."""
    told: dict[int, list[str]] = {}
    previous: dict[str, Any] | None = None
    for record in model.trace:
        lines = _step_lines(model, record, previous)
        if lines:
            told[int(record["step"])] = lines
        previous = record
    return told


def _draws(model: NegotiationModel, count: int = 8) -> list[str]:
    specs = parameter_paths(model.spec)
    scored = []
    for path, spec in specs.items():
        lo, hi = spec.bounds()
        if hi > lo:
            value = float(model.drawn[path][0])
            scored.append((abs(value - spec.central()) / (hi - lo), path, value, spec.central()))
    scored.sort(reverse=True)
    return [
        f"  {path} = {value:.3g} (central {central:.3g})"
        for _, path, value, central in scored[:count]
    ]


def _step_lines(
    model: NegotiationModel, record: dict[str, Any], previous: dict[str, Any] | None
) -> list[str]:
    spec = model.spec
    out: list[str] = []
    for shock_name, shock in spec.shocks.items():
        fired = record.get(f"shock:{shock_name}")
        if fired is not None and fired[0]:
            out.append(f"Shock '{shock_name}': {shock.description or 'fired'}")
    if previous is not None:
        out.extend(_clout_lines(model, record, previous))
        out.extend(_stance_lines(model, record, previous))
    if record.get("session_live") is not None and record["session_live"][0]:
        out.extend(_session_lines(model, record))
    out.extend(_outside_lines(model, record, previous))
    return out


def _clout_lines(
    model: NegotiationModel, record: dict[str, Any], previous: dict[str, Any]
) -> list[str]:
    out = []
    for side in (model.us, model.iran):
        now, before = record[f"{side.actor_id}_shares"][:, 0], previous[f"{side.actor_id}_shares"]
        for k, faction in enumerate(side.factions):
            if abs(now[k] - before[k, 0]) >= CLOUT_THRESHOLD:
                why = (
                    f"economic pressure at {record['pressure'][0]:.2f}"
                    if side is model.iran
                    else f"Israeli lobbying (accumulated {record['lobbying'][0]:.2f})"
                )
                verb = "rose" if now[k] > before[k, 0] else "fell"
                out.append(
                    f"{_label(model.spec, faction.actor_id)}: clout share {verb} to "
                    f"{now[k]:.0%} ({why})."
                )
    return out


def _stance_lines(
    model: NegotiationModel, record: dict[str, Any], previous: dict[str, Any]
) -> list[str]:
    spec, out = model.spec, []
    for side in (model.us, model.iran):
        now, before = record[f"{side.actor_id}_stance"][0], previous[f"{side.actor_id}_stance"][0]
        ideals, salience = side.faction_positions()
        shares = record[f"{side.actor_id}_shares"][:, 0]
        for d, issue in enumerate(spec.issues):
            move = now[d] - before[d]
            if abs(move) < STANCE_THRESHOLD * model.span[d]:
                continue
            pull = shares * salience[:, 0, d] * (ideals[:, 0, d] - before[d]) * np.sign(move)
            puller = side.factions[int(np.argmax(pull))]
            out.append(
                f"{SIDE_NAMES[side.actor_id]}'s stance on {issue.replace('_', ' ')} moved from "
                f"{_fmt(spec, issue, before[d])} to {_fmt(spec, issue, now[d])}, pulled by "
                f"{_label(spec, puller.actor_id)}."
            )
    return out


def _session_lines(model: NegotiationModel, record: dict[str, Any]) -> list[str]:
    spec = model.spec
    proposer, responder = record["proposer"], record["responder"]
    lines = [
        f"{SIDE_NAMES[proposer]} proposed: {_package(spec, record['offer'][0])}.",
        (
            f"For {SIDE_NAMES[responder]} it was worth {record['responder_utility'][0]:.2f} "
            f"(its aspiration {record['responder_aspiration'][0]:.2f}, no deal "
            f"{record['responder_reservation'][0]:.2f})."
        ),
    ]
    if not record["accepted"][0]:
        lines.append(f"{SIDE_NAMES[responder]} rejected it.")
    elif record["deal"][0]:
        lines.append("Accepted and ratified on both sides: a deal.")
    else:
        for role, side_id in (("proposer", proposer), ("responder", responder)):
            if not record[f"ratified_{role}"][0]:
                why = (
                    "a faction's red line was crossed"
                    if record[f"red_line_veto_{role}"][0]
                    else "too little clout preferred it to no deal"
                )
                lines.append(f"Accepted, but {SIDE_NAMES[side_id]} did not ratify it: {why}.")
    walk = record["walkout_probability"][0]
    if record["walkout"][0]:
        lines.append(f"{SIDE_NAMES[responder]} walked out (probability {walk:.0%}).")
    elif walk >= CLOSE_CALL:
        lines.append(f"{SIDE_NAMES[responder]} weighed walking out (probability {walk:.0%}).")
    if record["rejection_ends"][0]:
        lines.append("The rejection ended the talks.")
    return lines


def _outside_lines(
    model: NegotiationModel, record: dict[str, Any], previous: dict[str, Any] | None
) -> list[str]:
    out = []
    p = record.get("israel_probability")
    if p is not None and (p[0] >= CLOSE_CALL or record["israel_strikes"][0]):
        verb = "struck Iran's programme" if record["israel_strikes"][0] else "weighed a strike"
        out.append(
            f"Israel {verb}: strike margin {record['israel_margin'][0]:+.3f}, lock-in fear "
            f"{record['israel_lock_in'][0]:.2f}, probability {p[0]:.1%} this step."
        )
        if record["us_joins"][0]:
            out.append("The United States joined the strike.")
    p_us = record.get("us_probability")
    if p_us is not None and (p_us[0] >= CLOSE_CALL or record["us_strikes"][0]):
        verb = "struck" if record["us_strikes"][0] else "weighed striking"
        out.append(f"The United States {verb} (probability {p_us[0]:.1%} this step).")
    if record.get("snapback") is not None and record["snapback"][0]:
        out.append("The E3 triggered the UN snapback: harsher sanctions return.")
    was = previous is not None and previous["collapsed"][0]
    if record["collapsed"][0] and not was:
        cause = COLLAPSE_CAUSES[int(record["collapse_cause"][0])]
        text = {
            "walkout": "Talks collapsed after the walk-out.",
            "mediator": "The mediator gave up: talks collapsed.",
            "rejection": "Talks collapsed.",
            "shock": "A shock ended the talks.",
        }.get(cause, "Talks collapsed.")
        out.append(text)
    return out


def _ending(model: NegotiationModel, outcome: str, step: int) -> str:
    spec = model.spec
    if outcome == "deal":
        return f"Outcome: a deal at step {step}: {_package(spec, model.terms[0])}."
    if outcome == "strike_us" and model.joint[0]:
        return f"Outcome: a joint US-Israeli strike at step {step}."
    if outcome == "breakdown":
        return f"Outcome: breakdown (talks collapsed at step {step}, no strike by the horizon)."
    if outcome == "no_resolution":
        return f"Outcome: still talking at the horizon (step {spec.horizon})."
    return f"Outcome: {LABELS[outcome].lower()} at step {step}."
