"""Sweeps: spec validation, designs, common random numbers, error rows, jobs, resume and Dask."""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import itertools
import json
import logging
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

import sim
from sim.cli.main import dispatch, parser
from sim.cli.main import main as negsim_main
from sim.mechanisms.outcomes import OUTCOMES
from sim.runs.ensemble import git_commit, run
from sim.runs.sweeps import (
    Backend,
    BackendError,
    OutputDirError,
    SweepSpecError,
    load_sweep,
    run_sweep,
)
from sim.runs.sweeps import runner as runner_module
from sim.runs.sweeps import store as store_module
from sim.runs.sweeps import units as units_module
from sim.runs.sweeps.design import design_points
from sim.runs.sweeps.spec import MAX_POINTS, MAX_UNITS, design_size
from sim.runs.sweeps.units import median_from_histogram, run_unit
from sim.scenario import load_scenario
from sim.scenario.params import Fixed, central
from sim.scenario.paths import override_paths, suggest_path
from sim.scenario.schema import parameter_paths
from tests.builders import BASELINE

ROOT = Path(__file__).resolve().parents[2]
SWEEPS = ROOT / "scenarios" / "sweeps"
HAWKS = "actors.us_hawks.clout"
RESOLVE = "actors.israel.strike_resolve"
PATIENCE = "actors.oman.patience"
META_KEYS = {"version", "git_commit", "scenario_sha256", "spec_sha256", "seed", "started"}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the scenarios, so that edits to the real files cannot race the tests."""
    folder = tmp_path_factory.mktemp("base") / "scenarios"
    shutil.copytree(BASELINE.parent, folder)
    return folder / BASELINE.name


def small(base: Path, **extra: Any) -> dict[str, Any]:
    """A 2 x 2 grid, 400 worlds per point in blocks of 200: 8 units, with per-world rows."""
    spec: dict[str, Any] = {
        "name": "small",
        "base": str(base),
        "parameters": {HAWKS: {"values": [0.25, 0.4]}, RESOLVE: {"values": [-0.05, 0.05]}},
        "design": "grid",
        "worlds": 400,
        "block_size": 200,
        "seed": 11,
        "per_world": True,
    }
    spec.update(extra)
    return spec


def files_of(out: Path) -> dict[str, bytes]:
    """Every file of a sweep but the two that hold times (sweep.json, work/plan.json)."""
    skip = {"sweep.json", "plan.json"}
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in skip
    }


SCRIPT = (
    "import json, sys; from pathlib import Path; from sim.runs.sweeps import run_sweep; "
    "run_sweep(json.loads(sys.argv[1]), out=Path(sys.argv[2]), resume=sys.argv[3] == 'resume')"
)


def in_subprocess(spec: dict[str, Any], out: Path, resume: bool = False) -> list[str]:
    """The command that runs a sweep (jobs 1) in a fresh interpreter.

    Results compared across processes are all computed by fresh interpreters, so that they use
    the same source even while the package is being edited.
    """
    return [sys.executable, "-c", SCRIPT, json.dumps(spec), str(out), "resume" * resume]


@pytest.fixture(scope="module")
def reference(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sweep, uninterrupted, in one process (jobs 1)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    subprocess.run(in_subprocess(small(base), out), check=True, timeout=600)
    return out


@pytest.fixture(scope="module")
def pooled(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small sweep on a local process pool of 2."""
    out = tmp_path_factory.mktemp("pooled") / "out"
    run_sweep(small(base), out=out, backend=Backend(jobs=2))
    return out


FAULT_SHIM = """\
\"\"\"Test-only (tests/runs/test_sweep.py): a unit whose hawks' clout is NEGSIM_TEST_FAULT_CLOUT
kills (NEGSIM_TEST_FAULT=exit) or hangs (=hang) the worker process that runs it.\"\"\"
import os

if os.environ.get("NEGSIM_TEST_FAULT"):
    import multiprocessing
    import time

    import sim.runs.sweeps.units as units

    real = units.NegotiationModel
    target = float(os.environ["NEGSIM_TEST_FAULT_CLOUT"])

    def faulty(scenario, *args, **kwargs):
        clout = scenario.actors["us_hawks"].clout
        if getattr(clout, "value", clout) == target and multiprocessing.parent_process():
            if os.environ["NEGSIM_TEST_FAULT"] == "exit":
                os._exit(3)  # as the OOM killer or a crash in a C extension would end it
            time.sleep(3600)  # a unit that takes an hour
        return real(scenario, *args, **kwargs)

    units.NegotiationModel = faulty
"""
CULPRIT = 0.35
"""The hawks' clout of the design point the fault shim acts on (``small`` does not use it)."""


@pytest.fixture(scope="module")
def fault_shim(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a ``sitecustomize`` that, put on PYTHONPATH, loads the fault into workers.

    Only worker processes (those with a multiprocessing parent) are affected, so the sweep's own
    process runs normally; nothing in the package knows about it.
    """
    folder = tmp_path_factory.mktemp("shim")
    (folder / "sitecustomize.py").write_text(FAULT_SHIM, encoding="utf-8")
    return folder


def fault_env(shim: Path, fault: str) -> dict[str, str]:
    """The environment of a process whose workers run the fault shim."""
    path = os.pathsep.join(p for p in (str(shim), os.environ.get("PYTHONPATH")) if p)
    extra = {"NEGSIM_TEST_FAULT": fault, "NEGSIM_TEST_FAULT_CLOUT": str(CULPRIT)}
    return {**os.environ, "PYTHONPATH": path, **extra}


def crash_spec(base: Path) -> dict[str, Any]:
    """Three points, the middle one the culprit; 2 blocks of 100 worlds each, with world rows."""
    spec = small(base, worlds=200, block_size=100, name="crash")
    spec["parameters"] = {HAWKS: {"values": [0.25, CULPRIT, 0.3]}}
    return spec


def spec_file(spec: dict[str, Any], folder: Path) -> Path:
    """The sweep written as a YAML file (for the command line)."""
    path = folder / f"{spec['name']}.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def crash_reference(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The crash sweep with no fault, uninterrupted, in one process."""
    out = tmp_path_factory.mktemp("crash_reference") / "out"
    subprocess.run(in_subprocess(crash_spec(base), out), check=True, timeout=600)
    return out


def not_of_point(files: dict[str, bytes], point: int) -> dict[str, bytes]:
    """The unit and world files of the other points (the merged tables hold every point)."""
    mine = (f"p{point:06d}-", f"point={point:06d}")
    merged = ("points.parquet", "summary.parquet")
    return {k: v for k, v in files.items() if k not in merged and not any(m in k for m in mine)}


@pytest.fixture(scope="module")
def dask_cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, fault_shim: Path
) -> str:
    """A real local Dask cluster: a scheduler process and a worker process (2 workers of one
    thread each, under nannies) on loopback, stopped when the module's tests are done.

    The scheduler gives up on a unit after one worker death (``allowed-failures: 0``) and the
    workers load the fault shim, which acts only on the clout ``CULPRIT`` (no other test uses
    it): the test of a unit that kills its worker takes seconds, not minutes.
    """
    distributed = pytest.importorskip(
        "distributed", reason="Dask is an optional extra: pip install 'negsim[dask]'"
    )
    folder = tmp_path_factory.mktemp("dask")
    address_file = folder / "scheduler.json"
    procs: list[subprocess.Popen[bytes]] = []

    def stop() -> None:
        for proc in reversed(procs):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    request.addfinalizer(stop)

    def start(module: str, args: list[str], env: dict[str, str]) -> None:
        log = (folder / f"{module}.log").open("wb")
        command = [sys.executable, "-m", f"distributed.cli.{module}", *args]
        procs.append(
            subprocess.Popen(
                command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        )

    common = ["--scheduler-file", str(address_file), "--no-dashboard"]
    scheduler_env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "0"}
    start("dask_scheduler", ["--host", "127.0.0.1", "--port", "0", *common], scheduler_env)
    deadline = time.monotonic() + 120  # a guard against a scheduler that never starts
    while not address_file.exists():
        assert procs[0].poll() is None, (folder / "dask_scheduler.log").read_text()
        assert time.monotonic() < deadline
        time.sleep(0.1)
    worker_args = ["--nworkers", "2", "--nthreads", "1", "--host", "127.0.0.1", *common]
    start("dask_worker", worker_args, fault_env(fault_shim, "exit"))
    with distributed.Client(scheduler_file=str(address_file), timeout=120) as client:
        client.wait_for_workers(2, timeout=300)
        address: str = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:")
    return address


