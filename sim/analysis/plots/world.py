"""The figure of one world: stances, clout, offers, shocks and ending over time."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from sim.analysis.plots.common import (
    DEADLINE_STYLE,
    IRAN_COLOUR,
    OUTCOME_COLOURS,
    US_COLOUR,
    _bare_strip,
    _date_axis,
    _fmt_date,
    _issue_label,
    _percent,
    _stack,
    _step_unit,
    actor_colours,
    actor_label,
    deadlines,
    scenario_title,
)
from sim.mechanisms.outcomes import COLOURS, DEAL, LABELS, OUTCOMES
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import SIDE_NAMES, plain_words, possessive

if TYPE_CHECKING:
    from sim.analysis.explain import WorldStory
    from sim.engine.records import StepRecord


# ---------------------------------------------------------------------------------- a world


PRESSURE_COLOUR = "#01665e"
"""Economic pressure on Iran in a world figure (dark teal: no outcome's, actor's or event's)."""
RISK_AXIS_FLOOR = 0.05
"""The least upper limit of a world's strike-risk axis: a negligible risk looks negligible."""


def plot_world(story: WorldStory) -> Figure:
    """One world over time: each side's stance per issue, offers and responses, clout, risks.

    A strip on top holds the calendar and a letter per event (explained below the figure).
    Then one panel per issue: Washington's and Tehran's stances, each offer (triangles: the
    proposer; hollow: rejected; cross in the proposer's colour: accepted but not ratified;
    star: the deal) and the status quo. Then each side's faction clout shares, then Iran's
    economic pressure and nuclear progress with the strike probabilities of each step (on an
    axis reaching at least :data:`RISK_AXIS_FLOOR`). Shocks, snapback, a collapse of talks and
    the deadlines are vertical lines across every panel, drawn over the broad line in the
    outcome's colour that ends the world. The legend lists only what is drawn.

    Args:
        story: a world told by :func:`sim.analysis.explain.explain`.
    """
    model = story.model
    spec = model.spec
    steps = np.array([r.step for r in model.trace])
    issues = list(spec.issues)
    ncols = 1 if len(issues) == 1 else 2
    issue_rows = math.ceil(len(issues) / ncols)
    height = 3.0 * issue_rows + 7.4
    fig = Figure(figsize=(13, height))
    grid = fig.add_gridspec(
        issue_rows + 3, ncols, height_ratios=[0.16] + [1.0] * issue_rows + [0.9, 0.9]
    )
    issue_axes = [fig.add_subplot(grid[1 + k // ncols, k % ncols]) for k in range(len(issues))]
    clout_axes = [fig.add_subplot(grid[issue_rows + 1, c]) for c in range(ncols)]
    risk_ax = fig.add_subplot(grid[issue_rows + 2, :])
    drawn: set[str] = set()
    for d, (ax, issue) in enumerate(zip(issue_axes, issues, strict=True)):
        drawn |= _draw_issue(ax, story, d, issue, steps)
    _draw_clout(clout_axes, story, steps)
    risk_lines = _draw_risks(risk_ax, story, steps)
    strips = [fig.add_subplot(grid[0, c], sharex=issue_axes[c]) for c in range(ncols)]
    end = int(model.end_step[0])
    outcome = OUTCOMES[int(model.outcome[0]) - 1]
    last = min(max(int(steps.max(initial=0)), end, 7) + 1.5, spec.horizon + 0.5)
    events = [e for e in _world_events(story) if e[0] <= last]
    _draw_timeline([*issue_axes, *clout_axes, risk_ax], strips, events, (end, outcome, last), spec)
    risk_ax.set_xlabel(f"Step ({_step_unit(spec)} since {_fmt_date(spec.calendar.start)})")
    handles = _world_legend(spec, outcome, drawn, {kind for _, kind, _ in events}) + risk_lines
    bottom = _world_footer(fig, spec, events, handles, height)
    ending = LABELS[outcome]
    fig.suptitle(
        f"World {story.world} of '{scenario_title(spec.name)}' (seed {story.seed}), told over "
        f"time: {ending} at step {end} ({_fmt_date(spec.step_to_date(end))})",
        fontsize=12,
    )
    fig.tight_layout(rect=(0, bottom / height, 1, 0.985))
    return fig


def _draw_timeline(
    panels: list[Axes],
    strips: list[Axes],
    events: Sequence[tuple[float, str, str]],
    ending: tuple[int, str, float],
    spec: Scenario,
) -> None:
    """The events' lines on every panel and strip, the steps' axis, the strips' letters and dates.

    ``ending`` is the step the world ended, its outcome and the last step shown.
    """
    end, outcome, last = ending
    for ax in [*panels, *strips]:
        _draw_world_lines(ax, events, end, outcome)
        ax.set_xlim(-0.5, last)
    for ax in panels:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.25)
    for k, strip in enumerate(strips):
        _draw_event_letters(strip, events, (last + 0.5) / (11.0 / len(strips)), labelled=k == 0)
        _date_axis(strip, spec)


def _world_footer(
    fig: Figure,
    spec: Scenario,
    events: Sequence[tuple[float, str, str]],
    handles: list[Any],
    height: float,
) -> float:
    """The legend and the events' footnote below the panels; returns the inches they take."""
    notes = [
        f"{letter}: step {step:g} ({_fmt_date(spec.step_to_date(int(step)))}), {text}"
        for (step, _, text), letter in zip(events, _LETTERS, strict=False)
    ]
    footnote = textwrap.fill("Events. " + "; ".join(notes) + ".", 190) if notes else ""
    foot_in = 0.17 * (footnote.count("\n") + 1) if footnote else 0.0
    legend_in = 0.22 * math.ceil(len(handles) / 4) + 0.1
    fig.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, (0.05 + foot_in) / height),
        ncol=4,
        fontsize=8.5,
        frameon=False,
    )
    fig.text(0.01, 0.005, footnote, fontsize=8.5, va="bottom", ha="left")
    return 0.1 + foot_in + legend_in


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EVENT_STYLES: dict[str, tuple[str, Any]] = {
    "shock": ("#444444", ":"),
    "snapback": ("#b8860b", "-."),
    "collapse": (COLOURS["breakdown"], "--"),
    "deadline": (DEADLINE_STYLE["color"], DEADLINE_STYLE["linestyle"]),
}
_EVENT_LABELS = {
    "shock": "Shock",
    "snapback": "Snapback (E3)",
    "collapse": "Talks collapse",
    "deadline": "Deadline",
}


def _draw_world_lines(
    ax: Axes, events: Sequence[tuple[float, str, str]], end: int, outcome: str
) -> None:
    """The events' vertical lines over the broad line in the outcome's colour at the end."""
    ax.axvline(end, color=OUTCOME_COLOURS[outcome], linewidth=5, alpha=0.45, zorder=1)
    for step, kind, _ in events:
        colour, style = _EVENT_STYLES[kind]
        ax.axvline(step, color=colour, linestyle=style, linewidth=1.3, alpha=0.95, zorder=3)


def _draw_event_letters(
    strip: Axes, events: Sequence[tuple[float, str, str]], per_inch: float, *, labelled: bool
) -> None:
    """Each event's letter in the strip above the panels, on levels so that none overlap."""
    half = 0.13 * per_inch
    levels = _stack([(step - half, step + half) for step, _, _ in events])
    count = max(levels, default=0) + 1
    for (step, kind, _), letter, level in zip(events, _LETTERS, levels, strict=False):
        colour = _EVENT_STYLES[kind][0]
        strip.text(
            step,
            1 - (level + 0.5) / count,
            letter,
            transform=strip.get_xaxis_transform(),
            va="center",
            ha="center",
            fontsize=8,
            fontweight="bold",
            color=colour,
            zorder=4,
            bbox={"facecolor": "white", "edgecolor": colour, "pad": 1.5},
        )
    _bare_strip(strip)
    if labelled:
        strip.set_ylabel("Events", rotation=0, ha="right", va="center", fontsize=9)


def _draw_issue(ax: Axes, story: WorldStory, d: int, issue: str, steps: np.ndarray) -> set[str]:
    """One issue's stances, offers and deal; returns the kinds of offer drawn."""
    model = story.model
    spec = model.spec
    trace = model.trace
    enforcer, target = spec.side_ids()
    us = np.array([r.principals[enforcer].stance[0, d] for r in trace])
    iran = np.array([r.principals[target].stance[0, d] for r in trace])
    us_label, iran_label = _stance_labels(spec)
    ax.plot(steps, us, color=US_COLOUR, linewidth=2, label=us_label)
    ax.plot(steps, iran, color=IRAN_COLOUR, linewidth=2, label=iran_label)
    ax.axhline(model.status_quo[0, d], **_STATUS_QUO_STYLE)
    drawn = set()
    for kind, xs, ys in _offers(trace, d, spec.sides.enforcer):
        style = _OFFER_STYLES[kind]
        ax.scatter(xs, ys, zorder=4, **style)
        drawn.add(kind)
    if model.outcome[0] == DEAL:
        ax.scatter([model.end_step[0]], [model.terms[0, d]], zorder=5, **_OFFER_STYLES["deal"])
        drawn.add("deal")
    info = spec.issues[issue]
    pad = 0.04 * (info.hi - info.lo)
    ax.set_ylim(info.lo - pad, info.hi + pad)
    ax.set_ylabel(_issue_label(spec, issue), fontsize=9)
    ax.set_title(f"{plain_words(issue)}: stances and offers", fontsize=10)
    return drawn


_STATUS_QUO_STYLE: dict[str, Any] = {"color": "#969696", "linestyle": "-", "linewidth": 1.4}
"""The status quo: a solid light grey line (events are dotted and dashed, in colour or black)."""

_OFFER_STYLES: dict[str, dict[str, Any]] = {
    "us_rejected": {"marker": "^", "facecolors": "white", "edgecolors": US_COLOUR, "s": 30},
    "iran_rejected": {"marker": "v", "facecolors": "white", "edgecolors": IRAN_COLOUR, "s": 30},
    "us_vetoed": {"marker": "X", "color": US_COLOUR, "s": 50},
    "iran_vetoed": {"marker": "X", "color": IRAN_COLOUR, "s": 50},
    "deal": {"marker": "*", "color": COLOURS["deal"], "s": 220, "edgecolors": "black"},
}


_OFFER_NAMES = {"us": "US offer", "iran": "Iranian offer"}
"""The legend's names of the baseline's sides' offers; another side's is its name's."""


def _offers(
    trace: list[StepRecord], d: int, enforcer: str
) -> list[tuple[str, list[int], list[float]]]:
    """Offers on issue ``d`` grouped by how they were received and by whose.

    A group's name starts ``us_`` for the enforcer's offers and ``iran_`` for the target's,
    whatever the sides' ids.
    """
    groups: dict[str, tuple[list[int], list[float]]] = {}
    for record in trace:
        session = record.live_session
        if session is None:
            continue
        if session.deal[0]:
            continue  # drawn from the deal's terms
        response = "vetoed" if session.accepted[0] else "rejected"
        side = "us" if session.proposer.actor_id == enforcer else "iran"
        kind = f"{side}_{response}"
        xs, ys = groups.setdefault(kind, ([], []))
        xs.append(record.step)
        ys.append(float(session.offer[0, d]))
    return [(kind, xs, ys) for kind, (xs, ys) in groups.items()]


def _draw_clout(axes: list[Axes], story: WorldStory, steps: np.ndarray) -> None:
    model = story.model
    spec = model.spec
    colours = actor_colours(spec)
    sides = [model.us, model.iran]
    for k, side in enumerate(sides):
        ax = axes[k % len(axes)]
        shares = np.array([r.principals[side.actor_id].shares[:, 0] for r in model.trace])
        for j, faction in enumerate(side.factions):
            colour, style = colours.get(faction.actor_id, ("grey", "-"))
            ax.plot(
                steps,
                shares[:, j],
                color=colour,
                linestyle=style,
                linewidth=1.8,
                label=actor_label(spec, faction.actor_id),
            )
    for ax in axes:
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel("Clout share (% of the side)", fontsize=9)
        ax.legend(fontsize=7.5, loc="best", framealpha=0.85)
    names = [SIDE_NAMES[pid] for pid in spec.side_ids()]
    titles = [f"Factions' clout in {name}" for name in names]
    if len(axes) == 1:
        titles = [f"Factions' clout in {names[0]} and {names[1]}"]
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=10)


