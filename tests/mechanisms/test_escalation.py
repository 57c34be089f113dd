"""Iran's escalation as a move (sim/mechanisms/escalation.py): known answers and invariants."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.escalation import (
    PROVOCATIONS,
    escalated_growth,
    escalation,
    provocation,
)

unit = st.floats(0.0, 1.0)


def test_the_probability_is_hazard_times_hawk_share_where_provoked() -> None:
    move = escalation(
        np.array([0.2, 0.2, 0.2, 0.5]),
        np.array([0.5, 0.5, 0.5, 1.0]),
        np.array([True, False, True, True]),
        np.array([False, False, True, False]),
    )
    assert np.allclose(move.probability, [0.1, 0.0, 0.0, 0.5])


def test_an_escalated_programme_grows_factor_times_faster() -> None:
    growth = np.array([0.004, 0.004])
    out = escalated_growth(growth, np.array([2.5, 2.5]), np.array([True, False]))
    assert np.allclose(out, [0.01, 0.004])


def test_the_first_provocation_names_the_reason() -> None:
    flags = (
        np.array([True, False, False, False]),
        np.array([True, True, False, False]),
        np.array([False, False, True, False]),
        np.array([False, True, True, False]),
    )
    assert provocation(flags).tolist() == [0, 1, 2, -1]
    assert PROVOCATIONS[0] == "bog_down"


@given(unit, unit, st.booleans(), st.booleans())
def test_property_a_probability_that_only_provocation_allows(
    hazard: float, share: float, provoked: bool, done: bool
) -> None:
    move = escalation(np.array([hazard]), np.array([share]), np.array([provoked]), np.array([done]))
    p = float(move.probability[0])
    assert 0.0 <= p <= min(hazard, share) + 1e-12
    if not provoked or done:
        assert p == 0.0
