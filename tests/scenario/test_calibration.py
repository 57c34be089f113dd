"""The calibration: every baseline number has evidence or an assumption, and a range; the shock
library and the variants load and run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.runs.ensemble import run
from sim.scenario import load_scenario
from sim.scenario.evidence import source_rows, uncovered
from sim.scenario.params import Fixed
from sim.scenario.schema import Scenario, parameter_paths
from tests.builders import BASELINE, ROOT

SCENARIOS = ROOT / "scenarios"
VARIANTS = sorted(p for p in SCENARIOS.glob("*.yaml") if p.name != "baseline.yaml")
SHOCKS = sorted((SCENARIOS / "shocks").glob("*.yaml"))


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE).scenario


def test_every_baseline_parameter_has_evidence_or_an_assumption(baseline: Scenario) -> None:
    assert uncovered(baseline) == []


def test_every_evidenced_fixed_value_has_an_uncertainty_range(baseline: Scenario) -> None:
    lacking = [
        path
        for path, spec in parameter_paths(baseline).items()
        if isinstance(spec, Fixed) and spec.evidence and spec.range is None
    ]
    assert lacking == []


def test_evidence_rows_cover_actors_issues_and_shocks(baseline: Scenario) -> None:
    owners = {row.owner for row in source_rows(baseline) if row.kind == "evidence"}
    for actor in (
        "us_president",
        "us_hawks",
        "us_doves",
        "supreme_leader",
        "irgc_hardliners",
        "pragmatists",
        "israel",
        "russia",
        "china",
        "e3",
        "oman",
    ):
        assert actor in owners
    assert any(owner.startswith("issue ") for owner in owners)
    assert any(owner.startswith("shock ") for owner in owners)


def test_the_shock_library_is_complete() -> None:
    names = {p.stem for p in SHOCKS}
    assert len(names) >= 10
    for name in SHOCKS:
        text = name.read_text(encoding="utf-8")
        assert "evidence" in text or "assumption" in text, name


@pytest.mark.parametrize("variant", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_variant_extends_the_baseline_and_runs(variant: Path) -> None:
    loaded = load_scenario(variant)
    assert loaded.scenario.name != "baseline"
    assert loaded.scenario.description
    result = run(loaded, worlds=200, seed=1)
    assert sum(o["count"] for o in result.summary["outcomes"].values()) == 200


def test_at_least_five_variants() -> None:
    assert len(VARIANTS) >= 5


def test_evidence_command_prints_and_writes_markdown(tmp_path: Path) -> None:
    out = tmp_path / "evidence.md"
    done = subprocess.run(
        [sys.executable, "-m", "sim", "evidence", str(BASELINE), "--markdown", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Evidence for 'baseline'")
    assert "| actor | parameter | value | range | quote | seed | reading |" in text
    assert "Rubio" in text and "MISSING" not in text
    shown = subprocess.run(
        [sys.executable, "-m", "sim", "evidence", str(BASELINE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0 and "strike_resolve" in shown.stdout


def test_compare_command_writes_markdown(tmp_path: Path) -> None:
    out = tmp_path / "table.md"
    args = [
        sys.executable,
        "-m",
        "sim",
        "compare",
        str(BASELINE),
        *map(str, VARIANTS[:1]),
        "--worlds",
        "100",
        "--seed",
        "2",
        "--markdown",
        str(out),
    ]
    done = subprocess.run(args, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("| scenario | Deal |")
    assert lines[2].startswith("| baseline |") and len(lines) == 4
