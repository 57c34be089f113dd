"""Interim deals in the engine: the freeze, the expiry, what replaces or ends one (§3.4.27)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import sim.engine.model as engine
from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import STATES, STRIKES
from tests.builders import model_of
from tests.engine.test_episodes import STRIKE_STEP, forced_strike, histories, war_raw

EXPIRY = 9
"""The step of 2025-06-14, the start-state interim's expiry (the baseline starts 2025-04-12)."""


def interim_raw(until: str | None = "2025-06-14", **interim: Any) -> dict[str, Any]:
    """The baseline with an interim in force until ``until`` and ``interim``."""
    raw = war_raw()
    if until is not None:
        raw["state"] = {"interim_until": until}
    if interim:
        numbers = {"covers": ["enrichment", "sanctions_relief"], "assumption": "a test's"}
        raw["interim"] = numbers | interim
    return raw


def phase(model: NegotiationModel, name: str) -> np.ndarray:
    return model.phase == STATES.index(name)


def test_an_interim_in_force_freezes_the_programme_and_lapses_at_its_expiry() -> None:
    model = model_of(interim_raw(), worlds=400, seed=2)
    start = model.progress.copy()
    assert phase(model, "interim_in_force").all()
    for _ in range(EXPIRY):
        model.step()
        frozen = phase(model, "interim_in_force")
        assert frozen.any()
        np.testing.assert_array_equal(model.progress[frozen], start[frozen])
    before = model.progress.copy()
    due = phase(model, "interim_in_force")
    model.step()  # the expiry: no interim block, so no renewal
    assert not phase(model, "interim_in_force").any()
    talks = due & phase(model, "talks_ongoing")
    assert talks.any()
    growth = model.params["programme.growth"]
    np.testing.assert_allclose(model.progress[talks], (before + growth)[talks])
    lapsed = {w for w, h in enumerate(histories(model)) if (EXPIRY, "interim_lapsed", "") in h}
    assert lapsed == set(np.flatnonzero(due))


def test_a_renewal_extends_the_term_again_and_again() -> None:
    model = model_of(
        interim_raw(duration_weeks=4, renewal_probability={"value": 1.0}), worlds=300, seed=4
    )
    model.run()
    expected = list(range(EXPIRY, model.spec.horizon, 4))  # 9, 13, ..., 37
    untouched = 0
    for h in histories(model):
        steps = [s for s, e, _ in h if e == "interim_renewed"]
        assert not any(e == "interim_lapsed" for _, e, _ in h)
        if h[-1][2] == "interim_in_force":  # never left it: renewed at every expiry
            assert steps == expected
            untouched += 1
    assert untouched > 0


def test_the_renewal_probability_is_the_share_renewed() -> None:
    p = 0.3
    model = model_of(interim_raw(renewal_probability={"value": p}), worlds=3000, seed=5)
    for _ in range(EXPIRY + 1):
        model.step()
    outcomes = [
        e for h in histories(model) for s, e, _ in h if s == EXPIRY and e.startswith("interim_")
    ]
    share = outcomes.count("interim_renewed") / len(outcomes)
    assert len(outcomes) > 500
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / len(outcomes))


def test_a_comprehensive_deal_replaces_an_interim() -> None:
    model = model_of(interim_raw(until="2025-12-27"), worlds=300, seed=6)
    model.run()
    replaced = 0
    for w, h in enumerate(histories(model)):
        events = [e for _, e, _ in h]
        if "deal" in events:
            last = max(k for k, e in enumerate(events) if e.startswith("interim"))
            if last < events.index("deal"):
                replaced += events[last] == "interim"
            assert events[events.index("deal") + 1 :] == ["horizon"]
            assert STATES[model.phase[w]] == "deal_in_force"
    assert replaced > 0


def test_a_strike_ends_an_interim_in_war() -> None:
    raw = forced_strike(interim_raw())
    for name in ("ceasefire_hazard", "us_ceasefire_boost", "patron_ceasefire_boost"):
        raw["war"][name] = {"value": 0.0, "assumption": "a war without end"}
    model = model_of(raw, worlds=200, seed=8)
    model.run()
    assert phase(model, "at_war").all()  # no ceasefire by the schema's defaults
    for h in histories(model):
        assert any(s == STRIKE_STEP and e in STRIKES for s, e, _ in h)
        assert not any(e in ("interim_lapsed", "interim_renewed") for _, e, _ in h)


def test_an_interim_is_concluded_where_both_sides_ratify_the_limited_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    packages: list[tuple[int, np.ndarray]] = []
    passed: dict[int, list[np.ndarray]] = {}

    real = engine.limited_package

    def spy_package(*args: Any) -> np.ndarray:
        package = real(*args)
        packages.append((id(package), package))
        return package

    model = model_of(
        interim_raw(until=None, proposal_probability={"value": 1.0}), worlds=400, seed=9
    )
    monkeypatch.setattr(engine, "limited_package", spy_package)
    for side in (model.us, model.iran):
        vote = side.vote

        def spy_vote(x: np.ndarray, index: np.ndarray, vote: Any = vote) -> Any:
            result = vote(x, index)
            if packages and x is packages[-1][1]:
                passed.setdefault(id(x), []).append(index[result.passed])
            return result

        monkeypatch.setattr(side, "vote", spy_vote)
    concluded: set[tuple[int, int]] = set()
    covered = np.array([i in ("enrichment", "sanctions_relief") for i in model.issue_ids])
    while model.running:
        t = model.step_index
        packages.clear()
        passed.clear()  # keyed by id(): an id may be reused by a later step's package
        model.step()
        for key, package in packages:
            status_quo = np.broadcast_to(model.status_quo[:1, ~covered], package[:, ~covered].shape)
            np.testing.assert_array_equal(package[:, ~covered], status_quo)
            both = set(np.intersect1d(*passed[key]).tolist())
            concluded |= {(w, t) for w in both}
    logged = {(w, s) for w, h in enumerate(histories(model)) for s, e, _ in h if e == "interim"}
    assert logged == concluded
    assert len(logged) > 10
    assert min(s for _, s in logged) >= model.open_from  # none within the observed history
