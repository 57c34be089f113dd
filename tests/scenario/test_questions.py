"""Questions files: validated at the edge, every problem named by file, field and line.

The example files of ``scenarios/questions/`` must be resolved inside the articles' window:
dates on or before the last round the articles report, each resolution quoted from them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.scenario.questions import Askable, QuestionsError, load_questions

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "scenarios" / "questions").glob("*.yaml"))
LAST_REPORTED = dt.date(2025, 5, 11)
"""The fifth round in Muscat, the last event the articles report (baseline's observed_until)."""
RUN = Askable(
    "the run toy", ("deal", "collapse", "strike"), dt.date(2025, 4, 12), dt.date(2026, 1, 3)
)

TOY = """\
description: invented questions
questions:
  one:
    event: deal
    by: 2025-06-30
    resolution: true
  two:
    event: strike
    by: 2025-09-30
    given: collapse
    resolution: false
    note: a toy
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, runs: tuple[Askable, ...] = (RUN,)) -> list[str]:
    with pytest.raises(QuestionsError) as caught:
        load_questions(path, runs)
    assert caught.value.label == "invalid questions file"
    return [str(p) for p in caught.value.problems]


def test_a_toy_file_loads_into_frozen_models(tmp_path: Path) -> None:
    q = load_questions(write(tmp_path, TOY), (RUN,))
    assert list(q.questions) == ["one", "two"]
    assert str(q.questions["two"]) == "P(strike by 2025-09-30 | collapse)"
    assert q.questions["one"].resolution is True and q.questions["two"].given == "collapse"
    with pytest.raises(ValueError, match="frozen"):
        q.questions["one"].resolution = False  # type: ignore[misc]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "resolution: true",
            "resolution: 1",
            ":6: questions.one.resolution: Input should be a valid boolean",
        ),
        ("resolution: true", "resolution: maybe", ":6: questions.one.resolution"),
        ("    resolution: true\n", "", "questions.one.resolution: Field required"),
        ("by: 2025-06-30", "by: 2025-02-30", ":5: (top level): YAML error: cannot read the value"),
        ("note: a toy", "notes: a toy", ":12: questions.two.notes: unknown field"),
        ("  two:", "  Two:", "questions.Two: String should match pattern"),
        ("  two:", "  one:", "duplicate key 'one'"),
        (
            "event: deal",
            "event: war",
            ":4: questions.one.event: 'war' is not an event of the run toy",
        ),
        (
            "given: collapse",
            "given: Collapse",
            ":10: questions.two.given: 'Collapse' is not an event",
        ),
        ("by: 2025-09-30", "by: 2026-02-01", "2026-02-01 is outside the run toy's study period"),
    ],
)
def test_bad_files_name_the_file_the_field_and_the_line(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in TOY
    path = write(tmp_path, TOY.replace(old, new, 1))
    found = problems(path)
    assert any(p.startswith(str(path)) and expected in p for p in found), found


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = TOY.replace("event: deal", "event: war").replace("by: 2025-09-30", "by: 2024-01-01")
    assert len(problems(write(tmp_path, text))) == 2


def test_a_quote_not_in_the_seeds_is_refused(tmp_path: Path) -> None:
    text = TOY.replace(
        "    note: a toy\n",
        "    evidence:\n      - seed: 002_421a9f04ec3a186c.txt\n"
        "        quote: the talks ended in a deal\n        reading: invented\n",
    )
    (found,) = problems(write(tmp_path, text))
    assert "questions.two.evidence.0.quote: quote not found verbatim" in found


def test_a_directory_is_not_a_questions_file(tmp_path: Path) -> None:
    (found,) = problems(tmp_path)
    assert found == f"{tmp_path}: (top level): is a directory, not a questions file"


@pytest.mark.parametrize("text", ["", "questions: {}\n", "- a list\n"])
def test_empty_files_are_refused(tmp_path: Path, text: str) -> None:
    assert problems(write(tmp_path, text))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_examples_are_resolved_by_the_articles_alone(path: Path) -> None:
    """No date after the articles' last reported round; every resolution quoted from them."""
    questions = load_questions(path)  # the quotes are checked verbatim against the seeds
    for qid, q in questions.questions.items():
        assert q.by <= LAST_REPORTED, qid
        assert q.evidence, f"{qid}: a resolution without a quote"
        assert {e.seed for e in q.evidence} <= {p.name for p in (ROOT / "seeds").glob("*.txt")}


def test_there_is_an_example() -> None:
    assert EXAMPLES
