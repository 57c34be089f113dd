"""The mathematics of what follows a strike (sim/mechanisms/war.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.mechanisms.war import ceasefire_hazard, set_back

unit = st.floats(0.0, 1.0, allow_nan=False)


def test_a_setback_destroys_its_share_of_the_progress_where_struck_only() -> None:
    progress = np.array([0.8, 0.8, 0.5, 0.4])
    setback = np.array([0.25, 0.25, 1.5, -0.2])  # out of [0, 1]: clipped
    hit = np.array([True, False, True, True])
    assert np.allclose(set_back(progress, setback, hit), [0.6, 0.8, 0.0, 0.4], rtol=0, atol=1e-15)


@given(hnp.arrays(float, 6, elements=unit), hnp.arrays(float, 6, elements=unit))
def test_property_a_setback_never_raises_the_progress(progress: np.ndarray, s: np.ndarray) -> None:
    after = set_back(progress, s, np.ones(6, dtype=bool))
    assert np.all(after <= progress) and np.all(after >= 0)


def test_the_ceasefire_hazard_adds_the_us_and_the_patrons_and_drags_after_escalation() -> None:
    n = 4
    hazard = ceasefire_hazard(
        base=np.full(n, 0.1),
        us_boost=np.full(n, 0.1),
        patron_boost=np.full(n, 0.2),
        patron_support=np.array([0.0, 0.5, 0.5, 0.5]),
        us_involved=np.array([False, False, True, True]),
        drag=np.full(n, 0.5),
        escalated=np.array([False, False, False, True]),
    )
    assert np.allclose(hazard.us, [0.0, 0.0, 0.1, 0.1])
    assert np.allclose(hazard.patrons, [0.0, 0.1, 0.1, 0.1])
    assert np.allclose(hazard.drag, [1.0, 1.0, 1.0, 0.5])
    assert np.allclose(hazard.total(), [0.1, 0.2, 0.3, 0.15])


def test_the_ceasefire_hazard_is_a_probability() -> None:
    big = np.full(2, 0.9)
    hazard = ceasefire_hazard(
        big, big, big, big, np.ones(2, bool), np.full(2, 2.0), np.ones(2, bool)
    )
    assert np.array_equal(hazard.total(), [1.0, 1.0])
