"""Figures of a run: outcome probabilities, several scenarios side by side, timing and terms."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.analysis.plots.common import (
    OUTCOME_COLOURS,
    ScenarioArg,
    _date_axis,
    _deadline_labels,
    _draw_deadline_strip,
    _fmt_date,
    _issue_label,
    _mark_deadlines,
    _step_unit,
    _subplots,
    _wilson_band,
    actor_colours,
    actor_label,
    as_scenario,
    figure_bytes,
    scenario_title,
)
from sim.mechanisms.outcomes import LABELS, OUTCOMES
from sim.scenario.overrides import run_label
from sim.scenario.params import central
from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import plain_words

# ---------------------------------------------------------------------- outcome probabilities


def plot_outcomes(summary: dict[str, Any]) -> Figure:
    """Horizontal bars of each outcome's probability with its 95% Wilson interval."""
    outcomes = summary["outcomes"]
    names = list(reversed(OUTCOMES))
    p = [outcomes[k]["p"] for k in names]
    lo = [max(0.0, outcomes[k]["p"] - outcomes[k]["ci95"][0]) for k in names]
    hi = [max(0.0, outcomes[k]["ci95"][1] - outcomes[k]["p"]) for k in names]
    fig, ax = _subplots(figsize=(7, 3.6))
    ax.barh(
        [LABELS[k] for k in names],
        p,
        xerr=[lo, hi],
        color=[OUTCOME_COLOURS[k] for k in names],
        capsize=4,
        error_kw={"elinewidth": 1.2},
    )
    for y, (value, _k) in enumerate(zip(p, names, strict=True)):
        ax.text(value + max(hi[y], 0.005) + 0.01, y, f"{value:.1%}", va="center", fontsize=9)
    ax.set_xlim(0, min(1.0, max(p) + max(hi) + 0.15))
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Probability (% of worlds; error bars: 95% Wilson interval)")
    ax.set_ylabel("Outcome")
    ax.set_title(
        f"Outcomes of '{run_label(summary, scenario_title)}': {summary['worlds']:,} worlds, "
        f"seed {summary['seed']}"
    )
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


def plot_forest(summaries: Sequence[dict[str, Any]], labels: Sequence[str] | None = None) -> Figure:
    """A forest plot: each outcome's probability and 95% Wilson interval, scenario by scenario.

    One panel per outcome (in its colour), one row per scenario, the first scenario (the
    baseline) on top with its estimate drawn as a dotted reference line down the panel.

    Args:
        summaries: run summaries (``summary.json`` contents), the baseline first.
        labels: row labels (default: each summary's scenario name, as :func:`scenario_title`).
    """
    if not summaries:
        raise ValueError("plot_forest needs at least one summary")
    names = (
        list(labels) if labels is not None else [run_label(s, scenario_title) for s in summaries]
    )
    rows = np.arange(len(summaries))[::-1]
    height = 1.9 + 0.42 * len(summaries)
    fig, axes = _subplots(1, len(OUTCOMES), sharey=True, figsize=(2.6 * len(OUTCOMES) + 1, height))
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        est = [s["outcomes"][outcome] for s in summaries]
        p = np.array([e["p"] for e in est])
        lo = np.array([e["ci95"][0] for e in est])
        hi = np.array([e["ci95"][1] for e in est])
        colour = OUTCOME_COLOURS[outcome]
        ax.axvline(p[0], color=colour, linestyle=":", linewidth=1, alpha=0.7)
        ax.errorbar(
            p,
            rows,
            xerr=[np.maximum(p - lo, 0), np.maximum(hi - p, 0)],
            fmt="o",
            color=colour,
            capsize=3,
            markersize=6,
            label=LABELS[outcome],
        )
        ax.set_title(LABELS[outcome], color=colour, fontweight="bold", fontsize=10)
        ax.set_xlim(0, min(1.0, max(0.05, float(hi.max()) * 1.15)))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("Probability (% of worlds)")
        ax.grid(axis="x", alpha=0.3)
    if len(summaries) > 1:
        for ax in axes:  # the baseline apart from the variants
            ax.axhline(rows[0] - 0.5, color="grey", linewidth=0.8)
    axes[0].set_yticks(rows, names)
    axes[0].set_ylabel("Scenario")
    axes[0].set_ylim(-0.6, len(summaries) - 0.4)
    fig.suptitle(_forest_title(names, summaries), fontsize=11)
    fig.tight_layout()
    return fig


