"""Patrons and the E3 act as MODEL.md section 8 says: lifeline, distancing, mediation, threat."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from sim.engine.model import NegotiationModel
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario
from tests.builders import BASELINE

WORLDS = 300


def model_with(tmp_path: Path, overrides: dict[str, float], seed: int) -> NegotiationModel:
    """A model of the baseline with some parameters overridden (dotted paths)."""
    path = tmp_path / "variant.yaml"
    text = {"extends": str(BASELINE), "name": "variant", "overrides": overrides}
    path.write_text(yaml.safe_dump(text), encoding="utf-8")
    spec = load_scenario(path).scenario
    return NegotiationModel(spec, block_seed(seed, 0), np.arange(WORLDS))


def test_china_distances_only_at_a_collapse_and_withdraws_its_support(tmp_path: Path) -> None:
    cut = {"actors.china.distance_probability": 1.0, "actors.china.distance_cut": 1.0}
    model = model_with(tmp_path, cut, seed=3)
    model.run()
    left = model.distance_step["china"]
    collapsed = model.collapse_step >= 0
    assert collapsed.any() and (~collapsed).any()
    assert np.array_equal(left[collapsed], model.collapse_step[collapsed])
    assert (left[~collapsed] == -1).all()
    china = next(p for p in model.patrons if p.actor_id == "china")
    assert (model.support(china)[collapsed] == 0).all()
    assert np.array_equal(model.support(china)[~collapsed], china.param("support")[~collapsed])
    assert (model.distance_step["russia"] == -1).all()  # Russia's probability is 0


def test_a_patron_mediates_only_once_the_talks_have_bogged_down(tmp_path: Path) -> None:
    always = {"actors.russia.mediation_entry": 1.0, "actors.russia.mediation_rate": 1.0}
    model = model_with(tmp_path, always, seed=4)
    model.run()
    first, bogged = model.mediation_step["russia"], model.bog_step
    assert (bogged >= 0).any()
    assert (first[bogged < 0] == -1).all()
    # entry certain and a proposal at every session: the first comes when the talks bog down
    assert np.array_equal(first[bogged >= 0], bogged[bogged >= 0])
    sessions = model.spec.protocol.bog_down_sessions
    assert (bogged[bogged >= 0] >= sessions).all()  # one session a step from step 0


def test_no_entry_no_mediation(tmp_path: Path) -> None:
    never = {"actors.russia.mediation_entry": 0.0, "actors.russia.mediation_rate": 1.0}
    model = model_with(tmp_path, never, seed=4)
    model.run()
    assert (model.mediation_step["russia"] == -1).all()


def test_the_lifeline_lifts_irans_no_deal_value_by_lifeline_times_support(
    tmp_path: Path,
) -> None:
    model = model_with(tmp_path, {"actors.e3.threat_weight": 0.0}, seed=5)
    model.step()
    expected = sum(p.param("lifeline") * np.clip(model.support(p), 0, 1) for p in model.patrons)
    assert np.allclose(model.iran.outside_shift, expected)
    assert (model.iran.outside_shift > 0).all()


def test_the_snapback_threat_weighs_until_it_is_spent(tmp_path: Path) -> None:
    no_lifeline = {"actors.russia.lifeline": 0.0, "actors.china.lifeline": 0.0}
    model = model_with(tmp_path, no_lifeline, seed=6)
    model.step()
    assert (model.iran.outside_shift < 0).all()  # the threat's expected cost, before any use
    before = model.iran.reservation()
    fired = np.arange(WORLDS) % 2 == 0
    model.trigger_snapback(fired & model.active, model.step_index)
    used = model.snapback_step >= 0
    model.step()
    assert used.any()
    assert (model.iran.outside_shift[used] == 0).all()  # used: the threat is spent
    assert (model.iran.outside_shift[~used & model.active] < 0).all()
    assert (model.iran.no_deal_drop()[used] > 0).all()  # the drop itself applies instead
    assert (model.iran.reservation()[used] < before[used]).all()
