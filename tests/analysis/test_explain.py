"""The story of one world: it matches the world in its ensemble, and tells what happened."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

from sim.analysis.explain import (
    CLOSE_CALL,
    explain,
    outcome_phrase,
    parameter_phrase,
    stance_credits,
    told_by_step,
)
from sim.engine.model import COLLAPSE_CAUSES
from sim.mechanisms.outcomes import name
from sim.runs.ensemble import run
from sim.scenario.loader import load_scenario
from sim.scenario.vocabulary import describe
from tests.builders import BASELINE

SEED = 20250412


@pytest.fixture(scope="module")
def ensemble():  # type: ignore[no-untyped-def]
    return run(BASELINE, worlds=300, seed=SEED).worlds


@pytest.fixture(scope="module")
def short(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The baseline stopped two weeks after the observed history: many worlds end unresolved.

    (In the full baseline almost every world ends before the horizon, so a no-resolution world
    is too rare to find among a few hundred.)
    """
    path = tmp_path_factory.mktemp("short") / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nname: baseline\nhorizon: 7\n", encoding="utf-8")
    return path, run(path, worlds=300, seed=SEED).worlds


@pytest.mark.parametrize(
    "outcome", ["deal", "strike_joint", "strike_us", "breakdown", "no_resolution"]
)
def test_story_matches_the_world_in_its_ensemble(ensemble, short, outcome: str) -> None:  # type: ignore[no-untyped-def]
    scenario, worlds = (BASELINE, ensemble) if outcome != "no_resolution" else short
    row = worlds[worlds["outcome"] == outcome].iloc[0]
    story = explain(scenario, SEED, int(row["world"]))
    model = story.model
    assert name(int(model.outcome[0])) == outcome
    assert bool(model.joint[0]) == (outcome == "strike_joint") == bool(row["joint"])
    assert model.end_step[0] == row["step"]
    text = story.text
    assert text.startswith(f"World {int(row['world'])} of 'baseline' (seed {SEED})")
    assert "Outcome:" in text.splitlines()[-1]
    assert "Washington proposed:" in text and "Tehran proposed:" in text
    if outcome == "deal":
        assert "Accepted and ratified on both sides: a deal." in text
        terms = [row[f"terms.{i}"] for i in ("enrichment", "sanctions_relief")]
        assert np.allclose(model.terms[0, :2], terms)
    if outcome == "breakdown":
        assert "collapsed" in text or "gave up" in text


def test_shocks_are_told(ensemble) -> None:  # type: ignore[no-untyped-def]
    row = ensemble[ensemble["events"].str.contains("bandar_abbas")].iloc[0]
    text = explain(BASELINE, SEED, int(row["world"])).text
    assert "Shock 'bandar_abbas'" in text


