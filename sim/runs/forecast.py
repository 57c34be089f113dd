"""Forecasting issues from an actor table, and scoring the forecasts against outcomes.

The rules are BDM's expected-utility model, the compromise model and two benchmarks. The table is
the common one of the forecasting literature (Bueno de Mesquita 1994; Scholz, Calbert and Smith
2011; KTAB, Decide): one row per actor and issue with ``actor``, ``capability``, ``position`` and
``salience``; optionally ``issue`` (a long table of many issues), ``status_quo`` and ``outcome``
(per issue). An empty position means that the actor takes no part in that issue. The file (CSV
or Parquet) is validated once, here at the edge, within the limits below; the mathematics is in
:mod:`sim.mechanisms.bdm`; the command is ``negsim forecast`` (:mod:`sim.cli.forecast`);
``docs/bdm.md`` section 5 documents all of it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.mechanisms.bdm import (
    DEFAULT,
    PRINTED,
    SCHOLZ_CODE,
    TINY,
    Reading,
    bdm_round,
    bdm_rounds,
    weighted_mean,
    weighted_median,
)

COLUMNS = ("actor", "capability", "position", "salience")
"""The columns every table needs (any order, any case)."""
OPTIONAL = ("issue", "status_quo", "outcome")
"""The columns a table may have: the issue of each row, its status quo and its outcome."""
RULES = ("bdm_eum", "compromise", "median", "status_quo")
"""The forecasting rules: BDM's model, the compromise model, and two benchmarks (the weighted
median of the stated positions, and no change from the status quo)."""
READINGS: dict[str, Reading] = {r.name: r for r in (PRINTED, SCHOLZ_CODE)}
"""The readings of the model ``--reading`` can select (``docs/bdm.md`` section 2)."""

MAX_TABLE_BYTES = 20_000_000
"""The largest table file read (a table of 350 issues x 30 actors is about 0.5 MB)."""
MAX_ROWS = 100_000
"""The most data rows in a table."""
MAX_COLUMNS = 20
"""The most columns of a CSV table (7 are read; the others are ignored)."""
MAX_CELL_CHARS = 1_000
"""The longest text cell of a Parquet table, in bytes (a CSV cell is bounded by the file)."""
MAX_ACTORS = 100
"""The most actors taking part in one issue (BDM's model costs F^3 per issue and round)."""
MAX_ROUNDS = 1_000
"""The most rounds of BDM's model (``--rounds``)."""
MAX_MAGNITUDE = 1e9
"""The largest absolute value of a capability, position, status quo, outcome or salience scale."""
TOLERANCE = 1e-9
"""The stopping rule's tolerance, as a share of the issue's range (:func:`bdm_rounds`)."""
BLOCK_ELEMENTS = 2_000_000
"""Issues are computed in blocks of at most this many pairwise votes (F^3 x issues) each."""
RESAMPLES = 2_000
"""Bootstrap resamples of the issues for the intervals of the scores."""


class ActorTableError(Exception):
    """An actor table that cannot be used; ``problems`` lists every one found."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems[:10]))


@dataclass(frozen=True)
class ActorTable:
    """One validated issue: the actors taking part, in the order of the table.

    ``issue`` is None for a table without an ``issue`` column; ``status_quo`` and ``outcome``
    are None where the table gives none.
    """

    actors: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray
    issue: str | None = None
    status_quo: float | None = None
    outcome: float | None = None


@dataclass(frozen=True)
class ForecastRound:
    """One row of the round-by-round forecast of one issue: round 0 is the input."""

    round: int
    weighted_mean: float
    median: float
    positions: dict[str, float]


@dataclass(frozen=True)
class RuleForecast:
    """A rule's forecast of one issue, the rounds it ran and whether its stopping rule fired.

    ``converged`` is False when BDM's model reached the round cap while still moving.
    """

    forecast: float
    rounds: int
    converged: bool


@dataclass(frozen=True)
class Interval:
    """An estimate with its bootstrap 95% interval (None when there are fewer than 2 issues)."""

    estimate: float
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Scores:
    """Forecasts against outcomes: each rule's mean absolute error and paired differences."""

    issues: int
    seed: int
    mae: dict[str, Interval]
    differences: dict[tuple[str, str], Interval]


# ------------------------------------------------------------------------------ reading the file


def _raw_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most :data:`MAX_TABLE_BYTES` (never a FIFO or device)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise ActorTableError(path, ["no such file"]) from None
    except OSError as exc:
        raise ActorTableError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    if stat.S_ISDIR(info.st_mode):
        raise ActorTableError(path, ["is a directory, not a table file"])
    if not stat.S_ISREG(info.st_mode):
        raise ActorTableError(path, ["is not a regular file (a pipe or a device is not read)"])
    limit = f"the limit is {MAX_TABLE_BYTES:,} bytes (sim.runs.forecast.MAX_TABLE_BYTES)"
    if info.st_size > MAX_TABLE_BYTES:
        raise ActorTableError(path, [f"the file has {info.st_size:,} bytes; {limit}"])
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_TABLE_BYTES + 1)
    except OSError as exc:
        raise ActorTableError(path, [f"cannot be read: {exc.strerror or exc}"]) from None
    if len(data) > MAX_TABLE_BYTES:
        raise ActorTableError(path, [f"the file has more than {MAX_TABLE_BYTES:,} bytes; {limit}"])
    return data


