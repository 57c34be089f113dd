"""Israel and Washington in the engine: failed talks raise Israel's risk; backing is a state.

MODEL.md §8: lock-in counts only a deal both sides would ratify; once talks fail the diplomatic
alternative is gone, so Israel's weekly hazard is higher than while they go on; Washington's
green light is a decision of its own, taken before Israel's, and only a Washington that has
backed Israel joins its strike.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import DEAL, RUNNING, STRIKE_ISRAEL, STRIKE_JOINT
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SEED = 11
WORLDS = 400


def recorded(scenario: str, worlds: int = WORLDS, seed: int = SEED) -> NegotiationModel:
    spec = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml").scenario
    model = NegotiationModel(spec, block_seed(seed, 0), np.arange(worlds), record=True)
    model.run()
    return model


@pytest.fixture(scope="module")
def baseline() -> NegotiationModel:
    return recorded("baseline")


def weekly_hazards(model: NegotiationModel) -> tuple[float, float]:
    """Israel's mean weekly strike probability over world-weeks where it could strike, while
    talks go on and once they have collapsed (the state it decided in)."""
    during, after = [], []
    running = np.ones(model.n_worlds, dtype=bool)
    for r in model.trace:
        event = r.israel
        # Worlds that reached Israel's decision: running at the step's start, no deal this step.
        decided = running & ~((r.world.outcome == DEAL) & (r.world.end_step == r.step))
        if event is not None and r.step >= model.open_from:
            collapsed = r.world.collapsed
            during.append(event.probability[decided & ~collapsed])
            after.append(event.probability[decided & collapsed])
        running = r.world.outcome == RUNNING
    return float(np.concatenate(during).mean()), float(np.concatenate(after).mean())


def test_failed_talks_raise_israels_weekly_hazard(baseline: NegotiationModel) -> None:
    during, after = weekly_hazards(baseline)
    assert 0.0 < during < after


def test_backing_comes_before_the_strike_and_stays(baseline: NegotiationModel) -> None:
    backed_before = np.zeros(baseline.n_worlds, dtype=bool)
    for r in baseline.trace:
        event = r.backing
        assert event is not None
        # Backed worlds stay backed; a world is backed anew only with a positive probability.
        assert np.all(event.backed >= backed_before)
        assert np.array_equal(event.backed, backed_before | event.backs)
        assert np.all(event.backing.probability[event.backs] > 0)
        assert np.all(event.backing.probability[backed_before] == 0)
        strike = r.israel
        assert strike is not None
        # The US joins only a strike it has backed, this step or before.
        assert not np.any(strike.us_joins & ~event.backed)
        backed_before = event.backed
    steps = baseline.backing_step
    assert np.array_equal(steps >= 0, baseline.backed)
    assert (steps >= 0).any()
    # Backing is dated no later than the strike it preceded.
    joint = baseline.outcome == STRIKE_JOINT
    assert joint.any() and np.all(steps[joint] >= 0)
    assert np.all(steps[joint] <= baseline.end_step[joint])


def test_failed_talks_make_backing_likelier(baseline: NegotiationModel) -> None:
    during, after = [], []
    for r in baseline.trace:
        event = r.backing
        assert event is not None
        live = r.world.outcome == RUNNING
        during.append(event.backing.hazard[live & ~event.talks_failed])
        after.append(event.backing.hazard[live & event.talks_failed])
    assert np.concatenate(during).mean() < np.concatenate(after).mean()


def test_a_forced_israeli_strike_draws_the_join_through_backing() -> None:
    model = recorded("israel_preempts", worlds=300)
    israeli = np.isin(model.outcome, (STRIKE_ISRAEL, STRIKE_JOINT))
    joint = model.outcome == STRIKE_JOINT
    assert israeli.sum() > 100
    # A forced strike can now be joined (AUDIT.md §4), and only by a Washington that backed it.
    assert joint.any()
    assert np.all(model.backing_step[joint] >= 0)
    assert np.all(model.joint == joint)
