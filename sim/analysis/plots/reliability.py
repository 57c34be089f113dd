"""The reliability diagram of a run's scored forecasts (``negsim score``; docs/forecasting.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from sim.analysis.plots.common import _subplots

FEW_QUESTIONS = 30
"""Below this many scored questions the figure says its shares are too noisy to read as a
calibration curve (three questions a bin on average over ten bins)."""


def plot_reliability(card: Mapping[str, Any], title: str = "Reliability") -> Figure:
    """Observed share of true resolutions against the mean forecast, per bin of forecasts.

    ``card`` is :func:`sim.runs.scoring.score`'s scorecard. Each non-empty bin is a point with
    its 95% Wilson interval, labelled with its number of questions; the diagonal is perfect
    calibration. Few questions (under :data:`FEW_QUESTIONS`) are said on the figure.
    """
    fig, ax = _subplots(figsize=(6.0, 6.0))
    ax.plot([0, 1], [0, 1], color="#999999", linestyle="--", linewidth=1, label="perfect")
    bins = [b for b in card["reliability"] if b["count"]]
    for k, b in enumerate(bins):
        lo, hi = b["ci95"]
        ax.errorbar(
            b["forecast"],
            b["observed"],
            yerr=[[b["observed"] - lo], [hi - b["observed"]]],
            fmt="o",
            color="#08519c",
            markersize=5 + 2 * min(b["count"], 10) ** 0.5,
            capsize=3,
            label="questions binned (95% Wilson interval)" if k == 0 else None,
        )
        ax.annotate(
            f"n={b['count']}",
            (b["forecast"], b["observed"]),
            textcoords="offset points",
            xytext=(8, -12),
            fontsize=8,
        )
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.02), aspect="equal")
    ax.set_xlabel("forecast probability (mean of the bin)")
    ax.set_ylabel("share resolved true")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    scored = card["scored"]
    if scored < FEW_QUESTIONS:
        ax.text(
            0.98,
            0.02,
            f"only {scored} question(s) scored:\nthe shares are too noisy\nto judge calibration",
            transform=ax.transAxes,
            ha="right",
            va="bottom",
            fontsize=9,
            color="#99000d",
            bbox={"facecolor": "white", "edgecolor": "#99000d", "alpha": 0.9},
        )
    return fig
