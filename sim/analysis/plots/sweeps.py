"""Figures of a sweep: outcome probabilities as heatmaps over two parameters or lines over one."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from sim.analysis.plots.common import (
    NO_DATA_COLOUR,
    _subplots,
    outcome_colour,
    outcome_label,
    outcome_noun,
    param_label,
    parameter_name,
)
from sim.mechanisms.outcomes import OUTCOMES

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
        dodge = (k - (len(drawn) - 1) / 2) * 0.006 * span  # the range bars side by side
        _draw_outcome_line(ax, sweep_line_points(wide, x, outcome), outcome, dodge, per_x > 1)
    ax.set_ylim(0, 1)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel(param_label(x))
    ax.set_ylabel("Probability (% of worlds)")
    ax.grid(alpha=0.3)
    ax.legend(
        handles=_line_legend(ax, per_x > 1),
        fontsize=9,
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
    )
    ax.set_title(
        f"How the outcomes move with {parameter_name(x)}\n{_line_subtitle(wide, per_x, others)}",
        fontsize=11,
    )
    fig.tight_layout()
    return fig


def _draw_outcome_line(
    ax: Axes, line: pd.DataFrame, outcome: str, dodge: float, ranges: bool
) -> None:
    """One outcome's mean probability, its 95% band and (``ranges``) the range of its points."""
    colour = outcome_colour(outcome)
    ax.plot(
        line["x"], line["p"], marker="o", markersize=4, color=colour, label=outcome_label(outcome)
    )
    ax.fill_between(line["x"], line["low"], line["high"], color=colour, alpha=0.18, linewidth=0)
    if ranges:
        ax.vlines(line["x"] + dodge, line["p_min"], line["p_max"], color=colour, linewidth=1.2)


def _line_legend(ax: Axes, ranges: bool) -> list[Any]:
    """The outcomes drawn, the band and (``ranges``) the range bars."""
    handles: list[Any] = list(ax.get_legend_handles_labels()[0])
    handles.append(Patch(facecolor="grey", alpha=0.3, label="95% band (see the title)"))
    if ranges:
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
    return handles


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
