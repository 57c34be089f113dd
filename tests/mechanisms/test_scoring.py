"""Scores of probability forecasts: known answers, and the properties a proper score must have."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.scoring import (
    LOG_CLIP,
    base_rate,
    brier_scores,
    log_scores,
    reliability,
    skill,
)

probability = st.floats(0.0, 1.0, allow_nan=False)
outcome = st.booleans()


def test_known_answers_of_a_forecast_of_0_8() -> None:
    y = np.array([1, 0])
    p = np.array([0.8, 0.8])
    assert brier_scores(y, p) == pytest.approx([0.04, 0.64])
    # negatively oriented: minus the log of the probability given to what happened
    assert log_scores(y, p) == pytest.approx([-math.log(0.8), -math.log(0.2)])
    assert log_scores(y, p)[0] == pytest.approx(0.22314355)


def test_a_certain_forecast_is_clipped_for_the_log_score_only() -> None:
    y = np.array([1, 0, 1, 0])
    p = np.array([0.0, 1.0, 1.0, 0.0])
    assert np.isfinite(log_scores(y, p)).all()
    assert log_scores(y, p) == pytest.approx(
        [-math.log(LOG_CLIP)] * 2 + [-math.log(1 - LOG_CLIP)] * 2
    )
    assert brier_scores(y, p) == pytest.approx([1, 1, 0, 0])


def test_skill_base_rate_and_their_edges() -> None:
    assert skill(0.05, 0.25) == pytest.approx(0.8)
    assert skill(0.25, 0.25) == 0.0
    assert skill(0.5, 0.25) == pytest.approx(-1.0)
    assert skill(0.1, 0.0) is None
    assert base_rate(np.array([1, 0, 0, 0])) == 0.25
    # the base rate's mean Brier score is ō(1 - ō), Murphy's uncertainty term
    y = np.array([1, 0, 0, 0])
    assert brier_scores(y, np.full(4, 0.25)).mean() == pytest.approx(0.25 * 0.75)


def test_mismatched_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="2 outcomes but 3 forecasts"):
        brier_scores(np.array([1, 0]), np.array([0.1, 0.2, 0.3]))


def test_reliability_bins_known_answer() -> None:
    y = np.array([0, 0, 1, 1, 1])
    p = np.array([0.05, 0.08, 0.75, 0.78, 1.0])
    bins = reliability(y, p)
    assert [b.count for b in bins] == [2, 0, 0, 0, 0, 0, 0, 2, 0, 1]
    assert bins[0].forecast == pytest.approx(0.065) and bins[0].observed == 0.0
    assert bins[7].observed == 1.0 and bins[9].lo == pytest.approx(0.9) and bins[9].hi == 1.0
    assert math.isnan(bins[1].forecast) and bins[1].ci95 == (0.0, 1.0)


@given(st.lists(st.tuples(outcome, probability), min_size=1, max_size=40))
def test_property_brier_in_0_1_log_nonnegative_and_bins_hold_every_question(
    pairs: list[tuple[bool, float]],
) -> None:
    y = np.array([a for a, _ in pairs], dtype=float)
    p = np.array([b for _, b in pairs])
    brier, log = brier_scores(y, p), log_scores(y, p)
    assert ((brier >= 0) & (brier <= 1)).all()
    assert ((log >= 0) & (log <= -math.log(LOG_CLIP) + 1e-12)).all()
    bins = reliability(y, p)
    assert sum(b.count for b in bins) == len(y)
    assert all(b.lo <= b.forecast <= b.hi for b in bins if b.count)


@given(st.lists(st.tuples(outcome, probability), min_size=1, max_size=40))
def test_property_the_perfect_forecast_scores_best(pairs: list[tuple[bool, float]]) -> None:
    y = np.array([a for a, _ in pairs], dtype=float)
    p = np.array([b for _, b in pairs])
    assert (brier_scores(y, y) == 0).all()
    assert (brier_scores(y, y) <= brier_scores(y, p)).all()
    assert (log_scores(y, y) <= log_scores(y, p) + 1e-12).all()


def expected(score, q: float, forecast: float) -> float:
    """The expected score of ``forecast`` when the event happens with probability ``q``."""
    f = np.array([forecast])
    return q * score(np.array([1.0]), f)[0] + (1 - q) * score(np.array([0.0]), f)[0]


@given(probability, probability)
def test_property_the_expected_score_is_least_for_the_true_probability(q: float, p: float) -> None:
    """Both scores are proper: forecasting q when the event has probability q is best."""
    assert expected(brier_scores, q, q) <= expected(brier_scores, q, p) + 1e-12
    # the log score's clip keeps it proper inside [clip, 1 - clip]
    qc, pc = (min(max(v, LOG_CLIP), 1 - LOG_CLIP) for v in (q, p))
    assert expected(log_scores, qc, qc) <= expected(log_scores, qc, pc) + 1e-12
