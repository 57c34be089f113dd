"""Known-answer tests: the engine, configured as a textbook game, reproduces its solution.

docs/model.md §2.1. Each test builds a scenario and runs the engine's own model; the closed
forms below are the oracles, not the code under test.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest

from sim.mechanisms.outcomes import BREAKDOWN, DEAL, NO_RESOLUTION, RUNNING, STRIKE_ISRAEL
from sim.mechanisms.stats import wilson_interval
from sim.runs.ensemble import run
from tests.builders import model_of, pie_scenario

TOL = 1e-6


def first_offer_deal(raw: dict) -> float:
    """Run one world; it must end in a deal at step 0; return the US share x."""
    model = model_of(raw)
    model.run()
    assert model.outcome[0] == DEAL
    assert model.end_step[0] == 0
    return float(model.terms[0, 0])


# --- Rubinstein alternating offers ---------------------------------------------------------


@pytest.mark.parametrize(("d_us", "d_iran"), [(0.9, 0.9), (0.95, 0.8), (0.7, 0.99), (0.5, 0.5)])
def test_rubinstein_infinite_horizon_share(d_us: float, d_iran: float) -> None:
    raw = pie_scenario(
        rule="rubinstein", horizon=600, us={"discount": d_us}, iran={"discount": d_iran}
    )
    expected = (1 - d_iran) / (1 - d_us * d_iran)
    assert first_offer_deal(raw) == pytest.approx(expected, abs=TOL)


@pytest.mark.parametrize("sessions", [1, 2, 3, 6])
def test_rubinstein_finite_horizon_backward_induction(sessions: int) -> None:
    d_us, d_iran = 0.8, 0.6
    share = 1.0  # s_T: the last proposer takes all
    for t in range(sessions - 2, -1, -1):
        responder_delta = d_iran if t % 2 == 0 else d_us  # the US proposes at even sessions
        share = 1 - responder_delta * share
    # The game ends at the sides' deadline (the step after the last session), not the horizon.
    last = (dt.date(2025, 1, 4) + dt.timedelta(weeks=sessions)).isoformat()
    raw = pie_scenario(
        rule="rubinstein",
        horizon=sessions + 20,
        us={"discount": d_us, "deadline": last},
        iran={"discount": d_iran, "deadline": last},
    )
    assert first_offer_deal(raw) == pytest.approx(share, abs=TOL)


@pytest.mark.parametrize("horizon", [5, 600])
def test_rubinstein_share_does_not_read_the_horizon(horizon: int) -> None:
    """Without deadlines the look-ahead ends where discounting does, so even a short study
    period gives the infinite-horizon share."""
    raw = pie_scenario(
        rule="rubinstein", horizon=horizon, us={"discount": 0.9}, iran={"discount": 0.8}
    )
    assert first_offer_deal(raw) == pytest.approx((1 - 0.8) / (1 - 0.9 * 0.8), abs=TOL)


@pytest.mark.parametrize(
    ("q", "b_us", "b_iran"), [(0.2, 0.0, 0.0), (0.3, 0.2, 0.1), (0.5, 0.1, 0.4)]
)
def test_rubinstein_breakdown_risk(q: float, b_us: float, b_iran: float) -> None:
    raw = pie_scenario(
        rule="rubinstein",
        horizon=400,
        us={"discount": 1.0, "breakdown_value": b_us},
        iran={"discount": 1.0, "breakdown_value": b_iran},
        protocol={"breakdown_risk": q},
    )
    expected = (1 - b_iran + (1 - q) * b_us) / (2 - q)
    assert first_offer_deal(raw) == pytest.approx(expected, abs=TOL)


def test_rubinstein_second_mover_gets_the_complement() -> None:
    raw = pie_scenario(
        rule="rubinstein",
        horizon=600,
        us={"discount": 0.9},
        iran={"discount": 0.8},
        protocol={"first_mover": "iran"},
    )
    iran_share = (1 - 0.9) / (1 - 0.9 * 0.8)
    assert first_offer_deal(raw) == pytest.approx(1 - iran_share, abs=TOL)


# --- Asymmetric Nash bargaining --------------------------------------------------------------


@pytest.mark.parametrize(
    ("a_us", "a_iran", "d_us", "d_iran"),
    [(1, 1, 0.0, 0.0), (2, 1, 0.0, 0.0), (1, 3, 0.1, 0.2), (0.5, 1.5, 0.3, 0.05)],
)
def test_nash_linear_frontier(a_us: float, a_iran: float, d_us: float, d_iran: float) -> None:
    raw = pie_scenario(
        rule="nash_mediator",
        us={"clout": a_us},
        iran={"clout": a_iran},
        us_faction={"no_deal_shift": d_us},
        iran_faction={"no_deal_shift": -1.0 + d_iran},
    )
    expected = d_us + a_us / (a_us + a_iran) * (1 - d_us - d_iran)
    assert first_offer_deal(raw) == pytest.approx(expected, abs=TOL)


def test_nash_quadratic_frontier() -> None:
    # u_us = x (linear), u_iran = 1 − x² (quadratic): the frontier u2 = 1 − u1².
    raw = pie_scenario(
        rule="nash_mediator",
        iran={"risk_exponent": 2.0},
        iran_faction={"risk_exponent": 2.0},
    )
    x = first_offer_deal(raw)
    assert x == pytest.approx(1 / math.sqrt(3), abs=TOL)
    assert 1 - x**2 == pytest.approx(2 / 3, abs=TOL)


# --- Fearon's risk-return trade-off ----------------------------------------------------------


def fearon_raw(p: float, c_a: float, c_lo: float, c_hi: float) -> dict:
    """A take-it-or-leave-it demand by the US; Iran's cost of war c_B ~ U[c_lo, c_hi]."""
    return pie_scenario(
        rule="screening",
        us={"breakdown_value": p - c_a},
        iran={"belief_halfwidth": (c_hi - c_lo) / 2},
        # Iran's reservation 1 − p − c_B = u(status quo) + shift, with u(status quo) = 1.
        iran_faction={"no_deal_shift": {"dist": "uniform", "low": -p - c_hi, "high": -p - c_lo}},
    )


