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


STATES = (
    "deal_in_force",
    "interim_in_force",
    "at_war",
    "ceasefire",
    "talks_ongoing",
    "talks_collapsed",
)
"""A world's state at the horizon (its phase then), in display order; ``STATES[code]`` names a
phase code of the engine (:mod:`sim.engine.events`).

``interim_in_force`` and ``ceasefire`` are in the vocabulary for the episodes of issue 14 (interim
deals, a war's ceasefire) and are not reached yet: today a deal puts a world in
``deal_in_force``, a strike (the start of a war, which no ceasefire ends yet) in ``at_war``,
collapsed talks in ``talks_collapsed``, and every other world is ``talks_ongoing``.
"""

DEAL_IN_FORCE, INTERIM_IN_FORCE, AT_WAR, CEASEFIRE, TALKS_ONGOING, TALKS_COLLAPSED = range(6)

STATE_LABELS = {
    "deal_in_force": "Deal in force",
    "interim_in_force": "Interim deal in force",
    "at_war": "At war",
    "ceasefire": "Ceasefire without a deal",
    "talks_ongoing": "Talks ongoing",
    "talks_collapsed": "Talks collapsed",
}

STATE_COLOURS = {
    "deal_in_force": COLOURS["deal"],
    "interim_in_force": "#66a61e",
    "at_war": COLOURS["strike_israel"],
    "ceasefire": "#e6ab02",
    "talks_ongoing": COLOURS["no_resolution"],
    "talks_collapsed": COLOURS["breakdown"],
}
"""One colour per state: an outcome's colour where the state follows from it (a deal, a strike,
collapsed talks, nothing decided), the rest of the Dark2 palette otherwise."""
