"""Sensitivity analysis of sweeps: known answers on synthetic outputs, and end to end."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml
from rich.console import Console

from sim.analysis.plots import parameter_name, plot_sensitivity
from sim.analysis.sensitivity import (
    SensitivityError,
    rich_table,
    sample_warnings,
    sensitivity_table,
)
from sim.cli.main import dispatch, parser
from sim.runs.sweeps import load_sweep
from sim.runs.sweeps.design import design_points
from tests.builders import BASELINE

HAWKS = "actors.us_hawks.clout"
RESOLVE = "actors.israel.strike_resolve"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the scenarios, so that edits to the real files cannot race the tests."""
    folder = tmp_path_factory.mktemp("base") / "scenarios"
    shutil.copytree(BASELINE.parent, folder)
    return folder / BASELINE.name


def spec_of(base: Path, design: Any, **extra: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "tiny",
        "base": str(base),
        "parameters": {HAWKS: {"low": 0.2, "high": 0.45}, RESOLVE: {"low": -0.1, "high": 0.1}},
        "design": design,
        "worlds": 200,
        "block_size": 200,
        "seed": 5,
    }
    spec.update(extra)
    return spec


def synthetic_points(spec: dict[str, Any]) -> pd.DataFrame:
    """A per-point table whose P(deal) depends on the hawks only, P(strike) on resolve only."""
    rows = []
    for p in design_points(load_sweep(spec)):
        hawks = (p.values[HAWKS] - 0.2) / 0.25
        resolve = (p.values[RESOLVE] + 0.1) / 0.2
        rows.append(
            {
                "point": p.index,
                HAWKS: p.values[HAWKS],
                RESOLVE: p.values[RESOLVE],
                "status": "ok",
                "error": None,
                "deal_p": 0.9 - 0.8 * hawks,
                "strike_p": 0.1 + 0.3 * resolve**2,
            }
        )
    return pd.DataFrame(rows)


def test_sobol_indices_find_the_one_parameter_that_matters(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 256})
    table = sensitivity_table(load_sweep(spec), synthetic_points(spec)).set_index(
        ["output", "parameter"]
    )
    assert set(table.columns) >= {"method", "S1", "S1_conf", "ST", "ST_conf"}
    assert table.loc[("deal", HAWKS), "S1"] == pytest.approx(1.0, abs=0.05)
    assert table.loc[("deal", RESOLVE), "ST"] == pytest.approx(0.0, abs=0.05)
    assert table.loc[("strike", RESOLVE), "ST"] == pytest.approx(1.0, abs=0.05)
    assert table.loc[("strike", HAWKS), "S1"] == pytest.approx(0.0, abs=0.05)


def test_morris_effects_find_the_one_parameter_that_matters(base: Path) -> None:
    spec = spec_of(base, {"kind": "morris", "trajectories": 10})
    table = sensitivity_table(load_sweep(spec), synthetic_points(spec)).set_index(
        ["output", "parameter"]
    )
    assert set(table.columns) >= {"mu", "mu_star", "mu_star_conf", "sigma"}
    assert table.loc[("deal", HAWKS), "mu_star"] > 0
    assert table.loc[("deal", HAWKS), "mu"] < 0  # more hawks, fewer deals
    assert table.loc[("deal", RESOLVE), "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert table.loc[("strike", RESOLVE), "mu_star"] > 0
    assert table.loc[("strike", HAWKS), "mu_star"] == pytest.approx(0.0, abs=1e-12)


def test_the_analysis_is_deterministic(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 16})
    points = synthetic_points(spec)
    first = sensitivity_table(load_sweep(spec), points)
    assert first.equals(sensitivity_table(load_sweep(spec), points))


def test_the_table_is_sorted_by_importance_within_each_output(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 64})
    table = sensitivity_table(load_sweep(spec), synthetic_points(spec))
    assert list(table["output"]) == ["deal", "deal", "strike", "strike"]
    assert list(table["parameter"]) == [HAWKS, RESOLVE, RESOLVE, HAWKS]
    assert list(table["rank"]) == [1, 2, 1, 2]
    for _, rows in table.groupby("output"):
        assert rows["ST"].is_monotonic_decreasing


