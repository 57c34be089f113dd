"""Outcome codes (sim.mechanisms.outcomes): names, labels and colours agree."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.outcomes import (
    BREAKDOWN,
    COLOURS,
    DEAL,
    LABELS,
    NO_RESOLUTION,
    OUTCOMES,
    RUNNING,
    STRIKE_ISRAEL,
    STRIKE_JOINT,
    STRIKE_US,
    STRIKES,
    TOTALS,
    name,
)


def test_codes_name_their_outcomes() -> None:
    assert RUNNING == 0
    codes = (DEAL, STRIKE_ISRAEL, STRIKE_JOINT, STRIKE_US, BREAKDOWN, NO_RESOLUTION)
    assert [name(c) for c in codes] == [
        "deal",
        "strike_israel",
        "strike_joint",
        "strike_us",
        "breakdown",
        "no_resolution",
    ]


@given(st.sampled_from(OUTCOMES))
def test_property_every_outcome_has_a_code_a_label_and_its_own_colour(outcome: str) -> None:
    code = OUTCOMES.index(outcome) + 1
    assert name(code) == outcome and code != RUNNING
    assert LABELS[outcome] and COLOURS[outcome].startswith("#")
    assert list(COLOURS.values()).count(COLOURS[outcome]) == 1


def test_strike_labels_say_who_started_and_who_joined() -> None:
    assert LABELS["strike_israel"] == "Israeli strike alone"
    assert LABELS["strike_joint"] == "Israeli strike, US joined"
    assert LABELS["strike_us"] == "US strike alone"
    assert TOTALS["israeli_initiated"][1] == ("strike_israel", "strike_joint")
    assert TOTALS["strike"][1] == STRIKES == ("strike_israel", "strike_joint", "strike_us")
