"""No scenario contradicts the observed history: nothing ends, and no snapback, before it ends.

The articles report talks still going on after the round of 11 May 2025
(``calendar.observed_until``); decisions are held back until the week after, and so are the
strikes, walk-outs and snapbacks that shocks force.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.runs.ensemble import run
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_no_world_ends_or_snaps_back_within_the_observed_history(path: Path) -> None:
    loaded = load_scenario(path)
    spec = loaded.scenario
    assert spec.calendar.observed_until is not None
    open_from = spec.date_to_step(spec.calendar.observed_until) + 1
    worlds = run(loaded, worlds=400, seed=11).worlds
    assert (worlds["step"] >= open_from).all()
    snapped = worlds["snapback_step"][worlds["snapback_step"] >= 0]
    assert (snapped >= open_from).all()


def test_a_shock_that_forces_a_strike_waits_for_the_end_of_the_observed_history(
    tmp_path: Path,
) -> None:
    """A forcing shock whose trigger holds from the start fires first in the week after."""
    scenario = tmp_path / "early.yaml"
    scenario.write_text(
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
        "name: early\n"
        "shocks:\n"
        "  strike_now:\n"
        "    trigger: {after: 2025-04-12, hazard: 1.0}\n"
        "    effects: [{action: strike_israel}]\n"
        "    assumption: a test\n",
        encoding="utf-8",
    )
    loaded = load_scenario(scenario)
    spec = loaded.scenario
    open_from = spec.date_to_step(spec.calendar.observed_until) + 1
    worlds = run(loaded, worlds=50, seed=1).worlds
    assert (worlds["outcome"] == "strike_israel").all()
    assert (worlds["step"] == open_from).all()


def test_a_forcing_shock_timed_inside_the_history_is_refused(tmp_path: Path) -> None:
    from sim.scenario import ScenarioError

    scenario = tmp_path / "never.yaml"
    scenario.write_text(
        f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
        "name: never\n"
        "shocks:\n"
        "  strike_then:\n"
        "    trigger: {at: 2025-05-01}\n"
        "    effects: [{action: strike_israel}]\n"
        "    assumption: a test\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(scenario)
    text = "\n".join(map(str, caught.value.problems))
    assert "shocks.strike_then.trigger.at" in text and "observed history" in text