@pytest.mark.parametrize("p", [0.3, 0.5])
def test_fearon_interior_demand_and_war_risk(p: float) -> None:
    c_a, c_lo, c_hi = 0.1, 0.05, 0.45
    worlds = 4000
    result = run(fearon_raw(p, c_a, c_lo, c_hi), worlds=worlds, seed=11)
    war = result.summary["outcomes"]["breakdown"]["count"]
    expected_war = (c_hi - c_a - 2 * c_lo) / (2 * (c_hi - c_lo))
    lo, hi = wilson_interval(war, worlds)
    assert lo <= expected_war <= hi  # and the same for both p: the risk does not move with p
    deals = result.worlds[result.worlds["outcome"] == "deal"]
    assert np.allclose(deals["terms.pie"], p + (c_hi - c_a) / 2, atol=TOL)


def test_fearon_corner_demand_never_fights() -> None:
    p, c_a, c_lo, c_hi = 0.4, 0.1, 0.2, 0.4  # c_hi <= c_A + 2 c_lo
    result = run(fearon_raw(p, c_a, c_lo, c_hi), worlds=1000, seed=12)
    assert result.summary["outcomes"]["breakdown"]["count"] == 0
    assert np.allclose(result.worlds["terms.pie"], p + c_lo, atol=1e-5)


# --- Powell's commitment problem ---------------------------------------------------------------

ISRAEL = {
    "role": "third_party",
    "instrument": "striker",
    "strike_temperature": 0.0,
    "strike_resolve": 0.0,
    "deal_aversion": 0.0,
    "collapse_resolve": 0.0,
    "us_support_cost_cut": 0.0,
    "lobbying": 0.0,
}


def powell_first_strike(delta: float, c_r: float, c_d: float, p: list[float]) -> int | None:
    """The first t with δ·M_R(t+1) − M_R(t) > c_R + c_D, M_R(t) = p_t/(1 − δ) − c_R."""
    m = [pt / (1 - delta) - c_r for pt in p]
    for t in range(len(p) - 1):
        if delta * m[t + 1] - m[t] > c_r + c_d:
            return t
    return None


