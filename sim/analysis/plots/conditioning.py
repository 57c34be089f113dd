"""The figure of ``negsim condition``: each drawn parameter, prior against posterior."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from sim.analysis.plots.common import _subplots

PRIOR_COLOUR = "#9e9e9e"
POSTERIOR_COLOUR = "#1f77b4"


def plot_parameter_shifts(
    parameters: Sequence[dict[str, Any]], title: str, most: int = 15
) -> Figure:
    """Prior against posterior of the ``most`` parameters that moved most, on one scale.

    Each parameter (a row of :func:`sim.runs.conditioning.parameter_shifts`, ranked) is drawn in
    prior standard deviations from its prior mean: a grey bar for the prior's 5–95% range and a
    blue one for the posterior's, dots at their medians, a cross at the posterior mean (its
    standardised shift). A parameter the observations did not inform keeps its bars level.
    """
    rows = list(parameters)[:most]
    fig, ax = _subplots(figsize=(8, 0.45 * max(len(rows), 2) + 1.8))
    for y, r in enumerate(reversed(rows)):
        sd = r["prior_sd"] or 1.0
        prior = (np.array(r["prior_quantiles"]) - r["prior_mean"]) / sd
        post = (np.array(r["posterior_quantiles"]) - r["prior_mean"]) / sd
        ax.plot(prior[[0, 2]], [y + 0.15] * 2, color=PRIOR_COLOUR, lw=5, solid_capstyle="butt")
        ax.plot(post[[0, 2]], [y - 0.15] * 2, color=POSTERIOR_COLOUR, lw=5, solid_capstyle="butt")
        ax.plot([prior[1]], [y + 0.15], "o", color="black", ms=3)
        ax.plot([post[1]], [y - 0.15], "o", color="black", ms=3)
        ax.plot([r["shift"]], [y - 0.15], "x", color="crimson", ms=6)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([r["parameter"] for r in reversed(rows)], fontsize=8)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("value, in prior standard deviations from the prior mean")
    ax.plot([], [], color=PRIOR_COLOUR, lw=5, label="prior 5–95%")
    ax.plot([], [], color=POSTERIOR_COLOUR, lw=5, label="posterior 5–95%")
    ax.plot([], [], "x", color="crimson", label="posterior mean (shift)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8, frameon=False)
    ax.set_title(title, fontsize=10)
    return fig
