"""The mechanisms that return their parts: known answers, and parts that add up to the whole.

Each parts function is checked against a hand computation, and by hypothesis against the
sum or decision the engine acts on (the same arithmetic, in the same order, bit for bit).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.mechanisms.domestic import clout, clout_shares, pressure_growth
from sim.mechanisms.ratification import (
    binding_red_lines,
    overrides,
    ratification,
    ratify,
    red_line_veto,
)
from sim.mechanisms.shocks import apply_op, condition_holds, in_window
from sim.mechanisms.strike import (
    CLOSENESS_SCALE,
    lock_in,
    logit_choice,
    powell_term,
    preventive_margin,
    strike_margin,
    supported_war_cost,
    target_win_probability,
    us_backing,
    us_strike,
    walkout,
)
from sim.mechanisms.third_parties import (
    give_up_probability,
    lobbying_received,
    patron_lift,
    snapback_chance,
    snapback_drop,
    snapback_probability,
    snapback_threat,
)

N = 5
unit = st.floats(0.0, 1.0)
small = st.floats(-2.0, 2.0)


def arrays(elements: st.SearchStrategy[float], n: int = N) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.float64, n, elements=elements)


# ------------------------------------------------------------------------------ strike margin


def test_strike_margin_known_answer() -> None:
    parts = strike_margin(
        np.array([0.5]),
        np.array([0.25]),
        (np.array([2.0]), np.array([0.25])),
        (np.array([0.125]), np.array([True])),
        np.array([0.0625]),
    )
    assert parts.fear[0] == 0.5 and parts.collapse[0] == 0.125
    assert parts.total()[0] == 0.5 + 0.25 + 0.5 + 0.125 - 0.0625
    zero = np.array([0.0])
    no_collapse = strike_margin(
        np.array([0.5]), zero, (np.array([1.0]), zero), (np.array([0.125]), np.array([False])), zero
    )
    assert no_collapse.collapse[0] == 0.0 and no_collapse.total()[0] == 0.5


@given(arrays(small), arrays(small), arrays(unit), arrays(unit), arrays(small), arrays(unit))
def test_property_strike_margin_parts_add_up_to_the_engines_sum(
    powell: np.ndarray,
    resolve: np.ndarray,
    aversion: np.ndarray,
    fear: np.ndarray,
    collapse_resolve: np.ndarray,
    restraint: np.ndarray,
) -> None:
    collapsed = fear > 0.5
    parts = strike_margin(
        powell, resolve, (aversion, fear), (collapse_resolve, collapsed), restraint
    )
    # The sum the engine used to write out inline, in the same order: equal bit for bit.
    inline = powell + resolve + aversion * fear + collapse_resolve * collapsed - restraint
    assert np.array_equal(parts.total(), inline)
    # Taking a part out again by subtraction (as explanations once did) is not always exact.
    assert np.allclose(
        parts.total() - parts.resolve - parts.fear - parts.collapse + parts.restraint, powell
    )


@given(arrays(unit), arrays(st.floats(0.0, 0.1)), arrays(st.floats(0.5, 0.99)))
def test_property_powell_term_is_the_preventive_margin(
    progress: np.ndarray, growth: np.ndarray, delta: np.ndarray
) -> None:
    low, high, gamma = np.full(N, 0.1), np.full(N, 0.6), np.full(N, 2.0)
    cost, target = supported_war_cost(np.full(N, 1.0), np.full(N, 0.5), progress), np.full(N, 0.3)
    expected = preventive_margin(
        target_win_probability(progress, low, high, gamma),
        target_win_probability(progress + growth, low, high, gamma),
        delta,
        target,
        cost,
    )
    assert np.array_equal(
        powell_term(progress, growth, (low, high, gamma), delta, target, cost), expected
    )
    # US support only ever cuts the striker's cost of war.
    assert np.all(cost <= 1.0)


def test_lock_in_known_answer() -> None:
    u = np.array([0.25, 0.25, 0.25, 0.25])
    gap = np.array([0.0, CLOSENESS_SCALE / 2, CLOSENESS_SCALE * 2, 0.0])
    # The last offer would pass both ratification votes, except in the last world (a veto).
    ratifiable = np.array([True, True, True, False])
    fear = lock_in(u, gap, ratifiable, np.zeros(4, dtype=bool))
    assert np.allclose(fear, [0.75, 0.375, 0.0, 0.0])
    assert np.all(lock_in(u, gap, ratifiable, np.ones(4, dtype=bool)) == 0.0)


@given(arrays(unit), arrays(st.floats(0.0, 1.0)), hnp.arrays(bool, N), hnp.arrays(bool, N))
def test_property_lock_in_counts_only_a_ratifiable_deal(
    u: np.ndarray, gap: np.ndarray, ratifiable: np.ndarray, collapsed: np.ndarray
) -> None:
    fear = lock_in(u, gap, ratifiable, collapsed)
    # No fear of an offer a ratifier turns down, nor once the talks collapsed.
    assert np.all(fear[~ratifiable | collapsed] == 0.0)
    assert np.all((fear >= 0.0) & (fear <= 1.0))
    # Closeness is on the acceptance gap: a wider gap never raises the fear.
    assert np.all(lock_in(u, gap + 0.05, ratifiable, collapsed) <= fear)


def test_supported_war_cost_known_answer() -> None:
    cost = supported_war_cost(np.full(3, 0.12), np.full(3, 0.5), np.array([0.0, 1.0, 1.0]))
    assert np.allclose(cost, [0.12, 0.06, 0.06])


def test_us_backing_known_answer() -> None:
    hazard = (np.full(4, 0.02), np.full(4, 0.5))
    share = np.array([0.5, 0.5, 0.25, 0.5])
    failed = np.array([False, True, True, True])
    backed = np.array([False, False, False, True])
    b = us_backing(hazard, share, failed, backed)
    assert np.allclose(b.probability, [0.01, 0.25, 0.125, 0.0])
    assert np.allclose(b.hazard, [0.02, 0.5, 0.5, 0.5])
    assert np.array_equal(b.hawk_share, share)


@given(
    arrays(unit),
    arrays(unit),
    arrays(st.floats(0.0, 0.5)),
    arrays(st.floats(0.0, 0.5)),
    hnp.arrays(bool, N),
)
def test_property_backing_rises_with_the_hawks_share(
    during: np.ndarray,
    failed_hazard: np.ndarray,
    share: np.ndarray,
    more: np.ndarray,
    failed: np.ndarray,
) -> None:
    none = np.zeros(N, dtype=bool)
    low = us_backing((during, failed_hazard), share, failed, none).probability
    high = us_backing((during, failed_hazard), share + more, failed, none).probability
    assert np.all(high >= low) and np.all((low >= 0) & (high <= 1))
    # Given already, it is not given again; no hawks, no backing.
    assert np.all(us_backing((during, failed_hazard), share, failed, ~none).probability == 0)
    assert np.all(us_backing((during, failed_hazard), 0 * share, failed, none).probability == 0)


@given(arrays(unit), arrays(st.floats(0.0, 1.0)))
def test_property_lock_in_is_at_most_the_disutility(u: np.ndarray, gap: np.ndarray) -> None:
    fear = lock_in(u, gap, np.ones(N, dtype=bool), np.zeros(N, dtype=bool))
    assert np.all(fear >= 0.0) and np.all(fear <= 1 - u + 1e-15)


# ------------------------------------------------------------------------ US strike, walk-out


@given(arrays(unit), arrays(unit), arrays(unit), hnp.arrays(np.bool_, N))
def test_property_us_strike_is_the_product_once_talks_failed(
    hazard: np.ndarray, hawks: np.ndarray, credibility: np.ndarray, failed: np.ndarray
) -> None:
    parts = us_strike(hazard, hawks, credibility, failed)
    assert np.array_equal(parts.probability, np.where(failed, hazard * hawks * credibility, 0.0))
    assert parts.hazard is hazard and parts.hawk_share is hawks and parts.credibility is credibility


def test_walkout_known_answer() -> None:
    parts = walkout(np.array([0.2, 0.2]), np.array([0.4, 0.4]), np.array([0.0, 0.1]))
    assert parts.probability[0] == 0.0  # no walk-out noise: never
    assert np.isclose(parts.probability[1], 1 / (1 + np.exp(-2.0)))
    assert list(parts.utility) == [0.2, 0.2] and list(parts.breakdown) == [0.4, 0.4]


@given(arrays(unit), arrays(unit), arrays(st.one_of(st.just(0.0), st.floats(0.01, 1.0))))
def test_property_walkout_is_the_logit_of_breakdown_over_utility(
    u: np.ndarray, breakdown: np.ndarray, temperature: np.ndarray
) -> None:
    expected = np.where(temperature > 0, logit_choice(breakdown - u, temperature), 0.0)
    assert np.array_equal(walkout(u, breakdown, temperature).probability, expected)


# ------------------------------------------------------------------------------ ratification


def test_ratification_known_answer() -> None:
    u = np.array([[0.6], [0.4], [0.7]])
    nd = np.array([[0.5], [0.5], [0.5]])
    clout_ = np.array([[2.0], [1.0], [1.0]])
    crossed = np.array([[False], [False], [True]])
    vote = ratification(u, nd, clout_, 0, np.array([0.5]), crossed, np.array([0.7]))
    assert vote.prefers[:, 0].tolist() == [True, False, True]
    assert vote.support[0] == 0.75
    assert bool(vote.passed[0]) and not vote.veto[0]  # 75% backing overrides faction 2's line
    vote = ratification(u, nd, clout_, 0, np.array([0.5]), crossed, np.array([0.8]))
    assert bool(vote.veto[0]) and not vote.passed[0]


@given(
    hnp.arrays(np.float64, (3, N), elements=unit),
    hnp.arrays(np.float64, (3, N), elements=unit),
    hnp.arrays(np.float64, (3, N), elements=st.floats(0.0, 5.0)),
    hnp.arrays(np.bool_, (3, N)),
    arrays(unit),
    arrays(unit),
)
def test_property_ratification_parts_are_consistent(
    u: np.ndarray,
    nd: np.ndarray,
    clout_: np.ndarray,
    crossed: np.ndarray,
    quota: np.ndarray,
    threshold: np.ndarray,
) -> None:
    vote = ratification(u, nd, clout_, 0, quota, crossed, threshold)
    passed, veto = ratify(u, nd, clout_, 0, quota, crossed, threshold)
    assert np.array_equal(vote.passed, passed) and np.array_equal(vote.veto, veto)
    assert np.array_equal(vote.prefers, u >= nd)
    # The veto is the override rule applied to the parts.
    backing = vote.prefers[0] * vote.support
    assert np.array_equal(veto, red_line_veto(crossed, 0, backing, threshold))
    assert np.array_equal(
        veto, crossed[0] | (crossed[1:].any(axis=0) & ~overrides(backing, threshold))
    )
    # It passes exactly when the ratifier prefers it, support reaches the quota and no veto.
    assert np.array_equal(passed, vote.prefers[0] & (vote.support >= quota - 1e-12) & ~veto)


@given(
    hnp.arrays(np.float64, (3, N), elements=st.floats(0.01, 5.0)),
    arrays(unit),
    hnp.arrays(np.float64, (3, N, 2), elements=st.floats(0.0, 1.0)),
)
def test_property_binding_red_lines_follow_the_override(
    clout_: np.ndarray, threshold: np.ndarray, bounds: np.ndarray
) -> None:
    lower, upper = bounds - 1.0, bounds + 1.0
    free = np.array([True, True, False])  # the ratifier (0), a faction without red lines, one with
    shares = clout_shares(clout_)
    held = binding_red_lines(lower, upper, 0, free, shares, threshold)
    assert np.array_equal(held.backing, shares[free].sum(axis=0))
    assert np.array_equal(held.overridden, overrides(held.backing, threshold))
    for n in range(N):
        if held.overridden[n]:
            assert np.array_equal(held.lower[n], lower[0, n])
        else:
            assert np.array_equal(held.lower[n], np.maximum(lower[0, n], lower[2, n]))
            assert np.array_equal(held.upper[n], np.minimum(upper[0, n], upper[2, n]))


# ----------------------------------------------------------------------------------- clout


def test_clout_known_answer() -> None:
    grown = clout(
        np.array([2.0]), np.array([0.5]), np.array([1.0]), np.array([1.0]), np.array([0.5])
    )
    assert grown[0] == 2.0 * 1.5 * 1.5
    assert np.allclose(clout_shares(np.array([[1.0], [3.0]]))[:, 0], [0.25, 0.75])
    assert np.isclose(pressure_growth(np.array([0.1]), np.array([1.0]), np.array([0.5]))[0], 0.1)


@given(hnp.arrays(np.float64, (3, N), elements=st.one_of(st.just(0.0), st.floats(1e-6, 5.0))))
def test_property_clout_shares_sum_to_one(base: np.ndarray) -> None:
    shares = clout_shares(base)
    total = shares.sum(axis=0)
    assert np.all(np.isclose(total, 1.0) | (base.sum(axis=0) == 0))
    # One world alone gets the same shares as inside a block (explanations use one world).
    assert np.array_equal(clout_shares(base[:, 0]), shares[:, 0])


# ------------------------------------------------------------------ third parties and shocks


def test_snapback_probability_known_answer() -> None:
    hazard, urgency = np.array([0.1]), np.array([2.0])
    assert snapback_probability(3, 20, 4.0, hazard, urgency)[0] == 0.1  # before the window
    assert np.isclose(snapback_probability(17, 20, 4.0, hazard, urgency)[0], 0.1 * (1 + 2 * 0.5))
    assert np.isclose(snapback_probability(19, 20, 4.0, hazard, urgency)[0], 0.3)  # full height
    assert snapback_probability(20, 20, 4.0, hazard, urgency)[0] == 0.0  # expired


@given(st.integers(0, 60), arrays(unit), arrays(st.floats(0.0, 5.0)))
def test_property_snapback_probability_is_a_probability_rising_to_the_expiry(
    step: int, hazard: np.ndarray, urgency: np.ndarray
) -> None:
    p = snapback_probability(step, 40, 6.0, hazard, urgency)
    assert np.all((p >= 0) & (p <= 1))
    if step < 39:
        assert np.all(snapback_probability(step + 1, 40, 6.0, hazard, urgency) >= p)


def test_snapback_chance_known_answer() -> None:
    hazard, urgency = np.array([0.1]), np.array([0.0])
    assert np.isclose(snapback_chance(17, 20, 4.0, hazard, urgency)[0], 1 - 0.9**3)
    assert snapback_chance(20, 20, 4.0, hazard, urgency)[0] == 0.0  # expired: no threat
    assert np.isclose(snapback_chance(19, 20, 4.0, hazard, np.array([2.0]))[0], 0.3)


@given(st.integers(0, 45), arrays(unit), arrays(st.floats(0.0, 5.0)))
def test_property_the_snapback_chance_falls_as_the_expiry_nears(
    step: int, hazard: np.ndarray, urgency: np.ndarray
) -> None:
    chance = snapback_chance(step, 40, 6.0, hazard, urgency)
    assert np.all((chance >= 0) & (chance <= 1))
    # at least this step's own probability, and no less than what is left one step later
    assert np.all(chance >= snapback_probability(step, 40, 6.0, hazard, urgency) - 1e-12)
    assert np.all(chance >= snapback_chance(step + 1, 40, 6.0, hazard, urgency) - 1e-12)


def test_snapback_threat_and_patron_lift_known_answers() -> None:
    chance, drop = np.array([0.5, 0.5]), np.array([0.1, 0.1])
    weight, live = np.array([1.0, 1.0]), np.array([True, False])
    assert snapback_threat(chance, drop, weight, live).tolist() == [0.05, 0.0]  # spent once used
    assert snapback_threat(chance, drop, weight * 0, live).tolist() == [0.0, 0.0]
    support = np.array([[0.1, 0.2], [0.5, 1.5]])  # (P, N): a patron's support clipped at 1
    lifeline = np.array([[0.5, 0.5], [0.2, 0.2]])
    assert np.allclose(patron_lift(support, lifeline), [0.05 + 0.1, 0.1 + 0.2])


@given(arrays(unit), arrays(unit), arrays(st.floats(0.0, 1.0)))
def test_property_more_support_never_lowers_the_lift(
    support: np.ndarray, extra: np.ndarray, lifeline: np.ndarray
) -> None:
    low = patron_lift(support[None, :], lifeline[None, :])
    high = patron_lift((support + extra)[None, :], lifeline[None, :])
    assert np.all(high >= low)


def test_give_up_and_lobbying_known_answers() -> None:
    failed = np.array([0, 2, 3])
    assert give_up_probability(failed, 2, np.full(3, 0.25)).tolist() == [0.0, 0.25, 0.25]
    assert lobbying_received(np.array([1.0, 1.0]), np.array([0.25, 1.5])).tolist() == [0.75, 0.0]
    assert snapback_drop(np.array([0.2]), np.array([0.5]))[0] == 0.1


def test_shock_triggers_and_effects_known_answers() -> None:
    assert in_window(3, 3, None, None) and not in_window(4, 3, None, None)
    assert in_window(5, None, 5, 7) and not in_window(4, None, 5, 7)
    assert not in_window(8, None, 5, 7) and in_window(0, None, None, None)
    value = np.array([0.1, 0.5, 0.9])
    held = condition_holds(value, 0.3, 0.8, np.ones(3, dtype=bool))
    assert held.tolist() == [False, True, False]
    old, v = np.array([2.0]), np.array([3.0])
    assert [apply_op(op, old, v)[0] for op in ("set", "add", "scale")] == [3.0, 5.0, 6.0]


@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_property_a_window_is_the_steps_between_its_bounds(t: int, after: int, until: int) -> None:
    assert in_window(t, None, after, until) == (after <= t <= until)
    assert in_window(t, t, None, None) and in_window(t, t, after, until) == (after <= t <= until)