def problems_of(source: Any) -> list[str]:
    with pytest.raises(SweepSpecError) as info:
        load_sweep(source)
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------- spec validation


def test_a_typo_is_an_error_with_its_path(base: Path) -> None:
    spec = small(base, worldz=10)
    spec["parameters"][HAWKS] = {"valuez": [0.3]}
    found = problems_of(spec)
    assert any("worldz: unknown field" in p for p in found)
    assert any(f"parameters.{HAWKS}.valuez: unknown field" in p for p in found)


def test_a_path_that_is_not_a_parameter_is_named_with_a_suggestion(base: Path) -> None:
    spec = small(base)
    spec["parameters"] = {"actors.us_hawks.clot": {"values": [0.3]}}
    (problem,) = problems_of(spec)
    assert "no path 'actors.us_hawks.clot' that --set accepts" in problem
    assert "did you mean 'actors.us_hawks.clout'" in problem


@pytest.mark.parametrize(
    ("design", "parameter", "expected"),
    [
        ({"kind": "sobol", "samples": 10}, {}, "samples must be a power of 2, like 8 or 16"),
        ({"kind": "morris", "trajectories": 4, "levels": 3}, {}, "levels must be even"),
        (
            {"kind": "lhs", "samples": 4},
            {"values": [0.3]},
            "design takes a range, not 'values'/'num'",
        ),
        ("grid", {"low": 0.2, "high": 0.4}, "a 'grid' design needs 'values' or 'num'"),
        ("oat", {"low": 0.2, "high": 0.4}, "an 'oat' design needs 'values' or 'num'"),
        ({"kind": "latin"}, {}, "does not match any of the expected tags"),
        ("grid", {"low": 0.4, "high": 0.2, "num": 3}, "needs low <= high"),
        ("grid", {"low": 0.4, "num": 3}, "give both 'low' and 'high'"),
        # a whole number (not a parameter) takes whole numbers
        ({"kind": "lhs", "samples": 4}, {"low": 2.5, "high": 9}, "give whole 'low' and 'high'"),
        ({"kind": "morris", "trajectories": 2}, {"low": 4, "high": 4}, "needs low < high"),
        ("grid", {"values": [4.5]}, "takes whole numbers, got [4.5]"),
        ("grid", {"low": 4, "high": 9, "num": 3}, "must give whole steps"),
        ("grid", {"values": [{"dist": "uniform", "low": 2, "high": 9}]}, "plain numbers"),
    ],
)
def test_a_bad_design_is_explained(
    base: Path, design: Any, parameter: dict[str, Any], expected: str
) -> None:
    spec = small(base, design=design)
    whole = "whole" in expected or "plain numbers" in expected or "low < high" in expected
    spec["parameters"] = {PATIENCE if whole else HAWKS: parameter}
    assert any(expected in p for p in problems_of(spec)), problems_of(spec)


def test_a_fixed_parameter_needs_a_range_for_a_sampled_design(base: Path) -> None:
    params = parameter_paths(load_scenario(base).scenario)
    path, fixed = next(
        (k, v) for k, v in params.items() if isinstance(v, Fixed) and v.range is None
    )
    spec = small(base, design={"kind": "lhs", "samples": 4})
    spec["parameters"] = {path: {}}
    (problem,) = problems_of(spec)
    assert f"give 'low' and 'high': the base scenario fixes it at {fixed.value:g}" in problem
    spec["parameters"] = {path: {"low": fixed.value, "high": fixed.value + 1}}
    assert load_sweep(spec).bounds == {path: (fixed.value, fixed.value + 1)}


def test_rows_may_set_different_paths_the_rest_keep_the_base(base: Path) -> None:
    spec = small(base, design={"kind": "rows", "rows": [{HAWKS: 0.3}, {RESOLVE: 0.0}, {}]})
    del spec["parameters"]
    sweep = load_sweep(spec)
    points = design_points(sweep)
    assert [p.overrides for p in points] == [{HAWKS: 0.3}, {RESOLVE: 0.0}, {}]
    scenario = load_scenario(base).scenario
    hawks, resolve = (central(parameter_paths(scenario)[p]) for p in (HAWKS, RESOLVE))
    assert [p.values for p in points] == [
        {HAWKS: 0.3, RESOLVE: resolve},
        {HAWKS: hawks, RESOLVE: 0.0},
        {HAWKS: hawks, RESOLVE: resolve},
    ]


def test_rows_must_name_a_path_between_them(base: Path) -> None:
    spec = small(base, design={"kind": "rows", "rows": [{}]})
    del spec["parameters"]
    assert any("at least one path" in p for p in problems_of(spec))


def test_a_sweep_accepts_every_path_set_accepts(base: Path) -> None:
    # actors.oman.patience is a whole number, not a parameter: --set takes it, so must a sweep.
    spec = small(base)
    spec["parameters"] = {PATIENCE: {"values": [4, 12]}, HAWKS: {"values": [0.3]}}
    points = design_points(load_sweep(spec))
    assert [p.overrides for p in points] == [{PATIENCE: 4, HAWKS: 0.3}, {PATIENCE: 12, HAWKS: 0.3}]
    assert isinstance(points[0].overrides[PATIENCE], int)
    spec["parameters"] = {PATIENCE: {"low": 4, "high": 12, "num": 3}}
    assert [p.overrides for p in design_points(load_sweep(spec))] == [
        {PATIENCE: 4},
        {PATIENCE: 8},
        {PATIENCE: 12},
    ]


