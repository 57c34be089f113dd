"""The event log: one row per event in a world, in the order the events happened.

The model appends a row set wherever an event happens in some worlds (a deal, a strike, talks
collapsing, a shock firing, ...: ``docs/outputs.md``, ``events.parquet``). An event may happen
again in a world (a shock that fires at every step it holds; a second strike once episodes go on
after a strike), so the log holds rows, not one step per world. Appending costs nothing where
the event happened nowhere; the rows are put together once, at the end (:meth:`EventLog.rows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanisms.outcomes import STRIKES
from sim.scenario.schema import Patron, Principal, Scenario

HORIZON = "horizon"
"""The event every world has at the horizon; its details are the world's state then."""
DEADLINE_EVENTS = ("deadline_extended", "deadline_walkout", "deadline_passed")
"""What the sides chose when a side's deadline passed during talks (docs/model.md §3.4.28)."""


def moving_deadlines(spec: Scenario) -> bool:
    """Whether a side has a deadline that is decided when it passes (not only ``final`` ones)."""
    return any(
        d.at != "final"
        for actor in spec.actors.values()
        if isinstance(actor, Principal)
        for d in actor.deadline_list()
    )


PHASE_AFTER_EVENT = {
    "deal": "deal_in_force",
    **{strike: "at_war" for strike in STRIKES},
    "ceasefire": "ceasefire",
    "talks_resume": "talks_ongoing",
    "collapse": "talks_collapsed",
    "interim": "interim_in_force",
    "interim_renewed": "interim_in_force",
    "interim_lapsed": "talks_ongoing",
}
"""The phase (a name of :data:`~sim.mechanisms.outcomes.STATES`) each event puts a world in.

Every change of phase is logged as one of these events (docs/model.md §3.4.26), so a world's
phases can be read back from its rows of ``events.parquet`` alone, from ``talks_ongoing`` at
the start: the last one is its state at the horizon (tests/engine/test_episodes.py). An event
of a new phase must be added here.
"""
START_PHASE = "talks_ongoing"
"""The phase every world starts in."""


INTERIM_EVENTS = ("interim", "interim_renewed", "interim_lapsed")
"""An interim deal concluded (or in force at the start), renewed at its expiry, lapsed."""


def interims_possible(spec: Scenario) -> bool:
    """Whether a run of ``spec`` can have interim deals (an ``interim`` block, one at the start)."""
    return spec.interim is not None or (
        spec.state is not None and spec.state.interim_until is not None
    )


def event_types(spec: Scenario) -> list[str]:
    """Every event a run of ``spec`` can log but the horizon, in a fixed order.

    ``deal``; the strikes (:data:`~sim.mechanisms.outcomes.STRIKES`); ``retaliation`` (Iran's,
    ``proportionate`` or ``escalating`` in the details); ``ceasefire``; ``talks_resume``;
    ``escalation`` (of Iran's programme, its provocation in the details); ``interim``,
    ``interim_renewed`` and ``interim_lapsed`` where the scenario has interim deals
    (:func:`interims_possible`); ``collapse`` (its cause in the details); ``backing``
    (Washington's green light to Israel); ``snapback``; ``bog_down``; where a side has a
    deadline that is decided when it passes, :data:`DEADLINE_EVENTS` (the side in the actor, the
    new date or the date passed in the details); ``shock:NAME`` for each shock;
    ``mediation:PATRON`` (a patron's first compromise proposal) and ``distance:PATRON`` (a patron
    distancing itself after a collapse) for each patron.
    """
    patrons = [aid for aid, actor in spec.actors.items() if isinstance(actor, Patron)]
    return [
        "deal",
        *STRIKES,
        "retaliation",
        "ceasefire",
        "talks_resume",
        "escalation",
        *(INTERIM_EVENTS if interims_possible(spec) else ()),
        "collapse",
        "backing",
        "snapback",
        "bog_down",
        *(DEADLINE_EVENTS if moving_deadlines(spec) else ()),
        *(f"shock:{name}" for name in spec.shocks),
        *(f"mediation:{pid}" for pid in patrons),
        *(f"distance:{pid}" for pid in patrons),
    ]


