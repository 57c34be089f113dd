"""The ``negsim plot`` and ``negsim report`` commands (wired into :mod:`sim.cli`).

``negsim plot RESULTS... [--out DIR]`` draws the figures of run directories (``summary.json``
and ``worlds.parquet``, from ``negsim run``) and sweep directories (``sweep.json`` and
``points.parquet``, from ``negsim sweep`` or ``negsim sensitivity``) as PNG and SVG.
``negsim report SCENARIO... [--worlds N] [--seed S] [--out report.html]`` runs the scenarios
and writes one self-contained HTML report (:mod:`sim.report`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from rich.console import Console

RUN_FILES = ("summary.json", "worlds.parquet")
SWEEP_FILES = ("sweep.json", "points.parquet")
SENSITIVITY_FILE = "sensitivity.parquet"


class ResultsError(ValueError):
    """A results directory is missing or is not the output of a run or a sweep."""


def _usage_error(message: str) -> Exception:
    """The CLI's bad-input error (exit status 2); imported late: sim.cli imports this module."""
    try:
        from sim.cli import UsageError
    except ImportError:  # pragma: no cover - sim.cli always defines it
        return ResultsError(message)
    return UsageError(message)


# ------------------------------------------------------------------------------------- plot


def add_plot_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add ``negsim plot`` to the command's subparsers."""
    p = sub.add_parser(
        "plot",
        parents=list(parents),
        help="draw the figures of run and sweep output directories (PNG and SVG)",
        description=(
            "Draw the figures of each results directory: for a run (summary.json and "
            "worlds.parquet) its outcomes, timing and deal terms; for two runs or more also "
            "their comparison (a forest plot); for a sweep (sweep.json and points.parquet) "
            "heatmaps and line plots of the outcome probabilities, and the sensitivity "
            "indices when the sweep has them."
        ),
    )
    p.add_argument("results", type=Path, nargs="+", metavar="RESULTS", help="output directories")
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write the figures (default: DIR/figures of the first results directory)",
    )


