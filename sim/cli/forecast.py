"""``negsim forecast``: the forecast of one issue from an actor table (:mod:`sim.runs.forecast`).

This module holds the command's arguments and its printing only: reading the table and running
the rule's rounds are :mod:`sim.runs.forecast`; a bad table is reported by :mod:`sim.cli.main`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli.errors import UsageError
from sim.mechanisms.bdm import DEFAULT
from sim.runs.forecast import (
    READINGS,
    RULES,
    ForecastRound,
    as_json,
    forecast,
    read_actors,
)


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


def add_forecast_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim forecast ACTORS_CSV [--rule R] [--rounds N] [--reading R] [--json]``."""
    p.add_argument("actors_csv", type=Path, help="CSV: actor, capability, position, salience")
    p.add_argument("--rule", choices=RULES, default="bdm_eum", help="stance rule (default bdm_eum)")
    p.add_argument("--rounds", type=int, default=10, help="at most N rounds (default 10)")
    p.add_argument(
        "--reading",
        choices=tuple(READINGS),
        default=DEFAULT.name,
        help=f"reading of BDM's model under --rule bdm_eum (default {DEFAULT.name}): "
        "printed = the formulas as printed by Scholz et al. (2011) and BDM (1994); "
        "scholz_code = the authors' code as ported by J. McKibben, which reproduces that "
        "port's published log and comes closest to the paper's Table 2 (docs/bdm.md, "
        "sections 2 and 4)",
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (plain stdout) instead"
    )


def forecast_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim forecast``: the table of rounds, or ``--json`` one JSON object.

    ``--json`` writes ``json.dumps`` output and a newline to ``console.file`` (standard output
    for the command) directly, bypassing rich's markup, emoji codes and wrapping.

    Raises:
        UsageError: ``--rounds`` is negative.
        ActorTableError: the table cannot be used (``negsim`` lists every problem, status 2).
    """
    if args.rounds < 0:
        raise UsageError(f"--rounds must be at least 0, got {args.rounds}")
    table = read_actors(args.actors_csv)
    reading = READINGS[args.reading]
    rounds = forecast(table, args.rule, args.rounds, reading)
    name = reading.name if args.rule == "bdm_eum" else None
    if args.json:
        console.file.write(json.dumps(as_json(args.rule, rounds, name)) + "\n")
        console.file.flush()
    else:
        _print_wide(console, forecast_table(args.rule, rounds, name))
    return 0
