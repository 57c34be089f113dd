"""A run's forecasts of resolved questions, scored (``negsim score``; docs/forecasting.md).

Each question of a questions file (:mod:`sim.scenario.questions`) is answered from the run's
events exactly as ``negsim ask`` answers it (:func:`sim.runs.events.ask`); the answers are
scored against the resolutions with the Brier and log scores and compared with a reference
forecast (:mod:`sim.mechanisms.scoring`):

- ``base-rates``: the share of the scored questions that resolved true, the same for each
  (climatology: Murphy 1973; Wilks 2011, §8.4);
- ``uniform``: 0.5 for every question (a forecaster who knows nothing);
- another run: its answers to the same questions, read the same way.

A question no world of a run can answer (no world where ``given`` happened by the date) has
no forecast: it is listed, and left out of every score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.mechanisms import scoring
from sim.runs.events import Answer, ask
from sim.scenario.questions import QuestionsFile
from sim.scenario.schema import Scenario

REFERENCES = ("base-rates", "uniform")
"""The references ``--reference`` names; anything else is another run's directory."""


@dataclass(frozen=True)
class RunEvents:
    """What :func:`answers` needs of a run: its events table, scenario and number of worlds.

    ``weights`` are the worlds' weights of a conditioned run (``negsim condition``), else None.
    """

    events: pd.DataFrame
    spec: Scenario
    worlds: int
    weights: np.ndarray | None = None


@dataclass(frozen=True)
class WeightedAnswer:
    """A conditioned run's answer (:func:`sim.runs.conditioning.weighted_ask`), as an Answer.

    ``p`` is the weighted share, ``ci95`` Wilson's interval at the Kish ESS; ``count`` and ``n``
    count the worlds kept (weight above 0).
    """

    found: Mapping[str, Any]

    @property
    def p(self) -> float:
        """The weighted share."""
        return float(self.found["p"])

    @property
    def n(self) -> int:
        """The worlds asked about that the observations kept."""
        return int(self.found["n"])

    @property
    def count(self) -> int:
        """Those of them where the event happened."""
        return int(self.found["count"])

    def as_dict(self) -> dict[str, Any]:
        """The answer as JSON-ready values (``ess`` and ``weighted`` too)."""
        return dict(self.found)


def answers(run: RunEvents, questions: QuestionsFile) -> dict[str, Answer | WeightedAnswer]:
    """Each question's answer from the run, by id (``negsim ask``'s estimator, weighted or not)."""
    from sim.runs.conditioning import weighted_ask

    if run.weights is None:
        return {
            qid: ask(run.events, run.spec, run.worlds, q.event, q.by, q.given)
            for qid, q in questions.questions.items()
        }
    return {
        qid: WeightedAnswer(weighted_ask(run.events, run.spec, run.weights, q.event, q.by, q.given))
        for qid, q in questions.questions.items()
    }


def _forecasts(found: Mapping[str, Answer | WeightedAnswer], ids: Sequence[str]) -> np.ndarray:
    return np.array([found[q].p for q in ids], dtype=float)


def reference_forecasts(
    reference: str | Mapping[str, Answer | WeightedAnswer], outcomes: np.ndarray, ids: Sequence[str]
) -> np.ndarray:
    """The reference's forecast of each question ``ids`` names (:data:`REFERENCES` or a run's)."""
    if reference == "base-rates":
        return np.full(len(ids), scoring.base_rate(outcomes))
    if reference == "uniform":
        return np.full(len(ids), 0.5)
    if isinstance(reference, str):
        raise ValueError(f"no reference '{reference}': one of {REFERENCES} or a run's answers")
    return _forecasts(reference, ids)


def _scores(outcomes: np.ndarray, forecasts: np.ndarray) -> dict[str, np.ndarray]:
    return {
        "brier": scoring.brier_scores(outcomes, forecasts),
        "log": scoring.log_scores(outcomes, forecasts),
    }


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def score(
    questions: QuestionsFile,
    found: Mapping[str, Answer | WeightedAnswer],
    reference: str | Mapping[str, Answer | WeightedAnswer],
    reference_label: str,
) -> dict[str, Any]:
    """The scorecard as JSON-ready values: per question, overall, the reference, the bins.

    ``found`` and a run ``reference`` map question ids to answers (:func:`answers`). A question
    is scored when the run, and a reference run, each have a world to answer it from.
    """
    usable = [q for q, a in found.items() if a.n > 0]
    if not isinstance(reference, str):
        usable = [q for q in usable if reference[q].n > 0]
    y = np.array([questions.questions[q].resolution for q in usable], dtype=float)
    p = _forecasts(found, usable)
    r = reference_forecasts(reference, y, usable)
    own, ref = _scores(y, p), _scores(y, r)
    rows = {
        qid: _row(qid, questions, found, reference, qid in usable) for qid in questions.questions
    }
    for k, qid in enumerate(usable):
        rows[qid] |= {
            "reference_p": float(r[k]),
            "brier": float(own["brier"][k]),
            "log": float(own["log"][k]),
            "reference_brier": float(ref["brier"][k]),
            "reference_log": float(ref["log"][k]),
        }
    return {
        "questions": list(rows.values()),
        "scored": len(usable),
        "overall": _overall(own, ref),
        "reference": {"kind": _kind(reference), "label": reference_label},
        "log_clip": scoring.LOG_CLIP,
        "reliability": [_bin(b) for b in scoring.reliability(y, p)],
    }


def _kind(reference: str | Mapping[str, Answer | WeightedAnswer]) -> str:
    return reference if isinstance(reference, str) else "run"


def _row(
    qid: str,
    questions: QuestionsFile,
    found: Mapping[str, Answer | WeightedAnswer],
    reference: str | Mapping[str, Answer | WeightedAnswer],
    usable: bool,
) -> dict[str, Any]:
    """One question's answer, before its scores: what was asked, what happened, the counts."""
    q, a = questions.questions[qid], found[qid]
    row: dict[str, Any] = {
        "id": qid,
        "question": str(q),
        "resolution": q.resolution,
        "note": q.note,
        **{
            k: v
            for k, v in a.as_dict().items()
            if k in ("p", "ci95", "count", "n", "step", "ess", "weighted")
        },
        "scored": usable,
    }
    if not isinstance(reference, str):
        row["reference_count"], row["reference_n"] = reference[qid].count, reference[qid].n
    if not usable:
        row["why_not_scored"] = "no world of the run(s) where the given event happened by then"
    return row


def _overall(own: Mapping[str, np.ndarray], ref: Mapping[str, np.ndarray]) -> dict[str, Any]:
    """Mean scores of the run and the reference, and the skill of the run against it."""
    out: dict[str, Any] = {}
    for name in ("brier", "log"):
        mine, theirs = _mean(own[name]), _mean(ref[name])
        out[name] = mine
        out[f"reference_{name}"] = theirs
        out[f"{name}_skill"] = (
            scoring.skill(mine, theirs) if mine is not None and theirs is not None else None
        )
    return out


def _bin(b: scoring.Bin) -> dict[str, Any]:
    empty = b.count == 0
    return {
        "lo": b.lo,
        "hi": b.hi,
        "count": b.count,
        "forecast": None if empty else b.forecast,
        "observed": None if empty else b.observed,
        "ci95": list(b.ci95),
    }
