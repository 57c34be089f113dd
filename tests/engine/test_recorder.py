"""The recorder: typed events and step records, kept only when a run asks for them.

A known world (seed 7, the worlds whose explanations the behaviour fingerprint keeps) pins the
events the engine emits; the parts recorded are those the engine decided with.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.engine.model import NegotiationModel
from sim.engine.recorder import Recorder, snapshot
from sim.engine.records import StepRecord, WorldState
from sim.mechanisms.outcomes import DEAL, RUNNING, STATES, STRIKE_ISRAEL
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
SEED = 7


def world(scenario: str, local: int, *, record: bool = True) -> NegotiationModel:
    """World ``local`` of block 0 of a shipped scenario, run to its end."""
    spec = load_scenario(ROOT / "scenarios" / f"{scenario}.yaml").scenario
    model = NegotiationModel(spec, block_seed(SEED, 0), np.array([local]), record=record)
    model.run()
    return model


@pytest.fixture(scope="module")
def breakdown() -> NegotiationModel:
    return world("baseline", 38)  # talks collapse: a breakdown at step 23


@pytest.fixture(scope="module")
def preempted() -> NegotiationModel:
    return world("israel_preempts", 13)  # the forced Israeli strike at step 7


def test_nothing_is_recorded_unless_asked() -> None:
    spec = load_scenario(ROOT / "scenarios" / "baseline.yaml").scenario
    quiet = NegotiationModel(spec, block_seed(SEED, 0), np.arange(300))
    loud = NegotiationModel(spec, block_seed(SEED, 0), np.arange(300), record=True)
    quiet.run()
    loud.run()
    assert quiet.recorder is None and quiet.trace == []
    assert loud.recorder is not None and len(loud.trace) == loud.step_index
    # Recording changes nothing of what happens.
    for name in ("outcome", "end_step", "terms", "collapse_step", "snapback_step", "progress"):
        assert np.array_equal(getattr(quiet, name), getattr(loud, name), equal_nan=True), name


def test_one_record_per_step_with_the_state_at_its_end(breakdown: NegotiationModel) -> None:
    trace = breakdown.trace
    assert [r.step for r in trace] == list(range(len(trace)))
    assert all(isinstance(r, StepRecord) for r in trace)
    # Records are snapshots: the first still shows the world running, the last its end.
    assert trace[0].world.outcome[0] == RUNNING
    assert trace[-1].world.outcome[0] == breakdown.outcome[0]
    assert trace[-1].world.collapsed[0] and not trace[0].world.collapsed[0]
    for r in trace:
        assert set(r.principals) == {"us", "iran"}
        shares = r.principals["us"].shares
        assert shares.shape == (len(breakdown.us.factions), 1)
        assert np.isclose(shares.sum(), 1.0)


def test_the_sessions_of_a_known_world(breakdown: NegotiationModel) -> None:
    first = breakdown.trace[0].session
    assert first is not None and first.live[0]
    assert (first.proposer.actor_id, first.responder.actor_id) == ("us", "iran")
    # As ``negsim explain`` tells it: worth 0.52 to Tehran, aspiration 1.00, no deal 0.64.
    assert f"{first.responder.utility[0]:.2f}" == "0.52"
    assert f"{first.responder.aspiration[0]:.2f}" == "1.00"
    assert f"{first.responder.reservation[0]:.2f}" == "0.64"
    assert not first.accepted[0] and not first.deal[0]
    second = breakdown.trace[1].session
    assert second is not None and second.proposer.actor_id == "iran"
    # The recorded votes are those the engine decided with.
    for r in breakdown.trace:
        s = r.session
        if s is not None:
            both = s.proposer.vote.passed & s.responder.vote.passed
            assert np.array_equal(
                s.deal, s.live & s.accepted & both & (r.step >= breakdown.open_from)
            )
            assert np.array_equal(
                s.side("iran").vote.prefers,
                s.side("iran").vote.u_package >= s.side("iran").vote.u_no_deal,
            )
    assert breakdown.outcome[0] != DEAL


def test_a_forced_strike_is_an_event(preempted: NegotiationModel) -> None:
    # The strike is the world's outcome at step 7, and the world goes on after it (episodes).
    assert preempted.outcome[0] == STRIKE_ISRAEL and preempted.end_step[0] == 7
    last = preempted.trace[-1].step
    assert last > 7  # it runs to the horizon, or to a later deal, which stops a world
    assert last == preempted.spec.horizon - 1 or STATES[preempted.phase[0]] == "deal_in_force"
    trace = [r for r in preempted.trace if r.step <= 7]
    assert trace[-1].fired("israel_preemptive_strike")
    assert not any(r.fired("israel_preemptive_strike") for r in trace[:-1])
    assert set(trace[-2].shocks) <= set(preempted.spec.shocks)
    # The shocks recorded are the shocks the model saw fire.
    for name, step in preempted.shock_step.items():
        fired = [r.step for r in preempted.trace if r.fired(name)]
        assert fired[:1] == ([int(step[0])] if step[0] >= 0 else [])


def test_strike_events_hold_the_margin_the_striker_acted_on(preempted: NegotiationModel) -> None:
    for r in preempted.trace[: int(preempted.end_step[0]) + 1]:  # at peace: up to the strike
        event = r.israel
        assert event is not None and event.actor_id == "israel"
        assert np.array_equal(event.margin.total(), event.total)
        assert event.margin.restraint[0] >= 0.0
        us = r.us_strike
        assert us is not None
        assert np.array_equal(
            us.probability,
            np.where(
                us.talks_failed, us.parts.hazard * us.parts.hawk_share * us.parts.credibility, 0.0
            ),
        )


def test_snapshots_do_not_share_arrays() -> None:
    a = np.zeros(3)
    copied = snapshot({"x": (a, [1])})
    a[0] = 1.0
    assert copied["x"][0][0] == 0.0
    recorder = Recorder()
    recorder.begin()
    fire = np.array([True])
    recorder.shock("s", fire)
    fire[0] = False
    state = np.zeros(1)
    recorder.end(0, {}, WorldState(state, state, state, state, state, state))
    state[0] = 1.0
    (record,) = recorder.steps
    assert record.fired("s") and record.world.progress[0] == 0.0
    assert record.session is None and record.israel is None and not record.snapback
