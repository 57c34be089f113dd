"""``state:``: a world starts with its programme set back, snapback in force, red lines known."""

from __future__ import annotations

from typing import Any

import numpy as np

from tests.builders import model_of, pie_scenario

E3 = {
    "role": "third_party",
    "instrument": "snapback",
    "expiry": "2025-10-18",
    "hazard": 0.5,
    "no_deal_drop": 0.1,
    "pressure_boost": 0.5,
    "threat_weight": 1.0,
}


def pie(state: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    raw = pie_scenario(rule="aspiration", horizon=8, **extra)
    if state is not None:
        raw["state"] = state
    return raw


def test_programme_damage_sets_the_progress_back() -> None:
    raw = pie({"programme_damage": {"dist": "uniform", "low": 0.2, "high": 0.6}})
    raw["programme"] = {"initial_progress": 0.5}
    model = model_of(raw, worlds=50)
    damage = model.params["state.programme_damage"]
    np.testing.assert_allclose(model.progress, 0.5 * (1 - damage))
    assert (model_of({**raw, "state": {}}, worlds=50).progress == 0.5).all()


def test_a_snapback_in_force_applies_from_step_0_and_never_again() -> None:
    model = model_of(pie({"snapback": True}, extra_actors={"e3": E3}), worlds=50)
    assert (model.snapback_step == 0).all()
    np.testing.assert_allclose(model.iran.snap_drop, 0.1)
    np.testing.assert_allclose(model.iran.pressure_boost, 0.5)
    assert not model._snapback_threat(0).any()  # the threat is spent
    model.run()
    assert (model.snapback_step == 0).all()
    np.testing.assert_allclose(model.iran.snap_drop, 0.1)  # not triggered a second time
    fresh = model_of(pie(extra_actors={"e3": E3}), worlds=50)
    assert (fresh.snapback_step == -1).all() and not fresh.iran.snap_drop.any()


def test_known_red_lines_are_respected_from_the_first_offer() -> None:
    line = {"red_lines": [{"issue": "pie", "max": 0.6}]}
    known = model_of(pie({"red_lines_known": True}, iran_faction=line), worlds=20)
    known.step()
    np.testing.assert_allclose(known.us.known_upper[:, 0], 0.6)
    assert (known.last_offer[:, 0] <= 0.6 + 1e-12).all()
    unknown = model_of(pie(iran_faction=line), worlds=20)
    unknown.step()
    assert (unknown.last_offer[:, 0] > 0.6).all()  # the US opens beyond Tehran's red line
