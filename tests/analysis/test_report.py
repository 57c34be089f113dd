"""``negsim plot`` and ``negsim report``: the functions, and the commands end to end."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console

from sim.analysis.report import write_report
from sim.cli.errors import UsageError
from sim.cli.main import parser
from sim.cli.results import (
    ResultsError,
    plot_main,
    plot_results,
    read_results,
    report_main,
)
from sim.mechanisms.outcomes import OUTCOMES
from sim.runs.ensemble import run
from sim.runs.output import write_run
from tests.builders import BASELINE, ROOT

VARIANT = """\
extends: {base}
name: resolute_israel
description: Israel more resolved to strike.
overrides:
  actors.israel.strike_resolve: 0.1
"""


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse ``argv`` with the parser of ``negsim``."""
    return parser().parse_args(argv)


def console() -> Console:
    return Console(width=200, record=True)


def usage_error() -> type[Exception]:
    return UsageError


@pytest.fixture(scope="module")
def variant_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenarios") / "resolute_israel.yaml"
    path.write_text(VARIANT.format(base=BASELINE), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def run_dirs(tmp_path_factory: pytest.TempPathFactory, variant_file: Path) -> list[Path]:
    root = tmp_path_factory.mktemp("runs")
    out = []
    for name, scenario in (("baseline", BASELINE), ("variant", variant_file)):
        write_run(run(scenario, worlds=150, seed=4), root / name)
        out.append(root / name)
    return out


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sim.runs.sweeps import sweep

    out = tmp_path_factory.mktemp("sweep") / "grid"
    spec = {
        "name": "tiny_grid",
        "base": str(BASELINE),
        "parameters": {
            "actors.us_hawks.clout": {"values": [0.2, 0.45]},
            "actors.israel.strike_resolve": {"values": [-0.1, 0.1]},
        },
        "design": "grid",
        "worlds": 30,
        "block_size": 30,
        "seed": 3,
    }
    sweep(spec, out=out, progress=False)
    effect = {"method": "morris", "mu": 0.1, "mu_star_conf": 0.01, "sigma": 0.02}
    rows = [
        {"output": o, "parameter": p, "mu_star": m, **effect}
        for o in ("deal", "strike")
        for p, m in (("actors.us_hawks.clout", 0.3), ("actors.israel.strike_resolve", 0.1))
    ]
    pd.DataFrame(rows).to_parquet(out / "sensitivity.parquet")
    return out


# ------------------------------------------------------------------------------------ plot


def test_plot_runs_writes_every_figure(run_dirs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "figs"
    args = parse(["plot", *map(str, run_dirs), "--out", str(out)])
    shown = console()
    assert plot_main(args, shown) == 0
    names = sorted(p.name for p in out.iterdir())
    for stem in ("baseline", "resolute_israel"):
        for kind in ("outcomes", "events", "timing", "terms"):
            assert f"{stem}_{kind}.png" in names and f"{stem}_{kind}.svg" in names
    assert "comparison_forest.png" in names and "comparison_forest.svg" in names
    assert len(names) == 18
    text = shown.export_text()
    assert "wrote 18 files" in text and "baseline_timing.png" in text
    assert all((out / n).stat().st_size > 5000 for n in names)


def test_plot_default_out_is_beside_the_run(
    run_dirs: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[list[Path], Path]] = []
    monkeypatch.setattr(
        "sim.cli.results.plot_results",
        lambda results, out, worlds=(): seen.append((results, out)) or [],
    )
    assert plot_main(parse(["plot", *map(str, run_dirs)]), console()) == 0
    assert seen == [(run_dirs, run_dirs[0] / "figures")]


def test_plot_sweep(sweep_dir: Path, tmp_path: Path) -> None:
    written = plot_results([sweep_dir], tmp_path)
    names = {p.name for p in written}
    assert {
        "tiny_grid_heatmap_deal.png",
        "tiny_grid_heatmap_strike.png",
        "tiny_grid_line_us_hawks_clout.png",
        "tiny_grid_line_israel_strike_resolve.png",
        "tiny_grid_sensitivity_deal.png",
        "tiny_grid_sensitivity_strike.svg",
    } <= names
    assert len(written) == 12


def test_plot_a_morris_sweep_draws_its_indices_not_averaged_heatmaps(
    sweep_dir: Path, tmp_path: Path
) -> None:
    import shutil

    morris = tmp_path / "morris"
    shutil.copytree(sweep_dir, morris, ignore=shutil.ignore_patterns("work"))
    meta = json.loads((morris / "sweep.json").read_text(encoding="utf-8"))
    (morris / "sweep.json").write_text(json.dumps({**meta, "design": "morris"}), encoding="utf-8")
    names = {p.name for p in plot_results([morris], tmp_path / "figs")}
    assert names == {
        f"tiny_grid_sensitivity_{o}.{ext}" for o in ("deal", "strike") for ext in ("png", "svg")
    }
    (morris / "sensitivity.parquet").unlink()
    with pytest.raises(ResultsError, match="morris design is drawn as its sensitivity indices"):
        plot_results([morris], tmp_path / "figs")


def test_plot_world_re_runs_the_world_from_the_summary(
    run_dirs: list[Path], tmp_path: Path
) -> None:
    from sim.analysis.explain import explain
    from sim.analysis.plots import plot_world, save_figure
    from sim.scenario import load_scenario

    written = plot_results([run_dirs[0]], tmp_path, worlds=[7, 12])
    names = [p.name for p in written]
    for k in (7, 12):
        assert f"baseline_world{k}.png" in names and f"baseline_world{k}.svg" in names
    assert len(written) == 8 + 4  # outcomes, events, timing, terms; two worlds (PNG, SVG)
    summary = json.loads((run_dirs[0] / "summary.json").read_text(encoding="utf-8"))
    story = explain(load_scenario(summary["scenario_data"]), summary["seed"], 7)
    recorded = pd.read_parquet(run_dirs[0] / "worlds.parquet").set_index("world")
    assert OUTCOMES[int(story.model.outcome[0]) - 1] == recorded.loc[7, "outcome"]
    alone = save_figure(plot_world(story), tmp_path / "alone_world7")
    assert alone[0].read_bytes() == (tmp_path / "baseline_world7.png").read_bytes()


def test_plot_world_checks_the_id_and_the_directory(
    run_dirs: list[Path], sweep_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(ResultsError, match=r"--world 150: .* has 150 worlds \(ids 0 to 149\)"):
        plot_results([run_dirs[0]], tmp_path, worlds=[150])
    with pytest.raises(ResultsError, match="give a run's output directory"):
        plot_results([sweep_dir], tmp_path, worlds=[1])
    args = parse(["plot", str(run_dirs[0]), "--out", str(tmp_path), "--world", "-1"])
    with pytest.raises(usage_error(), match="--world must be at least 0"):
        plot_main(args, console())
    assert not list(tmp_path.iterdir())  # nothing written before the check


def test_plot_episode_end_to_end(run_dirs: list[Path], tmp_path: Path) -> None:
    from sim.analysis.plots import interesting_world

    events = pd.read_parquet(run_dirs[0] / "events.parquet")
    default = interesting_world(events)
    names = set(events.loc[events["world"] == default, "event"].astype(str))
    assert {"ceasefire", "talks_resume"} <= names  # the default world goes past a strike
    out = tmp_path / "figs"
    done = subprocess.run(
        [sys.executable, "-m", "sim", "plot", str(run_dirs[0]), "--out", str(out), "--episode"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    png = out / f"baseline_episode{default}.png"
    assert png.stat().st_size > 5000 and png.with_suffix(".svg").is_file()
    assert f"baseline_episode{default}.png" in done.stdout.replace("\n", "")
    written = plot_results([run_dirs[0]], tmp_path / "k", episode=3)
    assert "baseline_episode3.png" in {p.name for p in written}


def test_plot_episode_checks_the_id_before_writing(run_dirs: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "figs"
    for given, message in (("150", "--episode 150: .* has 150 worlds"), ("x", "not a world id")):
        args = parse(["plot", str(run_dirs[0]), "--out", str(out), "--episode", given])
        with pytest.raises(UsageError, match=message):
            plot_main(args, console())
    assert not out.exists()  # nothing written before the check


def test_plot_world_refuses_a_run_it_does_not_reproduce(
    run_dirs: list[Path], tmp_path: Path
) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(run_dirs[0], copy)
    worlds = pd.read_parquet(copy / "worlds.parquet")
    outcome = str(worlds.loc[worlds["world"] == 3, "outcome"].iloc[0])
    other = "breakdown" if outcome != "breakdown" else "deal"
    worlds["outcome"] = worlds["outcome"].astype(str)
    worlds.loc[worlds["world"] == 3, "outcome"] = other
    worlds.to_parquet(copy / "worlds.parquet")
    with pytest.raises(ResultsError, match=f"re-run it ends as {outcome}, but .* records {other}"):
        plot_results([copy], tmp_path / "figs", worlds=[3])
    summary = json.loads((copy / "summary.json").read_text(encoding="utf-8"))
    summary["scenario_data"]["horizon"] = 5
    (copy / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(ResultsError, match="does not match 'scenario_sha256'"):
        plot_results([copy], tmp_path / "figs", worlds=[3])


def test_plot_missing_directory_is_bad_input(tmp_path: Path) -> None:
    args = parse(["plot", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")])
    with pytest.raises(usage_error(), match="no such directory"):
        plot_main(args, console())


def test_plot_rejects_a_folder_without_results(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ResultsError, match=r"not a run's output .* nor a sweep's"):
        read_results(tmp_path / "empty")


def test_plot_rejects_a_damaged_summary(run_dirs: list[Path], tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "worlds.parquet").write_bytes((run_dirs[0] / "worlds.parquet").read_bytes())
    (broken / "summary.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ResultsError, match=r"summary\.json: cannot be read"):
        read_results(broken)
    (broken / "summary.json").write_text(json.dumps({"scenario": "x"}), encoding="utf-8")
    with pytest.raises(ResultsError, match="no 'worlds'"):
        read_results(broken)
    (broken / "summary.json").write_text(
        (run_dirs[0] / "summary.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (broken / "worlds.parquet").write_bytes(b"not parquet")
    with pytest.raises(ResultsError, match=r"worlds\.parquet: cannot be read"):
        read_results(broken)


def test_plot_out_must_be_a_directory(run_dirs: list[Path], tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    args = parse(["plot", str(run_dirs[0]), "--out", str(file)])
    with pytest.raises(usage_error(), match="not a directory"):
        plot_main(args, console())


# ---------------------------------------------------------------------------------- report


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, variant_file: Path) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    path = write_report([BASELINE, variant_file], worlds=120, seed=9, out=out)
    assert path == out
    return out.read_text(encoding="utf-8")


def test_report_is_one_self_contained_file(report: str) -> None:
    assert report.startswith("<!DOCTYPE html>") and report.rstrip().endswith("</html>")
    assert 'src="http' not in report and "<link" not in report and "<script" not in report
    assert "url(" not in report
    images = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,', report)
    # per scenario 4 (outcomes, timing, terms, events), the forest, one world, one episode
    assert len(images) == 4 * 2 + 1 + 1 + 1


def test_report_shows_the_states_at_the_horizon_and_the_events(report: str) -> None:
    from sim.mechanisms.outcomes import STATE_LABELS, STATES

    summary = run(BASELINE, worlds=120, seed=9).summary  # the report's first scenario
    section = report.split("The state at the horizon and the events of baseline")[1]
    section = section.split("<h2")[0]
    for state in STATES:
        s = summary["states"][state]
        lo, hi = s["ci95"]
        row = f"{STATE_LABELS[state]}</td><td class='num'>{s['p']:.3f}</td>"
        assert row + f"<td class='num'>[{lo:.3f}, {hi:.3f}]</td>" in section
    assert 'alt="cumulative incidence of every event, baseline"' in section
    by_date = summary["events_by_date"]
    assert "".join(f"<th>{d}</th>" for d in by_date["dates"]) in section
    ceasefire = by_date["events"]["ceasefire"]["p"]
    assert ceasefire[-1] > 0  # worlds go on past a strike
    assert "<td>Ceasefire</td>" + "".join(f"<td class='num'>{p:.1%}</td>" for p in ceasefire) in (
        section
    )
    assert "One episode past a strike: world" in report and "negsim plot RUN --episode" in report


def test_report_has_each_scenario_evidence_and_metadata(report: str) -> None:
    for heading in ("Scenario baseline", "Scenario resolute_israel", "Comparison of the scenarios"):
        assert heading in report
    assert "Calibration evidence" in report and '<table class="evidence">' in report
    assert "Muscat" in report or "12 April" in report  # evidence quotes and readings
    assert "002_421a9f04ec3a186c.txt" in report
    for key in ("negsim version", "git commit", "root seed", "scenario SHA-256"):
        assert key in report
    assert "--worlds 120 --seed 9" in report
    assert "One world, told" in report and "negsim explain" in report


def test_report_command(tmp_path: Path, variant_file: Path) -> None:
    out = tmp_path / "r.html"
    args = parse(["report", str(BASELINE), "--worlds", "30", "--seed", "2", "--out", str(out)])
    shown = console()
    assert report_main(args, shown) == 0
    assert out.exists() and f"wrote {out}" in shown.export_text()
    text = out.read_text(encoding="utf-8")
    assert f"negsim report {BASELINE} --worlds 30 --seed 2 --out {out}" in text


@pytest.mark.parametrize(
    ("option", "message"),
    [(["--worlds", "0"], "--worlds"), (["--seed", "-1"], "--seed"), (["--jobs", "0"], "--jobs")],
)
def test_report_bad_numbers(option: list[str], message: str, tmp_path: Path) -> None:
    args = parse(["report", str(BASELINE), "--out", str(tmp_path / "r.html"), *option])
    with pytest.raises(usage_error(), match=message):
        report_main(args, console())


def test_report_invalid_scenario(tmp_path: Path) -> None:
    from sim.scenario import ScenarioError

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\n", encoding="utf-8")
    args = parse(["report", str(bad), "--out", str(tmp_path / "r.html")])
    with pytest.raises(ScenarioError):
        report_main(args, console())
    assert not (tmp_path / "r.html").exists()


# ------------------------------------------------------------------- the commands, end to end


def negsim(*args: object) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_plot_command_end_to_end(run_dirs: list[Path], tmp_path: Path) -> None:
    proc = negsim("plot", run_dirs[0], "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "baseline_timing.svg" in proc.stdout
    assert (tmp_path / "baseline_terms.png").exists()
    missing = negsim("plot", tmp_path / "nowhere")
    assert missing.returncode == 2
    assert "no such directory" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.slow
def test_plot_world_command_end_to_end(run_dirs: list[Path], tmp_path: Path) -> None:
    proc = negsim("plot", run_dirs[0], "--out", tmp_path, "--world", 5, "--world", 9)
    assert proc.returncode == 0, proc.stderr
    assert "wrote 12 files" in proc.stdout and "baseline_world9.svg" in proc.stdout
    for k in (5, 9):
        assert (tmp_path / f"baseline_world{k}.png").stat().st_size > 5000
    bad = negsim("plot", run_dirs[0], "--out", tmp_path / "o", "--world", 150)
    assert bad.returncode == 2 and "has 150 worlds" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.slow
def test_report_command_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = negsim("report", BASELINE, "--worlds", 50, "--seed", 1, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and "<img" in out.read_text(encoding="utf-8")
    bad = negsim("report", BASELINE, "--worlds", 0)
    assert bad.returncode == 2 and "--worlds" in bad.stderr


@pytest.mark.slow
def test_explain_command_end_to_end() -> None:
    proc = negsim("explain", BASELINE, "--seed", 3, "--world", 5)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("World 5 of 'baseline' (seed 3)")
    assert "Outcome:" in proc.stdout