def _too_many_rows(path: Path, rows: int) -> None:
    if rows > MAX_ROWS:
        raise ActorTableError(
            path,
            [f"{rows:,} data rows; the limit is {MAX_ROWS:,} (sim.runs.forecast.MAX_ROWS)"],
        )


def _columns(path: Path, header: Sequence[object]) -> list[str]:
    """The header's names, lower-case and stripped; repeated or missing columns are refused."""
    names = [str(c).strip().lower() for c in header]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ActorTableError(
            path, [f"column {n!r} appears more than once (names ignore case)" for n in repeated]
        )
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        found = ", ".join(map(repr, names))
        raise ActorTableError(path, [f"missing column(s) {', '.join(missing)} (found {found})"])
    return names


def _csv_frame(path: Path, data: bytes) -> pd.DataFrame:
    """The cells of the known columns of a CSV as text (extra columns are never parsed)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ActorTableError(path, [f"cannot be read as CSV: not UTF-8 ({exc.reason})"]) from None
    if not text.strip():
        raise ActorTableError(path, ["the file is empty (no header row)"])
    _too_many_rows(path, text.count("\n") - 1)
    try:
        header = next(csv.reader(io.StringIO(text), skipinitialspace=True))
        if len(header) > MAX_COLUMNS:
            raise ActorTableError(
                path,
                [
                    f"{len(header):,} columns; the limit is {MAX_COLUMNS} "
                    "(sim.runs.forecast.MAX_COLUMNS)"
                ],
            )
        names = _columns(path, header)
        frame = pd.read_csv(
            io.StringIO(text),
            header=None,
            skiprows=1,
            dtype=str,
            keep_default_na=False,
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError:  # a header row alone
        frame = pd.DataFrame(columns=range(len(names)), dtype=str)
    except (csv.Error, pd.errors.ParserError, ValueError) as exc:
        raise ActorTableError(path, [f"cannot be read as CSV: {exc}"]) from None
    if len(frame.columns) > len(names):
        raise ActorTableError(
            path, [f"cannot be read as CSV: a row has more fields than the header's {len(names)}"]
        )
    keep = [k for k, name in enumerate(names) if name in COLUMNS + OPTIONAL]
    frame = frame.reindex(columns=keep)
    frame.columns = pd.Index([names[k] for k in keep])
    return frame


def _parquet_columns(path: Path, data: bytes) -> list[str]:
    """The known columns of a Parquet table, after checking its rows and uncompressed size."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(pa.BufferReader(data)).metadata
    _too_many_rows(path, meta.num_rows)
    header = meta.schema.to_arrow_schema().names
    names = _columns(path, header)
    size = sum(
        meta.row_group(g).column(c).total_uncompressed_size
        for g in range(meta.num_row_groups)
        for c in range(meta.num_columns)
    )
    if size > MAX_TABLE_BYTES:
        raise ActorTableError(
            path,
            [
                f"{size:,} bytes uncompressed; the limit is {MAX_TABLE_BYTES:,} "
                "(sim.runs.forecast.MAX_TABLE_BYTES)"
            ],
        )
    return [header[k] for k, name in enumerate(names) if name in COLUMNS + OPTIONAL]


