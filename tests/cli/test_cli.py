"""The ``negsim`` command line, end to end, as a user types it (``python -m sim ...``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.main import main
from sim.mechanisms.outcomes import LABELS, OUTCOMES
from sim.mechanisms.rng import BLOCK_SIZE

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
FILES = ("worlds.parquet", "events.parquet", "summary.json", "outcomes.png", "events.png")
SUMMARY_KEYS = {"scenario", "scenario_sha256", "seed", "worlds", "version", "outcomes"}


def negsim(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m sim ARGS`` in a fresh interpreter, as a user would."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr


def summary_of(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def baseline_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """``negsim run baseline --worlds 200 --seed 3`` (run once for the tests that read it)."""
    out = tmp_path_factory.mktemp("run") / "out"
    proc = negsim("run", BASELINE, "--worlds", 200, "--seed", 3, "--out", out)
    assert proc.returncode == 0, proc.stderr
    return proc, out


# --------------------------------------------------------------------------- help, validate


def test_help() -> None:
    proc = negsim("--help")
    assert proc.returncode == 0
    assert "run" in proc.stdout and "validate" in proc.stdout
    run_help = negsim("run", "--help")
    assert run_help.returncode == 0
    for option in ("--worlds", "--seed", "--out", "--jobs", "--set"):
        assert option in run_help.stdout


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "negsim"
    if not script.exists():
        pytest.skip("no negsim console script beside this interpreter")
    proc = subprocess.run(
        [str(script), "validate", str(BASELINE)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr


def test_validate_the_baseline() -> None:
    proc = negsim("validate", BASELINE)
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
    assert "baseline" in proc.stdout
    no_traceback(proc)


BROKEN = """\
name: broken
calendar:
  start: 2025-04-12
horizon: ten
issues:
  enrichment:
    lo: 0
    hi: 60
    colour: red
    status_quo: 60
actors:
  us:
    role: principal
    ratifier: us_president
    quota: lots
