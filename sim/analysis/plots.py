"""Figures: one function per question an analyst asks of a run, a sweep or a world.

Every function returns a matplotlib :class:`~matplotlib.figure.Figure` made without pyplot, so
no backend is chosen and no figure is registered: there is nothing to close, a notebook shows
it with ``display(fig)`` and :func:`save_figure` writes it as PNG and SVG. Each outcome keeps its
colour (:data:`OUTCOME_COLOURS`: :data:`sim.mechanisms.outcomes.COLOURS` and the combined strike)
and each actor its colour (:func:`actor_colours`) in every figure. Titles name the subject
(scenarios by :func:`scenario_title`), axes carry units (parameters by :func:`param_label`),
legends name every series drawn and only those, and probabilities are percentages everywhere.

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
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from sim.mechanisms.outcomes import COLOURS, DEAL, LABELS, OUTCOMES
from sim.mechanisms.stats import wilson_interval
from sim.scenario.loader import Loaded, load_scenario
from sim.scenario.params import central
from sim.scenario.schema import Faction, Principal, Scenario, Snapback

if TYPE_CHECKING:
    from sim.analysis.explain import WorldStory

ScenarioArg = Scenario | Loaded | str | Path | Mapping[str, Any]

US_COLOUR = "#08519c"
IRAN_COLOUR = "#99000d"
_US_SHADES = ("#08519c", "#4292c6", "#9ecae1", "#084594", "#6baed6")
_IRAN_SHADES = ("#99000d", "#ef6548", "#fdae6b", "#cb181d", "#fc9272")
_OTHER_SHADES = ("#b8860b", "#01665e", "#8c6bb1", "#35978f", "#bf812d")
_LINESTYLES = ("-", "--", "-.", ":", (0, (5, 1)))

STRIKE = "strike"
"""An Israeli or a US strike: the sweeps' and the sensitivity analysis' combined outcome."""
STRIKE_COLOUR = "#8c510a"
OUTCOME_COLOURS: dict[str, str] = {**COLOURS, STRIKE: STRIKE_COLOUR}
"""The colour of each outcome (and of ``strike``), the same in every figure."""
NO_DATA_COLOUR = "#bdbdbd"
"""The face of a sweep cell with no estimate (hatched, never the colour of 0%)."""


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
    from sim.runs.output import write_bytes_atomic

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


def outcomes_png(summary: dict[str, Any]) -> bytes:
    """``outcomes.png`` of a run: :func:`plot_outcomes` of its summary, as PNG at 150 dpi."""
    return figure_bytes(plot_outcomes(summary), "png", dpi=150)


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


DEADLINE_STYLE: dict[str, Any] = {
    "color": "black",
    "linestyle": (0, (4, 3)),
    "linewidth": 1.1,
    "alpha": 0.8,
}
"""How a deadline is drawn: a dashed black vertical line (in every figure)."""


def _mark_deadlines(ax: Axes, spec: Scenario) -> None:
    """Dashed vertical lines at the deadlines, drawn above the data's lines."""
    for step, _ in deadlines(spec):
        ax.axvline(step, zorder=3, **DEADLINE_STYLE)


def _stack(spans: Sequence[tuple[float, float]]) -> list[int]:
    """A level per interval (in the order given) so that no two on a level overlap."""
    ends: list[float] = []
    levels = []
    for lo, hi in spans:
        free = [k for k, end in enumerate(ends) if lo > end]
        level = free[0] if free else len(ends)
        if level == len(ends):
            ends.append(hi)
        else:
            ends[level] = hi
        levels.append(level)
    return levels


def _text_span(text: str, fontsize: float, data_per_inch: float) -> float:
    """The approximate width of a line of text, in data units (half an em per character)."""
    return (len(text) + 2) * 0.5 * fontsize / 72 * data_per_inch


def _deadline_labels(
    spec: Scenario, xlim: tuple[float, float], width_in: float
) -> list[tuple[float, str, str, int]]:
    """Each deadline's ``(step, label, ha, level)`` for a strip ``width_in`` inches wide.

    A label starts right of its line, or ends left of it in the last 40% of the axis; labels
    that would overlap go on separate levels.
    """
    per_inch = (xlim[1] - xlim[0]) / width_in
    gap = 0.06 * per_inch
    out, spans = [], []
    for step, text in deadlines(spec):
        label = text[0].upper() + text[1:]
        width = _text_span(label, 8, per_inch)
        right = step > xlim[0] + 0.6 * (xlim[1] - xlim[0])
        spans.append((step - gap - width, step) if right else (step, step + gap + width))
        out.append((step, label, "right" if right else "left"))
    return [(*mark, level) for mark, level in zip(out, _stack(spans), strict=True)]


