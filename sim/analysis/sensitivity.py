"""Global sensitivity analysis of a sweep with SALib (Herman and Usher 2017).

The outputs are the probability of a deal and of a strike (any strike: Israeli alone, Israeli
joined by the US, or US alone, ``P(strike_israel) + P(strike_joint) + P(strike_us)``) at each
design point. A ``sobol`` design gives first-order and total Sobol' indices (Sobol' 2001;
estimators of Saltelli 2002 and Saltelli et al. 2010); a ``morris`` design gives elementary
effects: ``mu``, ``mu_star`` (Campolongo et al. 2007) and ``sigma`` (Morris 1991). Confidence
intervals are SALib's bootstrap at 95%, seeded from the sweep's seed. Each output is itself
estimated from a finite number of worlds, so indices of parameters with no effect scatter around
zero by about that Monte Carlo noise.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from rich.table import Table

from sim.runs.output import atomic_write, write_text_atomic
from sim.runs.sweeps.design import salib_problem
from sim.runs.sweeps.spec import LoadedSweep, MorrisDesign, SobolDesign

OUTPUTS = {"deal": "deal_p", "strike": "strike_p"}
"""Each analysed output and its column in the sweep's per-point table."""
ANALYSIS_STREAM = 0xB007_5712
"""Mixed into the sweep's seed for SALib's bootstrap (kept apart from every other stream)."""

METHODS = {"sobol": ("S1", "ST"), "morris": ("mu_star", "sigma")}


class SensitivityError(ValueError):
    """The sweep cannot be analysed (wrong design, or failed design points)."""


def check_design(sweep: LoadedSweep) -> str:
    """The analysis method of a sweep's design ('sobol' or 'morris'); raise otherwise."""
    kind = sweep.spec.design.kind
    if kind not in METHODS:
        raise SensitivityError(
            f"{sweep.source}: sensitivity needs a 'sobol' or 'morris' design, not '{kind}' "
            "(see scenarios/sweeps/baseline_sobol.yaml)"
        )
    return kind


def sensitivity_table(sweep: LoadedSweep, points: pd.DataFrame) -> pd.DataFrame:
    """One row per (output, parameter): Sobol' indices or Morris effects with 95% intervals.

    Args:
        sweep: the loaded sweep (its design must be ``sobol`` or ``morris``).
        points: the sweep's per-point table, in design order (``points.parquet``).

    Raises:
        SensitivityError: the design is not sobol or morris, or some design points failed.
    """
    method = check_design(sweep)
    failed = points[points["status"] != "ok"]
    if len(failed):
        first = failed.iloc[0]
        raise SensitivityError(
            f"{len(failed)} of {len(points)} design points failed, and the indices need every "
            f"point; first: point {first['point']}: {first['error']}"
        )
    problem = salib_problem(sweep)
    seed = int(np.random.SeedSequence([sweep.spec.seed, ANALYSIS_STREAM]).generate_state(1)[0])
    seed += 1  # SALib's sobol.analyze ignores a seed of 0 and falls back to global state
    rows: list[dict[str, Any]] = []
    for output, column in OUTPUTS.items():
        y = points[column].to_numpy(dtype=float)
        found = _analyse(sweep, problem, points, y, seed)
        for k, name in enumerate(problem["names"]):
            row: dict[str, Any] = {"output": output, "parameter": name, "method": method}
            row.update({key: float(values[k]) for key, values in found.items()})
            rows.append(row)
    return pd.DataFrame(rows)


def _analyse(
    sweep: LoadedSweep, problem: dict[str, Any], points: pd.DataFrame, y: np.ndarray, seed: int
) -> dict[str, np.ndarray]:
    design = sweep.spec.design
    if isinstance(design, SobolDesign):
        from SALib.analyze import sobol

        res = sobol.analyze(
            problem, y, calc_second_order=design.second_order, seed=seed, print_to_console=False
        )
        return {k: np.asarray(res[k], dtype=float) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    assert isinstance(design, MorrisDesign)
    from SALib.analyze import morris

    x = points[problem["names"]].to_numpy(dtype=float)
    res = morris.analyze(problem, x, y, num_levels=design.levels, seed=seed)
    keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    return {k: np.ma.filled(np.ma.asarray(res[k], dtype=float), np.nan) for k in keys}


def short_name(path: str) -> str:
    """A parameter's path without the ``actors.`` prefix (for tables and figures)."""
    return path.removeprefix("actors.")


def rich_table(table: pd.DataFrame, title: str) -> Table:
    """The sensitivity table as printed by ``negsim sensitivity``."""
    method = str(table["method"].iloc[0])
    out = Table(title=title)
    out.add_column("output")
    out.add_column("parameter")
    first, second = METHODS[method]
    conf = {"S1": "S1_conf", "ST": "ST_conf", "mu_star": "mu_star_conf"}
    for col in (first, second):
        out.add_column(col + (" ± 95%" if col in conf else ""), justify="right")
    for row in table.to_dict("records"):
        cells = []
        for col in (first, second):
            half = f" ± {row[conf[col]]:.3f}" if col in conf else ""
            cells.append(f"{row[col]:.3f}{half}")
        out.add_row(str(row["output"]), short_name(str(row["parameter"])), *cells)
    return out


def write_sensitivity(
    table: pd.DataFrame, out_dir: Path, title: str, meta: dict[str, Any] | None = None
) -> list[Path]:
    """Write ``sensitivity.csv``, ``.parquet``, ``.png`` and ``.svg`` atomically.

    ``meta`` (the sweep's version, commit, hashes and seed) goes into the Parquet file's schema
    metadata under ``negsim``, as in the sweep's own files.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    csv, parquet = out_dir / "sensitivity.csv", out_dir / "sensitivity.parquet"
    write_text_atomic(csv, table.to_csv(index=False, float_format="%.6g"))
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    if meta is not None:
        tagged = {**(arrow.schema.metadata or {}), b"negsim": json.dumps(meta, sort_keys=True)}
        arrow = arrow.replace_schema_metadata(tagged)

    def write_parquet(p: Path) -> None:
        import pyarrow.parquet as pq

        pq.write_table(arrow, p)

    atomic_write(parquet, write_parquet)
    from sim.analysis.plots import plot_sensitivity, save_figure

    figure = plot_sensitivity(table, output=list(OUTPUTS), title=title)
    png, svg = save_figure(figure, out_dir / "sensitivity")
    return [csv, parquet, png, svg]