def test_the_printed_table_shows_the_top_with_intervals(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 64})
    table = sensitivity_table(load_sweep(spec), synthetic_points(spec))
    console = Console(record=True, width=200)
    console.print(rich_table(table, "t", top=1))
    text = console.export_text()
    assert "ST ± 95%" in text and "S1 ± 95%" in text
    assert "2 more rows in sensitivity.csv" in text
    assert "strike_resolve" in text.split("strike", 1)[1]  # the strike's top parameter


def sobol_row(s1: float, c1: float, st: float, ct: float) -> dict[str, Any]:
    return {"S1": s1, "S1_conf": c1, "ST": st, "ST_conf": ct}


@pytest.mark.parametrize(
    ("row", "expected", "ranking"),
    [
        (sobol_row(0.5, 0.05, 0.2, 0.05), "exceeds ST", True),
        (sobol_row(-0.2, 0.1, 0.3, 0.05), "is negative", False),
        (sobol_row(0.2, 0.3, 0.4, 0.05), "S1 0.200 ± 0.300: the interval is wider", False),
        (sobol_row(0.0, 0.01, 0.02, 0.3), "ST 0.020 ± 0.300: the interval is wider", True),
        (sobol_row(0.9, 0.2, 1.5, 0.2), "ST 1.500 ± 0.200 exceeds 1", True),
    ],
)
def test_an_untrustworthy_sobol_estimate_is_warned_about_with_a_size_to_use(
    base: Path, row: dict[str, Any], expected: str, ranking: bool
) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 32})
    sweep = load_sweep(spec)
    good = sobol_row(0.6, 0.02, 0.65, 0.03)
    table = pd.DataFrame(
        [
            {"output": "deal", "parameter": HAWKS, "method": "sobol", **good},
            {"output": "deal", "parameter": RESOLVE, "method": "sobol", **row},
        ]
    )
    points = synthetic_points(spec)
    found = sample_warnings(sweep, table, points)
    assert len(found) == 2, found
    assert found[0].startswith("deal: israel.strike_resolve: ") and expected in found[0]
    # An S1 alone leaves the ranking by ST standing, and the warning says so.
    assert found[1].startswith("the sample is too small" if ranking else "the total indices ST")
    size = int(found[1].split("use samples: ")[1].split()[0])
    assert size >= 64 and size & (size - 1) == 0  # at least double, a power of 2


def test_a_trustworthy_sample_gives_no_warning(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 256})
    sweep = load_sweep(spec)
    points = synthetic_points(spec)
    assert sample_warnings(sweep, sensitivity_table(sweep, points), points) == []


def test_a_tiny_sample_is_warned_about(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 4})
    sweep = load_sweep(spec)
    points = synthetic_points(spec)
    noise = np.random.default_rng(1).normal(0, 0.1, len(points))  # as a few worlds would give
    points["deal_p"] = np.clip(points["deal_p"] + noise, 0, 1)
    found = sample_warnings(sweep, sensitivity_table(sweep, points), points)
    assert found and "too small to trust" in found[-1]


def test_morris_intervals_wider_than_mu_star_are_warned_about(base: Path) -> None:
    spec = spec_of(base, {"kind": "morris", "trajectories": 10})
    sweep = load_sweep(spec)
    table = pd.DataFrame(
        [
            {"output": "deal", "parameter": HAWKS, "method": "morris", "mu_star": 0.4,
             "mu_star_conf": 0.05},
            {"output": "deal", "parameter": RESOLVE, "method": "morris", "mu_star": 0.1,
             "mu_star_conf": 0.2},
        ]
    )  # fmt: skip
    found = sample_warnings(sweep, table, synthetic_points(spec))
    assert "mu_star 0.100 ± 0.200" in found[0]
    assert "use trajectories: 160 or more (now 10" in found[1]  # 10 x (2 x 0.2 / 0.1)^2


def test_monte_carlo_noise_asks_for_more_worlds(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 256})
    sweep = load_sweep(spec)
    points = synthetic_points(spec)
    points["deal_p"] = 0.5 + 0.001 * np.sign(points[HAWKS] - 0.3)  # far below 200 worlds' noise
    table = sensitivity_table(sweep, points)
    found = sample_warnings(sweep, table, points)
    assert any(w.startswith("deal: the worlds' Monte Carlo noise is 100% of") for w in found)


