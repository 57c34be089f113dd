"""Design generation: the sweep's design points, each a set of dotted-path overrides.

Grids, one-at-a-time designs and explicit rows are enumerated; Latin hypercube, Sobol'
(Saltelli) and Morris designs are drawn with SALib (Herman and Usher 2017) from a generator
seeded by the sweep's seed, so the same sweep file always gives the same design. A value is a
number or, in grids, one-at-a-time designs and rows, a distribution written as in a scenario
file; it replaces the parameter's spec in the base.

A sampled design moves a whole-number path (``actors.oman.patience``) and a date path
(``actors.iran.deadline``, in days since :data:`~sim.runs.sweeps.spec.EPOCH`) too: its drawn
values are rounded to the nearest whole number (a half up) before anything else sees them, so
the overrides run and the values in the tables, on which the indices are computed, are the same
numbers (:func:`sampled_matrix`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from sim.runs.sweeps.spec import (
    EPOCH,
    LatinHypercubeDesign,
    LoadedSweep,
    MorrisDesign,
    OneAtATimeDesign,
    RowsDesign,
    SobolDesign,
)
from sim.scenario.params import ParamSpec, central

DESIGN_STREAM = 0x5EED_DE51
"""Mixed into the root seed for the design's generator, apart from every world-block seed."""


@dataclass(frozen=True)
class DesignPoint:
    """One design point: the overrides it applies and each parameter's (central) value."""

    index: int
    overrides: dict[str, Any]
    values: dict[str, float]

    def overrides_json(self) -> str:
        """The overrides as canonical JSON (recorded in ``points.parquet``)."""
        return json.dumps(self.overrides, sort_keys=True, separators=(",", ":"))


def design_points(sweep: LoadedSweep) -> list[DesignPoint]:
    """Every design point of a sweep, in design order.

    A point's ``values`` hold every varied path: the point's own value where it sets the path,
    else the base scenario's central value (rows and one-at-a-time points set only some).
    """
    return [
        DesignPoint(
            k,
            {p: _raw(v, _unit(sweep, p)) for p, v in row.items()},
            {**sweep.central, **{p: central(v) for p, v in row.items()}},
        )
        for k, row in enumerate(_rows(sweep))
    ]


def design_sha256(points: list[DesignPoint]) -> str:
    """SHA-256 of the design: every point's overrides, in order (as ``overrides_json``).

    The spec's hash does not pin a sampled design, which SALib and SciPy draw: this does, so a
    resumed sweep can tell a design redrawn differently (another library version).
    """
    digest = hashlib.sha256()
    for point in points:
        digest.update(point.overrides_json().encode())
        digest.update(b"\n")
    return digest.hexdigest()


def salib_problem(sweep: LoadedSweep) -> dict[str, Any]:
    """The SALib problem definition: names (the dotted paths) and bounds."""
    names = sweep.spec.paths()
    return {"num_vars": len(names), "names": names, "bounds": [sweep.bounds[n] for n in names]}


def design_rng(sweep: LoadedSweep) -> np.random.Generator:
    """The generator of a sampled design (seeded by the sweep's root seed)."""
    return np.random.default_rng([sweep.spec.seed, DESIGN_STREAM])


def _rows(sweep: LoadedSweep) -> list[dict[str, float | ParamSpec]]:
    spec = sweep.spec
    design = spec.design
    if isinstance(design, RowsDesign):
        return [dict(row) for row in design.rows]
    names = spec.paths()
    if design.kind == "grid":
        axes = [_axis(sweep, name) for name in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*axes)]
    if isinstance(design, OneAtATimeDesign):
        alone = [{name: value} for name in names for value in _axis(sweep, name)]
        return [{}] * design.baseline + alone
    matrix = sampled_matrix(sweep)
    return [{n: float(x) for n, x in zip(names, row, strict=True)} for row in matrix]


def sampled_matrix(sweep: LoadedSweep) -> np.ndarray:
    """A sampled design's matrix (a row per point), as run: whole units rounded.

    The columns of whole-number and date paths are rounded to the nearest whole number, a half
    up (``floor(x + 0.5)``): SALib draws fractions. Morris levels are whole already when
    ``(high - low) / (levels - 1)`` is whole (:func:`sim.runs.sweeps.spec.rounding_warnings`).
    """
    matrix = _sample(sweep).astype(float, copy=True)
    for k, name in enumerate(sweep.spec.paths()):
        if name in sweep.whole or name in sweep.dates:
            matrix[:, k] = np.floor(matrix[:, k] + 0.5)
    return matrix


def _axis(sweep: LoadedSweep, name: str) -> list[float | ParamSpec]:
    p = sweep.spec.parameters[name]
    if p.values is not None:
        return list(p.values)
    lo, hi = sweep.bounds[name]
    assert p.num is not None  # checked by the spec
    return [float(x) for x in np.linspace(lo, hi, p.num)]


def _sample(sweep: LoadedSweep) -> np.ndarray:
    from SALib.sample import latin, morris, sobol

    design = sweep.spec.design
    problem = salib_problem(sweep)
    rng = design_rng(sweep)
    if isinstance(design, LatinHypercubeDesign):
        return np.asarray(latin.sample(problem, design.samples, seed=rng))
    if isinstance(design, SobolDesign):
        return np.asarray(
            sobol.sample(problem, design.samples, calc_second_order=design.second_order, seed=rng)
        )
    if isinstance(design, MorrisDesign):
        return np.asarray(
            morris.sample(problem, design.trajectories, num_levels=design.levels, seed=rng)
        )
    raise TypeError(f"not a sampled design: {design.kind}")  # pragma: no cover


def _unit(sweep: LoadedSweep, path: str) -> str | None:
    """``date`` or ``whole`` for a path that holds a date or a whole number, else None."""
    return "date" if path in sweep.dates else "whole" if path in sweep.whole else None


def _raw(value: float | ParamSpec, unit: str | None = None) -> Any:
    """A value as a scenario file would write it (a number or a distribution mapping).

    ``unit``: ``whole`` for a path that takes whole numbers (``actors.oman.patience``), written
    as an int; ``date`` for a date path, whose value is days since the epoch, written as an ISO
    date (``2025-10-18``).
    """
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_defaults=True)
    if unit == "date":
        return (EPOCH + dt.timedelta(days=round(value))).isoformat()
    return round(value) if unit == "whole" else float(value)
