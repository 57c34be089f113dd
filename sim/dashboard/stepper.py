"""One step of one world, as the dashboard's world stepper shows it (pure, no UI).

The numbers come from the world's recorded trace (:attr:`NegotiationModel.trace`); the sentences
are those of ``negsim explain`` (:func:`sim.analysis.explain.told_by_step`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sim.analysis.explain import SIDE_NAMES, crossed_lines, join_words
from sim.dashboard.runner import WorldView
from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import LABELS, RUNNING, name
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class StepView:
    """What happened in a world at one step."""

    index: int
    count: int
    step: int
    date: dt.date
    status: str
    stances: list[list[str]]
    events: list[str]
    told: list[str]

    @property
    def label(self) -> str:
        """``Step 5 (2025-05-17), 6 of 39``."""
        return f"Step {self.step} ({self.date.isoformat()}), {self.index + 1} of {self.count}"


def step_view(view: WorldView, index: int) -> StepView:
    """The ``index``-th recorded step of a told world (clamped to the trace)."""
    model = view.story.model
    trace = model.trace
    index = max(0, min(index, len(trace) - 1))
    record = trace[index]
    step = int(record["step"])
    return StepView(
        index=index,
        count=len(trace),
        step=step,
        date=model.spec.step_to_date(step),
        status=_status(record),
        stances=_stances(model.spec, record),
        events=_events(model, record),
        told=view.told.get(step, []),
    )


def _status(record: dict[str, Any]) -> str:
    code = int(record["outcome"][0])
    if code != RUNNING:
        return f"Outcome: {LABELS[name(code)]}"
    return "Talks collapsed; no strike yet" if record["collapsed"][0] else "Still talking"


def _live(record: dict[str, Any], key: str) -> bool:
    value = record.get(key)
    return value is not None and bool(value[0])


def _stances(spec: Scenario, record: dict[str, Any]) -> list[list[str]]:
    """Rows per issue: Washington's stance, Tehran's stance and the offer on the table."""
    offer = record["offer"][0] if _live(record, "session_live") else None
    rows = []
    for d, (issue_id, issue) in enumerate(spec.issues.items()):
        unit = "" if issue.unit in ("", "share") else f" {issue.unit}"
        rows.append(
            [
                issue_id.replace("_", " "),
                f"{record['us_stance'][0][d]:.2f}{unit}",
                f"{record['iran_stance'][0][d]:.2f}{unit}",
                "none" if offer is None else f"{offer[d]:.2f}{unit}",
            ]
        )
    return rows


def _events(model: NegotiationModel, record: dict[str, Any]) -> list[str]:
    """Short labels of what happened: the session, vetoes, shocks, strikes, snapback, collapse."""
    out = [f"Shock: {n}" for n in model.spec.shocks if _live(record, f"shock:{n}")]
    if _live(record, "session_live"):
        out.extend(_session_events(model, record))
    for key, label in (
        ("snapback", "E3 snapback"),
        ("israel_strikes", "Israel strikes"),
        ("us_joins", "The US joins the strike"),
        ("us_strikes", "The US strikes"),
    ):
        if _live(record, key):
            out.append(label)
    return out


def _vetoed_by(model: NegotiationModel, record: dict[str, Any], side_id: str) -> str:
    """Whose red lines on which issues the session's offer crossed on one side.

    ``explain``'s words (:func:`sim.analysis.explain.crossed_lines`) without the bounds, which
    the told lines of the step give: ``Khamenei's own red line on enrichment``.
    """
    side = model.principals[side_id]
    return join_words([t for _, t, _ in crossed_lines(model.spec, side, record, bounds=False)])


def _session_events(model: NegotiationModel, record: dict[str, Any]) -> list[str]:
    proposer, responder = record["proposer"], record["responder"]
    out = [f"{SIDE_NAMES[proposer]} offers"]
    if not record["accepted"][0]:
        out.append(f"{SIDE_NAMES[responder]} rejects")
        if _live(record, "red_line_veto_responder"):
            crossed = _vetoed_by(model, record, responder)
            out.append(f"The offer crosses {crossed} in {SIDE_NAMES[responder]}")
    elif record["deal"][0]:
        out.append("Accepted and ratified: a deal")
    else:
        out.append("Accepted")
        for role, side in (("proposer", proposer), ("responder", responder)):
            if _live(record, f"red_line_veto_{role}"):
                crossed = _vetoed_by(model, record, side)
                out.append(f"Vetoed in {SIDE_NAMES[side]}: the offer crossed {crossed}")
            elif not record[f"ratified_{role}"][0]:
                out.append(f"Not ratified in {SIDE_NAMES[side]}")
    if _live(record, "walkout"):
        out.append(f"{SIDE_NAMES[responder]} walks out")
    return out
