"""``negsim claims``: check a scenario against its claims, the articles' own likelihoods.

Runs the scenario (and each variant a directional claim names, with the same worlds and seed)
and prints one row per claim: quote, quantity, model value with its 95% interval, band and
verdict (docs/claims.md). Exit status 0 when every expressible claim holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from sim.cli.errors import UsageError
from sim.cli.run import check_counts, print_wide
from sim.scenario.loader import load_scenario

if TYPE_CHECKING:
    from sim.analysis.claims import ClaimResult

WIDE = 200
"""Columns the verdict table needs with its quotes; a file gets them all."""
STYLE = {"holds": "green", "fails": "red", "undecided": "yellow", "inexpressible": "dim"}


def add_claims_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim claims SCENARIO [--worlds N] [--seed S] [--jobs J] [--json]``."""
    p.add_argument("scenario", type=Path, help="scenario YAML file that names its claims")
    p.add_argument("--worlds", type=int, default=1000, help="number of worlds (default 1000)")
    p.add_argument("--seed", type=int, default=20250412, help="root seed (default 20250412)")
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (plain stdout) instead"
    )


def claims_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim claims``: the verdict table (or ``--json``); 0 if all hold, else 1."""
    from sim.analysis.claims import all_hold, as_json, check_claims

    check_counts(args.worlds, args.jobs, args.seed)
    loaded = load_scenario(args.scenario)
    if loaded.claims is None:
        raise UsageError(f"{args.scenario} names no claims file (add claims: FILE to it)")
    results = check_claims(loaded, args.worlds, args.seed, jobs=args.jobs)
    if args.json:
        data = as_json(results) | {"worlds": args.worlds, "seed": args.seed}
        console.file.write(json.dumps(data) + "\n")
    else:
        title = f"{loaded.scenario.name}: {args.worlds:,} worlds"
        # A terminal too narrow for the quotes drops them (they are in --json and docs/claims.md)
        # rather than folding every column to a few letters.
        quotes = not console.is_terminal or console.width >= WIDE
        print_wide(console, verdict_table(results, title, quotes=quotes), width=WIDE)
    return 0 if all_hold(results) else 1


def verdict_table(results: list[ClaimResult], title: str, *, quotes: bool = True) -> Table:
    """One row per claim: id, quote, quantity, value with its interval, band, verdict.

    The quote is shortened, or left out with ``quotes=False``.
    """
    from sim.analysis.claims import quantity_text, shorten, value_text

    table = Table(title=title)
    table.add_column("claim", no_wrap=True)
    columns = ("quote", "quantity", "model (95% interval)", "band")
    for column in columns[0 if quotes else 1 :]:
        table.add_column(column, overflow="fold")
    table.add_column("verdict", no_wrap=True)
    for r in results:
        style = STYLE[r.verdict]
        quote = [shorten(r.claim.evidence[0].quote, 40)] if quotes else []
        table.add_row(
            r.id,
            *quote,
            quantity_text(r, brief=True),
            value_text(r),
            r.target,
            f"[{style}]{r.verdict}[/]",
        )
    return table
