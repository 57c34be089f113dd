"""Shocks change parameters as docs/model.md §3.4.21 says, and what other actors know of them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sim.engine.model import NegotiationModel
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario
from sim.scenario.schema import parameter_paths
from tests.builders import BASELINE


def test_the_public_value_of_a_shocked_parameter_follows_the_shock_not_the_draw(
    tmp_path: Path,
) -> None:
    # A draw is private; a shock is public. After `scale` by 2 the others know 2 x central, and
    # after `set` they know the value set, whatever each world drew (not central + draw change).
    shift = "actors.us_president.no_deal_shift"
    sens = "actors.us_president.pressure_sensitivity"
    scenario = tmp_path / "public.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\n"
        "name: public\n"
        "shocks:\n"
        "  public_test:\n"
        "    trigger: {at: 1}\n"
        f"    effects: [{{op: scale, path: {shift}, value: 2.0}}, "
        f"{{op: set, path: {sens}, value: 0.3}}]\n"
        "    assumption: a test\n",
        encoding="utf-8",
    )
    spec = load_scenario(scenario).scenario
    model = NegotiationModel(spec, block_seed(11, 0), np.arange(200))
    trump = next(a for a in model.agents if getattr(a, "actor_id", None) == "us_president")
    assert np.array_equal(trump.public("no_deal_shift"), np.full(200, model.central[shift]))
    model.run()
    fired = model.shock_step["public_test"] == 1
    assert fired.sum() > 150  # the worlds still open at step 1
    assert np.ptp(model.drawn[shift][fired]) > 0  # the worlds drew different values
    expected = np.where(fired, 2 * model.central[shift], model.central[shift])
    assert np.array_equal(trump.public("no_deal_shift"), expected)
    assert np.array_equal(model.params[shift][fired], 2 * model.drawn[shift][fired])
    assert np.array_equal(trump.public("pressure_sensitivity")[fired], np.full(fired.sum(), 0.3))


def test_a_state_trigger_level_is_a_parameter_each_world_draws(tmp_path: Path) -> None:
    """``trigger.when.above`` is a parameter path: drawn per world, and a shock fires in a world
    exactly from the first step its state variable reaches that world's own level."""
    scenario = tmp_path / "level.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\n"
        "name: level\n"
        "shocks:\n"
        "  level_test:\n"
        "    trigger:\n"
        "      when: {variable: pressure, above: {dist: uniform, low: 0.6, high: 0.9}}\n"
        "    effects: [{op: scale, path: actors.us_president.no_deal_shift, value: 1.0}]\n"
        "    assumption: a test\n",
        encoding="utf-8",
    )
    loaded = load_scenario(scenario)
    assert "shocks.level_test.trigger.when.above" in parameter_paths(loaded.scenario)
    model = NegotiationModel(loaded.scenario, block_seed(3, 0), np.arange(300))
    level = model.drawn["shocks.level_test.trigger.when.above"]
    assert np.ptp(level) > 0.2
    pressure = []
    while model.running:
        model.step()
        pressure.append(model.iran.pressure.copy())
    first = model.shock_step["level_test"]
    reached = np.array(pressure) >= level  # (steps, worlds): pressure at the end of each step
    for w in np.flatnonzero(first > 0)[:50]:
        assert reached[first[w] - 1, w] and not reached[: first[w] - 1, w].any()
    assert (first > 0).any() and (first < 0).any()


def test_a_shock_renews_the_caches_of_what_it_changed_and_only_those(tmp_path: Path) -> None:
    """Caches key on the shock versions of the paths they read (``model.version``)."""
    scenario = tmp_path / "versions.yaml"
    scenario.write_text(
        f"extends: {BASELINE}\n"
        "name: versions\n"
        "shocks:\n"
        "  version_test:\n"
        "    trigger: {at: 1}\n"
        "    effects: [{op: scale, path: actors.supreme_leader.ideal.enrichment, value: 0.5}]\n"
        "    assumption: a test\n",
        encoding="utf-8",
    )
    model = NegotiationModel(load_scenario(scenario).scenario, block_seed(5, 0), np.arange(50))
    leader = next(f for f in model.iran.factions if f.actor_id == "supreme_leader")
    trump = next(f for f in model.us.factions if f.actor_id == "us_president")
    before = leader.vector("ideal"), leader.vector("salience"), trump.vector("ideal")
    iran_positions, us_positions = model.iran.faction_positions(), model.us.faction_positions()
    model.step()
    model.step()
    assert model.version("actors.supreme_leader.ideal") == 1
    assert model.version("actors.supreme_leader.ideal.enrichment") == 1
    assert model.version("actors.us_president") == 0
    now = leader.vector("ideal")
    assert now is not before[0]
    d = model.issue_ids.index("enrichment")
    assert np.array_equal(now[:, d], model.params["actors.supreme_leader.ideal.enrichment"])
    assert leader.vector("salience") is before[1]
    assert trump.vector("ideal") is before[2]
    assert model.iran.faction_positions()[0] is not iran_positions[0]
    assert model.us.faction_positions()[0] is us_positions[0]
