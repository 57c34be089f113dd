"""The notebook entry point: ``sim.sweep(spec)`` returns one tidy row per design point."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypedDict, Unpack

import pandas as pd
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from sim.runs.sweeps.backends import Backend
from sim.runs.sweeps.runner import ProgressCallback, SweepResult, run_sweep
from sim.runs.sweeps.spec import SweepLike, load_sweep


@contextmanager
def progress_bar(
    description: str, *, enabled: bool = True, console: Console | None = None
) -> Iterator[ProgressCallback | None]:
    """A rich progress bar with an ETA (it renders in terminals and in Jupyter).

    Yields the callback to pass as ``on_progress``, or None when disabled. Units already on disk
    when a sweep resumes fill the bar at once without counting toward the speed, so the ETA is
    the time the remaining units need.
    """
    if not enabled:
        yield None
        return
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("units"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )
    task: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if not task:
            task.append(bar.add_task(description, total=total, completed=done))
        else:
            bar.update(task[0], completed=done, total=total)

    with bar:
        yield update


class SweepOptions(TypedDict, total=False):
    """How to run a sweep: the keyword arguments of :func:`sweep` and :func:`run`."""

    out: str | Path | None
    """Write the sweep's files here (and make it resumable); None (default) keeps it in memory."""
    jobs: int
    """Local processes (default 1; results do not depend on it)."""
    resume: bool
    """Continue the sweep ``out`` holds, recomputing nothing that finished (default False)."""
    progress: bool
    """Show a progress bar with an ETA (default True)."""
    dask_scheduler: str | None
    """Run on an existing Dask cluster (``tcp://HOST:PORT``)."""
    dask_local: int | None
    """Start a local Dask cluster with this many worker processes."""


def sweep(spec: SweepLike, **options: Unpack[SweepOptions]) -> pd.DataFrame:
    """Run a sweep and return one row per design point (see ``docs/sweeps.md``).

    Args:
        spec: a sweep file path, a mapping with the same keys, or a loaded sweep.
        **options: ``out``, ``jobs``, ``resume``, ``progress``, ``dask_scheduler`` and
            ``dask_local``, as :class:`SweepOptions` describes them.

    Returns:
        A DataFrame with the design point, each parameter's value, ``status`` and ``error``,
        and per outcome ``<outcome>_p``, ``_ci_low``, ``_ci_high`` (95% Wilson), ``_count`` and
        ``_median_step``, plus ``strike_*`` (Israeli or US strike). ``df.attrs["sweep"]`` holds
        the metadata of ``sweep.json``.
    """
    result = run(spec, **options)
    table = result.points
    table.attrs["sweep"] = result.meta
    return table


def run(
    spec: SweepLike, *, console: Console | None = None, **options: Unpack[SweepOptions]
) -> SweepResult:
    """Like :func:`sweep`, but return the whole :class:`~sim.runs.sweeps.runner.SweepResult`.

    ``console`` is where the progress bar is drawn (default: standard output).
    """
    unknown = sorted(set(options) - set(SweepOptions.__annotations__))
    if unknown:  # as a signature would: a misspelt option is not silently ignored
        raise TypeError(f"unexpected keyword argument(s): {', '.join(unknown)}")
    loaded = load_sweep(spec)
    backend = Backend(
        options.get("jobs", 1), options.get("dask_scheduler"), options.get("dask_local")
    )
    out = options.get("out")
    label = f"sweep {loaded.spec.name}"
    enabled = options.get("progress", True)
    with progress_bar(label, enabled=enabled, console=console) as on_progress:
        return run_sweep(
            loaded,
            out=None if out is None else Path(out),
            backend=backend,
            resume=options.get("resume", False),
            on_progress=on_progress,
        )


def read_sweep(out: str | Path) -> pd.DataFrame:
    """The per-point table of a sweep written to ``out`` (``points.parquet``)."""
    return pd.read_parquet(Path(out) / "points.parquet")