"""


def test_validate_a_broken_file_lists_every_problem(tmp_path: Path) -> None:
    # A long directory name: each problem must still print on one line (no wrapping).
    file = tmp_path / ("a_directory_with_a_rather_long_name_" * 2) / "broken.yaml"
    file.parent.mkdir()
    file.write_text(BROKEN, encoding="utf-8")
    proc = negsim("validate", file)
    assert proc.returncode == 2
    no_traceback(proc)
    lines = proc.stderr.splitlines()
    for expected in (
        f"{file}:4: horizon: ",
        f"{file}:9: issues.enrichment.colour: unknown field",
        f"{file}:15: actors.us.quota: ",
    ):
        assert any(line.strip().startswith(expected) for line in lines), (expected, proc.stderr)
    assert "3 problem(s)" in proc.stderr


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("absent.yaml", None, "file not found"),
        ("empty.yaml", b"", "empty"),
        ("list.yaml", b"- a\n- b\n", "mapping"),
        ("latin1.yaml", b"name: caf\xe9\n", "UTF-8"),
        ("syntax.yaml", b"name: a\n  bad: indent\n", "YAML error"),
    ],
)
def test_validate_unreadable_files_exits_2(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | None,
    fragment: str,
) -> None:
    file = tmp_path / name
    if content is not None:
        file.write_bytes(content)
    assert main(["validate", str(file)]) == 2
    err = capsys.readouterr().err
    assert str(file) in err
    assert fragment in err


def test_validate_a_directory_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err


# --------------------------------------------------------------------------- run


def test_run_prints_the_outcome_table(
    baseline_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    proc, _ = baseline_run
    no_traceback(proc)
    for label in LABELS.values():
        assert label in proc.stdout
    for column in ("p", "95% CI", "count", "median step"):
        assert column in proc.stdout
    assert "seed 3" in proc.stdout
    assert "seed drawn" not in proc.stderr


def test_run_writes_its_files(
    baseline_run: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    _, out = baseline_run
    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert (out / "outcomes.png").read_bytes().startswith(b"\x89PNG")
    worlds = pd.read_parquet(out / "worlds.parquet")
    assert len(worlds) == 200
    assert worlds["world"].tolist() == list(range(200))
    assert set(worlds["outcome"].astype(str)) <= set(OUTCOMES)


def test_summary_json(baseline_run: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    proc, out = baseline_run
    summary = summary_of(out)
    assert set(summary) >= SUMMARY_KEYS
    assert summary["scenario"] == "baseline"
    assert re.fullmatch(r"[0-9a-f]{64}", summary["scenario_sha256"])
    assert (summary["seed"], summary["worlds"]) == (3, 200)
    assert isinstance(summary["version"], str) and summary["version"]
    outcomes = summary["outcomes"]
    assert list(outcomes) == list(OUTCOMES)
    for o in outcomes.values():
        assert {"p", "ci95", "count", "median_step"} <= set(o)
        lo, hi = o["ci95"]
        assert 0 <= lo <= o["p"] <= hi <= 1
        assert (o["median_step"] is None) == (o["count"] == 0)
    assert sum(o["p"] for o in outcomes.values()) == pytest.approx(1.0)
    assert sum(o["count"] for o in outcomes.values()) == 200
    # The table and the file agree.
    worlds = pd.read_parquet(out / "worlds.parquet")
    counts = worlds["outcome"].astype(str).value_counts()
    assert {k: o["count"] for k, o in outcomes.items()} == {
        k: int(counts.get(k, 0)) for k in OUTCOMES
    }
    for name, o in outcomes.items():
        assert re.search(rf"{LABELS[name]}\s.*\s{o['count']}\s", proc.stdout), name


def test_same_seed_same_bytes(
    tmp_path: Path, baseline_run: tuple[subprocess.CompletedProcess[str], Path]
) -> None:
    _, first = baseline_run
    again = tmp_path / "again"
    proc = negsim("run", BASELINE, "--worlds", 200, "--seed", 3, "--out", again)
    assert proc.returncode == 0, proc.stderr
    assert (again / "worlds.parquet").read_bytes() == (first / "worlds.parquet").read_bytes()
    assert summary_of(again)["outcomes"] == summary_of(first)["outcomes"]


def test_different_seed_different_worlds(
    tmp_path: Path, baseline_run: tuple[subprocess.CompletedProcess[str], Path]
) -> None:
    _, first = baseline_run
    other = tmp_path / "other"
    proc = negsim("run", BASELINE, "--worlds", 200, "--seed", 4, "--out", other)
    assert proc.returncode == 0, proc.stderr
    a = pd.read_parquet(first / "worlds.parquet")
    b = pd.read_parquet(other / "worlds.parquet")
    assert not a.drop(columns="world").equals(b.drop(columns="world"))


@pytest.mark.slow
def test_jobs_do_not_change_the_results(tmp_path: Path) -> None:
    worlds = BLOCK_SIZE + 10  # two seed blocks, so two processes have work
    outs = {}
    for jobs in (1, 2):
        outs[jobs] = tmp_path / f"jobs{jobs}"
        proc = negsim(
            "run", BASELINE, "--worlds", worlds, "--seed", 11, "--jobs", jobs, "--out", outs[jobs]
        )
        assert proc.returncode == 0, proc.stderr
    table = pd.read_parquet(outs[1] / "worlds.parquet", columns=["world", "block"])
    assert table["block"].nunique() == 2
    assert len(table) == worlds
    assert (outs[1] / "worlds.parquet").read_bytes() == (outs[2] / "worlds.parquet").read_bytes()


def test_no_seed_draws_prints_and_records_one(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = negsim("run", BASELINE, "--worlds", 50, "--out", out)
    assert proc.returncode == 0, proc.stderr
    match = re.search(r"seed drawn: (\d+)", proc.stderr)
    assert match, proc.stderr
    assert summary_of(out)["seed"] == int(match.group(1))
    assert f"seed {match.group(1)}" in proc.stdout


def test_set_changes_the_results(
    tmp_path: Path, baseline_run: tuple[subprocess.CompletedProcess[str], Path]
) -> None:
    _, base = baseline_run
    out = tmp_path / "resolute"
    proc = negsim(
        "run", BASELINE, "--worlds", 200, "--seed", 3, "--out", out, "--verbose",
        "--set", "actors.israel.strike_resolve=0.5",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    before, after = summary_of(base), summary_of(out)
    assert after["scenario_sha256"] != before["scenario_sha256"]
    assert any("actors.israel.strike_resolve" in o for o in after["overrides"])
    # A strong bias toward striking makes Israeli strikes (alone or joined) more common.
    assert (
        after["totals"]["israeli_initiated"]["count"]
        > before["totals"]["israeli_initiated"]["count"]
    )
    # --verbose logs the override readably (not as cut JSON), and only our own log lines.
    assert (
        "override actors.israel.strike_resolve: truncnormal (mean 0, sd 0.05) from -0.12 to 0.12"
        " -> 0.5" in proc.stderr
    )
    # The run is labelled with its override, in summary.json and in its table's title.
    assert after["settings"] == ["actors.israel.strike_resolve=0.5"]
    assert after["label"] == "baseline [actors.israel.strike_resolve=0.5]"
    assert "baseline [actors.israel.strike_resolve=0.5]: 200 worlds" in proc.stdout
    assert before["label"] == "baseline" and before["settings"] == []
    assert "Step 1 at time" not in proc.stderr


def test_a_bad_set_path_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = negsim(
        "run", BASELINE, "--worlds", 50, "--seed", 1, "--out", out,
        "--set", "actors.isreal.strike_resolve=0.5",
    )  # fmt: skip
    assert proc.returncode == 2
    no_traceback(proc)
    assert "actors.isreal.strike_resolve" in proc.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("path", "meant"),
    [
        ("actors.us.strke_hazard", "actors.us.strike_hazard"),
        ("actors.uss.join_probability", "actors.us.join_probability"),
    ],
)
def test_a_set_typo_is_blamed_on_the_command_line_with_a_suggestion(
    path: str, meant: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["run", str(BASELINE), "--worlds", "10", "--seed", "1", "--set", f"{path}=0.1"])
    err = capsys.readouterr().err
    assert code == 2
    assert f"--set {path}: no such parameter; did you mean {meant}" in err
    assert "baseline.yaml" not in err


def test_a_joined_strike_is_not_a_us_strike(tmp_path: Path) -> None:
    base, joined = tmp_path / "base", tmp_path / "joined"
    for where, value in ((base, "0"), (joined, "1")):
        proc = negsim(
            "run", BASELINE, "--worlds", 300, "--seed", 5, "--out", where,
            "--set", f"actors.us.join_probability={value}",
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr
    worlds = {w: pd.read_parquet(w / "worlds.parquet") for w in (base, joined)}
    never, always = summary_of(base), summary_of(joined)
    # Who joins moves worlds between the two Israeli strikes and changes nothing else.
    assert never["outcomes"]["strike_joint"]["count"] == 0
    assert always["outcomes"]["strike_joint"]["count"] > 0
    # Joining is certain where Washington has backed Israel, and impossible where it has not.
    alone = worlds[joined]["outcome"] == "strike_israel"
    assert (worlds[joined].loc[alone, "backing_step"] < 0).all()
    assert never["totals"] == always["totals"]
    assert never["outcomes"]["strike_us"] == always["outcomes"]["strike_us"]
    a, b = worlds[base], worlds[joined]
    moved = a["outcome"] != b["outcome"]
    assert set(a.loc[moved, "outcome"]) <= {"strike_israel"}
    assert set(b.loc[moved, "outcome"]) <= {"strike_joint"}
    assert (b["joint"] == (b["outcome"] == "strike_joint")).all()
    assert a["step"].equals(b["step"])


def test_compare_labels_variants_counts_by_a_date_and_writes_the_runs(tmp_path: Path) -> None:
    out, table = tmp_path / "runs", tmp_path / "table.md"
    proc = negsim(
        "compare", BASELINE, "--worlds", 300, "--seed", 5, "--by", "2025-10-18",
        "--set", "actors.us.threat_credibility=0.5",
        "--variant", "actors.us.join_probability=1",
        "--variant", "actors.us.join_probability=0; protocol.breakdown_risk=0.01",
        "--out", out, "--markdown", table,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    labels = [
        "baseline [actors.us.threat_credibility=0.5]",
        "baseline [actors.us.threat_credibility=0.5, actors.us.join_probability=1]",
        "baseline [actors.us.threat_credibility=0.5, actors.us.join_probability=0, "
        "protocol.breakdown_risk=0.01]",
    ]
    rows = table.read_text(encoding="utf-8").splitlines()
    assert [r.split(" | ")[0].removeprefix("| ") for r in rows[2:]] == labels
    assert "outcomes by 2025-10-18 (step 27)" in proc.stdout
    assert "Israeli-initiated strikes" in rows[0] and "No outcome yet" in rows[0]
    folders = sorted(p.name for p in out.iterdir())
    assert len(folders) == 3
    summaries = [summary_of(out / f) for f in folders]
    assert sorted(s["label"] for s in summaries) == sorted(labels)
    full = summary_of(out / folders[0])
    by_horizon = pd.read_parquet(out / folders[0] / "worlds.parquet")
    assert (by_horizon["step"] > 27).any() and full["worlds"] == 300


def test_compare_by_needs_a_date(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["compare", str(BASELINE), "--by", "2025-13-01"])
    assert done.value.code == 2
    assert "not a date" in capsys.readouterr().err


def test_an_invalid_scenario_given_to_run_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "broken.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    fresh, existing = tmp_path / "fresh", tmp_path / "existing"
    existing.mkdir()
    for out in (fresh, existing):
        proc = negsim("run", bad, "--worlds", 50, "--seed", 1, "--out", out)
        assert proc.returncode == 2
        no_traceback(proc)
        assert f"{bad}:4: horizon" in proc.stderr
    assert not fresh.exists()
    assert list(existing.iterdir()) == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--set", "actors.israel.strike_resolve"], "PATH=VALUE"),
        (["--set", "actors.israel.strike_resolve=[0.5"], "actors.israel.strike_resolve"),
        (["--set", "actors.israel.strike_resolve=!!python/name:os.system"], "strike_resolve"),
        (["--set", "actors.israel.strike_resolve=high"], "actors.israel.strike_resolve"),
        (["--seed", "-1"], "--seed"),
        (["--worlds", "0"], "--worlds"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    out = tmp_path / "out"
    code = main(["run", str(BASELINE), "--worlds", "20", "--out", str(out), *args])
    assert code == 2
    err = capsys.readouterr().err
    assert fragment in err
    assert "Traceback" not in err
    assert not out.exists()


def test_out_that_is_a_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.write_text("keep me", encoding="utf-8")
    assert main(["run", str(BASELINE), "--worlds", "20", "--seed", "1", "--out", str(out)]) == 2
    assert "not a directory" in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"


MINIMAL = """\
name: mini
calendar:
  start: 2025-04-12
