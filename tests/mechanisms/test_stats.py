"""Interval estimates (sim.mechanisms.stats): known answers and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.stats import wilson_interval


def test_wilson_known_values() -> None:
    # Agresti and Coull (1998): 0 of 10 gives [0, 0.2775]; 5 of 10 gives [0.2366, 0.7634].
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


@given(st.integers(0, 500), st.integers(1, 500))
def test_property_wilson_contains_the_estimate(k: int, n: int) -> None:
    k = min(k, n)
    lo, hi = wilson_interval(k, n)
    assert 0 <= lo <= k / n <= hi <= 1


@given(st.integers(0, 500), st.integers(1, 500))
def test_property_wilson_is_symmetric_and_narrows_with_n(k: int, n: int) -> None:
    k = min(k, n)
    lo, hi = wilson_interval(k, n)
    mirror_lo, mirror_hi = wilson_interval(n - k, n)
    assert lo == pytest.approx(1 - mirror_hi, abs=1e-12)
    assert hi == pytest.approx(1 - mirror_lo, abs=1e-12)
    lo4, hi4 = wilson_interval(4 * k, 4 * n)  # the same proportion, four times the sample
    assert hi4 - lo4 < hi - lo
