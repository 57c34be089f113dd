"""Run a sweep: stream its units to disk, resume after a crash, merge in a fixed order.

The unit of work is one seed block of one design point (:mod:`sim.runs.sweeps.units`). Every design
point uses the same block seeds (common random numbers), a point's overrides are applied to the
base scenario with :func:`sim.scenario.load_scenario`, and a point that cannot be loaded or run
becomes an error row while the sweep goes on. Finished units are written to the work directory
as they arrive; the merged files (``points.parquet``, ``summary.parquet``) are rewritten from
time to time while the sweep runs and once at the end. They hold no timestamps, so a resumed
sweep ends with the same bytes as an uninterrupted one (times are in ``sweep.json``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sim.mechanisms.outcomes import OUTCOMES, STRIKES
from sim.mechanisms.stats import wilson_interval
from sim.runs.ensemble import git_commit, version
from sim.runs.sweeps.backends import Backend, Execute, connect
from sim.runs.sweeps.design import DesignPoint, design_points, design_sha256
from sim.runs.sweeps.spec import LoadedSweep, SweepLike, load_sweep
from sim.runs.sweeps.store import SweepDir
from sim.runs.sweeps.units import UnitResult, UnitTask, median_from_histogram
from sim.scenario.loader import ScenarioError, load_scenario
from sim.scenario.schema import Scenario

STRIKE = STRIKES
"""The outcomes that make up ``strike``: every strike, Israeli alone, Israeli joined, US alone."""

ProgressCallback = Callable[[int, int], None]


@dataclass
class PointRecord:
    """A finished design point: its outcome counts and median end steps, or its error."""

    point: DesignPoint
    worlds: int
    counts: tuple[int, ...] = ()
    medians: tuple[float | None, ...] = ()
    error: str | None = None


@dataclass
class _Tally:
    """The blocks of one design point received so far (``done[b]`` is 1 once block b is in)."""

    counts: np.ndarray
    hist: np.ndarray
    done: bytearray
    received: int = 0
    errors: dict[int, str] = field(default_factory=dict)
    worlds: int = 0


@dataclass
class SweepResult:
    """A finished sweep: the per-point table, the long summary and the metadata."""

    points: pd.DataFrame
    summary: pd.DataFrame
    meta: dict[str, Any]


class _Sweep:
    """The state of one sweep session: tallies, finished points, progress."""

    def __init__(self, sweep: LoadedSweep, store: SweepDir | None, on_progress: Any):
        self.sweep = sweep
        self.points = design_points(sweep)
        self.n_blocks = sweep.blocks
        self.store = store
        self.on_progress = on_progress
        self.tallies: dict[int, _Tally] = {}
        self.records: dict[int, PointRecord] = {}
        self.done_units = 0
        self.computed = 0
        self.reused = 0
        self.world_meta = b""

    @property
    def total_units(self) -> int:
        """Units of the whole sweep (design points x seed blocks)."""
        return len(self.points) * self.n_blocks

    def block_worlds(self, block: int) -> int:
        """Worlds in a seed block (the last one may be short)."""
        spec = self.sweep.spec
        return min(spec.block_size, spec.worlds - block * spec.block_size)

    def _tally(self, point: int) -> _Tally:
        horizon = self.sweep.base.scenario.horizon
        if point not in self.tallies:
            self.tallies[point] = _Tally(
                np.zeros(len(OUTCOMES), np.int64),
                np.zeros((len(OUTCOMES), horizon + 1), np.int64),
                bytearray(self.n_blocks),
            )
        return self.tallies[point]

    def add(self, unit: UnitResult) -> bool:
        """Count a finished unit in; return whether it finished its design point."""
        tally = self._tally(unit.point)
        if tally.done[unit.block]:
            return False
        tally.done[unit.block] = 1
        tally.received += 1
        if unit.error is not None:
            tally.errors[unit.block] = unit.error
        else:
            tally.counts += np.asarray(unit.counts, dtype=np.int64)
            for k, h in enumerate(unit.hist):
                n = min(len(h), tally.hist.shape[1])
                tally.hist[k, :n] += np.asarray(h[:n], dtype=np.int64)
            tally.worlds += unit.worlds
        self._advance(1)
        if tally.received < self.n_blocks:
            return False
        self._finish(unit.point, tally)
        return True

    def fail(self, point: int, message: str) -> None:
        """A design point that could not be loaded: an error row, its units counted as done."""
        missing = self.n_blocks - self._tally(point).received
        del self.tallies[point]
        self.records[point] = PointRecord(self.points[point], 0, error=message)
        self._advance(missing)

    def _finish(self, point: int, tally: _Tally) -> None:
        del self.tallies[point]
        if tally.errors:
            first = min(tally.errors)
            message = f"block {first}: {tally.errors[first]}"
            self.records[point] = PointRecord(self.points[point], 0, error=message)
            return
        medians = tuple(median_from_histogram(h) for h in tally.hist)
        counts = tuple(int(c) for c in tally.counts)
        self.records[point] = PointRecord(self.points[point], tally.worlds, counts, medians)

    def _advance(self, units: int) -> None:
        self.done_units += units
        if self.on_progress is not None:
            self.on_progress(self.done_units, self.total_units)

    def tasks(self) -> Iterator[UnitTask]:
        """The units still to run, in (point, block) order; invalid points become error rows."""
        spec = self.sweep.spec
        for point in self.points:
            if point.index in self.records:
                continue
            tally = self.tallies.get(point.index)
            try:
                base = self.sweep.base
                loaded = load_scenario(base.raw, point.overrides, sources=base.sources)
            except ScenarioError as exc:
                self.fail(point.index, "; ".join(f"{p.path}: {p.message}" for p in exc.problems))
                continue
            for block in range(self.n_blocks):  # lazily: a point may have millions of blocks
                if tally is None or not tally.done[block]:
                    yield UnitTask(
                        point.index,
                        block,
                        self.block_worlds(block),
                        spec.seed,
                        spec.block_size,
                        loaded.scenario,
                        spec.per_world,
                        self.world_meta,
                    )


def run_sweep(
    source: SweepLike,
    *,
    out: Path | None = None,
    backend: Backend | None = None,
    resume: bool = False,
    on_progress: ProgressCallback | None = None,
    snapshot_seconds: float = 5.0,
) -> SweepResult:
    """Run a sweep, streaming finished units to ``out`` (when given), and merge the results.

    The output directory is checked, and the backend opened (a Dask scheduler connected to, a
    local cluster started), before anything is written: a refused directory or an unreachable
    scheduler leaves no files behind.

    Args:
        source: a sweep file, a mapping, or a loaded sweep.
        out: the output directory (nothing is written when None).
        backend: where units run (default: this process).
        resume: continue the sweep ``out`` holds, recomputing nothing that finished.
        on_progress: called with (units done, units total) as units finish.
        snapshot_seconds: rewrite the merged files with the points finished so far at most this
            often while the sweep runs (they are rewritten once more at the end).

    Returns:
        The per-point table (one row per design point), the long summary and the metadata.
    """
    sweep = load_sweep(source)
    backend = backend or Backend()
    backend.check()
    started = _now()
    code = {"version": version(), "git_commit": git_commit()}
    state = _Sweep(sweep, SweepDir(out) if out is not None else None, None)
    plan = _plan(sweep, state.points, started, code)
    if state.store is not None:
        state.store.check(plan, resume)  # a refusal costs no cluster start-up
    with connect(backend) as execute:
        plan, sessions = _open(state, plan, resume)
        state.on_progress = on_progress
        if on_progress is not None:
            on_progress(state.done_units, state.total_units)
        session: dict[str, Any] = {"started": started, "backend": backend.describe(), **code}
        return _stream(state, plan, [*sessions, session], execute, snapshot_seconds)


def _open(state: _Sweep, plan: dict[str, Any], resume: bool) -> tuple[dict[str, Any], list[Any]]:
    """Start (or reopen) the output directory and count in the units on disk.

    Returns the plan in force (the first session's) and the earlier sessions.
    """
    store = state.store
    sessions: list[Any] = []
    if store is not None:
        plan = store.start(plan, resume)
        sessions = list((store.read_meta() or {}).get("sessions", []))
        for unit in store.finished_units(state.sweep.spec.per_world):
            if _fits(state, unit):
                state.add(unit)
        state.reused = state.done_units
    state.world_meta = _static_meta(state.sweep, plan)
    return plan, sessions


def _fits(state: _Sweep, unit: UnitResult) -> bool:
    """Whether a unit read from disk belongs to this sweep (a damaged file is recomputed)."""
    shaped = unit.error is not None or (
        len(unit.counts) == len(OUTCOMES) and len(unit.hist) == len(OUTCOMES)
    )
    return 0 <= unit.point < len(state.points) and 0 <= unit.block < state.n_blocks and shaped


def _stream(
    state: _Sweep,
    plan: dict[str, Any],
    sessions: list[dict[str, Any]],
    execute: Execute,
    snapshot_seconds: float,
) -> SweepResult:
    """Run the units still to do, saving each as it arrives; merge and write the tables.

    ``sessions[-1]`` is this session's record; it gets the end time and unit counts. On any
    exception (Ctrl-C, a full disk) ``sweep.json`` says ``interrupted`` if it can still be
    written, and the backend is closed at once (its workers are not waited for). ``sweep.json``
    says ``complete`` only once both merged files are written.
    """
    sweep, store, session = state.sweep, state.store, sessions[-1]
    if store is not None:
        store.write_meta(_meta(sweep, plan, state, sessions, "running"))
    clock = time.monotonic()
    last = clock
    try:
        with contextlib.closing(execute(state.tasks())) as results:
            for unit in results:
                if store is not None:
                    store.save_unit(unit)
                state.computed += 1
                due = time.monotonic() - last > snapshot_seconds
                if state.add(unit) and store is not None and due:
                    _write_tables(store, sweep, state, plan)
                    last = time.monotonic()
        _end_session(session, state, clock)
        meta = _meta(sweep, plan, state, sessions, "complete")
        points, summary = _tables(sweep, state, plan)
        if store is not None:
            _write_tables(store, sweep, state, plan, (points, summary))
            store.write_meta(meta)
    except BaseException:
        if store is not None:
            _end_session(session, state, clock)
            _mark_interrupted(store, _meta(sweep, plan, state, sessions, "interrupted"))
        raise
    return SweepResult(points.to_pandas(), summary.to_pandas(), meta)


def _mark_interrupted(store: SweepDir, meta: dict[str, Any]) -> None:
    """Write ``sweep.json`` saying ``interrupted``, if the disk lets us.

    A disk that is full may refuse this write too: the error that stopped the sweep (the file
    that could not be written) is the one to report, and ``sweep.json`` still says ``running``.
    """
    with contextlib.suppress(OSError):
        store.write_meta(meta)


def _end_session(session: dict[str, Any], state: _Sweep, clock: float) -> None:
    """Record the end of this session: its time, and the units it computed and reused."""
    session.update(finished=_now(), seconds=round(time.monotonic() - clock, 3))
    session.update(units_computed=state.computed, units_reused=state.reused)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _plan(
    sweep: LoadedSweep, points: list[DesignPoint], started: str, code: dict[str, Any]
) -> dict[str, Any]:
    """What the sweep is, and which code computes it: what ``--resume`` checks (``PLAN_KEYS``)."""
    spec = sweep.spec
    return {
        "spec_sha256": sweep.sha256,
        "scenario_sha256": sweep.base.sha256,
        "design_sha256": design_sha256(points),
        "seed": spec.seed,
        "worlds": spec.worlds,
        "block_size": spec.block_size,
        "points": len(points),
        "version": code["version"],
        "git_commit": code["git_commit"],
        "started": started,
    }


def _meta(
    sweep: LoadedSweep,
    plan: dict[str, Any],
    state: _Sweep,
    sessions: list[dict[str, Any]],
    status: str,
) -> dict[str, Any]:
    spec = sweep.spec
    finished = sessions[-1].get("finished")
    return {
        "sweep": spec.name,
        "status": status,
        "spec_file": sweep.source,
        "spec_sha256": sweep.sha256,
        "scenario": sweep.base.scenario.name,
        "scenario_file": sweep.base.source,
        "scenario_sha256": sweep.base.sha256,
        "design_sha256": plan["design_sha256"],
        "seed": spec.seed,
        "design": spec.design.kind,
        "parameters": spec.paths(),
        "points": len(state.points),
        "worlds_per_point": spec.worlds,
        "block_size": spec.block_size,
        "blocks_per_point": state.n_blocks,
        "units": state.total_units,
        "units_done": state.done_units,
        "error_points": sum(r.error is not None for r in state.records.values()),
        "per_world": spec.per_world,
        "version": plan["version"],
        "git_commit": plan["git_commit"],
        "started": plan["started"],
        "finished": finished if status == "complete" else None,
        "sessions": sessions,
        "spec": spec.model_dump(mode="json"),
    }


def _static_meta(sweep: LoadedSweep, plan: dict[str, Any]) -> bytes:
    """Metadata embedded in every Parquet file: no times, so resumed runs give the same bytes."""
    spec = sweep.spec
    data = {
        "sweep": spec.name,
        "spec_sha256": sweep.sha256,
        "scenario": sweep.base.scenario.name,
        "scenario_sha256": sweep.base.sha256,
        "design_sha256": plan["design_sha256"],
        "seed": spec.seed,
        "worlds_per_point": spec.worlds,
        "block_size": spec.block_size,
        "design": spec.design.kind,
        "version": plan["version"],
        "git_commit": plan["git_commit"],
    }
    return json.dumps(data, sort_keys=True).encode()


def _write_tables(
    store: SweepDir,
    sweep: LoadedSweep,
    state: _Sweep,
    plan: dict[str, Any],
    tables: tuple[pa.Table, pa.Table] | None = None,
) -> None:
    points, summary = tables or _tables(sweep, state, plan)
    store.write_table(store.points_file, points)
    store.write_table(store.summary_file, summary)


def _tables(sweep: LoadedSweep, state: _Sweep, plan: dict[str, Any]) -> tuple[pa.Table, pa.Table]:
    """The per-point (wide) and per-outcome (long) tables of the points finished so far."""
    records = [state.records[k] for k in sorted(state.records)]
    paths = sweep.spec.paths()
    wide = [_wide_row(r, paths) for r in records]
    long = [row for r in records for row in _long_rows(r, paths, sweep.base.scenario)]
    meta = {b"negsim": _static_meta(sweep, plan)}
    return (
        pa.Table.from_pylist(wide, schema=_wide_schema(paths)).replace_schema_metadata(meta),
        pa.Table.from_pylist(long, schema=_long_schema(paths)).replace_schema_metadata(meta),
    )


def _wide_row(record: PointRecord, paths: list[str]) -> dict[str, Any]:
    """One design point: parameters, status, and each outcome's p, interval, count, median."""
    row: dict[str, Any] = {"point": record.point.index}
    row.update({path: record.point.values[path] for path in paths})
    row.update(status="error" if record.error else "ok", error=record.error, worlds=record.worlds)
    for name, members in [*((o, (o,)) for o in OUTCOMES), ("strike", STRIKE)]:
        p, lo, hi, count, median = _stats(record, members)
        row.update({f"{name}_p": p, f"{name}_ci_low": lo, f"{name}_ci_high": hi})
        row[f"{name}_count"] = count
        if name != "strike":
            row[f"{name}_median_step"] = median
    row["overrides"] = record.point.overrides_json()
    return row


def _long_rows(record: PointRecord, paths: list[str], scenario: Scenario) -> list[dict[str, Any]]:
    """One row per outcome of a design point (none for an error row)."""
    if record.error is not None:
        return []
    rows = []
    for name in OUTCOMES:
        p, lo, hi, count, median = _stats(record, (name,))
        date = None if median is None else scenario.step_to_date(int(median)).isoformat()
        row: dict[str, Any] = {"point": record.point.index}
        row.update({path: record.point.values[path] for path in paths})
        row.update(outcome=name, count=count, worlds=record.worlds, p=p, ci_low=lo, ci_high=hi)
        row.update(median_step=median, median_date=date)
        rows.append(row)
    return rows


def _stats(
    record: PointRecord, members: tuple[str, ...]
) -> tuple[float | None, float | None, float | None, int | None, float | None]:
    """p, Wilson 95% interval, count and median end step of a set of outcomes at a point."""
    if record.error is not None:
        return (None, None, None, None, None)
    count = sum(record.counts[OUTCOMES.index(o)] for o in members)
    lo, hi = wilson_interval(count, record.worlds)
    median = record.medians[OUTCOMES.index(members[0])] if len(members) == 1 else None
    return (count / record.worlds, lo, hi, count, median)


def _wide_schema(paths: list[str]) -> pa.Schema:
    fields = [pa.field("point", pa.int64())]
    fields += [pa.field(p, pa.float64()) for p in paths]
    fields += [
        pa.field("status", pa.string()),
        pa.field("error", pa.string()),
        pa.field("worlds", pa.int64()),
    ]
    for name in (*OUTCOMES, "strike"):
        fields += [pa.field(f"{name}_{c}", pa.float64()) for c in ("p", "ci_low", "ci_high")]
        fields.append(pa.field(f"{name}_count", pa.int64()))
        if name != "strike":
            fields.append(pa.field(f"{name}_median_step", pa.float64()))
    fields.append(pa.field("overrides", pa.string()))
    return pa.schema(fields)


def _long_schema(paths: list[str]) -> pa.Schema:
    return pa.schema(
        [pa.field("point", pa.int64())]
        + [pa.field(p, pa.float64()) for p in paths]
        + [
            pa.field("outcome", pa.string()),
            pa.field("count", pa.int64()),
            pa.field("worlds", pa.int64()),
            pa.field("p", pa.float64()),
            pa.field("ci_low", pa.float64()),
            pa.field("ci_high", pa.float64()),
            pa.field("median_step", pa.float64()),
            pa.field("median_date", pa.string()),
        ]
    )
