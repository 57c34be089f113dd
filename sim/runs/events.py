"""An ensemble's events: the events table, P(event by date) and conditional questions of it.

The events table (``events.parquet``, ``docs/outputs.md``) has one row per event of a world:
``world, step, date, event, actor, details``, ordered by world, step and order of occurrence.
From it, :func:`by_dates` gives the cumulative incidence of every event type (the share of all
worlds where it happened by each date) and :func:`ask` the probability of an event by a date,
given an earlier one (``negsim ask``). Probabilities carry 95% Wilson intervals
(:func:`sim.mechanisms.stats.wilson_interval`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from sim.engine.events import HORIZON, PHASE_AFTER_EVENT, START_PHASE, event_types
from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import STATES, TOTALS
from sim.mechanisms.stats import wilson_interval
from sim.scenario.schema import Scenario

EVENT_COLUMNS = ("world", "step", "date", "event", "actor", "details")
"""The columns of ``events.parquet``, in order."""
TEXT_COLUMNS = ("event", "actor", "details")
"""Its text columns, stored as categoricals (a dictionary of the few texts each has)."""


def event_table(model: NegotiationModel, block: int, block_size: int) -> pd.DataFrame:
    """The events of a finished block's model, its worlds numbered across the ensemble."""
    rows = model.events.rows()
    calendar = model.spec.calendar
    start = np.datetime64(calendar.start, "D")
    texts = {
        name: pd.Categorical.from_codes(coded.codes, dtype=pd.CategoricalDtype(coded.categories))
        for name, coded in (("event", rows.event), ("actor", rows.actor), ("details", rows.details))
    }
    return pd.DataFrame(
        {
            "world": block * block_size + rows.world,
            "step": rows.step,
            "date": start + rows.step.astype("timedelta64[D]") * calendar.step_days,
            **texts,
        }
    )


