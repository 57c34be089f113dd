"""Seeds and random streams (sim.mechanisms.rng): known answers and properties."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.mechanisms.rng import WorldStreams, block_seed


def test_block_seed_is_the_spawned_child() -> None:
    child = np.random.SeedSequence(99).spawn(3)[2]
    assert np.array_equal(block_seed(99, 2).generate_state(4), child.generate_state(4))


def test_streams_do_not_depend_on_block_size() -> None:
    seed = block_seed(7, 3)
    big = WorldStreams(seed, np.arange(1000)).uniform("x", 5)
    small = WorldStreams(seed, np.array([17, 400])).uniform("x", 5)
    assert np.array_equal(big[[17, 400]], small)


def test_streams_are_uniform_and_independent() -> None:
    streams = WorldStreams(block_seed(1, 0), np.arange(20000))
    a, b, c = streams.uniform("a", 0), streams.uniform("b", 0), streams.uniform("a", 1)
    for u in (a, b, c):
        assert u.min() > 0 and u.max() < 1
        assert stats.kstest(u, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.03
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.03


def test_blocks_and_roots_give_different_streams() -> None:
    u = [
        WorldStreams(block_seed(r, b), np.arange(50)).uniform("s", 0)
        for r, b in [(1, 0), (1, 1), (2, 0)]
    ]
    assert not np.array_equal(u[0], u[1]) and not np.array_equal(u[0], u[2])


@settings(max_examples=50, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(0, 100),
    st.lists(st.integers(0, 10**6), min_size=1, max_size=20, unique=True),
    st.text(min_size=1, max_size=12),
    st.integers(0, 10**4),
)
def test_property_a_world_draws_the_same_numbers_in_any_company(
    root: int, block: int, worlds: list[int], stream: str, step: int
) -> None:
    seed = block_seed(root, block)
    together = WorldStreams(seed, np.array(worlds)).uniform(stream, step)
    alone = [WorldStreams(seed, np.array([w])).uniform(stream, step)[0] for w in worlds]
    assert together.tolist() == alone
    assert np.all((together > 0) & (together < 1))
    again = WorldStreams(block_seed(root, block), np.array(worlds)).uniform(stream, step)
    assert np.array_equal(together, again)  # same seed, same numbers


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 100), st.floats(0.0, 1.0))
def test_property_bernoulli_is_a_threshold_on_the_uniform(root: int, step: int, p: float) -> None:
    streams = WorldStreams(block_seed(root, 0), np.arange(64))
    hits = streams.bernoulli("b", step, p)
    assert np.array_equal(hits, streams.uniform("b", step) < p)
    if p == 0.0:
        assert not hits.any()
    if p == 1.0:
        assert hits.all()
