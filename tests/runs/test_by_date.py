"""First-event probabilities by a date (sim.runs.ensemble.by_date) and the sums of outcomes."""

from __future__ import annotations

import datetime as dt
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.mechanisms.outcomes import OUTCOMES, TOTALS
from sim.runs.ensemble import RunResult, by_date, run
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario
from tests.builders import BASELINE


@cache
def ensemble() -> tuple[RunResult, Scenario]:
    """300 baseline worlds (run once for the module) and the baseline."""
    return run(BASELINE, worlds=300, seed=11), load_scenario(BASELINE).scenario


def test_by_the_horizon_is_the_run_itself() -> None:
    result, spec = ensemble()
    by = by_date(result.worlds, spec, spec.step_to_date(spec.horizon))
    assert by["step"] == spec.horizon
    assert by["outcomes"] == result.summary["outcomes"]
    assert by["totals"] == result.summary["totals"]
    assert by["no_outcome_yet"]["count"] == 0


def test_totals_are_sums_of_their_outcomes() -> None:
    result, _ = ensemble()
    outcomes, totals = result.summary["outcomes"], result.summary["totals"]
    for key, (_, members) in TOTALS.items():
        assert totals[key]["count"] == sum(outcomes[m]["count"] for m in members)


@settings(max_examples=20, deadline=None)
@given(st.integers(-10, 300), st.integers(0, 40))
def test_property_outcomes_by_a_date_grow_and_add_up(days: int, more: int) -> None:
    result, spec = ensemble()
    early = by_date(result.worlds, spec, spec.calendar.start + dt.timedelta(days=days))
    late = by_date(result.worlds, spec, spec.calendar.start + dt.timedelta(days=days + more))
    # A breakdown is the state of collapsed talks: a strike after it moves the world on, so
    # only the breakdown share may fall; the worlds with some outcome only grow.
    for name in OUTCOMES:
        if name != "breakdown":
            assert early["outcomes"][name]["count"] <= late["outcomes"][name]["count"]
    assert early["no_outcome_yet"]["count"] >= late["no_outcome_yet"]["count"]
    total = sum(early["outcomes"][n]["count"] for n in OUTCOMES)
    assert total + early["no_outcome_yet"]["count"] == len(result.worlds)


def test_no_probability_by_a_date_reads_the_horizon() -> None:
    """Issue 13: the first-event probabilities by 18 October 2025 do not move with the horizon.

    Same seed, 400 worlds, the study period 38 or 104 weeks: every outcome and total by then
    within 0.02 (the issue's bound at 10,000 worlds; at one seed nothing but a horizon-reading
    clock, hazard or rule can move them).
    """
    date = dt.date(2025, 10, 18)
    spec = load_scenario(BASELINE).scenario
    by = [
        by_date(run(BASELINE, worlds=400, seed=7, overrides={"horizon": h}).worlds, spec, date)
        for h in (38, 104)
    ]
    for part in ("outcomes", "totals"):
        for key, short in by[0][part].items():
            assert abs(short["p"] - by[1][part][key]["p"]) <= 0.02, (part, key)
    assert abs(by[0]["no_outcome_yet"]["p"] - by[1]["no_outcome_yet"]["p"]) <= 0.02