def _per_step(spec: Scenario) -> str:
    """The length of a step as a noun: ``week`` or ``step of 14 days``."""
    days = spec.calendar.step_days
    return "week" if days == 7 else f"step of {days} days"


def _strike_risk(trace: list[StepRecord], who: str) -> np.ndarray:
    """Each step's probability of an Israeli (``israel``) or US strike (NaN where not weighed)."""
    events = [r.israel if who == "israel" else r.us_strike for r in trace]
    return np.array([np.nan if e is None else float(e.probability[0]) for e in events])


def _draw_risks(ax: Axes, story: WorldStory, steps: np.ndarray) -> list[Any]:
    """Pressure and nuclear progress (left axis) and the strike risk of each step (right axis).

    The right axis reaches at least :data:`RISK_AXIS_FLOOR`; each step's risk is a flat segment
    centred on the step with a marker (not a line joining steps). Returns the lines drawn.
    """
    spec = story.model.spec
    trace = story.model.trace
    ax.plot(
        steps,
        [r.principals[spec.sides.target].pressure[0] for r in trace],
        color=PRESSURE_COLOUR,
        linewidth=1.8,
        label="Economic pressure on Iran (index, 0–1)",
    )
    ax.plot(
        steps,
        [r.world.progress[0] for r in trace],
        color="black",
        linewidth=2.0,
        marker="s",
        markersize=3,
        label="Iran's nuclear progress (breakout index, 0–1)",
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("Index (0 to 1)", fontsize=9)
    right = ax.twinx()
    per = _per_step(spec)
    peak = 0.0
    for values, outcome, label in (
        (_strike_risk(trace, "israel"), "strike_israel", f"P(Israel strikes) in the {per}"),
        (_strike_risk(trace, "us"), "strike_us", f"P(US strike alone) in the {per}"),
    ):
        if np.isfinite(values).any():
            peak = max(peak, float(np.nanmax(values)))
        right.plot(
            steps,
            values,
            color=OUTCOME_COLOURS[outcome],
            linewidth=1.5,
            drawstyle="steps-mid",
            marker="o",
            markersize=3.5,
            label=label,
        )
    right.set_ylim(0, max(RISK_AXIS_FLOOR, 1.15 * peak))
    right.yaxis.set_major_formatter(FuncFormatter(_percent))
    right.set_ylabel(f"Strike probability (% per {per})", fontsize=9)
    ax.set_title("Why it ended: pressure, nuclear progress, strike risk", fontsize=10, loc="left")
    return [*ax.get_lines(), *right.get_lines()]


def _world_events(story: WorldStory) -> list[tuple[float, str, str]]:
    """The world's events as ``(step, kind, text)``, in time order.

    Shocks (one entry per step), snapback, the collapse of talks and the scenario's deadlines.
    """
    from sim.engine.model import COLLAPSE_CAUSES

    model = story.model
    out: list[tuple[float, str, str]] = []
    shocks: dict[int, list[str]] = {}
    for name, fired in model.shock_step.items():
        if fired[0] >= 0:
            shocks.setdefault(int(fired[0]), []).append(name.replace("_", " "))
    for step, names in shocks.items():
        noun = "shock" if len(names) == 1 else "shocks"
        out.append((float(step), "shock", f"{noun} {', '.join(names)}"))
    if model.snapback_step[0] >= 0:
        out.append((float(model.snapback_step[0]), "snapback", "the E3 trigger snapback"))
    if model.collapse_step[0] >= 0:
        cause = COLLAPSE_CAUSES[int(model.collapse_cause[0])]
        out.append((float(model.collapse_step[0]), "collapse", f"talks collapse ({cause})"))
    out += [(step, "deadline", text.rsplit(" (", 1)[0]) for step, text in deadlines(model.spec)]
    return sorted(out, key=lambda e: e[0])


def _stance_labels(spec: Scenario) -> tuple[str, str]:
    """The labels of the two sides' stances: ``Washington's stance``, ``Tehran's stance``."""
    enforcer, target = (possessive(SIDE_NAMES[pid]) for pid in spec.side_ids())
    return f"{enforcer} stance", f"{target} stance"


def _world_legend(spec: Scenario, outcome: str, drawn: set[str], events: set[str]) -> list[Any]:
    """The legend entries of what a world figure draws, and only those.

    The stances and status quo, the events and the kinds of offer that occur, the deal's terms
    if there is a deal, and the end.
    """
    us_label, iran_label = _stance_labels(spec)
    handles: list[Any] = [
        Line2D([], [], color=US_COLOUR, linewidth=2, label=us_label),
        Line2D([], [], color=IRAN_COLOUR, linewidth=2, label=iran_label),
        Line2D([], [], **_STATUS_QUO_STYLE, label="Status quo (no-deal package)"),
    ]
    for kind, label in _EVENT_LABELS.items():
        if kind in events:
            colour, style = _EVENT_STYLES[kind]
            handles.append(Line2D([], [], color=colour, linestyle=style, label=label))
    handles += _offer_handles(spec, drawn)
    handles.append(
        Line2D(
            [],
            [],
            color=OUTCOME_COLOURS[outcome],
            linewidth=5,
            alpha=0.45,
            label=f"Outcome: {LABELS[outcome]} (the world ends)",
        )
    )
    return handles


def _offer_handles(spec: Scenario, drawn: set[str]) -> list[Any]:
    """Legend entries for the kinds of offer drawn, and the deal's terms."""
    handles: list[Any] = []
    enforcer, target = (
        _OFFER_NAMES.get(p, f"{possessive(SIDE_NAMES[p])} offer") for p in spec.side_ids()
    )
    offers = (
        ("us_rejected", "^", US_COLOUR, f"{enforcer}, rejected"),
        ("iran_rejected", "v", IRAN_COLOUR, f"{target}, rejected"),
    )
    for kind, marker, colour, label in offers:
        if kind in drawn:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=marker,
                    linestyle="",
                    markerfacecolor="white",
                    color=colour,
                    label=label,
                )
            )
    if drawn & {"us_vetoed", "iran_vetoed"}:
        colour = US_COLOUR if "us_vetoed" in drawn else IRAN_COLOUR
        if {"us_vetoed", "iran_vetoed"} <= drawn:
            colour = "grey"
        handles.append(
            Line2D(
                [],
                [],
                marker="X",
                linestyle="",
                color=colour,
                label="Accepted, not ratified (proposer's colour)",
            )
        )
    if "deal" in drawn:
        handles.append(
            Line2D(
                [],
                [],
                marker="*",
                linestyle="",
                markersize=12,
                color=COLOURS["deal"],
                markeredgecolor="black",
                label="Deal's terms (ratified by both)",
            )
        )
    return handles
