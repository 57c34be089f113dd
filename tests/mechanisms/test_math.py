"""Unit tests of the pure functions: streams, draws, intervals, solvers, curves, rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.mechanisms.bargaining import Path, Side, aspiration, bisect, maximise
from sim.mechanisms.ratification import ratify, red_line_crossed
from sim.mechanisms.rng import WorldStreams, block_seed
from sim.mechanisms.stats import wilson_interval
from sim.mechanisms.strike import logit_choice, preventive_margin, target_win_probability
from sim.scenario.draws import inverse_cdf
from sim.scenario.params import Beta, Fixed, Triangular, TruncNormal, Uniform


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


def test_block_seed_is_the_spawned_child() -> None:
    child = np.random.SeedSequence(99).spawn(3)[2]
    assert np.array_equal(block_seed(99, 2).generate_state(4), child.generate_state(4))


@pytest.mark.parametrize(
    ("spec", "reference"),
    [
        (Uniform(dist="uniform", low=2, high=5), stats.uniform(2, 3)),
        (Triangular(dist="triangular", low=0, mode=1, high=4), stats.triang(0.25, 0, 4)),
        (
            TruncNormal(dist="truncnormal", mean=0.0, sd=1.0, low=-1.0, high=2.0),
            stats.truncnorm(-1, 2),
        ),
        (Beta(dist="beta", a=0.6, b=0.3, low=0, high=3.67), stats.beta(0.6, 0.3, 0, 3.67)),
    ],
)
def test_inverse_cdf_matches_scipy(spec, reference) -> None:  # type: ignore[no-untyped-def]
    u = WorldStreams(block_seed(0, 0), np.arange(20000)).uniform("draw", 0)
    values = inverse_cdf(spec, u)
    lo, hi = spec.bounds()
    assert values.min() >= lo and values.max() <= hi
    assert stats.kstest(values, reference.cdf).pvalue > 1e-3


def test_fixed_draw_is_constant() -> None:
    assert np.all(inverse_cdf(Fixed(value=0.3), np.array([0.1, 0.9])) == 0.3)


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


@given(st.one_of(st.just(0.0), st.floats(1e-9, 1.0)), st.floats(0.0, 1.0))
def test_property_bisect_finds_monotone_roots(root: float, power: float) -> None:
    exponent = 0.5 + 3 * power

    def curve(lam: np.ndarray) -> np.ndarray:
        return lam**exponent - root**exponent

    rising = bisect(lambda i: curve, decreasing=False, n=1)
    falling = bisect(lambda i: lambda lam: root - lam, decreasing=True, n=1)
    # The contract: the root to 1e-10 in λ, or to 1e-13 in value where the function is flat.
    assert rising[0] == pytest.approx(root, abs=1e-8) or abs(curve(rising)[0]) <= 1e-13
    assert falling[0] == pytest.approx(root, abs=1e-8)


def test_bisect_out_of_reach() -> None:
    assert bisect(lambda i: lambda lam: lam - 2, decreasing=False, n=1)[0] == 1.0
    assert bisect(lambda i: lambda lam: lam + 2, decreasing=False, n=1)[0] == 0.0
    assert bisect(lambda i: lambda lam: -lam - 2, decreasing=True, n=1)[0] == 0.0


def test_maximise_finds_interior_and_corner_maxima() -> None:
    x = maximise(lambda lam: -((lam - np.array([0.2, 0.9, 1.7])) ** 2), 3)
    assert x == pytest.approx([0.2, 0.9, 1.0], abs=1e-6)


def test_aspiration_curve() -> None:
    r, beta, deadline = np.array([0.2]), np.array([1.0]), np.array([10.0])
    assert aspiration(0, deadline, r, beta)[0] == pytest.approx(1.0)
    assert aspiration(5, deadline, r, beta)[0] == pytest.approx(0.6)  # linear for beta = 1
    assert aspiration(10, deadline, r, beta)[0] == pytest.approx(0.2)
    assert aspiration(20, deadline, r, beta)[0] == pytest.approx(0.2)
    boulware = aspiration(5, deadline, r, np.array([0.5]))[0]
    conceder = aspiration(5, deadline, r, np.array([2.0]))[0]
    assert boulware > 0.6 > conceder


def side(stance: list[float], weights: list[float], rho: float = 1.0) -> Side:
    one = np.ones(1)
    return Side(
        stance=np.array([stance]),
        weights=np.array([weights]),
        rho=rho * one,
        reservation=0 * one,
        public_reservation=0 * one,
        belief_halfwidth=0 * one,
        discount=one,
        breakdown=0 * one,
        clout=one,
    )


def test_path_runs_from_responder_to_proposer_monotonically() -> None:
    path = Path(side([1.0, 0.0], [0.7, 0.3]), side([0.0, 1.0], [0.2, 0.8]), np.ones(2))
    lams = np.linspace(0, 1, 11)
    xs = np.stack([path.package(np.array([lam]))[0] for lam in lams])
    assert np.allclose(xs[0], [0.0, 1.0]) and np.allclose(xs[-1], [1.0, 0.0])
    up = [path.u_proposer(x[None])[0] for x in xs]
    down = [path.u_responder(x[None])[0] for x in xs]
    assert np.all(np.diff(up) >= -1e-12) and np.all(np.diff(down) <= 1e-12)


def test_ratify_quota_red_lines_and_override() -> None:
    u = np.array([[0.8], [0.3], [0.6]])
    nd = np.array([[0.5], [0.5], [0.5]])
    clout = np.array([[0.5], [0.3], [0.2]])
    crossed = np.array([[False], [True], [False]])
    quota = np.array([0.6])
    # 0.7 of clout (factions 0 and 2) backs the package; faction 1's red line is crossed.
    ok, veto = ratify(u, nd, clout, 0, quota, crossed, np.array([0.75]))
    assert not ok[0] and veto[0]  # the backing is too narrow to override the veto
    ok, veto = ratify(u, nd, clout, 0, quota, crossed, np.array([0.65]))
    assert ok[0] and not veto[0]  # a broad enough coalition overrides it
    assert not ratify(u, nd, clout, 0, np.array([0.8]), crossed, np.array([0.5]))[0][0]  # quota
    # The ratifier's own red line holds whatever the backing.
    own = np.array([[True], [False], [False]])
    assert ratify(u, nd, clout, 0, quota, own, np.array([0.0]))[1][0]
    # A ratifier who prefers no deal ratifies nothing.
    assert not ratify(np.array([[0.4], [0.9], [0.9]]), nd, clout, 0, quota, ~crossed, quota)[0][0]


def test_red_line_crossing() -> None:
    lower = np.array([[1.0, -np.inf]])
    upper = np.array([[np.inf, 0.1]])
    x = np.array([[0.5, 0.0], [2.0, 0.0], [2.0, 0.2]])
    assert red_line_crossed(x, lower, upper).tolist() == [[True, False, True]]


def test_strike_rule_pieces() -> None:
    p = target_win_probability(np.array([0.0, 0.5, 1.0]), 0.1, 0.6, 2.0)
    assert p == pytest.approx([0.1, 0.225, 0.6])
    margin = preventive_margin(np.array([0.2]), np.array([0.3]), 0.9, 0.1, 0.1)
    # δ·M(t+1) − M(t) − (c_R + c_D) with M(t) = p_t/(1 − δ) − c_R
    expected = 0.9 * (0.3 / 0.1 - 0.1) - (0.2 / 0.1 - 0.1) - 0.2
    assert margin[0] == pytest.approx(expected)
    assert logit_choice(np.array([-1.0, 0.0, 1.0]), np.zeros(3)).tolist() == [0, 0, 1]
    assert logit_choice(np.array([0.0]), np.array([0.1]))[0] == pytest.approx(0.5)


def test_red_line_bounds_are_drawn_per_world() -> None:
    """A red line's bound is a parameter like any other: each world draws its own."""
    from tests.builders import model_of, pie_scenario

    bound = {"dist": "uniform", "low": 0.2, "high": 0.8}
    raw = pie_scenario(
        rule="aspiration", us_faction={"red_lines": [{"issue": "pie", "max": bound}]}
    )
    model = model_of(raw, worlds=500, seed=3)
    drawn = model.params["actors.us_lead.red_lines.0.max"]
    assert drawn.min() >= 0.2 and drawn.max() <= 0.8 and np.unique(drawn).size == 500
    index = np.arange(500)
    ratified, vetoed = model.us.ratify(np.full((500, 1), 0.5), index)
    assert vetoed.tolist() == (drawn < 0.5).tolist()  # the ratifier's own red line always holds
    assert ratified.tolist() == (drawn >= 0.5).tolist()
    _, hi = model.us.own_bounds()
    assert hi[:, 0].tolist() == drawn.tolist()  # the US never proposes beyond its bound
