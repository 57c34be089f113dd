"""Screening sweeps: ``uncertain: all``, and whole-number and date paths in sampled designs."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis.sensitivity import sensitivity_table
from sim.cli.main import main as negsim_main
from sim.runs.sweeps import SweepSpecError, load_sweep, run_sweep
from sim.runs.sweeps import design as design_module
from sim.runs.sweeps.design import design_points, sampled_matrix
from sim.runs.sweeps.spec import EPOCH, MAX_POINTS, design_size, rounding_warnings
from tests.builders import ROOT, pie_scenario

SCREENING = ROOT / "scenarios" / "sweeps" / "baseline_screening.yaml"
CLOUT = "actors.us_lead.clout"
RISK = "actors.iran_lead.risk_exponent"
EVERY = "protocol.session_every"
DEADLINE = "actors.iran.deadline"
WHY = "test scenario"


@pytest.fixture
def base(tmp_path: Path) -> Path:
    """A pie scenario with two uncertain parameters (a distribution, a value with a range), a
    value whose range is a point, a fixed value, a whole-number path and a date path."""
    raw = pie_scenario(
        rule="aspiration",
        horizon=20,
        iran={"deadline": "2025-03-01"},
        us_faction={
            "clout": {"dist": "uniform", "low": 0.5, "high": 1.5, "assumption": WHY},
            "risk_exponent": {"value": 1.5, "range": [1.5, 1.5], "assumption": WHY},
        },
        iran_faction={"risk_exponent": {"value": 1.5, "range": [1.0, 2.0], "assumption": WHY}},
    )
    path = tmp_path / "pie.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def sweep_of(base: Path, design: Any = None, **parameters: Any) -> dict[str, Any]:
    """A sweep of ``uncertain: all`` over ``base`` with extra ``parameters`` (dots as '__')."""
    return {
        "name": "screen",
        "base": str(base),
        "uncertain": "all",
        "parameters": {k.replace("__", "."): v for k, v in parameters.items()},
        "design": design or {"kind": "morris", "trajectories": 2},
        "worlds": 20,
        "block_size": 20,
        "seed": 5,
    }


def problems_of(source: Any) -> list[str]:
    with pytest.raises(SweepSpecError) as info:
        load_sweep(source)
    return [str(p) for p in info.value.problems]


def test_uncertain_all_is_every_parameter_with_a_range_each_over_its_own(base: Path) -> None:
    sweep = load_sweep(sweep_of(base))
    assert sweep.spec.paths() == [CLOUT, RISK]  # not the point range [1.5, 1.5], nor the fixed
    assert sweep.bounds == {CLOUT: (0.5, 1.5), RISK: (1.0, 2.0)}
    assert design_size(sweep.spec) == 2 * (2 + 1)


def test_explicit_entries_override_in_place_and_the_others_follow(base: Path) -> None:
    spec = sweep_of(base, actors__iran_lead__clout={"low": 0.2, "high": 0.4})
    spec["parameters"][CLOUT] = {"low": 0.8, "high": 1.2}
    sweep = load_sweep(spec)
    assert sweep.spec.paths() == [CLOUT, RISK, "actors.iran_lead.clout"]
    assert sweep.bounds[CLOUT] == (0.8, 1.2)
    assert sweep.bounds["actors.iran_lead.clout"] == (0.2, 0.4)


def test_uncertain_all_follows_the_base_as_it_gains_parameters(base: Path) -> None:
    before = load_sweep(sweep_of(base)).spec.paths()
    raw = yaml.safe_load(base.read_text(encoding="utf-8"))
    raw["actors"]["iran_lead"]["clout"] = {"value": 1.0, "range": [0.5, 2.0], "assumption": WHY}
    base.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    sweep = load_sweep(sweep_of(base))
    assert before == [CLOUT, RISK]
    assert sweep.spec.paths() == [CLOUT, "actors.iran_lead.clout", RISK]  # in the base's order
    assert sweep.bounds["actors.iran_lead.clout"] == (0.5, 2.0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"design": "grid"},
            "uncertain: takes a sampled design (lhs, sobol or morris), not 'grid'",
        ),
        ({"uncertain": "some"}, "uncertain: Input should be 'all'"),
        ({"design": {"kind": "morris", "trajectories": 40_000}}, "uncertain: all gives 2"),
    ],
)
def test_a_bad_uncertain_sweep_is_explained(
    base: Path, change: dict[str, Any], expected: str
) -> None:
    assert MAX_POINTS < 40_000 * 3  # the third case is over the limit
    found = problems_of({**sweep_of(base), **change})
    assert any(expected in p for p in found), found


def test_a_bad_uncertain_sweep_file_exits_2_naming_the_file_and_field(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({**sweep_of(base), "design": "oat"}), encoding="utf-8")
    assert negsim_main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err and "uncertain: takes a sampled design" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


DATES = {"low": dt.date(2025, 2, 1), "high": dt.date(2025, 4, 2)}  # 60 days: levels 20 apart


@pytest.mark.parametrize(
    ("path", "given", "expected"),
    [
        (DEADLINE, {"low": 1.0, "high": 9.0}, "give 'low' and 'high' as dates (2025-08-30)"),
        (DEADLINE, {}, "give 'low' and 'high' as dates: the base scenario has the date 2025-03-01"),
        (DEADLINE, {"low": dt.date(2025, 2, 1), "high": 9.0}, "both as dates or both as numbers"),
        (DEADLINE, {"low": dt.date(2025, 4, 1), "high": dt.date(2025, 2, 1)}, "low <= high"),
        (EVERY, DATES, "holds the number 1, not a date"),
        (EVERY, {"low": 1, "high": 3.5}, "takes whole numbers: give whole 'low' and 'high'"),
        (EVERY, {"low": 2, "high": 2}, "needs low < high for a 'morris' design"),
        (CLOUT, DATES, "is a number (a parameter), not a date"),
    ],
)
def test_a_bad_range_of_a_date_or_whole_number_is_explained(
    base: Path, path: str, given: dict[str, Any], expected: str
) -> None:
    spec = sweep_of(base)
    spec["parameters"] = {path: given}
    found = problems_of(spec)
    assert any(expected in p for p in found), found


def test_a_grid_over_dates_takes_whole_day_steps(base: Path) -> None:
    spec = {**sweep_of(base), "uncertain": None, "design": "grid"}
    spec["parameters"] = {DEADLINE: {**DATES, "num": 4}}
    assert [p.overrides for p in design_points(load_sweep(spec))] == [
        {DEADLINE: d} for d in ("2025-02-01", "2025-02-21", "2025-03-13", "2025-04-02")
    ]
    spec["parameters"] = {DEADLINE: {**DATES, "num": 8}}
    assert any("takes whole days: low, high and num" in p for p in problems_of(spec))


@pytest.mark.parametrize(
    "design",
    [
        {"kind": "lhs", "samples": 16},
        {"kind": "sobol", "samples": 4},
        {"kind": "morris", "trajectories": 3},
    ],
)
def test_a_sampled_design_moves_whole_numbers_and_dates_by_whole_units(
    base: Path, design: dict[str, Any]
) -> None:
    spec = sweep_of(base, design, protocol__session_every={"low": 1, "high": 4})
    spec["parameters"][DEADLINE] = DATES
    points = design_points(load_sweep(spec))
    every = [p.overrides[EVERY] for p in points]
    assert all(type(v) is int for v in every) and set(every) <= {1, 2, 3, 4}
    assert len(set(every)) > 1
    for point in points:
        day = dt.date.fromisoformat(point.overrides[DEADLINE])
        assert DATES["low"] <= day <= DATES["high"]
        # the tables' value is the value run: the same whole number, the same day
        assert point.values[EVERY] == point.overrides[EVERY]
        assert point.values[DEADLINE] == (day - EPOCH).days
        assert point.values[CLOUT] == point.overrides[CLOUT]  # a parameter is not rounded


def test_morris_levels_are_whole_when_the_range_divides_and_warned_otherwise(base: Path) -> None:
    spec = sweep_of(base, protocol__session_every={"low": 1, "high": 4})
    spec["parameters"][DEADLINE] = DATES
    sweep = load_sweep(spec)
    assert rounding_warnings(sweep) == []
    days = {
        (dt.date.fromisoformat(p.overrides[DEADLINE]) - DATES["low"]).days
        for p in design_points(sweep)
    }
    assert days <= {0, 20, 40, 60}
    spec["parameters"][EVERY] = {"low": 1, "high": 2}
    spec["parameters"][DEADLINE] = {"low": dt.date(2025, 2, 1), "high": dt.date(2025, 2, 11)}
    found = rounding_warnings(load_sweep(spec))
    assert len(found) == 2
    assert found[0].startswith(f"parameters.{EVERY}: its 4 Morris levels lie 0.3333 apart")
    assert "3.333 days apart" in found[1] and "a multiple of 3 days apart" in found[1]


def test_a_morris_screening_runs_and_its_tables_hold_the_values_run(
    base: Path, tmp_path: Path
) -> None:
    spec = sweep_of(base, protocol__session_every={"low": 1, "high": 4})
    spec["parameters"][DEADLINE] = DATES
    sweep = load_sweep(spec)
    result = run_sweep(sweep, out=tmp_path / "out")
    points = result.points
    assert list(points["status"]) == ["ok"] * len(points)
    for _, row in points.iterrows():
        overrides = json.loads(row["overrides"])
        assert row[EVERY] == overrides[EVERY]
        assert row[DEADLINE] == (dt.date.fromisoformat(overrides[DEADLINE]) - EPOCH).days
    # each step of a trajectory moves one path: SALib's elementary effects apply as they are
    x = points[sweep.spec.paths()].to_numpy().reshape(2, 5, 4)
    assert (np.count_nonzero(np.diff(x, axis=1), axis=2) == 1).all()
    table = sensitivity_table(sweep, points)
    assert set(table["parameter"]) == {CLOUT, RISK, EVERY, DEADLINE}
    assert table["mu_star"].notna().all()


def test_the_screening_file_header_gives_its_true_size() -> None:
    sweep = load_sweep(SCREENING)
    header = SCREENING.read_text(encoding="utf-8").split("\nname:")[0]
    counts = re.search(
        r"# (\d+) parameters, (\d+) trajectories x \(\1 \+ 1\) = (\d+) design", header
    )
    assert counts, header
    parameters, trajectories, size = (int(g) for g in counts.groups())
    assert parameters == len(sweep.spec.parameters), "update the header of the screening file"
    assert size == design_size(sweep.spec) == trajectories * (parameters + 1)
    assert rounding_warnings(sweep) == []


def test_the_screening_covers_the_structural_choices() -> None:
    sweep = load_sweep(SCREENING)
    for path in (
        "actors.us.patience_half_life",
        "actors.oman.patience",
        "actors.oman.give_up_hazard",
        "protocol.session_every",
        DEADLINE,
        "actors.supreme_leader.red_lines.0.min",
    ):
        assert path in sweep.bounds, path
    assert {"actors.oman.patience", "protocol.session_every"} <= sweep.whole
    assert DEADLINE in sweep.dates


def test_sensitivity_warns_of_levels_between_whole_units_before_it_runs(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = sweep_of(base, protocol__session_every={"low": 1, "high": 2})
    path = tmp_path / "screen.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    assert negsim_main(["sensitivity", str(path), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert f"warning: parameters.{EVERY}: its 4 Morris levels lie 0.3333 apart" in err
    meta = json.loads(pq.read_schema(out / "sensitivity.parquet").metadata[b"negsim"])
    assert any(w.startswith(f"parameters.{EVERY}: its 4 Morris levels") for w in meta["warnings"])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    low=st.integers(0, 30),
    steps=st.integers(1, 5),
    levels=st.sampled_from([2, 4, 6, 8]),
    seed=st.integers(0, 2**32),
)
def test_whole_morris_levels_need_no_rounding_and_trajectories_stay_one_at_a_time(
    base: Path, low: int, steps: int, levels: int, seed: int
) -> None:
    """When (high - low) / (levels - 1) is whole, SALib's levels are whole numbers already."""
    high = low + steps * (levels - 1)
    spec = sweep_of(base, {"kind": "morris", "trajectories": 2, "levels": levels})
    spec["parameters"] = {EVERY: {"low": low + 1, "high": high + 1}}
    spec["seed"] = seed
    sweep = load_sweep(spec)
    assert rounding_warnings(sweep) == []
    drawn = design_module._sample(sweep)
    run = sampled_matrix(sweep)
    assert np.allclose(drawn, run, rtol=0, atol=1e-9)
    x = run.reshape(2, len(sweep.spec.paths()) + 1, -1)
    assert (np.count_nonzero(np.diff(x, axis=1), axis=2) == 1).all()
