"""Valid but extreme scenarios run to the end without NaN or crash."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sim.ensemble import run
from sim.outcomes import RUNNING
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


EXTREMES: dict[str, Callable[[Raw], None]] = {
    "zero_salience": zero_salience,
    "identical_ideals": identical_ideals,
    "discount_one": discount_one,
    "one_actor_per_side": one_actor_per_side,
    "horizon_one": horizon_one,
    "zero_clout_factions": zero_clout_factions,
    "everything_at_bounds": everything_at_bounds,
}


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
    with np.errstate(all="raise"):  # no overflow, division by zero or invalid operation
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