def _draw_deadline_strip(strip: Axes, spec: Scenario, width_in: float) -> None:
    """The deadlines' labels in a strip above the plot, beside their dashed lines."""
    xlim = strip.get_xlim()
    marks = _deadline_labels(spec, xlim, width_in)
    levels = max((m[3] for m in marks), default=0) + 1
    gap = 0.06 * (xlim[1] - xlim[0]) / width_in
    for step, label, ha, level in marks:
        strip.axvline(step, **DEADLINE_STYLE)
        strip.text(
            step + (-gap if ha == "right" else gap),
            1 - (level + 0.5) / levels,
            label,
            transform=strip.get_xaxis_transform(),
            ha=ha,
            va="center",
            fontsize=8,
            zorder=4,  # over another deadline's line in the strip (the strip holds no data)
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
        )
    _bare_strip(strip)


def _bare_strip(strip: Axes) -> None:
    """A strip axes with no ticks or frame (its x axis is shared with the panel below)."""
    strip.set_ylim(0, 1)
    strip.tick_params(axis="both", which="both", bottom=False, left=False)
    strip.tick_params(axis="both", labelbottom=False, labelleft=False)
    for side in ("left", "right", "bottom"):
        strip.spines[side].set_visible(False)


def outcome_label(outcome: str) -> str:
    """An outcome's label (``strike``: ``Strike (Israeli or US)``)."""
    return "Strike (Israeli or US)" if outcome == STRIKE else LABELS.get(outcome, outcome)


def _percent(value: float, _: object = None) -> str:
    """A probability as a percentage with two significant digits (0.00042 -> 0.042%)."""
    return "0%" if value == 0 else f"{100 * value:.2g}%"


def outcome_colour(outcome: str) -> str:
    """An outcome's colour (``strike``, which is no single outcome, has its own)."""
    return OUTCOME_COLOURS.get(outcome, "#333333")


def outcome_noun(outcome: str) -> str:
    """An outcome's label inside a sentence: ``deal``, ``Israeli strike``, ``US strike``."""
    if outcome == STRIKE:
        return "strike"
    label = LABELS.get(outcome, outcome)
    return label if label.split()[0] in ("Israeli", "US") else label.lower()


_PROPER = {
    "us": "US",
    "e3": "E3",
    "irgc": "IRGC",
    "un": "UN",
    "jcpoa": "JCPOA",
    "israel": "Israel",
    "iran": "Iran",
    "russia": "Russia",
    "china": "China",
    "saudi": "Saudi",
    "oman": "Oman",
    "trump": "Trump",
}
"""Words an identifier spells in lower case that a title capitalises."""


def _pretty(token: str) -> str:
    """An identifier as words: ``us_hawks`` -> ``US hawks``, ``israel`` -> ``Israel``."""
    words = [_PROPER.get(w, w) for w in token.split("_")]
    text = " ".join(words)
    return text[0].upper() + text[1:] if text and text[0].islower() else text


def scenario_title(name: str) -> str:
    """A scenario's name for a title: ``israel_preempts`` -> ``Israel preempts``.

    A name that is already words (it has spaces and no underscores) is kept as it is.
    """
    text = str(name)
    if " " in text and "_" not in text:
        return text
    return _pretty(text)


PARAM_UNITS: dict[str, str] = {
    "strike_resolve": "utility units of the strike margin",
    "collapse_resolve": "utility units of the strike margin",
    "strike_restraint": "utility units of the strike margin",
    "deal_aversion": "weight in the strike margin",
    "clout": "relative weight inside the side",
    "pressure_rate": "pressure index per step",
    "pressure_initial": "pressure index, 0 to 1",
    "pressure_sensitivity": "utility per unit of pressure",
    "hazard": "probability per step",
    "strike_hazard": "probability per step",
    "give_up_hazard": "probability per session",
    "mediation_rate": "probability per session",
    "threat_credibility": "0 to 1",
    "join_probability": "probability",
    "growth": "breakout index per step",
    "initial_progress": "breakout index, 0 to 1",
    "war_cost": "utility per step",
    "target_war_cost": "utility per step",
    "no_deal_shift": "utility",
    "no_deal_drop": "utility",
    "breakdown_value": "utility",
    "belief_halfwidth": "utility",
    "strike_temperature": "logit temperature, utility units",
    "walkout_temperature": "logit temperature, utility units",
    "quota": "share of the side's clout",
    "override_threshold": "share of the side's clout",
    "stance_inertia": "share of the gap closed per step",
    "discount": "discount factor per step",
    "concession_beta": "exponent of the aspiration curve",
    "risk_exponent": "exponent of the utility",
    "lobbying": "lobbying units per step",
    "support": "share of pressure growth absorbed",
    "snapback_cover": "share of the snapback's effect absorbed",
    "lobbying_damping": "share of Israel's lobbying cancelled",
    "us_support_cost_cut": "share of the war cost",
    "pressure_boost": "relative increase",
    "urgency": "multiplier on the hazard",
    "target_win_low": "probability",
    "target_win_high": "probability",
    "breakout_convexity": "exponent",
}
"""The unit of each numeric scenario field (from its docstring in :mod:`sim.scenario.schema`)."""