def _parquet_frame(path: Path, data: bytes) -> pd.DataFrame:
    """The cells of the known columns of a Parquet table as text (a null is an empty cell).

    The row count, the uncompressed size and (text columns are read as dictionaries, before
    any value is repeated into its rows) the longest text value are checked first, so a small
    file cannot expand into a huge table.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        keep = _parquet_columns(path, data)
        table = pq.ParquetFile(pa.BufferReader(data), read_dictionary=keep).read(columns=keep)
        longest = max(
            (
                pc.max(pc.binary_length(chunk.dictionary)).as_py() or 0
                for column in table.columns
                if pa.types.is_dictionary(column.type)
                for chunk in column.chunks
            ),
            default=0,
        )
        frame = table.to_pandas()
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise ActorTableError(path, [f"cannot be read as Parquet: {exc}"]) from None
    if longest > MAX_CELL_CHARS:
        raise ActorTableError(
            path,
            [
                f"a text cell of {longest:,} bytes; the limit is {MAX_CELL_CHARS:,} "
                "(sim.runs.forecast.MAX_CELL_CHARS)"
            ],
        )
    frame.columns = pd.Index([str(c).strip().lower() for c in frame.columns])
    return frame.astype(object).where(frame.notna(), "").map(str)


def _frame(path: Path) -> pd.DataFrame:
    """The known columns of the table as stripped text, under lower-case column names."""
    data = _raw_bytes(path)
    parquet = path.suffix.lower() in (".parquet", ".pq")
    frame = _parquet_frame(path, data) if parquet else _csv_frame(path, data)
    _too_many_rows(path, len(frame))
    # A column with no value at all reads as float64 NaN: blank it as object, not by fillna("")
    text = frame.astype(object).where(frame.notna(), "").astype(str)
    return text.apply(lambda col: col.str.strip())


# --------------------------------------------------------------------------- validating the cells


def _rows(mask: np.ndarray, values: np.ndarray) -> list[tuple[int, Any]]:
    """``(row number, value)`` of each cell in ``mask`` (row 1 = the first data row)."""
    return list(zip((np.flatnonzero(mask) + 1).tolist(), values[mask].tolist(), strict=True))


def _numbers(
    frame: pd.DataFrame, column: str, needed: np.ndarray, problems: list[str]
) -> np.ndarray:
    """Parse a numeric column; name each missing (where ``needed``), non-numeric or huge cell."""
    if column not in frame:
        return np.full(len(frame), np.nan)
    raw = frame[column].to_numpy(object)
    values = np.asarray(pd.to_numeric(raw, errors="coerce"), dtype=float)
    empty = raw == ""
    with np.errstate(invalid="ignore"):
        huge = ~empty & np.isfinite(values) & (np.abs(values) > MAX_MAGNITUDE)
    bad = ~empty & ~np.isfinite(values)
    where = f"column '{column}'"
    problems += [f"row {r}, {where}: missing value" for r, _ in _rows(empty & needed, raw)]
    problems += [f"row {r}, {where}: {v!r} is not a finite number" for r, v in _rows(bad, raw)]
    problems += [
        f"row {r}, {where}: {v:g} is beyond ±{MAX_MAGNITUDE:g} (sim.runs.forecast.MAX_MAGNITUDE)"
        for r, v in _rows(huge, values)
    ]
    return np.where(empty | bad | huge, np.nan, values)


def _range_problems(
    capability: np.ndarray, salience: np.ndarray, scale: float, problems: list[str]
) -> None:
    """Negative capabilities; saliences outside [0, 1] once divided by ``scale``."""
    problems += [
        f"row {r}, column 'capability': capability {v:g} is negative"
        for r, v in _rows(capability < 0, capability)
    ]
    with np.errstate(invalid="ignore"):
        outside = (salience < 0) | (salience > scale)
    if scale == 1 and np.any(outside) and np.nanmax(salience) <= 100:
        problems.insert(
            0,
            f"column 'salience': values up to {np.nanmax(salience):g} are outside [0, 1]; for "
            "saliences on a 0-100 scale give --salience-scale 100",
        )
    shown = "" if scale == 1 else f" divided by the salience scale {scale:g}"
    problems += [
        f"row {r}, column 'salience': salience {v:g}{shown} is outside [0, 1]"
        for r, v in _rows(outside, salience)
    ]


def _name_problems(frame: pd.DataFrame, issues: pd.Series, problems: list[str]) -> None:
    """Empty actor or issue names, and an actor listed twice on one issue."""
    names = frame["actor"].to_numpy(dtype=object)
    issue_names = issues.to_numpy(dtype=object)
    for row in np.flatnonzero(names == ""):
        problems.append(f"row {row + 1}, column 'actor': missing actor name")
    if "issue" in frame:
        for row in np.flatnonzero(issue_names == ""):
            problems.append(f"row {row + 1}, column 'issue': missing issue name")
    again = pd.DataFrame({"i": issue_names, "a": names}).duplicated().to_numpy()
    for row in np.flatnonzero(again & (names != "")):
        where = f" on issue {issue_names[row]!r}" if "issue" in frame else ""
        problems.append(
            f"row {row + 1}, column 'actor': {names[row]!r} appears more than once{where}"
        )


def _per_issue(
    column: str, values: np.ndarray, issues: pd.Series, problems: list[str]
) -> dict[str, float | None]:
    """The one value of an issue-level column on each issue (None where every cell is empty)."""
    spread = pd.Series(values).groupby(issues.to_numpy(), sort=False).agg(["min", "max"])
    for name in spread.index[(spread["min"] != spread["max"]) & spread["min"].notna()]:
        low, high = spread.loc[name]
        problems.append(
            f"issue {name!r}, column '{column}': differs between rows ({low:g} and {high:g})"
        )
    return {str(k): (None if math.isnan(v) else float(v)) for k, v in spread["min"].items()}


def _count_problems(groups: dict[str, np.ndarray], issue_column: bool, problems: list[str]) -> None:
    """Each issue needs 2 to :data:`MAX_ACTORS` actors with a position."""
    for name, rows in groups.items():
        where = f"issue {name!r}" if issue_column else "the table"
        if len(rows) < 2:
            problems.append(
                f"{where}: needs at least two actors with a position, found {len(rows)}"
            )
        elif len(rows) > MAX_ACTORS:
            problems.append(
                f"{where}: {len(rows):,} actors; the limit is {MAX_ACTORS} per issue "
                "(sim.runs.forecast.MAX_ACTORS)"
            )


def read_table(path: str | Path, salience_scale: float = 1.0) -> tuple[ActorTable, ...]:
    """Read and validate an actor table of one or many issues (CSV, or Parquet by its suffix).

    Column names are case-insensitive; each issue keeps the actors that have a position, in the
    order of the table. Saliences are divided by ``salience_scale`` (100 for 0-100 data).

    Raises:
        ActorTableError: listing every problem, each naming the row (1 = first data row) and the
            column or the issue: an unreadable, empty, oversized or non-regular file (a pipe, a
            device), too many rows, repeated or missing columns, missing, non-numeric, infinite
            or huge values, salience outside [0, 1], negative capability, empty names, an actor
            twice on one issue, an issue-level value that differs between rows, an issue with
            fewer than two or more than :data:`MAX_ACTORS` actors.
    """
    path = Path(path)
    frame = _frame(path)
    if frame.empty:
        raise ActorTableError(path, ["needs at least two actors, found 0"])
    problems: list[str] = []
    issues = frame["issue"] if "issue" in frame else pd.Series([""] * len(frame))
    position = _numbers(frame, "position", np.zeros(len(frame), bool), problems)
    present = (frame["position"] != "").to_numpy()
    capability = _numbers(frame, "capability", present, problems)
    salience = _numbers(frame, "salience", present, problems)
    with np.errstate(invalid="ignore"):
        _range_problems(
            np.where(present, capability, 0),
            np.where(present, salience, 0),
            salience_scale,
            problems,
        )
    _name_problems(frame, issues, problems)
    groups: dict[str, np.ndarray] = {
        str(k): np.asarray(v) for k, v in issues.groupby(issues, sort=False).indices.items()
    }
    extra = {c: _numbers(frame, c, np.zeros(len(frame), bool), problems) for c in OPTIONAL[1:]}
    by_issue = {c: _per_issue(c, v, issues, problems) for c, v in extra.items()}
    taking_part = {k: rows[present[rows]] for k, rows in groups.items()}
    _count_problems(taking_part, "issue" in frame, problems)
    if problems:
        raise ActorTableError(path, problems)
    return tuple(
        ActorTable(
            actors=tuple(frame["actor"].to_numpy()[rows]),
            capability=capability[rows],
            position=position[rows],
            salience=salience[rows] / salience_scale,
            issue=name if "issue" in frame else None,
            status_quo=by_issue["status_quo"][name],
            outcome=by_issue["outcome"][name],
        )
        for name, rows in taking_part.items()
    )


def read_actors(path: str | Path) -> ActorTable:
    """Read and validate a single-issue actor table (:func:`read_table` with one issue).

    Raises:
        ActorTableError: as :func:`read_table`, or the table holds more than one issue.
    """
    tables = read_table(path)
    if len(tables) != 1:
        raise ActorTableError(Path(path), [f"holds {len(tables)} issues; one was expected"])
    return tables[0]


# ---------------------------------------------------------------------------------- forecasting


def forecast(
    table: ActorTable, rule: str = "bdm_eum", rounds: int = 10, reading: Reading = DEFAULT
) -> list[ForecastRound]:
    """The round-by-round forecast of BDM's model on one issue (other rules: round 0 only).

    ``bdm_eum``: BDM's expected-utility model (:func:`sim.mechanisms.bdm.bdm_rounds`), stopping
    early once a round moves nobody. The compromise model and the benchmarks keep the positions
    as they are, so they have round 0 (the input) only. Every round reports the capability x
    salience weighted mean (the compromise forecast) and weighted median (BDM's forecast).
    """
    if rule != "bdm_eum":
        rounds = 0
    states = [
        (r.round, r.positions, r.weighted_mean, r.median)
        for r in bdm_rounds(
            table.capability,
            table.position,
            table.salience,
            rounds,
            reading=reading,
            tolerance=TOLERANCE,
        )
    ]
    return [
        ForecastRound(
            k, float(mean), float(median), dict(zip(table.actors, map(float, x), strict=True))
        )
        for k, x, mean, median in states
    ]


Progress = Callable[[int], None]
"""Called with the number of units (issue blocks x rounds) just finished."""


def _bdm_block(
    c: np.ndarray, x: np.ndarray, s: np.ndarray, rounds: int, reading: Reading, tick: Progress
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BDM's model on a block of issues (F, M), each with its own stopping rule.

    The same computation as :func:`sim.mechanisms.bdm.bdm_rounds` on each column (its
    :func:`~sim.mechanisms.bdm.settled` per issue): issues that have settled stop while the
    others go on. Returns the final weighted medians, the rounds run and whether each settled.
    """
    x = x.copy()
    span = x.max(axis=0) - x.min(axis=0)
    limit = TOLERANCE * np.maximum(span, TINY)
    w = c * s
    median = weighted_median(x, w)
    ran = np.zeros(x.shape[1], dtype=int)
    done = np.zeros(x.shape[1], dtype=bool)
    for k in range(1, rounds + 1):
        act = np.flatnonzero(~done)
        if act.size == 0:
            tick(rounds - k + 1)
            break
        old = x[:, act]
        new = bdm_round(old, c[:, act], s[:, act], span[act], reading)
        new_median = weighted_median(new, w[:, act])
        moved = np.abs(new - old) <= limit[act]
        done[act] = (np.abs(new_median - median[act]) <= limit[act]) & moved.all(axis=0)
        x[:, act], median[act], ran[act] = new, new_median, k
        tick(1)
    return median, ran, done


def _blocks(tables: Sequence[ActorTable]) -> list[np.ndarray]:
    """Issue indices in blocks of equal actor counts, each of at most BLOCK_ELEMENTS votes."""
    counts = np.array([len(t.actors) for t in tables])
    out = []
    for f in np.unique(counts):
        same = np.flatnonzero(counts == f)
        size = max(1, BLOCK_ELEMENTS // int(f) ** 3)
        out += [same[i : i + size] for i in range(0, len(same), size)]
    return out


def bdm_forecasts(
    tables: Sequence[ActorTable],
    rounds: int,
    reading: Reading = DEFAULT,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[RuleForecast]:
    """BDM's forecast of every issue, vectorised over issues with the same number of actors.

    ``on_progress(done, total)`` is called after each round of each block of issues.
    """
    blocks = _blocks(tables)
    total, done = len(blocks) * rounds, 0

    def tick(n: int) -> None:
        nonlocal done
        done += n
        if on_progress is not None:
            on_progress(done, total)

    out: list[RuleForecast | None] = [None] * len(tables)
    for block in blocks:
        c, x, s = (
            np.stack([getattr(tables[i], name) for i in block], axis=1)
            for name in ("capability", "position", "salience")
        )
        median, ran, settled = _bdm_block(c, x, s, rounds, reading, tick)
        for j, i in enumerate(block):
            out[i] = RuleForecast(float(median[j]), int(ran[j]), bool(settled[j]))
    return [r for r in out if r is not None]


def _static(table: ActorTable, rule: str) -> RuleForecast:
    """A rule that keeps the positions: its forecast after round 0."""
    w = table.capability * table.salience
    if rule == "compromise":
        value = float(weighted_mean(table.position, w))
    elif rule == "median":
        value = float(weighted_median(table.position, w))
    else:
        assert table.status_quo is not None
        value = table.status_quo
    return RuleForecast(value, 0, True)


def forecast_issues(
    tables: Sequence[ActorTable],
    rules: Sequence[str],
    rounds: int,
    reading: Reading = DEFAULT,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, RuleForecast]]:
    """Every rule's forecast of every issue, in the order of ``tables`` and ``rules``.

    Raises:
        ValueError: an unknown rule, or ``status_quo`` on an issue without a status quo.
    """
    unknown = set(rules) - set(RULES)
    if unknown:
        raise ValueError(f"unknown rule(s) {sorted(unknown)}; known: {RULES}")
    if "status_quo" in rules and any(t.status_quo is None for t in tables):
        raise ValueError("the rule status_quo needs a status_quo on every issue")
    bdm = bdm_forecasts(tables, rounds, reading, on_progress) if "bdm_eum" in rules else []
    return [
        {rule: bdm[i] if rule == "bdm_eum" else _static(t, rule) for rule in rules}
        for i, t in enumerate(tables)
    ]


def with_q_t(reading: Reading, q: float | None, t: float | None) -> Reading:
    """The reading with Q and/or T replaced (None keeps the reading's own value)."""
    return dataclasses.replace(
        reading, q=reading.q if q is None else q, t=reading.t if t is None else t
    )


# -------------------------------------------------------------------------------------- scoring


def _interval(values: np.ndarray, rng: np.random.Generator) -> Interval:
    """The mean with its percentile bootstrap 95% interval (scipy.stats.bootstrap)."""
    from scipy.stats import bootstrap

    estimate = float(values.mean())
    if len(values) < 2:
        return Interval(estimate, None, None)
    if np.ptp(values) == 0:  # every resample gives the same mean
        return Interval(estimate, estimate, estimate)
    found = bootstrap(
        (values,), np.mean, n_resamples=RESAMPLES, method="percentile", rng=rng, vectorized=True
    )
    low, high = found.confidence_interval
    return Interval(estimate, float(low), float(high))


def score(
    tables: Sequence[ActorTable],
    results: Sequence[dict[str, RuleForecast]],
    rules: Sequence[str],
    seed: int = 0,
) -> Scores | None:
    """Each rule's mean absolute error over the issues with an outcome, and paired differences.

    The interval of each MAE is the percentile bootstrap 95% interval over issues (Efron and
    Tibshirani 1993, ch. 13); a difference ``MAE(a) - MAE(b)`` is the mean of the per-issue
    differences of absolute errors, so the issues stay paired. One generator seeded with
    ``seed`` draws every resample in turn. None when no issue has an outcome.
    """
    scored = [i for i, t in enumerate(tables) if t.outcome is not None]
    if not scored:
        return None
    outcome = np.array([tables[i].outcome for i in scored], dtype=float)
    errors = {
        rule: np.abs(np.array([results[i][rule].forecast for i in scored]) - outcome)
        for rule in rules
    }
    rng = np.random.default_rng(seed)
    mae = {rule: _interval(e, rng) for rule, e in errors.items()}
    differences = {
        (a, b): _interval(errors[a] - errors[b], rng)
        for k, a in enumerate(rules)
        for b in rules[k + 1 :]
    }
    return Scores(len(scored), seed, mae, differences)


# ------------------------------------------------------------------------------------- output


def issue_frame(
    tables: Sequence[ActorTable], results: Sequence[dict[str, RuleForecast]], rules: Sequence[str]
) -> pd.DataFrame:
    """The per-issue table of forecasts, one row per issue.

    Columns: ``issue``, ``actors`` (the number taking part), ``status_quo``, ``outcome``; per
    rule ``RULE_forecast``, ``RULE_rounds``, ``RULE_converged`` and ``RULE_error`` (the absolute
    error, empty without an outcome).
    """
    data: dict[str, Any] = {
        "issue": [t.issue for t in tables],
        "actors": [len(t.actors) for t in tables],
        "status_quo": [t.status_quo for t in tables],
        "outcome": [t.outcome for t in tables],
    }
    for rule in rules:
        data[f"{rule}_forecast"] = [r[rule].forecast for r in results]
        data[f"{rule}_rounds"] = [r[rule].rounds for r in results]
        data[f"{rule}_converged"] = [r[rule].converged for r in results]
        data[f"{rule}_error"] = [
            None if t.outcome is None else abs(r[rule].forecast - t.outcome)
            for t, r in zip(tables, results, strict=True)
        ]
    return pd.DataFrame(data).astype({"status_quo": float, "outcome": float})


def _interval_json(interval: Interval) -> dict[str, float | None]:
    return {"estimate": interval.estimate, "low": interval.low, "high": interval.high}


def scores_json(scores: Scores | None) -> dict[str, Any] | None:
    """The scores as a JSON-ready object (None without outcomes)."""
    if scores is None:
        return None
    return {
        "issues": scores.issues,
        "seed": scores.seed,
        "resamples": RESAMPLES,
        "mae": {rule: _interval_json(i) for rule, i in scores.mae.items()},
        "differences": [
            {"rules": [a, b], **_interval_json(i)} for (a, b), i in scores.differences.items()
        ],
    }


def history_json(rounds: Iterable[ForecastRound]) -> list[dict[str, Any]]:
    """A round-by-round forecast as JSON-ready rows."""
    return [
        {
            "round": r.round,
            "weighted_mean": r.weighted_mean,
            "median": r.median,
            "positions": r.positions,
        }
        for r in rounds
    ]


def as_json(
    tables: Sequence[ActorTable],
    results: Sequence[dict[str, RuleForecast]],
    settings: dict[str, Any],
    scores: Scores | None,
    history: dict[str, list[ForecastRound]] | None = None,
) -> dict[str, Any]:
    """Everything ``negsim forecast --json`` prints and ``summary.json`` holds.

    ``settings`` (rules, reading, Q, T, rounds, salience scale) comes first; then ``summary``
    (per rule: issues converged, mean rounds), ``scores`` (or None) and ``issues``, one object per
    issue whose ``forecasts`` hold one ``{"forecast", "rounds", "converged"}`` per rule and, with
    ``history`` (a table of one issue), the rounds of each rule under ``history``.
    """
    rules = list(settings["rules"])
    summary = {
        rule: {
            "issues": len(results),
            "converged": sum(r[rule].converged for r in results),
            "mean_rounds": float(np.mean([r[rule].rounds for r in results])),
        }
        for rule in rules
    }
    issues = []
    for t, r in zip(tables, results, strict=True):
        forecasts = {rule: dataclasses.asdict(r[rule]) for rule in rules}
        for rule, rounds in (history or {}).items():
            forecasts[rule]["history"] = history_json(rounds)
        issues.append(
            {
                "issue": t.issue,
                "actors": len(t.actors),
                "status_quo": t.status_quo,
                "outcome": t.outcome,
                "forecasts": forecasts,
            }
        )
    return {**settings, "summary": summary, "scores": scores_json(scores), "issues": issues}