def _forest_title(names: Sequence[str], summaries: Sequence[dict[str, Any]]) -> str:
    """The forest plot's title: the baseline, how many variants, the worlds, the intervals."""
    variants = len(names) - 1
    if variants == 0:
        return (
            f"Outcome probabilities of {names[0]}, {_worlds_text(summaries)}, 95% Wilson intervals"
        )
    noun = "variant" if variants == 1 else "variants"
    return (
        f"Outcome probabilities by scenario: {names[0]} (top, dotted line) against "
        f"{variants} {noun}, {_worlds_text(summaries)}, 95% Wilson intervals"
    )


def _worlds_text(summaries: Sequence[dict[str, Any]]) -> str:
    worlds = {int(s["worlds"]) for s in summaries}
    if len(summaries) == 1:
        return f"{worlds.pop():,} worlds"
    return f"{worlds.pop():,} worlds each" if len(worlds) == 1 else "worlds per scenario vary"


def outcomes_png(summary: dict[str, Any]) -> bytes:
    """``outcomes.png`` of a run: :func:`plot_outcomes` of its summary, as PNG at 150 dpi."""
    return figure_bytes(plot_outcomes(summary), "png", dpi=150)


# ----------------------------------------------------------------------------------- timing


def end_steps(worlds: pd.DataFrame) -> pd.Series:
    """Each world's time of its outcome: its end step, the collapse step for a breakdown."""
    step = worlds["step"].astype(float)
    if "collapse_step" in worlds:
        breakdown = (worlds["outcome"].astype(str) == "breakdown") & (worlds["collapse_step"] >= 0)
        step = step.where(~breakdown, worlds["collapse_step"].astype(float))
    return step


