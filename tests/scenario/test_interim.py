"""``interim:`` and ``state.interim_until``: what a scenario says about interim deals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.engine.events import INTERIM_EVENTS, event_types
from sim.scenario import load_scenario
from sim.scenario.schema import parameter_paths
from tests.builders import ROOT
from tests.cli.test_cli import negsim, no_traceback
from tests.scenario.test_scenario import by_path, minimal, problems_of, write

VARIANT = ROOT / "scenarios" / "interim_deal.yaml"


def with_interim(interim: dict[str, Any] | None, until: str | None = None) -> dict[str, Any]:
    raw = minimal()
    if interim is not None:
        raw["interim"] = interim
    if until is not None:
        raw["state"] = {"interim_until": until}
    return raw


def test_without_an_interim_block_none_is_possible_and_no_event_is_listed() -> None:
    spec = load_scenario(with_interim(None)).scenario
    assert spec.interim is None
    assert not set(INTERIM_EVENTS) & set(event_types(spec))
    with_one = load_scenario(with_interim(None, until="2025-06-14")).scenario
    assert set(INTERIM_EVENTS) <= set(event_types(with_one))


def test_the_block_s_numbers_are_parameters_with_the_defaults_of_no_interim() -> None:
    spec = load_scenario(with_interim({"covers": ["enrichment"]})).scenario
    assert spec.interim is not None and spec.interim.duration_weeks == 26
    assert set(INTERIM_EVENTS) <= set(event_types(spec))
    paths = parameter_paths(spec)
    for name in ("proposal_probability", "renewal_probability", "renewal_closeness"):
        assert paths[f"interim.{name}"].central() == 0.0


@pytest.mark.parametrize(
    ("interim", "until", "path", "fragment"),
    [
        ({"covers": ["inspections"]}, None, "interim.covers.0", "unknown issue 'inspections'"),
        ({"covers": []}, None, "interim.covers", "at least 1"),
        ({"covers": ["enrichment"], "duration_weeks": 0}, None, "interim.duration_weeks", "to 1"),
        (
            {"covers": ["enrichment"], "renewal_probability": 1.5},
            None,
            "interim.renewal_probability",
            "must lie in [0, 1]",
        ),
        (None, "2025-04-12", "state.interim_until", "must fall in a step after the start"),
    ],
)
def test_a_bad_interim_names_the_field(
    tmp_path: Path, interim: dict[str, Any] | None, until: str | None, path: str, fragment: str
) -> None:
    found = by_path(problems_of(write(tmp_path, with_interim(interim, until))))
    assert path in found, found
    assert fragment in found[path].message


def test_validate_refuses_an_interim_on_an_unknown_issue(tmp_path: Path) -> None:
    path = write(tmp_path, with_interim({"covers": ["inspections"]}))
    proc = negsim("validate", path)
    assert proc.returncode == 2
    no_traceback(proc)
    assert "interim.covers.0: unknown issue 'inspections'" in proc.stderr


def test_the_variant_starts_from_an_interim_deal_in_force() -> None:
    spec = load_scenario(VARIANT).scenario
    assert spec.state is not None and spec.state.interim_until is not None
    assert spec.interim is not None and spec.interim.evidence and spec.interim.assumption