def test_a_misspelt_path_gets_the_suggestion_set_would_give(base: Path) -> None:
    spec = small(base)
    spec["parameters"] = {"actors.oman.patiense": {"values": [4]}}
    (problem,) = problems_of(spec)
    assert "did you mean 'actors.oman.patience'" in problem
    loaded = load_scenario(base)
    assert suggest_path("actors.oman.patiense", override_paths(loaded)) == PATIENCE


def test_a_path_that_holds_no_number_cannot_be_swept(base: Path) -> None:
    spec = small(base)
    spec["parameters"] = {"actors.oman.name": {"values": [1]}}
    (problem,) = problems_of(spec)
    assert "holds str in the base scenario, not a number" in problem


def test_one_at_a_time_moves_each_parameter_alone(base: Path) -> None:
    spec = small(base, design="oat")
    spec["parameters"] = {HAWKS: {"values": [0.2, 0.5]}, PATIENCE: {"values": [4, 8, 16]}}
    sweep = load_sweep(spec)
    assert design_size(sweep.spec) == 1 + 2 + 3
    points = design_points(sweep)
    assert [p.overrides for p in points] == [
        {},
        {HAWKS: 0.2},
        {HAWKS: 0.5},
        {PATIENCE: 4},
        {PATIENCE: 8},
        {PATIENCE: 16},
    ]
    assert points[1].values[PATIENCE] == 12  # the base scenario's patience
    assert points[4].values[HAWKS] == points[0].values[HAWKS]
    spec["design"] = {"kind": "oat", "baseline": False}
    assert len(design_points(load_sweep(spec))) == 5


def test_a_one_at_a_time_sweep_runs_with_the_base_as_point_0(base: Path, tmp_path: Path) -> None:
    spec = small(base, design="oat", worlds=200, per_world=False)
    spec["parameters"] = {PATIENCE: {"values": [0]}}
    result = run_sweep(spec, out=tmp_path / "oat")
    assert list(result.points["overrides"]) == ["{}", '{"actors.oman.patience":0}']
    assert list(result.points["status"]) == ["ok", "ok"]
    assert list(result.points[PATIENCE]) == [12, 0]


def test_a_scenario_file_is_not_a_sweep_file() -> None:
    (problem,) = problems_of(BASELINE)
    assert "needs a top-level 'design:' key" in problem


def test_problems_in_a_file_name_their_line(base: Path, tmp_path: Path) -> None:
    spec = small(base, design={"kind": "sobol", "samples": 12})
    spec["parameters"] = {HAWKS: {}}
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    text = path.read_text(encoding="utf-8").splitlines()
    line = next(k for k, row in enumerate(text, 1) if row.startswith("design:"))
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{line}: design")


