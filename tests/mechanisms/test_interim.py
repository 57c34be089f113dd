"""Interim deals' mathematics: the limited package, the freeze, the term, the renewal."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.interim import duration_steps, frozen_growth, limited_package, renewal
from sim.mechanisms.strike import CLOSENESS_SCALE, closeness


def test_a_limited_package_keeps_the_offer_on_covered_issues_only() -> None:
    offer = np.array([[3.67, 0.6, 0.4, 0.3], [20.0, 0.2, 0.0, 0.1]])
    status_quo = np.array([[60.0, 0.0, 0.0, 0.0], [60.0, 0.0, 0.0, 0.0]])
    covered = np.array([True, True, False, False])
    expected = np.array([[3.67, 0.6, 0.0, 0.0], [20.0, 0.2, 0.0, 0.0]])
    np.testing.assert_array_equal(limited_package(offer, status_quo, covered), expected)


def test_the_freeze_stops_growth_where_an_interim_is_in_force() -> None:
    growth = np.array([0.003, 0.004, 0.005])
    frozen = np.array([True, False, True])
    np.testing.assert_array_equal(frozen_growth(growth, frozen), [0.0, 0.004, 0.0])


def test_the_term_in_steps() -> None:
    assert duration_steps(26, 7) == 26  # the Joint Plan of Action's six months, weekly steps
    assert duration_steps(26, 14) == 13
    assert duration_steps(1, 30) == 1  # at least one step
    assert duration_steps(10, 3) == 23  # 70 days of 3-day steps: 23.3, rounded


def test_the_renewal_reads_closeness_as_the_lock_in_fear_does() -> None:
    base = np.full(5, 0.5)
    weight = np.full(5, 0.4)
    gap = np.array([0.0, 0.05, 0.1, CLOSENESS_SCALE, np.inf])
    r = renewal(base, weight, gap)
    np.testing.assert_allclose(r.closeness, [0.4, 0.3, 0.2, 0.0, 0.0])
    np.testing.assert_allclose(r.total(), [0.9, 0.8, 0.7, 0.5, 0.5])
    # clipped to a probability
    np.testing.assert_allclose(renewal(base, np.ones(5), gap).total(), [1.0, 1.0, 1.0, 0.5, 0.5])


@given(st.floats(0, 10, allow_nan=False), st.floats(0, 1), st.floats(0, 1))
def test_the_renewal_is_a_probability_falling_with_the_gap(
    gap: float, base: float, weight: float
) -> None:
    b, w = np.array([base, base]), np.array([weight, weight])
    p = renewal(b, w, np.array([gap, gap + 0.01])).total()
    assert np.all((p >= 0) & (p <= 1))
    assert p[0] >= p[1]
    assert p[1] >= min(base, 1.0) - 1e-12
    assert closeness(np.array([gap]))[0] == max(0.0, 1 - gap / CLOSENESS_SCALE)
