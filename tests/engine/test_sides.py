"""The model reads the sides' roles from ``sides``, not from the ids ``us`` and ``iran``."""

from __future__ import annotations

import copy
import json
from typing import Any

import numpy as np
import pytest

from sim.mechanisms.outcomes import DEAL, STRIKE_US
from tests.builders import model_of, pie_scenario


def renamed(raw: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """``raw`` with every id in ``names`` replaced (keys and values), and ``sides`` naming them."""
    text = json.dumps(raw)
    for old, new in names.items():
        text = text.replace(f'"{old}', f'"{new}')  # ids and the ids that start with them
    out: dict[str, Any] = json.loads(text)
    out["sides"] = {"enforcer": names["us"], "target": names["iran"]}
    return out


def ultimatum_passed(**us: Any) -> dict[str, Any]:
    """No session before the horizon and the ultimatum passed: only the enforcer may act."""
    return pie_scenario(
        rule="rubinstein",
        horizon=12,
        us={"hawk_faction": "us_lead", **us},
        protocol={"session_dates": ["2030-01-05"], "ultimatum": "2025-01-04"},
    )


def outcomes(raw: dict[str, Any]) -> tuple[np.ndarray, ...]:
    model = model_of(raw, worlds=200, seed=3)
    model.run()
    return model.outcome, model.end_step, model.terms


@pytest.mark.parametrize(
    "raw",
    [
        pie_scenario(rule="rubinstein", horizon=5, us={"belief_halfwidth": 0.0}),
        ultimatum_passed(strike_hazard=0.3, threat_credibility=1.0),
    ],
)
def test_renaming_the_sides_changes_nothing(raw: dict[str, Any]) -> None:
    before = outcomes(raw)
    after = outcomes(renamed(raw, {"us": "washington", "iran": "tehran"}))
    for a, b in zip(before, after, strict=True):
        np.testing.assert_array_equal(a, b)
    assert set(before[0]) & {DEAL, STRIKE_US}  # the case is not empty


def test_the_enforcer_strikes_whatever_its_id() -> None:
    raw = ultimatum_passed(strike_hazard=0.3, threat_credibility=1.0)
    struck = outcomes(raw)[0] == STRIKE_US
    assert 0 < struck.mean() < 1
    # The same parameters on the side named target: it never strikes.
    swapped = {**copy.deepcopy(raw), "sides": {"enforcer": "iran", "target": "us"}}
    swapped["actors"]["iran"]["hawk_faction"] = "iran_lead"
    assert not (outcomes(swapped)[0] == STRIKE_US).any()
