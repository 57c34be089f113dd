"""Bargaining mathematics (sim.mechanisms.bargaining): the path, solvers, aspiration, objectives."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.mechanisms.bargaining import (
    RED_LINE_PENALTY,
    Path,
    Side,
    aspiration,
    bisect,
    maximise,
    nash_objective,
    red_line_utility,
    screening_objective,
)


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


# --- the compromise path ---------------------------------------------------------------------
def test_path_runs_from_responder_to_proposer_monotonically() -> None:
    path = Path(side([1.0, 0.0], [0.7, 0.3]), side([0.0, 1.0], [0.2, 0.8]), np.ones(2))
    lams = np.linspace(0, 1, 11)
    xs = np.stack([path.package(np.array([lam]))[0] for lam in lams])
    assert np.allclose(xs[0], [0.0, 1.0]) and np.allclose(xs[-1], [1.0, 0.0])
    up = [path.u_proposer(x[None])[0] for x in xs]
    down = [path.u_responder(x[None])[0] for x in xs]
    assert np.all(np.diff(up) >= -1e-12) and np.all(np.diff(down) <= 1e-12)


# --- solvers ---------------------------------------------------------------------------------
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


@given(st.lists(st.floats(-0.5, 1.5), min_size=1, max_size=6))
def test_property_maximise_finds_the_peak_of_a_concave_curve(peaks: list[float]) -> None:
    centre = np.array(peaks)
    x = maximise(lambda lam: -(np.abs(lam - centre) ** 1.5), centre.size)
    assert x == pytest.approx(np.clip(centre, 0.0, 1.0), abs=1e-6)


# --- aspiration (Faratin, Sierra and Jennings 1998) ------------------------------------------
def test_aspiration_curve() -> None:
    r, beta, deadline = np.array([0.2]), np.array([1.0]), np.array([10.0])
    assert aspiration(0, deadline, r, beta)[0] == pytest.approx(1.0)
    assert aspiration(5, deadline, r, beta)[0] == pytest.approx(0.6)  # linear for beta = 1
    assert aspiration(10, deadline, r, beta)[0] == pytest.approx(0.2)
    assert aspiration(20, deadline, r, beta)[0] == pytest.approx(0.2)
    boulware = aspiration(5, deadline, r, np.array([0.5]))[0]
    conceder = aspiration(5, deadline, r, np.array([2.0]))[0]
    assert boulware > 0.6 > conceder
    # beta = 1/2: 1 − (1/2)^2 of the way from r to 1, beta = 2: 1 − (1/2)^(1/2).
    assert boulware == pytest.approx(0.2 + 0.8 * 0.75)
    assert conceder == pytest.approx(0.2 + 0.8 * (1 - np.sqrt(0.5)))


def test_aspiration_without_deadline_halves_the_gap_every_half_life() -> None:
    r, beta, never = np.array([0.2]), np.array([1.0]), np.array([np.inf])
    half = np.array([8.0])
    assert aspiration(0, never, r, beta, half)[0] == pytest.approx(1.0)
    assert aspiration(8, never, r, beta, half)[0] == pytest.approx(0.2 + 0.8 / 2)
    assert aspiration(16, never, r, beta, half)[0] == pytest.approx(0.2 + 0.8 / 4)
    # Sides with and without a deadline in one call: each keeps its own form.
    both = aspiration(5, np.array([10.0, np.inf]), np.array([0.2, 0.2]), beta, half)
    assert both == pytest.approx([0.6, 0.2 + 0.8 * 2 ** (-5 / 8)])


@given(
    st.floats(0.0, 1.0),
    st.floats(0.5, 200.0),
    st.floats(0.0, 300.0),
    st.floats(0.0, 300.0),
    st.floats(0.05, 20.0),
)
@settings(max_examples=60, deadline=None)
def test_aspiration_without_deadline_is_monotone_and_bounded(
    r: float, half: float, t1: float, t2: float, beta: float
) -> None:
    """It falls with time, stays within [r, 1] and the exponent β does not enter."""
    never, res = np.array([np.inf]), np.array([r])
    early, late = sorted((t1, t2))
    a_early = aspiration(early, never, res, np.array([beta]), np.array([half]))[0]
    a_late = aspiration(late, never, res, np.array([1.0]), np.array([half]))[0]
    assert r - 1e-12 <= a_late <= a_early + 1e-12 <= 1.0 + 1e-12


reservations = st.floats(-1.0, 2.0)
betas = st.floats(0.05, 20.0)
deadlines = st.floats(1.0, 100.0)
steps = st.floats(0.0, 150.0)


@given(steps, deadlines, reservations, betas)
def test_property_aspiration_lies_between_the_reservation_and_one(
    t: float, deadline: float, r: float, beta: float
) -> None:
    a = aspiration(t, np.array([deadline]), np.array([r]), np.array([beta]))[0]
    floor = min(max(r, 0.0), 1.0)  # a reservation value outside [0, 1] is clipped to it
    assert floor - 1e-12 <= a <= 1.0 + 1e-12
    assert aspiration(0, np.array([deadline]), np.array([r]), np.array([beta]))[0] == 1.0
    if t >= deadline:  # past the deadline: the reservation value, and no further
        assert a == pytest.approx(floor, abs=1e-12)


@given(steps, steps, deadlines, reservations, betas)
def test_property_aspiration_never_rises_with_time(
    t1: float, t2: float, deadline: float, r: float, beta: float
) -> None:
    early, late = sorted((t1, t2))
    args = (np.array([deadline]), np.array([r]), np.array([beta]))
    assert aspiration(late, *args)[0] <= aspiration(early, *args)[0] + 1e-12


@given(st.floats(0.01, 0.99), reservations, betas, betas)
def test_property_a_larger_beta_concedes_sooner(
    frac: float, r: float, beta1: float, beta2: float
) -> None:
    # Boulware (β < 1) holds firm, Conceder (β > 1) gives way early: a(t) falls as β rises.
    low, high = sorted((beta1, beta2))
    args = (np.array([10.0]), np.array([r]))
    firm = aspiration(10 * frac, *args, np.array([low]))[0]
    soft = aspiration(10 * frac, *args, np.array([high]))[0]
    assert soft <= firm + 1e-12
    floor = min(max(r, 0.0), 1.0)
    if high > low * 1.01 and floor + 1e-3 < firm < 1 - 1e-3:  # strictly, where it shows
        assert soft < firm


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(0.0, 1.0), betas)
def test_property_aspiration_rises_with_the_reservation_value(
    frac: float, r1: float, r2: float, beta: float
) -> None:
    low, high = sorted((r1, r2))
    args = (np.array([10.0]),)
    assert (
        aspiration(10 * frac, *args, np.array([low]), np.array([beta]))[0]
        <= aspiration(10 * frac, *args, np.array([high]), np.array([beta]))[0] + 1e-12
    )


@settings(max_examples=50)
@given(
    st.lists(st.tuples(deadlines, reservations, betas), min_size=1, max_size=8),
    steps,
)
def test_property_aspiration_of_each_world_is_its_own(
    worlds: list[tuple[float, float, float]], t: float
) -> None:
    deadline, r, beta = (np.array(column) for column in zip(*worlds, strict=True))
    together = aspiration(t, deadline, r, beta)
    for m in range(len(worlds)):
        alone = aspiration(t, deadline[m : m + 1], r[m : m + 1], beta[m : m + 1])
        assert together[m] == alone[0]


# --- objectives ------------------------------------------------------------------------------
def test_nash_objective_known_values() -> None:
    one = np.ones(1)
    value = nash_objective((0.6 * one, 0.5 * one), (0.1 * one, 0.3 * one), (2 * one, one))
    assert value[0] == pytest.approx(2 * np.log(0.5) + np.log(0.2))
    assert nash_objective((0.1 * one, 0.5 * one), (0.1 * one, 0.3 * one), (one, one))[0] == (
        -np.inf
    )  # no gain over the disagreement point for the first side


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0), st.floats(-1.0, 2.0), st.floats(-1.0, 2.0))
def test_property_screening_objective_mixes_the_offer_and_the_rejection(
    u_p: float, u_r: float, lo: float, reject: float
) -> None:
    hi = lo + 0.5
    one = np.ones(1)
    value = screening_objective(u_p * one, u_r * one, lo * one, hi * one, reject * one)[0]
    assert min(u_p, reject) - 1e-12 <= value <= max(u_p, reject) + 1e-12
    if u_r >= hi:
        assert value == pytest.approx(u_p)  # every believed type accepts
    if u_r <= lo:
        assert value == pytest.approx(reject)  # none does
    if lo < u_r < hi:  # the share of believed types that accept: uniform on [lo, hi]
        share = (u_r - lo) / (hi - lo)
        assert value == pytest.approx(share * u_p + (1 - share) * reject)


# --- red lines in the utility, anchors and bounds ----------------------------------------------
def test_red_line_utility_known_values() -> None:
    # Beyond the bounds a package loses RED_LINE_PENALTY plus how far it lies beyond (in spans).
    u = np.array([0.9, 0.9, 0.9])
    x = np.array([[0.5, 0.0], [0.7, 0.0], [0.5, 0.3]])
    lower, upper = np.full((3, 2), -np.inf), np.array([[0.6, np.inf]] * 3)
    lower[:, 1] = 0.1
    got = red_line_utility(u, x, lower, upper, np.array([1.0, 2.0]))
    assert got == pytest.approx([0.9 - RED_LINE_PENALTY - 0.05, 0.9 - RED_LINE_PENALTY - 0.15, 0.9])
    assert np.all(got[:2] < -1)  # worth less than any no-deal value


def sided(stance: list[float], lower: list[float], upper: list[float]) -> Side:
    base = side(stance, [0.5, 0.5], rho=1.5)
    return replace(base, red_lower=np.array([lower]), red_upper=np.array([upper]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=2),
    st.floats(0.0, 0.5),
)
def test_property_anchored_path_within_bounds_keeps_utilities_monotone(
    a: list[float], b: list[float], start: list[float], room: float
) -> None:
    # The proposer's red lines hold around its stance; the path is kept within them and starts
    # at the responder's last offer: the proposer's utility rises, the responder's falls, and
    # the proposer never meets its own red-line penalty.
    lo = [ai - room for ai in a]
    hi = [ai + room for ai in a]
    proposer = sided(a, lo, hi)
    responder = sided(b, [-np.inf] * 2, [np.inf] * 2)
    path = (
        Path(proposer, responder, np.ones(2))
        .anchored(np.array([start]))
        .within(np.array([lo]), np.array([hi]))
    )
    lams = np.linspace(0, 1, 21)[None]
    xs = path.package(lams)
    up, down = path.u_proposer(xs)[0], path.u_responder(xs)[0]
    assert np.all(np.diff(up) >= -1e-12) and np.all(np.diff(down) <= 1e-12)
    assert np.all(up >= -1e-12)
    assert np.all((xs >= np.array(lo) - 1e-12) & (xs <= np.array(hi) + 1e-12))
    assert np.allclose(xs[0, -1], a)


def test_anchor_is_held_between_the_stances() -> None:
    path = Path(side([1.0, 0.0], [0.5, 0.5]), side([0.0, 1.0], [0.5, 0.5]), np.ones(2))
    anchored = path.anchored(np.array([[1.5, 0.5]]))  # beyond the proposer's stance on issue 0
    assert anchored.package(np.zeros(1))[0] == pytest.approx([1.0, 0.5])
    no_offer = path.anchored(np.full((1, 2), np.nan))  # no offer yet: the responder's stance
    assert no_offer.package(np.zeros(1))[0] == pytest.approx([0.0, 1.0])
