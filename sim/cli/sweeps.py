"""``negsim sweep`` and ``negsim sensitivity``: a parameter sweep, and the indices of one.

Bad input (an invalid sweep file or base scenario, an impossible backend, an output directory
holding another sweep, a design without sensitivity indices) propagates to
:func:`sim.cli.main.dispatch`, which prints every problem and returns 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.cli.errors import UsageError, markup_free, nonempty_path
from sim.runs.sweeps.api import run
from sim.runs.sweeps.runner import SweepResult
from sim.runs.sweeps.spec import LoadedSweep, load_sweep, rounding_warnings

WIDE = 160
MAX_ROWS = 30
"""Rows of the printed summary table (the files hold every design point)."""
TOP = 20
"""Parameters of each output printed by ``negsim sensitivity`` (the files hold every one)."""


def add_sweep_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim sweep SPEC [--out DIR] [--jobs J] [--resume] [--dask-...]``."""
    p.add_argument("spec", type=Path, help="sweep YAML file (a file with a top-level 'design:')")
    _add_run_options(p)
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the sweep in --out after an interruption, recomputing nothing finished",
    )


def add_sensitivity_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim sensitivity SPEC [--top N] [--out DIR] [--jobs J] [--dask-...]``."""
    p.add_argument("spec", type=Path, help="sweep YAML file with a 'sobol' or 'morris' design")
    p.add_argument(
        "--top",
        type=int,
        default=TOP,
        metavar="N",
        help=f"print the N most important parameters of each output (default {TOP}; 0: all)",
    )
    _add_run_options(p)


def _add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--out",
        type=nonempty_path,
        default=None,
        metavar="DIR",
        help="output directory (default sweeps/NAME)",
    )
    p.add_argument(
        "--jobs", type=int, default=None, metavar="J", help="local processes (default 1)"
    )
    dask = p.add_mutually_exclusive_group()
    dask.add_argument(
        "--dask-scheduler", metavar="ADDRESS", help="run on a Dask cluster (tcp://HOST:PORT)"
    )
    dask.add_argument(
        "--dask-local", type=int, metavar="N", help="start a local Dask cluster of N workers"
    )


def sweep_main(args: argparse.Namespace, console: Console) -> int:
    """Run a sweep, print its summary table and where its files are."""
    sweep = load_sweep(args.spec)
    _warn(rounding_warnings(sweep))
    result, out = _run(sweep, args, resume=args.resume)
    _wide(console).print(summary_table(result))
    console.print(
        f"wrote {markup_free(out)}/points.parquet, summary.parquet, sweep.json", highlight=False
    )
    return 0


def sensitivity_main(args: argparse.Namespace, console: Console) -> int:
    """Run (or resume) a sweep, then compute and write its sensitivity indices."""
    from sim.analysis.sensitivity import (
        check_design,
        rich_table,
        sample_warnings,
        sensitivity_table,
        write_sensitivity,
    )

    if args.top < 0:
        raise UsageError(f"--top must be 0 (all) or more, got {args.top}")
    sweep = load_sweep(args.spec)
    check_design(sweep)
    rounding = rounding_warnings(sweep)
    _warn(rounding)
    result, out = _run(sweep, args, resume=True)
    table = sensitivity_table(sweep, result.points)
    title = f"Sensitivity of '{result.meta['sweep']}' ({result.meta['points']} design points)"
    _wide(console).print(rich_table(table, title, top=args.top or None))
    warnings = sample_warnings(sweep, table, result.points)
    _warn(warnings)
    warnings = rounding + warnings
    keys = ("sweep", "spec_sha256", "scenario", "scenario_sha256", "seed", "design", "version")
    meta = {k: result.meta[k] for k in (*keys, "git_commit", "worlds_per_point", "block_size")}
    paths = write_sensitivity(table, out, title, {**meta, "warnings": warnings})
    console.print("wrote " + ", ".join(markup_free(p) for p in paths), highlight=False)
    return 0


def _warn(lines: list[str]) -> None:
    """Print warnings on standard error, one line each."""
    err = Console(stderr=True, highlight=False)
    for line in lines:
        err.print(f"[yellow]warning:[/] {escape(line)}", soft_wrap=True)


def _wide(console: Console) -> Console:
    """Not a terminal (a pipe, a log): print tables at full width rather than wrap their cells."""
    if console.is_terminal or console.width >= WIDE:
        return console
    return Console(file=console.file, width=WIDE)


def _run(sweep: LoadedSweep, args: argparse.Namespace, *, resume: bool) -> tuple[SweepResult, Path]:
    """Run (or resume) the sweep, its progress bar on standard error; return it and its folder."""
    err = Console(stderr=True)
    out = args.out or Path("sweeps") / sweep.spec.name
    result = run(
        sweep,
        out=out,
        jobs=1 if args.jobs is None else args.jobs,
        resume=resume,
        progress=err.is_terminal,
        dask_scheduler=args.dask_scheduler,
        dask_local=args.dask_local,
        console=err,
    )
    return result, out


def summary_table(result: SweepResult) -> Table:
    """The per-point table printed at the end of ``negsim sweep``."""
    meta = result.meta
    points = result.points
    seconds = _seconds(meta)
    table = Table(
        title=(
            f"{meta['sweep']}: {meta['points']} design points x {meta['worlds_per_point']:,} "
            f"worlds, seed {meta['seed']}, {meta['error_points']} error(s)"
            + (f" ({seconds} s)" if seconds is not None else "")
        ),
        caption=None
        if len(points) <= MAX_ROWS
        else f"first {MAX_ROWS} of {len(points)} design points; all are in points.parquet",
    )
    params = list(meta["parameters"])
    table.add_column("point", justify="right")
    for path in params:
        table.add_column(path.removeprefix("actors."), justify="right")
    for col in ("P(deal) [95% CI]", "P(strike) [95% CI]", "median deal step", "status"):
        table.add_column(col, justify="right" if col != "status" else "left")
    for row in points.head(MAX_ROWS).to_dict("records"):
        cells = [str(row["point"])] + [f"{row[p]:.4g}" for p in params]
        if row["status"] == "ok":
            cells += [
                _interval(row, "deal"),
                _interval(row, "strike"),
                "—" if pd.isna(row["deal_median_step"]) else f"{row['deal_median_step']:g}",
                "ok",
            ]
        else:
            cells += ["—", "—", "—", f"error: {row['error']}"]
        table.add_row(*cells)
    return table


def _interval(row: dict[Any, Any], name: str) -> str:
    return f"{row[f'{name}_p']:.3f} [{row[f'{name}_ci_low']:.3f}, {row[f'{name}_ci_high']:.3f}]"


def _seconds(meta: dict[str, Any]) -> float | None:
    seconds = meta["sessions"][-1].get("seconds")
    return None if seconds is None else round(float(seconds), 1)