def test_only_sobol_and_morris_designs_can_be_analysed(base: Path) -> None:
    spec = spec_of(base, "grid")
    spec["parameters"] = {HAWKS: {"values": [0.2, 0.3]}}
    with pytest.raises(SensitivityError, match="needs a 'sobol' or 'morris' design, not 'grid'"):
        sensitivity_table(load_sweep(spec), pd.DataFrame())


def test_failed_points_stop_the_analysis(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 4})
    points = synthetic_points(spec)
    points.loc[3, ["status", "error"]] = ["error", "actors.x: bad"]
    with pytest.raises(SensitivityError, match=r"1 of 16 design points failed.*point 3"):
        sensitivity_table(load_sweep(spec), points)


def test_the_chart_has_one_panel_per_output(base: Path) -> None:
    spec = spec_of(base, {"kind": "sobol", "samples": 8})
    table = sensitivity_table(load_sweep(spec), synthetic_points(spec))
    fig = plot_sensitivity(table, output=["deal", "strike"], title="t")
    assert [ax.get_title() for ax in fig.axes] == ["P(deal)", "P(strike)"]
    assert fig.get_suptitle() == "t"
    # The parameters in the order of the first output's total effect, the largest on top.
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == [parameter_name(RESOLVE), parameter_name(HAWKS)]


def test_negsim_sensitivity_draws_the_one_sensitivity_figure(base: Path, tmp_path: Path) -> None:
    """``write_sensitivity`` draws :func:`sim.analysis.plots.plot_sensitivity`: one figure."""
    import sim.analysis.sensitivity as module

    assert not hasattr(module, "plot_sensitivity")
    spec = spec_of(base, {"kind": "sobol", "samples": 4})
    table = sensitivity_table(load_sweep(spec), synthetic_points(spec))
    written = module.write_sensitivity(table, tmp_path, "t")
    assert [p.name for p in written][2:] == ["sensitivity.png", "sensitivity.svg"]


def parse(*argv: str) -> argparse.Namespace:
    return parser().parse_args(argv)


def test_negsim_sensitivity_on_a_tiny_sobol_design(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec_file = tmp_path / "tiny.yaml"
    spec_file.write_text(
        yaml.safe_dump(spec_of(base, {"kind": "sobol", "samples": 4})), encoding="utf-8"
    )
    out = tmp_path / "out"
    console = Console(record=True, width=200)
    assert dispatch(parse("sensitivity", str(spec_file), "--out", str(out)), console) == 0
    text = console.export_text()
    assert "Sensitivity of 'tiny' (16 design points)" in text
    assert "S1 ± 95%" in text and "us_hawks.clout" in text
    assert "rank" in text
    err = capsys.readouterr().err  # 4 base samples are far too few: it says so, and what to use
    assert "warning:" in err and "use samples: " in err
    table = pd.read_csv(out / "sensitivity.csv")
    assert len(table) == 2 * 2
    assert np.isfinite(table["ST"]).all()
    assert pd.read_parquet(out / "sensitivity.parquet").shape == table.shape
    embedded = json.loads(pq.read_schema(out / "sensitivity.parquet").metadata[b"negsim"])
    assert embedded["seed"] == 5 and {"version", "git_commit", "spec_sha256"} <= set(embedded)
    assert any("use samples: " in w for w in embedded["warnings"])
    assert (out / "sensitivity.png").read_bytes().startswith(PNG_MAGIC)
    assert (out / "sensitivity.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert len(pd.read_parquet(out / "points.parquet")) == 16
    # run again: the sweep is reused (nothing recomputed), the indices are the same
    assert dispatch(parse("sensitivity", str(spec_file), "--out", str(out)), console) == 0
    assert pd.read_csv(out / "sensitivity.csv").equals(table)


def test_negsim_sensitivity_refuses_a_grid_with_status_2(
    base: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = spec_of(base, "grid")
    spec["parameters"] = {HAWKS: {"values": [0.2, 0.3]}}
    spec_file = tmp_path / "grid.yaml"
    spec_file.write_text(yaml.safe_dump(spec), encoding="utf-8")
    assert dispatch(parse("sensitivity", str(spec_file)), Console()) == 2
    assert "needs a 'sobol' or 'morris' design" in capsys.readouterr().err
    assert not (Path("sweeps") / "tiny").exists()
