"""``state:``: the fields a scenario's starting state may set, and the ones it may not yet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.scenario import load_scenario
from tests.cli.test_cli import negsim, no_traceback
from tests.scenario.test_scenario import by_path, minimal, problems_of, write


def with_state(state: dict[str, Any]) -> dict[str, Any]:
    raw = minimal()
    raw["state"] = state
    return raw


def test_a_state_loads_and_its_damage_is_a_parameter() -> None:
    scenario = load_scenario(with_state({"programme_damage": 0.3})).scenario
    assert scenario.state is not None and not scenario.state.snapback
    assert load_scenario(minimal()).scenario.state is None


@pytest.mark.parametrize(
    ("state", "path", "fragment"),
    [
        ({"snapback": True}, "state.snapback", "needs a snapback holder"),
        ({"programme_damage": 1.5}, "state.programme_damage", "must lie in [0, 1]"),
        ({"at_war": True}, "state.at_war", "unknown field"),  # it is state.phase: at_war
        ({"phase": "at_war"}, "state.phase", "past_strikes must be at least 1"),
        ({"phase": "ceasefire"}, "state.phase", "past_strikes must be at least 1"),
        ({"phase": "peace"}, "state.phase", "at_war"),
        ({"past_strikes": -1}, "state.past_strikes", "greater than or equal to 0"),
        ({"past_strikes": 1, "escalated": True}, "state.escalated", "needs state.phase: at_war"),
        (
            {"past_strikes": 1, "phase": "ceasefire", "us_took_part": True},
            "state.us_took_part",
            "needs state.phase: at_war",
        ),
    ],
)
def test_a_bad_state_names_the_field(
    tmp_path: Path, state: dict[str, Any], path: str, fragment: str
) -> None:
    found = by_path(problems_of(write(tmp_path, with_state(state))))
    assert path in found, found
    assert fragment in found[path].message


def test_validate_refuses_a_snapback_without_its_holder(tmp_path: Path) -> None:
    path = write(tmp_path, with_state({"snapback": True}))
    proc = negsim("validate", path)
    assert proc.returncode == 2
    no_traceback(proc)
    assert "state.snapback: needs a snapback holder" in proc.stderr
