"""One world's whole episode on a timeline, drawn from its rows of ``events.parquet`` alone.

The phases (:data:`~sim.mechanisms.outcomes.STATES`: talks ongoing, collapsed, at war, under a
ceasefire, a deal in force) are coloured bands over the dates, read back from the events
(:func:`sim.runs.events.phases`); every event is a labelled marker above them (``negsim plot RUN
--episode [K]``, docs/outputs.md).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.analysis.plots.common import _subplots
from sim.analysis.plots.events import EVENT_COLOURS, event_label
from sim.engine.events import HORIZON, PHASE_AFTER_EVENT, START_PHASE
from sim.mechanisms.outcomes import STATE_COLOURS, STATE_LABELS, STATES, STRIKES
from sim.runs.events import horizon_state, phases

EPISODE_EVENTS = (
    *STRIKES,
    "retaliation",
    "ceasefire",
    "talks_resume",
    "collapse",
    "deal",
    "interim",
    "interim_renewed",
    "interim_lapsed",
)
"""The events a world's episode turns on: those are bold on the timeline."""
OTHER_EVENT_COLOUR = "#555555"
"""The colour of an event that changes no phase (shocks, backing, snapback, ...)."""
LEVELS = (1.3, 1.8, 2.3, 2.8, 3.3, 3.8)
"""The heights a label may take above the band (the lowest where it overlaps no other)."""
CHARS_ACROSS = 190
"""About how many characters of a label fit across the figure (to keep labels apart)."""


def interesting_world(events: pd.DataFrame) -> int:
    """The world to draw by default: the first with a strike, a ceasefire and talks resuming.

    Failing that, the first with a strike and a ceasefire, then the first with a strike, then
    the first world of the table (world 0 if it is empty).
    """
    names = events["event"].astype(str).to_numpy()
    world = events["world"].to_numpy()
    struck = set(world[np.isin(names, STRIKES)].tolist())
    ceased = set(world[names == "ceasefire"].tolist())
    resumed = set(world[names == "talks_resume"].tolist())
    for wanted in (struck & ceased & resumed, struck & ceased, struck):
        if wanted:
            return int(min(wanted))
    return int(world.min()) if len(world) else 0


def plot_episode(
    rows: pd.DataFrame, start: dt.date, *, world: int, title: str, first: str = START_PHASE
) -> Figure:
    """A world's whole episode: its phases as coloured bands over dates, its events above.

    Args:
        rows: the world's rows of ``events.parquet`` (``step``, ``date``, ``event``,
            ``details``), with its ``horizon`` row.
        start: the date of step 0 (the calendar's start).
        world: the world's id (for the title).
        title: the run's label (its scenario's title).
        first: the phase the world starts in (:func:`sim.runs.events.start_phase`).
    """
    dates = _step_dates(rows, start)
    horizon = int(rows["step"].max()) if len(rows) else 0
    fig, ax = _subplots(figsize=(13, 5.2))
    drawn = []
    for phase in phases(rows, horizon, first):
        left, right = dates[phase.start], dates[max(phase.end, phase.start)]
        ax.axvspan(left, right, ymin=0, ymax=0.22, color=STATE_COLOURS[phase.state], alpha=0.9)
        drawn.append(phase.state)
    span = float((dates[horizon] - dates[0]) / np.timedelta64(1, "D")) + 6
    _draw_events(ax, rows[rows["event"].astype(str) != HORIZON], span)
    ax.set_ylim(0, 4.1)
    ax.set_yticks([])
    ax.set_xlim(dates[0] - np.timedelta64(3, "D"), dates[horizon] + np.timedelta64(3, "D"))
    locator = AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    ax.set_xlabel("Date (bands: the phase the world is in; markers: its events)")
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    present = [s for s in STATES if s in drawn]
    ax.legend(
        handles=[Patch(color=STATE_COLOURS[s], label=STATE_LABELS[s]) for s in present],
        loc="upper center",
        bbox_to_anchor=(0.5, -0.18),
        ncols=len(present),
        frameon=False,
        title="Phase",
    )
    end = horizon_state(rows)
    at_end = f"; at the horizon: {STATE_LABELS[end].lower()}" if end in STATE_LABELS else ""
    ax.set_title(f"World {world} of '{title}': its whole episode{at_end}")
    fig.tight_layout()
    return fig


def _step_dates(rows: pd.DataFrame, start: dt.date) -> dict[int, np.datetime64]:
    """The date of step 0 and of every step an event of the world happened at."""
    out = {0: np.datetime64(start, "D")}
    for step, date in zip(rows["step"].to_numpy(), rows["date"].to_numpy(), strict=True):
        out[int(step)] = np.datetime64(date, "D")
    return out


def _event_text(event: str, details: str) -> str:
    """An event's label on the timeline: ``Iran retaliates (escalating)``, ``Deal``."""
    label = event_label(event)
    return f"{label} ({details})" if details else label


def label_levels(days: np.ndarray, lengths: list[int], span: float) -> list[float]:
    """A height of :data:`LEVELS` for each label: the lowest where it overlaps no earlier one.

    A label of ``n`` characters starting at day ``d`` covers about ``n · span / CHARS_ACROSS``
    days (``span``: the days across the axes); where every level is taken, the one freed
    first.
    """
    free = np.full(len(LEVELS), -np.inf)  # the day each level is free from
    out = []
    for day, n in zip(days.astype(np.int64), lengths, strict=True):
        open_ = np.flatnonzero(free <= day)
        k = int(open_[0]) if len(open_) else int(np.argmin(free))
        free[k] = day + (n + 2) * span / CHARS_ACROSS
        out.append(LEVELS[k])
    return out


def _draw_events(ax: Any, rows: pd.DataFrame, span: float) -> None:
    """Each event a stem from the band to its label (:func:`label_levels`)."""
    texts = [
        _event_text(e, d)
        for e, d in zip(rows["event"].astype(str), rows["details"].astype(str), strict=True)
    ]
    days = np.array([np.datetime64(d, "D") for d in rows["date"].to_numpy()], "datetime64[D]")
    levels = label_levels(days, [len(t) for t in texts], span)
    names = rows["event"].astype(str)
    for when, event, text, level in zip(days, names, texts, levels, strict=True):
        main = event in EPISODE_EVENTS or event in PHASE_AFTER_EVENT
        colour = EVENT_COLOURS.get(event, STATE_COLOURS.get(event, "#000000"))
        colour = colour if main else OTHER_EVENT_COLOUR
        ax.vlines(when, 1.0, level, color=colour, linewidth=1.2 if main else 0.7)
        ax.plot([when], [1.0], marker="o", color=colour, markersize=6 if main else 4)
        ax.annotate(
            text,
            (when, level),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold" if main else "normal",
            color=colour,
            va="center",
        )
