"""Figures: one function per question an analyst asks of a run, a sweep or a world.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` made without pyplot, so
no backend is chosen and no figure is registered: there is nothing to close, a notebook shows
it with ``display(fig)`` and :func:`save_figure` writes it as PNG and SVG. Each outcome keeps its
colour (:data:`sim.outcomes.COLOURS`) and each actor its colour (:func:`actor_colours`) in every
figure. Titles name the subject, axes carry units, legends name every series.

- :func:`plot_outcomes`: one scenario's outcome probabilities with 95% Wilson intervals.
- :func:`plot_forest`: several scenarios side by side (baseline against variants).
- :func:`plot_timing`: cumulative incidence of each outcome over steps and dates, deadlines marked.
- :func:`plot_terms`: the deals' terms per issue against each actor's ideal point.
- :func:`plot_sweep_heatmap`, :func:`plot_sweep_line`: outcome probabilities over a sweep.
- :func:`plot_sensitivity`: Sobol' or Morris indices as bars with confidence intervals.
- :func:`plot_world`: one world's stances, clout, offers, shocks and ending over time.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from sim.outcomes import COLOURS, DEAL, LABELS, OUTCOMES
from sim.scenario.loader import Loaded, load_scenario
from sim.scenario.params import central
from sim.scenario.schema import Faction, Principal, Scenario, Snapback
from sim.stats import wilson_interval

if TYPE_CHECKING:
    from sim.explain import WorldStory

ScenarioArg = Scenario | Loaded | str | Path | Mapping[str, Any]

US_COLOUR = "#08519c"
IRAN_COLOUR = "#99000d"
_US_SHADES = ("#08519c", "#4292c6", "#9ecae1", "#084594", "#6baed6")
_IRAN_SHADES = ("#99000d", "#ef6548", "#fdae6b", "#cb181d", "#fc9272")
_OTHER_SHADES = ("#b8860b", "#01665e", "#8c6bb1", "#35978f", "#bf812d")
_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)))


# ----------------------------------------------------------------------------------- helpers


def as_scenario(scenario: ScenarioArg) -> Scenario:
    """The validated :class:`Scenario` of a scenario, a loaded scenario, a path or a mapping."""
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, Loaded):
        return scenario.scenario
    return load_scenario(scenario).scenario


def save_figure(fig: Figure, path: str | Path) -> list[Path]:
    """Write ``fig`` as ``path.png`` (150 dpi) and ``path.svg``, each atomically.

    Args:
        fig: the figure.
        path: the file path without its suffix (a suffix given is replaced).

    Returns:
        The PNG and SVG paths.
    """
    from sim.output import write_bytes_atomic

    base = Path(path)
    out = []
    for fmt in ("png", "svg"):
        target = base.with_suffix(f".{fmt}")
        write_bytes_atomic(target, figure_bytes(fig, fmt, dpi=150))
        out.append(target)
    return out


def _subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """A figure and its axes, made without pyplot (no backend or figure registry is touched)."""
    figsize = kwargs.pop("figsize", None)
    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def figure_bytes(fig: Figure, fmt: str = "png", dpi: int = 110) -> bytes:
    """The figure encoded as PNG or SVG bytes (for embedding in a report)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches="tight", metadata=_metadata(fmt))
    return buffer.getvalue()


def _metadata(fmt: str) -> dict[str, Any]:
    return {"Date": None} if fmt == "svg" else {}


def _fmt_date(date: dt.date) -> str:
    return f"{date.day} {date:%b %Y}"


def _step_unit(spec: Scenario) -> str:
    days = spec.calendar.step_days
    return "weeks" if days == 7 else f"steps of {days} days"


def _fractional_step(spec: Scenario, date: dt.date) -> float:
    return (date - spec.calendar.start).days / spec.calendar.step_days


def deadlines(spec: Scenario) -> list[tuple[float, str]]:
    """The scenario's deadlines inside the horizon as ``(step, what)``, one entry per date.

    The E3's snapback expiry, each principal's ``deadline`` and the protocol's ``ultimatum``
    (``what`` ends with the date: ``snapback expires; Iran's deadline (18 Oct 2025)``).
    """
    by_date: dict[dt.date, list[str]] = {}
    for actor in spec.actors.values():
        if isinstance(actor, Snapback):
            by_date.setdefault(actor.expiry, []).append("snapback expires")
    for aid, actor in spec.actors.items():
        if isinstance(actor, Principal) and actor.deadline is not None:
            by_date.setdefault(actor.deadline, []).append(f"{_side_name(spec, aid)}'s deadline")
    if spec.protocol.ultimatum is not None:
        by_date.setdefault(spec.protocol.ultimatum, []).append("US ultimatum")
    out = []
    for date, labels in sorted(by_date.items()):
        step = _fractional_step(spec, date)
        if 0 <= step <= spec.horizon:
            out.append((step, f"{'; '.join(labels)} ({_fmt_date(date)})"))
    return out


