"""Invariants of the engine, checked with hypothesis and on the baseline."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import DEAL, OUTCOMES, RUNNING
from sim.mechanisms.rng import block_seed
from sim.mechanisms.utility import normalise_weights, utility
from sim.runs import ensemble
from sim.runs.ensemble import run
from sim.scenario import load_scenario
from sim.scenario.schema import Scenario
from tests.builders import BASELINE

SPEC = load_scenario(BASELINE).scenario
unit = st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def packages_and_actors(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    n = draw(st.integers(1, 8))
    d = draw(st.integers(1, 5))
    lo = draw(hnp.arrays(float, d, elements=st.floats(-50, 50)))
    span = draw(hnp.arrays(float, d, elements=st.floats(0.1, 100)))
    x = lo + span * draw(hnp.arrays(float, (n, d), elements=unit))
    ideal = lo + span * draw(hnp.arrays(float, (n, d), elements=unit))
    salience = draw(hnp.arrays(float, (n, d), elements=unit))
    rho = draw(hnp.arrays(float, n, elements=st.floats(1.0, 6.0)))
    return x, ideal, normalise_weights(salience), span, rho


@given(packages_and_actors())
def test_property_utilities_lie_in_unit_interval(case: tuple[np.ndarray, ...]) -> None:
    x, ideal, weights, span, rho = case
    u = utility(x, ideal, weights, span, rho)
    assert np.all(u >= -1e-12) and np.all(u <= 1 + 1e-12)
    assert np.allclose(utility(ideal, ideal, weights, span, rho), 1.0)


@given(hnp.arrays(float, (4, 3), elements=unit))
def test_property_weights_sum_to_one(salience: np.ndarray) -> None:
    assert np.allclose(normalise_weights(salience).sum(axis=1), 1.0)


def baseline_model(worlds: int, seed: int, index: np.ndarray | None = None) -> NegotiationModel:
    local = np.arange(worlds) if index is None else index
    return NegotiationModel(SPEC, block_seed(seed, 0), local)


@pytest.fixture(scope="module")
def finished() -> NegotiationModel:
    model = baseline_model(3000, seed=4)
    model.run()
    return model


def test_property_deals_are_ratified_by_both_sides(finished: NegotiationModel) -> None:
    idx = np.flatnonzero(finished.outcome == DEAL)
    assert idx.size > 100
    terms = finished.terms[idx]
    for side in (finished.us, finished.iran):
        ok, vetoed = side.ratify(terms, idx)
        assert ok.all(), f"{side.actor_id} does not ratify {np.sum(~ok)} deals"
        assert not vetoed.any()
    # Inside both win-sets: every deal is in the issue box and not worse than no deal for the
    # ratifiers.
    lo = np.array([i.lo for i in SPEC.issues.values()])
    hi = np.array([i.hi for i in SPEC.issues.values()])
    assert np.all((terms >= lo - 1e-9) & (terms <= hi + 1e-9))
    for side in (finished.us, finished.iran):
        ratifier = side.factions[side.ratifier]
        u = ratifier.utility(terms, idx)
        nd = ratifier.no_deal_value(side.pressure, side.snap_drop)[idx]
        assert np.all(u >= nd - 1e-9)
        assert np.all((u >= 0) & (u <= 1))


def test_property_every_world_ends_once(finished: NegotiationModel) -> None:
    assert np.all(finished.outcome != RUNNING)
    assert np.all((finished.end_step >= 0) & (finished.end_step <= SPEC.horizon))
    deal = finished.outcome == DEAL
    assert not np.isnan(finished.terms[deal]).any()
    assert np.isnan(finished.terms[~deal]).all()


def test_property_ended_worlds_never_change() -> None:
    model = baseline_model(1500, seed=9)
    snapshots: dict[int, dict[str, np.ndarray]] = {}
    while model.running:
        model.step()
        state = {
            "outcome": model.outcome.copy(),
            "end_step": model.end_step.copy(),
            "terms": model.terms.copy(),
            "us_stance": model.us.stance.copy(),
            "iran_stance": model.iran.stance.copy(),
            "pressure": model.iran.pressure.copy(),
            "progress": model.progress.copy(),
            "clout": model.iran.clout.copy(),
            "snapback": model.snapback_step.copy(),
            "collapsed": model.collapsed.copy(),
            "alive": model.alive.copy(),
        }
        for step, before in snapshots.items():
            ended = ~before["alive"]  # a deal's world (a strike's goes on: episodes)
            for key, value in before.items():
                axis_value = value[..., ended] if key == "clout" else value[ended]
                now = state[key][..., ended] if key == "clout" else state[key][ended]
                assert np.array_equal(axis_value, now, equal_nan=True), (key, step)
        snapshots = {model.step_index: state}


def test_property_outcome_probabilities_sum_to_one() -> None:
    result = run(SPEC, worlds=700, seed=3)
    outcomes = result.summary["outcomes"]
    assert set(outcomes) == set(OUTCOMES)
    assert sum(o["p"] for o in outcomes.values()) == pytest.approx(1.0)
    assert sum(o["count"] for o in outcomes.values()) == 700
    for o in outcomes.values():
        assert o["ci95"][0] <= o["p"] <= o["ci95"][1]


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    return buffer.getvalue()


def test_property_same_seed_same_bytes_across_jobs() -> None:
    one = run(SPEC, worlds=600, seed=21, block_size=200)
    two = run(SPEC, worlds=600, seed=21, block_size=200, jobs=2)
    again = run(SPEC, worlds=600, seed=21, block_size=200)
    assert parquet_bytes(one.worlds) == parquet_bytes(two.worlds) == parquet_bytes(again.worlds)


def test_property_block_order_does_not_matter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Computing the blocks last to first gives the same worlds.parquet and events.parquet."""
    normal = run(SPEC, worlds=700, seed=21, block_size=200)
    order: list[int] = []

    def reversed_blocks(
        spec: Scenario,
        root: int,
        worlds: int,
        jobs: int,
        on_block: Callable[[int, int], None] | None,
        block_size: int,
        watch: Any = None,
    ) -> list[ensemble.Block]:
        frames = {}
        plan = list(ensemble.blocks_for(worlds, block_size))
        for block, size in reversed(plan):
            order.append(block)
            frames[block] = ensemble.run_block(spec, root, block, size, block_size, watch)
        return [frames[block] for block, _ in plan]

    monkeypatch.setattr(ensemble, "_run_blocks", reversed_blocks)
    backwards = run(SPEC, worlds=700, seed=21, block_size=200)
    assert order == [3, 2, 1, 0]  # the last block (100 worlds) first
    assert parquet_bytes(backwards.worlds) == parquet_bytes(normal.worlds)
    assert parquet_bytes(backwards.events) == parquet_bytes(normal.events)


