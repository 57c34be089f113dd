"""BDM's expected-utility model (sim.mechanisms.bdm): known answers, the EC example, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.engine.model import NegotiationModel
from sim.mechanisms import bdm
from sim.mechanisms.bdm import PRINTED, SCHOLZ_CODE, ExpectedUtility, bdm_round, bdm_rounds
from sim.mechanisms.rng import block_seed
from sim.mechanisms.rules import STANCE_RULES
from sim.scenario import load_scenario
from tests.builders import BASELINE

SQRT2, SQRT3 = math.sqrt(2), math.sqrt(3)


def col(*values: float) -> np.ndarray:
    """One world: an (F, 1) column."""
    return np.array(values, dtype=float)[:, None]


def perceptions(
    x: np.ndarray, c: np.ndarray, s: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    span = x.max(axis=0) - x.min(axis=0)
    r = bdm.risk_exponents(x, c, s, span, PRINTED)
    own, theirs = bdm.expected_utilities(x, c, s, r, span, PRINTED)
    return r[:, 0], own[..., 0], theirs[..., 0]


# --- building blocks -------------------------------------------------------------------------
def test_weighted_median_and_mean_known_answers() -> None:
    x = col(4, 7, 10)
    assert bdm.weighted_median(x, col(0.3, 0.2, 0.4))[0] == 7  # half of 0.9 reached at 7
    assert bdm.weighted_median(x, col(0.7, 0.1, 0.5))[0] == 4
    assert bdm.weighted_median(x, col(1, 0, 1))[0] == 5.5  # exactly half at 4: the votes tie
    assert bdm.weighted_median(x, col(0, 0, 0))[0] == 7  # no weight: the plain median
    assert bdm.weighted_mean(x, col(1, 1, 2))[0] == pytest.approx(7.75)


def test_power_utility_matches_bdm_scale() -> None:
    # U_s, U_f at half the range and U_sq, r = 2 and r = 1/2 (BDM 1994; jmckib's unit tests).
    r2 = np.array(2.0)
    assert bdm.power_utility(np.array(0.5 - 0.25), r2) == pytest.approx(1.75)
    assert bdm.power_utility(np.array(0.5 + 0.25), r2) == pytest.approx(-0.25)
    assert bdm.power_utility(np.array(0.5), r2) == pytest.approx(1.0)
    assert bdm.power_utility(np.array(0.5), np.array(0.5)) == pytest.approx(2 - 2 * SQRT2)


def test_probabilities_of_success_three_actors() -> None:
    # Votes for i over j: c_k s_k (|x_k - x_j| - |x_k - x_i|); positions 0, 1/2, 1, c = s = 1.
    x = col(0, 0.5, 1)
    d = bdm.distances(x, np.array([1.0]))
    p = bdm.win_probability(bdm.votes(d, col(1, 1, 1), col(1, 1, 1), None), pooled=False)[..., 0]
    assert p[0, 1] == pytest.approx(1 / 3)  # L over M: +1/2 from L, -1/2 from M and from R
    assert p[1, 0] == pytest.approx(2 / 3)
    assert p[0, 2] == pytest.approx(1 / 2)
    assert np.allclose(p + p.T, 1)  # complementary (no votes at stake on the diagonal: 1/2)


# --- two actors, by hand ---------------------------------------------------------------------
def test_two_equal_actors_stand_still() -> None:
    # P = 1/2 both ways, so E(U_ij) = 2d(2P - 1) = 0: no one challenges, r = 1.
    x, c, s = col(0, 1), col(1, 1), col(1, 1)
    r, own, theirs = perceptions(x, c, s)
    assert np.allclose(r, 1) and np.allclose(own, 0) and np.allclose(theirs, 0)
    assert np.array_equal(bdm_round(x, c, s, np.array([1.0]), PRINTED), x)
    assert np.array_equal(bdm_round(x, c, s, np.array([1.0]), SCHOLZ_CODE), x)


def test_two_actors_the_weaker_loses_a_confrontation() -> None:
    # A: x=0, c=1, s=1; B: x=1, c=1, s=1/2. P_AB = 2/3. With r = 1, U_s = 2d, U_f = -2d, U_sq = 0:
    # E(U_AB) = 2 - 4 s_B P_BA = 4/3, E(U_BA) = 2 - 4 s_A P_AB = -2/3, so A is the most secure
    # (R_A = -1, r_A = 2) and B the most threatened (R_B = 1, r_B = 1/2).
    x, c, s = col(0, 1), col(1, 1), col(1, 0.5)
    r, own, theirs = perceptions(x, c, s)
    assert r == pytest.approx([2, 0.5])
    # A (r = 2, U_sq = 1): a = 1/2 (2/3 * 2 - 1/3 * 2) + 1/2 * 2 - 1 = 1/3, b = (2/3 - 4/3) - 1.
    assert own[0, 1] == pytest.approx(1 / 3) and theirs[0, 1] == pytest.approx(-5 / 3)
    # B (r = 1/2, U_sq = 2 - 2 sqrt 2): a = -2/3 - U_sq, b = 1/3 + 1 - U_sq; b > a > 0.
    assert own[1, 0] == pytest.approx(2 * SQRT2 - 8 / 3)
    assert theirs[1, 0] == pytest.approx(2 * SQRT2 - 2 / 3)
    new = bdm_round(x, c, s, np.array([1.0]), PRINTED)
    assert new[:, 0] == pytest.approx([0, 0])  # B loses the confrontation and moves to A
    assert bdm.weighted_median(new, c * s)[0] == 0


def test_two_actors_under_the_authors_code_the_weaker_compromises() -> None:
    # The same pair under SCHOLZ_CODE (the default). The pooled denominator sums |v| over both
    # ordered pairs, 3/2 each: P_AB = 1 / 3 and P_BA = (1/2) / 3 = 1/6 (d is 0 or 1, so the
    # voters' exponents leave the votes unchanged). With r = 1: E(U_AB) = 1/2 (2/3 - 4/3) + 1 =
    # 2/3 and E(U_BA) = 1/3 - 5/3 = -4/3, so again r_A = 2 and r_B = 1/2.
    x, c, s = col(0, 1), col(1, 1), col(1, 0.5)
    span = np.array([1.0])
    r = bdm.risk_exponents(x, c, s, span, SCHOLZ_CODE)
    own, theirs = bdm.expected_utilities(x, c, s, r, span, SCHOLZ_CODE)
    assert r[:, 0] == pytest.approx([2, 0.5])
    # A (U_s = 2, U_f = -2, U_sq = 1): a = 1/2 (2/3 - 4/3) + 1 - 1 = -1/3, b = -4/3 - 1: no offer.
    assert own[0, 1, 0] == pytest.approx(-1 / 3) and theirs[0, 1, 0] == pytest.approx(-7 / 3)
    # B (U_sq = 2 - 2 sqrt 2): a = -4/3 - U_sq < 0 < b = -1/3 + 1 - U_sq and b > |a|.
    a, b = 2 * SQRT2 - 10 / 3, 2 * SQRT2 - 4 / 3
    assert own[1, 0, 0] == pytest.approx(a) and theirs[1, 0, 0] == pytest.approx(b)
    new = bdm_round(x, c, s, span)  # the default reading is SCHOLZ_CODE
    assert new[:, 0] == pytest.approx([0, 1 + a / b])  # B moves |a|/b of the way to A
    assert 1 + a / b == pytest.approx(0.662291281)


# --- three actors, by hand -------------------------------------------------------------------
def test_three_actors_the_wings_compromise_with_the_centre() -> None:
    # L = 0, M = 1/2, R = 1, c = s = 1. With r = 1, E(U_ij) = 2 d (2 P_ij - 1): E(U_LM) = -1/3,
    # E(U_ML) = 1/3, E(U_LR) = 0. Threats S_L = S_R = 1/3, S_M = -2/3: r = (1/2, 2, 1/2).
    x, c, s = col(0, 0.5, 1), col(1, 1, 1), col(1, 1, 1)
    r, own, theirs = perceptions(x, c, s)
    assert r == pytest.approx([0.5, 2, 0.5])
    # L with r = 1/2 against M (d = 1/2): U_s = 0, U_f = 2 - 2 sqrt 3, U_sq = 2 - 2 sqrt 2.
    a = 2 * SQRT2 - 4 / 3 * SQRT3 - 2 / 3  # 1/3 U_s + 2/3 U_f - U_sq  (about -0.1476)
    b = 2 * SQRT2 - 2 / 3 * SQRT3 - 4 / 3  # 2/3 U_s + 1/3 U_f - U_sq  (about  0.3404)
    assert own[0, 1] == pytest.approx(a) and theirs[0, 1] == pytest.approx(b)
    # M with r = 2 against L: U_s = 1.75, U_f = -0.25, U_sq = 1: a = 1/12 > 0, b = -7/12 < 0.
    assert own[1, 0] == pytest.approx(1 / 12) and theirs[1, 0] == pytest.approx(-7 / 12)
    # b > 0 > a and b > |a|: L compromises, moving |a|/b of the way to M; R mirrors L.
    step = 0.5 * (-a / b)
    new = bdm_round(x, c, s, np.array([1.0]), PRINTED)
    assert new[:, 0] == pytest.approx([step, 0.5, 1 - step])
    assert step == pytest.approx(0.216867716)


def test_capitulation_when_the_loss_exceeds_the_gain() -> None:
    x, own, theirs = col(0, 1), np.zeros((2, 2, 1)), np.zeros((2, 2, 1))
    own[0, 1], theirs[0, 1] = -0.5, 0.2  # b > 0 > a, b < |a|
    target, kind = bdm.offers(x, own, theirs, PRINTED)
    assert kind[0, 1, 0] == 2 and target[0, 1, 0] == 1
    _, kind = bdm.offers(x, own, theirs, SCHOLZ_CODE)
    assert kind[0, 1, 0] == -1  # unreachable in the authors' code as ported


# --- the European Community emission-standards example ---------------------------------------
# BDM (1994, p. 78) via Scholz et al. (2011), Table 1; data as in github.com/jmckib/
# bdm-scholz-expected-utility-model, ExampleActors.csv (also docs/examples/).
EC_NAMES = ["Netherlands", "Belgium", "Luxembourg", "Germany", "France"]
EC_NAMES += ["Italy", "UK", "Ireland", "Denmark", "Greece"]
EC_C = np.array([0.08, 0.08, 0.03, 0.16, 0.16, 0.16, 0.16, 0.05, 0.05, 0.08])
EC_X = np.array([4, 7, 4, 4, 10, 10, 10, 7, 4, 7], dtype=float)
EC_S = np.array([0.8, 0.4, 0.2, 0.8, 0.6, 0.6, 0.9, 0.1, 1.0, 0.7])

# The published log of that replication (github.com/dmasad/bdm-scholz-expected-utility-model,
# Example.log, 10 rounds): Belgium, Luxembourg and Ireland after each round (the other actors
# never move), and the capability x salience weighted mean.
EC_LOG = [
    (8.415932315426764, 7.0, 4.0, 7.461314378277189),
    (9.610859134120188, 8.415932315426764, 7.0, 7.552500865855845),
    (9.961979590401311, 9.610859134120188, 8.415932315426764, 7.590144997451547),
    (4.800881140632622, 9.961979590401311, 9.610859134120188, 7.358130531334201),
    (5.524237694197356, 4.800881140632622, 9.961979590401311, 7.3491739896752115),
    (7.47204636191629, 5.524237694197356, 5.524237694197356, 7.414877545372958),
    (8.824593855262423, 7.47204636191629, 7.47204636191629, 7.510457183677219),
    (9.671129769802048, 8.824593855262423, 8.824593855262423, 7.5724470975503),
    (4.144849062500606, 9.671129769802048, 9.671129769802048, 7.324989065683666),
    (4.291541224979646, 4.144849062500606, 4.144849062500606, 7.242130958473938),
]
LOG_TOLERANCE = 1e-12  # absolute; the log prints 16-17 significant digits (docs/bdm.md, section 4)


def test_ec_example_round_zero() -> None:
    first = next(bdm_rounds(EC_C, EC_X, EC_S, 0))
    assert first.weighted_mean == pytest.approx(7.389955686853767, abs=1e-12)  # same log
    assert first.median == 7.0


def test_ec_example_reproduces_the_replication_log_round_by_round() -> None:
    states = list(bdm_rounds(EC_C, EC_X, EC_S, 10, reading=SCHOLZ_CODE))
    assert [s.round for s in states] == list(range(11))
    moving = [EC_NAMES.index(n) for n in ("Belgium", "Luxembourg", "Ireland")]
    still = [i for i in range(10) if i not in moving]
    for state, (be, lu, ie, mean) in zip(states[1:], EC_LOG, strict=True):
        assert state.positions[moving] == pytest.approx([be, lu, ie], abs=LOG_TOLERANCE)
        assert np.array_equal(state.positions[still], EC_X[still])
        assert state.weighted_mean == pytest.approx(mean, abs=LOG_TOLERANCE)


# Every response the log prints: round, actor, kind (0 loses a confrontation, 1 compromises),
# the other actor, and the actor's two expected utilities "a vs b" (E^i U_ij, E^i U_ji).
EC_LOG_RESPONSES = [
    (1, "Belgium", 1, "France", -0.11483050347300794, 0.2432965945234421),
    (1, "Luxembourg", 0, "Belgium", 0.24550922248250817, 0.542246100211495),
    (1, "Ireland", 0, "Luxembourg", 0.5382377664333493, 0.6824778252511178),
    (2, "Belgium", 1, "France", -0.08372298010499579, 0.11098827573851458),
    (2, "Luxembourg", 0, "Belgium", 0.09587865812504826, 0.25279815776071274),
    (2, "Ireland", 0, "Luxembourg", 0.5364745002601532, 0.6832740271828603),
    (3, "Belgium", 1, "France", -0.021363682612244528, 0.023677008278475686),
    (3, "Luxembourg", 0, "Belgium", 0.0752415037116283, 0.1973924602995426),
    (3, "Ireland", 0, "Luxembourg", 0.2220966141779851, 0.28914350869001226),
    (4, "Belgium", 1, "Netherlands", -0.7153336335609584, 0.826336595809209),
    (4, "Luxembourg", 0, "Belgium", 0.019067005856757135, 0.05475982048848671),
    (4, "Ireland", 0, "Luxembourg", 0.18434889721531578, 0.2408011690248525),
    (5, "Belgium", 1, "France", -0.07892886598556514, 0.5673005292780673),
    (5, "Luxembourg", 0, "Belgium", 0.6442818640814262, 1.2296306388963438),
    (5, "Ireland", 0, "Luxembourg", 0.05091916804909058, 0.06745697684475738),
    (6, "Belgium", 1, "France", -0.17147772090669489, 0.3940292145932064),
    (6, "Luxembourg", 0, "Belgium", 0.04393570966631333, 0.12294346298815284),
    (6, "Ireland", 0, "Belgium", 0.477289288589615, 1.1583814184029237),
    (7, "Belgium", 1, "France", -0.10459286362216708, 0.19548733882691532),
    (7, "Luxembourg", 0, "Belgium", 0.1382777829509383, 0.3410544636307657),
    (7, "Ireland", 0, "Belgium", 0.13272892587624174, 0.41138879294371355),
    (8, "Belgium", 1, "France", -0.056369286263043605, 0.07826815650708174),
    (8, "Luxembourg", 0, "Belgium", 0.0872009778054279, 0.22517742605780633),
    (8, "Ireland", 0, "Belgium", 0.08321562348731826, 0.2751461345009193),
    (9, "Belgium", 1, "Netherlands", -0.6974248364399851, 0.7157050033503447),
    (9, "Luxembourg", 0, "Belgium", 0.05008299023987961, 0.13597909894595128),
    (9, "Ireland", 0, "Belgium", 0.0474210361526437, 0.1671827021753982),
    (10, "Belgium", 1, "France", -0.01852838755780717, 0.7395521611111853),
    (10, "Luxembourg", 0, "Belgium", 0.760038324818827, 1.4093388112170677),
    (10, "Ireland", 0, "Belgium", 0.796832348725107, 1.7236993574505728),
]


def test_ec_example_expected_utilities_match_the_log_in_every_round() -> None:
    states = list(bdm_rounds(EC_C, EC_X, EC_S, 10, reading=SCHOLZ_CODE))
    c, s, span = EC_C[:, None], EC_S[:, None], np.array([6.0])
    for rnd, actor, kind, other, a, b in EC_LOG_RESPONSES:
        x = states[rnd - 1].positions[:, None]  # the positions at the start of the round
        r = bdm.risk_exponents(x, c, s, span, SCHOLZ_CODE)
        own, theirs = bdm.expected_utilities(x, c, s, r, span, SCHOLZ_CODE)
        _, kinds = bdm.offers(x, own, theirs, SCHOLZ_CODE)
        i, j = EC_NAMES.index(actor), EC_NAMES.index(other)
        assert own[i, j, 0] == pytest.approx(a, abs=LOG_TOLERANCE), (rnd, actor, other)
        assert theirs[i, j, 0] == pytest.approx(b, abs=LOG_TOLERANCE), (rnd, actor, other)
        assert kinds[i, j, 0] == kind, (rnd, actor, other)


# --- the stopping rule -----------------------------------------------------------------------
def test_stopping_rule_ends_when_a_round_moves_nothing() -> None:
    states = list(bdm_rounds([1, 1], [0, 1], [1, 0.5], 10, reading=PRINTED))
    assert [s.round for s in states] == [0, 1, 2]  # round 1 moves B; round 2 moves nobody
    assert states[2].median == 0
    every = bdm_rounds([1, 1], [0, 1], [1, 0.5], 10, reading=PRINTED, tolerance=None)
    assert len(list(every)) == 11


# --- properties ------------------------------------------------------------------------------
@st.composite
def groups(draw: st.DrawFn, worlds: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    f = draw(st.integers(2, 6))
    unit = st.floats(0, 1)
    x = draw(arrays(float, (f, worlds), elements=st.floats(-50, 50)))
    c = draw(arrays(float, (f, worlds), elements=st.floats(0, 10)))
    s = draw(arrays(float, (f, worlds), elements=unit))
    return x, c, s


@settings(max_examples=60, deadline=None)
@given(groups(worlds=3), st.sampled_from([PRINTED, SCHOLZ_CODE]))
def test_property_positions_stay_within_the_initial_range(
    group: tuple[np.ndarray, np.ndarray, np.ndarray], reading: bdm.Reading
) -> None:
    x0, c, s = group
    for state in bdm_rounds(c, x0, s, 5, reading=reading):
        assert np.all(state.positions >= x0.min(axis=0)) and np.all(
            state.positions <= x0.max(axis=0)
        )
        assert np.all(np.isfinite(state.median)) and np.all(np.isfinite(state.weighted_mean))


@settings(max_examples=40, deadline=None)
@given(groups(), st.floats(-50, 50))
def test_property_a_unanimous_group_never_moves(
    group: tuple[np.ndarray, np.ndarray, np.ndarray], position: float
) -> None:
    _, c, s = group
    x = np.full_like(c, position)
    states = list(bdm_rounds(c, x, s, 5))
    assert [st.round for st in states] == [0, 1]
    assert all(np.array_equal(st.positions, x) and st.median[0] == position for st in states)


@settings(max_examples=40, deadline=None)
@given(groups(worlds=4))
def test_property_worlds_at_once_equal_each_world_alone(
    group: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    x, c, s = group
    span = x.max(axis=0) - x.min(axis=0)
    together = bdm_round(x, c, s, span)
    for m in range(x.shape[1]):
        alone = bdm_round(x[:, m : m + 1], c[:, m : m + 1], s[:, m : m + 1], span[m : m + 1])
        assert np.allclose(together[:, m], alone[:, 0], rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(groups(), st.integers(-3, 3), st.integers(-10, 10))
def test_property_units_do_not_matter(
    group: tuple[np.ndarray, np.ndarray, np.ndarray], power: int, shift: int
) -> None:
    # Distances are normalised by the range: a forecast in days is the one in years, converted.
    # Whole positions, power-of-two scales and whole shifts keep the distances exact (with r < 1
    # the utility is infinitely steep at the ends of the range, so rounding there would show).
    x, c, s = group
    x, scale = np.round(x), 2.0**power
    span = x.max(axis=0) - x.min(axis=0)
    base = bdm_round(x, c, s, span)
    moved = bdm_round(x * scale + shift, c, s, span * scale)
    assert np.allclose(moved, base * scale + shift, rtol=1e-12, atol=1e-9)


# --- the stance rule -------------------------------------------------------------------------
def test_stance_rule_is_registered_and_cites_its_source() -> None:
    assert STANCE_RULES["bdm_eum"] is ExpectedUtility
    assert ExpectedUtility.__doc__ and "Scholz" in ExpectedUtility.__doc__.splitlines()[0]


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 5), st.integers(1, 4), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_property_stance_rule_is_one_round_per_issue_and_world(
    f: int, n: int, d: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 60, (f, n, d))
    sal = rng.uniform(0, 1, (f, n, d))
    clout = rng.uniform(0, 2, (f, n))
    positions, stance = ExpectedUtility().round(x, sal, clout)
    assert positions.shape == x.shape and stance.shape == (n, d)
    for w in range(n):
        for k in range(d):
            c, s = clout[:, w : w + 1], sal[:, w, k : k + 1]
            xs = x[:, w, k : k + 1]
            alone = bdm_round(xs, c, s, xs.max(axis=0) - xs.min(axis=0))
            assert np.allclose(positions[:, w, k], alone[:, 0], rtol=1e-12, atol=1e-12)
            median = bdm.weighted_median(alone, c * s)[0]
            assert stance[w, k] == pytest.approx(median, rel=1e-12, abs=1e-12)


def test_stance_rule_keeps_the_first_range_for_distances() -> None:
    rule = ExpectedUtility()
    x, sal, clout = np.array([[[0.0]], [[1.0]]]), np.array([[[1.0]], [[0.5]]]), np.ones((2, 1))
    positions, stance = rule.round(x, sal, clout)
    # Round 1 as in test_two_actors_under_the_authors_code_the_weaker_compromises.
    assert positions[:, 0, 0] == pytest.approx([0, 0.662291281]) and stance[0, 0] == 0
    again, _ = rule.round(positions, sal, clout)
    now, c, s = positions[:, 0], clout, sal[:, 0]
    assert np.array_equal(again[:, 0], bdm_round(now, c, s, np.array([1.0])))  # the first range
    assert not np.allclose(again[:, 0], bdm_round(now, c, s, np.ptp(now, axis=0)))


def test_baseline_runs_with_bdm_for_one_principal() -> None:
    loaded = load_scenario(BASELINE, {"actors.iran.stance_rule": "bdm_eum"})
    assert loaded.scenario.actors["iran"].stance_rule == "bdm_eum"  # type: ignore[union-attr]
    model = NegotiationModel(loaded.scenario, block_seed(3, 0), np.arange(50))
    model.run()
    assert isinstance(model.iran.stance_rule, ExpectedUtility)
    lo = np.array([i.lo for i in model.spec.issues.values()])
    hi = np.array([i.hi for i in model.spec.issues.values()])
    assert np.all((model.iran.stance >= lo) & (model.iran.stance <= hi))