def param_unit(path: str) -> str:
    """The unit of a parameter path, ``""`` if unknown.

    ``actors.israel.strike_resolve`` is in utility units of the strike margin,
    ``actors.us_hawks.clout`` a relative weight inside the side.
    """
    parts = path.split(".")
    if "ideal" in parts[:-1]:
        return "on the issue's own scale"
    if "salience" in parts[:-1]:
        return "weight, 0 to 1"
    return PARAM_UNITS.get(parts[-1], "")


def param_label(path: str) -> str:
    """A readable axis label of a parameter path: its name, its unit and the path.

    ``actors.israel.strike_resolve`` gives ``Israel: strike resolve (utility units of the
    strike margin)`` over ``(actors.israel.strike_resolve)``.
    """
    unit = param_unit(path)
    return f"{parameter_name(path)}{f' ({unit})' if unit else ''}\n({path})"


def parameter_name(path: str) -> str:
    """A parameter path's name alone, for titles and tick labels: ``Israel: strike resolve``."""
    parts = path.split(".")
    if parts[0] in ("actors", "issues", "shocks") and len(parts) > 2:
        owner, field = _pretty(parts[1]), " ".join(parts[2:]).replace("_", " ")
        return f"{owner}: {field}"
    short = " ".join(parts).replace("_", " ")
    return short[0].upper() + short[1:]


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
        f"Outcomes of '{scenario_title(summary['scenario'])}': {summary['worlds']:,} worlds, "
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
        list(labels)
        if labels is not None
        else [scenario_title(str(s["scenario"])) for s in summaries]
    )
    rows = np.arange(len(summaries))[::-1]
    height = 1.9 + 0.42 * len(summaries)
    fig, axes = _subplots(1, len(OUTCOMES), sharey=True, figsize=(13, height))
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
        strip.set_title(_pretty(issue), fontsize=10, fontweight="bold")
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

    A grid design is drawn as cells with the probability written in each, a cell with no
    estimate (its design point failed) grey and hatched, never the colour of 0%; any other
    design (a Latin hypercube, say) as points coloured by the probability, failed points as
    grey crosses. Where other swept parameters vary too, a cell is their points' mean and the
    title says so.

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
    table = _grid_table(frame, wide, x, y, column)
    others = [p for p in sweep_parameters(wide) if p not in (x, y)]
    fig, ax = _subplots(figsize=(8, 6.4))
    ramp = LinearSegmentedColormap.from_list(outcome, ["#ffffff", outcome_colour(outcome)])
    cmap = ramp.with_extremes(bad=NO_DATA_COLOUR)
    values = table.to_numpy(dtype=float)
    top = max(0.05, float(np.nanmax(values))) if np.isfinite(values).any() else 0.05
    gridded = table.isna().to_numpy().mean() <= 0.25 and table.size <= 900
    if gridded:
        image = _draw_cells(ax, table, cmap, top)
        missing: Any = _no_data_patch() if np.isnan(values).any() else None
        averaged = bool(wide.groupby([y, x]).size().max() > 1)
        note = _averaged_note(others) if averaged else ""
    else:
        image = ax.scatter(
            wide[x], wide[y], c=wide[column], cmap=cmap, vmin=0, vmax=top, s=40, edgecolor="grey"
        )
        missing = _draw_failed_points(ax, frame, x, y)
        note = f"; each dot one design point, the other {_count(others)} varying" if others else ""
    bar = fig.colorbar(image, ax=ax)
    bar.set_label(f"P({outcome_noun(outcome)}), % of worlds")
    bar.ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    if missing is not None:
        ax.legend(
            handles=[missing],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.2),
            frameon=False,
            fontsize=9,
        )
    ax.set_xlabel(param_label(x))
    ax.set_ylabel(param_label(y))
    ax.set_title(
        f"P({outcome_noun(outcome)}) across {parameter_name(x)} and {parameter_name(y)}\n"
        f"({_worlds_per_point(wide)}{note})",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def _count(others: Sequence[str]) -> str:
    """``1 parameter`` or ``N parameters``."""
    return f"{len(others)} parameter" + ("" if len(others) == 1 else "s")


def _averaged_note(others: Sequence[str]) -> str:
    """The subtitle's note for cells that are the mean of several design points."""
    if not others:
        return "; each cell the mean of its repeated points"
    return f"; averaged over the other {_count(others)}"


def _grid_table(frame: pd.DataFrame, wide: pd.DataFrame, x: str, y: str, column: str) -> Any:
    """The mean of ``column`` per (y, x) cell, with every cell of the design (NaN: no data)."""
    table = wide.pivot_table(index=y, columns=x, values=column, aggfunc="mean")
    if x in frame and y in frame:
        table = table.reindex(
            index=np.sort(frame[y].dropna().unique()), columns=np.sort(frame[x].dropna().unique())
        )
    return table


def _cell_text(value: float) -> str:
    """A cell's probability: whole percent from 10%, one decimal below (never 0% unless 0)."""
    if value == 0:
        return "0%"
    return f"{value:.0%}" if value >= 0.095 else f"{value:.1%}"


def _draw_cells(ax: Axes, table: pd.DataFrame, cmap: Any, top: float) -> ScalarMappable:
    """The grid's cells, each with its probability; cells with no data grey and hatched."""
    values = table.to_numpy(dtype=float)
    image = ax.imshow(
        np.ma.masked_invalid(values), origin="lower", aspect="auto", cmap=cmap, vmin=0, vmax=top
    )
    ax.set_xticks(range(table.shape[1]), [f"{v:.3g}" for v in table.columns])
    ax.set_yticks(range(table.shape[0]), [f"{v:.3g}" for v in table.index])
    for (i, j), value in np.ndenumerate(values):
        if np.isnan(value):
            ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, **_NO_DATA_STYLE))
            ax.text(j, i, "no data", ha="center", va="center", fontsize=8, color="#252525")
        elif table.size <= 225:
            ink = "white" if value > 0.6 * top else "black"
            ax.text(j, i, _cell_text(value), ha="center", va="center", fontsize=9, color=ink)
    return image