def test_explain_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "explain", str(BASELINE), "--seed", "5", "--world", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("World 2 of 'baseline' (seed 5)")
    bad = subprocess.run(
        [sys.executable, "-m", "sim", "explain", str(BASELINE), "--seed", "5", "--world", "-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr


# --- what the story tells, and why (each test fails on the story as first written) -----------

MAXIMALIST = BASELINE.parent / "us_maximalist.yaml"
STANCE_AND_CLOUT_WORLD = 18
"""A baseline world (seed ``SEED``) whose story tells a stance move and a clout move: found by
scanning the first worlds. A stance told against the previous step alone never moved far enough
(drift is slow), so the first story told neither."""

STANCE_LINE = re.compile(
    r"^(Washington|Tehran)'s stance on ([a-z ]+) has moved(?: in one step)? from (-?[\d.]+)%? to "
    r"(-?[\d.]+)(?:% U-235)? since step (\d+), pulled by (.+?)(?:,|\.$)"
)
CLOUT_LINE = re.compile(
    r"^(.+?)' ?s? share of clout in (Washington|Tehran) has (risen|fallen) from (\d+)% to "
    r"(\d+)% since step (\d+), driven by (.+)\.$"
)


def _told(story) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """The story's step lines with their step numbers."""
    return [(t, line) for t, lines in told_by_step(story.model).items() for line in lines]


@pytest.fixture(scope="module")
def drifting():  # type: ignore[no-untyped-def]
    return explain(BASELINE, SEED, STANCE_AND_CLOUT_WORLD)


@pytest.fixture(scope="module")
def maximalist():  # type: ignore[no-untyped-def]
    return run(MAXIMALIST, worlds=300, seed=SEED).worlds


def test_slow_drift_is_told_once_it_adds_up(drifting) -> None:  # type: ignore[no-untyped-def]
    told = _told(drifting)
    stance_lines = [(t, line) for t, line in told if "stance on" in line]
    stances = [(t, STANCE_LINE.match(line)) for t, line in stance_lines]
    clouts = [(t, CLOUT_LINE.match(line)) for t, line in told if "share of clout" in line]
    assert stances and clouts, drifting.text
    assert all(m is not None for _, m in stances + clouts), drifting.text
    by_step = {r.step: r for r in drifting.model.trace}
    issues = list(drifting.model.spec.issues)
    for (t, m), (_, line) in zip(stances, stance_lines, strict=True):
        assert m is not None
        side = "us" if m[1] == "Washington" else "iran"
        d, since = issues.index(m[2].replace(" ", "_")), int(m[5])
        # From the value told last (the opening stance, or the last line on it) to now.
        assert float(m[3]) == pytest.approx(by_step[since].principals[side].stance[0, d], abs=0.006)
        assert float(m[4]) == pytest.approx(by_step[t].principals[side].stance[0, d], abs=0.006)
        # A drift over several steps, which no single step would have told; or a jump big enough
        # to tell at once (a shock moving the clout), which the line says.
        assert (since == t - 1) == ("in one step" in line), line
    for t, m in clouts:
        assert m is not None and int(m[6]) < t


def test_the_pulls_add_up_to_the_stance_move(drifting) -> None:  # type: ignore[no-untyped-def]
    model = drifting.model
    for side in (model.us, model.iran):
        for d in range(len(model.issue_ids)):
            credits = stance_credits(model, side, d)
            stance = np.array([r.principals[side.actor_id].stance[0, d] for r in model.trace])
            assert np.allclose(credits.sum(axis=1), stance - stance[0], atol=1e-9)


def test_a_clout_shock_is_named_and_lobbying_is_not_blamed(maximalist) -> None:  # type: ignore[no-untyped-def]
    # A world whose talks run on for weeks after the turn, so that its stance has moved.
    world = int(maximalist[maximalist["step"] >= 12].iloc[0]["world"])
    story = explain(MAXIMALIST, SEED, world)
    spec = story.model.spec
    fired = [t for t, line in _told(story) if line.startswith("Shock 'us_maximalist_turn'")]
    assert fired, story.text
    hawks = _told_at(story, fired[0], "Rubio and the hardliners' share of clout")
    assert hawks and "driven by the shock 'us_maximalist_turn'" in hawks[0], story.text
    assert "lobbying" not in hawks[0] and "((" not in story.text and "))" not in story.text
    # The ideal point the shock moved is the one in force from that step on.
    enrichment = [
        line for t, line in _told(story) if line.startswith("Washington's stance on enrichment")
    ]
    assert enrichment and "the shock 'us_maximalist_turn'" in enrichment[0], story.text
    for _, line in _told(story):
        if "share of clout in Tehran" in line:
            assert "lobbying" not in line
        if "share of clout in Washington" in line and spec.actors["us"].pressure_rate == 0:
            assert "economic pressure" not in line


def _told_at(story, step: int, start: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [line for t, line in _told(story) if t == step and line.startswith(start)]


VETO_WORLD, REFUSAL_WORLD = 6, 16
"""Baseline worlds (seed ``SEED``) found by scanning the first worlds: in the first Tehran
accepts an offer its Leader's red line then vetoes; in the second Tehran refuses offers across
its binding red lines (the IRGC's cap on missiles among them)."""


def test_a_red_line_veto_names_the_faction_the_issue_and_the_bound() -> None:
    story = explain(BASELINE, SEED, VETO_WORLD)
    model = story.model
    vetoes = [line for _, line in _told(story) if "did not ratify it: it crossed" in line]
    assert vetoes, story.text
    bound = float(model.params["actors.supreme_leader.red_lines.0.min"][0])
    assert (
        f"Tehran did not ratify it: it crossed Khamenei's own red line on enrichment "
        f"(at least {bound:.2f}% U-235; the offer had"
    ) in vetoes[0]
    # The veto shows the other side the red lines; it keeps to them (or its own come first).
    assert "The veto showed Washington where Tehran's red lines lie (enrichment at least" in (
        story.text
    )
    # An offer across the responder's binding red lines is refused, and the refusal names them
    # (here the IRGC's cap on missiles, binding in Tehran): worth less than no deal to it.
    story = explain(BASELINE, SEED, REFUSAL_WORLD)
    model = story.model
    refused = [line for _, line in _told(story) if "rejected it: it crosses its red lines" in line]
    assert refused, story.text
    cap = float(model.params["actors.irgc_hardliners.red_lines.0.max"][0])
    assert any(f"missile limits (at most {cap:.2f})" in line for line in refused), story.text


@pytest.mark.parametrize(
    ("outcome", "phrase"),
    [
        ("strike_us", "a US strike, Israel not striking"),
        ("strike_israel", "an Israeli strike that the US did not join"),
        ("strike_joint", "an Israeli strike that the US joined"),
        ("deal", "a deal"),
    ],
)
def test_outcomes_are_told_with_proper_nouns(ensemble, outcome: str, phrase: str) -> None:  # type: ignore[no-untyped-def]
    row = ensemble[ensemble["outcome"] == outcome].iloc[0]
    story = explain(BASELINE, SEED, int(row["world"]))
    assert f": {phrase} at step {int(row['step'])} (" in story.lines[0]
    assert story.lines[-1].startswith(f"Outcome: {phrase} at step {int(row['step'])}")
    assert "us strike" not in story.text and "israeli strike" not in story.text
    assert outcome_phrase(outcome) == phrase


def test_explain_labels_the_world_with_its_overrides() -> None:
    loaded = load_scenario(BASELINE, {"actors.us.join_probability": 1})
    story = explain(loaded, SEED, 0)
    assert story.lines[0].startswith(
        f"World 0 of 'baseline [actors.us.join_probability=1]' (seed {SEED})"
    )


def test_strikes_are_told_with_their_calculation_only_when_close(ensemble) -> None:  # type: ignore[no-untyped-def]
    row = ensemble[ensemble["outcome"] == "strike_israel"].iloc[0]
    story = explain(BASELINE, SEED, int(row["world"]))
    step = int(row["step"])
    struck = [
        line for line in _told_at(story, step, "Israel") if "struck Iran's programme:" in line
    ]
    assert struck, story.text
    assert "striking now rather than waiting was worth" in struck[0]
    assert "the strike margin was" in struck[0] and "likely this week" in struck[0]
    for record in story.model.trace[: step + 1]:  # at peace up to the strike (then at war)
        told = " ".join(_told_at(story, record.step, "Israel"))
        israel, backing = record.israel, record.backing
        assert israel is not None and backing is not None
        close = israel.probability[0] >= CLOSE_CALL or israel.strikes[0]
        assert bool(told) == bool(close and record.step >= story.model.open_from)
        # American backing is told when it is given, and with every strike it stands behind.
        green = _told_at(story, record.step, "The United States gave Israel a green light")
        assert bool(green) == bool(backing.backs[0])
        assert ("with American backing" in told) == bool(told and backing.backed[0])


def test_a_walk_out_is_told_with_the_leaders_calculation() -> None:
    # The first baseline world where Tehran walks out (a few in a hundred: claim
    # iran_stays_at_table), found in the worlds table rather than pinned.
    worlds = run(BASELINE, worlds=1000, seed=SEED).worlds
    walkout = worlds[worlds["collapse_cause"].astype(str) == "walkout"]
    assert len(walkout) > 0
    story = explain(BASELINE, SEED, int(walkout.iloc[0]["world"]))
    assert story.model.collapse_cause[0] == COLLAPSE_CAUSES.index("walkout")
    step = int(story.model.collapse_step[0])
    walked = _told_at(story, step, "Tehran walked out: the offer was worth")
    assert walked and "to Khamenei, against" in walked[0], story.text
    assert "for breaking off the talks, which made a walk-out" in walked[0]
    for record in story.model.trace:
        weighed = _told_at(story, record.step, "Tehran weighed walking out")
        if weighed:
            assert record.session is not None
            assert record.session.walkout.probability[0] >= CLOSE_CALL


def test_drawn_parameters_are_told_in_words() -> None:
    story = explain(BASELINE, SEED, 6)
    spec = story.model.spec
    assert (
        parameter_phrase(spec, "actors.pragmatists.pressure_clout_gain")
        == "Pezeshkian, Araghchi and the reformists' clout gain from pressure"
    )
    assert parameter_phrase(spec, "actors.us_hawks.ideal.enrichment") == (
        "Rubio and the hardliners' ideal enrichment"
    )
    start = story.lines.index(
        "What this world drew (parameters furthest from their central values):"
    )
    drawn = story.lines[start + 1 : story.lines.index("", start)]
    assert drawn
    for line in drawn:
        match = re.fullmatch(r"  (.+) = (.+), central (.+) \(([a-z_0-9.]+)\)", line)
        assert match is not None, line
        assert match[4] in story.model.drawn and "_" not in match[1].split("'")[0]
        assert match[1] == describe(match[4], spec).name  # the scenario vocabulary's name


def test_the_lifeline_and_the_snapback_threat_are_told(ensemble) -> None:  # type: ignore[no-untyped-def]
    """Tehran's no-deal value: the opening names both levers; a patron's cut names its cause."""
    world = next(
        int(w)
        for w, fired in zip(ensemble["world"], ensemble["shock.china_tariff_caution"], strict=True)
        if fired >= 0
    )
    story = explain(BASELINE, SEED, world)
    lines = story.text.splitlines()
    opening = next(line for line in lines if "value of no deal counts" in line)
    lift = float(story.model.trace[0].world.lifeline[0])
    threat = float(story.model.trace[0].world.snapback_threat[0])
    assert f"its patrons' lifeline (+{lift:.2f}: Russia and China)" in opening
    assert f"looming UN snapback (-{threat:.2f})" in opening
    cut = next(line for line in lines if "lifeline from its patrons has fallen" in line)
    assert "'china_tariff_caution'" in cut


EPISODE_WORLD = 15
"""The first baseline world (seed ``SEED``) with a strike, a ceasefire and talks resuming
(:func:`sim.analysis.plots.interesting_world` of a 10,000-world run): struck at step 14, a
ceasefire at 27, talks again at 28 and a deal at once (the economy collapsed at 27 and the
Leader relented)."""
SECOND_WAR_WORLD = 61
"""A baseline world struck twice: at 12, a ceasefire at 21, talks again at 25, their collapse
at 30 and a second strike then, a ceasefire at 36."""


def test_the_story_goes_on_past_the_first_strike() -> None:
    from sim.analysis.explain import STATE_PHRASES, episode_log
    from sim.mechanisms.outcomes import STATES, STRIKES

    story = explain(BASELINE, SEED, EPISODE_WORLD)
    model, told = story.model, told_by_step(story.model)
    log = episode_log(model)
    assert [
        (s, e) for s, e, _, _ in log if e in (*STRIKES, "ceasefire", "talks_resume", "deal")
    ] == [
        (14, "strike_israel"),
        (27, "ceasefire"),
        (28, "talks_resume"),
        (28, "deal"),
    ]
    state = STATE_PHRASES[STATES[int(model.phase[0])]]
    assert story.lines[0].endswith(f"; at the horizon, {state}.") and state == "a deal in force"
    first = _one(told[14], "The strike set Iran's programme back")
    assert "Tehran retaliated in proportion: the world's first war begins" in first
    hit = next(h for h in model.trace[14].hits if h.hit[0])
    setback = float(model.drawn["programme.strike_setback"][0])
    assert hit.progress_after[0] == pytest.approx(hit.progress_before[0] * (1 - setback))
    assert f"from {hit.progress_before[0]:.0%} to {hit.progress_after[0]:.0%}" in first
    # The strike is weighed at the progress before its set-back, not after it.
    assert f"programme at {hit.progress_before[0]:.0%} of breakout" in _one(told[14], "struck")
    ceasefire = _one(told[27], "A ceasefire")
    assert ceasefire.startswith("A ceasefire, 13 weeks after the strike of step 14, without a deal")
    base = float(model.drawn["war.ceasefire_hazard"][0])
    assert f"a base hazard of {base:.2f}" in ceasefire
    resumed = _one(told[28], "Talks resumed under the ceasefire")
    assert "Oman bringing the sides back" in resumed
    assert _one(told[28], "Accepted and ratified") == "Accepted and ratified on both sides: a deal."
    assert story.lines[-1] == (
        "Outcome: an Israeli strike that the US did not join at step 14 (2025-07-19). Then "
        "Tehran's proportionate retaliation, a ceasefire at step 27, talks resuming at step 28 "
        "and a deal at step 28. At the horizon (step 38, 2026-01-03): a deal in force."
    )


def test_a_second_strike_starts_a_second_war() -> None:
    story = explain(BASELINE, SEED, SECOND_WAR_WORLD)
    told = told_by_step(story.model)
    first, second = (_one(told[s], "The strike set Iran's programme back") for s in (12, 30))
    assert "Tehran retaliated in proportion: the world's first war begins" in first
    assert "Tehran retaliated in proportion: the world's second war begins" in second
    assert "with American backing, struck" in _one(told[30], "struck Iran's programme")
    assert story.lines[-1] == (
        "Outcome: an Israeli strike that the US did not join at step 12 (2025-07-05). Then "
        "Tehran's proportionate retaliation, a ceasefire at step 21, talks resuming at step 25, "
        "the talks collapsing at step 30, an Israeli strike that the US did not join at step 30 "
        "(a proportionate retaliation) and a ceasefire at step 36. At the horizon (step 38, "
        "2026-01-03): under a ceasefire without a deal."
    )


def test_every_ending_tells_the_state_at_the_horizon(ensemble) -> None:  # type: ignore[no-untyped-def]
    from sim.analysis.explain import STATE_PHRASES

    for state in ("deal_in_force", "talks_collapsed", "ceasefire"):
        row = ensemble[ensemble["state"] == state].iloc[0]
        story = explain(BASELINE, SEED, int(row["world"]))
        assert story.lines[-1].endswith(f": {STATE_PHRASES[state]}.")


def _one(lines: list[str], start: str) -> str:
    """The one line of ``lines`` that contains ``start``."""
    found = [line for line in lines if start in line]
    assert len(found) == 1, lines
    return found[0]
