"""``negsim condition``, then ``ask`` and ``plot`` on its output, as a user types them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.cli.errors import BAD_INPUT
from sim.cli.main import main
from tests.builders import BASELINE, ROOT

EXAMPLE = ROOT / "scenarios" / "observations" / "talks_rounds.yaml"
UNFORCED = "calendar.observed_until=null"  # so that the facts reject some worlds


@pytest.fixture(scope="module")
def conditioned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The example observations on the baseline without its observed history (300 worlds)."""
    out = tmp_path_factory.mktemp("condition") / "run"
    args = ["condition", str(BASELINE), str(EXAMPLE), "--worlds", "300", "--seed", "6"]
    assert main([*args, "--out", str(out), "--set", UNFORCED]) == 0
    return out, ""


def test_it_writes_the_weights_and_the_conditioning(conditioned: tuple[Path, str]) -> None:
    out, _ = conditioned
    worlds = pd.read_parquet(out / "worlds.parquet")
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    cond = summary["conditioning"]
    assert "weight" in worlds and not any(c.startswith("obs.") for c in worlds)
    assert cond["kept"] == int((worlds["weight"] > 0).sum()) < 300  # some worlds rejected
    assert cond["ess"] == pytest.approx(cond["kept"])  # hard facts only: weights 0 or 1
    kept = worlds[worlds["weight"] > 0]
    assert cond["posterior"]["outcomes"]["deal"]["p"] == pytest.approx(
        (kept["outcome"] == "deal").mean()
    )
    assert (out / "parameters.png").is_file()
    assert {p["parameter"] for p in cond["parameters"]} == {
        c.removeprefix("param.") for c in worlds if c.startswith("param.")
    }


def test_it_prints_the_ess_the_posterior_and_the_shifts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["condition", str(BASELINE), str(EXAMPLE), "--worlds", "50", "--seed", "2"]
    assert main([*args, "--out", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "effective sample size" in out
    assert "warning:" in out and "--worlds" in out  # 50 worlds: a small ESS, with advice
    assert "from 2025-05-11 on" in out
    assert "prior → posterior" in out


def test_ask_weighs_a_conditioned_run(
    conditioned: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = conditioned
    assert main(["ask", str(out), "--event", "deal", "--by", "2025-09-30", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    worlds = pd.read_parquet(out / "worlds.parquet")
    events = pd.read_parquet(out / "events.parquet")
    deal = set(events.loc[(events["event"] == "deal") & (events["step"] <= 24), "world"])
    kept = worlds.loc[worlds["weight"] > 0, "world"]
    assert answer["weighted"] is True
    assert answer["p"] == pytest.approx(kept.isin(deal).mean())
    assert answer["ess"] == pytest.approx(len(kept))
    assert main(["ask", str(out), "--event", "deal", "--by", "2025-09-30"]) == 0
    assert "effective sample size" in capsys.readouterr().out


def test_plot_draws_the_posterior(conditioned: tuple[Path, str], tmp_path: Path) -> None:
    out, _ = conditioned
    assert main(["plot", str(out), "--out", str(tmp_path / "fig")]) == 0
    assert (tmp_path / "fig" / "baseline_parameters.png").is_file()
    assert (tmp_path / "fig" / "baseline_timing.png").is_file()


def test_the_figures_draw_the_posterior_and_the_kept_worlds(
    conditioned: tuple[Path, str],
) -> None:
    from sim.runs.conditioning import weighted_view

    out, _ = conditioned
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    worlds = pd.read_parquet(out / "worlds.parquet")
    shown, drawn = weighted_view(summary, worlds)
    assert shown["outcomes"] == summary["conditioning"]["posterior"]["outcomes"]
    assert shown["outcomes"] != summary["outcomes"]
    assert "talks_rounds.yaml" in shown["label"]
    assert len(drawn) == (worlds["weight"] > 0).sum()
    assert set(drawn["world"]) == set(worlds.loc[worlds["weight"] > 0, "world"])


def test_bad_observations_exit_2_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obs = tmp_path / "obs.yaml"
    obs.write_text(
        "facts:\n  - {kind: event, event: peace, happened: by, date: 2025-06-01, assumption: x}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert main(["condition", str(BASELINE), str(obs), "--worlds", "10", "--out", str(out)]) == (
        BAD_INPUT
    )
    err = capsys.readouterr().err
    assert "invalid observations" in err
    assert f"{obs}:2: facts.0.event: 'peace' is not an event" in err
    assert not out.exists()


def test_score_answers_from_the_posterior(
    conditioned: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = conditioned
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "questions:\n"
        "  deal_by_september:\n"
        "    event: deal\n"
        "    by: 2025-09-30\n"
        "    resolution: true\n"
        "  strike_by_september:\n"
        "    event: strike\n"
        "    by: 2025-09-30\n"
        "    resolution: false\n",
        encoding="utf-8",
    )
    assert main(["score", str(out), str(questions), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    for row in card["questions"]:
        args = ["ask", str(out), "--event", row["question"].split("(")[1].split(" ")[0]]
        assert main([*args, "--by", "2025-09-30", "--json"]) == 0
        asked = json.loads(capsys.readouterr().out)
        assert row["weighted"] is True and row["p"] == pytest.approx(asked["p"])
        assert row["n"] == asked["n"] < 300  # the kept worlds only


def test_discover_searches_the_kept_worlds(
    conditioned: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = conditioned
    args = ["discover", str(out), "--event", "deal", "--by", "2025-09-30", "--json"]
    assert main([*args, "--out", str(tmp_path / "d")]) == 0
    found = json.loads(capsys.readouterr().out)
    worlds = pd.read_parquet(out / "worlds.parquet")
    kept = int((worlds["weight"] > 0).sum())
    assert kept < 300
    assert found["worlds"] == kept, found.keys()
