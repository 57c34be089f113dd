"""A world's phases read back from its events alone (the episode figure's bands)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from sim.engine.events import PHASE_AFTER_EVENT
from sim.runs.ensemble import run
from sim.runs.events import Phase, horizon_state, phases, start_phase, world_events
from tests.builders import BASELINE

ROOT_SCENARIOS = BASELINE.parent

SEED = 20250412


@pytest.fixture(scope="module")
def ran():  # type: ignore[no-untyped-def]
    return run(BASELINE, worlds=400, seed=SEED)


def test_the_phases_read_from_the_events_end_in_the_state_at_the_horizon(ran) -> None:  # type: ignore[no-untyped-def]
    events, worlds = ran.events, ran.worlds
    horizon = int(events["step"].max())
    seen = set()
    for world, state in zip(worlds["world"], worlds["state"], strict=True):
        rows = world_events(events, int(world))
        spans = phases(rows, horizon)
        assert spans[-1].state == state == horizon_state(rows)
        assert spans[0].start == 0 and spans[-1].end == horizon
        assert all(a.end == b.start and a.state != b.state for a, b in itertools.pairwise(spans))
        seen |= {s.state for s in spans}
    # a test that never saw a war, a ceasefire or resumed talks would prove little
    assert {"at_war", "ceasefire", "talks_ongoing", "deal_in_force", "talks_collapsed"} <= seen
    interims = {"interim", "interim_renewed", "interim_lapsed"}  # the baseline has none
    assert set(PHASE_AFTER_EVENT) - interims <= set(ran.summary["event_types"])


def test_changes_at_one_step_leave_no_empty_span() -> None:
    rows = pd.DataFrame(
        {
            "step": [3, 3, 3, 9, 12, 20],
            "event": [
                *("collapse", "strike_us", "retaliation"),
                *("ceasefire", "talks_resume", "horizon"),
            ],
            "details": ["walkout", "", "escalating", "", "", "talks_ongoing"],
        }
    )
    assert phases(rows, 20) == [
        Phase("talks_ongoing", 0, 3),
        Phase("at_war", 3, 9),
        Phase("ceasefire", 9, 12),
        Phase("talks_ongoing", 12, 20),
    ]
    assert horizon_state(rows) == "talks_ongoing"


def test_a_run_that_starts_at_war_is_read_from_its_start_phase() -> None:
    from tests.engine.test_episodes import started

    result = run(started("at_war"), worlds=200, seed=SEED)
    first = start_phase(result.summary)
    assert first == "at_war" and start_phase({}) == "talks_ongoing"
    events, horizon = result.events, int(result.events["step"].max())
    seen = set()
    for world, state in zip(result.worlds["world"], result.worlds["state"], strict=True):
        rows = world_events(events, int(world))
        spans = phases(rows, horizon, first)
        at_once = ((rows["step"] == 0) & (rows["event"].astype(str) == "ceasefire")).any()
        assert spans[0].state == ("ceasefire" if at_once else "at_war")  # a war of 0 steps: none
        assert spans[-1].state == state
        seen.add(spans[0].state)
    assert seen == {"at_war", "ceasefire"}


def test_the_phases_of_interim_worlds_end_in_their_state() -> None:
    result = run(ROOT_SCENARIOS / "interim_deal.yaml", worlds=300, seed=SEED)
    events, horizon = result.events, int(result.events["step"].max())
    seen = set()
    for world, state in zip(result.worlds["world"], result.worlds["state"], strict=True):
        spans = phases(world_events(events, int(world)), horizon, start_phase(result.summary))
        assert spans[-1].state == state
        seen |= {s.state for s in spans}
    assert {"interim_in_force", "talks_ongoing", "deal_in_force"} <= seen
    assert set(PHASE_AFTER_EVENT) <= set(result.summary["event_types"])