def test_every_shipped_sweep_file_is_valid_and_names_baseline_parameters() -> None:
    files = sorted(SWEEPS.glob("*.yaml"))
    assert len(files) >= 2
    for path in files:
        assert "design" in yaml.safe_load(path.read_text(encoding="utf-8"))
        sweep = load_sweep(path)
        assert sweep.base.scenario.name == "baseline"
        assert design_points(sweep)


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "../up", "a/b", "/abs"])
def test_a_name_cannot_climb_out_of_sweeps(
    name: str,
    base: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without --out a sweep goes to sweeps/NAME: '..' once wrote it into the working directory."""
    here = tmp_path / "a" / "b"
    here.mkdir(parents=True)
    path = spec_file(small(base, per_world=False), here)
    path.write_text(path.read_text(encoding="utf-8").replace("name: small", f"name: '{name}'"))
    monkeypatch.chdir(here)
    assert negsim_main(["sweep", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:1: name:" in err and "not start with '.'" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a", "b", path.name]


def test_a_name_may_hold_dots_after_its_first_character(base: Path) -> None:
    assert load_sweep(small(base, name="v1.2_hawks-grid")).spec.name == "v1.2_hawks-grid"
    assert load_sweep(small(base, name="_x")).spec.name == "_x"


@pytest.mark.parametrize(
    ("design", "parameters"),
    [
        ("grid", {HAWKS: {"values": [0.25, 0.4]}, RESOLVE: {"low": -0.1, "high": 0.1, "num": 3}}),
        ({"kind": "lhs", "samples": 7}, {HAWKS: {}, RESOLVE: {}}),
        ({"kind": "sobol", "samples": 4}, {HAWKS: {}, RESOLVE: {}}),
        ({"kind": "sobol", "samples": 2, "second_order": True}, {HAWKS: {}, RESOLVE: {}}),
        ({"kind": "morris", "trajectories": 3}, {HAWKS: {}, RESOLVE: {}}),
        ({"kind": "rows", "rows": [{HAWKS: 0.3}, {HAWKS: 0.4}, {HAWKS: 0.3}]}, {}),
    ],
)
def test_the_design_size_is_counted_without_drawing_it(
    base: Path, design: Any, parameters: dict[str, Any]
) -> None:
    sweep = load_sweep({**small(base), "design": design, "parameters": parameters})
    assert design_size(sweep.spec) == len(design_points(sweep))


@pytest.mark.parametrize(
    ("changes", "field", "count"),
    [
        ({"parameters": {HAWKS: {"low": 0.2, "high": 0.5, "num": 100_000}, RESOLVE: {"num": 2}}},
         "parameters", "200,000 points"),
        ({"design": {"kind": "lhs", "samples": MAX_POINTS + 1}, "parameters": {HAWKS: {}}},
         "design.samples", f"{MAX_POINTS + 1:,} points"),
        ({"design": {"kind": "sobol", "samples": 65_536}, "parameters": {HAWKS: {}}},
         "design.samples", f"{65_536 * 3:,} points"),
        ({"design": {"kind": "morris", "trajectories": 60_000}, "parameters": {HAWKS: {}}},
         "design.trajectories", "120,000 points"),
        ({"worlds": 1_000_000_000, "block_size": 1}, "block_size", "4,000,000,000 units"),
        ({"worlds": 10_000_000, "block_size": 3}, "block_size", "13,333,336 units"),
    ],
)  # fmt: skip
def test_a_design_too_large_is_refused_naming_its_field(
    base: Path, changes: dict[str, Any], field: str, count: str
) -> None:
    (problem,) = problems_of({**small(base), **changes})
    assert f": {field}: " in problem and count in problem and "more than the" in problem


def test_the_largest_design_allowed_is_accepted(base: Path) -> None:
    spec = small(base, worlds=MAX_UNITS // 4, block_size=1)  # 4 points: exactly the cap
    assert load_sweep(spec).blocks * 4 == MAX_UNITS


def test_a_point_with_millions_of_blocks_costs_no_memory_per_block(base: Path) -> None:
    """The blocks of a point are counted, not listed: 10^7 of them once took a list of tuples."""
    import tracemalloc

    from sim.runs.sweeps.runner import _Sweep

    spec = small(base, worlds=MAX_UNITS // 4, block_size=1, per_world=False)
    sweep = load_sweep(spec)
    tracemalloc.start()
    try:
        state = _Sweep(sweep, None, None)
        first = list(itertools.islice(state.tasks(), 3))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert state.total_units == MAX_UNITS
    assert [(t.point, t.block, t.size) for t in first] == [(0, 0, 1), (0, 1, 1), (0, 2, 1)]
    assert peak < 50_000_000, peak


# --------------------------------------------------------------------------- designs


def test_a_grid_is_the_product_with_the_first_parameter_slowest(base: Path) -> None:
    spec = small(base)
    spec["parameters"][HAWKS] = {"low": 0.2, "high": 0.4, "num": 3}
    points = design_points(load_sweep(spec))
    assert [(p.values[HAWKS], p.values[RESOLVE]) for p in points] == [
        (0.2, -0.05),
        (0.2, 0.05),
        (pytest.approx(0.3), -0.05),
        (pytest.approx(0.3), 0.05),
        (0.4, -0.05),
        (0.4, 0.05),
    ]


def test_a_grid_value_may_be_a_distribution(base: Path) -> None:
    spec = small(base)
    spec["parameters"][HAWKS] = {"values": [0.3, {"dist": "uniform", "low": 0.2, "high": 0.4}]}
    points = design_points(load_sweep(spec))
    assert points[2].overrides[HAWKS] == {"dist": "uniform", "low": 0.2, "high": 0.4}
    assert points[2].values[HAWKS] == pytest.approx(0.3)


@pytest.mark.parametrize(
    ("design", "rows"),
    [
        ({"kind": "lhs", "samples": 8}, 8),
        ({"kind": "sobol", "samples": 8}, 8 * (2 + 2)),
        ({"kind": "sobol", "samples": 4, "second_order": True}, 4 * (2 * 2 + 2)),
        ({"kind": "morris", "trajectories": 5}, 5 * (2 + 1)),
    ],
)
def test_sampled_designs_are_deterministic_and_in_range(
    base: Path, design: dict[str, Any], rows: int
) -> None:
    spec = small(base, design=design)
    spec["parameters"] = {HAWKS: {"low": 0.2, "high": 0.45}, RESOLVE: {}}
    first = [p.values for p in design_points(load_sweep(spec))]
    again = [p.values for p in design_points(load_sweep(spec))]
    other = [p.values for p in design_points(load_sweep({**spec, "seed": 12}))]
    assert len(first) == rows
    assert first == again
    assert first != other
    x = np.array([[v[HAWKS], v[RESOLVE]] for v in first])
    assert (x[:, 0] >= 0.2).all() and (x[:, 0] <= 0.45).all()
    assert (x[:, 1] >= -0.12).all() and (x[:, 1] <= 0.12).all()  # the baseline's support


def test_a_latin_hypercube_has_one_point_per_stratum(base: Path) -> None:
    spec = small(base, design={"kind": "lhs", "samples": 10})
    spec["parameters"] = {HAWKS: {"low": 0.0, "high": 1.0}, RESOLVE: {"low": 0.0, "high": 1.0}}
    x = np.array([[p.values[HAWKS], p.values[RESOLVE]] for p in design_points(load_sweep(spec))])
    for column in x.T:
        assert sorted(np.floor(column * 10).astype(int)) == list(range(10))


@given(st.lists(st.integers(0, 40), min_size=1, max_size=300))
def test_property_histogram_median_is_the_median(steps: list[int]) -> None:
    hist = np.bincount(np.array(steps), minlength=41)
    assert median_from_histogram(hist) == float(np.median(steps))


def test_an_empty_histogram_has_no_median() -> None:
    assert median_from_histogram(np.zeros(5, dtype=np.int64)) is None


# --------------------------------------------------------------------------- common random numbers


def test_equal_points_give_equal_summaries(base: Path) -> None:
    rows = [{HAWKS: 0.3, RESOLVE: 0.0}, {HAWKS: 0.45, RESOLVE: 0.0}, {HAWKS: 0.3, RESOLVE: 0.0}]
    spec = small(base, design={"kind": "rows", "rows": rows}, per_world=False)
    del spec["parameters"]
    points = run_sweep(spec).points.drop(columns=["point", "overrides"])
    first, second, third = (points.iloc[[k]].reset_index(drop=True) for k in range(3))
    assert first.equals(third)
    assert not first.equals(second)


def test_a_point_is_the_ensemble_of_its_overrides(base: Path) -> None:
    """The sweep's blocks are the ensemble's blocks: the same seeds for every point (CRN)."""
    rows = [{HAWKS: 0.25, RESOLVE: -0.05}, {HAWKS: 0.4, RESOLVE: 0.05}]
    spec = small(base, design={"kind": "rows", "rows": rows}, per_world=False)
    del spec["parameters"]
    result = run_sweep(spec)
    for point in design_points(load_sweep(spec)):
        ensemble = run(base, worlds=400, seed=11, overrides=point.overrides, block_size=200)
        row = result.points.iloc[point.index]
        for name, o in ensemble.summary["outcomes"].items():
            assert row[f"{name}_count"] == o["count"]
            if o["median_step"] is not None:
                assert row[f"{name}_median_step"] == o["median_step"]


def test_every_point_draws_the_same_worlds(reference: Path) -> None:
    worlds = pd.read_parquet(reference / "worlds")
    assert len(worlds) == 4 * 400
    drawn = worlds.set_index(["point", "world"])["param.actors.us.threat_credibility"]
    by_point = drawn.unstack("point")
    assert (by_point.nunique(axis=1) == 1).all()  # an unswept parameter: the same in every point
    assert by_point.iloc[:, 0].nunique() > 1  # and different between worlds


# --------------------------------------------------------------------------- errors


def test_an_invalid_point_is_an_error_row_and_the_sweep_goes_on(base: Path) -> None:
    spec = small(base, per_world=False)
    spec["parameters"] = {"actors.us.strike_hazard": {"values": [0.1, 1.5, 0.2]}}
    points = run_sweep(spec).points
    assert list(points["status"]) == ["ok", "error", "ok"]
    assert "actors.us.strike_hazard: must lie in [0, 1], got 1.5" in points["error"][1]
    assert points["deal_p"].isna().tolist() == [False, True, False]
    assert points.loc[0, "worlds"] == 400


def test_a_point_that_fails_while_running_is_an_error_row(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = units_module.NegotiationModel

    def fragile(spec: Any, *args: Any, **kwargs: Any) -> Any:
        clout = spec.actors["us_hawks"].clout
        if getattr(clout, "value", clout) == 0.4:
            raise FloatingPointError("a combination the model cannot handle")
        return real(spec, *args, **kwargs)

    monkeypatch.setattr(units_module, "NegotiationModel", fragile)
    points = run_sweep(small(base, per_world=False)).points
    assert list(points["status"]) == ["ok", "ok", "error", "error"]
    message = "block 0: FloatingPointError: a combination the model cannot handle"
    assert points["error"][2] == message


# --------------------------------------------------------------------------- outputs


def test_outputs_carry_their_metadata(reference: Path) -> None:
    meta = json.loads((reference / "sweep.json").read_text(encoding="utf-8"))
    assert set(meta) >= META_KEYS
    assert meta["status"] == "complete"
    assert meta["finished"] is not None
    assert meta["points"] == 4 and meta["units"] == 8 and meta["error_points"] == 0
    expected = pq.read_schema(reference / "points.parquet").metadata[b"negsim"]
    worlds = sorted((reference / "worlds").rglob("*.parquet"))
    assert len(worlds) == 8
    for path in [reference / "points.parquet", reference / "summary.parquet", *worlds]:
        metadata = pq.read_schema(path).metadata
        assert metadata[b"negsim"] == expected, path  # the same in every file: no times
        embedded = json.loads(metadata[b"negsim"])
        assert set(embedded) >= META_KEYS - {"started"} | {"design_sha256"}
        assert "started" not in embedded and "finished" not in embedded
        assert embedded["seed"] == 11
    assert b"pandas" in pq.read_schema(worlds[0]).metadata  # pandas' own is kept


def test_the_summary_is_tidy_and_agrees_with_the_points(reference: Path) -> None:
    points = pd.read_parquet(reference / "points.parquet")
    summary = pd.read_parquet(reference / "summary.parquet")
    assert len(summary) == 4 * len(OUTCOMES)
    assert summary.groupby("point")["p"].sum().to_numpy() == pytest.approx(1.0)
    deal = summary[summary["outcome"] == "deal"].set_index("point")
    assert deal["p"].to_numpy() == pytest.approx(points["deal_p"].to_numpy())
    assert deal[HAWKS].tolist() == points[HAWKS].tolist()
    strike = sum(points[f"{o}_count"] for o in ("strike_israel", "strike_joint", "strike_us"))
    assert points["strike_count"].tolist() == strike.tolist()
    assert (points["deal_ci_low"] <= points["deal_p"]).all()


def test_sim_sweep_returns_one_tidy_row_per_point(base: Path) -> None:
    table = sim.sweep(small(base, per_world=False), progress=False)
    assert list(table["point"]) == [0, 1, 2, 3]
    for name in (*OUTCOMES, "strike"):
        assert {f"{name}_p", f"{name}_ci_low", f"{name}_ci_high"} <= set(table.columns)
    assert {HAWKS, RESOLVE, "deal_median_step", "status", "error"} <= set(table.columns)
    assert table.attrs["sweep"]["seed"] == 11


def test_an_output_directory_is_not_overwritten_or_mixed(base: Path, reference: Path) -> None:
    with pytest.raises(OutputDirError, match="pass --resume"):
        run_sweep(small(base), out=reference)
    with pytest.raises(OutputDirError, match="holds a different sweep"):
        run_sweep(small(base, seed=12), out=reference, resume=True)


def test_resuming_a_finished_sweep_recomputes_nothing(base: Path, reference: Path) -> None:
    before = files_of(reference)
    result = run_sweep(small(base), out=reference, resume=True)
    assert result.meta["sessions"][-1]["units_computed"] == 0
    assert result.meta["sessions"][-1]["units_reused"] == 8
    assert files_of(reference) == before


def copy_of(reference: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(reference, out)
    return out


def edit_plan(out: Path, **changes: Any) -> None:
    plan_file = out / "work" / "plan.json"
    plan = json.loads(plan_file.read_text(encoding="utf-8"))
    plan.update(changes)
    plan_file.write_text(json.dumps(plan), encoding="utf-8")


@pytest.mark.parametrize(("key", "value"), [("git_commit", "0" * 40), ("version", "0.0.1")])
def test_resume_refuses_a_sweep_started_by_other_code(
    base: Path,
    reference: Path,
    tmp_path: Path,
    key: str,
    value: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = copy_of(reference, tmp_path)
    edit_plan(out, **{key: value})
    before = files_of(out)
    with pytest.raises(OutputDirError) as info:
        run_sweep(small(base), out=out, resume=True)
    message = str(info.value)
    assert f"{key} {value!r} there" in message and "different code" in message
    assert "new --out" in message and "without --resume into an empty directory" in message
    assert files_of(out) == before
    path = spec_file(small(base), tmp_path)
    assert dispatch(parse("sweep", str(path), "--out", str(out), "--resume"), Console()) == 2
    assert "different code" in capsys.readouterr().err


def test_the_plan_pins_the_design_points(base: Path, reference: Path, tmp_path: Path) -> None:
    """A design drawn differently (another SALib or SciPy) is another sweep: the spec is not."""
    plan = json.loads((reference / "work" / "plan.json").read_text(encoding="utf-8"))
    points = design_points(load_sweep(small(base)))
    text = "".join(p.overrides_json() + "\n" for p in points).encode()
    assert plan["design_sha256"] == hashlib.sha256(text).hexdigest()
    assert {"version", "git_commit"} <= set(plan)
    out = copy_of(reference, tmp_path)
    edit_plan(out, design_sha256="0" * 64)
    with pytest.raises(OutputDirError, match=r"holds a different sweep \(design_sha256 differ\)"):
        run_sweep(small(base), out=out, resume=True)


@pytest.mark.parametrize(
    ("name", "content"), [("work/plan.json", "{"), ("work/plan.json", "[]"), ("sweep.json", "{")]
)
def test_a_corrupt_work_file_is_bad_input(
    base: Path,
    reference: Path,
    tmp_path: Path,
    name: str,
    content: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = copy_of(reference, tmp_path)
    (out / name).write_text(content, encoding="utf-8")
    with pytest.raises(OutputDirError, match=f"{out / name} is corrupt"):
        run_sweep(small(base), out=out, resume=True)
    path = spec_file(small(base), tmp_path)
    assert dispatch(parse("sweep", str(path), "--out", str(out), "--resume"), Console()) == 2
    assert f"{name} is corrupt" in capsys.readouterr().err
    assert (out / name).read_text(encoding="utf-8") == content


def test_git_commit_marks_a_dirty_tree(tmp_path: Path) -> None:
    """A throwaway repository in tmp_path (the project's own is only read)."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"]

    def git(*args: str) -> str:
        out = subprocess.run(
            ["git", "-C", str(repo), *ident, *args], capture_output=True, text=True, check=True
        )
        return out.stdout.strip()

    git("init", "-q")
    (repo / "a.txt").write_text("one\n", encoding="utf-8")
    git("add", "a.txt")
    git("commit", "-q", "-m", "one")
    head = git("rev-parse", "HEAD")
    assert git_commit(repo) == head
    (repo / "untracked.txt").write_text("x\n", encoding="utf-8")
    assert git_commit(repo) == head  # as git describe --dirty: untracked files do not count
    (repo / "a.txt").write_text("two\n", encoding="utf-8")
    assert git_commit(repo) == f"{head}-dirty"
    assert git_commit(tmp_path / "nowhere") is None
    mine = git_commit()  # this checkout's: its HEAD, marked if modified
    if mine is not None:
        assert mine.removesuffix("-dirty") == git("-C", str(ROOT), "rev-parse", "HEAD")


# --------------------------------------------------------------------------- jobs, resume, Dask


def test_jobs_1_and_2_give_identical_bytes(reference: Path, pooled: Path) -> None:
    assert files_of(pooled) == files_of(reference)


def test_resume_after_ctrl_c_ends_with_identical_bytes(base: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    run_sweep(small(base), out=whole)
    out = tmp_path / "out"

    def interrupt(done: int, total: int) -> None:
        if done >= 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(small(base), out=out, on_progress=interrupt)
    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert meta["status"] == "interrupted"
    assert not list(out.rglob(".*.tmp"))
    result = run_sweep(small(base), out=out, resume=True)
    assert result.meta["sessions"][-1]["units_reused"] == 3
    assert result.meta["sessions"][-1]["units_computed"] == 5
    assert files_of(out) == files_of(whole)


def shuffled_backend(order: str) -> Any:
    """A stand-in for ``runner.connect``: run every unit in this process, in another order."""

    @contextlib.contextmanager
    def connect(backend: Backend) -> Any:
        def execute(tasks: Any) -> Any:
            todo = list(tasks)
            if order == "reversed":
                todo.reverse()
            else:
                random.Random(order).shuffle(todo)
            return (run_unit(task) for task in todo)

        yield execute

    return connect


@pytest.mark.parametrize("order", ["reversed", "shuffle-1", "shuffle-2"])
def test_the_order_units_run_in_does_not_change_a_byte(
    base: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, order: str
) -> None:
    monkeypatch.setattr(runner_module, "connect", shuffled_backend(order))
    out = tmp_path / "out"
    run_sweep(small(base), out=out)
    assert files_of(out) == files_of(reference)


def test_a_shuffled_sweep_stopped_and_resumed_in_another_order_gives_the_same_bytes(
    base: Path, reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "connect", shuffled_backend("shuffle-3"))
    out = tmp_path / "out"

    def interrupt(done: int, total: int) -> None:
        if done >= 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(small(base), out=out, on_progress=interrupt)
    monkeypatch.setattr(runner_module, "connect", shuffled_backend("reversed"))
    result = run_sweep(small(base), out=out, resume=True)
    assert result.meta["sessions"][-1]["units_reused"] == 5
    assert files_of(out) == files_of(reference)


def test_a_damaged_unit_file_is_recomputed(base: Path, reference: Path, tmp_path: Path) -> None:
    out = copy_of(reference, tmp_path)
    damaged = {"p000000-b000000.json": "[1, 2]", "p000001-b000001.json": "null",
               "p000002-b000000.json": '{"point": 2, "block": -1, "worlds": 200, "counts": [1],'
               ' "hist": [[1]], "error": null}',
               "p000003-b000001.json": '{"point": 3, "block": 1, "worlds": 200, "counts": [1],'
               ' "hist": [[1]], "error": null}'}  # fmt: skip
    for name, text in damaged.items():
        (out / "work" / "units" / name).write_text(text, encoding="utf-8")
    result = run_sweep(small(base), out=out, resume=True)
    assert result.meta["sessions"][-1]["units_computed"] == 4
    assert files_of(out) == files_of(reference)


ENOSPC = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
"""What ``write()`` raises on a full disk: no file name."""
PYARROW_ENOSPC = OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")
"""What pyarrow raises on a full disk: no errno, no file name."""
LAST_UNIT = "p000003-b000001.json"
"""The last unit file ``small`` writes with jobs 1 (units run in (point, block) order)."""


def full_disk(
    monkeypatch: pytest.MonkeyPatch, name: str, after: str | None, error: OSError
) -> None:
    """Make the disk fill up while ``name`` is written (once ``after`` is written, if given).

    The temporary file is created and partly written, then ``error`` is raised, as a write to a
    full disk would.
    """
    real = store_module.atomic_write
    written: set[str] = set()

    def atomic_write(path: Path, write: Any) -> None:
        if path.name == name and (after is None or after in written):

            def fill(tmp: Path) -> None:
                tmp.write_bytes(b"PAR1 half a file")
                raise OSError(*error.args)

            real(path, fill)
        real(path, write)
        written.add(path.name)

    monkeypatch.setattr(store_module, "atomic_write", atomic_write)


@pytest.mark.parametrize(
    ("name", "after", "error"),
    [
        ("plan.json", None, ENOSPC),
        ("sweep.json", None, ENOSPC),  # the first sweep.json, status "running"
        ("block=000000.parquet", None, ENOSPC),  # point 0's first per-world file
        ("p000000-b000000.json", None, ENOSPC),  # the first unit file
        ("p000002-b000001.json", None, ENOSPC),  # a unit file half-way
        ("points.parquet", LAST_UNIT, PYARROW_ENOSPC),  # the merged files at the end
        ("summary.parquet", LAST_UNIT, ENOSPC),
        ("sweep.json", LAST_UNIT, ENOSPC),  # the last sweep.json, status "complete"
    ],
)
def test_a_full_disk_stops_the_sweep_clearly_and_resume_finishes_it(
    base: Path,
    reference: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    after: str | None,
    error: OSError,
) -> None:
    """/tmp/audit6/df/df.py: ENOSPC at several points of a sweep, through ``negsim sweep``."""
    path = spec_file(small(base), tmp_path)
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        full_disk(patch, name, after, error)
        code = negsim_main(["sweep", str(path), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err
    assert "cannot write" in err and "No space left on device" in err, err
    assert name in err.replace("\n", ""), err  # the file that could not be written
    assert not list(out.rglob(".*.tmp"))  # the half-written file is gone
    meta = out / "sweep.json"
    if meta.exists():
        assert json.loads(meta.read_text(encoding="utf-8"))["status"] != "complete"
    code = negsim_main(["sweep", str(path), "--out", str(out), "--resume"])
    assert code == 0, capsys.readouterr().err
    assert files_of(out) == files_of(reference)
    assert json.loads(meta.read_text(encoding="utf-8"))["status"] == "complete"


@pytest.mark.slow
def test_resume_after_sigkill_ends_with_identical_bytes(base: Path, tmp_path: Path) -> None:
    spec = small(base, worlds=600, block_size=100, per_world=False)  # 4 points x 6 blocks
    expected = tmp_path / "expected"
    subprocess.run(in_subprocess(spec, expected), check=True, timeout=600)
    out = tmp_path / "killed"
    proc = subprocess.Popen(in_subprocess(spec, out))
    units = out / "work" / "units"
    deadline = time.monotonic() + 300  # a guard against a hung child, not a timing assertion
    while len(list(units.glob("*.json"))) < 4:
        assert proc.poll() is None, "the sweep ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list(units.glob("*.json")))
    assert 4 <= done < 24
    subprocess.run(in_subprocess(spec, out, resume=True), check=True, timeout=600)
    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert meta["status"] == "complete"
    assert [s.get("units_computed") for s in meta["sessions"]] == [None, 24 - done]
    assert files_of(out) == files_of(expected)


def test_a_real_dask_cluster_gives_the_bytes_of_jobs_1_and_2(
    base: Path,
    reference: Path,
    pooled: Path,
    dask_cluster: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An existing cluster (--dask-scheduler): a scheduler and 2 worker processes on loopback.
    remote = tmp_path / "remote"
    run_sweep(small(base), out=remote, backend=Backend(dask_scheduler=dask_cluster))
    assert files_of(remote) == files_of(reference)
    assert files_of(remote) == files_of(pooled)
    # A cluster the sweep starts and stops itself (--dask-local 2), quietly: the scheduler and
    # nannies run in this process, and their INFO messages stay off stderr.
    caplog.set_level(logging.INFO, logger="distributed")
    run_sweep(small(base), out=tmp_path / "local", backend=Backend(dask_local=2))
    assert files_of(tmp_path / "local") == files_of(pooled)
    meta = json.loads((tmp_path / "local" / "sweep.json").read_text(encoding="utf-8"))
    assert meta["sessions"][-1]["backend"] == "dask local cluster, 2 workers"
    chatter = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("distributed") and r.levelno < logging.WARNING
    ]
    assert chatter == []
    assert logging.getLogger("distributed").level == logging.INFO  # restored after the sweep


@pytest.mark.slow
def test_a_point_that_kills_its_worker_is_an_error_row(
    base: Path, crash_reference: Path, fault_shim: Path, tmp_path: Path
) -> None:
    """A worker process that dies (os._exit, as the OOM killer or a C crash would) breaks the
    pool; its point becomes an error row, the sweep goes on, and the rest is unchanged."""
    path = spec_file(crash_spec(base), tmp_path)
    out = tmp_path / "crashed"
    command = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--jobs", "2"]
    env = fault_env(fault_shim, "exit")
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    points = pd.read_parquet(out / "points.parquet")
    assert list(points["status"]) == ["ok", "error", "ok"]
    assert points["error"][1] == "block 0: worker process died (exit code 3)"
    rows = pq.read_table(out / "points.parquet").to_pylist()
    expected = pq.read_table(crash_reference / "points.parquet").to_pylist()
    assert [rows[0], rows[2]] == [expected[0], expected[2]]
    assert not_of_point(files_of(out), 1) == not_of_point(files_of(crash_reference), 1)
    assert not (out / "worlds" / "point=000001").exists()
    # The error units are on disk: a resume recomputes nothing (and does not die again).
    again = subprocess.run([*command, "--resume"], env=env, capture_output=True, timeout=600)
    assert again.returncode == 0, again.stderr
    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert meta["sessions"][-1]["units_computed"] == 0
    assert meta["error_points"] == 1


def test_a_point_that_kills_its_dask_worker_is_an_error_row(
    base: Path, crash_reference: Path, dask_cluster: str, tmp_path: Path
) -> None:
    out = tmp_path / "dask"
    result = run_sweep(crash_spec(base), out=out, backend=Backend(dask_scheduler=dask_cluster))
    assert list(result.points["status"]) == ["ok", "error", "ok"]
    message = "block 0: worker process died (exit code not reported by Dask)"
    assert result.points["error"][1] == message
    assert not_of_point(files_of(out), 1) == not_of_point(files_of(crash_reference), 1)


@pytest.mark.slow
def test_ctrl_c_with_jobs_2_does_not_wait_for_the_units_in_flight(
    base: Path, crash_reference: Path, fault_shim: Path, tmp_path: Path
) -> None:
    """The culprit's units take an hour: Ctrl-C must end the sweep (and its workers) at once."""
    psutil = pytest.importorskip("psutil")
    path = spec_file(crash_spec(base), tmp_path)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim", "sweep", str(path), "--out", str(out), "--jobs", "2"]
    proc = subprocess.Popen(
        command,
        env=fault_env(fault_shim, "hang"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        units = out / "work" / "units"
        deadline = time.monotonic() + 300  # a guard against a hung child, not a timing assertion
        while len(list(units.glob("p000000-*.json"))) < 2:  # point 0 done: 1 hangs in both
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.05)
        workers = psutil.Process(proc.pid).children(recursive=True)
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
        _, err = proc.communicate(timeout=120)  # waiting for the units in flight takes an hour
        assert proc.returncode == 130, err
        alive = psutil.wait_procs(workers, timeout=30)[1]
        assert alive == []
    finally:
        with contextlib.suppress(ProcessLookupError):  # a failed test leaves nothing running
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    meta = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert meta["status"] == "interrupted"
    assert not list(out.rglob(".*.tmp"))
    subprocess.run(in_subprocess(crash_spec(base), out, resume=True), check=True, timeout=600)
    assert files_of(out) == files_of(crash_reference)


def test_a_bad_dask_address_fails_before_anything_is_written(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed", reason="Dask is an optional extra")
    out = tmp_path / "out"
    with pytest.raises(BackendError, match="cannot connect to the Dask scheduler 'foo': missing"):
        run_sweep(small(base), out=out, backend=Backend(dask_scheduler="foo"))
    assert not out.exists()
    path = spec_file(small(base), tmp_path)
    assert (
        dispatch(parse("sweep", str(path), "--out", str(out), "--dask-scheduler", "foo"), Console())
        == 2
    )
    assert "missing port number" in capsys.readouterr().err
    assert not out.exists()


def test_an_unreachable_dask_scheduler_fails_before_anything_is_written(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dask = pytest.importorskip("dask", reason="Dask is an optional extra")
    pytest.importorskip("distributed", reason="Dask is an optional extra")
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
    out = tmp_path / "out"
    path = spec_file(small(base), tmp_path)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(BackendError, match=f"cannot connect to the Dask scheduler '{address}'"):
            run_sweep(small(base), out=out, backend=Backend(dask_scheduler=address))
        args = parse("sweep", str(path), "--out", str(out), "--dask-scheduler", address)
        assert dispatch(args, Console()) == 2
    err = capsys.readouterr().err
    assert address in err and "is the scheduler running" in err and "cannot write" not in err
    assert not out.exists()  # so a plain rerun is not refused


def test_backends_refuse_impossible_requests() -> None:
    with pytest.raises(BackendError, match="at least 1"):
        Backend(jobs=0)
    with pytest.raises(BackendError, match="not both"):
        Backend(dask_scheduler="tcp://127.0.0.1:8786", dask_local=2)
    with pytest.raises(BackendError, match="--jobs is for local processes"):
        Backend(jobs=2, dask_local=2)


# --------------------------------------------------------------------------- command line


def parse(*argv: str) -> argparse.Namespace:
    return parser().parse_args(argv)


def test_sweep_main_prints_the_summary_table(base: Path, tmp_path: Path) -> None:
    spec_file = tmp_path / "small.yaml"
    spec_file.write_text(yaml.safe_dump(small(base, per_world=False)), encoding="utf-8")
    console = Console(record=True, width=200)
    code = dispatch(parse("sweep", str(spec_file), "--out", str(tmp_path / "o")), console)
    text = console.export_text()
    assert code == 0
    assert "small: 4 design points x 400 worlds, seed 11, 0 error(s)" in text
    assert "P(deal) [95% CI]" in text
    assert (tmp_path / "o" / "points.parquet").exists()


def test_sweep_main_reports_bad_input_with_status_2(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "bad.yaml"
    spec_file.write_text(yaml.safe_dump(small(base, worldz=3)), encoding="utf-8")
    assert dispatch(parse("sweep", str(spec_file)), Console()) == 2
    err = capsys.readouterr().err
    assert "invalid sweep file" in err and "worldz: unknown field" in err
    args = parse("sweep", str(spec_file), "--jobs", "0")
    spec_file.write_text(yaml.safe_dump(small(base)), encoding="utf-8")
    assert dispatch(args, Console()) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err


def test_a_missing_sweep_file_is_an_invalid_sweep_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert dispatch(parse("sweep", str(tmp_path / "nope.yaml")), Console()) == 2
    err = capsys.readouterr().err
    assert "invalid sweep file" in err and "nope.yaml: (top level): file not found" in err
    assert dispatch(parse("sweep", str(tmp_path)), Console()) == 2
    assert "is a directory, not a sweep file" in capsys.readouterr().err


NOTEBOOK_CELL = """\
import json, sim
spec = json.loads({spec!r})
table = sim.sweep(spec, progress=True)
quiet = sim.sweep(spec, progress=False)
print(json.dumps({{"rows": len(table), "status": list(table["status"]),
                  "worlds": [int(w) for w in table["worlds"]], "same": bool(table.equals(quiet))}}))
"""


@pytest.mark.slow
def test_the_progress_bar_works_in_jupyter(base: Path, tmp_path: Path) -> None:
    """rich's bar is a widget in Jupyter: ipywidgets (the 'notebook' extra) must be there."""
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    for extra in ("notebook", "dev"):
        assert any(d.startswith("ipywidgets>=8") for d in extras[extra]), extra
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    manager = pytest.importorskip("jupyter_client.manager")
    spec = json.dumps(small(base, per_world=False, worlds=100, block_size=50))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(NOTEBOOK_CELL.format(spec=spec))]
    km = manager.KernelManager(kernel_name="python3")
    km.kernel_spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    client = nbclient.NotebookClient(
        nb, km=km, timeout=600, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = nb.cells[0].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "ipywidgets" not in text, text  # rich warns 'install "ipywidgets" for Jupyter support'
    widgets = [
        o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert widgets, outputs  # the bar rendered as a widget
    printed = json.loads(text.strip().splitlines()[-1])
    assert printed == {"rows": 4, "status": ["ok"] * 4, "worlds": [100] * 4, "same": True}


@pytest.mark.slow
def test_negsim_sweep_on_the_command_line(tmp_path: Path) -> None:
    spec = SWEEPS / "hawks_resolve_grid.yaml"
    out = tmp_path / "grid"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "hawks_resolve_grid: 20 design points" in proc.stdout
    assert len(pd.read_parquet(out / "points.parquet")) == 20
    bad = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(BASELINE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("where", ["unit", "block"])
def test_a_finished_block_leaves_no_model_alive(where: str) -> None:
    """Memory stays flat: a block's model (a reference cycle with its agents) is freed at once."""
    import gc

    from sim.engine.model import NegotiationModel
    from sim.runs.ensemble import run_block
    from sim.runs.sweeps.units import UnitTask

    spec = load_scenario(BASELINE).scenario
    gc.collect()
    gc.disable()  # only the collection the code itself asks for may free the cycles
    try:
        for block in range(2):
            if where == "unit":
                assert run_unit(UnitTask(0, block, 50, 1, 50, spec)).error is None
            else:
                assert len(run_block(spec, 1, block, 50, 50).worlds) == 50
        alive = [o for o in gc.get_objects() if isinstance(o, NegotiationModel)]
    finally:
        gc.enable()
    assert alive == []


# --------------------------------------------------------------------------- negsim plot


def plotted_titles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the axes titles of every figure ``negsim plot`` saves."""
    import sim.analysis.plots

    real = sim.analysis.plots.save_figure
    titles: list[str] = []

    def save_figure(fig: Any, path: Any) -> list[Path]:
        titles.extend(ax.get_title() for ax in fig.axes if ax.get_title())
        written: list[Path] = real(fig, path)
        return written

    monkeypatch.setattr(sim.analysis.plots, "save_figure", save_figure)
    return titles


@pytest.mark.parametrize("damage", ["running", "interrupted", "no sweep.json"])
def test_plot_refuses_a_sweep_that_is_not_complete_unless_partial(
    reference: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    damage: str,
) -> None:
    out = copy_of(reference, tmp_path)
    meta_file = out / "sweep.json"
    if damage == "no sweep.json":
        meta_file.unlink()
    else:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        meta_file.write_text(json.dumps({**meta, "status": damage, "units_done": 5}))
    figures = tmp_path / "figures"
    assert negsim_main(["plot", str(out), "--out", str(figures)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: the sweep is not complete" in err and "Traceback" not in err
    assert "--resume" in err and "--partial" in err
    if damage != "no sweep.json":
        assert f"says '{damage}', 5 of 8 units done" in err
    assert not figures.exists()
    titles = plotted_titles(monkeypatch)
    assert negsim_main(["plot", str(out), "--out", str(figures), "--partial"]) == 0
    capsys.readouterr()
    of = "" if damage == "no sweep.json" else " of 4"
    assert titles and all(t.startswith(f"PARTIAL SWEEP: 4{of} design points") for t in titles)


def test_plot_draws_a_complete_sweep_unmarked(
    reference: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    titles = plotted_titles(monkeypatch)
    assert negsim_main(["plot", str(reference), "--out", str(tmp_path / "f")]) == 0
    assert titles and not any("PARTIAL" in t for t in titles)


def test_sim_sweep_refuses_a_misspelt_option() -> None:
    """The options are keyword arguments checked as a signature would: nothing runs."""
    with pytest.raises(TypeError, match=r"unexpected keyword argument.*: job"):
        sim.sweep("no_such_file.yaml", job=2)  # type: ignore[call-arg]
