"""Red lines in the engine: a bound is a drawn parameter, and the agents use each world's own."""

from __future__ import annotations

import numpy as np

from tests.builders import model_of, pie_scenario


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
