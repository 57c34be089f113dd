"""The scorecard of a run's answers to resolved questions, on invented toy answers."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from sim.runs.events import Answer
from sim.runs.scoring import score
from sim.scenario.questions import Question, QuestionsFile

BY = dt.date(2025, 6, 30)


def toy(*resolutions: bool, given: str | None = None) -> QuestionsFile:
    questions = {
        f"q{k}": Question(event="deal", by=BY, given=given, resolution=r)
        for k, r in enumerate(resolutions)
    }
    return QuestionsFile(questions=questions)


def answers(*counts: tuple[int, int]) -> dict[str, Answer]:
    return {f"q{k}": Answer("deal", BY, 11, None, c, n) for k, (c, n) in enumerate(counts)}


def test_known_answers_against_the_base_rate() -> None:
    """Forecasts 0.8 (true) and 0.2 (false); the base rate is 1/2."""
    card = score(toy(True, False), answers((8, 10), (2, 10)), "base-rates", "base-rates")
    rows = {q["id"]: q for q in card["questions"]}
    assert rows["q0"]["brier"] == pytest.approx(0.04)
    assert rows["q0"]["log"] == pytest.approx(-math.log(0.8))
    assert rows["q1"]["brier"] == pytest.approx(0.04)
    assert rows["q0"]["reference_p"] == rows["q1"]["reference_p"] == 0.5
    o = card["overall"]
    assert o["brier"] == pytest.approx(0.04) and o["reference_brier"] == pytest.approx(0.25)
    assert o["brier_skill"] == pytest.approx(1 - 0.04 / 0.25)
    assert o["log_skill"] == pytest.approx(1 - math.log(0.8) / math.log(0.5))
    assert card["scored"] == 2 and sum(b["count"] for b in card["reliability"]) == 2


def test_uniform_reference_and_an_all_false_file() -> None:
    """All false: the base rate is 0, a perfect reference that leaves no skill to measure."""
    found = answers((1, 10), (3, 10))
    base = score(toy(False, False), found, "base-rates", "base-rates")["overall"]
    assert base["reference_brier"] == 0 and base["brier_skill"] is None
    uniform = score(toy(False, False), found, "uniform", "uniform")["overall"]
    assert uniform["reference_brier"] == pytest.approx(0.25)
    assert uniform["brier"] == pytest.approx((0.01 + 0.09) / 2)


def test_another_run_as_the_reference() -> None:
    card = score(toy(True, False), answers((8, 10), (2, 10)), answers((5, 10), (5, 10)), "r2")
    assert card["reference"] == {"kind": "run", "label": "r2"}
    assert card["overall"]["reference_brier"] == pytest.approx(0.25)
    assert card["questions"][0]["reference_count"] == 5


def test_a_question_no_world_can_answer_is_listed_not_scored() -> None:
    card = score(toy(True, False, True), answers((8, 10), (2, 10), (0, 0)), "uniform", "uniform")
    assert card["scored"] == 2
    third = card["questions"][2]
    assert third["scored"] is False and "brier" not in third and "why_not_scored" in third
    assert card["overall"]["brier"] == pytest.approx(0.04)
    # the base rate counts the scored questions only
    card = score(toy(True, False, True), answers((8, 10), (2, 10), (0, 0)), "base-rates", "b")
    assert card["questions"][0]["reference_p"] == 0.5


def test_a_file_where_nothing_can_be_scored_has_no_overall_scores() -> None:
    card = score(toy(True), answers((0, 0)), "base-rates", "base-rates")
    assert card["scored"] == 0 and card["overall"]["brier"] is None
    assert card["overall"]["brier_skill"] is None
