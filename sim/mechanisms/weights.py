"""Weighted worlds: effective sample size, weighted shares and quantiles, resampling.

Conditioning an ensemble on observations (docs/forecasting.md) gives each world a weight: 0 for
a world a hard fact rejects, a likelihood for one a noisy fact weighs. These functions summarise
weighted worlds; with equal weights each reduces to its unweighted counterpart.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.stats import wilson_interval


def kish_ess(weights: np.ndarray) -> float:
    """Kish's effective sample size, ``(Σw)² / Σw²`` (Kish 1965, *Survey Sampling*, §11.7).

    ``n`` for equal weights, 0 when every weight is 0.
    """
    w = np.asarray(weights, dtype=float)
    total, squares = float(w.sum()), float(np.square(w).sum())
    return total * total / squares if squares > 0 else 0.0


def weighted_share(hit: np.ndarray, weights: np.ndarray) -> tuple[float, tuple[float, float]]:
    """The weighted share of ``hit`` worlds and its 95% Wilson interval at the Kish ESS.

    ``p = Σ w·hit / Σ w``; the interval is Wilson's (:func:`wilson_interval`) for ``p`` observed
    in ``ESS`` trials, the usual approximation for a weighted proportion (Kish 1965; Korn and
    Graubard 1998). ``(0, (0, 1))`` when every weight is 0.
    """
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    if total <= 0:
        return 0.0, (0.0, 1.0)
    p = float(w[np.asarray(hit, dtype=bool)].sum()) / total
    n = max(1, round(kish_ess(w)))
    return p, wilson_interval(round(p * n), n)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """Quantiles ``qs`` of ``values`` under ``weights``: the inverse of the weighted ECDF.

    The smallest value whose cumulative weight share reaches ``q`` (the weighted analogue of
    numpy's ``inverted_cdf`` method, Hyndman and Fan 1996 definition 1). NaN values and
    zero weights are ignored; all NaN when no weight is left.
    """
    v, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    keep = ~np.isnan(v) & (w > 0)
    v, w = v[keep], w[keep]
    if not len(v):
        return np.full(len(np.atleast_1d(qs)), np.nan)
    order = np.argsort(v)  # ties are equal values: any order gives the same quantiles
    v, cum = v[order], np.cumsum(w[order])
    at = np.searchsorted(cum, np.atleast_1d(qs) * cum[-1], side="left")
    return v[np.clip(at, 0, len(v) - 1)]


def systematic_resample(weights: np.ndarray, size: int) -> np.ndarray:
    """Indices of ``size`` worlds drawn in proportion to ``weights``, systematically.

    Systematic resampling (Kitagawa 1996) with the fixed offset 1/2: deterministic, each world
    kept ``floor`` or ``ceil`` of ``size·w/Σw`` times. Empty when every weight is 0.
    """
    w = np.asarray(weights, dtype=float)
    total = float(w.sum())
    if total <= 0 or size <= 0:
        return np.zeros(0, dtype=np.int64)
    points = (np.arange(size) + 0.5) / size * total
    return np.minimum(np.searchsorted(np.cumsum(w), points, side="right"), len(w) - 1)
