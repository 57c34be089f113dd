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
def test_property_outcomes_by_a_date_only_grow_and_add_up(days: int, more: int) -> None:
    result, spec = ensemble()
    early = by_date(result.worlds, spec, spec.calendar.start + dt.timedelta(days=days))
    late = by_date(result.worlds, spec, spec.calendar.start + dt.timedelta(days=days + more))
    for name in OUTCOMES:
        assert early["outcomes"][name]["count"] <= late["outcomes"][name]["count"]
    total = sum(early["outcomes"][n]["count"] for n in OUTCOMES)
    assert total + early["no_outcome_yet"]["count"] == len(result.worlds)
