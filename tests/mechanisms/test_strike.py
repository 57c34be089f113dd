"""The preventive-strike rule (sim.mechanisms.strike): Powell (2006), known answers, properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.strike import (
    MAX_DISCOUNT,
    logit_choice,
    preventive_margin,
    target_win_probability,
    war_value,
)


def test_strike_rule_pieces() -> None:
    p = target_win_probability(np.array([0.0, 0.5, 1.0]), 0.1, 0.6, 2.0)
    assert p == pytest.approx([0.1, 0.225, 0.6])
    margin = preventive_margin(np.array([0.2]), np.array([0.3]), 0.9, 0.1, 0.1)
    # δ·M(t+1) − M(t) − (c_R + c_D) with M(t) = p_t/(1 − δ) − c_R
    expected = 0.9 * (0.3 / 0.1 - 0.1) - (0.2 / 0.1 - 0.1) - 0.2
    assert margin[0] == pytest.approx(expected)
    assert logit_choice(np.array([-1.0, 0.0, 1.0]), np.zeros(3)).tolist() == [0, 0, 1]
    assert logit_choice(np.array([0.0]), np.array([0.1]))[0] == pytest.approx(0.5)


def test_war_value_is_a_capped_perpetuity() -> None:
    assert war_value(np.array([0.5]), np.array([0.9]), np.array([0.2]))[0] == pytest.approx(4.8)
    capped = war_value(np.array([0.5]), np.array([1.0]), np.array([0.0]))[0]
    assert capped == pytest.approx(0.5 / (1 - MAX_DISCOUNT)) and np.isfinite(capped)


# --- properties of Powell's margin -----------------------------------------------------------
probabilities = st.floats(0.0, 1.0)
discounts = st.floats(0.5, 0.999)
costs = st.floats(0.0, 2.0)


def margin(p_now: float, p_next: float, delta: float, c_r: float, c_d: float) -> float:
    return float(
        preventive_margin(
            np.array([p_now]),
            np.array([p_next]),
            np.array([delta]),
            np.array([c_r]),
            np.array([c_d]),
        )[0]
    )


@given(probabilities, probabilities, discounts, costs, costs)
def test_property_the_margin_is_powells_closed_form(
    p_now: float, p_next: float, delta: float, c_r: float, c_d: float
) -> None:
    # δ·M(t+1) − M(t) − (c_R + c_D) = (δ·p_{t+1} − p_t)/(1 − δ) − δ·c_R − c_D.
    expected = (delta * p_next - p_now) / (1 - delta) - delta * c_r - c_d
    assert margin(p_now, p_next, delta, c_r, c_d) == pytest.approx(expected, rel=1e-9, abs=1e-9)


@given(probabilities, probabilities, discounts, costs, costs)
def test_property_no_preventive_war_without_a_shift_toward_the_target(
    p_now: float, p_next: float, delta: float, c_r: float, c_d: float
) -> None:
    # Powell (2006): the commitment problem needs the rising state's power to grow. If its
    # chance of prevailing does not rise, striking now never beats a deal.
    p_next = min(p_next, p_now)
    m = margin(p_now, p_next, delta, c_r, c_d)
    assert m <= 1e-12
    if c_r + c_d + p_now > 0:
        assert m < 0


@given(probabilities, probabilities, st.floats(0.0, 0.5), discounts, costs, costs)
def test_property_a_bigger_shift_and_cheaper_war_raise_the_margin(
    p_now: float, p_next: float, step: float, delta: float, c_r: float, c_d: float
) -> None:
    base = margin(p_now, p_next, delta, c_r, c_d)
    assert margin(p_now, p_next + step, delta, c_r, c_d) >= base - 1e-9  # target grows faster
    assert margin(p_now + step, p_next, delta, c_r, c_d) <= base + 1e-9  # already stronger
    assert margin(p_now, p_next, delta, c_r + step, c_d) <= base + 1e-9  # war costs the target
    assert margin(p_now, p_next, delta, c_r, c_d + step) <= base + 1e-9  # war costs the striker
    if step > 1e-3:
        assert margin(p_now, p_next + step, delta, c_r, c_d) > base
        assert margin(p_now, p_next, delta, c_r, c_d + step) < base


@given(probabilities, probabilities, discounts, costs, costs, st.integers(-4, 4))
def test_property_the_margin_has_no_units(
    p_now: float, p_next: float, delta: float, c_r: float, c_d: float, power: int
) -> None:
    # Utilities are defined up to scale: scaling every payoff scales the margin, keeps its sign.
    k = 2.0**power
    base = margin(p_now, p_next, delta, c_r, c_d)
    assert margin(k * p_now, k * p_next, delta, k * c_r, k * c_d) == pytest.approx(
        k * base, rel=1e-9, abs=1e-9
    )


@given(probabilities, probabilities, costs, costs)
def test_property_a_discount_of_one_stays_finite(
    p_now: float, p_next: float, c_r: float, c_d: float
) -> None:
    at_one = margin(p_now, p_next, 1.0, c_r, c_d)
    assert np.isfinite(at_one) and at_one == margin(p_now, p_next, MAX_DISCOUNT, c_r, c_d)


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 0.5), st.floats(0.1, 8.0))
def test_property_the_target_grows_stronger_with_progress(
    k1: float, k2: float, low: float, convexity: float
) -> None:
    high = low + 0.5
    lo_k, hi_k = sorted((k1, k2))
    p = target_win_probability(np.array([lo_k, hi_k, -1.0, 2.0]), low, high, convexity)
    assert low <= p[0] <= p[1] <= high
    assert p[2] == low and p[3] == high  # progress is clipped to [0, 1]


@given(st.floats(-10, 10), st.one_of(st.just(0.0), st.floats(1e-3, 5.0)))
def test_property_logit_choice_is_a_probability_symmetric_about_zero(m: float, tau: float) -> None:
    p = logit_choice(np.array([m, -m]), np.array([tau, tau]))
    assert np.all((p >= 0) & (p <= 1))
    if tau > 0:
        assert p[0] + p[1] == pytest.approx(1.0)
        assert p[0] >= p[1] if m >= 0 else p[0] <= p[1]
    else:
        assert p.tolist() == ([1.0, 0.0] if m > 0 else [0.0, 1.0] if m < 0 else [0.0, 0.0])
