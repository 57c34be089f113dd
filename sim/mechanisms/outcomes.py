"""Outcome categories (docs/model.md §3.4.22): codes, names, labels and the colour of each."""

from __future__ import annotations

RUNNING, DEAL, STRIKE_ISRAEL, STRIKE_US, BREAKDOWN, NO_RESOLUTION = range(6)

OUTCOMES = ("deal", "strike_israel", "strike_us", "breakdown", "no_resolution")
"""Terminal outcomes, in display order; ``OUTCOMES[code - 1]`` names a code."""

LABELS = {
    "deal": "Deal",
    "strike_israel": "Israeli strike",
    "strike_us": "US strike",
    "breakdown": "Breakdown",
    "no_resolution": "No resolution",
}

COLOURS = {
    "deal": "#1b9e77",
    "strike_israel": "#d95f02",
    "strike_us": "#7570b3",
    "breakdown": "#e7298a",
    "no_resolution": "#666666",
}
"""One colour per outcome, used by every figure (colour-blind-safe Dark2 palette)."""


def name(code: int) -> str:
    """The outcome name of a code."""
    return OUTCOMES[code - 1]
