"""Parameter draws (sim.scenario.draws): each distribution's inverse CDF against scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.mechanisms.rng import WorldStreams, block_seed
from sim.scenario.draws import inverse_cdf
from sim.scenario.params import Beta, Fixed, Triangular, TruncNormal, Uniform

SPECS = [
    (Uniform(dist="uniform", low=2, high=5), stats.uniform(2, 3)),
    (Triangular(dist="triangular", low=0, mode=1, high=4), stats.triang(0.25, 0, 4)),
    (
        TruncNormal(dist="truncnormal", mean=0.0, sd=1.0, low=-1.0, high=2.0),
        stats.truncnorm(-1, 2),
    ),
    (Beta(dist="beta", a=0.6, b=0.3, low=0, high=3.67), stats.beta(0.6, 0.3, 0, 3.67)),
]


@pytest.mark.parametrize(("spec", "reference"), SPECS)
def test_inverse_cdf_matches_scipy(spec, reference) -> None:  # type: ignore[no-untyped-def]
    u = WorldStreams(block_seed(0, 0), np.arange(20000)).uniform("draw", 0)
    values = inverse_cdf(spec, u)
    lo, hi = spec.bounds()
    assert values.min() >= lo and values.max() <= hi
    assert stats.kstest(values, reference.cdf).pvalue > 1e-3


def test_fixed_draw_is_constant() -> None:
    assert np.all(inverse_cdf(Fixed(value=0.3), np.array([0.1, 0.9])) == 0.3)


@given(
    st.sampled_from([spec for spec, _ in SPECS]), st.lists(st.floats(1e-9, 1 - 1e-9), min_size=2)
)
def test_property_draws_rise_with_the_uniform_and_stay_in_bounds(
    spec: Uniform | Triangular | TruncNormal | Beta, u: list[float]
) -> None:
    ordered = np.sort(np.array(u))
    values = inverse_cdf(spec, ordered)
    lo, hi = spec.bounds()
    assert np.all((values >= lo) & (values <= hi))
    assert np.all(np.diff(values) >= -1e-12)
