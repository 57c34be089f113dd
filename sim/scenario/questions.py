"""Questions files: resolved yes/no questions to score a run's forecasts on (``negsim score``).

A questions file maps question ids to :class:`Question` entries, each "P(EVENT by DATE [| GIVEN])"
as ``negsim ask`` reads it (:func:`sim.runs.events.ask`), with its resolution (true or false),
an optional note and optional evidence (verbatim quotes of the seeds, checked as a scenario's
are: :mod:`sim.scenario.evidence`)::

    description: ...
    questions:
      no_deal_by_round_five:
        event: deal
        by: 2025-05-11
        resolution: false
        evidence: [{seed: 002_421a9f04ec3a186c.txt, quote: "...", reading: "..."}]

:func:`load_questions` reads and checks a file once, at the edge, against the runs it will be
asked of (their event names and study periods): every problem is reported with the file, the
field and the line (:class:`QuestionsError`). docs/forecasting.md ("Scoring forecasts").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import ClassVar

from pydantic import Field, StrictBool, ValidationError

from sim.scenario.evidence import find_seeds_dir, quote_problems
from sim.scenario.loader import ScenarioError, problem_at, read_yaml, validation_problems
from sim.scenario.params import Evidence, Strict
from sim.scenario.schema import Id


class Question(Strict):
    """P(``event`` by ``by`` [| ``given`` by ``by``]) and how it resolved."""

    event: str = Field(min_length=1)
    """An event name of the run, as ``negsim ask --event`` takes it (``deal``, ``strike``,
    ``collapse``, ``shock:NAME``, ...)."""
    by: dt.date
    """The event happened on or before this date (inside the run's study period)."""
    given: str | None = Field(default=None, min_length=1)
    """Only the worlds where this event happened by ``by``; ``event`` counts at or after it
    (``negsim ask --given``)."""
    resolution: StrictBool
    """What happened: true if the event did happen by the date (after ``given``), else false."""
    note: str | None = None
    """Free text: what the question is about, where its resolution comes from."""
    evidence: tuple[Evidence, ...] = ()
    """Verbatim quotes of the seeds (or of files beside them) that resolve the question."""

    def __str__(self) -> str:
        given = f" | {self.given}" if self.given else ""
        return f"P({self.event} by {self.by}{given})"


class QuestionsFile(Strict):
    """A questions file: a description and its questions by id (at least one)."""

    description: str | None = None
    questions: dict[Id, Question] = Field(min_length=1)


class QuestionsError(ScenarioError):
    """A questions file that cannot be used; every problem names the file, field and line."""

    label: ClassVar[str] = "invalid questions file"


@dataclass(frozen=True)
class Askable:
    """What a run can answer: its event names and its study period (``negsim ask``'s checks)."""

    label: str
    """How problems name the run (``the run /tmp/run``)."""
    events: tuple[str, ...]
    start: dt.date
    end: dt.date


def load_questions(path: Path, runs: Sequence[Askable] = ()) -> QuestionsFile:
    """Read a questions file and check it: schema, quotes, and each of ``runs`` can answer it.

    Raises:
        QuestionsError: every problem, each naming the file, the field and the line.
    """
    try:
        raw, lines = read_yaml(path)
    except ScenarioError as exc:  # its messages say what the file should be: a questions file
        said = "a scenario file"
        raise QuestionsError(
            [replace(p, message=p.message.replace(said, "a questions file")) for p in exc.problems]
        ) from None
    file = str(path)
    try:
        questions = QuestionsFile.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, raw, file, lines, docs="docs/forecasting.md")
        raise QuestionsError(problems) from None
    found = quote_problems(questions, find_seeds_dir(path))
    for run in runs:
        found += askable_problems(questions, run)
    if found:
        raise QuestionsError([problem_at(file, p, m, lines) for p, m in found])
    return questions


def askable_problems(questions: QuestionsFile, run: Askable) -> list[tuple[str, str]]:
    """``(field path, message)`` for each event name ``run`` lacks and each date outside it."""
    out = []
    for qid, q in questions.questions.items():
        for name, value in (("event", q.event), ("given", q.given)):
            if value is not None and value not in run.events:
                events = ", ".join(run.events)
                message = f"'{value}' is not an event of {run.label}; the events are: {events}"
                out.append((f"questions.{qid}.{name}", message))
        if not run.start <= q.by <= run.end:
            message = f"{q.by} is outside {run.label}'s study period, {run.start} to {run.end}"
            out.append((f"questions.{qid}.by", message))
    return out
