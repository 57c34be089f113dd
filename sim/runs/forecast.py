"""Forecasting one issue from an actor table: BDM's expected-utility model or the compromise model.

The table is the common one of the forecasting literature (Bueno de Mesquita 1994; Scholz,
Calbert and Smith 2011; KTAB, Decide): one row per actor with ``actor``, ``capability``,
``position`` and ``salience``, one issue per run. The file is validated once, here at the edge;
the mathematics is in :mod:`sim.mechanisms.bdm`; the command is ``negsim forecast``
(:mod:`sim.cli.forecast`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.mechanisms.bdm import (
    DEFAULT,
    PRINTED,
    SCHOLZ_CODE,
    Reading,
    bdm_rounds,
    weighted_mean,
    weighted_median,
)

COLUMNS = ("actor", "capability", "position", "salience")
RULES = ("bdm_eum", "compromise")
Rule = Literal["bdm_eum", "compromise"]
READINGS: dict[str, Reading] = {r.name: r for r in (PRINTED, SCHOLZ_CODE)}
"""The readings of the model ``--reading`` can select (``docs/bdm.md`` section 2)."""


class ActorTableError(Exception):
    """An actor table that cannot be used; ``problems`` lists every one found."""

    def __init__(self, path: Path, problems: list[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


@dataclass(frozen=True)
class ActorTable:
    """A validated single-issue actor table."""

    actors: tuple[str, ...]
    capability: np.ndarray
    position: np.ndarray
    salience: np.ndarray


@dataclass(frozen=True)
class ForecastRound:
    """One row of the forecast: round 0 is the input."""

    round: int
    weighted_mean: float
    median: float
    positions: dict[str, float]


def _cell_problems(frame: pd.DataFrame, column: str) -> tuple[np.ndarray, list[str]]:
    """Parse a numeric column; name each non-numeric, missing or out-of-range cell."""
    raw = frame[column].str.strip()
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    problems = []
    for row, (text, value) in enumerate(zip(raw, values, strict=True), start=1):
        where = f"row {row}, column '{column}'"
        if text == "":
            problems.append(f"{where}: missing value")
        elif not math.isfinite(value):
            problems.append(f"{where}: {text!r} is not a finite number")
        elif column == "salience" and not 0 <= value <= 1:
            problems.append(f"{where}: salience {value:g} is outside [0, 1]")
        elif column == "capability" and value < 0:
            problems.append(f"{where}: capability {value:g} is negative")
    return values, problems


def read_actors(path: str | Path) -> ActorTable:
    """Read and validate an actor table (CSV with a header row; column names case-insensitive).

    Raises:
        ActorTableError: listing every problem, each naming the row (1 = first data row) and the
            column: unreadable or empty file, missing columns, missing, non-numeric or infinite
            values, salience outside [0, 1], negative capability, empty or repeated actor names,
            fewer than two actors.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except FileNotFoundError:
        raise ActorTableError(path, ["no such file"]) from None
    except pd.errors.EmptyDataError:
        raise ActorTableError(path, ["the file is empty (no header row)"]) from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise ActorTableError(path, [f"cannot be read as CSV: {exc}"]) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(map(repr, frame.columns))
        raise ActorTableError(path, [f"missing column(s) {', '.join(missing)} (found {found})"])
    if len(frame) < 2:
        raise ActorTableError(path, [f"needs at least two actors, found {len(frame)}"])
    problems = []
    names = frame["actor"].str.strip()
    repeated = names.duplicated().to_numpy()
    for row, (name, again) in enumerate(zip(names, repeated, strict=True), start=1):
        if not name:
            problems.append(f"row {row}, column 'actor': missing actor name")
        elif again:
            problems.append(f"row {row}, column 'actor': {name!r} appears more than once")
    parsed: dict[str, np.ndarray] = {}
    for column in COLUMNS[1:]:
        parsed[column], bad_cells = _cell_problems(frame, column)
        problems += bad_cells
    if problems:
        raise ActorTableError(path, problems)
    return ActorTable(tuple(names), parsed["capability"], parsed["position"], parsed["salience"])


def forecast(
    table: ActorTable, rule: Rule = "bdm_eum", rounds: int = 10, reading: Reading = DEFAULT
) -> list[ForecastRound]:
    """The round-by-round forecast of a rule on one issue.

    ``bdm_eum``: BDM's expected-utility model (:func:`sim.mechanisms.bdm.bdm_rounds`), stopping
    early once a round moves nobody. ``compromise``: positions stay fixed, so every round repeats
    round 0; its forecast is the capability x salience weighted mean. Both report the weighted mean
    and the weighted median of each round.
    """
    if rule == "compromise":
        w = table.capability * table.salience
        mean, median = weighted_mean(table.position, w), weighted_median(table.position, w)
        states = [(k, table.position, mean, median) for k in range(rounds + 1)]
    else:
        states = [
            (r.round, r.positions, r.weighted_mean, r.median)
            for r in bdm_rounds(
                table.capability, table.position, table.salience, rounds, reading=reading
            )
        ]
    return [
        ForecastRound(
            k, float(mean), float(median), dict(zip(table.actors, map(float, x), strict=True))
        )
        for k, x, mean, median in states
    ]


def as_json(
    rule: str, rounds: Sequence[ForecastRound], reading: str | None = None
) -> dict[str, Any]:
    """The forecast as one JSON-ready object ``{"rule": ..., "reading": ..., "rounds": [...]}``.

    ``reading`` names the reading of BDM's model (None for the compromise rule, which has none).
    """
    return {
        "rule": rule,
        "reading": reading,
        "rounds": [
            {
                "round": r.round,
                "weighted_mean": r.weighted_mean,
                "median": r.median,
                "positions": r.positions,
            }
            for r in rounds
        ],
    }