def test_property_different_seeds_differ() -> None:
    a = run(SPEC, worlds=300, seed=1)
    b = run(SPEC, worlds=300, seed=2)
    assert parquet_bytes(a.worlds) != parquet_bytes(b.worlds)
    assert not a.worlds["outcome"].equals(b.worlds["outcome"])


@settings(max_examples=6, deadline=None)
@given(st.lists(st.integers(0, 999), min_size=1, max_size=4, unique=True))
def test_property_a_world_alone_matches_its_block(chosen: list[int]) -> None:
    block = baseline_model(1000, seed=17)
    block.run()
    for k in chosen:
        alone = baseline_model(1, seed=17, index=np.array([k]))
        alone.run()
        assert alone.outcome[0] == block.outcome[k]
        assert alone.end_step[0] == block.end_step[k]
        assert np.allclose(alone.terms[0], block.terms[k], equal_nan=True)
        assert alone.snapback_step[0] == block.snapback_step[k]


def test_drawn_parameters_are_kept_and_within_bounds() -> None:
    result = run(SPEC, worlds=400, seed=5)
    drawn = [c for c in result.worlds.columns if c.startswith("param.")]
    assert "param.actors.israel.strike_resolve" in drawn
    values = result.worlds["param.actors.israel.strike_resolve"]
    assert values.between(-0.12, 0.12).all() and values.std() > 0