def _side_name(spec: Scenario, actor_id: str) -> str:
    name = spec.actors[actor_id].name or actor_id
    return {"United States": "US"}.get(name, name)


def _date_axis(ax: Axes, spec: Scenario) -> None:
    """A calendar axis on top of ``ax`` (whose x axis is in steps): ticks at month starts."""
    start = spec.calendar.start
    end = spec.step_to_date(spec.horizon)
    months = []
    year, month = start.year, start.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        first = dt.date(year, month, 1)
        if first > end:
            break
        months.append(first)
    stride = max(1, math.ceil(len(months) / 10))
    months = months[::stride]
    ticks = [_fractional_step(spec, m) for m in months]
    labels = [
        f"{m:%b %Y}" if k == 0 or m.month <= stride else f"{m:%b}" for k, m in enumerate(months)
    ]
    top = ax.secondary_xaxis("top")
    top.set_xticks(ticks, labels, fontsize=8)
    top.set_xlabel("Calendar date (first of each month)", fontsize=9)


def _mark_deadlines(
    ax: Axes, spec: Scenario, *, label: bool = True, until: float | None = None
) -> None:
    """Dashed vertical lines at the deadlines up to step ``until``, labelled on request."""
    for step, text in deadlines(spec):
        if until is not None and step > until:
            continue
        ax.axvline(step, color="black", linestyle=(0, (4, 3)), linewidth=1.1, alpha=0.8)
        if label:
            ax.text(
                step,
                0.97,
                text[0].upper() + text[1:],
                transform=ax.get_xaxis_transform(),
                rotation=90,
                va="top",
                ha="right",
                fontsize=8,
                color="black",
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1.5},
            )


STRIKE = "strike"
"""An Israeli or a US strike: the sweeps' and the sensitivity analysis' combined outcome."""
STRIKE_COLOUR = "#8c510a"


def outcome_label(outcome: str) -> str:
    """An outcome's label (``strike``: ``Strike (Israeli or US)``)."""
    return "Strike (Israeli or US)" if outcome == STRIKE else LABELS.get(outcome, outcome)


def _percent(value: float, _: object = None) -> str:
    """A probability as a percentage with two significant digits (0.00042 -> 0.042%)."""
    return "0%" if value == 0 else f"{100 * value:.2g}%"


def outcome_colour(outcome: str) -> str:
    """An outcome's colour (``strike``, which is no single outcome, has its own)."""
    return STRIKE_COLOUR if outcome == STRIKE else COLOURS.get(outcome, "#333333")


def outcome_noun(outcome: str) -> str:
    """An outcome's label inside a sentence: ``deal``, ``Israeli strike``, ``US strike``."""
    if outcome == STRIKE:
        return "strike"
    label = LABELS.get(outcome, outcome)
    return label if label.split()[0] in ("Israeli", "US") else label.lower()


def _pretty(token: str) -> str:
    words = token.split("_")
    special = {"us": "US", "e3": "E3", "irgc": "IRGC", "un": "UN"}
    words = [special.get(w, w) for w in words]
    text = " ".join(words)
    return text[0].upper() + text[1:] if text and text[0].islower() else text


def param_label(path: str) -> str:
    """A readable axis label of a parameter path: ``Israel: strike resolve`` and the path."""
    parts = path.split(".")
    if parts[0] in ("actors", "issues", "shocks") and len(parts) > 2:
        owner, field = _pretty(parts[1]), " ".join(parts[2:]).replace("_", " ")
        short = f"{owner}: {field}"
    else:
        short = " ".join(parts).replace("_", " ")
        short = short[0].upper() + short[1:]
    return f"{short}\n({path})"


def _short_label(path: str) -> str:
    return param_label(path).split("\n")[0]


def actor_colours(spec: Scenario) -> dict[str, tuple[str, Any]]:
    """A colour and line style per actor with ideal points: US blues, Iranian reds, others."""
    counters = {"us": 0, "iran": 0, "other": 0}
    shades = {"us": _US_SHADES, "iran": _IRAN_SHADES, "other": _OTHER_SHADES}
    out: dict[str, tuple[str, Any]] = {}
    for aid, actor in spec.actors.items():
        if not actor.ideal:
            continue
        side = actor.principal if isinstance(actor, Faction) else "other"
        k = counters[side]
        counters[side] += 1
        out[aid] = (shades[side][k % 5], _LINESTYLES[k % len(_LINESTYLES)])
    return out


