"""Conditioning on observations: the known answer, the checks against a scenario, the weights.

Toy timelines only (invented dates and hazards), never the articles' later events.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from sim.runs.conditioning import (
    check_observations,
    condition,
    ess_warning,
    range_likelihood,
    weigh,
    weighted_ask,
)
from sim.runs.ensemble import as_loaded, run
from sim.runs.events import ask
from sim.scenario.loader import Loaded
from sim.scenario.observations import LoadedObservations, Observations, ObservationsError
from tests.builders import BASELINE, pie_scenario

START = dt.date(2025, 1, 4)
HAZARD = "param.shocks.blip.trigger.hazard"


def toy(a: float = 2.0, b: float = 5.0, horizon: int = 20) -> dict[str, Any]:
    """A pie with no session (talks never end) and one shock whose weekly hazard is Beta(a, b)."""
    raw = pie_scenario(
        rule="nash_mediator", horizon=horizon, protocol={"session_dates": ["2030-01-01"]}
    )
    raw["shocks"] = {
        "blip": {
            "description": "an invented event",
            "trigger": {"hazard": {"dist": "beta", "a": a, "b": b, "assumption": "toy prior"}},
            "effects": [{"op": "add", "path": "actors.us_lead.no_deal_shift", "value": 0.0}],
            "assumption": "toy",
        }
    }
    return raw


def facts(*items: dict[str, Any]) -> LoadedObservations:
    return LoadedObservations(
        Observations.model_validate({"facts": [{"assumption": "toy", **f} for f in items]}), "<toy>"
    )


def end_of_week(k: int) -> str:
    """The last day of the k-th week (step k - 1) of the toy calendar."""
    return (START + dt.timedelta(days=7 * k - 1)).isoformat()


@pytest.mark.parametrize(("a", "b", "k"), [(2.0, 5.0, 10), (1.0, 1.0, 4)])
def test_no_event_for_k_weeks_gives_the_beta_posterior(a: float, b: float, k: int) -> None:
    """Beta(a, b) prior on a weekly hazard, no event in k weeks: the posterior is Beta(a, b + k).

    The posterior mean of the kept worlds' hazards must lie within 4 Monte Carlo standard errors
    of a / (a + b + k) (the prior mean is many errors away: the test can fail).
    """
    obs = facts(
        {"kind": "event", "event": "shock:blip", "happened": "not_by", "date": end_of_week(k)}
    )
    result = condition(toy(a, b), obs, worlds=20_000, seed=3)
    w = result.worlds["weight"].to_numpy()
    h = result.worlds[HAZARD].to_numpy()
    kept = h[w > 0]
    assert set(np.unique(w)) <= {0.0, 1.0}  # a hard fact: exact rejection
    bb = b + k
    mean = a / (a + bb)
    sd = np.sqrt(a * bb / ((a + bb) ** 2 * (a + bb + 1)))
    error = sd / np.sqrt(len(kept))
    assert abs(kept.mean() - mean) < 4 * error
    assert abs(a / (a + b) - mean) > 10 * error  # the prior mean is far: the test can fail
    assert result.summary["conditioning"]["ess"] == len(kept)


def test_event_facts_on_by_and_not_by() -> None:
    raw = toy(a=1.0, b=1.0, horizon=6)
    result = run(raw, worlds=400, seed=1)
    spec = as_loaded(raw).scenario
    events = result.events
    first = events[events["event"] == "shock:blip"].groupby("world")["step"].min()
    step = pd.Series(-1, index=range(400))
    step[first.index] = first
    for happened, expected in [
        ("on", step == 2),
        ("by", (step >= 0) & (step <= 2)),
        ("not_by", (step < 0) | (step > 2)),
    ]:
        obs = facts(
            {"kind": "event", "event": "shock:blip", "happened": happened, "date": end_of_week(3)}
        )
        got = weigh(obs, spec, result.worlds, events).weights
        assert (got > 0).tolist() == expected.tolist(), happened


def test_a_parameter_fact_weighs_by_the_likelihood_of_the_drawn_value() -> None:
    raw = toy(horizon=2)
    obs = facts(
        {
            "kind": "parameter",
            "path": "shocks.blip.trigger.hazard",
            "low": 0.2,
            "high": 0.3,
            "error": 0.05,
            "date": end_of_week(1),
        }
    )
    result = condition(raw, obs, worlds=300, seed=2)
    h = result.worlds[HAZARD].to_numpy()
    expected = norm.cdf((0.3 - h) / 0.05) - norm.cdf((0.2 - h) / 0.05)
    assert np.allclose(result.worlds["weight"], expected)


def test_range_likelihoods() -> None:
    x = np.array([0.0, 0.5, 1.0, np.nan])
    assert range_likelihood(x, 0.4, 0.6, 0.0).tolist() == [0.0, 1.0, 0.0, 0.0]
    assert np.allclose(range_likelihood(x, 0.5, 0.5, 0.1)[:3], norm.pdf(0.5, x[:3], 0.1))
    assert range_likelihood(x, 0.5, 0.5, 0.1)[3] == 0.0


def baseline_unforced() -> Loaded:
    """The baseline without its imposed history, so that early sessions may fail to happen."""
    return as_loaded(BASELINE, {"calendar.observed_until": None})


SESSION_STEP = 4  # 2025-05-10: the fifth weekly session of the baseline


def session_and_offer(low: float, high: float, error: float) -> LoadedObservations:
    """A session held on 10 May 2025 and Iran's enrichment offer in a range on 19 April."""
    offer = {"kind": "offer", "side": "iran", "issue": "enrichment", "date": "2025-04-19"}
    return facts(
        {"kind": "session", "date": "2025-05-10"},
        {**offer, "low": low, "high": high, "error": error},
    )


