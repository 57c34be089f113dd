"""Draw each world's parameter values from the scenario's distributions (docs/model.md §3.4.24).

Each parameter uses its own named stream (``param:<dotted path>``) and the inverse of its CDF, so
a world's value of one parameter does not depend on any other parameter or on the block size.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from sim.mechanisms.rng import WorldStreams
from sim.scenario.params import Beta, Fixed, ParamSpec, Triangular, TruncNormal, Uniform


def inverse_cdf(spec: ParamSpec, u: np.ndarray) -> np.ndarray:
    """Map uniforms ``u`` in (0, 1) to values of the distribution ``spec`` (inverse-CDF method)."""
    if isinstance(spec, Fixed):
        return np.full(u.shape, spec.value)
    if isinstance(spec, Uniform):
        return spec.low + u * (spec.high - spec.low)
    if isinstance(spec, Triangular):
        return _triangular(spec.low, spec.mode, spec.high, u)
    if isinstance(spec, TruncNormal):
        a = special.ndtr((spec.low - spec.mean) / spec.sd)
        b = special.ndtr((spec.high - spec.mean) / spec.sd)
        z = special.ndtri(a + u * (b - a))
        return np.clip(spec.mean + spec.sd * z, spec.low, spec.high)
    if isinstance(spec, Beta):
        return spec.low + (spec.high - spec.low) * special.betaincinv(spec.a, spec.b, u)
    raise TypeError(f"unknown parameter spec {spec!r}")


def _triangular(lo: float, mode: float, hi: float, u: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution."""
    if hi == lo:
        return np.full(u.shape, lo)
    split = (mode - lo) / (hi - lo)
    left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
    right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
    return np.where(u < split, left, right)


def draw_parameters(specs: dict[str, ParamSpec], streams: WorldStreams) -> dict[str, np.ndarray]:
    """One array of values over worlds per parameter path."""
    out: dict[str, np.ndarray] = {}
    for path, spec in specs.items():
        if isinstance(spec, Fixed):
            out[path] = np.full(streams.size, spec.value)
        else:
            out[path] = inverse_cdf(spec, streams.uniform(f"param:{path}"))
    return out
