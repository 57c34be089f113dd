"""The reliability diagram of ``negsim score``: its points, and the warning on few questions."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from sim.analysis.plots.reliability import FEW_QUESTIONS, plot_reliability
from sim.runs.events import Answer
from sim.runs.scoring import score
from sim.scenario.questions import Question, QuestionsFile

BY = dt.date(2025, 6, 30)


def card(n: int) -> dict:
    """``n`` invented questions, forecasts spread over [0, 1], every third resolved true."""
    questions = QuestionsFile(
        questions={f"q{k}": Question(event="deal", by=BY, resolution=k % 3 == 0) for k in range(n)}
    )
    counts = np.linspace(0, 100, n).round().astype(int)
    found = {f"q{k}": Answer("deal", BY, 11, None, int(c), 100) for k, c in enumerate(counts)}
    return score(questions, found, "base-rates", "base-rates")


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


@pytest.mark.parametrize("n", [3, FEW_QUESTIONS - 1])
def test_few_questions_are_said_on_the_figure(n: int) -> None:
    fig = plot_reliability(card(n))
    assert any(f"only {n} question(s) scored" in t for t in texts(fig))


def test_enough_questions_carry_no_warning_and_a_point_per_non_empty_bin() -> None:
    c = card(FEW_QUESTIONS)
    fig = plot_reliability(c, "toy")
    assert not any("only" in t for t in texts(fig))
    labels = [t for t in texts(fig) if t.startswith("n=")]
    full = [b for b in c["reliability"] if b["count"]]
    assert labels == [f"n={b['count']}" for b in full]
    assert sum(b["count"] for b in full) == FEW_QUESTIONS
    assert fig.axes[0].get_title() == "toy"
