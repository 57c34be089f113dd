"""Global sensitivity analysis of a sweep with SALib (Herman and Usher 2017).

The outputs are the probability of a deal and of a strike (any strike: Israeli alone, Israeli
joined by the US, or US alone, ``P(strike_israel) + P(strike_joint) + P(strike_us)``) at each
design point. A ``sobol`` design gives first-order and total Sobol' indices (Sobol' 2001;
estimators of Saltelli 2002 and Saltelli et al. 2010); a ``morris`` design gives elementary
effects: ``mu``, ``mu_star`` (Campolongo et al. 2007) and ``sigma`` (Morris 1991). Confidence
intervals are SALib's bootstrap at 95%, seeded from the sweep's seed. Each output is itself
estimated from a finite number of worlds, so indices of parameters with no effect scatter around
zero by about that Monte Carlo noise.

The table is sorted by importance (ST, or μ*) within each output, and :func:`sample_warnings`
says when the sample is too small to trust (an S1 above its ST, a negative S1, or an interval
wider than its index, each beyond SALib's intervals) and which size to use instead.
"""

from __future__ import annotations

import json
import math
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
RANK_BY = {"sobol": "ST", "morris": "mu_star"}
"""The index that ranks the parameters of each method (the total effect)."""
SIZE_FIELD = {"sobol": ("samples", 1_048_576), "morris": ("trajectories", 100_000)}
"""The design field that sets the sample size, and its largest value."""
FLOOR = 0.05
"""An interval half-width below this (Sobol': an index; Morris: a share of the largest μ*) is
narrow enough whatever the index: a parameter with no effect is measured as about zero."""
NOISE_SHARE = 0.2
"""Largest share of an output's variance across design points that the worlds' own Monte Carlo
noise may take before the indices are warned about (more worlds per point, not more points)."""


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
    return ranked(pd.DataFrame(rows), method)


def ranked(table: pd.DataFrame, method: str) -> pd.DataFrame:
    """The table sorted by importance within each output (ST or μ*, largest first), ranked.

    Outputs keep their order (``deal``, then ``strike``); ties keep the design's order; a
    ``rank`` column (1 = most important) is inserted after ``parameter``.
    """
    order = {name: k for k, name in enumerate(dict.fromkeys(table["output"]))}
    out = table.assign(_o=table["output"].map(order), _v=-table[RANK_BY[method]].fillna(-np.inf))
    out = out.sort_values(["_o", "_v"], kind="stable").drop(columns=["_o", "_v"])
    out.insert(2, "rank", out.groupby("output").cumcount() + 1)
    return out.reset_index(drop=True)


def sample_warnings(sweep: LoadedSweep, table: pd.DataFrame, points: pd.DataFrame) -> list[str]:
    """Why the indices are not to be trusted at this sample size, and what size to use; or [].

    Sobol' (Saltelli et al. 2010): S1 cannot exceed ST nor be negative, nor ST exceed 1, so an
    S1 above ST, a negative S1 or an ST above 1, beyond SALib's 95% intervals, is estimation
    error; and an interval wider than its index (and than ``FLOOR``) cannot rank the parameter.
    Morris (Campolongo et al. 2007): a μ* interval wider than μ* (and than ``FLOOR`` of the
    largest μ*). The intervals shrink as ``1/sqrt(N)``, so the size suggested is the one that
    would halve the worst ratio of interval to index (a power of 2 for Sobol'). When only S1
    values are flagged, the warning says that the ranking (by ST) holds. Separately, the worlds'
    Monte Carlo noise (binomial, ``p(1-p)/worlds`` a point) above ``NOISE_SHARE`` of an output's
    variance across the points asks for more worlds per point.
    """
    method = str(table["method"].iloc[0])
    flagged = _sobol_flags(table) if method == "sobol" else _morris_flags(table)
    out = [f"{o}: {short_name(p)}: {why}" for o, p, why, _, _ in flagged]
    field, largest = SIZE_FIELD[method]
    size = int(getattr(sweep.spec.design, field))
    if flagged:
        worst = max(flag[3] for flag in flagged)
        want = min(largest, max(2 * size, math.ceil(size * (2 * worst) ** 2)))
        if method == "sobol":
            want = min(largest, 1 << (want - 1).bit_length())
        use = f"use {field}: {want} or more (now {size}; intervals shrink as 1/sqrt({field}))"
        if any(flag[4] for flag in flagged):
            what = f"the sample is too small to trust these indices ({len(flagged)} problem(s)"
            out.append(f"{what} above): {use}")
        else:
            out.append(
                f"the total indices ST, which rank the parameters, are resolved, but not the "
                f"first-order S1 ({len(flagged)} problem(s) above): to read S1, {use}"
            )
    out.extend(_noise_warnings(points, sweep.spec.worlds))
    return out


