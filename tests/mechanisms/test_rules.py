"""Every proposal rule, run on the baseline: shared invariants (STYLE.md: one base for all)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import DEAL, RUNNING
from sim.mechanisms.rng import block_seed
from sim.mechanisms.rules import PROPOSAL_RULES
from sim.scenario import load_scenario
from tests.builders import BASELINE


@pytest.fixture(scope="module", params=sorted(PROPOSAL_RULES))
def finished(request: pytest.FixtureRequest) -> NegotiationModel:
    loaded = load_scenario(BASELINE, {"protocol.proposal_rule": request.param})
    model = NegotiationModel(loaded.scenario, block_seed(8, 0), np.arange(400))
    model.run()
    return model


def test_rule_is_registered_under_its_name() -> None:
    for name, rule in PROPOSAL_RULES.items():
        assert rule.name == name
        assert rule.__doc__ and "(" in rule.__doc__.splitlines()[0]  # it cites its source


def test_every_world_ends(finished: NegotiationModel) -> None:
    assert np.all(finished.outcome != RUNNING)


def test_deals_are_ratified_and_in_the_box(finished: NegotiationModel) -> None:
    idx = np.flatnonzero(finished.outcome == DEAL)
    for side in (finished.us, finished.iran):
        ok, _ = side.ratify(finished.terms[idx], idx)
        assert ok.all()
    lo = np.array([i.lo for i in finished.spec.issues.values()])
    hi = np.array([i.hi for i in finished.spec.issues.values()])
    assert np.all((finished.terms[idx] >= lo) & (finished.terms[idx] <= hi))


def test_same_seed_same_worlds(finished: NegotiationModel) -> None:
    again = NegotiationModel(finished.spec, block_seed(8, 0), np.arange(400))
    again.run()
    assert np.array_equal(again.outcome, finished.outcome)
    assert np.array_equal(again.terms, finished.terms, equal_nan=True)
