"""Offers answer offers in the engine: the negotiation dance of the aspiration rule."""

from __future__ import annotations

import numpy as np

from sim.mechanisms.outcomes import DEAL
from tests.builders import model_of, pie_scenario


def test_offers_answer_offers() -> None:
    """The negotiation dance (MODEL.md §7): each side's offers move toward the other's.

    In a divided pie without red lines, every offer gives its proposer at least what the other
    side's last offer gave it, lies between that offer and the proposer's stance, and the two
    sides' offers close in on each other until one is accepted.
    """
    raw = pie_scenario(rule="aspiration", horizon=40)
    model = model_of(raw, worlds=50, seed=2)
    us, iran = [], []
    while model.running:
        model.step()
        us.append(model.own_offers["us"][:, 0, 0].copy())
        iran.append(model.own_offers["iran"][:, 0, 0].copy())
    us_offers, iran_offers = np.array(us), np.array(iran)  # (steps, worlds): the US's share
    assert (model.outcome == DEAL).mean() > 0.9
    for k in range(2, len(us_offers)):
        live = ~np.isnan(us_offers[k]) & ~np.isnan(iran_offers[k])
        # Neither asks for less than the other's last offer gives it, nor more than its stance.
        assert np.all(us_offers[k][live] >= iran_offers[k][live] - 1e-9)
    # The offers move: the US's demand falls and Iran's rises from one session to the next.
    moved = np.nanmax(us_offers, axis=0) - np.nanmin(us_offers, axis=0)
    assert np.all(moved[model.end_step > 3] > 0.01)
