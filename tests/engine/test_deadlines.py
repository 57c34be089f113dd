"""Deadlines that move: extended, walked out of, let pass (docs/model.md §3.4.28)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli.main import main
from sim.engine.events import DEADLINE_EVENTS, event_types
from sim.engine.model import COLLAPSE_CAUSES, NegotiationModel
from sim.mechanisms.bargaining import aspiration
from sim.mechanisms.deadlines import FINAL
from sim.mechanisms.outcomes import STATES
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario
from tests.builders import baseline_raw, pie_scenario

DEADLINE = "2025-02-01"
"""Step 4 of the pie scenario (it starts on 2025-01-04, weekly steps)."""
HALF_LIFE = 10.0
BETA = 1.0


def apart(deadlines: list[dict[str, Any]], horizon: int = 12, **decision: float) -> dict[str, Any]:
    """The pie with no zone of agreement (the US needs x ≥ 0.7, Iran x ≤ 0.3): no deal ever."""
    return pie_scenario(
        rule="aspiration",
        horizon=horizon,
        us_faction={"no_deal_shift": 0.7},
        iran_faction={"no_deal_shift": -0.3},
        iran={
            "deadlines": deadlines,
            "concession_beta": BETA,
            "patience_half_life": HALF_LIFE,
        },
        protocol={"deadline_decision": {"extension_weeks": 3, **decision}},
    )


def run(raw: dict[str, Any], steps: int, worlds: int = 1, record: bool = False) -> NegotiationModel:
    """A model of ``raw`` stepped ``steps`` times (block 0 of root seed 0)."""
    spec = load_scenario(raw).scenario
    model = NegotiationModel(spec, block_seed(0, 0), np.arange(worlds), record=record)
    for _ in range(steps):
        model.step()
    return model


def iran_aspiration(model: NegotiationModel, step: int) -> tuple[float, float]:
    """Iran's recorded aspiration and reservation value at a step's session (world 0)."""
    session = model.trace[step].session
    assert session is not None
    side = next(s for s in (session.proposer, session.responder) if s.actor_id == "iran")
    return float(side.aspiration[0]), float(side.reservation[0])


def events(model: NegotiationModel) -> list[tuple[int, str, str, str]]:
    """Every event of the model as (step, event, actor, details)."""
    rows = model.events.rows()
    cats = rows.event.categories, rows.actor.categories, rows.details.categories
    return [
        (int(s), cats[0][e], cats[1][a], cats[2][d])
        for s, e, a, d in zip(
            rows.step, rows.event.codes, rows.actor.codes, rows.details.codes, strict=True
        )
    ]


def test_a_lone_deadline_is_final_and_decides_nothing():
    raw = apart([])
    raw["actors"]["iran"].pop("deadlines")
    raw["actors"]["iran"]["deadline"] = DEADLINE
    model = run(raw, 8, record=True)
    assert model.deadline_now["iran"].tolist() == [4.0]
    assert not any(e[1].startswith("deadline") for e in events(model))
    a, r = iran_aspiration(model, 6)
    assert a == pytest.approx(r)  # past a final deadline: the reservation value
    spec = load_scenario(raw).scenario
    assert not set(DEADLINE_EVENTS) & set(event_types(spec))


def test_an_extended_deadline_moves_the_aspirations_end():
    model = run(apart([{"date": DEADLINE, "at": "extend"}]), 9, record=True)
    assert (4, "deadline_extended", "iran", "2025-02-22") in events(model)
    a5, r = iran_aspiration(model, 5)
    expected = aspiration(5, np.array([7.0]), np.array([r]), np.array([BETA]))[0]
    assert a5 == pytest.approx(expected)
    assert a5 > r + 0.05  # above the reservation value again: the end moved from step 4 to 7
    a7, r7 = iran_aspiration(model, 7)
    assert a7 == pytest.approx(r7)
    # the extended deadline is decided when it passes: by default let pass
    assert (7, "deadline_passed", "iran", "2025-02-22") in events(model)


def test_a_walkout_at_a_deadline_collapses_the_talks():
    model = run(apart([{"date": DEADLINE, "at": "walkout"}]), 8)
    assert STATES[model.phase[0]] == "talks_collapsed"
    assert model.collapse_step[0] == 4
    assert COLLAPSE_CAUSES[model.collapse_cause[0]] == "deadline"
    log = events(model)
    assert (4, "deadline_walkout", "iran", DEADLINE) in log
    assert (4, "collapse", "iran", "deadline") in log
    assert model.offers[0] == 5  # no session after the walk-out (steps 0 to 4)


def test_letting_the_last_deadline_pass_switches_to_the_deadline_free_tactic():
    model = run(apart([{"date": DEADLINE, "at": "pass"}]), 9, record=True)
    assert np.isinf(model.deadline_now["iran"][0])
    assert (4, "deadline_passed", "iran", DEADLINE) in events(model)
    for step in (6, 8):
        a, r = iran_aspiration(model, step)
        assert a == pytest.approx(r + (1 - r) * 2 ** (-step / HALF_LIFE))


def test_a_passed_deadline_gives_way_to_the_next_listed_one():
    listed = [{"date": DEADLINE, "at": "pass"}, {"date": "2025-03-01", "at": "final"}]
    model = run(apart(listed), 10, record=True)
    assert model.deadline_now["iran"].tolist() == [8.0]
    a6, r = iran_aspiration(model, 6)
    assert a6 == pytest.approx(aspiration(6, np.array([8.0]), np.array([r]), np.array([BETA]))[0])
    a9, r9 = iran_aspiration(model, 9)
    assert a9 == pytest.approx(r9)  # past the final one: its reservation value


@settings(max_examples=8, deadline=None)
@given(gaps=st.tuples(st.floats(0.0, 0.3), st.floats(0.0, 0.3)), ratifiable=st.booleans())
def test_extension_is_likelier_where_the_sides_are_closer(gaps, ratifiable):
    """Same draws, two gaps: every world that extends when far apart extends when close."""
    near, far = sorted(gaps)
    raw = apart(
        [{"date": DEADLINE}],
        extend_probability=0.2,
        walkout_probability=0.3,
        closeness_weight=3.0,
        ratifiable_weight=1.0,
    )
    extended = []
    for gap in (near, far):
        model = run(raw, 4, worlds=400)
        model.last_gap[:] = gap
        model.last_ratifiable[:] = ratifiable
        model.deadlines_pass(4)
        extended.append(model.deadline_now["iran"] == 7)
    assert np.all(extended[1] <= extended[0])
    if near < far - 0.05:
        assert extended[0].sum() > extended[1].sum()


def test_a_scenario_with_two_deadlines_runs_end_to_end(tmp_path):
    raw = baseline_raw()
    raw.pop("include_shocks", None)  # a copy elsewhere cannot include the library's files
    iran = raw["actors"]["iran"]
    iran.pop("deadline")
    iran["deadlines"] = [
        {"date": "2025-08-30", "note": "a first target date"},
        {"date": "2025-10-18", "note": "the snapback expires"},
    ]
    given = {"assumption": "a test's value"}
    raw["protocol"]["deadline_decision"] = {
        "extend_probability": {"value": 0.3, **given},
        "walkout_probability": {"value": 0.2, **given},
        "closeness_weight": {"value": 2.0, **given},
        "extension_weeks": {"value": 6, **given},
    }
    file = tmp_path / "two_deadlines.yaml"
    file.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    out = tmp_path / "run"
    assert main(["run", str(file), "--worlds", "300", "--seed", "3", "--out", str(out)]) == 0
    log = pd.read_parquet(out / "events.parquet")
    seen = set(log["event"])
    assert set(DEADLINE_EVENTS) <= seen
    walked = log[log["event"] == "deadline_walkout"]
    collapses = log[(log["event"] == "collapse") & (log["details"] == "deadline")]
    assert sorted(walked["world"]) == sorted(collapses["world"])
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(DEADLINE_EVENTS) <= set(summary["event_types"])


def test_deadline_and_a_one_element_final_list_run_identically():
    lone = apart([], horizon=10)
    lone["actors"]["iran"].pop("deadlines")
    lone["actors"]["iran"]["deadline"] = DEADLINE
    listed = apart([{"date": DEADLINE, "at": "final"}], horizon=10)
    a, b = (run(raw, 10, worlds=20) for raw in (lone, listed))
    assert np.array_equal(a.last_offer, b.last_offer)
    assert np.array_equal(a.last_gap, b.last_gap)
    assert events(a) == events(b)


def test_where_the_talks_are_off_a_deadline_passes_without_a_decision():
    listed = [{"date": DEADLINE, "at": "walkout"}, {"date": "2025-03-01", "at": "extend"}]
    model = run(apart(listed), 10)
    assert [e[1] for e in events(model) if e[1].startswith("deadline")] == ["deadline_walkout"]
    assert np.isinf(model.deadline_now["iran"][0])  # the second passed too, undecided


def test_no_walkout_at_a_deadline_within_the_observed_history():
    raw = apart([{"date": DEADLINE, "at": "walkout"}])
    raw["calendar"]["observed_until"] = "2025-02-08"
    model = run(raw, 8)
    assert STATES[model.phase[0]] == "talks_ongoing"
    assert (4, "deadline_passed", "iran", DEADLINE) in events(model)


def test_an_extension_does_not_skip_a_final_deadline_listed_before_its_end():
    listed = [{"date": DEADLINE, "at": "extend"}, {"date": "2025-02-15", "at": "final"}]
    model = run(apart(listed), 10, record=True)
    assert (4, "deadline_extended", "iran", "2025-02-15") in events(model)
    assert model.deadline_now["iran"].tolist() == [6.0]
    a, r = iran_aspiration(model, 8)
    assert a == pytest.approx(r)  # held at the final date's reservation value


KINDS = st.sampled_from(["decide", "extend", "walkout", "pass"])


@settings(max_examples=10, deadline=None)
@given(
    days=st.lists(st.integers(1, 80), min_size=1, max_size=4, unique=True),
    kinds=st.lists(KINDS, min_size=4, max_size=4),
    final=st.booleans(),
    p=st.tuples(st.floats(0, 1), st.floats(0, 1)),
    weeks=st.integers(1, 6),
)
def test_every_passing_deadline_is_resolved_once_and_logged_consistently(
    days, kinds, final, p, weeks
):
    start = dt.date(2025, 1, 4)
    listed = [
        {"date": (start + dt.timedelta(days=d)).isoformat(), "at": kind}
        for d, kind in zip(sorted(days), kinds, strict=False)
    ]
    if final:
        listed[-1]["at"] = "final"
    raw = apart(listed, horizon=14, extend_probability=p[0], walkout_probability=p[1] / 2)
    model = run(raw, 0, worlds=30)
    for t in range(14):
        model.step()
        pending = model.deadline_kind["iran"] > FINAL  # decided when it passes
        assert not np.any(model.alive & pending & (model.deadline_now["iran"] <= t))
    log = events(model)
    walkouts = sum(e[1] == "deadline_walkout" for e in log)
    assert walkouts == sum(e[1] == "collapse" and e[3] == "deadline" for e in log)
    assert walkouts == int(np.sum(model.collapse_cause == COLLAPSE_CAUSES.index("deadline")))