Flag = tuple[str, str, str, float, bool]
"""(output, parameter, why, interval/index ratio, whether it puts the ranking in doubt)."""


def _sobol_flags(table: pd.DataFrame) -> list[Flag]:
    """Every implausible Sobol' estimate; the ranking is in doubt when ST is (not S1 alone)."""
    flags = []
    for row in table.to_dict("records"):
        s1, c1, st, ct = (float(row[k]) for k in ("S1", "S1_conf", "ST", "ST_conf"))
        why = []
        if s1 - c1 > st + ct:
            why.append(f"S1 {s1:.3f} ± {c1:.3f} exceeds ST {st:.3f} ± {ct:.3f}")
        if s1 + c1 < 0:
            why.append(f"S1 {s1:.3f} ± {c1:.3f} is negative")
        if st - ct > 1:
            why.append(f"ST {st:.3f} ± {ct:.3f} exceeds 1")
        for name, value, conf in (("S1", s1, c1), ("ST", st, ct)):
            if conf > max(abs(value), FLOOR):
                why.append(f"{name} {value:.3f} ± {conf:.3f}: the interval is wider than the index")
        if why:
            ratio = max(c1, ct) / max(abs(s1), abs(st), FLOOR)
            ranking = any(w.startswith("ST") or "exceeds ST" in w for w in why)
            flags.append(
                (str(row["output"]), str(row["parameter"]), "; ".join(why), ratio, ranking)
            )
    return flags


def _morris_flags(table: pd.DataFrame) -> list[Flag]:
    """Every μ* its interval swamps (each puts the ranking in doubt)."""
    flags = []
    for output, rows in table.groupby("output", sort=False):
        floor = FLOOR * float(rows["mu_star"].max())
        for row in rows.to_dict("records"):
            value, conf = float(row["mu_star"]), float(row["mu_star_conf"])
            if conf > max(value, floor) and floor > 0:
                why = f"mu_star {value:.3f} ± {conf:.3f}: the interval is wider than the index"
                ratio = conf / max(value, floor)
                flags.append((str(output), str(row["parameter"]), why, ratio, True))
    return flags


def _noise_warnings(points: pd.DataFrame, worlds: int) -> list[str]:
    """A warning for each output whose worlds' binomial noise is much of its variance."""
    out = []
    for output, column in OUTPUTS.items():
        y = points[column].to_numpy(dtype=float)
        total = float(np.var(y))
        noise = float(np.mean(y * (1 - y))) / worlds
        if total > 0 and noise > NOISE_SHARE * total:
            share = min(1.0, noise / total)
            out.append(
                f"{output}: the worlds' Monte Carlo noise is {share:.0%} of the variance across "
                f"design points: use more worlds per point (now {worlds:,})"
            )
    return out


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

    # The values run (whole numbers and dates rounded, sim.runs.sweeps.design.sampled_matrix):
    # morris.analyze reads only which path each step moves, and which way, and divides by the
    # nominal step, which the rounded values keep when the levels are whole (rounding_warnings).
    x = points[problem["names"]].to_numpy(dtype=float)
    res = morris.analyze(problem, x, y, num_levels=design.levels, seed=seed)
    keys = ("mu", "mu_star", "mu_star_conf", "sigma")
    return {k: np.ma.filled(np.ma.asarray(res[k], dtype=float), np.nan) for k in keys}


def short_name(path: str) -> str:
    """A parameter's path without the ``actors.`` prefix (for tables and figures)."""
    return path.removeprefix("actors.")


CONF = {"S1": "S1_conf", "ST": "ST_conf", "mu_star": "mu_star_conf"}
"""Each index with a SALib 95% interval, and its interval's column."""
SHOWN = {"sobol": ("ST", "S1"), "morris": ("mu_star", "sigma", "mu")}
"""The columns printed per method, the ranking index first."""


def rich_table(table: pd.DataFrame, title: str, top: int | None = None) -> Table:
    """The sensitivity table as printed by ``negsim sensitivity``: ranked, with 95% intervals.

    ``top``: print only the first ``top`` parameters of each output (the files hold all).
    """
    method = str(table["method"].iloc[0])
    shown = table if top is None else table[table["rank"] <= top]
    left = len(table) - len(shown)
    caption = f"{left} more rows in sensitivity.csv (--top 0 prints all)" if left else None
    out = Table(title=title, caption=caption)
    out.add_column("output")
    out.add_column("rank", justify="right")
    out.add_column("parameter")
    for col in SHOWN[method]:
        out.add_column(col + (" ± 95%" if col in CONF else ""), justify="right")
    for row in shown.to_dict("records"):
        cells = []
        for col in SHOWN[method]:
            half = f" ± {row[CONF[col]]:.3f}" if col in CONF else ""
            cells.append(f"{row[col]:.3f}{half}")
        out.add_row(str(row["output"]), str(row["rank"]), short_name(str(row["parameter"])), *cells)
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