@dataclass(frozen=True)
class Coded:
    """A column of texts as codes into its sorted categories: ``categories[codes[i]]``."""

    codes: np.ndarray
    categories: list[str]


@dataclass(frozen=True)
class EventRows:
    """The log's rows, ordered by world, step and order of occurrence (columns of one length)."""

    world: np.ndarray
    """The world's index in its model (int64)."""
    step: np.ndarray
    """The step of the event (int32)."""
    event: Coded
    """The event's name: ``deal``, ``strike_israel``, ``shock:NAME``, ..."""
    actor: Coded
    """The actor whose decision it was (``""`` where none is one actor's)."""
    details: Coded
    """What else the event says (a collapse's cause, a strike forced by a shock, ...)."""

    def __len__(self) -> int:
        return len(self.world)


class EventLog:
    """Rows of events appended as they happen; :meth:`rows` orders and joins them once."""

    def __init__(self) -> None:
        self._parts: list[tuple[np.ndarray, int, str, str, str | np.ndarray]] = []

    def add(
        self,
        mask: np.ndarray,
        step: int,
        event: str,
        actor: str = "",
        details: str | np.ndarray = "",
    ) -> None:
        """Log ``event`` at ``step`` in the worlds of ``mask`` (nothing is kept where it is empty).

        ``details`` is one text for every world or an array of one text per world of the model.
        """
        if not mask.any():
            return
        idx = np.flatnonzero(mask)
        self._parts.append(
            (idx, step, event, actor, details[idx] if isinstance(details, np.ndarray) else details)
        )

    def __len__(self) -> int:
        return sum(len(part[0]) for part in self._parts)

    def rows(self) -> EventRows:
        """Every row, ordered by world, then step, then the order the events were logged."""
        parts = self._parts
        sizes = np.array([len(p[0]) for p in parts], dtype=np.int64)
        world = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        step = np.repeat(np.array([p[1] for p in parts], dtype=np.int32), sizes)
        event = _coded([p[2] for p in parts], sizes)
        actor = _coded([p[3] for p in parts], sizes)
        details = _coded([p[4] for p in parts], sizes)
        part_steps = np.array([p[1] for p in parts])
        if np.all(part_steps[1:] >= part_steps[:-1]):  # logged in time order, as the model does
            order = np.argsort(world, kind="stable")  # runs of ascending worlds: a quick merge
        else:
            order = np.lexsort((np.repeat(np.arange(len(parts)), sizes), step, world))
        return EventRows(
            world=world[order].astype(np.int64),
            step=step[order],
            event=Coded(event.codes[order], event.categories),
            actor=Coded(actor.codes[order], actor.categories),
            details=Coded(details.codes[order], details.categories),
        )


def _coded(texts: list[str | np.ndarray], sizes: np.ndarray) -> Coded:
    """The texts of the parts (one text for a whole part, or one per row) as one coded column."""
    arrays = {
        k: np.unique(t.astype(str), return_inverse=True)
        for k, t in enumerate(texts)
        if isinstance(t, np.ndarray)
    }
    categories = sorted(
        {t for t in texts if isinstance(t, str)}
        | {str(x) for values, _ in arrays.values() for x in values}
    )
    lookup = {c: k for k, c in enumerate(categories)}
    codes = np.empty(int(sizes.sum()), dtype=np.int32)
    at = 0
    for k, (text, size) in enumerate(zip(texts, sizes, strict=True)):
        if isinstance(text, str):
            codes[at : at + size] = lookup[text]
        else:
            values, inverse = arrays[k]
            codes[at : at + size] = np.array([lookup[str(v)] for v in values])[inverse]
        at += size
    return Coded(codes, categories)
