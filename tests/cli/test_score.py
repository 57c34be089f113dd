"""``negsim run`` then ``negsim score``, as a user types them, on invented toy resolutions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from sim.cli.errors import BAD_INPUT
from sim.cli.main import main
from tests.builders import BASELINE

# Invented resolutions: a toy timeline, not what happened.
QUESTIONS = """\
questions:
  deal_by_autumn:
    event: deal
    by: 2025-09-30
    resolution: true
  strike_by_autumn:
    event: strike
    by: 2025-09-30
    resolution: false
  strike_after_collapse:
    event: strike
    by: 2025-12-31
    given: collapse
    resolution: true
"""


def make_run(root: Path, name: str, seed: str) -> Path:
    out = root / name
    assert main(["run", str(BASELINE), "--worlds", "200", "--seed", seed, "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Two toy runs (seeds 6 and 7) and a questions file, made once for the module."""
    root = tmp_path_factory.mktemp("score")
    questions = root / "questions.yaml"
    questions.write_text(QUESTIONS, encoding="utf-8")
    return make_run(root, "run", "6"), make_run(root, "other", "7"), questions


def asked(run: Path, event: str, by: str, given: str | None, capsys) -> dict:
    args = ["ask", str(run), "--event", event, "--by", by, "--json"]
    assert main(args + (["--given", given] if given else [])) == 0
    return json.loads(capsys.readouterr().out)


def test_score_answers_as_ask_does_and_scores_by_hand(
    runs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run, _, questions = runs
    capsys.readouterr()
    out = tmp_path / "scored"
    assert main(["score", str(run), str(questions), "--json", "--out", str(out)]) == 0
    card = json.loads(capsys.readouterr().out)
    assert json.loads((out / "score.json").read_text(encoding="utf-8")) == card
    assert (out / "reliability.png").read_bytes().startswith(b"\x89PNG")
    assert (out / "reliability.svg").is_file()
    rows = {q["id"]: q for q in card["questions"]}
    spec = {
        "deal_by_autumn": ("deal", "2025-09-30", None, 1),
        "strike_by_autumn": ("strike", "2025-09-30", None, 0),
        "strike_after_collapse": ("strike", "2025-12-31", "collapse", 1),
    }
    briers = []
    for qid, (event, by, given, y) in spec.items():
        answer = asked(run, event, by, given, capsys)
        assert (rows[qid]["count"], rows[qid]["n"], rows[qid]["p"]) == (
            answer["count"],
            answer["n"],
            answer["p"],
        )
        assert rows[qid]["brier"] == pytest.approx((answer["p"] - y) ** 2)
        clipped = min(max(answer["p"], 0.001), 0.999)
        assert rows[qid]["log"] == pytest.approx(-math.log(clipped if y else 1 - clipped))
        briers.append((answer["p"] - y) ** 2)
    assert card["overall"]["brier"] == pytest.approx(sum(briers) / 3)
    assert card["reference"]["kind"] == "base-rates"
    assert all(q["reference_p"] == pytest.approx(2 / 3) for q in card["questions"])


def test_the_table_and_another_run_as_reference(
    runs: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    run, other, questions = runs
    assert main(["score", str(run), str(questions), "--reference", str(other)]) == 0
    text = capsys.readouterr().out
    assert "P(strike by 2025-12-31 | collapse)" in text and "deal_by_autumn" in text
    assert "3 question(s) scored: Brier" in text and f"reference: {other}" in text
    assert main(["score", str(run), str(questions), "--reference", str(other), "--json"]) == 0
    card = json.loads(capsys.readouterr().out)
    first = card["questions"][0]
    assert first["reference_p"] == asked(other, "deal", "2025-09-30", None, capsys)["p"]
    assert card["reference"]["kind"] == "run"
    assert main(["score", str(run), str(questions), "--reference", "uniform", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["overall"]["reference_brier"] == 0.25


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("event: deal", "event: war", "questions.deal_by_autumn.event: 'war' is not an event"),
        ("by: 2025-09-30", "by: 2027-01-01", "is outside the run"),
        ("resolution: false", "resolution: nope", "questions.strike_by_autumn.resolution"),
    ],
)
def test_a_bad_questions_file_exits_2_and_writes_nothing(
    runs: tuple[Path, Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    message: str,
) -> None:
    run, _, _ = runs
    bad = tmp_path / "bad.yaml"
    bad.write_text(QUESTIONS.replace(old, new, 1), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["score", str(run), str(bad), "--out", str(out)]) == BAD_INPUT
    stdout, err = capsys.readouterr()
    assert stdout == "" and "Traceback" not in err
    assert err.startswith("invalid questions file (1 problem(s)):")
    assert f"{bad}:" in err and message in err
    assert not out.exists()


def test_a_missing_reference_run_exits_2(
    runs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run, _, questions = runs
    missing = tmp_path / "nope"
    assert main(["score", str(run), str(questions), "--reference", str(missing)]) == BAD_INPUT
    err = capsys.readouterr().err
    assert f"--reference '{missing}' is neither base-rates nor uniform nor a run" in err
    (tmp_path / "empty").mkdir()
    assert main(["score", str(run), str(questions), "--reference", str(tmp_path / "empty")]) == 2
    assert f"{tmp_path / 'empty' / 'events.parquet'}: missing" in capsys.readouterr().err


def test_a_question_no_world_can_answer_is_shown_without_a_forecast(
    runs: tuple[Path, Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No world ends before the scenario's observed_until (11 May): none collapsed by 1 May."""
    run, _, _ = runs
    path = tmp_path / "q.yaml"
    text = QUESTIONS.replace(
        "by: 2025-12-31\n    given: collapse", "by: 2025-05-01\n    given: collapse"
    )
    path.write_text(text, encoding="utf-8")
    assert main(["score", str(run), str(path)]) == 0
    out = capsys.readouterr().out
    assert "no forecast" in out and "2 question(s) scored (1 without a forecast)" in out
