"""``sides``: the two negotiating principals may have any ids; the scenario names their roles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.scenario import load_scenario
from tests.scenario.test_scenario import by_path, minimal, problems_of, write

RENAMES = {"us": "washington", "iran": "tehran"}


def renamed() -> dict[str, Any]:
    """The minimal scenario with its principals called ``washington`` and ``tehran``."""
    raw = minimal()
    raw["actors"] = {RENAMES.get(k, k): v for k, v in raw["actors"].items()}
    for actor in raw["actors"].values():
        if actor.get("principal") in RENAMES:
            actor["principal"] = RENAMES[actor["principal"]]
    raw["sides"] = {"enforcer": "washington", "target": "tehran"}
    return raw


def test_principals_may_have_any_ids() -> None:
    scenario = load_scenario(renamed()).scenario
    assert scenario.side_ids() == ("washington", "tehran")
    assert scenario.first_mover() == "washington"  # the enforcer by default
    assert scenario.factions_of("tehran") == ["leader"]


def test_the_sides_default_to_the_baselines() -> None:
    scenario = load_scenario(minimal()).scenario
    assert scenario.side_ids() == ("us", "iran")


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda r: r.pop("sides"), "actors.us", "the enforcer side 'us' needs a principal"),
        (
            lambda r: r["sides"].update(target="washington"),
            "sides.target",
            "the two sides must differ, got 'washington' twice",
        ),
        (
            lambda r: r["sides"].update(target="leader"),
            "actors.leader",
            "the target side 'leader' needs a principal with this id",
        ),
        (
            lambda r: r["actors"]["leader"].update(principal="iran"),
            "actors.leader.principal",
            "'iran' is not a side; the sides are 'washington' and 'tehran' (see sides)",
        ),
        (
            lambda r: r.update(protocol={"first_mover": "us"}),
            "protocol.first_mover",
            "'us' is not a side",
        ),
        (
            lambda r: r["actors"].update(moscow={"role": "principal", "ratifier": "leader"}),
            "actors.moscow",
            "a principal must be one of the two sides",
        ),
        (
            lambda r: r["sides"].update(enforcer="Washington"),
            "sides.enforcer",
            "String should match pattern",
        ),
    ],
)
def test_bad_sides_name_the_field(tmp_path: Path, mutate: Any, path: str, fragment: str) -> None:
    raw = renamed()
    mutate(raw)
    found = by_path(problems_of(write(tmp_path, raw)))
    assert path in found, found
    assert fragment in found[path].message