def cumulative_incidence(worlds: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """The cumulative incidence of each outcome by step (competing risks, no censoring).

    Every world ends with exactly one outcome, so ``CIF_k(t)`` is the share of all worlds that
    ended with outcome ``k`` at or before step ``t`` (Kalbfleisch and Prentice 2002, ch. 8).

    Returns:
        One row per step ``0 ... horizon``; a column per outcome, and for each its 95% Wilson
        interval (``<outcome>_low``, ``<outcome>_high``); ``still_running`` is 1 minus the sum.
    """
    n = len(worlds)
    steps = np.arange(horizon + 1)
    times = end_steps(worlds).to_numpy()
    outcome = worlds["outcome"].astype(str).to_numpy()
    cols: dict[str, Any] = {"step": steps}
    total = np.zeros(len(steps))
    for name in OUTCOMES:
        counts = np.searchsorted(np.sort(times[outcome == name]), steps, side="right")
        cols[name] = counts / n if n else np.zeros(len(steps))
        cols[f"{name}_low"], cols[f"{name}_high"] = _wilson_band(counts, n)
        if name != "no_resolution":
            total = total + cols[name]
    cols["still_running"] = 1 - total
    return pd.DataFrame(cols)


def plot_timing(worlds: pd.DataFrame, scenario: ScenarioArg, *, name: str | None = None) -> Figure:
    """Cumulative incidence of each outcome over steps and dates, the deadlines marked.

    Deal, the three strikes (Israeli alone, Israeli joined, US alone) and breakdown (dated at
    the collapse of talks) are competing risks; the dashed grey line is the share of worlds with
    no outcome yet, which ends at the horizon as the share with no resolution. Bands are
    pointwise 95% Wilson intervals.

    Args:
        worlds: the worlds table of a run (``worlds.parquet``).
        scenario: the run's scenario (for its calendar, horizon and deadlines).
        name: the scenario name in the title (default: the scenario's ``name``).
    """
    spec = as_scenario(scenario)
    table = cumulative_incidence(worlds, spec.horizon)
    steps = table["step"].to_numpy()
    width_in = 8.6  # the axes' width in inches, for placing the deadlines' labels
    levels = 1 + max((m[3] for m in _deadline_labels(spec, (0, spec.horizon), width_in)), default=0)
    fig = Figure(figsize=(10, 6.9 + 0.18 * levels))
    grid = fig.add_gridspec(2, 1, height_ratios=[0.07 + 0.06 * levels, 1.0], hspace=0.0)
    ax = fig.add_subplot(grid[1])
    strip = fig.add_subplot(grid[0], sharex=ax)
    for outcome in OUTCOMES[:-1]:
        _draw_incidence(ax, table, outcome)
    still = table["still_running"]
    ax.step(
        steps,
        still,
        where="post",
        color=OUTCOME_COLOURS["no_resolution"],
        linestyle="--",
        linewidth=1.6,
        label=f"No outcome yet (ends as no resolution: {float(still.iloc[-1]):.1%})",
    )
    _mark_deadlines(ax, spec)
    ax.set_xlim(0, spec.horizon)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(f"Step ({_step_unit(spec)} since {_fmt_date(spec.calendar.start)})")
    ax.set_ylabel("Cumulative probability (% of worlds)")
    ax.grid(alpha=0.3)
    _draw_deadline_strip(strip, spec, width_in)
    _date_axis(strip, spec)
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.13),
        ncol=2,
        fontsize=8.5,
        frameon=False,
        title="Outcome (bands: pointwise 95% Wilson intervals; dashed verticals: deadlines)",
        title_fontsize=8.5,
    )
    strip.set_title(
        f"When talks end, and how: cumulative incidence of each outcome, "
        f"{scenario_title(name or spec.name)} ({len(worlds):,} worlds)",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def _draw_incidence(ax: Axes, table: pd.DataFrame, outcome: str) -> None:
    """One outcome's cumulative incidence as a step line with its Wilson band."""
    colour = OUTCOME_COLOURS[outcome]
    steps = table["step"].to_numpy()
    final = float(table[outcome].iloc[-1])
    label = LABELS[outcome] + (" (dated at the collapse)" if outcome == "breakdown" else "")
    ax.step(
        steps,
        table[outcome],
        where="post",
        color=colour,
        linewidth=2,
        label=f"{label}: {final:.1%} by the horizon",
    )
    ax.fill_between(
        steps,
        table[f"{outcome}_low"],
        table[f"{outcome}_high"],
        step="post",
        color=colour,
        alpha=0.15,
        linewidth=0,
    )


# ------------------------------------------------------------------------------------ terms


def ideal_points(spec: Scenario) -> dict[str, dict[str, float]]:
    """Each actor's central ideal point per issue (actors with ideal points only)."""
    return {
        aid: {issue: central(value) for issue, value in actor.ideal.items()}
        for aid, actor in spec.actors.items()
        if actor.ideal
    }


def plot_terms(worlds: pd.DataFrame, scenario: ScenarioArg, *, name: str | None = None) -> Figure:
    """Per issue, the distribution of the deals' terms against each actor's ideal point.

    Each issue has two panels on its full range: above, one row per actor with its central
    ideal point (and the status quo); below, the histogram of the deals' terms with their
    median. The rows are in the same order for every issue.

    Args:
        worlds: the worlds table of a run (``worlds.parquet``).
        scenario: the run's scenario (issues, units and the actors' ideal points).
        name: the scenario name in the title (default: the scenario's ``name``).
    """
    spec = as_scenario(scenario)
    deals = worlds[worlds["outcome"].astype(str) == "deal"]
    issues = list(spec.issues)
    ncols = 1 if len(issues) == 1 else 2
    nrows = math.ceil(len(issues) / ncols)
    colours = actor_colours(spec)
    ideals = ideal_points(spec)
    rows = [*colours, "status quo"]
    strip_height = 0.16 * len(rows) + 0.2
    fig = Figure(figsize=(7 * ncols + 1.5, nrows * (strip_height + 2.4) + 1.0))
    outer = fig.add_gridspec(nrows, ncols, hspace=0.45, wspace=0.2)
    for k, issue in enumerate(issues):
        cell = outer[k // ncols, k % ncols].subgridspec(
            2, 1, height_ratios=[strip_height, 2.2], hspace=0.06
        )
        strip = fig.add_subplot(cell[0])
        hist = fig.add_subplot(cell[1], sharex=strip)
        info = spec.issues[issue]
        positions = [ideals[aid][issue] for aid in colours] + [central(info.status_quo)]
        side = "left" if k % ncols == 0 else "right"
        _draw_ideal_strip(strip, spec, rows, positions, colours, side=side)
        column = f"terms.{issue}"
        values = deals[column].dropna() if column in deals else pd.Series(dtype=float)
        if len(values):
            bins = np.linspace(info.lo, info.hi, 61).tolist()
            hist.hist(values, bins=bins, color=OUTCOME_COLOURS["deal"])
            _mark_median(hist, float(values.median()), info.lo, info.hi)
        else:
            hist.text(0.5, 0.5, "no deal in any world", transform=hist.transAxes, ha="center")
        pad = 0.02 * (info.hi - info.lo)
        hist.set_xlim(info.lo - pad, info.hi + pad)
        hist.set_xlabel(_issue_label(spec, issue))
        hist.set_ylabel("Deals (worlds)")
        hist.grid(axis="both", alpha=0.3)
        strip.set_title(plain_words(issue), fontsize=10, fontweight="bold")
    fig.suptitle(
        f"What the deals give: terms of the {len(deals):,} deals in "
        f"{scenario_title(name or spec.name)} ({len(worlds):,} worlds) against each actor's "
        "ideal point",
        fontsize=12,
    )
    return fig


def _mark_median(ax: Axes, median: float, lo: float, hi: float) -> None:
    """A vertical line at the median, labelled on the side with room (inside the axes)."""
    ax.axvline(median, color="black", linewidth=1.2)
    left = median > lo + 0.7 * (hi - lo)
    ax.annotate(
        f"median {median:.3g}",
        (median, 0.92),
        xycoords=("data", "axes fraction"),
        xytext=(-5 if left else 5, 0),
        textcoords="offset points",
        ha="right" if left else "left",
        fontsize=8.5,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
    )


def _draw_ideal_strip(
    ax: Axes,
    spec: Scenario,
    rows: list[str],
    positions: list[float],
    colours: Mapping[str, tuple[str, Any]],
    *,
    side: str = "left",
) -> None:
    """One row per actor with a marker at its ideal point; the last row is the status quo.

    The rows are labelled on ``side`` (``left`` or ``right``: the outer edge of the figure).
    """
    ys = np.arange(len(rows))[::-1]
    for row, y, x in zip(rows, ys, positions, strict=True):
        colour = colours[row][0] if row in colours else "black"
        marker = "D" if row in colours else "s"
        ax.plot([x], [y], marker=marker, color=colour, markersize=6, linestyle="")
    ax.set_yticks(ys, [actor_label(spec, r) if r in colours else "Status quo" for r in rows])
    right = side == "right"
    ax.tick_params(axis="y", labelsize=7.5, labelleft=not right, labelright=right)
    ax.tick_params(axis="x", labelbottom=False)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(alpha=0.3)
    if right:
        ax.yaxis.set_label_position("right")
    ax.set_ylabel("Ideal point", fontsize=8)