def plot_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim plot``: write the figures and list them."""
    out = args.out if args.out is not None else args.results[0] / "figures"
    if out.exists() and not out.is_dir():
        raise _usage_error(f"--out {out} exists and is not a directory")
    try:
        paths = plot_results(args.results, out)
    except ResultsError as exc:
        raise _usage_error(str(exc)) from None
    console.print(f"wrote {len(paths)} files to {out}:", highlight=False)
    for path in paths:
        console.print(f"  {path}", highlight=False, soft_wrap=True)
    return 0


@dataclass(frozen=True)
class RunDir:
    """The files of a run directory, read."""

    path: Path
    summary: dict[str, Any]
    worlds: pd.DataFrame


@dataclass(frozen=True)
class SweepDir:
    """The files of a sweep directory, read."""

    path: Path
    meta: dict[str, Any]
    points: pd.DataFrame
    sensitivity: pd.DataFrame | None


def read_results(path: Path) -> RunDir | SweepDir:
    """Read a run or a sweep output directory.

    Raises:
        ResultsError: the directory is missing, or holds neither a run's nor a sweep's files,
            or they cannot be read.
    """
    if not path.exists():
        raise ResultsError(f"{path}: no such directory")
    if not path.is_dir():
        raise ResultsError(f"{path}: not a directory (give a run's or a sweep's output folder)")
    if all((path / f).exists() for f in RUN_FILES):
        summary = _read_json(path / "summary.json")
        for key in ("scenario", "worlds", "seed", "outcomes"):
            if key not in summary:
                raise ResultsError(f"{path / 'summary.json'}: no '{key}' (not a run's summary)")
        return RunDir(path, summary, _read_parquet(path / "worlds.parquet"))
    if (path / "points.parquet").exists():
        meta = _read_json(path / "sweep.json") if (path / "sweep.json").exists() else {}
        points = _read_parquet(path / "points.parquet")
        sens = path / SENSITIVITY_FILE
        return SweepDir(path, meta, points, _read_parquet(sens) if sens.exists() else None)
    raise ResultsError(
        f"{path}: not a run's output ({' and '.join(RUN_FILES)}) nor a sweep's "
        f"({' and '.join(SWEEP_FILES)})"
    )


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{path}: not a JSON object")
    return data


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ResultsError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None


def plot_results(results: Sequence[Path], out: Path) -> list[Path]:
    """Write the figures of each results directory into ``out``; return the files written."""
    from sim.plots import plot_forest

    read = [read_results(Path(p)) for p in results]  # every directory readable before drawing
    stems = _stems(read)
    written: list[Path] = []
    runs = [r for r in read if isinstance(r, RunDir)]
    for item, stem in zip(read, stems, strict=True):
        if isinstance(item, RunDir):
            written += _plot_run(item, out, stem)
        else:
            written += _plot_sweep(item, out, stem)
    if len(runs) > 1:
        from sim.plots import save_figure

        labels = [stems[read.index(r)] for r in runs]
        fig = plot_forest([r.summary for r in runs], labels)
        written += save_figure(fig, out / "comparison_forest")
    return written


def _stems(read: Sequence[RunDir | SweepDir]) -> list[str]:
    """A distinct file-name stem per directory: its scenario's or sweep's name."""
    out: list[str] = []
    for item in read:
        if isinstance(item, RunDir):
            name = str(item.summary["scenario"])
        else:
            name = str(item.meta.get("sweep") or item.path.name)
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "results"
        candidate, k = stem, 2
        while candidate in out:
            candidate, k = f"{stem}_{k}", k + 1
        out.append(candidate)
    return out


def _plot_run(item: RunDir, out: Path, stem: str) -> list[Path]:
    from sim.plots import plot_outcomes, plot_terms, plot_timing, save_figure
    from sim.scenario.loader import load_scenario

    written = save_figure(plot_outcomes(item.summary), out / f"{stem}_outcomes")
    data = item.summary.get("scenario_data")
    if data is None:
        file = item.summary.get("scenario_file")
        if not file or not Path(file).is_file():
            raise ResultsError(
                f"{item.path / 'summary.json'}: no 'scenario_data' and no readable "
                "'scenario_file': cannot draw the timing and terms (re-run with this version)"
            )
        data = Path(file)
    spec = load_scenario(data).scenario
    name = str(item.summary["scenario"])
    written += save_figure(plot_timing(item.worlds, spec, name=name), out / f"{stem}_timing")
    written += save_figure(plot_terms(item.worlds, spec, name=name), out / f"{stem}_terms")
    return written


def _plot_sweep(item: SweepDir, out: Path, stem: str) -> list[Path]:
    from sim.plots import (
        STRIKE,
        plot_sensitivity,
        plot_sweep_heatmap,
        plot_sweep_line,
        save_figure,
        sweep_parameters,
    )

    points = item.points
    points.attrs["sweep"] = item.meta
    params = sweep_parameters(points)
    if not params:
        raise ResultsError(f"{item.path / 'points.parquet'}: no swept parameter columns")
    written: list[Path] = []
    if len(params) >= 2:
        y, x = params[0], params[1]
        for outcome in ("deal", STRIKE):
            if f"{outcome}_p" in points:
                fig = plot_sweep_heatmap(points, x, y, outcome)
                written += save_figure(fig, out / f"{stem}_heatmap_{outcome}")
    if item.meta.get("design", "grid") in ("grid", "rows") or len(params) == 1:
        for path in params:
            fig = plot_sweep_line(points, path)
            written += save_figure(fig, out / f"{stem}_line_{_path_stem(path)}")
    if item.sensitivity is not None:
        table = item.sensitivity
        outputs = table["output"].unique() if "output" in table else ["deal"]
        for output in outputs:
            fig = plot_sensitivity(table, output=str(output))
            written += save_figure(fig, out / f"{stem}_sensitivity_{output}")
    return written


def _path_stem(path: str) -> str:
    return path.removeprefix("actors.").replace(".", "_")


# ----------------------------------------------------------------------------------- report


def add_report_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """Add ``negsim report`` to the command's subparsers."""
    p = sub.add_parser(
        "report",
        parents=list(parents),
        help="run scenarios and write one self-contained HTML report",
        description=(
            "Run each scenario with the same worlds and seed, and write one HTML file (figures "
            "embedded, no external files): each scenario's outcome table and figures, their "
            "comparison, one world told, the first scenario's calibration evidence and what "
            "is needed to reproduce it."
        ),
    )
    p.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO", help="scenario files")
    p.add_argument("--worlds", type=int, default=1000, help="worlds per scenario (default 1000)")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: drawn, recorded)")
    p.add_argument(
        "--out", type=Path, default=Path("report.html"), help="the HTML file (report.html)"
    )
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")


def report_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim report``: run the scenarios and write the report."""
    from sim.report import write_report
    from sim.scenario.loader import load_scenario

    if args.worlds < 1:
        raise _usage_error("--worlds must be at least 1")
    if args.seed is not None and args.seed < 0:
        raise _usage_error("--seed must be a non-negative integer")
    if args.jobs < 1:
        raise _usage_error("--jobs must be at least 1")
    if args.out.exists() and args.out.is_dir():
        raise _usage_error(f"--out {args.out} is a directory; give the HTML file to write")
    loaded = [load_scenario(path) for path in args.scenarios]  # every file valid first
    err = Console(stderr=True)

    def progress(name: str) -> None:
        err.print(f"running {args.worlds:,} worlds of {name}", highlight=False)

    path = write_report(
        loaded,
        worlds=args.worlds,
        seed=args.seed,
        out=args.out,
        jobs=args.jobs,
        on_scenario=progress,
    )
    console.print(f"wrote {path}", highlight=False)
    return 0