def actor_label(spec: Scenario, actor_id: str) -> str:
    """An actor's display name with its side: ``Trump (US)``."""
    actor = spec.actors[actor_id]
    name = actor.name or actor_id
    if isinstance(actor, Faction):
        return f"{name} ({_side_name(spec, actor.principal)})"
    return name


def _issue_label(spec: Scenario, issue: str) -> str:
    unit = spec.issues[issue].unit
    return f"{_pretty(issue)} ({unit})" if unit else _pretty(issue)


def _wilson_band(counts: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    bounds = np.array([wilson_interval(int(c), n) for c in counts])
    return bounds[:, 0], bounds[:, 1]


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
        color=[COLOURS[k] for k in names],
        capsize=4,
        error_kw={"elinewidth": 1.2},
    )
    for y, (value, _k) in enumerate(zip(p, names, strict=True)):
        ax.text(value + max(hi[y], 0.005) + 0.01, y, f"{value:.1%}", va="center", fontsize=9)
    ax.set_xlim(0, min(1.0, max(p) + max(hi) + 0.15))
    ax.set_xlabel("Probability (share of worlds; bars: 95% Wilson interval)")
    ax.set_ylabel("Outcome")
    ax.set_title(
        f"Outcomes of '{summary['scenario']}': {summary['worlds']:,} worlds, seed {summary['seed']}"
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
        labels: row labels (default: each summary's scenario name).
    """
    if not summaries:
        raise ValueError("plot_forest needs at least one summary")
    names = list(labels) if labels is not None else [s["scenario"] for s in summaries]
    rows = np.arange(len(summaries))[::-1]
    height = 1.9 + 0.42 * len(summaries)
    fig, axes = _subplots(1, len(OUTCOMES), sharey=True, figsize=(13, height))
    for ax, outcome in zip(axes, OUTCOMES, strict=True):
        est = [s["outcomes"][outcome] for s in summaries]
        p = np.array([e["p"] for e in est])
        lo = np.array([e["ci95"][0] for e in est])
        hi = np.array([e["ci95"][1] for e in est])
        colour = COLOURS[outcome]
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
    fig.suptitle(
        f"Outcome probabilities by scenario: {names[0]} (top, dotted line) against "
        f"{len(names) - 1} variant(s), {_worlds_text(summaries)}, 95% Wilson intervals",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def _worlds_text(summaries: Sequence[dict[str, Any]]) -> str:
    worlds = {int(s["worlds"]) for s in summaries}
    return f"{worlds.pop():,} worlds each" if len(worlds) == 1 else "worlds per scenario vary"


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

    Deal, Israeli strike, US strike and breakdown (dated at the collapse of talks) are competing
    risks; the dashed grey line is the share of worlds with no outcome yet, which ends at the
    horizon as the share with no resolution. Bands are pointwise 95% Wilson intervals.

    Args:
        worlds: the worlds table of a run (``worlds.parquet``).
        scenario: the run's scenario (for its calendar, horizon and deadlines).
        name: the scenario name in the title (default: the scenario's ``name``).
    """
    spec = as_scenario(scenario)
    table = cumulative_incidence(worlds, spec.horizon)
    steps = table["step"].to_numpy()
    fig, ax = _subplots(figsize=(10, 5.4))
    for outcome in OUTCOMES[:-1]:
        colour = COLOURS[outcome]
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
    still = table["still_running"]
    ax.step(
        steps,
        still,
        where="post",
        color=COLOURS["no_resolution"],
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
    _date_axis(ax, spec)
    ax.legend(loc="center left", fontsize=8.5, framealpha=0.9)
    ax.set_title(
        f"When talks end, and how: cumulative incidence of each outcome, "
        f"{name or spec.name} ({len(worlds):,} worlds)",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


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
    outer = fig.add_gridspec(nrows, ncols, hspace=0.45, wspace=0.08)
    for k, issue in enumerate(issues):
        cell = outer[k // ncols, k % ncols].subgridspec(
            2, 1, height_ratios=[strip_height, 2.2], hspace=0.06
        )
        strip = fig.add_subplot(cell[0])
        hist = fig.add_subplot(cell[1], sharex=strip)
        info = spec.issues[issue]
        positions = [ideals[aid][issue] for aid in colours] + [central(info.status_quo)]
        _draw_ideal_strip(strip, spec, rows, positions, colours, labelled=k % ncols == 0)
        column = f"terms.{issue}"
        values = deals[column].dropna() if column in deals else pd.Series(dtype=float)
        if len(values):
            bins = np.linspace(info.lo, info.hi, 61).tolist()
            hist.hist(values, bins=bins, color=COLOURS["deal"])
            median = float(values.median())
            hist.axvline(median, color="black", linewidth=1.2)
            hist.annotate(
                f"median {median:.3g}",
                (median, 0.92),
                xycoords=("data", "axes fraction"),
                xytext=(5, 0),
                textcoords="offset points",
                fontsize=8.5,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 1},
            )
        else:
            hist.text(0.5, 0.5, "no deal in any world", transform=hist.transAxes, ha="center")
        pad = 0.02 * (info.hi - info.lo)
        hist.set_xlim(info.lo - pad, info.hi + pad)
        hist.set_xlabel(_issue_label(spec, issue))
        if k % ncols == 0:
            hist.set_ylabel("Deals (worlds)")
        hist.grid(axis="both", alpha=0.3)
        strip.set_title(_pretty(issue), fontsize=10, fontweight="bold")
    fig.suptitle(
        f"What the deals give: terms of the {len(deals):,} deals in {name or spec.name} "
        f"({len(worlds):,} worlds) against each actor's ideal point",
        fontsize=12,
    )
    return fig


def _draw_ideal_strip(
    ax: Axes,
    spec: Scenario,
    rows: list[str],
    positions: list[float],
    colours: Mapping[str, tuple[str, Any]],
    *,
    labelled: bool,
) -> None:
    """One row per actor with a marker at its ideal point; the last row is the status quo."""
    ys = np.arange(len(rows))[::-1]
    for row, y, x in zip(rows, ys, positions, strict=True):
        colour = colours[row][0] if row in colours else "black"
        marker = "D" if row in colours else "s"
        ax.plot([x], [y], marker=marker, color=colour, markersize=6, linestyle="")
    ax.set_yticks(ys, [actor_label(spec, r) if r in colours else "Status quo" for r in rows])
    ax.tick_params(axis="y", labelsize=7.5, labelleft=labelled)
    ax.tick_params(axis="x", labelbottom=False)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.grid(alpha=0.3)
    if labelled:
        ax.set_ylabel("Ideal point", fontsize=8)


# ----------------------------------------------------------------------------------- sweeps


def sweep_wide(frame: pd.DataFrame) -> pd.DataFrame:
    """A sweep's per-point table with ``<outcome>_p``, ``_ci_low`` and ``_ci_high`` columns.

    Accepts the per-point table of :func:`sim.sweep` (``points.parquet``) as it is, keeping
    only the points that ran (``status == "ok"``), or the long table with one row per design
    point and outcome (``summary.parquet``: ``outcome``, ``p``, ``ci_low``, ``ci_high``,
    ``count``), which it pivots to the wide form.

    Raises:
        ValueError: the frame has neither form.
    """
    if any(f"{o}_p" in frame for o in (*OUTCOMES, "strike")):
        return frame[frame["status"] == "ok"] if "status" in frame else frame
    needed = {"outcome", "p", "ci_low", "ci_high"}
    if not needed <= set(frame.columns):
        raise ValueError(
            "a sweep table needs <outcome>_p, <outcome>_ci_low and <outcome>_ci_high columns "
            f"(points.parquet) or the long form with {sorted(needed)} (summary.parquet); got "
            f"{list(frame.columns)}"
        )
    stats = ["p", "ci_low", "ci_high", *(["count"] if "count" in frame else [])]
    keys = [c for c in frame.columns if c not in {*stats, "outcome", "median_step", "median_date"}]
    wide = frame.pivot_table(index=keys, columns="outcome", values=stats, observed=True)
    pairs: list[Any] = list(wide.columns)  # (statistic, outcome) pairs
    wide.columns = [f"{outcome}_{stat}" for stat, outcome in pairs]
    return wide.reset_index()


def sweep_parameters(frame: pd.DataFrame) -> list[str]:
    """The swept parameters' paths of a sweep table (from its metadata, else its columns)."""
    meta = frame.attrs.get("sweep") or {}
    if meta.get("parameters"):
        return [p for p in meta["parameters"] if p in frame]
    skip = {"point", "status", "error", "worlds", "overrides", "outcome"}
    stats = ("_p", "_ci_low", "_ci_high", "_count", "_median_step")
    return [
        c
        for c in frame.columns
        if c not in skip and not c.endswith(stats) and pd.api.types.is_numeric_dtype(frame[c])
    ]


def _worlds_per_point(frame: pd.DataFrame) -> str:
    if "worlds" in frame and frame["worlds"].nunique() == 1:
        return f"{int(frame['worlds'].iloc[0]):,} worlds per point"
    return "worlds per point vary" if "worlds" in frame else "sweep"


def plot_sweep_heatmap(frame: pd.DataFrame, x: str, y: str, outcome: str = "deal") -> Figure:
    """A heatmap of one outcome's probability over two swept parameters.

    A grid design is drawn as cells with the probability written in each; any other design (a
    Latin hypercube, say) as points coloured by the probability. Other swept parameters are
    averaged over.

    Args:
        frame: the sweep's per-point table (see :func:`sweep_wide`).
        x: the dotted path of the parameter on the horizontal axis.
        y: the dotted path of the parameter on the vertical axis.
        outcome: an outcome, or ``strike`` (an Israeli or a US strike).
    """
    wide = sweep_wide(frame)
    column = f"{outcome}_p"
    for path in (x, y, column):
        if path not in wide:
            raise ValueError(f"the sweep table has no column '{path}'")
    table = wide.pivot_table(index=y, columns=x, values=column, aggfunc="mean")
    fig, ax = _subplots(figsize=(8, 6))
    cmap = LinearSegmentedColormap.from_list(outcome, ["#ffffff", outcome_colour(outcome)])
    top = max(0.05, float(np.nanmax(table.to_numpy())))
    image: ScalarMappable
    if table.isna().to_numpy().mean() <= 0.25 and table.size <= 900:
        image = ax.imshow(
            table.to_numpy(), origin="lower", aspect="auto", cmap=cmap, vmin=0, vmax=top
        )
        ax.set_xticks(range(table.shape[1]), [f"{v:.3g}" for v in table.columns])
        ax.set_yticks(range(table.shape[0]), [f"{v:.3g}" for v in table.index])
        if table.size <= 225:
            for (i, j), value in np.ndenumerate(table.to_numpy()):
                if not np.isnan(value):
                    ink = "white" if value > 0.6 * top else "black"
                    ax.text(j, i, f"{value:.0%}", ha="center", va="center", fontsize=9, color=ink)
    else:
        image = ax.scatter(
            wide[x], wide[y], c=wide[column], cmap=cmap, vmin=0, vmax=top, s=40, edgecolor="grey"
        )
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"P({outcome_noun(outcome)}) (% of worlds)")
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(param_label(x))
    ax.set_ylabel(param_label(y))
    ax.set_title(
        f"P({outcome_noun(outcome)}) across {_short_label(x)} and {_short_label(y)}\n"
        f"({_worlds_per_point(wide)})",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def plot_sweep_line(frame: pd.DataFrame, x: str, outcomes: Sequence[str] = OUTCOMES) -> Figure:
    """Each outcome's probability along one swept parameter, with 95% Wilson intervals.

    Where other parameters vary too, the points with the same ``x`` are pooled: their worlds
    added up (with ``<outcome>_count`` and ``worlds`` columns; else their estimates averaged).

    Args:
        frame: the sweep's per-point table (see :func:`sweep_wide`).
        x: the dotted path of the swept parameter.
        outcomes: the outcomes to draw (``strike`` too: an Israeli or a US strike).
    """
    wide = sweep_wide(frame)
    if x not in wide:
        raise ValueError(f"the sweep table has no column '{x}'")
    pooled = wide.groupby(x).size().max() > 1
    fig, ax = _subplots(figsize=(9, 5))
    for outcome in outcomes:
        if f"{outcome}_p" not in wide:
            continue
        xs, p, lo, hi = _pooled(wide, x, outcome)
        colour = outcome_colour(outcome)
        ax.plot(xs, p, marker="o", markersize=4, color=colour, label=outcome_label(outcome))
        ax.fill_between(xs, lo, hi, color=colour, alpha=0.18, linewidth=0)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(param_label(x))
    ax.set_ylabel("Probability (% of worlds)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=9, loc="best")
    over = "; pooled over the other parameters" if pooled else ""
    ax.set_title(
        f"How the outcomes move with {_short_label(x)}\n"
        f"({_worlds_per_point(wide)}{over}; bands: 95% Wilson intervals)",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def _pooled(
    wide: pd.DataFrame, x: str, outcome: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    groups = wide.groupby(x, sort=True)
    xs = np.array(list(groups.groups), dtype=float)
    if {"worlds", f"{outcome}_count"} <= set(wide.columns) and (groups.size() > 1).any():
        n = groups["worlds"].sum().to_numpy()
        counts = groups[f"{outcome}_count"].sum().to_numpy()
        bounds = np.array([wilson_interval(int(c), int(m)) for c, m in zip(counts, n, strict=True)])
        return xs, counts / n, bounds[:, 0], bounds[:, 1]
    p = groups[f"{outcome}_p"].mean().to_numpy()
    lo = groups[f"{outcome}_ci_low"].mean().to_numpy()
    hi = groups[f"{outcome}_ci_high"].mean().to_numpy()
    return xs, p, lo, hi


# ------------------------------------------------------------------------------ sensitivity

SENSITIVITY_COLUMNS = {
    "sobol": (("ST", "ST_conf", "total effect ST"), ("S1", "S1_conf", "first order S1")),
    "morris": (("mu_star", "mu_star_conf", "mean |effect| μ*"), ("sigma", None, "spread σ")),
}
"""Per method, the (value, confidence, legend) of each bar series (SALib's column names)."""


def plot_sensitivity(
    table: pd.DataFrame, method: str | None = None, output: str = "deal", *, top: int = 20
) -> Figure:
    """Sensitivity indices as horizontal bars with their 95% confidence intervals.

    Sobol': total (ST) and first-order (S1) indices (Saltelli et al. 2010). Morris: the mean
    absolute elementary effect μ* and its spread σ (Campolongo et al. 2007). Parameters are
    sorted by ST or μ*, the largest on top.

    Args:
        table: the table of :func:`sim.sensitivity.sensitivity_table` (one row per output and
            parameter, SALib's columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, or ``mu_star``,
            ``mu_star_conf``, ``sigma``); without an ``output`` column, one row per parameter.
        method: ``sobol`` or ``morris`` (default: the table's ``method`` column).
        output: the probability the indices decompose: ``deal``, ``strike`` or an outcome.
        top: draw at most this many parameters.
    """
    if method is None and "method" in table:
        method = str(table["method"].iloc[0])
    if method not in SENSITIVITY_COLUMNS:
        raise ValueError(f"method must be 'sobol' or 'morris', got '{method}'")
    data = table if "parameter" in table else table.rename_axis("parameter").reset_index()
    for column in ("output", "outcome"):
        if column in data:
            data = data[data[column].astype(str) == output]
    if data.empty:
        raise ValueError(f"the sensitivity table has no rows for '{output}'")
    (main, main_conf, main_label), (second, second_conf, second_label) = SENSITIVITY_COLUMNS[method]
    for column in (main, second):
        if column not in data:
            raise ValueError(f"a {method} table needs a '{column}' column")
    data = data.sort_values(main, ascending=False).head(top).iloc[::-1]
    rows = np.arange(len(data))
    fig, ax = _subplots(figsize=(9, 1.8 + 0.42 * len(data)))
    colour = outcome_colour(output)
    light = tuple(0.55 + 0.45 * c for c in to_rgb(colour))
    for offset, column, conf, label, face in (
        (0.2, main, main_conf, main_label, colour),
        (-0.2, second, second_conf, second_label, light),
    ):
        err = data[conf].abs().to_numpy() if conf and conf in data else None
        ax.barh(
            rows + offset,
            data[column],
            height=0.38,
            xerr=err,
            color=face,
            edgecolor=colour,
            capsize=2,
            label=label + (" (95% CI)" if err is not None else ""),
        )
    ax.set_yticks(rows, [_short_label(str(p)) for p in data["parameter"]], fontsize=8.5)
    ax.axvline(0, color="black", linewidth=0.8)
    noun = outcome_noun(output)
    if method == "sobol":
        ax.set_xlabel(f"Share of the variance of P({noun}) (Sobol' index, 0 to 1)")
        subject = "Sobol' indices"
    else:
        ax.set_xlabel(f"Elementary effect on P({noun}) (change in probability across the range)")
        subject = "Morris screening"
    ax.set_ylabel("Parameter")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(f"What moves P({noun}): {subject} of {len(data)} parameters", fontsize=11)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------------------------- a world


def plot_world(story: WorldStory) -> Figure:
    """One world over time: each side's stance per issue, offers and responses, clout, risks.

    Top panels (one per issue): Washington's and Tehran's stances, each offer (triangles: the
    proposer; hollow: rejected; cross in the proposer's colour: accepted but not ratified;
    star: the deal) and the
    status quo. Then each side's faction clout shares, then Iran's economic pressure and
    nuclear progress with the weekly strike probabilities. Shocks, snapback, a collapse of
    talks and the deadlines are vertical lines across every panel; the outcome ends the world.

    Args:
        story: a world told by :func:`sim.explain.explain`.
    """
    model = story.model
    spec = model.spec
    trace = model.trace
    steps = np.array([r["step"] for r in trace])
    issues = list(spec.issues)
    ncols = 1 if len(issues) == 1 else 2
    issue_rows = math.ceil(len(issues) / ncols)
    fig = Figure(figsize=(13, 3.0 * issue_rows + 6.4))
    grid = fig.add_gridspec(issue_rows + 2, ncols, height_ratios=[1.0] * issue_rows + [0.9, 0.9])
    issue_axes = [fig.add_subplot(grid[k // ncols, k % ncols]) for k in range(len(issues))]
    clout_axes = [fig.add_subplot(grid[issue_rows, c]) for c in range(ncols)]
    risk_ax = fig.add_subplot(grid[issue_rows + 1, :])
    all_axes = [*issue_axes, *clout_axes, risk_ax]
    for d, (ax, issue) in enumerate(zip(issue_axes, issues, strict=True)):
        _draw_issue(ax, story, d, issue, steps)
    _draw_clout(clout_axes, story, steps)
    _draw_risks(risk_ax, story, steps)
    end = int(model.end_step[0])
    outcome = OUTCOMES[int(model.outcome[0]) - 1]
    last = min(max(int(steps.max(initial=0)), end, 7) + 1.5, spec.horizon + 0.5)
    events = [e for e in _world_events(story) if e[0] <= last]
    for k, ax in enumerate(all_axes):
        for (step, kind, _), letter in zip(events, _LETTERS, strict=False):
            colour, style = _EVENT_STYLES[kind]
            ax.axvline(step, color=colour, linestyle=style, linewidth=1.2, alpha=0.9)
            if k < ncols:
                ax.text(
                    step,
                    0.97,
                    letter,
                    transform=ax.get_xaxis_transform(),
                    va="top",
                    ha="center",
                    fontsize=8,
                    fontweight="bold",
                    color=colour,
                    bbox={"facecolor": "white", "edgecolor": colour, "pad": 1.5},
                )
        ax.axvline(end, color=COLOURS[outcome], linewidth=3, alpha=0.8)
        ax.set_xlim(-0.5, last)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.25)
    for ax in all_axes[:ncols]:
        _date_axis(ax, spec)
    risk_ax.set_xlabel(f"Step ({_step_unit(spec)} since {_fmt_date(spec.calendar.start)})")
    fig.legend(
        handles=_world_legend(outcome),
        loc="lower center",
        bbox_to_anchor=(0.5, 0.035),
        ncol=5,
        fontsize=8.5,
        frameon=False,
    )
    notes = [
        f"{letter}: step {step:g} ({_fmt_date(spec.step_to_date(int(step)))}), {text}"
        for (step, _, text), letter in zip(events, _LETTERS, strict=False)
    ]
    footnote = textwrap.fill("Events. " + "; ".join(notes) + ".", 190) if notes else ""
    fig.text(0.01, 0.005, footnote, fontsize=8.5, va="bottom", ha="left")
    ending = LABELS[outcome] + (" (joint with Israel)" if model.joint[0] else "")
    fig.suptitle(
        f"World {story.world} of '{spec.name}' (seed {story.seed}), told over time: "
        f"{ending} at step {end} ({_fmt_date(spec.step_to_date(end))})",
        fontsize=12,
    )
    fig.tight_layout(rect=(0, 0.085, 1, 0.98))
    return fig


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_EVENT_STYLES: dict[str, tuple[str, Any]] = {
    "shock": ("#444444", ":"),
    "snapback": ("#6a3d9a", "-."),
    "collapse": (COLOURS["breakdown"], "--"),
    "deadline": ("black", (0, (4, 3))),
}


def _draw_issue(ax: Axes, story: WorldStory, d: int, issue: str, steps: np.ndarray) -> None:
    model = story.model
    spec = model.spec
    trace = model.trace
    us = np.array([r["us_stance"][0, d] for r in trace])
    iran = np.array([r["iran_stance"][0, d] for r in trace])
    ax.plot(steps, us, color=US_COLOUR, linewidth=2, label="Washington's stance")
    ax.plot(steps, iran, color=IRAN_COLOUR, linewidth=2, label="Tehran's stance")
    ax.axhline(model.status_quo[0, d], color="black", linestyle=":", linewidth=1)
    for kind, xs, ys in _offers(trace, d):
        style = _OFFER_STYLES[kind]
        ax.scatter(xs, ys, zorder=3, **style)
    if model.outcome[0] == DEAL:
        ax.scatter([model.end_step[0]], [model.terms[0, d]], zorder=4, **_OFFER_STYLES["deal"])
    info = spec.issues[issue]
    pad = 0.04 * (info.hi - info.lo)
    ax.set_ylim(info.lo - pad, info.hi + pad)
    ax.set_ylabel(_issue_label(spec, issue), fontsize=9)
    ax.set_title(f"{_pretty(issue)}: stances and offers", fontsize=10)


_OFFER_STYLES: dict[str, dict[str, Any]] = {
    "us_rejected": {"marker": "^", "facecolors": "white", "edgecolors": US_COLOUR, "s": 30},
    "iran_rejected": {"marker": "v", "facecolors": "white", "edgecolors": IRAN_COLOUR, "s": 30},
    "us_vetoed": {"marker": "X", "color": US_COLOUR, "s": 50},
    "iran_vetoed": {"marker": "X", "color": IRAN_COLOUR, "s": 50},
    "deal": {"marker": "*", "color": COLOURS["deal"], "s": 220, "edgecolors": "black"},
}


def _offers(trace: list[dict[str, Any]], d: int) -> list[tuple[str, list[int], list[float]]]:
    """Offers on issue ``d`` grouped by how they were received."""
    groups: dict[str, tuple[list[int], list[float]]] = {}
    for record in trace:
        live = record.get("session_live")
        if live is None or not live[0] or "offer" not in record:
            continue
        if record["deal"][0]:
            continue  # drawn from the deal's terms
        response = "vetoed" if record["accepted"][0] else "rejected"
        kind = f"{record['proposer']}_{response}"
        xs, ys = groups.setdefault(kind, ([], []))
        xs.append(int(record["step"]))
        ys.append(float(record["offer"][0, d]))
    return [(kind, xs, ys) for kind, (xs, ys) in groups.items()]


def _draw_clout(axes: list[Axes], story: WorldStory, steps: np.ndarray) -> None:
    model = story.model
    spec = model.spec
    colours = actor_colours(spec)
    sides = [model.us, model.iran]
    for k, side in enumerate(sides):
        ax = axes[k % len(axes)]
        shares = np.array([r[f"{side.actor_id}_shares"][:, 0] for r in model.trace])
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
        ax.legend(fontsize=7.5, loc="upper left", framealpha=0.85)
    titles = ["Factions' clout in Washington", "Factions' clout in Tehran"]
    if len(axes) == 1:
        titles = ["Factions' clout in Washington and Tehran"]
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=10)


def _draw_risks(ax: Axes, story: WorldStory, steps: np.ndarray) -> None:
    trace = story.model.trace
    ax.plot(steps, [r["pressure"][0] for r in trace], color="#555555", label="Pressure on Iran")
    ax.plot(
        steps,
        [r["progress"][0] for r in trace],
        color="#000000",
        linestyle="--",
        label="Nuclear progress k",
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("Index (0 to 1)", fontsize=9)
    right = ax.twinx()
    for key, outcome, label in (
        ("israel_probability", "strike_israel", "P(Israeli strike) this step"),
        ("us_probability", "strike_us", "P(US strike) this step"),
    ):
        values = [float(r[key][0]) if key in r else np.nan for r in trace]
        right.plot(steps, values, color=COLOURS[outcome], linewidth=1.8, label=label)
    right.set_ylim(bottom=0)
    right.yaxis.set_major_formatter(FuncFormatter(_percent))
    right.set_ylabel("Strike probability per step", fontsize=9)
    lines = ax.get_lines()[:2] + right.get_lines()
    ax.legend(
        lines,
        [str(line.get_label()) for line in lines],
        fontsize=8,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=4,
        frameon=False,
    )
    ax.set_title("Why it ended: pressure, nuclear progress, strike risk", fontsize=10, loc="left")


def _world_events(story: WorldStory) -> list[tuple[float, str, str]]:
    """The world's events as ``(step, kind, text)``, in time order.

    Shocks (one entry per step), snapback, the collapse of talks and the scenario's deadlines.
    """
    from sim.model import COLLAPSE_CAUSES

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


def _world_legend(outcome: str) -> list[Any]:
    return [
        Line2D([], [], color=US_COLOUR, linewidth=2, label="Washington's stance"),
        Line2D([], [], color=IRAN_COLOUR, linewidth=2, label="Tehran's stance"),
        Line2D([], [], color="black", linestyle=":", label="Status quo"),
        *(
            Line2D([], [], color=colour, linestyle=style, label=label)
            for (colour, style), label in zip(
                _EVENT_STYLES.values(),
                ("Shock", "Snapback", "Talks collapse", "Deadline"),
                strict=True,
            )
        ),
        Line2D(
            [],
            [],
            marker="^",
            linestyle="",
            markerfacecolor="white",
            color=US_COLOUR,
            label="US offer, rejected",
        ),
        Line2D(
            [],
            [],
            marker="v",
            linestyle="",
            markerfacecolor="white",
            color=IRAN_COLOUR,
            label="Iranian offer, rejected",
        ),
        Line2D(
            [],
            [],
            marker="X",
            linestyle="",
            color="grey",
            label="Accepted, not ratified (proposer's colour)",
        ),
        Line2D(
            [],
            [],
            marker="*",
            linestyle="",
            markersize=12,
            color=COLOURS["deal"],
            markeredgecolor="black",
            label="Deal (ratified by both)",
        ),
        Line2D([], [], color=COLOURS[outcome], linewidth=3, label=f"End: {LABELS[outcome]}"),
    ]
