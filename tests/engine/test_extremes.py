"""Valid but extreme scenarios run to the end without NaN or crash."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sim.mechanisms.outcomes import RUNNING
from sim.runs.ensemble import run
from sim.scenario.params import MAX_MAGNITUDE
from tests.builders import baseline_raw, model_of

Raw = dict[str, Any]


def zero_salience(raw: Raw) -> None:
    for actor in raw["actors"].values():
        for issue in actor.get("salience", {}):
            actor["salience"][issue] = 0.0


def identical_ideals(raw: Raw) -> None:
    for actor in raw["actors"].values():
        for issue in actor.get("ideal", {}):
            actor["ideal"][issue] = 30.0 if issue == "enrichment" else 0.5


def discount_one(raw: Raw) -> None:
    for actor in raw["actors"].values():
        actor["discount"] = 1.0


def one_actor_per_side(raw: Raw) -> None:
    keep = {"us", "iran", "us_president", "supreme_leader"}
    raw["actors"] = {k: v for k, v in raw["actors"].items() if k in keep}
    raw["actors"]["us"].pop("hawk_faction")
    raw["actors"]["iran"].pop("hawk_faction")
    raw["shocks"] = {}
    raw.pop("include_shocks", None)


def horizon_one(raw: Raw) -> None:
    raw["horizon"] = 1


def zero_clout_factions(raw: Raw) -> None:
    raw["actors"]["us_hawks"]["clout"] = 0.0
    raw["actors"]["us_doves"]["clout"] = 0.0
    raw["actors"]["pragmatists"]["clout"] = 0.0


def everything_at_bounds(raw: Raw) -> None:
    raw["actors"]["israel"]["strike_temperature"] = 0.0
    raw["actors"]["iran"]["walkout_temperature"] = 0.0
    raw["actors"]["e3"]["hazard"] = 1.0
    raw["actors"]["iran"]["pressure_initial"] = 1.0
    raw["programme"]["initial_progress"] = 1.0
    raw["protocol"]["breakdown_risk"] = 1.0


def utility_shifts_at_limits(raw: Raw) -> None:
    """Every utility shift, cost and per-step rate at the top of its allowed range."""
    for actor in raw["actors"].values():
        for key, value in (
            ("no_deal_shift", 10.0),
            ("breakdown_value", -10.0),
            ("strike_resolve", 10.0),
            ("collapse_resolve", 10.0),
            ("war_cost", 10.0),
            ("target_war_cost", 10.0),
            ("deal_aversion", 10.0),
            ("lobbying", 1.0),
            ("pressure_rate", 1.0),
            ("pressure_sensitivity", 10.0),
            ("belief_halfwidth", 10.0),
        ):
            if key in actor:
                actor[key] = value


def magnitudes_at_limit(raw: Raw) -> None:
    """Unbounded parameters (clout, gains, temperatures, shapes) at the general cap 1e6."""
    for actor in raw["actors"].values():
        for key in (
            "clout",
            "pressure_clout_gain",
            "lobbying_clout_gain",
            "strike_temperature",
            "walkout_temperature",
            "concession_beta",
            "breakout_convexity",
            "urgency",
            "pressure_boost",
        ):
            if key in actor:
                actor[key] = MAX_MAGNITUDE
    raw["issues"]["enrichment"].update(
        lo=-MAX_MAGNITUDE, hi=MAX_MAGNITUDE, levels=[-MAX_MAGNITUDE, 0.0, MAX_MAGNITUDE]
    )


EXTREMES: dict[str, Callable[[Raw], None]] = {
    "zero_salience": zero_salience,
    "identical_ideals": identical_ideals,
    "discount_one": discount_one,
    "one_actor_per_side": one_actor_per_side,
    "horizon_one": horizon_one,
    "zero_clout_factions": zero_clout_factions,
    "everything_at_bounds": everything_at_bounds,
    "utility_shifts_at_limits": utility_shifts_at_limits,
    "magnitudes_at_limit": magnitudes_at_limit,
}


UNDERFLOW_IS_FINE = {"magnitudes_at_limit"}
"""Cases where numbers underflow to 0 (``k ** 1e6``), which is the right answer."""


def inline_shocks(raw: Raw) -> Raw:
    """The baseline as a mapping: library shocks are not available without a file."""
    out = copy.deepcopy(raw)
    out.pop("include_shocks", None)
    return out


@pytest.mark.parametrize("name", sorted(EXTREMES))
@pytest.mark.parametrize("rule", ["aspiration", "rubinstein", "nash_mediator", "screening"])
def test_extreme_scenarios_run_without_nan(name: str, rule: str) -> None:
    raw = inline_shocks(baseline_raw())
    EXTREMES[name](raw)
    raw["protocol"]["proposal_rule"] = rule
    model = model_of(raw, worlds=40, seed=3)
    # No overflow, division by zero or invalid operation (nor underflow, unless harmless).
    under = "ignore" if name in UNDERFLOW_IS_FINE else "raise"
    with np.errstate(all="raise", under=under):
        model.run()
    assert np.all(model.outcome != RUNNING)
    for side in (model.us, model.iran):
        for array in (
            side.stance,
            side.issue_weights,
            side.clout,
            side.pressure,
            side.reservation(),
        ):
            assert np.all(np.isfinite(array)), (name, side.actor_id)
    assert np.all(np.isfinite(model.progress))
    deal = model.outcome == 1
    assert np.all(np.isfinite(model.terms[deal]))


def test_one_world() -> None:
    result = run(inline_shocks(baseline_raw()), worlds=1, seed=0)
    assert len(result.worlds) == 1
    assert sum(o["count"] for o in result.summary["outcomes"].values()) == 1