_NO_DATA_STYLE: dict[str, Any] = {
    "facecolor": NO_DATA_COLOUR,
    "edgecolor": "#737373",
    "hatch": "///",
    "linewidth": 0,
}


def _no_data_patch() -> Patch:
    """The legend entry of a cell or point with no estimate."""
    return Patch(**_NO_DATA_STYLE, label=_NO_DATA_LABEL)


_NO_DATA_LABEL = "no data (the design point failed or did not run)"


def _draw_failed_points(ax: Axes, frame: pd.DataFrame, x: str, y: str) -> Line2D | None:
    """Grey crosses at the design points that did not run; their legend entry, if any."""
    if "status" not in frame or x not in frame or y not in frame:
        return None
    failed = frame[frame["status"] != "ok"]
    if failed.empty:
        return None
    ax.scatter(failed[x], failed[y], marker="x", color="#737373", s=40, zorder=3)
    return Line2D(
        [],
        [],
        marker="x",
        linestyle="",
        color="#737373",
        label="no data (a design point that failed or did not run)",
    )


def sweep_line_points(wide: pd.DataFrame, x: str, outcome: str) -> pd.DataFrame:
    """One row per value of ``x``: the outcome's probability and its band, honestly.

    The design points sharing a value of ``x`` (the other parameters' values) ran on the same
    random worlds (common random numbers), so their worlds are not independent and are not
    pooled: ``p`` is the mean of the points' probabilities, ``low`` and ``high`` the means of
    their own 95% Wilson bounds (the band of a single point, which the mean of correlated
    points cannot beat), and ``p_min`` and ``p_max`` the range of their probabilities.

    Returns:
        Columns ``x``, ``p``, ``low``, ``high``, ``p_min``, ``p_max`` and ``points``.
    """
    groups = wide.groupby(x, sort=True)[[f"{outcome}_{s}" for s in ("p", "ci_low", "ci_high")]]
    p, low, high = (f"{outcome}_{s}" for s in ("p", "ci_low", "ci_high"))
    means = groups.mean()
    return pd.DataFrame(
        {
            "x": means.index.to_numpy(dtype=float),
            "p": means[p].to_numpy(),
            "low": means[low].to_numpy(),
            "high": means[high].to_numpy(),
            "p_min": groups.min()[p].to_numpy(),
            "p_max": groups.max()[p].to_numpy(),
            "points": groups.size().to_numpy(),
        }
    )