def concat_events(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The blocks' events tables as one: the texts' categories united and sorted.

    Each block has the categories of its own texts; the union, sorted, depends on the blocks'
    contents only (not on how many processes ran them), so the bytes do not either.
    """
    if not frames:
        return empty_events()
    table = pd.concat([f.drop(columns=list(TEXT_COLUMNS)) for f in frames], ignore_index=True)
    for name in TEXT_COLUMNS:
        table[name] = union_categoricals([f[name] for f in frames], sort_categories=True)
    return table


def empty_events() -> pd.DataFrame:
    """An events table without rows."""
    return pd.DataFrame(
        {
            "world": np.zeros(0, np.int64),
            "step": np.zeros(0, np.int32),
            "date": np.zeros(0, "datetime64[s]"),
            **{name: pd.Categorical([], categories=[]) for name in TEXT_COLUMNS},
        }
    )


def askable(spec: Scenario) -> list[str]:
    """The event names a question may use: the logged types, ``strike``, ``israeli_initiated``.

    The last two are sums (:data:`~sim.mechanisms.outcomes.TOTALS`): any of their strikes.
    """
    return [*event_types(spec), *TOTALS]


def members(name: str) -> tuple[str, ...]:
    """The logged events an event name stands for: itself, or the strikes of a total."""
    return TOTALS[name][1] if name in TOTALS else (name,)


class _Rows:
    """An events table's world, step and event columns as arrays, ordered by world then step."""

    def __init__(self, events: pd.DataFrame):
        world = events["world"].to_numpy()
        step = events["step"].to_numpy()
        codes, names = pd.factorize(events["event"])
        same = world[1:] == world[:-1]
        if not np.all((world[1:] > world[:-1]) | (same & (step[1:] >= step[:-1]))):
            order = np.lexsort((step, world))  # a table not written by this package
            world, step, codes = world[order], step[order], codes[order]
        self.world, self.step, self.codes = world, step, codes
        self.names = [str(n) for n in names]
        # The rows of each event together, each event's still ordered by world and step.
        self.by_event = np.argsort(codes.astype(np.int16), kind="stable")
        self.bounds = np.searchsorted(codes[self.by_event], np.arange(len(self.names) + 1))

    def wanted(self, name: str) -> list[int]:
        """The codes of the event ``name`` (or of its members)."""
        return [k for k, n in enumerate(self.names) if n in members(name)]

    def of(self, name: str) -> np.ndarray:
        """Which rows are the event ``name`` (or one of its members)."""
        return np.isin(self.codes, self.wanted(name))

    def first(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """The worlds (ascending) where ``name`` happened and the step it first happened in each."""
        wanted = self.wanted(name)
        rows = np.concatenate(
            [self.by_event[self.bounds[k] : self.bounds[k + 1]] for k in wanted]
            or [np.zeros(0, dtype=np.int64)]
        )
        if len(wanted) > 1:
            rows.sort()  # the table's order (by world, then step), as each event's rows are
        world, step = self.world[rows], self.step[rows]
        first = np.ones(len(world), dtype=bool)
        first[1:] = world[1:] != world[:-1]
        return world[first], step[first]


def month_ends(spec: Scenario) -> list[dt.date]:
    """The last day of every month of the study period, then its end if that is not one.

    The study period runs from the calendar's start to the horizon's date.
    """
    start, end = spec.calendar.start, spec.step_to_date(spec.horizon)
    out = []
    year, month = start.year, start.month
    while True:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
        if last > end:
            break
        out.append(last)
        year, month = following.year, following.month
    return out if out and out[-1] == end else [*out, end]


def estimate(count: int, n: int) -> dict[str, Any]:
    """``p = count / n``, its 95% Wilson interval and the count."""
    lo, hi = wilson_interval(count, n)
    return {"p": count / n if n else 0.0, "ci95": [lo, hi], "count": count}


def states(worlds: pd.DataFrame) -> dict[str, Any]:
    """Each state at the horizon (:data:`~sim.mechanisms.outcomes.STATES`): share, interval."""
    counts = worlds["state"].value_counts()
    n = len(worlds)
    return {s: estimate(int(counts.get(s, 0)), n) for s in STATES}


def by_dates(events: pd.DataFrame, spec: Scenario, worlds: int) -> dict[str, Any]:
    """P(event by date) of every askable event at each month's end of the study period.

    The cumulative incidence: the share of all ``worlds`` worlds where the event happened at a
    step up to the one whose period holds the date (:meth:`Scenario.date_to_step`), with its
    Wilson interval and count. Returns the period's start, the dates, their steps and, per
    event, lists of ``p``, ``ci95`` and ``count`` (one entry per date).
    """
    dates = month_ends(spec)
    steps = np.array([spec.date_to_step(d) for d in dates])
    out: dict[str, Any] = {}
    rows = _Rows(events)
    for name in askable(spec):
        first = np.sort(rows.first(name)[1])
        counts = np.searchsorted(first, steps, side="right")
        cells = [estimate(int(c), worlds) for c in counts]
        out[name] = {key: [c[key] for c in cells] for key in ("p", "ci95", "count")}
    return {
        "start": spec.calendar.start.isoformat(),
        "dates": [d.isoformat() for d in dates],
        "steps": steps.tolist(),
        "events": out,
    }


@dataclass(frozen=True)
class Answer:
    """P(``event`` by ``by`` | ``given`` by ``by``): ``count`` of ``n`` worlds, Wilson interval."""

    event: str
    by: dt.date
    step: int
    given: str | None
    count: int
    n: int

    @property
    def p(self) -> float:
        """The estimated probability (0 when no world meets the condition)."""
        return self.count / self.n if self.n else 0.0

    @property
    def ci95(self) -> tuple[float, float]:
        """Its 95% Wilson interval."""
        return wilson_interval(self.count, self.n)

    def as_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready values."""
        return {
            "event": self.event,
            "by": self.by.isoformat(),
            "step": self.step,
            "given": self.given,
            "p": self.p,
            "ci95": list(self.ci95),
            "count": self.count,
            "n": self.n,
        }


def ask(
    events: pd.DataFrame,
    spec: Scenario,
    worlds: int,
    event: str,
    by: dt.date,
    given: str | None = None,
) -> Answer:
    """P(``event`` by ``by``), or given that ``given`` happened by ``by``.

    Without ``given``: the share of all ``worlds`` worlds where ``event`` happened at a step up to
    ``last``, the step whose period holds ``by``. With ``given``: among the worlds where
    ``given`` happened by then, the share where ``event`` happened at or after ``given``'s first
    occurrence (the same step counts) and by then. Event names are those of the log, or
    ``strike`` / ``israeli_initiated`` (any of their strikes).
    """
    last = spec.date_to_step(by)
    asked, hits = occurred(events, last, event, given)
    return Answer(event, by, last, given, len(hits), worlds if asked is None else len(asked))


def occurred(
    events: pd.DataFrame, last: int, event: str, given: str | None = None
) -> tuple[np.ndarray | None, np.ndarray]:
    """The worlds a question is about and those where its event happened, as :func:`ask` counts.

    Returns ``(asked, hits)``: ``asked`` is ``None`` without ``given`` (every world), else the
    worlds (ascending) where ``given`` happened at a step up to ``last``; ``hits`` the worlds
    (ascending) where ``event`` happened by step ``last`` and, with ``given``, at or after
    ``given``'s first occurrence (the same step counts).
    """
    table = _Rows(events)
    rows = table.of(event) & (table.step <= last)
    hit_world, hit_step = table.world[rows], table.step[rows]
    if given is None:
        return None, np.unique(hit_world)
    g_world, g_step = table.first(given)
    g_world, g_step = g_world[g_step <= last], g_step[g_step <= last]
    at = np.clip(np.searchsorted(g_world, hit_world), 0, max(len(g_world) - 1, 0))
    after = (
        (g_world[at] == hit_world) & (hit_step >= g_step[at])
        if len(g_world)
        else np.zeros(len(hit_world), dtype=bool)
    )
    return g_world, np.unique(hit_world[after])


@dataclass(frozen=True)
class Phase:
    """A span of one world's episode in one phase: steps ``start`` (inclusive) to ``end``."""

    state: str
    """A name of :data:`~sim.mechanisms.outcomes.STATES`."""
    start: int
    end: int
    """The step the next phase starts at (the horizon for the last phase)."""


def world_events(events: pd.DataFrame, world: int) -> pd.DataFrame:
    """The rows of one world in an events table, in the order they happened."""
    rows = events[events["world"].to_numpy() == world]
    return rows.sort_values("step", kind="stable").reset_index(drop=True)


def start_phase(summary: dict[str, Any]) -> str:
    """The phase a run's worlds start in: its scenario's ``state.phase`` (from ``summary.json``).

    :data:`~sim.engine.events.START_PHASE` (talks ongoing) unless the scenario starts at war or
    under a ceasefire, which no event of the run records.
    """
    state = (summary.get("scenario_data") or {}).get("state") or {}
    return str(state.get("phase", START_PHASE))


def phases(rows: pd.DataFrame, horizon: int, first: str = START_PHASE) -> list[Phase]:
    """One world's phases read back from its events (its rows of ``events.parquet``).

    From ``first`` (the run's :func:`start_phase`) at step 0, each event of
    :data:`~sim.engine.events.PHASE_AFTER_EVENT` starts the phase it puts the world in; the last
    phase runs to ``horizon``. A deal ends the world's story (``deal_in_force`` to the horizon).
    Spans of no length (two changes at one step) are left out.
    """
    out: list[Phase] = []
    state, start = first, 0
    for step, event in zip(rows["step"].to_numpy(), rows["event"].astype(str), strict=True):
        after = PHASE_AFTER_EVENT.get(event)
        if after is None or after == state:
            continue
        if int(step) > start:
            out.append(Phase(state, start, int(step)))
        state, start = after, int(step)
    out.append(Phase(state, start, max(horizon, start)))
    return out


def horizon_state(rows: pd.DataFrame) -> str | None:
    """The state a world's ``horizon`` row records (``None`` if it has none)."""
    at = rows.loc[rows["event"].astype(str) == HORIZON, "details"]
    return str(at.iloc[-1]) if len(at) else None
