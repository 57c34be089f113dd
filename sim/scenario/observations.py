"""Observations: dated facts an ensemble is conditioned on (``negsim condition``).

An observations file is YAML with a ``facts:`` list; each fact has a ``kind`` (``event``,
``session``, ``offer`` or ``parameter``), a ``date`` and, like a scenario's numbers, its
``evidence`` (verbatim quotes, checked against the seeds exactly as a scenario's are) or an
``assumption``. Hard facts (an event, a session, a fact with ``error: 0``) keep or reject each
world; noisy ones (``error > 0``) weigh it by the likelihood of what was observed given what
the world did or drew (docs/forecasting.md, "Observations and conditioning").

This module checks the file on its own (:func:`load_observations`); whether its names and dates
fit a scenario is checked where the scenario's events are known
(:func:`sim.runs.conditioning.check_observations`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, ValidationError, model_validator

from sim.scenario.evidence import find_seeds_dir, quote_problems
from sim.scenario.loader import ScenarioError, problem_at, read_yaml, validation_problems
from sim.scenario.params import MAX_MAGNITUDE, Evidence, FiniteFloat, Strict
from sim.scenario.schema import Id

Error = Annotated[float, Field(ge=0, le=MAX_MAGNITUDE, allow_inf_nan=False)]


class Fact(Strict):
    """Fields every fact has: its date, its evidence or assumption."""

    date: dt.date
    """The date the fact speaks of (an event's date, a session's, when a value was known)."""
    evidence: tuple[Evidence, ...] = ()
    """Quotes from the seed articles that report the fact (checked verbatim)."""
    assumption: str | None = None
    """Where no article reports it: what is assumed and why."""

    @model_validator(mode="after")
    def _sourced(self) -> Fact:
        if not self.evidence and not self.assumption:
            raise ValueError("a fact needs its evidence (quotes) or an assumption")
        return self


class EventFact(Fact):
    """An event happened on a date, by a date, or did not happen by a date (a hard fact).

    ``on``: the event happened in the step (the period of ``calendar.step_days`` days) that
    holds the date; ``by``: it first happened in that step or earlier; ``not_by``: it had not
    happened by the end of that step.
    """

    kind: Literal["event"]
    """Selects this kind of fact."""
    event: str = Field(min_length=1, max_length=100)
    """An event of the run's log (``negsim ask``'s names: ``deal``, ``collapse``,
    ``shock:NAME``, ...) or ``strike`` (any strike) or ``israeli_initiated``."""
    happened: Literal["on", "by", "not_by"]
    """``on`` the date, ``by`` the date, or ``not_by`` the date."""


class SessionFact(Fact):
    """A session of the talks was held at the date (a hard fact).

    The date must fall in a step the scenario has a session in (``protocol.session_every`` or
    ``protocol.session_dates``); a world keeps the fact where its talks were on then, so that
    the session took place (no deal in force, no war, talks not collapsed).
    """

    kind: Literal["session"]
    """Selects this kind of fact."""


class Ranged(Fact):
    """A fact on a value: it lay in ``[low, high]`` (``low == high``: one value).

    Seen with the error ``error``, a standard deviation (0: exact).
    """

    low: FiniteFloat
    """Lowest value."""
    high: FiniteFloat
    """Highest value (``low`` for one value)."""
    error: Error = 0.0
    """Standard deviation of the report's error, in the value's units (0: exact)."""

    @model_validator(mode="after")
    def _ordered(self) -> Ranged:
        if self.low > self.high:
            raise ValueError(f"needs low <= high, got low={self.low}, high={self.high}")
        if self.low == self.high and self.error == 0:
            raise ValueError("one exact value is never met by a continuous value: give an error")
        return self


class OfferFact(Ranged):
    """A side's public offer on an issue lay within ``[low, high]`` at the session of a date.

    The side's offer is its latest own offer as of that session (the one it tabled then, or
    before). With ``error: 0`` a hard fact; with ``error = σ > 0`` the reported range is the true
    offer seen with Gaussian noise of standard deviation σ, and a world with offer ``x`` weighs
    ``Φ((high − x)/σ) − Φ((low − x)/σ)``. A world whose side has made no offer by then is
    rejected.
    """

    kind: Literal["offer"]
    """Selects this kind of fact."""
    side: Id
    """The side (the scenario's enforcer or target)."""
    issue: Id
    """The issue, on its own scale (``lo`` to ``hi``)."""
    error: Error
    """Standard deviation of the report's error, in the issue's units (0: exact; required)."""


class ParameterFact(Ranged):
    """A drawn parameter's value is known to lie in ``[low, high]`` (or near one value).

    With ``error: 0`` the worlds that drew a value outside are rejected; with ``error = σ > 0``
    a world that drew ``x`` weighs ``Φ((high − x)/σ) − Φ((low − x)/σ)``, or, for one value
    (``low == high``), the Gaussian density of the value given ``x``.
    """

    kind: Literal["parameter"]
    """Selects this kind of fact."""
    path: str = Field(min_length=1, max_length=200)
    """The parameter's dotted path (``negsim evidence`` lists them), one the scenario draws."""
    error: Error = 0.0
    """Standard deviation of the knowledge's error, in the parameter's units (0: exact)."""


KINDS = {"event": EventFact, "session": SessionFact, "offer": OfferFact, "parameter": ParameterFact}
"""Each fact's ``kind`` and its model."""


def _kind_tag(value: Any) -> str | None:
    """The tag of a fact's model: ``event_fact`` for ``kind: event``, and so on (None: no kind).

    Not the kind itself, which may be a key of the fact too (``event:``) and would then be taken
    for a field in an error's path.
    """
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"{kind}_fact" if isinstance(kind, str) and kind in KINDS else None


AnyFact = Annotated[
    Annotated[EventFact, Tag("event_fact")]
    | Annotated[SessionFact, Tag("session_fact")]
    | Annotated[OfferFact, Tag("offer_fact")]
    | Annotated[ParameterFact, Tag("parameter_fact")],
    Discriminator(
        _kind_tag,
        custom_error_type="fact_kind",
        custom_error_message="kind must be one of event, session, offer, parameter",
    ),
]


class Observations(Strict):
    """An observations file: what has been observed, fact by fact."""

    description: str | None = None
    """What the observations are and as of when."""
    facts: tuple[AnyFact, ...] = Field(max_length=1000)
    """The facts, in any order (at least one)."""

    @model_validator(mode="after")
    def _some(self) -> Observations:
        if not self.facts:
            raise ValueError("facts: give at least one fact")
        return self

    def last_date(self) -> dt.date:
        """The date of the latest fact: the posterior views run from it on."""
        return max(f.date for f in self.facts)


MODELS: tuple[type[Strict], ...] = (Observations, EventFact, SessionFact, OfferFact, ParameterFact)
"""The models of an observations file, in the order of its reference (docs/observations.md)."""


@dataclass
class LoadedObservations:
    """A checked observations file, with where each field was (for later problems)."""

    observations: Observations
    file: str
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)
    raw: dict[str, object] = field(default_factory=dict)


class ObservationsError(ScenarioError):
    """A bad observations file: every problem, each naming the file, the field and the line."""

    label: ClassVar[str] = "invalid observations"


def load_observations(path: Path) -> LoadedObservations:
    """Read and check an observations file: safe YAML, the schema, every quote verbatim.

    Raises:
        ScenarioError: labelled ``invalid observations``, every problem naming the file, the
            field and the line.
    """
    try:
        raw, lines = read_yaml(path)
    except ScenarioError as exc:  # not there, too large, not YAML, not a mapping
        raise ObservationsError(exc.problems) from None
    file = str(path)
    try:
        obs = Observations.model_validate(raw)
    except ValidationError as exc:
        problems = validation_problems(exc, raw, file, lines, docs="docs/observations.md")
        raise ObservationsError(problems) from None
    bad = quote_problems(obs, find_seeds_dir(path))
    if bad:
        raise ObservationsError([problem_at(file, p, m, lines) for p, m in bad])
    return LoadedObservations(obs, file, lines, raw)