@pytest.mark.parametrize(
    ("k0", "growth", "gamma", "expected_strike"),
    [
        (0.0, 0.05, 3.0, True),  # the margin turns positive at t = 7
        (0.0, 0.05, 1.0, True),  # positive from the start
        (0.2, 0.06, 3.0, True),  # at t = 1
        (0.0, 0.04, 2.0, False),  # never positive: no preventive war
        (0.3, 0.02, 4.0, False),
    ],
)
def test_powell_preventive_strike_timing(
    k0: float, growth: float, gamma: float, expected_strike: bool
) -> None:
    delta, c_r, c_d, low, high, horizon = 0.9, 0.05, 0.05, 0.05, 0.95, 15
    israel = {
        **ISRAEL,
        "discount": delta,
        "war_cost": c_d,
        "target_war_cost": c_r,
        "target_win_low": low,
        "target_win_high": high,
        "breakout_convexity": gamma,
    }
    raw = pie_scenario(rule="aspiration", horizon=horizon, extra_actors={"israel": israel})
    raw["protocol"]["session_dates"] = ["2030-01-01"]  # no talks: the strike rule alone
    raw["programme"] = {"initial_progress": k0, "growth": growth}
    # At the decision of step t the engine's progress is k0 + (t + 1)·growth.
    p = [low + (high - low) * min(1.0, k0 + (t + 1) * growth) ** gamma for t in range(horizon + 1)]
    t_star = powell_first_strike(delta, c_r, c_d, p)
    assert (t_star is not None) == expected_strike
    model = model_of(raw, worlds=3)
    model.run()
    if t_star is None:
        assert np.all(model.outcome != STRIKE_ISRAEL)
    else:
        assert np.all(model.outcome == STRIKE_ISRAEL)
        assert np.all(model.end_step == t_star)


# --- Veto players' win-set ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "ideals"),
    [(2.0, [5.0, 6.0, 7.5]), (9.0, [3.0, 4.0, 6.5]), (5.0, [3.0, 7.0]), (4.0, [4.5, 8.0, 6.0])],
)
def test_veto_player_win_set(q: float, ideals: list[float]) -> None:
    lower = max(r - abs(q - r) for r in ideals)
    upper = min(r + abs(q - r) for r in ideals)
    grid = np.linspace(0.0, 10.0, 2001)
    grid = grid[(np.abs(grid - lower) > 1e-6) & (np.abs(grid - upper) > 1e-6)]
    if lower <= upper:
        grid = np.unique(np.concatenate([grid, [lower, upper, (lower + upper) / 2]]))
    factions = {
        f"v{k}": {
            "role": "faction",
            "principal": "us",
            "ideal": {"pie": r},
            "salience": {"pie": 1.0},
            "clout": 1.0,
        }
        for k, r in enumerate(ideals)
    }
    raw = pie_scenario(rule="aspiration")
    raw["issues"]["pie"] = {"lo": 0.0, "hi": 10.0, "status_quo": q}
    raw["actors"]["iran_lead"]["ideal"]["pie"] = 0.0
    raw["actors"]["iran_lead"]["no_deal_shift"] = 0.0
    del raw["actors"]["us_lead"]
    raw["actors"].update(factions)
    raw["actors"]["us"].update({"ratifier": "v0", "quota": 1.0})
    model = model_of(raw, worlds=grid.size)
    model.domestic_politics(0)
    ok, _ = model.us.ratify(grid[:, None], np.arange(grid.size))
    inside = (grid >= lower - 1e-9) & (grid <= upper + 1e-9)
    assert np.array_equal(ok, inside)
    if lower == upper:  # q between the ideals: the win-set is the status quo alone
        assert ok.sum() == 1 and grid[ok][0] == pytest.approx(q)


def test_models_without_third_parties_still_end() -> None:
    model = model_of(pie_scenario(rule="aspiration", horizon=5), worlds=4)
    model.run()
    assert np.all(model.outcome != RUNNING)
    assert set(model.outcome.tolist()) <= {DEAL, BREAKDOWN, NO_RESOLUTION}
