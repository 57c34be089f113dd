"""Deadlines that move: the choice at a passing deadline (docs/model.md §3.4.28)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.deadlines import (
    AT_KINDS,
    DECIDE,
    EXTEND,
    FINAL,
    PASS,
    WALKOUT,
    DeadlineChoice,
    closeness,
    deadline_choice,
    extended,
    extension_steps,
    fixed_choice,
    next_deadline,
)


def choice(gap: float, ratifiable: bool, p_e: float, p_w: float, k: float, r: float) -> np.ndarray:
    """The three probabilities of one world, as an array (extend, walk out, let pass)."""
    one = np.array
    out = deadline_choice(one([gap]), one([ratifiable]), one([p_e]), one([p_w]), one([k]), one([r]))
    return np.array([p[0] for p in out])


@pytest.mark.parametrize(
    ("gap", "ratifiable", "p_e", "p_w", "k", "r", "expected"),
    [
        (math.inf, False, 0.2, 0.1, 5.0, 5.0, (0.2, 0.1, 0.7)),  # far apart: as given
        (0.0, False, 0.2, 0.1, math.log(4), 0.0, (0.5, 0.0625, 0.4375)),  # 0.8 / 1.6
        (0.1, False, 0.2, 0.1, math.log(4), 0.0, (1 / 3, 1 / 12, 7 / 12)),  # closeness 1/2
        (math.inf, True, 0.2, 0.1, 0.0, math.log(2), (1 / 3, 1 / 12, 7 / 12)),  # ratifiable
        (0.0, True, 0.0, 0.0, 9.0, 9.0, (0.0, 0.0, 1.0)),  # the defaults let it pass
        (0.3, False, 0.7, 0.5, 1.0, 0.0, (7 / 12, 5 / 12, 0.0)),  # p_e + p_w > 1: renormalised
        (0.0, False, 0.0, 1.0, 3.0, 0.0, (0.0, 1.0, 0.0)),
    ],
)
def test_deadline_choice_known_answers(gap, ratifiable, p_e, p_w, k, r, expected):
    assert choice(gap, ratifiable, p_e, p_w, k, r) == pytest.approx(expected, abs=1e-12)


def test_closeness_is_one_at_no_gap_and_zero_from_the_scale():
    gap = np.array([0.0, 0.05, 0.2, 0.5, np.inf])
    assert closeness(gap).tolist() == pytest.approx([1.0, 0.75, 0.0, 0.0, 0.0])


probability = st.floats(0.0, 1.0)


@given(
    gaps=st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 1.0)),
    ratifiable=st.booleans(),
    p_e=probability,
    p_w=probability,
    k=st.floats(0.0, 10.0),
    r=st.floats(0.0, 10.0),
)
def test_extension_is_likelier_when_the_sides_are_closer(gaps, ratifiable, p_e, p_w, k, r):
    near, far = sorted(gaps)
    at_near = choice(near, ratifiable, p_e, p_w, k, r)
    at_far = choice(far, ratifiable, p_e, p_w, k, r)
    for probs in (at_near, at_far):
        assert probs.sum() == pytest.approx(1.0)
        assert np.all(probs >= 0)
    assert at_near[0] >= at_far[0] - 1e-12  # extension likelier the closer they are
    assert at_near[1] <= at_far[1] + 1e-12  # a walk-out and letting it pass less likely
    assert at_near[2] <= at_far[2] + 1e-12


def test_a_ratifiable_offer_makes_extension_likelier():
    plain, ratifiable = (choice(0.1, r, 0.2, 0.2, 1.0, 2.0)[0] for r in (False, True))
    assert ratifiable > plain


def test_draw_splits_the_unit_interval_in_order():
    split = DeadlineChoice(np.full(5, 0.2), np.full(5, 0.3), np.full(5, 0.5))
    u = np.array([0.0, 0.19, 0.2, 0.49, 0.5])
    assert split.draw(u).tolist() == [EXTEND, EXTEND, WALKOUT, WALKOUT, PASS]


def test_a_fixed_choice_overrides_the_logit_only_where_fixed():
    decided = DeadlineChoice(np.full(4, 0.2), np.full(4, 0.3), np.full(4, 0.5))
    kind = np.array([DECIDE, EXTEND, WALKOUT, PASS])
    fixed = fixed_choice(kind, decided)
    assert np.stack(fixed, axis=1).tolist() == [
        [0.2, 0.3, 0.5],
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
    ]
    assert AT_KINDS[DECIDE] == "decide"


@pytest.mark.parametrize(
    ("weeks", "step_days", "steps"), [(4, 7, 4), (1, 14, 1), (6, 14, 3), (0, 7, 1), (2.6, 7, 3)]
)
def test_extension_steps_round_to_whole_steps_of_at_least_one(weeks, step_days, steps):
    assert extension_steps(np.array([weeks]), step_days).tolist() == [steps]


def test_next_deadline_skips_dates_already_reached():
    listed = np.array([5.0, 10.0, 20.0])
    after = np.array([0, 5, 9, 10, 25])
    assert next_deadline(listed, after).tolist() == [0, 1, 1, 2, 3]


def test_an_extension_stops_at_the_next_listed_deadline_and_takes_its_kind():
    listed, kinds = np.array([4.0, 10.0]), np.array([EXTEND, FINAL], dtype=np.int8)
    step, kind = extended(4, np.array([3, 6, 8]), listed, kinds)
    assert step.tolist() == [7.0, 10.0, 10.0]
    assert kind.tolist() == [DECIDE, FINAL, FINAL]
    step, kind = extended(10, np.array([3]), listed, kinds)  # nothing listed later
    assert (step.tolist(), kind.tolist()) == ([13.0], [DECIDE])
