"""The figure of a sensitivity analysis: Sobol' or Morris indices as bars."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.analysis.plots.common import _subplots, outcome_colour, outcome_noun, parameter_name

# ------------------------------------------------------------------------------ sensitivity

SENSITIVITY_COLUMNS = {
    "sobol": (("ST", "ST_conf", "total effect ST"), ("S1", "S1_conf", "first order S1")),
    "morris": (("mu_star", "mu_star_conf", "mean |effect| μ*"), ("sigma", None, "spread σ")),
}
"""Per method, the (value, confidence, legend) of each bar series (SALib's column names)."""


def plot_sensitivity(
    table: pd.DataFrame,
    method: str | None = None,
    output: str | Sequence[str] = "deal",
    *,
    top: int = 20,
    title: str | None = None,
) -> Figure:
    """Sensitivity indices as horizontal bars with their 95% confidence intervals.

    Sobol': total (ST) and first-order (S1) indices (Saltelli et al. 2010). Morris: the mean
    absolute elementary effect μ* and its spread σ (Campolongo et al. 2007). Parameters are
    sorted by ST or μ* of the first output, the largest on top. Each output is drawn in its
    outcome's colour, the main index dark and the second light.

    Args:
        table: the table of :func:`sim.analysis.sensitivity.sensitivity_table` (one row per
            output and parameter, SALib's columns ``S1``, ``S1_conf``, ``ST``, ``ST_conf``, or
            ``mu_star``, ``mu_star_conf``, ``sigma``); without an ``output`` column, one row per
            parameter.
        method: ``sobol`` or ``morris`` (default: the table's ``method`` column).
        output: the probability the indices decompose: ``deal``, ``strike`` or an outcome; or
            several, one panel each (``negsim sensitivity`` draws ``["deal", "strike"]``).
        top: draw at most this many parameters.
        title: the figure's title (default: what moves the outputs, and by which method).
    """
    method = _sensitivity_method(table, method)
    outputs = [output] if isinstance(output, str) else list(output)
    panels = [_sensitivity_rows(table, method, name) for name in outputs]
    main = SENSITIVITY_COLUMNS[method][0][0]
    order = list(panels[0].sort_values(main, ascending=False).head(top).index[::-1])
    width = 9 if len(outputs) == 1 else 6.5 * len(outputs)
    fig, axes = _subplots(
        1, len(outputs), sharey=True, squeeze=False, figsize=(width, 1.8 + 0.42 * len(order))
    )
    for ax, name, data in zip(axes[0], outputs, panels, strict=True):
        _draw_indices(ax, data.reindex(order), method, name)
    axes[0][0].set_yticks(range(len(order)), [parameter_name(str(p)) for p in order], fontsize=8.5)
    axes[0][0].set_ylabel("Parameter")
    subject = "Sobol' indices" if method == "sobol" else "Morris screening"
    what = " and ".join(f"P({outcome_noun(name)})" for name in outputs)
    heading = title or f"What moves {what}: {subject} of {len(order)} parameters"
    if len(outputs) == 1:
        axes[0][0].set_title(heading, fontsize=11)
    else:
        for ax, name in zip(axes[0], outputs, strict=True):
            ax.set_title(f"P({name})", color=outcome_colour(name), fontweight="bold")
        fig.suptitle(heading, fontsize=11)
    fig.tight_layout()
    return fig


def _sensitivity_method(table: pd.DataFrame, method: str | None) -> str:
    """The method given, else the table's; raise unless it is ``sobol`` or ``morris``."""
    if method is None and "method" in table:
        method = str(table["method"].iloc[0])
    if method not in SENSITIVITY_COLUMNS:
        raise ValueError(f"method must be 'sobol' or 'morris', got '{method}'")
    return method


def _sensitivity_rows(table: pd.DataFrame, method: str, output: str) -> pd.DataFrame:
    """One output's rows of the table, indexed by parameter; raise if it has none."""
    data = table if "parameter" in table else table.rename_axis("parameter").reset_index()
    for column in ("output", "outcome"):
        if column in data:
            data = data[data[column].astype(str) == output]
    if data.empty:
        raise ValueError(f"the sensitivity table has no rows for '{output}'")
    for column, _, _ in SENSITIVITY_COLUMNS[method]:
        if column not in data:
            raise ValueError(f"a {method} table needs a '{column}' column")
    return data.set_index("parameter")


def _draw_indices(ax: Axes, data: pd.DataFrame, method: str, output: str) -> None:
    """One output's two bar series (one row per parameter, bottom up), with their intervals."""
    rows = np.arange(len(data))
    colour = outcome_colour(output)
    light = tuple(0.55 + 0.45 * c for c in to_rgb(colour))
    (main, main_conf, main_label), (second, second_conf, second_label) = SENSITIVITY_COLUMNS[method]
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
    ax.axvline(0, color="black", linewidth=0.8)
    noun = outcome_noun(output)
    if method == "sobol":
        ax.set_xlabel(f"Share of the variance of P({noun}) (Sobol' index, 0 to 1)")
    else:
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0, symbol=" pp"))
        ax.set_xlabel(
            f"Elementary effect on P({noun}),\nscaled to the parameter's full range "
            "(percentage points)"
        )
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="lower right", fontsize=9)
