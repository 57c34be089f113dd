"""Episodes: a strike is an event, not the end of a world (docs/model.md, "Episodes")."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import OUTCOMES, RUNNING, STATES, STRIKES
from tests.builders import baseline_raw, model_of

STRIKE_STEP = 5
"""The first step after the baseline's observed history (2025-05-11): a forced strike then."""

PHASE_OF = {"deal": "deal_in_force", **dict.fromkeys(STRIKES, "at_war")}
PHASE_OF |= {"ceasefire": "ceasefire", "talks_resume": "talks_ongoing"}
PHASE_OF |= {"collapse": "talks_collapsed"}
PHASE_OF |= {"interim": "interim_in_force", "interim_renewed": "interim_in_force"}
PHASE_OF |= {"interim_lapsed": "talks_ongoing"}
EDGES = {
    ("talks_ongoing", "talks_collapsed"),
    ("talks_ongoing", "deal_in_force"),
    ("talks_ongoing", "at_war"),
    ("talks_collapsed", "at_war"),
    ("at_war", "ceasefire"),
    ("ceasefire", "talks_ongoing"),
    ("ceasefire", "at_war"),
    ("talks_ongoing", "interim_in_force"),
    ("interim_in_force", "interim_in_force"),  # renewed at its expiry
    ("interim_in_force", "talks_ongoing"),  # lapsed
    ("interim_in_force", "deal_in_force"),  # replaced by a comprehensive deal
    ("interim_in_force", "at_war"),
    ("interim_in_force", "talks_collapsed"),
}
"""The phase changes an event may make; nothing leaves a deal in force."""


def war_raw(**war: float) -> dict[str, Any]:
    """The baseline with the war's numbers fixed (``war.NAME: value``)."""
    raw = baseline_raw()
    raw.pop("include_shocks", None)  # a mapping cannot include library files
    for name, value in war.items():
        raw.setdefault("war", {})[name] = {"value": value, "assumption": "a test's value"}
    return raw


