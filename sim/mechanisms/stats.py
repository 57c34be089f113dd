"""Interval estimates for outcome probabilities."""

from __future__ import annotations

import math


def wilson_interval(count: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (Wilson 1927; Agresti and Coull 1998).

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``; ``(0, 1)`` when ``n == 0``.
    """
    if n == 0:
        return (0.0, 1.0)
    p = count / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    # The bounds at 0 and n are exactly 0 and 1; rounding must not exclude the estimate.
    return (0.0 if count == 0 else min(lo, p), 1.0 if count == n else max(hi, p))
