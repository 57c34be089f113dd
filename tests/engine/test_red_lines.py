"""Red lines in the engine: a bound is a drawn parameter, and the agents use each world's own."""

from __future__ import annotations

import numpy as np

from sim.engine.model import NegotiationModel
from sim.mechanisms.rng import block_seed
from sim.scenario import load_scenario
from tests.builders import BASELINE, model_of, pie_scenario


def test_red_line_bounds_are_drawn_per_world() -> None:
    """A red line's bound is a parameter like any other: each world draws its own."""
    bound = {"dist": "uniform", "low": 0.2, "high": 0.8}
    raw = pie_scenario(
        rule="aspiration", us_faction={"red_lines": [{"issue": "pie", "max": bound}]}
    )
    model = model_of(raw, worlds=500, seed=3)
    drawn = model.params["actors.us_lead.red_lines.0.max"]
    assert drawn.min() >= 0.2 and drawn.max() <= 0.8 and np.unique(drawn).size == 500
    index = np.arange(500)
    ratified, vetoed = model.us.ratify(np.full((500, 1), 0.5), index)
    assert vetoed.tolist() == (drawn < 0.5).tolist()  # the ratifier's own red line always holds
    assert ratified.tolist() == (drawn >= 0.5).tolist()
    _, hi = model.us.own_bounds()
    assert hi[:, 0].tolist() == drawn.tolist()  # the US never proposes beyond its bound


def test_a_package_crossing_a_binding_red_line_is_never_accepted() -> None:
    """Utility and red lines agree (MODEL.md §7): a responder never says yes beyond its lines."""
    spec = load_scenario(BASELINE).scenario
    model = NegotiationModel(spec, block_seed(5, 0), np.arange(300), record=True)
    model.run()
    accepted = crossing = 0
    for record in model.trace:
        s = record.session
        if s is None:
            continue
        held = s.responder.binding
        crosses = np.any((s.offer < held.lower) | (s.offer > held.upper), axis=-1) & s.live
        crossing += int(crosses.sum())
        accepted += int((s.accepted & s.live).sum())
        assert not np.any(s.accepted & crosses)
    assert crossing > 0 and accepted > 0  # both kinds of session happen in these worlds


def test_a_rejection_beyond_red_lines_teaches_the_proposer() -> None:
    """An offer refused for crossing the responder's red lines reveals them (vetoes still teach)."""
    raw = pie_scenario(
        rule="aspiration",
        horizon=6,
        iran_faction={"red_lines": [{"issue": "pie", "max": 0.6}]},
    )
    model = model_of(raw)
    model.run()
    # The US asks for the whole pie first; Iran refuses, and from then on the US respects 0.6.
    assert model.us.known_upper[0, 0] == 0.6
    assert model.own_offers["us"][0, 0, 0] <= 0.6