horizon: 10
issues:
  enrichment: {lo: 0, hi: 60, status_quo: 60}
actors:
  us: {role: principal, ratifier: us_president}
  us_president:
    role: faction
    principal: us
    ideal: {enrichment: 0}
    salience: {enrichment: 1}
  iran: {role: principal, ratifier: leader}
  leader:
    role: faction
    principal: iran
    ideal: {enrichment: 60}
    salience: {enrichment: 1}
"""


def test_run_when_every_world_has_the_same_outcome(tmp_path: Path) -> None:
    # Regression: the Wilson bound for count == n rounded below p = 1 and the plot crashed.
    scenario = tmp_path / "mini.yaml"
    scenario.write_text(MINIMAL, encoding="utf-8")
    out = tmp_path / "out"
    proc = negsim("run", scenario, "--worlds", 10, "--seed", 1, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert summary_of(out)["outcomes"]["no_resolution"]["count"] == 10


def test_scenario_reference_is_up_to_date() -> None:
    from sim.scenario.reference import scenario_reference_markdown

    committed = (ROOT / "docs" / "scenario.md").read_text(encoding="utf-8")
    assert committed == scenario_reference_markdown(), (
        "run: negsim schema --markdown docs/scenario.md"
    )


def test_explain_takes_set_and_labels_the_world(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", str(BASELINE), "--seed", "5", "--world", "0"]
    assert main([*args, "--set", "actors.us.join_probability=1"]) == 0
    assert capsys.readouterr().out.startswith(
        "World 0 of 'baseline [actors.us.join_probability=1]' (seed 5)"
    )
    assert main([*args, "--set", "actors.us.join_probabilty=1"]) == 2
    assert "--set actors.us.join_probabilty: no such parameter" in capsys.readouterr().err