def plot_sweep_line(frame: pd.DataFrame, x: str, outcomes: Sequence[str] = OUTCOMES) -> Figure:
    """Each outcome's probability along one swept parameter, with 95% Wilson intervals.

    Where other parameters vary too, each value of ``x`` shows the mean of its design points,
    the mean of their own Wilson intervals as the band and the range of their probabilities
    as bars (:func:`sweep_line_points`: the points share their worlds, so are not pooled).

    Args:
        frame: the sweep's per-point table (see :func:`sweep_wide`).
        x: the dotted path of the swept parameter.
        outcomes: the outcomes to draw (``strike`` too: an Israeli or a US strike).
    """
    wide = sweep_wide(frame)
    if x not in wide:
        raise ValueError(f"the sweep table has no column '{x}'")
    others = [p for p in sweep_parameters(wide) if p != x]
    per_x = int(wide.groupby(x).size().max()) if len(wide) else 1
    fig, ax = _subplots(figsize=(10.5, 5.2))
    drawn = [o for o in outcomes if f"{o}_p" in wide]
    span = float(wide[x].max() - wide[x].min()) if len(wide) else 0.0
    for k, outcome in enumerate(drawn):
        line = sweep_line_points(wide, x, outcome)
        dodge = (k - (len(drawn) - 1) / 2) * 0.006 * span  # the range bars side by side
        colour = outcome_colour(outcome)
        ax.plot(
            line["x"],
            line["p"],
            marker="o",
            markersize=4,
            color=colour,
            label=outcome_label(outcome),
        )
        ax.fill_between(line["x"], line["low"], line["high"], color=colour, alpha=0.18, linewidth=0)
        if per_x > 1:
            ax.vlines(line["x"] + dodge, line["p_min"], line["p_max"], color=colour, linewidth=1.2)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(param_label(x))
    ax.set_ylabel("Probability (% of worlds)")
    ax.grid(alpha=0.3)
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Patch(facecolor="grey", alpha=0.3, label="95% band (see the title)"))
    if per_x > 1:
        handles.append(
            Line2D(
                [],
                [],
                color="grey",
                marker="|",
                markersize=12,
                linestyle="",
                label="range across the\nother parameters",
            )
        )
    ax.legend(handles=handles, fontsize=9, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ax.set_title(
        f"How the outcomes move with {parameter_name(x)}\n{_line_subtitle(wide, per_x, others)}",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def _line_subtitle(wide: pd.DataFrame, per_x: int, others: Sequence[str]) -> str:
    """What a sweep line plot's points and bands are."""
    if per_x == 1:
        return f"({_worlds_per_point(wide)}; bands: 95% Wilson intervals)"
    names = ", ".join(parameter_name(p) for p in others) or "repeated points"
    worlds = _worlds_per_point(wide).replace(" per point", " each")
    return textwrap.fill(
        f"(each point: the mean of the {per_x} design points over {names}, {worlds}; band: the "
        "mean of their own 95% Wilson intervals, not pooled, as they share their worlds; bars: "
        "the range across them)",
        110,
    )


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
        table: the table of :func:`sim.analysis.sensitivity.sensitivity_table` (one row per
            output and parameter, SALib's columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, or
            ``mu_star``, ``mu_star_conf``, ``sigma``); without an ``output`` column, one row per
            parameter.
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
    ax.set_yticks(rows, [parameter_name(str(p)) for p in data["parameter"]], fontsize=8.5)
    ax.axvline(0, color="black", linewidth=0.8)
    noun = outcome_noun(output)
    if method == "sobol":
        ax.set_xlabel(f"Share of the variance of P({noun}) (Sobol' index, 0 to 1)")
        subject = "Sobol' indices"
    else:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0, symbol=" pp"))
        ax.set_xlabel(
            f"Elementary effect on P({noun}), scaled to the parameter's full range "
            "(percentage points)"
        )
        subject = "Morris screening"
    ax.set_ylabel("Parameter")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(f"What moves P({noun}): {subject} of {len(data)} parameters", fontsize=11)
    fig.tight_layout()
    return fig


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
    steps = np.array([r["step"] for r in model.trace])
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
    panels = [*issue_axes, *clout_axes, risk_ax]
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
    for ax in [*panels, *strips]:
        _draw_world_lines(ax, events, end, outcome)
        ax.set_xlim(-0.5, last)
    for ax in panels:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.25)
    for k, strip in enumerate(strips):
        _draw_event_letters(strip, events, (last + 0.5) / (11.0 / ncols), labelled=k == 0)
        _date_axis(strip, spec)
    risk_ax.set_xlabel(f"Step ({_step_unit(spec)} since {_fmt_date(spec.calendar.start)})")
    handles = _world_legend(outcome, drawn, {kind for _, kind, _ in events}) + risk_lines
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
    ending = LABELS[outcome] + (" (joint with Israel)" if model.joint[0] else "")
    fig.suptitle(
        f"World {story.world} of '{scenario_title(spec.name)}' (seed {story.seed}), told over "
        f"time: {ending} at step {end} ({_fmt_date(spec.step_to_date(end))})",
        fontsize=12,
    )
    fig.tight_layout(rect=(0, (0.1 + foot_in + legend_in) / height, 1, 0.985))
    return fig


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
    us = np.array([r["us_stance"][0, d] for r in trace])
    iran = np.array([r["iran_stance"][0, d] for r in trace])
    ax.plot(steps, us, color=US_COLOUR, linewidth=2, label="Washington's stance")
    ax.plot(steps, iran, color=IRAN_COLOUR, linewidth=2, label="Tehran's stance")
    ax.axhline(model.status_quo[0, d], **_STATUS_QUO_STYLE)
    drawn = set()
    for kind, xs, ys in _offers(trace, d):
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
    ax.set_title(f"{_pretty(issue)}: stances and offers", fontsize=10)
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
        ax.legend(fontsize=7.5, loc="best", framealpha=0.85)
    titles = ["Factions' clout in Washington", "Factions' clout in Tehran"]
    if len(axes) == 1:
        titles = ["Factions' clout in Washington and Tehran"]
    for ax, title in zip(axes, titles, strict=True):
        ax.set_title(title, fontsize=10)


