"""The one list of dotted paths ``--set`` accepts, its spelling hints, and values at a path."""

from __future__ import annotations

import copy

import pytest

from sim.scenario import ScenarioError, load_scenario
from sim.scenario.loader import Loaded, set_path
from sim.scenario.paths import override_paths, suggest_path, value_at
from sim.scenario.schema import parameter_paths
from tests.builders import BASELINE


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return load_scenario(BASELINE)


def test_every_listed_path_can_be_set(loaded: Loaded) -> None:
    # set_path (what --set and overrides: use) takes every path of the list.
    paths = override_paths(loaded)
    assert len(paths) == len(set(paths))
    raw = copy.deepcopy(loaded.raw)
    for path in paths:
        old = set_path(raw, path, "x")  # raises KeyError for a path it refuses
        set_path(raw, path, old)  # put it back (a default's key stays, holding None)


def test_every_parameter_and_the_defaults_under_written_mappings_are_listed(
    loaded: Loaded,
) -> None:
    paths = set(override_paths(loaded))
    assert set(parameter_paths(loaded.scenario)) <= paths
    assert "actors.oman.patience" in paths  # written in the file
    assert "actors.oman.risk_exponent" in paths  # a default: the file does not write it
    assert "actors.oman.nonsense" not in paths


def test_a_default_from_the_list_is_accepted_by_set(loaded: Loaded) -> None:
    path = next(p for p in override_paths(loaded) if p.startswith("actors.oman.discount"))
    assert load_scenario(BASELINE, {path: 0.9}).scenario.actors["oman"].discount == 0.9


def test_a_path_off_the_list_is_refused_by_set() -> None:
    with pytest.raises(ScenarioError):
        load_scenario(BASELINE, {"actors.oman.nonsense": 1})


def test_hints_come_from_the_list(loaded: Loaded) -> None:
    paths = override_paths(loaded)
    assert suggest_path("actors.oman.patiense", paths) == "actors.oman.patience"
    assert suggest_path("zzzz", paths) is None


def test_value_at_reads_the_validated_scenario(loaded: Loaded) -> None:
    assert value_at(loaded.scenario, "actors.oman.patience") == 12
    assert value_at(loaded.scenario, "actors.oman.give_up_hazard.value") == pytest.approx(0.02)
    with pytest.raises(KeyError):
        value_at(loaded.scenario, "actors.oman.nonsense")
