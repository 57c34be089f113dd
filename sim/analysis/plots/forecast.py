"""The figure of ``negsim forecast`` with outcomes: each rule's forecasts against the outcomes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.plots.common import _subplots
from sim.runs.forecast import ActorTable, RuleForecast, Scores

RULE_COLOURS = {
    "bdm_eum": "#08519c",
    "compromise": "#b8860b",
    "median": "#01665e",
    "status_quo": "#8c6bb1",
}


def plot_forecast(
    tables: Sequence[ActorTable],
    results: Sequence[dict[str, RuleForecast]],
    rules: Sequence[str],
    scores: Scores | None = None,
) -> Figure:
    """One panel per rule: forecast (y) against outcome (x) on each issue with an outcome.

    The diagonal marks a perfect forecast; a forecast that hit the round cap without converging is
    drawn hollow. Each panel's title gives the rule's mean absolute error and its bootstrap 95%
    interval (``scores``).
    """
    scored = [i for i, t in enumerate(tables) if t.outcome is not None]
    outcome = np.array([tables[i].outcome for i in scored], dtype=float)
    fig, axes = _subplots(
        1, len(rules), figsize=(3.6 * len(rules), 3.8), squeeze=False, sharex=True, sharey=True
    )
    lo = min([*outcome, *(results[i][r].forecast for i in scored for r in rules)], default=0.0)
    hi = max([*outcome, *(results[i][r].forecast for i in scored for r in rules)], default=1.0)
    for ax, rule in zip(axes[0], rules, strict=True):
        value = np.array([results[i][rule].forecast for i in scored])
        settled = np.array([results[i][rule].converged for i in scored], dtype=bool)
        colour = RULE_COLOURS.get(rule, "#333333")
        ax.plot([lo, hi], [lo, hi], color="#999999", lw=0.8, ls="--", zorder=1)
        for mask, face, label in (
            (settled, colour, "converged"),
            (~settled, "none", "round cap reached"),
        ):
            if np.any(mask):
                ax.scatter(
                    outcome[mask],
                    value[mask],
                    s=14,
                    facecolors=face,
                    edgecolors=colour,
                    label=label,
                )
        if np.any(~settled):
            ax.legend(loc="upper left", fontsize=7, frameon=False)
        title = rule
        if scores is not None:
            mae = scores.mae[rule]
            interval = "" if mae.low is None else f" [{mae.low:.3g}, {mae.high:.3g}]"
            title = f"{rule}\nMAE {mae.estimate:.3g}{interval}"
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("outcome")
    axes[0][0].set_ylabel("forecast")
    fig.suptitle(f"forecast against outcome, {len(scored)} issues", fontsize=10)
    fig.tight_layout()
    return fig