def _per_step(spec: Scenario) -> str:
    """The length of a step as a noun: ``week`` or ``step of 14 days``."""
    days = spec.calendar.step_days
    return "week" if days == 7 else f"step of {days} days"


def _draw_risks(ax: Axes, story: WorldStory, steps: np.ndarray) -> list[Any]:
    """Pressure and nuclear progress (left axis) and the strike risk of each step (right axis).

    The right axis reaches at least :data:`RISK_AXIS_FLOOR`; each step's risk is a flat segment
    centred on the step with a marker (not a line joining steps). Returns the lines drawn.
    """
    spec = story.model.spec
    trace = story.model.trace
    ax.plot(
        steps,
        [r["pressure"][0] for r in trace],
        color=PRESSURE_COLOUR,
        linewidth=1.8,
        label="Economic pressure on Iran (index, 0–1)",
    )
    ax.plot(
        steps,
        [r["progress"][0] for r in trace],
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
    for key, outcome, label in (
        ("israel_probability", "strike_israel", f"P(Israeli strike) in the {per}"),
        ("us_probability", "strike_us", f"P(US strike) in the {per}"),
    ):
        values = np.array([float(r[key][0]) if key in r else np.nan for r in trace])
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


def _world_legend(outcome: str, drawn: set[str], events: set[str]) -> list[Any]:
    """The legend entries of what a world figure draws, and only those.

    The stances and status quo, the events and the kinds of offer that occur, the deal's terms
    if there is a deal, and the end.
    """
    handles: list[Any] = [
        Line2D([], [], color=US_COLOUR, linewidth=2, label="Washington's stance"),
        Line2D([], [], color=IRAN_COLOUR, linewidth=2, label="Tehran's stance"),
        Line2D([], [], **_STATUS_QUO_STYLE, label="Status quo (no-deal package)"),
    ]
    for kind, label in _EVENT_LABELS.items():
        if kind in events:
            colour, style = _EVENT_STYLES[kind]
            handles.append(Line2D([], [], color=colour, linestyle=style, label=label))
    offers = (
        ("us_rejected", "^", US_COLOUR, "US offer, rejected"),
        ("iran_rejected", "v", IRAN_COLOUR, "Iranian offer, rejected"),
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
