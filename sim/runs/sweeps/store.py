"""A sweep's output directory: the work directory of finished units, and the merged files.

Layout (docs/sweeps.md)::

    OUT/sweep.json                              metadata; "status" is "complete" once merged
    OUT/points.parquet                          one row per design point
    OUT/summary.parquet                         one row per (design point, outcome)
    OUT/worlds/point=N/block=B.parquet          per-world rows, when the spec asks for them
    OUT/work/plan.json                          what the sweep is (hashes, code), when it started
    OUT/work/units/pNNNNNN-bNNNNNN.json         one finished unit (counts and histograms)

Every file is written to a temporary name and renamed into place
(:func:`sim.runs.output.atomic_write`), so a file with its final name is complete. A unit's
per-world file is written before its unit file, so a unit file vouches for both. Resuming reads the
unit files and recomputes the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim.runs.output import atomic_write
from sim.runs.sweeps.units import UnitResult

CODE_KEYS = ("version", "git_commit")
"""The plan entries that name the code that computes the units."""
PLAN_KEYS = (
    "spec_sha256",
    "scenario_sha256",
    "design_sha256",
    "seed",
    "worlds",
    "block_size",
    "points",
    *CODE_KEYS,
)
"""The plan entries that must match for ``--resume`` to continue a sweep."""


class OutputDirError(ValueError):
    """The output directory cannot take this sweep (it holds another one, or is a file)."""


class SweepDir:
    """The files of one sweep under ``root``."""

    def __init__(self, root: Path):
        """Name the files under ``root`` (nothing is created yet)."""
        self.root = root
        self.work = root / "work"
        self.units = self.work / "units"
        self.plan_file = self.work / "plan.json"
        self.meta_file = root / "sweep.json"
        self.points_file = root / "points.parquet"
        self.summary_file = root / "summary.parquet"
        self.worlds_dir = root / "worlds"

    def check(self, plan: dict[str, Any], resume: bool) -> dict[str, Any] | None:
        """Check, writing nothing, that this directory can take the sweep ``plan`` describes.

        Returns the plan in force when ``resume`` continues a sweep (the first session's), else
        None.

        Raises:
            OutputDirError: the directory is a file; holds a sweep and ``resume`` is false; holds
                a different sweep, or one started by different code (another version or commit);
                or its plan or metadata file is corrupt.
        """
        if self.root.exists() and not self.root.is_dir():
            raise OutputDirError(f"--out {self.root} exists and is not a directory")
        if not (self.plan_file.exists() or self.meta_file.exists()):
            return None
        if not resume:
            raise OutputDirError(
                f"{self.root} already holds a sweep: pass --resume to continue it (nothing "
                "finished is recomputed), or choose another --out"
            )
        self.read_meta()  # a corrupt sweep.json is reported now, before any work
        old = self._read_plan()
        if old is None:
            return None
        diff = [k for k in PLAN_KEYS if old.get(k) != plan.get(k)]
        code = [k for k in diff if k in CODE_KEYS]
        if code:
            found = "; ".join(f"{k} {old.get(k)!r} there, {plan.get(k)!r} here" for k in code)
            raise OutputDirError(
                f"{self.root} holds a sweep started by different code ({found}): resuming would "
                "mix units computed by different code. Run the sweep into a new --out, or run "
                f"it again without --resume into an empty directory (delete {self.root} first)"
            )
        if diff:
            raise OutputDirError(
                f"{self.root} holds a different sweep ({', '.join(diff)} differ); "
                "choose another --out"
            )
        return old

    def start(self, plan: dict[str, Any], resume: bool) -> dict[str, Any]:
        """Create or reopen the work directory; return the plan in force (the first session's).

        Raises:
            OutputDirError: as :meth:`check`.
        """
        old = self.check(plan, resume)
        if old is not None:
            self.remove_temporaries()
            return old
        self.units.mkdir(parents=True, exist_ok=True)
        self.remove_temporaries()
        _write_text(self.plan_file, json.dumps(plan, indent=2) + "\n")
        return plan

    def _read_plan(self) -> dict[str, Any] | None:
        return _read_object(self.plan_file)

    def remove_temporaries(self) -> None:
        """Delete temporary files a killed process left behind (they never have final names)."""
        for folder in (self.root, self.work, self.units):
            if folder.is_dir():
                for tmp in folder.glob(".*.tmp"):
                    tmp.unlink(missing_ok=True)
        if self.worlds_dir.is_dir():
            for tmp in self.worlds_dir.rglob(".*.tmp"):
                tmp.unlink(missing_ok=True)

    def unit_file(self, point: int, block: int) -> Path:
        """The file of a finished unit."""
        return self.units / f"p{point:06d}-b{block:06d}.json"

    def world_file(self, point: int, block: int) -> Path:
        """The per-world rows of a unit (a Hive-style partition: ``pd.read_parquet(worlds/)``)."""
        return self.worlds_dir / f"point={point:06d}" / f"block={block:06d}.parquet"

    def save_unit(self, result: UnitResult) -> None:
        """Write a finished unit: its per-world rows (if any) first, then its unit file."""
        if result.world_rows is not None:
            rows = result.world_rows

            def write_rows(path: Path) -> None:
                path.write_bytes(rows)

            _write(self.world_file(result.point, result.block), write_rows)
        text = json.dumps(result.to_json(), separators=(",", ":")) + "\n"
        _write_text(self.unit_file(result.point, result.block), text)

    def finished_units(self, per_world: bool) -> Iterator[UnitResult]:
        """The units already on disk (with their per-world file, when the sweep writes them).

        In no particular order (the tallies do not depend on it), and lazily: a sweep may have
        millions of unit files.
        """
        if not self.units.is_dir():
            return
        for path in self.units.glob("p*-b*.json"):
            try:
                unit = UnitResult.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError, AssertionError):
                continue  # unreadable: recompute it
            rows = self.world_file(unit.point, unit.block)
            if per_world and unit.error is None and not rows.exists():
                continue
            yield unit

    def write_table(self, path: Path, table: pa.Table) -> None:
        """Write a Parquet file atomically (its bytes depend only on the table)."""
        _write(path, lambda p: pq.write_table(table, p))

    def write_meta(self, meta: dict[str, Any]) -> None:
        """Write ``sweep.json`` atomically."""
        _write_text(self.meta_file, json.dumps(meta, indent=2, default=str) + "\n")

    def read_meta(self) -> dict[str, Any] | None:
        """The current ``sweep.json``, if any.

        Raises:
            OutputDirError: the file is not a JSON object (corrupt).
        """
        return _read_object(self.meta_file)


def _write(path: Path, write: Callable[[Path], None]) -> None:
    """Write a file atomically; a failure names the file's final name.

    A full disk fails a write with no file name (``write()``), with the temporary file's, or,
    in pyarrow, with no ``errno`` at all: the error is raised again naming ``path``, so the
    command line says ``cannot write OUT/points.parquet: No space left on device``.
    """
    try:
        atomic_write(path, write)
    except OSError as exc:
        if exc.filename == str(path):
            raise
        raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc


def _write_text(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically (see :func:`_write`)."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    _write(path, write)


def _read_object(path: Path) -> dict[str, Any] | None:
    """A JSON object file, or None if there is none.

    Raises:
        OutputDirError: the file cannot be read as a JSON object (corrupt, or not UTF-8).
    """
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise OutputDirError(
            f"{path} is corrupt ({exc}): restore it, or run the sweep into another --out"
        ) from None
    if not isinstance(data, dict):
        raise OutputDirError(
            f"{path} is corrupt (not a JSON object): restore it, or run the sweep into "
            "another --out"
        )
    return data
