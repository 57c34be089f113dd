"""Scores of probability forecasts of yes/no questions: Brier, log, skill, reliability bins.

The scores themselves come from ``scoringrules`` (Zanetta and Allen, frazane/scoringrules),
negatively oriented (lower is better, 0 is a perfect forecast):

- Brier score (Brier 1950): ``(p - y)²``, in [0, 1];
- log score (Good 1952): ``-ln |p + y - 1|``, minus the log of the probability given to what
  happened, in [0, ∞). A forecast of 0 or 1 that misses scores infinity, so the forecasts are
  clipped to ``[LOG_CLIP, 1 - LOG_CLIP]`` for the log score only (:func:`log_scores`).

The skill score against a reference forecast (Wilks 2011, *Statistical Methods in the
Atmospheric Sciences*, §8.4) is ``1 - S / S_ref`` of the mean scores: 1 perfect, 0 no better
than the reference, negative worse. docs/forecasting.md ("Scoring forecasts") says why these.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.mechanisms.stats import wilson_interval

LOG_CLIP = 0.001
"""The log score's forecasts are clipped to ``[0.001, 0.999]``: one confident miss costs at
most ``-ln 0.001 = 6.9``, ten times a forecast of 0.5 that misses (``ln 2 = 0.69``). An
ensemble's 0 of N worlds is not a probability of 0 (docs/forecasting.md)."""
RELIABILITY_BINS = 10
"""Equal-width bins of forecast probability in the reliability diagram."""


def _checked(outcomes: np.ndarray, forecasts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(outcomes, dtype=float)
    p = np.asarray(forecasts, dtype=float)
    if y.shape != p.shape:
        raise ValueError(f"{y.shape[0]} outcomes but {p.shape[0]} forecasts")
    return y, p


def brier_scores(outcomes: np.ndarray, forecasts: np.ndarray) -> np.ndarray:
    """Each forecast's Brier score ``(p - y)²`` (Brier 1950; ``scoringrules.brier_score``)."""
    import scoringrules as sr

    y, p = _checked(outcomes, forecasts)
    return np.asarray(sr.brier_score(obs=y, fct=p), dtype=float)


def log_scores(outcomes: np.ndarray, forecasts: np.ndarray, clip: float = LOG_CLIP) -> np.ndarray:
    """Each forecast's log score ``-ln |p + y - 1|`` (Good 1952; ``scoringrules.log_score``).

    The forecasts are clipped to ``[clip, 1 - clip]`` first (:data:`LOG_CLIP`), so a forecast
    of 0 or 1 scores at most ``-ln clip``, never infinity.
    """
    import scoringrules as sr

    y, p = _checked(outcomes, forecasts)
    return np.asarray(sr.log_score(obs=y, fct=np.clip(p, clip, 1 - clip)), dtype=float)


def skill(score: float, reference: float) -> float | None:
    """The skill score ``1 - score / reference`` of two mean scores (Wilks 2011, §8.4).

    None when the reference scores 0 (a perfect reference leaves no skill to measure).
    """
    if reference <= 0:
        return None
    return 1.0 - score / reference


def base_rate(outcomes: np.ndarray) -> float:
    """The climatological forecast: the share of the questions that resolved true.

    The same probability for every question; its mean Brier score is ``ō(1 - ō)``, the
    uncertainty term of Murphy's (1973) decomposition.
    """
    y = np.asarray(outcomes, dtype=float)
    return float(y.mean()) if len(y) else 0.0


@dataclass(frozen=True)
class Bin:
    """One bin of the reliability diagram: forecasts in ``[lo, hi)`` (the last one ``[lo, 1]``)."""

    lo: float
    hi: float
    count: int
    """Questions whose forecast falls in the bin."""
    forecast: float
    """Their mean forecast (NaN in an empty bin)."""
    observed: float
    """The share of them that resolved true (NaN in an empty bin)."""
    ci95: tuple[float, float]
    """Its 95% Wilson interval (:func:`~sim.mechanisms.stats.wilson_interval`)."""


def reliability(
    outcomes: np.ndarray, forecasts: np.ndarray, bins: int = RELIABILITY_BINS
) -> list[Bin]:
    """The reliability diagram's bins: ``bins`` equal widths of [0, 1], empty ones included.

    A well-calibrated forecaster's questions resolve true as often as forecast: each bin's
    observed share near its mean forecast (Murphy and Winkler 1977; Wilks 2011, §8.4.4).
    """
    y, p = _checked(outcomes, forecasts)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    out = []
    for k in range(bins):
        inside = which == k
        n, hits = int(inside.sum()), int(y[inside].sum())
        out.append(
            Bin(
                float(edges[k]),
                float(edges[k + 1]),
                n,
                float(p[inside].mean()) if n else float("nan"),
                hits / n if n else float("nan"),
                wilson_interval(hits, n),
            )
        )
    return out
