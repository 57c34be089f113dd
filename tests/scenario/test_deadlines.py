"""A side's list of deadlines in the schema (docs/model.md §3.4.28)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from sim.scenario import load_scenario
from sim.scenario.loader import ScenarioError
from sim.scenario.paths import override_paths
from sim.scenario.schema import Deadline, Principal
from tests.builders import BASELINE, pie_scenario


def iran(**fields: Any) -> Principal:
    raw = pie_scenario(rule="aspiration", iran=fields)
    actor = load_scenario(raw).scenario.actors["iran"]
    assert isinstance(actor, Principal)
    return actor


def test_a_lone_deadline_is_a_one_element_list_of_a_final_deadline():
    side = iran(deadline="2025-10-18")
    assert side.deadline_list() == (Deadline(date=dt.date(2025, 10, 18), at="final"),)
    assert iran().deadline_list() == ()


def test_listed_deadlines_are_decided_by_default():
    side = iran(deadlines=[{"date": "2025-08-30"}, {"date": "2025-10-18", "note": "expiry"}])
    assert [d.at for d in side.deadline_list()] == ["decide", "decide"]
    assert side.deadline_list()[1].note == "expiry"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"deadline": "2025-10-18", "deadlines": [{"date": "2025-08-30"}]}, "not both"),
        ({"deadlines": [{"date": "2025-10-18"}, {"date": "2025-08-30"}]}, "date order"),
        ({"deadlines": [{"date": "2025-10-18"}, {"date": "2025-10-18"}]}, "date order"),
        (
            {"deadlines": [{"date": "2025-08-30", "at": "final"}, {"date": "2025-10-18"}]},
            "only the last",
        ),
        ({"deadlines": [{"date": "2025-08-30", "at": "maybe"}]}, "actors.iran.deadlines.0.at"),
    ],
)
def test_bad_deadlines_are_refused_naming_the_field(fields, message):
    with pytest.raises(ScenarioError) as err:
        iran(**fields)
    assert message in str(err.value)
    assert "actors.iran" in str(err.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [("closeness_weight", -1.0), ("extend_probability", 1.5), ("extension_weeks", 0.0)],
)
def test_a_decision_parameter_out_of_range_is_refused(name, value):
    raw = pie_scenario(rule="aspiration", protocol={"deadline_decision": {name: value}})
    with pytest.raises(ScenarioError) as err:
        load_scenario(raw)
    assert f"protocol.deadline_decision.{name}: must lie in" in str(err.value)


def test_set_reaches_the_decision_parameters_left_at_their_defaults():
    path = "protocol.deadline_decision.extend_probability"
    assert path in override_paths(load_scenario(BASELINE))
    decision = load_scenario(BASELINE, {path: 0.5}).scenario.protocol.deadline_decision
    assert decision.extend_probability == 0.5
