"""The event log (sim.engine.events) and what the model logs in it."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.events import HORIZON, Coded, EventLog, EventRows, event_types
from sim.engine.model import COLLAPSE_CAUSES, NegotiationModel
from sim.mechanisms.outcomes import (
    DEAL,
    OUTCOMES,
    STATES,
    STRIKE_ISRAEL,
    STRIKE_JOINT,
    STRIKE_US,
    STRIKES,
)
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario
from tests.builders import BASELINE

STRIKE_CODES = (STRIKE_ISRAEL, STRIKE_JOINT, STRIKE_US)

SPEC = load_scenario(BASELINE).scenario


def texts(rows: EventRows, column: str) -> list[str]:
    coded = getattr(rows, column)
    return [coded.categories[c] for c in coded.codes]


def test_an_empty_mask_logs_nothing() -> None:
    log = EventLog()
    log.add(np.zeros(5, dtype=bool), 3, "deal")
    assert len(log) == 0 and len(log.rows()) == 0


def test_rows_are_ordered_by_world_then_step_then_logging_order() -> None:
    log = EventLog()
    log.add(np.array([False, True, True]), 0, "shock:a")
    log.add(np.array([True, False, True]), 2, "collapse", "oman", "mediator")
    log.add(np.array([False, False, True]), 2, "strike_israel", "israel")
    log.add(np.array([False, True, False]), 5, "shock:a")  # a repeat: a second row
    rows = log.rows()
    assert rows.world.tolist() == [0, 1, 1, 2, 2, 2]
    assert rows.step.tolist() == [2, 0, 5, 0, 2, 2]
    assert texts(rows, "event") == [
        "collapse",
        "shock:a",
        "shock:a",
        "shock:a",
        "collapse",
        "strike_israel",
    ]
    assert texts(rows, "actor") == ["oman", "", "", "", "oman", "israel"]
    assert texts(rows, "details") == ["mediator", "", "", "", "mediator", ""]


def test_details_may_differ_per_world() -> None:
    log = EventLog()
    log.add(np.array([True, False, True]), 9, HORIZON, details=np.array(["a", "b", "c"], object))
    assert texts(log.rows(), "details") == ["a", "c"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.lists(st.booleans(), min_size=4, max_size=4),
            st.integers(0, 3),
            st.sampled_from(["deal", "collapse", "shock:x"]),
        ),
        max_size=12,
    )
)
def test_property_rows_are_every_logged_pair_sorted(
    calls: list[tuple[list[bool], int, str]],
) -> None:
    """The rows are exactly the (world, step, event) pairs logged, sorted stably by world, step."""
    log = EventLog()
    expected = []
    step = 0
    for seq, (mask, gap, event) in enumerate(calls):
        step += gap  # the model logs in time order
        log.add(np.array(mask), step, event)
        expected += [(w, step, seq, event) for w in np.flatnonzero(mask)]
    expected.sort()
    rows = log.rows()
    assert list(
        zip(rows.world.tolist(), rows.step.tolist(), texts(rows, "event"), strict=True)
    ) == [(w, s, e) for w, s, _, e in expected]


def test_event_types_name_every_shock_and_patron() -> None:
    names = event_types(SPEC)
    assert names[:4] == ["deal", *STRIKES]
    assert {f"shock:{s}" for s in SPEC.shocks} <= set(names)
    assert {"mediation:china", "distance:russia"} <= set(names)
    assert HORIZON not in names


@pytest.fixture(scope="module")
def finished() -> tuple[NegotiationModel, EventRows]:
    model = NegotiationModel(SPEC, block_seed(8, 0), np.arange(2000))
    model.run()
    return model, model.events.rows()


def first_step(rows: EventRows, event: str, n: int) -> np.ndarray:
    """Each world's first step of ``event`` (-1: never), from the rows."""
    out = np.full(n, -1)
    names = np.array(texts(rows, "event"))
    for w, s in zip(rows.world[names == event][::-1], rows.step[names == event][::-1], strict=True):
        out[w] = s
    return out


def test_the_log_agrees_with_the_worlds_step_arrays(
    finished: tuple[NegotiationModel, EventRows],
) -> None:
    """Every per-world step worlds.parquet keeps (version 1's, :meth:`first_view`) is the first
    row of its event in the log up to the world's first decisive event."""
    model, all_rows = finished
    n = model.n_worlds
    rows = until_first_decisive(model, all_rows)
    first = model.first_view()
    arrays = {
        "snapback": first["snapback_step"],
        "backing": first["backing_step"],
        "collapse": first["collapse_step"],
        "bog_down": first["bog_step"],
        **{f"shock:{k}": first[f"shock.{k}"] for k in model.shock_step},
        **{f"mediation:{k}": first[f"mediation.{k}"] for k in model.mediation_step},
        **{f"distance:{k}": first[f"distance.{k}"] for k in model.distance_step},
    }
    for name, steps in arrays.items():
        assert np.array_equal(first_step(rows, name, n), steps), name
    assert (first["collapse_step"] >= 0).sum() > 50
    names = np.array(texts(rows, "event"))
    causes = np.array(texts(rows, "details"))[names == "collapse"]
    assert causes.tolist() == [COLLAPSE_CAUSES[c] for c in first["collapse_cause"] if c]


def until_first_decisive(model: NegotiationModel, rows: EventRows) -> EventRows:
    """The rows of each world up to the step of its first decisive event (all, if none)."""
    decided = np.isin(model.outcome, [DEAL, *STRIKE_CODES])
    limit = np.where(decided, model.end_step, model.spec.horizon)
    keep = rows.step <= limit[rows.world]
    return EventRows(
        world=rows.world[keep],
        step=rows.step[keep],
        event=Coded(rows.event.codes[keep], rows.event.categories),
        actor=Coded(rows.actor.codes[keep], rows.actor.categories),
        details=Coded(rows.details.codes[keep], rows.details.categories),
    )


def test_decisive_events_are_the_outcomes_and_set_the_state(
    finished: tuple[NegotiationModel, EventRows],
) -> None:
    model, all_rows = finished
    n = model.n_worlds
    rows = until_first_decisive(model, all_rows)
    outcome = np.array(OUTCOMES)[model.outcome - 1]
    for name in ("deal", *STRIKES):
        assert np.array_equal(
            first_step(rows, name, n), np.where(outcome == name, model.end_step, -1)
        ), name
    state = model.states()
    expected = {
        "deal": "deal_in_force",
        "breakdown": "talks_collapsed",
        "no_resolution": "talks_ongoing",
    }
    struck = np.isin(outcome, STRIKES)
    assert [expected[o] for o in outcome[~struck]] == state[~struck].tolist()
    # A struck world goes on: at war, under a ceasefire, talking again or in a later deal.
    assert set(state[struck]) <= set(STATES) - {"interim_in_force"}
    assert "at_war" in set(state[struck]) and len(set(state[struck])) > 1
    assert "interim_in_force" not in set(state)


def test_every_world_has_one_horizon_row_with_its_state(
    finished: tuple[NegotiationModel, EventRows],
) -> None:
    model, rows = finished
    at = np.array(texts(rows, "event")) == HORIZON
    assert rows.world[at].tolist() == list(range(model.n_worlds))
    assert set(rows.step[at].tolist()) == {SPEC.horizon}
    assert np.array(texts(rows, "details"))[at].tolist() == model.states().tolist()
    # the horizon is each world's last row
    last = np.r_[rows.world[1:] != rows.world[:-1], True]
    assert at[last].all()
