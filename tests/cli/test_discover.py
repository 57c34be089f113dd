"""``negsim run`` then ``negsim discover``, as a user types them; and discover's bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.errors import BAD_INPUT
from sim.cli.main import main
from tests.builders import BASELINE


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``negsim run baseline --worlds 400 --seed 6 --out DIR`` (once for the module)."""
    out = tmp_path_factory.mktemp("discover") / "run"
    assert main(["run", str(BASELINE), "--worlds", "400", "--seed", "6", "--out", str(out)]) == 0
    return out


def test_discover_reports_boxes_and_writes_its_files(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "d"
    args = ["discover", str(run_dir), "--event", "strike", "--by", "2025-12-31"]
    assert main([*args, "--out", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert json.loads((out / "discover.json").read_text(encoding="utf-8")) == data
    assert (out / "peeling.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "peeling.svg").is_file()
    assert (out / "boxes.png").is_file() == (out / "boxes.svg").is_file() == bool(data["boxes"])
    ask = ["ask", str(run_dir), "--event", "strike", "--by", "2025-12-31", "--json"]
    assert main(ask) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (data["hits"], data["worlds"]) == (answer["count"], answer["n"])
    params = [c for c in pd.read_parquet(run_dir / "worlds.parquet").columns if "param." in c]
    for box in data["boxes"]:
        assert 0 < box["coverage"] <= 1 and 0 < box["mass"] <= 1
        assert box["density"] == box["hits"] / box["worlds"]
        assert box["restricted"]
        assert {f"param.{r['param']}" for r in box["restricted"]} <= set(params)
    assert abs(sum(leaf["mass"] for leaf in data["tree"]) - 1) < 1e-9
    assert sum(leaf["hits"] for leaf in data["tree"]) == data["hits"]
    assert main([*args, "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"strike by 2025-12-31: {data['hits']:,} of 400 worlds")
    assert ("Box 1: coverage" in text) == bool(data["boxes"]) and "Stopped:" in text
    assert "Decision tree (CART, depth 3)" in text


def test_given_keeps_the_worlds_where_it_happened(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["discover", str(run_dir), "--event", "deal", "--given", "bog_down", "--json"]
    assert main([*args, "--out", str(tmp_path / "d"), "--threshold", "0.5"]) == 0
    data = json.loads(capsys.readouterr().out)
    ask = ["ask", str(run_dir), "--event", "deal", "--by", "2026-01-03", "--given", "bog_down"]
    assert main([*ask, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert (data["hits"], data["worlds"]) == (answer["count"], answer["n"])
    assert data["by"] == "2026-01-03" and data["threshold"] == 0.5


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--event", "war"], "error: --event 'war' is not an event of this run"),
        (["--event", "deal", "--by", "2030-01-01"], "error: --by 2030-01-01 is outside"),
        (["--event", "deal", "--threshold", "1.5"], "error: --threshold must be a density"),
        (["--event", "deal", "--boxes", "0"], "error: --boxes must be at least 1"),
        (["--event", "deal", "--by", "2025-04-12"], "PRIM needs worlds with it and worlds"),
    ],
)
def test_bad_input_exits_2_naming_the_problem(
    run_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "d"
    assert main(["discover", str(run_dir), *extra, "--out", str(out)]) == BAD_INPUT
    captured = capsys.readouterr()
    assert captured.out == "" and message in captured.err and "Traceback" not in captured.err
    assert not out.exists()


def test_a_run_without_worlds_parquet_is_named(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    for name in ("events.parquet", "summary.json"):
        (bare / name).write_bytes((run_dir / name).read_bytes())
    assert main(["discover", str(bare), "--event", "deal"]) == BAD_INPUT
    err = capsys.readouterr().err
    assert f"{bare / 'worlds.parquet'}: missing" in err and not (bare / "discover").exists()
