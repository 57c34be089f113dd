"""The contiguous broadcasts give exactly NumPy's broadcast values."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms.arrays import (
    any_last,
    repeat_last,
    repeat_rows,
    sum_last,
    tile_last,
    where_rows,
)

floats = st.floats(-1e6, 1e6, allow_nan=False)
sizes = st.integers(0, 6)


@given(st.data(), sizes, st.integers(1, 5))
def test_repeat_last_is_the_broadcast_along_a_new_last_axis(data, n, k):
    a = data.draw(arrays(np.float64, (n, 3), elements=floats))
    b = data.draw(arrays(np.float64, (n, 3, k), elements=floats))
    fast = repeat_last(a, k)
    assert fast.flags.c_contiguous
    np.testing.assert_array_equal(fast * b, a[..., None] * b)


@given(st.data(), sizes, st.integers(1, 4))
def test_repeat_rows_is_the_broadcast_along_a_new_second_axis(data, n, k):
    a = data.draw(arrays(np.float64, (n, 4), elements=floats))
    b = data.draw(arrays(np.float64, (n, k, 4), elements=floats))
    np.testing.assert_array_equal(b - repeat_rows(a, k), b - a[:, None])


@given(st.data(), st.lists(st.integers(0, 4), max_size=2))
def test_tile_last_is_the_broadcast_of_a_vector(data, lead):
    a = data.draw(arrays(np.float64, (4,), elements=st.floats(0.5, 10)))
    b = data.draw(arrays(np.float64, (*lead, 4), elements=floats))
    np.testing.assert_array_equal(b / tile_last(a, b.shape), b / a)


@given(st.data(), sizes, st.lists(st.integers(1, 3), min_size=1, max_size=2))
def test_where_rows_picks_whole_rows(data, n, rest):
    mask = data.draw(arrays(np.bool_, (n,)))
    a, b = (data.draw(arrays(np.float64, (n, *rest), elements=floats)) for _ in range(2))
    expected = np.where(mask.reshape(n, *[1] * len(rest)), a, b)
    np.testing.assert_array_equal(where_rows(mask, a, b), expected)
    mixed = where_rows(mask, a.astype(np.float32), b)
    assert mixed.dtype == np.float64
    np.testing.assert_array_equal(
        mixed, np.where(mask.reshape(n, *[1] * len(rest)), a.astype(np.float32), b)
    )


@given(st.data(), st.lists(st.integers(0, 4), max_size=2), st.integers(1, 5))
def test_any_last_is_any_along_the_last_axis(data, lead, d):
    b = data.draw(arrays(np.bool_, (*lead, d)))
    np.testing.assert_array_equal(any_last(b), b.any(axis=-1))


@given(st.data(), st.lists(st.integers(0, 4), max_size=2), st.integers(1, 10))
def test_sum_last_is_numpys_sum_bit_for_bit(data, lead, d):
    values = st.one_of(st.floats(-1e300, 1e300), st.sampled_from([0.0, -0.0, 1e-320, -1e-320]))
    a = data.draw(arrays(np.float64, (*lead, d), elements=values))
    assert sum_last(a).tobytes() == a.sum(axis=-1).tobytes()
