"""The unit of work of a sweep: one seed block of one design point, reduced to counts.

A unit is a pure function of (scenario, root seed, block, block size): it runs the block's worlds
with :class:`sim.engine.model.NegotiationModel` and returns, per outcome, the count of worlds and
the histogram of the steps at which they ended. Histograms add up across blocks and give exact
medians, so a point's summary never needs its worlds in memory. Per-world rows are returned
only when asked for, as Parquet bytes (the parent writes them: workers need no shared disk).
"""

from __future__ import annotations

import gc
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from sim.engine.model import NegotiationModel
from sim.mechanisms.outcomes import OUTCOMES
from sim.mechanisms.rng import block_seed
from sim.runs.ensemble import world_table
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class UnitTask:
    """Everything a worker needs to run one block of one design point."""

    point: int
    block: int
    size: int
    root: int
    block_size: int
    scenario: Scenario
    per_world: bool = False
    metadata: bytes = b""
    """The sweep's static metadata, stored under ``negsim`` in the per-world file's schema."""


@dataclass(frozen=True)
class UnitResult:
    """A finished unit: outcome counts and end-step histograms (``hist[o][s]``), or an error."""

    point: int
    block: int
    worlds: int
    counts: tuple[int, ...] = ()
    hist: tuple[tuple[int, ...], ...] = ()
    error: str | None = None
    world_rows: bytes | None = None

    def to_json(self) -> dict[str, object]:
        """The unit file's content (without the per-world rows, which have their own file)."""
        return {
            "point": self.point,
            "block": self.block,
            "worlds": self.worlds,
            "counts": list(self.counts),
            "hist": [list(h) for h in self.hist],
            "error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> UnitResult:
        """Read a unit file's content back."""
        hist = data["hist"]
        counts = data["counts"]
        assert isinstance(hist, list) and isinstance(counts, list)
        error = data["error"]
        return cls(
            int(str(data["point"])),
            int(str(data["block"])),
            int(str(data["worlds"])),
            tuple(int(c) for c in counts),
            tuple(tuple(int(x) for x in h) for h in hist),
            None if error is None else str(error),
        )


def run_unit(task: UnitTask) -> UnitResult:
    """Run one block of worlds of one design point and reduce it to a :class:`UnitResult`.

    An exception inside the model becomes the unit's error (the design point's error row), so
    that one bad combination of parameters does not end the sweep.
    """
    try:
        model = NegotiationModel(
            task.scenario, block_seed(task.root, task.block), np.arange(task.size)
        )
        model.run()
        counts, hist = outcome_histograms(model.outcome, model.end_step, task.scenario.horizon)
        rows = _parquet_bytes(model, task) if task.per_world else None
        del model
        gc.collect()  # free the model's reference cycles now: see sim.runs.ensemble.run_block
    except Exception as exc:  # a failing point must not end the sweep: it becomes an error row
        return UnitResult(task.point, task.block, task.size, error=f"{type(exc).__name__}: {exc}")
    return UnitResult(task.point, task.block, task.size, counts, hist, None, rows)


def outcome_histograms(
    outcome: np.ndarray, end_step: np.ndarray, horizon: int
) -> tuple[tuple[int, ...], tuple[tuple[int, ...], ...]]:
    """Per outcome: the number of worlds, and the histogram of end steps over ``0..horizon``."""
    codes = np.asarray(outcome, dtype=np.int64) - 1
    steps = np.clip(np.asarray(end_step, dtype=np.int64), 0, horizon)
    hist = tuple(
        tuple(int(x) for x in np.bincount(steps[codes == k], minlength=horizon + 1))
        for k in range(len(OUTCOMES))
    )
    return tuple(sum(h) for h in hist), hist


def median_from_histogram(hist: np.ndarray) -> float | None:
    """The median of the values a histogram counts (``np.median`` of the expanded sample)."""
    n = int(hist.sum())
    if n == 0:
        return None
    cumulative = np.cumsum(hist)
    lower = int(np.searchsorted(cumulative, (n - 1) // 2, side="right"))
    upper = int(np.searchsorted(cumulative, n // 2, side="right"))
    return (lower + upper) / 2


def _parquet_bytes(model: NegotiationModel, task: UnitTask) -> bytes:
    """The block's per-world rows as Parquet, with the sweep's metadata beside pandas'."""
    table = pa.Table.from_pandas(
        world_table(model, task.block, task.block_size), preserve_index=False
    )
    if task.metadata:
        meta = {**(table.schema.metadata or {}), b"negsim": task.metadata}
        table = table.replace_schema_metadata(meta)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()
