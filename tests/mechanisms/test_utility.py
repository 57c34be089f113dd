"""Utilities over packages (sim.mechanisms.utility): known answers and properties."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms.utility import IssueScale, normalise_weights, utility, value_scale


def test_utility_known_values() -> None:
    # u = 1 − Σ w_d (|x_d − ideal_d| / span_d)^ρ
    ideal, weights, span = np.array([[0.0, 0.0]]), np.array([[0.5, 0.5]]), np.array([10.0, 10.0])
    x = np.array([[5.0, 10.0]])
    assert utility(x, ideal, weights, span, np.array([2.0]))[0] == pytest.approx(0.375)
    assert utility(x, ideal, weights, span, np.array([1.0]))[0] == pytest.approx(0.25)
    assert utility(x, ideal, weights, span, np.array([1.5]))[0] == pytest.approx(
        1 - 0.5 * 0.5**1.5 - 0.5
    )
    many = utility(np.array([[[0.0, 0.0], [5.0, 10.0]]]), ideal, weights, span, np.array([2.0]))
    assert many.shape == (1, 2) and many[0] == pytest.approx([1.0, 0.375])


def test_normalise_weights_known_values() -> None:
    assert normalise_weights(np.array([[1.0, 3.0], [0.0, 0.0]])).tolist() == [
        [0.25, 0.75],
        [0.5, 0.5],
    ]


rhos = st.one_of(st.sampled_from([1.0, 1.5, 2.0]), st.floats(1.0, 16.0))


@st.composite
def actors(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """Worlds of one actor: packages and ideals in the box [0, 10]^D, weights, exponents."""
    n, d = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    box = st.floats(0.0, 10.0)
    x = draw(arrays(float, (n, d), elements=box))
    ideal = draw(arrays(float, (n, d), elements=box))
    weights = normalise_weights(draw(arrays(float, (n, d), elements=st.floats(0.0, 1.0))))
    rho = draw(arrays(float, n, elements=rhos))
    return x, ideal, weights, np.full(d, 10.0), rho


@settings(max_examples=100)
@given(actors())
def test_property_utility_is_one_at_the_ideal_and_in_the_unit_interval(
    actor: tuple[np.ndarray, ...],
) -> None:
    x, ideal, weights, span, rho = actor
    u = utility(x, ideal, weights, span, rho)
    assert u.shape == (x.shape[0],)
    assert np.all((u >= -1e-12) & (u <= 1 + 1e-12))
    assert np.allclose(utility(ideal, ideal, weights, span, rho), 1.0)


@settings(max_examples=100)
@given(actors(), st.floats(0.0, 1.0))
def test_property_utility_falls_moving_away_from_the_ideal(
    actor: tuple[np.ndarray, ...], share: float
) -> None:
    x, ideal, weights, span, rho = actor
    closer = ideal + share * (x - ideal)  # on the segment from the ideal to x
    assert np.all(
        utility(closer, ideal, weights, span, rho) >= utility(x, ideal, weights, span, rho) - 1e-12
    )


@settings(max_examples=100)
@given(actors())
def test_property_a_worlds_utility_does_not_depend_on_the_other_worlds(
    actor: tuple[np.ndarray, ...],
) -> None:
    # The fast exponents (1, 1.5, 2) take another route when every world shares them.
    x, ideal, weights, span, rho = actor
    together = utility(x, ideal, weights, span, rho)
    for m in range(x.shape[0]):
        w = slice(m, m + 1)
        alone = utility(x[w], ideal[w], weights[w], span, rho[w])[0]
        # To the last bit, see test_a_worlds_utility_is_bit_identical_alone_and_in_a_block.
        assert alone == pytest.approx(together[m], rel=1e-15, abs=1e-15)
    many = utility(np.stack([x, ideal], axis=1), ideal, weights, span, rho)
    assert many[:, 0] == pytest.approx(together, rel=1e-15, abs=1e-15)  # batched packages


@given(arrays(float, (3, 4), elements=st.floats(0.0, 10.0)))
def test_property_weights_sum_to_one(salience: np.ndarray) -> None:
    w = normalise_weights(salience)
    assert np.allclose(w.sum(axis=-1), 1.0) and np.all(w >= 0)


@pytest.mark.xfail(
    strict=True,
    reason="utility() sums the issue axis with a BLAS matrix-vector product (loss @ ones), whose "
    "summation order depends on the number of rows: a world's utility can differ in the last bit "
    "between its block and itself alone, against the no-dependence claim of _power and of "
    "sim.mechanisms.rng (found by the property test above; left for the model's owners)",
)
def test_a_worlds_utility_is_bit_identical_alone_and_in_a_block() -> None:
    x, span, rho = np.zeros((2, 4)), np.full(4, 10.0), np.ones(2)
    ideal = np.array([[9.0, 1.5, 1.5, 1.5], [1.5, 1.5, 1.5, 1.5]])
    weights = np.full((2, 4), 0.25)
    together = utility(x, ideal, weights, span, rho)
    alone = utility(x[:1], ideal[:1], weights[:1], span, rho[:1])
    assert alone[0] == together[0]


# --- value scales (issue levels) --------------------------------------------------------------
ENRICHMENT = np.array([0.0, 3.67, 20.0, 60.0])


def test_value_scale_known_values() -> None:
    # Knot j of m maps to j/m; linear between knots; held at 0 and 1 outside.
    x = np.array([0.0, 3.67, 20.0, 60.0, 1.835, 11.835, 40.0, -1.0, 70.0])
    third = 1 / 3
    expected = [0, third, 2 * third, 1, third / 2, 1.5 * third, 2.5 * third, 0, 1]
    assert value_scale(x, ENRICHMENT) == pytest.approx(expected)
    # Two knots: the linear scale (x − lo) / (hi − lo).
    assert value_scale(np.array([2.5]), np.array([0.0, 10.0]))[0] == pytest.approx(0.25)


def test_utility_measures_a_levelled_issue_on_its_value_scale() -> None:
    # Dismantling (0) against civilian enrichment (3.67) is a third of the enrichment scale,
    # not 3.67/60 of it: with one issue and ρ = 1 the utility falls by 1/3.
    scale = IssueScale(np.array([60.0]), ((0, ENRICHMENT),))
    ideal, weights, rho = np.array([[0.0]]), np.array([[1.0]]), np.array([1.0])
    assert utility(np.array([[3.67]]), ideal, weights, scale, rho)[0] == pytest.approx(2 / 3)
    assert utility(np.array([[3.67]]), ideal, weights, np.array([60.0]), rho)[0] == pytest.approx(
        1 - 3.67 / 60
    )
    # Iran's 60 against 20 (high enrichment) is also a third.
    ideal60 = np.array([[60.0]])
    assert utility(np.array([[20.0]]), ideal60, weights, scale, rho)[0] == pytest.approx(2 / 3)
    # An issue without knots keeps its linear scale beside a levelled one.
    both = IssueScale(np.array([60.0, 1.0]), ((0, ENRICHMENT),))
    u = utility(
        np.array([[[3.67, 0.5]]]), np.array([[0.0, 0.0]]), np.array([[0.5, 0.5]]), both, rho
    )
    assert u.shape == (1, 1) and u[0, 0] == pytest.approx(1 - 0.5 / 3 - 0.25)


@st.composite
def knots(draw: st.DrawFn) -> np.ndarray:
    """Strictly increasing knots with at least two points."""
    steps = draw(st.lists(st.floats(0.01, 50.0), min_size=1, max_size=6))
    start = draw(st.floats(-50.0, 50.0))
    return start + np.concatenate([[0.0], np.cumsum(steps)])


@settings(max_examples=100)
@given(knots(), st.lists(st.floats(0.0, 1.0), min_size=2, max_size=20))
def test_property_value_scale_is_monotone_with_equal_steps(k: np.ndarray, at: list[float]) -> None:
    # Knots map to equal steps of a scale of length 1 ...
    assert value_scale(k, k) == pytest.approx(np.linspace(0, 1, k.size), abs=1e-12)
    # ... and the scale never falls between them.
    x = np.sort(k[0] + np.array(at) * (k[-1] - k[0]))
    v = value_scale(x, k)
    assert np.all(np.diff(v) >= -1e-12) and np.all((v >= 0) & (v <= 1))
