"""Outcome categories (docs/model.md §3.4.22): codes, names, labels and the colour of each.

A strike is named by who started it and who joined it: Israel alone (``strike_israel``), Israel
with the US joining (``strike_joint``), or the US alone (``strike_us``). Who joins an Israeli
strike does not change whether Israel strikes, so the Israeli-initiated strikes
(:data:`ISRAELI_INITIATED`) are the measure of Israel's risk whatever the US does.
"""

from __future__ import annotations

RUNNING, DEAL, STRIKE_ISRAEL, STRIKE_JOINT, STRIKE_US, BREAKDOWN, NO_RESOLUTION = range(7)

OUTCOMES = ("deal", "strike_israel", "strike_joint", "strike_us", "breakdown", "no_resolution")
"""Terminal outcomes, in display order; ``OUTCOMES[code - 1]`` names a code."""

STRIKES = ("strike_israel", "strike_joint", "strike_us")
"""Every strike outcome: "strike" in sweeps, sensitivity and figures is their sum."""

ISRAELI_INITIATED = ("strike_israel", "strike_joint")
"""The strikes Israel started, whether or not the US joined."""

LABELS = {
    "deal": "Deal",
    "strike_israel": "Israeli strike alone",
    "strike_joint": "Israeli strike, US joined",
    "strike_us": "US strike alone",
    "breakdown": "Breakdown",
    "no_resolution": "No resolution",
}

TOTALS = {
    "israeli_initiated": ("Israeli-initiated strikes", ISRAELI_INITIATED),
    "strike": ("All strikes", STRIKES),
}
"""Sums of outcomes the tables show below the outcomes: key to (label, members).

The Israeli-initiated strikes are the Israeli strikes alone and those the US joined: a change in
who joins moves worlds between the two and leaves this sum where it was.
"""

COLOURS = {
    "deal": "#1b9e77",
    "strike_israel": "#d95f02",
    "strike_joint": "#a6761d",
    "strike_us": "#7570b3",
    "breakdown": "#e7298a",
    "no_resolution": "#666666",
}
"""One colour per outcome, used by every figure (colour-blind-safe Dark2 palette)."""


def name(code: int) -> str:
    """The outcome name of a code."""
    return OUTCOMES[code - 1]
