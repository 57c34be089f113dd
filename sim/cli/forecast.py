"""``negsim forecast``: BDM's expected-utility model or the compromise model on any actor table.

The table is the common one of the forecasting literature (Bueno de Mesquita 1994; Scholz,
Calbert and Smith 2011; KTAB, Decide): one row per actor with ``actor``, ``capability``,
``position`` and ``salience``, one issue per run. The file is validated once, here at the edge;
the mathematics is in :mod:`sim.mechanisms.bdm`.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sim.mechanisms.bdm import (
    DEFAULT,
    PRINTED,
    SCHOLZ_CODE,
    Reading,
    bdm_rounds,
    weighted_mean,
    weighted_median,
)

BAD_INPUT = 2
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


def forecast_table(rule: str, rounds: Sequence[ForecastRound], reading: str | None = None) -> Table:
    """A rich table: one row per round, weighted mean and median, one column per actor.

    Actor names are plain text (``rich.text.Text``), never read as markup or emoji codes.
    """
    title = f"forecast ({rule})" if reading is None else f"forecast ({rule}, reading {reading})"
    table = Table(title=title)
    table.add_column("round", justify="right", min_width=5)
    table.add_column("weighted mean", justify="right", no_wrap=True)
    table.add_column("median", justify="right", no_wrap=True)
    actors = list(rounds[0].positions) if rounds else []
    for actor in actors:
        table.add_column(Text(actor), justify="right", no_wrap=True)
    for r in rounds:
        cells = [r.weighted_mean, r.median, *(r.positions[a] for a in actors)]
        table.add_row(str(r.round), *(f"{v:.4f}" for v in cells))
    return table


def _print_wide(console: Console, table: Table) -> None:
    """Print a table whole: at its natural width when the output is not a terminal."""
    width = console.width
    if not console.is_terminal:
        natural = console.measure(table, options=console.options.update_width(10_000))
        console.width = max(width, natural.maximum)
    try:
        console.print(table)
    finally:
        console.width = width


def add_parser(
    subparsers: Any, parents: Sequence[argparse.ArgumentParser] = ()
) -> argparse.ArgumentParser:
    """Add the ``forecast`` subcommand to the ``negsim`` subparsers.

    Pass the parser holding ``--debug`` and ``--verbose`` as ``parents``, as the other
    subcommands do; without it the subcommand adds those two options itself.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "forecast",
        parents=list(parents),
        help="forecast one issue from an actor table (BDM's expected utility or compromise)",
        description="Round-by-round forecast of one issue from a CSV with the columns actor, "
        "capability, position, salience (see docs/bdm.md).",
    )
    parser.add_argument("actors_csv", type=Path, help="CSV: actor, capability, position, salience")
    parser.add_argument(
        "--rule", choices=RULES, default="bdm_eum", help="stance rule (default bdm_eum)"
    )
    parser.add_argument("--rounds", type=int, default=10, help="at most N rounds (default 10)")
    parser.add_argument(
        "--reading",
        choices=tuple(READINGS),
        default=DEFAULT.name,
        help=f"reading of BDM's model under --rule bdm_eum (default {DEFAULT.name}): "
        "printed = the formulas as printed by Scholz et al. (2011) and BDM (1994); "
        "scholz_code = the authors' code as ported by J. McKibben, which reproduces that "
        "port's published log and comes closest to the paper's Table 2 (docs/bdm.md, "
        "sections 2 and 4)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (plain stdout) instead"
    )
    if not parents:
        parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
        parser.add_argument("-v", "--verbose", action="store_true", help="(no effect here)")
    return parser


def main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim forecast``: 0 on success, 2 on a bad actor table or arguments.

    ``--json`` writes ``json.dumps`` output and a newline to ``console.file`` (standard output
    for the command) directly, bypassing rich's markup, emoji codes and wrapping.
    """
    err = Console(stderr=True)
    if args.rounds < 0:
        err.print(f"[bold red]error:[/] --rounds must be at least 0, got {args.rounds}")
        return BAD_INPUT
    try:
        table = read_actors(args.actors_csv)
    except ActorTableError as exc:
        # Paths and cell values are the user's text: neither markup nor emoji codes.
        head = f"[bold red]invalid actor table[/] {escape(str(exc.path))}"
        count = f"({len(exc.problems)} problem(s)):"
        err.print(f"{head} {count}", emoji=False, highlight=False, soft_wrap=True)
        for problem in exc.problems:
            line = f"  {exc.path}: {problem}"
            err.print(line, markup=False, emoji=False, highlight=False, soft_wrap=True)
        return BAD_INPUT
    reading = READINGS[args.reading]
    rounds = forecast(table, args.rule, args.rounds, reading)
    name = reading.name if args.rule == "bdm_eum" else None
    if args.json:
        console.file.write(json.dumps(as_json(args.rule, rounds, name)) + "\n")
        console.file.flush()
    else:
        _print_wide(console, forecast_table(args.rule, rounds, name))
    return 0