def test_sessions_and_offers_are_observed_where_the_talks_were_on() -> None:
    raw = baseline_unforced()
    obs = session_and_offer(0, 100, 0)  # an offer at all: Iran's talks went on to it
    result = condition(raw, obs, worlds=300, seed=4)
    plain = run(raw, worlds=300, seed=4)
    kept = result.worlds["weight"].to_numpy() > 0
    worlds = plain.worlds
    collapse = worlds["collapse_step"].to_numpy()
    on = (worlds["step"].to_numpy() >= SESSION_STEP) & ((collapse < 0) | (collapse >= SESSION_STEP))
    assert kept.any() and not kept.all()
    assert not (kept & ~on).any()  # a world kept had its talks on at the session
    pd.testing.assert_frame_equal(result.worlds.drop(columns="weight"), worlds)  # no world changed


def test_facts_that_do_not_fit_the_scenario_are_refused_with_their_fields() -> None:
    raw = toy(horizon=4)
    obs = facts(
        {"kind": "event", "event": "shock:nothing", "happened": "by", "date": end_of_week(1)},
        {"kind": "event", "event": "deal", "happened": "by", "date": "2031-01-01"},
        {"kind": "session", "date": end_of_week(1)},
        {
            "kind": "parameter",
            "path": "actors.us_lead.clout",
            "low": 0,
            "high": 1,
            "date": end_of_week(1),
        },
        {
            "kind": "offer",
            "side": "gulf",
            "issue": "oil",
            "low": 0,
            "high": 1,
            "error": 0.1,
            "date": end_of_week(1),
        },
    )
    with pytest.raises(ObservationsError) as err:
        check_observations(obs, as_loaded(raw).scenario)
    text = str(err.value)
    for part in [
        "facts.0.event: 'shock:nothing' is not an event",
        "facts.1.date: 2031-01-01 is outside the study period",
        "facts.2.date:",
        "has no session",
        "facts.3.path: 'actors.us_lead.clout' is not a parameter the scenario draws",
        "facts.4.side: 'gulf' is not a side",
        "facts.4.issue: 'oil' is not an issue",
    ]:
        assert part in text


def test_unit_weights_ask_what_ask_says() -> None:
    raw = toy(a=1.0, b=3.0, horizon=8)
    result = run(raw, worlds=500, seed=5)
    spec = as_loaded(raw).scenario
    by = dt.date.fromisoformat(end_of_week(5))
    plain = ask(result.events, spec, 500, "shock:blip", by)
    weighted = weighted_ask(result.events, spec, np.ones(500), "shock:blip", by)
    assert weighted["p"] == pytest.approx(plain.p)
    assert weighted["ci95"] == pytest.approx(list(plain.ci95))
    assert weighted["ess"] == pytest.approx(500)


def test_a_small_ess_is_warned_about_with_advice() -> None:
    assert ess_warning(5000, 10_000) is None
    assert "run more worlds" in (ess_warning(0, 1000) or "")
    assert "--worlds" in (ess_warning(50, 1000) or "")
    assert ess_warning(500, 100_000) is not None  # under 1% of the worlds


def test_watching_over_processes_gives_the_same_worlds() -> None:
    """The watch travels to the worker processes: two give one's worlds, column by column."""
    raw = baseline_unforced()
    obs = session_and_offer(2, 4, 1)
    two = condition(raw, obs, worlds=60, seed=7, jobs=2, block_size=30)
    again = condition(raw, obs, worlds=60, seed=7, block_size=30)
    pd.testing.assert_frame_equal(two.worlds, again.worlds)
    assert two.worlds["weight"].nunique() > 2  # the offer was watched in every block
