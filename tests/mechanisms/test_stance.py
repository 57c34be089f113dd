"""The compromise model (sim.mechanisms.stance); every stance rule's invariants: test_rules.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from sim.mechanisms.stance import compromise_stance


def test_compromise_known_values() -> None:
    # Two factions at 0 and 10: clout × salience 1 × 1 and 2 × 0.5 pull equally; 3 × 1 pulls 3:1.
    ideals = np.array([[[0.0, 0.0]], [[10.0, 10.0]]])
    salience = np.array([[[1.0, 1.0]], [[0.5, 1.0]]])
    clout = np.array([[1.0], [2.0]])
    assert compromise_stance(ideals, salience, clout).tolist() == [[5.0, 20 / 3]]
    # No faction cares about the second issue: the plain clout-weighted mean decides it.
    careless = np.array([[[1.0, 0.0]], [[1.0, 0.0]]])
    assert compromise_stance(ideals, careless, np.array([[1.0], [3.0]])).tolist() == [[7.5, 7.5]]


@settings(max_examples=100)
@given(st.data())
def test_property_compromise_is_the_weighted_mean(data: st.DataObject) -> None:
    f, n, d = (
        data.draw(st.integers(1, 5)),
        data.draw(st.integers(1, 3)),
        data.draw(st.integers(1, 3)),
    )
    ideals = data.draw(arrays(float, (f, n, d), elements=st.floats(-50, 50)))
    salience = data.draw(arrays(float, (f, n, d), elements=st.floats(0.01, 1)))
    clout = data.draw(arrays(float, (f, n), elements=st.floats(0.01, 5)))
    stance = compromise_stance(ideals, salience, clout)
    w = clout[:, :, None] * salience
    assert stance == pytest.approx(np.average(ideals, axis=0, weights=w), rel=1e-9, abs=1e-9)
