"""One step of one world, as the dashboard's world stepper shows it (pure, no UI).

The numbers come from the world's recorded steps (:class:`sim.engine.records.StepRecord`, in
:attr:`NegotiationModel.trace`); the sentences
are those of ``negsim explain`` (:func:`sim.analysis.explain.told_by_step`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sim.analysis.explain import SIDE_NAMES, crossed_lines, join_words
from sim.dashboard.runner import WorldView
from sim.engine.model import NegotiationModel
from sim.engine.records import SessionEvent, StepRecord
from sim.mechanisms.outcomes import LABELS, RUNNING, STATE_LABELS, STATES, name
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
    step = record.step
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


def _status(record: StepRecord) -> str:
    """The world's phase at the end of the step, and its first decisive event once there is one.

    ``At war (first: Israeli strike alone)``; before any: ``Still talking`` or ``Talks
    collapsed; no strike yet``.
    """
    code = int(record.world.outcome[0])
    phase = record.world.phase
    if phase is None:  # a record made without the phase
        return f"Outcome: {LABELS[name(code)]}" if code != RUNNING else "Still talking"
    state = STATES[int(phase[0])]
    if code == RUNNING:
        return "Talks collapsed; no strike yet" if state == "talks_collapsed" else "Still talking"
    if state == "deal_in_force" and name(code) == "deal":
        return f"Outcome: {LABELS['deal']}"
    return f"{STATE_LABELS[state]} (first outcome: {LABELS[name(code)]})"


def _stances(spec: Scenario, record: StepRecord) -> list[list[str]]:
    """Rows per issue: Washington's stance, Tehran's stance and the offer on the table."""
    session = record.live_session
    offer = session.offer[0] if session is not None else None
    rows = []
    enforcer, target = (record.principals[pid] for pid in spec.side_ids())
    for d, (issue_id, issue) in enumerate(spec.issues.items()):
        unit = "" if issue.unit in ("", "share") else f" {issue.unit}"
        rows.append(
            [
                issue_id.replace("_", " "),
                f"{enforcer.stance[0][d]:.2f}{unit}",
                f"{target.stance[0][d]:.2f}{unit}",
                "none" if offer is None else f"{offer[d]:.2f}{unit}",
            ]
        )
    return rows


def _events(model: NegotiationModel, record: StepRecord) -> list[str]:
    """Short labels of what happened: a ceasefire, talks resuming, shocks, a session, strikes."""
    out = [f"Shock: {n}" for n in model.spec.shocks if record.fired(n)]
    session = record.live_session
    if session is not None:
        out.extend(_session_events(model, record, session))
    israel, us = record.israel, record.us_strike
    for happened, label in (
        (record.snapback, "E3 snapback"),
        (israel is not None and israel.strikes[0], "Israel strikes"),
        (israel is not None and israel.us_joins[0], "The US joins the strike"),
        (us is not None and us.strikes[0], "The US strikes"),
    ):
        if happened:
            out.append(label)
    return _war_events(record) + out + _hit_events(record)


def _war_events(record: StepRecord) -> list[str]:
    """A ceasefire or the talks resuming (they come first in a step)."""
    war = record.war
    if war is None:
        return []
    out = []
    if war.ceases is not None and war.ceases[0]:
        out.append("Ceasefire: the war stops, talks paused")
    if war.resumes is not None and war.resumes[0]:
        out.append("Talks resume")
    return out


def _hit_events(record: StepRecord) -> list[str]:
    """What a strike did: the programme set back, Iran's retaliation, a war."""
    hit = next((h for h in record.hits if h.hit[0]), None)
    if hit is None:
        return []
    how = "escalating" if hit.escalates[0] else "proportionate"
    return [
        f"Programme set back from {hit.progress_before[0]:.0%} to {hit.progress_after[0]:.0%}",
        f"Iran retaliates ({how}): war",
    ]


def _vetoed_by(model: NegotiationModel, record: StepRecord, side_id: str) -> str:
    """Whose red lines on which issues the session's offer crossed on one side.

    ``explain``'s words (:func:`sim.analysis.explain.crossed_lines`) without the bounds, which
    the told lines of the step give: ``Khamenei's own red line on enrichment``.
    """
    side = model.principals[side_id]
    return join_words([t for _, t, _ in crossed_lines(model.spec, side, record, bounds=False)])


def _session_events(
    model: NegotiationModel, record: StepRecord, session: SessionEvent
) -> list[str]:
    proposer, responder = session.proposer.actor_id, session.responder.actor_id
    out = [f"{SIDE_NAMES[proposer]} offers"]
    if not session.accepted[0]:
        out.append(f"{SIDE_NAMES[responder]} rejects")
        if session.responder.vote.veto[0]:
            crossed = _vetoed_by(model, record, responder)
            out.append(f"The offer crosses {crossed} in {SIDE_NAMES[responder]}")
    elif session.deal[0]:
        out.append("Accepted and ratified: a deal")
    else:
        out.append("Accepted")
        for at in (session.proposer, session.responder):
            if at.vote.veto[0]:
                crossed = _vetoed_by(model, record, at.actor_id)
                out.append(f"Vetoed in {SIDE_NAMES[at.actor_id]}: the offer crossed {crossed}")
            elif not at.vote.passed[0]:
                out.append(f"Not ratified in {SIDE_NAMES[at.actor_id]}")
    if session.walked_out[0]:
        out.append(f"{SIDE_NAMES[responder]} walks out")
    return out
