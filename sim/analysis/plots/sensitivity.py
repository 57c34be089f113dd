"""The figure of a sensitivity analysis: Sobol' or Morris indices as bars."""

from __future__ import annotations

import numpy as np
import pandas as pd
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