def forced_strike(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with Israel striking every world at :data:`STRIKE_STEP`."""
    raw.setdefault("shocks", {})["strike_now"] = {
        "trigger": {"at": STRIKE_STEP},
        "effects": [{"action": "strike_israel"}],
        "assumption": "a test's forced strike",
    }
    return raw


def histories(model: NegotiationModel) -> list[list[tuple[int, str, str]]]:
    """Each world's events as (step, event, details), in the order they happened."""
    rows = model.events.rows()
    out: list[list[tuple[int, str, str]]] = [[] for _ in range(model.n_worlds)]
    for w, s, e, d in zip(rows.world, rows.step, rows.event.codes, rows.details.codes, strict=True):
        out[w].append((int(s), rows.event.categories[e], rows.details.categories[d]))
    return out


@pytest.fixture(scope="module")
def lively() -> NegotiationModel:
    """Baseline worlds with quick ceasefires and resumptions, short interim deals and strikes
    that come in any phase at peace: every edge is exercised."""
    raw = war_raw(ceasefire_hazard=0.3, resumption_hazard=0.3)
    raw["interim"] = {
        "covers": ["enrichment", "sanctions_relief"],
        "duration_weeks": 3,
        "proposal_probability": 0.3,
        "renewal_probability": 0.5,
        "assumption": "a test's quick interim deals",
    }
    raw["shocks"] = {
        "strike_any_time": {
            "trigger": {"after": STRIKE_STEP, "hazard": 0.01},
            "effects": [{"action": "strike_israel"}],
            "once": False,
            "assumption": "a test's strikes in every phase at peace",
        }
    }
    model = model_of(raw, worlds=3000, seed=7)
    model.run()
    return model


def test_phases_change_only_along_the_allowed_edges(lively: NegotiationModel) -> None:
    seen = set()
    for w, history in enumerate(histories(lively)):
        phase = "talks_ongoing"
        for _, event, details in history:
            if event == "horizon":
                assert details == phase == STATES[lively.phase[w]]
            elif event in PHASE_OF:
                assert (phase, PHASE_OF[event]) in EDGES, (w, history)
                seen.add((phase, PHASE_OF[event]))
                phase = PHASE_OF[event]
    assert seen == EDGES  # a test that could not fail on an edge never taken would prove little


def test_the_outcome_is_the_first_decisive_event(lively: NegotiationModel) -> None:
    for w, history in enumerate(histories(lively)):
        decisive = [(s, e) for s, e, _ in history if e == "deal" or e in STRIKES]
        outcome = OUTCOMES[lively.outcome[w] - 1]
        if decisive:
            assert (outcome, int(lively.end_step[w])) == (decisive[0][1], decisive[0][0])
        else:
            assert outcome in ("breakdown", "no_resolution")
    assert not np.any(lively.outcome == RUNNING)


def test_a_second_strike_and_a_later_deal_happen(lively: NegotiationModel) -> None:
    strikes = [sum(e in STRIKES for _, e, _ in h) for h in histories(lively)]
    assert max(strikes) >= 2
    struck_first = np.isin(lively.outcome, [2, 3, 4])
    later_deal = [any(e == "deal" for _, e, _ in h) for h in histories(lively)]
    assert np.any(struck_first & np.array(later_deal))


def test_every_strike_is_answered_by_a_retaliation(lively: NegotiationModel) -> None:
    for history in histories(lively):
        events = [(s, e) for s, e, _ in history]
        for k, (s, e) in enumerate(events):
            if e in STRIKES:
                after = [x for x in events[k + 1 :] if x[0] == s]
                assert "retaliation" in [x[1] for x in after][:2], history


def test_a_ceasefire_hazard_h_gives_a_geometric_war() -> None:
    h = 0.2
    raw = forced_strike(
        war_raw(
            ceasefire_hazard=h,
            us_ceasefire_boost=0,
            patron_ceasefire_boost=0,
            escalation_drag=1,
            resumption_hazard=0,
        )
    )
    model = model_of(raw, worlds=4000, seed=3)
    model.run()
    assert np.all(model.end_step == STRIKE_STEP)
    durations = np.array(
        [
            next(s for s, e, _ in h if e == "ceasefire") - STRIKE_STEP
            for h in histories(model)
            if any(e == "ceasefire" for _, e, _ in h)
        ]
    )
    # P(D = k) = h (1 − h)^(k − 1): mean 1/h = 5 (standard error 0.07), P(D = 1) = h (s.e. 0.006).
    assert len(durations) > 0.99 * model.n_worlds
    assert abs(durations.mean() - 1 / h) < 0.3
    assert abs(np.mean(durations == 1) - h) < 0.025
    assert abs(np.mean(durations == 2) - h * (1 - h)) < 0.025


def test_a_strike_sets_the_programme_back_by_its_share_exactly() -> None:
    raw = forced_strike(war_raw())
    raw["programme"]["strike_setback"] = {"value": 0.25, "assumption": "a test's value"}
    model = model_of(raw, worlds=50, seed=1)
    for _ in range(STRIKE_STEP):
        model.step()
    before = model.progress.copy()
    model.step()
    assert np.all(model.outcome == 2)
    assert np.array_equal(model.progress, before * 0.75)
    # worlds.parquet's progress is version 1's: the progress when the world was struck.
    assert np.array_equal(model.first_view()["progress"], before)


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_property_a_war_without_a_ceasefire_changes_nothing_version_1_reports(seed: int) -> None:
    raw = war_raw(ceasefire_hazard=0, us_ceasefire_boost=0, patron_ceasefire_boost=0)
    model = model_of(raw, worlds=200, seed=seed)  # no ceasefire: every war lasts
    model.run()
    first = model.first_view()
    struck = np.isin(model.outcome, [2, 3, 4])
    assert struck.any() and np.all(np.array(STATES)[model.phase][struck] == "at_war")
    assert np.array_equal(first["offers"], model.offers)
    assert np.array_equal(first["snapback_step"], model.snapback_step)


def started(phase: str, **state: Any) -> dict[str, Any]:
    """The baseline without observed history, starting in ``phase`` after one strike."""
    raw = war_raw(ceasefire_hazard=0.2, us_ceasefire_boost=0.2, escalation_drag=0.5)
    raw["calendar"].pop("observed_until", None)
    raw["state"] = {"phase": phase, "past_strikes": 1, **state}
    return raw


def test_a_start_at_war_holds_no_session_until_a_ceasefire() -> None:
    model = model_of(started("at_war"), worlds=2000, seed=5)
    assert np.all(np.array(STATES)[model.phase] == "at_war") and not model.active.any()
    model.run()
    for history in histories(model):
        names = [e for _, e, _ in history]
        if "deal" in names:  # a deal needs a ceasefire and then talks resumed first
            assert names.index("ceasefire") < names.index("talks_resume") < names.index("deal")
    first_ceasefire = [
        next((s for s, e, _ in h if e == "ceasefire"), None) for h in histories(model)
    ]
    steps = np.array([s for s in first_ceasefire if s is not None])
    assert abs(np.mean(steps == 0) - 0.2) < 0.03  # the hazard acts from step 0: P(D = 0) = h


def test_a_start_at_war_reads_the_wars_details() -> None:
    """The US's part doubles the hazard (0.2 + 0.2), an escalation halves it (× 0.5)."""
    shares = {}
    for key, extra in {
        "plain": {},
        "us": {"us_took_part": True},
        "escalated": {"escalated": True},
    }.items():
        model = model_of(started("at_war", **extra), worlds=3000, seed=6)
        model.step()
        shares[key] = np.mean(np.array(STATES)[model.phase] == "ceasefire")
    assert abs(shares["plain"] - 0.2) < 0.03
    assert abs(shares["us"] - 0.4) < 0.03
    assert abs(shares["escalated"] - 0.1) < 0.03


def test_a_start_under_a_ceasefire_waits_for_the_talks_to_resume() -> None:
    raw = started("ceasefire")
    raw["war"]["resumption_hazard"] = {"value": 0.5, "assumption": "a test's value"}
    model = model_of(raw, worlds=1000, seed=8)
    assert model.active.all() and not model.talking.any()
    model.step()
    resumed = np.array(["talks_resume" in [e for _, e, _ in h] for h in histories(model)])
    assert abs(resumed.mean() - 0.5) < 0.06
    assert np.all(np.array(STATES)[model.phase][~resumed] == "ceasefire")
    assert np.all(model.offers[~resumed] == 0)  # no session where the talks are still paused
    assert np.any(model.offers[resumed] > 0)


def test_past_strikes_count_for_the_strike_triggered_shocks() -> None:
    raw = forced_strike(started("ceasefire"))
    raw["shocks"]["strike_now"]["trigger"]["when"] = {"variable": "strikes", "below": 0}
    model = model_of(raw, worlds=200, seed=2)
    model.run()
    assert not any(e == "shock:strike_now" for h in histories(model) for _, e, _ in h)
    raw["state"]["past_strikes"] = 0
    raw["state"]["phase"] = "talks_ongoing"
    fresh = model_of(raw, worlds=200, seed=2)
    fresh.run()
    fired = fresh.shock_step["strike_now"] == STRIKE_STEP  # where no deal or strike came first
    assert fired.mean() > 0.5 and np.array_equal(fired, fresh.end_step >= STRIKE_STEP)


def escalating(hazard: float, factor: float) -> dict[str, Any]:
    """The baseline with Iran's escalation at a fixed hazard and growth factor."""
    raw = war_raw()
    raw["programme"]["escalation_hazard"] = {"value": hazard, "assumption": "a test's value"}
    raw["programme"]["escalation_factor"] = {"value": factor, "assumption": "a test's value"}
    return raw


def test_an_escalated_programme_grows_faster_from_the_step_it_escalates() -> None:
    model = model_of(escalating(1.0, 3.0), worlds=400, seed=4)
    model.run()
    rows = histories(model)
    moved = [w for w, h in enumerate(rows) if any(e == "escalation" for _, e, _ in h)]
    assert moved, "no world escalated"
    for w in moved:
        reasons = [d for _, e, d in rows[w] if e == "escalation"]
        assert len(reasons) == 1 and reasons[0] in ("bog_down", "collapse", "snapback", "strike")
    # Provoked worlds escalate at hazard × the hawks' share: never before the talks bog down.
    for w in moved:
        step = int(model.escalation_step[w])
        bog = next(s for s, e, _ in rows[w] if e == "bog_down")
        assert step >= bog


def test_an_escalated_world_grows_by_the_factor_each_step() -> None:
    model = model_of(escalating(1.0, 1.5), worlds=1000, seed=4)
    growth = model.params["programme.growth"]
    checked = 0
    while model.running:
        before, was = model.progress.copy(), model.programme_escalated & model.active
        model.step()
        still = was & model.active & (model.strikes == 0)  # no setback, no deal, no war
        expected = np.minimum(before + 1.5 * growth, 1.0)
        assert np.allclose(model.progress[still], expected[still])
        checked += int(still.sum())
    assert checked > 100  # world-steps of escalated programmes at peace


def test_the_escalation_rate_is_the_hazard_times_the_hawks_share() -> None:
    model = model_of(escalating(0.6, 2.0), worlds=3000, seed=9)
    while not (model.bog_step >= 0).any() or model.step_index < model.open_from:
        model.step()
    for _ in range(3):  # a few provoked steps: compare the escalations with their expectation
        provoked = (
            model.active
            & ((model.bog_step >= 0) | model.collapsed | (model.snapback_step >= 0))
            & ~model.programme_escalated
        )
        expected = float(np.sum(np.where(provoked, 0.6 * model.iran.hawk_share(), 0.0)))
        before = model.programme_escalated.copy()
        model.step()
        got = int(np.sum(model.programme_escalated & ~before))
        assert abs(got - expected) < 4 * np.sqrt(expected) + 1, (got, expected)


def test_no_escalation_hazard_leaves_the_run_unchanged() -> None:
    plain = model_of(war_raw(), worlds=300, seed=11)
    off = model_of(escalating(0.0, 3.0), worlds=300, seed=11)
    plain.run()
    off.run()
    assert np.array_equal(plain.outcome, off.outcome)
    assert np.array_equal(plain.progress, off.progress)
    assert not off.programme_escalated.any()


def test_a_strike_rallies_irans_hawks_spreads_mistrust_and_strains_the_economy() -> None:
    raw = forced_strike(war_raw(rally_clout_gain=0.5, mistrust=0.25, pressure_jump=0.1))
    model = model_of(raw, worlds=60, seed=12)
    hawk = f"actors.{model.iran.factions[model.iran.hawk].actor_id}.clout"  # type: ignore[index]
    widths = [f"actors.{side.actor_id}.belief_halfwidth" for side in (model.us, model.iran)]
    before = {path: model.params[path].copy() for path in (hawk, *widths)}
    for _ in range(STRIKE_STEP):
        model.step()
    pressure = model.iran.pressure.copy()
    model.step()
    struck = model.strikes == 1
    # a war step does not grow the pressure: the jump is all that moves it in struck worlds
    assert np.allclose(model.iran.pressure[struck], np.minimum(pressure[struck] + 0.1, 1))
    assert struck.sum() > 30  # the forced strike, where no deal came first
    assert np.allclose(model.params[hawk][struck], 1.5 * before[hawk][struck])
    assert np.allclose(model.params[hawk][~struck], before[hawk][~struck])
    for path in widths:
        assert np.allclose(model.params[path][struck], 1.25 * before[path][struck])
        assert np.allclose(model.known(path)[struck], 1.25 * model.central[path])


def test_a_world_whose_talks_resume_runs_alone_as_in_its_block(lively: NegotiationModel) -> None:
    """Sessions paused by a war resume with the proposer the calendar gives.

    The proposer once alternated with the number of sessions the block had held, so a world
    re-run alone (as ``negsim explain`` does) resumed its talks with the other side proposing.
    """
    from sim.mechanisms.rng import block_seed

    rows = histories(lively)
    resumed = [w for w, h in enumerate(rows) if any(e == "talks_resume" for _, e, _ in h)]
    assert len(resumed) >= 20
    for w in resumed[:20]:
        alone = NegotiationModel(lively.spec, block_seed(7, 0), np.array([w]))
        alone.run()
        assert histories(alone)[0] == rows[w], w
