"""Utilities over packages (docs/model.md §3.4.1).

``u_i(x) = 1 − Σ_d w_id · (|x_d − ideal_id| / (hi_d − lo_d))^ρ_i`` with saliences normalised to
weights (Σ_d w_id = 1) and ρ_i ≥ 1, so ``u_i ∈ [0, 1]`` on the issue box. The spatial form is the
one used by the expert-coded models (Bueno de Mesquita 1994; Achen and Stokman's compromise model).
"""

from __future__ import annotations

import numpy as np


def normalise_weights(salience: np.ndarray) -> np.ndarray:
    """Saliences (..., D) to weights summing to 1 over the last axis (uniform if all are zero)."""
    total = salience.sum(axis=-1, keepdims=True)
    d = salience.shape[-1]
    safe = np.where(total > 0, total, 1.0)
    return np.where(total > 0, salience / safe, 1.0 / d)


def utility(
    x: np.ndarray, ideal: np.ndarray, weights: np.ndarray, span: np.ndarray, rho: np.ndarray
) -> np.ndarray:
    """Utility of packages ``x`` (N, D) or (N, K, D) for actors with ideals and weights (N, D).

    ``rho`` has shape (N,). Returns (N,) or (N, K).
    """
    if x.ndim == 3:
        ideal, weights, rho_b = ideal[:, None, :], weights[:, None, :], rho[:, None, None]
    else:
        rho_b = rho[:, None]
    gap = np.abs(x - ideal) / span
    loss = weights * _power(gap, rho, rho_b)
    # A matrix-vector product sums the short issue axis much faster than np.sum(axis=-1).
    return 1.0 - loss @ np.ones(loss.shape[-1])


def _power(gap: np.ndarray, rho: np.ndarray, rho_b: np.ndarray) -> np.ndarray:
    """``gap ** rho``, with the common exponents (1, 1.5, 2) computed without ``pow``.

    Each element gets the same arithmetic whatever the other worlds' exponents, so a world's
    utilities do not depend on which worlds share its block.
    """
    if rho.size and np.all(rho == rho[0]):
        return _power_scalar(gap, float(rho[0]))
    out = gap**rho_b
    for r in _FAST:
        out = np.where(rho_b == r, _power_scalar(gap, r), out)
    return out


_FAST = (1.0, 1.5, 2.0)


def _power_scalar(gap: np.ndarray, r: float) -> np.ndarray:
    if r == 1.0:
        return gap
    if r == 2.0:
        return gap * gap
    if r == 1.5:
        return gap * np.sqrt(gap)
    return gap**r
