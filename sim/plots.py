"""Figures. Each outcome keeps its colour (:data:`sim.outcomes.COLOURS`) in every figure."""

from __future__ import annotations

from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sim.outcomes import COLOURS, LABELS, OUTCOMES


def plot_outcomes(summary: dict[str, Any]) -> Figure:
    """Horizontal bars of each outcome's probability with its 95% Wilson interval."""
    outcomes = summary["outcomes"]
    names = list(reversed(OUTCOMES))
    p = [outcomes[k]["p"] for k in names]
    lo = [max(0.0, outcomes[k]["p"] - outcomes[k]["ci95"][0]) for k in names]
    hi = [max(0.0, outcomes[k]["ci95"][1] - outcomes[k]["p"]) for k in names]
    fig, ax = plt.subplots(figsize=(7, 3.6))
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
    ax.set_title(
        f"Outcomes of '{summary['scenario']}': {summary['worlds']:,} worlds, seed {summary['seed']}"
    )
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig
