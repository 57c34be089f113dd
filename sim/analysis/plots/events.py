"""Figures of a run's events: the cumulative incidence of each event type, the horizon's state.

Both are drawn from ``summary.json`` alone (``events_by_date`` and ``states``,
:func:`sim.runs.events.by_dates` and :func:`sim.runs.events.states`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.analysis.plots.common import (
    _LINESTYLES,
    OUTCOME_COLOURS,
    _subplots,
    figure_bytes,
    outcome_label,
    scenario_title,
)
from sim.analysis.plots.outcomes import outcomes_png
from sim.mechanisms.outcomes import COLOURS, STATE_COLOURS, STATE_LABELS, STATES
from sim.scenario.overrides import run_label

EVENT_COLOURS = {**OUTCOME_COLOURS, "collapse": COLOURS["breakdown"]}
"""The colour of an event that is an outcome (a collapse is the breakdown's); the other events
take matplotlib's ``tab10`` colours in turn."""
EVENT_LABELS = {
    "retaliation": "Iran retaliates",
    "ceasefire": "Ceasefire",
    "talks_resume": "Talks resume",
    "escalation": "Iran escalates its programme",
    "collapse": "Talks collapse",
    "backing": "US backs an Israeli strike",
    "snapback": "Snapback triggered",
    "bog_down": "Talks bog down",
    "shock": "Shock: {}",
    "mediation": "{} proposes a compromise",
    "distance": "{} distances itself",
    "interim": "Interim deal",
    "interim_renewed": "Interim deal renewed",
    "interim_lapsed": "Interim deal lapses",
}
"""The label of each event that is not an outcome; ``{}`` is the shock's name or patron's id."""


def event_label(name: str) -> str:
    """An event's label: ``Deal``, ``Talks collapse``, ``Shock: bandar_abbas``, ..."""
    kind, _, what = name.partition(":")
    return EVENT_LABELS[kind].format(what) if kind in EVENT_LABELS else outcome_label(name)


def plot_events(summary: dict[str, Any]) -> Figure:
    """The cumulative incidence of every event type, and the state at the horizon (bars).

    Left: P(event by date) of the decisive events and the talks' collapse (in the outcomes'
    colours); middle: of every other event (green lights, snapback, bog-down, shocks, patrons);
    both at each month's end of the study period (the share of all worlds where the event
    happened by then). Right: each state at the horizon with its 95% Wilson interval.
    """
    fig, (decisive, other, right) = _subplots(1, 3, figsize=(16, 5.4), width_ratios=(1, 1, 0.9))
    names = summary["event_types"]
    by_date = summary["events_by_date"]
    main = [n for n in names if n in EVENT_COLOURS]
    _draw_incidence(decisive, by_date, main, [EVENT_COLOURS[n] for n in main])
    decisive.set_title("Deals, strikes and collapses")
    rest = [n for n in names if n not in EVENT_COLOURS]
    palette = [colormaps["tab10"](k % 10) for k in range(len(rest))]
    _draw_incidence(other, by_date, rest, palette)
    other.set_title("Other events")
    _draw_states(right, summary["states"])
    fig.suptitle(
        f"Events of '{run_label(summary, scenario_title)}': {summary['worlds']:,} worlds, "
        f"seed {summary['seed']}"
    )
    fig.tight_layout()
    return fig


def _draw_incidence(
    ax: Axes, by_date: dict[str, Any], names: list[str], colours: list[Any]
) -> None:
    """P(event by date) of each of ``names``, from 0 at the study period's start."""
    dates = np.array([by_date["start"], *by_date["dates"]], dtype="datetime64[D]")
    for k, (name, colour) in enumerate(zip(names, colours, strict=True)):
        ax.plot(
            dates,
            [0.0, *by_date["events"][name]["p"]],
            linestyle=_LINESTYLES[k // 10 % len(_LINESTYLES)],
            marker="o",
            markersize=3,
            color=colour,
            label=event_label(name),
        )
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(event by date) (% of all worlds)")
    ax.set_xlabel("Date (points: each month's end)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.3), ncols=2, frameon=False)
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def _draw_states(ax: Axes, states: dict[str, Any]) -> None:
    names = list(reversed(STATES))
    p = [states[k]["p"] for k in names]
    lo = [max(0.0, states[k]["p"] - states[k]["ci95"][0]) for k in names]
    hi = [max(0.0, states[k]["ci95"][1] - states[k]["p"]) for k in names]
    ax.barh(
        [STATE_LABELS[k] for k in names],
        p,
        xerr=[lo, hi],
        color=[STATE_COLOURS[k] for k in names],
        capsize=4,
    )
    for y, value in enumerate(p):
        ax.text(value + hi[y] + 0.01, y, f"{value:.1%}", va="center", fontsize=9)
    ax.set_xlim(0, min(1.0, max(p) + max(hi) + 0.15))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Probability (% of worlds; error bars: 95% Wilson interval)")
    ax.set_title("State at the horizon")
    ax.grid(axis="x", alpha=0.3)


def events_png(summary: dict[str, Any]) -> bytes:
    """``events.png`` of a run: :func:`plot_events` of its summary, as PNG at 150 dpi."""
    return figure_bytes(plot_events(summary), "png", dpi=150)


def run_figures(summary: dict[str, Any]) -> dict[str, bytes]:
    """The figures every run writes beside its tables: ``outcomes.png`` and ``events.png``."""
    return {"outcomes.png": outcomes_png(summary), "events.png": events_png(summary)}
