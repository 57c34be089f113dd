"""Weighted worlds: Kish's ESS, weighted shares and quantiles, systematic resampling."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms.stats import wilson_interval
from sim.mechanisms.weights import (
    kish_ess,
    systematic_resample,
    weighted_quantiles,
    weighted_share,
)

weights = arrays(float, st.integers(1, 60), elements=st.floats(0, 10, allow_subnormal=False))


def test_equal_weights_give_the_plain_estimates() -> None:
    hit = np.array([True, False, True, True, False])
    w = np.full(5, 0.25)
    assert kish_ess(w) == 5.0
    p, ci = weighted_share(hit, w)
    assert p == 0.6
    assert ci == wilson_interval(3, 5)


def test_one_world_carrying_all_the_weight_is_one_world() -> None:
    assert kish_ess(np.array([0.0, 5.0, 0.0])) == 1.0
    assert kish_ess(np.zeros(3)) == 0.0
    assert weighted_share(np.array([True, False]), np.zeros(2)) == (0.0, (0.0, 1.0))


@given(weights)
def test_the_ess_lies_between_0_and_the_worlds_with_weight(w: np.ndarray) -> None:
    ess = kish_ess(w)
    assert 0.0 <= ess <= np.count_nonzero(w) * (1 + 1e-9)


@given(arrays(float, st.integers(1, 50), elements=st.floats(-5, 5)), st.floats(0.01, 0.99))
def test_equal_weights_give_numpys_inverted_cdf_quantile(x: np.ndarray, q: float) -> None:
    got = weighted_quantiles(x, np.ones(len(x)), np.array([q]))[0]
    assert got == np.quantile(x, q, method="inverted_cdf")


def test_a_zero_weight_value_is_never_a_quantile() -> None:
    x, w = np.array([1.0, 100.0, 2.0]), np.array([1.0, 0.0, 1.0])
    assert weighted_quantiles(x, w, np.array([0.0, 0.5, 1.0])).tolist() == [1.0, 1.0, 2.0]


@given(weights.filter(lambda w: w.sum() > 0), st.integers(1, 200))
def test_systematic_resampling_keeps_each_world_in_proportion(w: np.ndarray, size: int) -> None:
    counts = np.bincount(systematic_resample(w, size), minlength=len(w))
    expected = size * w / w.sum()
    assert counts.sum() == size
    assert np.all(counts <= np.ceil(expected + 1e-9) + 1)
    assert np.all(counts >= np.floor(expected - 1e-9) - 1)
    assert np.all(counts[w == 0] == 0)
