"""``negsim run`` then ``negsim ask``, as a user types them; and ``ask``'s bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.errors import BAD_INPUT
from sim.cli.main import main
from tests.builders import BASELINE

BY = "2025-12-31"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``negsim run baseline --worlds 300 --seed 6 --out DIR`` (once for the module)."""
    out = tmp_path_factory.mktemp("ask") / "run"
    args = ["run", str(BASELINE), "--worlds", "300", "--seed", "6", "--out", str(out)]
    assert main(args) == 0
    return out


def by_hand(run: Path, event: set[str], given: str | None) -> tuple[int, int]:
    """The answer counted with pandas from events.parquet: (worlds with E, worlds asked about)."""
    events = pd.read_parquet(run / "events.parquet")
    events["event"] = events["event"].astype(str)
    last = (pd.Timestamp(BY) - pd.Timestamp("2025-04-12")).days // 7
    events = events[events["step"] <= last]
    hits = events[events["event"].isin(event)]
    if given is None:
        return hits["world"].nunique(), 300
    first = events[events["event"] == given].groupby("world")["step"].min()
    hits = hits[hits["world"].isin(first.index)]
    after = hits[hits["step"].to_numpy() >= first.loc[hits["world"]].to_numpy()]
    return after["world"].nunique(), len(first)


def test_run_writes_the_events_and_their_figure(run_dir: Path) -> None:
    events = pd.read_parquet(run_dir / "events.parquet")
    assert list(events.columns) == ["world", "step", "date", "event", "actor", "details"]
    assert (events["event"] == "horizon").sum() == 300
    assert (run_dir / "events.png").read_bytes().startswith(b"\x89PNG")
    worlds = pd.read_parquet(run_dir / "worlds.parquet")
    assert set(worlds["state"].astype(str)) <= {
        "deal_in_force",
        "at_war",
        "ceasefire",
        "talks_ongoing",
        "talks_collapsed",
    }


def test_run_prints_both_views(run_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "run",
        str(BASELINE),
        "--worlds",
        "50",
        "--seed",
        "6",
        "--out",
        str(run_dir.parent / "b"),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Israeli strike alone" in out  # the first decisive event
    assert "State at the horizon" in out and "At war" in out and "Ceasefire without a deal" in out


@pytest.mark.parametrize(
    ("event", "members", "given"),
    [
        ("strike", {"strike_israel", "strike_joint", "strike_us"}, "collapse"),
        ("deal", {"deal"}, None),
        ("israeli_initiated", {"strike_israel", "strike_joint"}, "backing"),
        ("collapse", {"collapse"}, "bog_down"),
    ],
)
def test_ask_answers_with_the_counts_behind_it(
    run_dir: Path,
    capsys: pytest.CaptureFixture[str],
    event: str,
    members: set[str],
    given: str | None,
) -> None:
    args = ["ask", str(run_dir), "--event", event, "--by", BY]
    args += ["--given", given] if given else []
    assert main([*args, "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    k, n = by_hand(run_dir, members, given)
    assert (answer["count"], answer["n"]) == (k, n)
    assert n > 0 and answer["p"] == k / n
    assert answer["ci95"][0] <= answer["p"] <= answer["ci95"][1]
    assert main(args) == 0
    text = capsys.readouterr().out
    condition = f" | {given} by {BY}" if given else ""
    assert text.startswith(f"P({event} by {BY}{condition}) = {k / n:.3f} [95% CI ")
    assert re.search(rf"{k:,} of {n:,} worlds", text)


def test_the_answer_by_the_end_is_the_share_of_deals_in_force(
    run_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any deal by the horizon, the first decisive event or one after a war, is in force then."""
    assert main(["ask", str(run_dir), "--event", "deal", "--by", "2026-01-03", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert answer["count"] == summary["states"]["deal_in_force"]["count"]
    assert answer["count"] >= summary["outcomes"]["deal"]["count"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--event", "war"], "--event 'war' is not an event of this run; the events are: deal, "),
        (["--event", "deal", "--given", "Deal"], "--given 'Deal' is not an event"),
        (["--event", "deal", "--by", "2025-13-01"], "--by '2025-13-01' is not a date"),
        (["--event", "deal", "--by", "2024-01-01"], "outside the run's study period"),
        (["--event", "deal", "--by", "2026-02-01"], "2025-04-12 to 2026-01-03"),
    ],
)
def test_bad_names_and_dates_exit_2_naming_the_problem(
    run_dir: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    args = ["ask", str(run_dir), "--by", BY, *extra]
    assert main(args) == BAD_INPUT
    out, err = capsys.readouterr()
    assert out == "" and message in err and "Traceback" not in err
    if "not an event" in message:
        assert "shock:bandar_abbas" in err and "israeli_initiated" in err


def test_a_run_without_events_exits_2_naming_the_file(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "summary.json").write_bytes((run_dir / "summary.json").read_bytes())
    assert main(["ask", str(old), "--event", "deal", "--by", BY]) == BAD_INPUT
    err = capsys.readouterr().err
    assert f"{old / 'events.parquet'}: missing" in err and "Traceback" not in err


def test_a_directory_without_a_summary_exits_2(
    run_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "events.parquet").write_bytes((run_dir / "events.parquet").read_bytes())
    assert main(["ask", str(tmp_path), "--event", "deal", "--by", BY]) == BAD_INPUT
    assert "summary.json" in capsys.readouterr().err
