"""``negsim forecast``: forecasts of issues from an actor table (:mod:`sim.runs.forecast`).

This module holds the command's arguments and its printing only: reading the table, the rules'
rounds and the scores are :mod:`sim.runs.forecast`, the figure :mod:`sim.analysis.plots.forecast`;
a bad table or argument is reported by :mod:`sim.cli.main`.
"""

from __future__ import annotations

import argparse
import io
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli.errors import UsageError
from sim.cli.run import print_wide
from sim.mechanisms.bdm import DEFAULT
from sim.runs import forecast as fc

SHOWN_ISSUES = 50
"""Issues listed on screen; ``--out`` writes them all."""


def forecast_table(
    rule: str, rounds: Sequence[fc.ForecastRound], reading: str | None = None
) -> Table:
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


def _rules(value: str) -> list[str]:
    if value == "all":
        return ["all"]
    if value not in fc.RULES:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {value!r} (choose from {', '.join((*fc.RULES, 'all'))})"
        )
    return [value]


def add_forecast_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim forecast TABLE [--rule R ...] [--rounds N] [--reading R] [--q Q] [--t T] ...``."""
    p.add_argument(
        "table",
        type=Path,
        help="CSV or Parquet: actor, capability, position, salience; optional issue, "
        "status_quo, outcome (docs/bdm.md section 5)",
    )
    p.add_argument(
        "--rule",
        type=_rules,
        action="extend",
        metavar="RULE",
        help=f"rule to forecast with, repeatable: {', '.join(fc.RULES)} or all (default "
        "bdm_eum; all = every rule, status_quo only when every issue has a status quo)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=10,
        metavar="N",
        help=f"at most N rounds of bdm_eum, 0 to {fc.MAX_ROUNDS:,} (default 10)",
    )
    p.add_argument(
        "--reading",
        choices=tuple(fc.READINGS),
        default=DEFAULT.name,
        help=f"reading of BDM's model under --rule bdm_eum (default {DEFAULT.name}): "
        "printed = the formulas as printed by Scholz et al. (2011) and BDM (1994); "
        "scholz_code = the authors' code as ported by J. McKibben, which reproduces that "
        "port's published log and comes closest to the paper's Table 2 (docs/bdm.md, "
        "sections 2 and 4)",
    )
    for name, what in (
        ("q", "Q, the probability that the status quo holds"),
        ("t", "T, the probability that it would then improve"),
    ):
        p.add_argument(
            f"--{name}",
            type=float,
            default=None,
            help=f"{what}, in [0, 1] (default: the reading's, {getattr(DEFAULT, name):g})",
        )
    p.add_argument(
        "--salience-scale",
        type=float,
        default=1.0,
        metavar="S",
        help="divide every salience by this (100 for saliences on 0-100; default 1)",
    )
    _add_output_arguments(p)


def _add_output_arguments(p: argparse.ArgumentParser) -> None:
    """``--out DIR``, ``--format``, ``--seed`` and ``--json``."""
    p.add_argument(
        "--out",
        type=str,
        metavar="DIR",
        default=None,
        help="write the per-issue table, summary.json and (with outcomes) the figure here",
    )
    p.add_argument(
        "--format", choices=("csv", "parquet"), default="csv", help="per-issue table format"
    )
    p.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the bootstrap (default 0)"
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (plain stdout) instead"
    )


def _check_arguments(args: argparse.Namespace) -> None:
    """Refuse arguments outside their limits (:mod:`sim.runs.forecast`), naming the limit."""
    if not 0 <= args.rounds <= fc.MAX_ROUNDS:
        raise UsageError(
            f"--rounds must be 0 to {fc.MAX_ROUNDS:,} (sim.runs.forecast.MAX_ROUNDS), "
            f"got {args.rounds}"
        )
    for name in ("q", "t"):
        value = getattr(args, name)
        if value is not None and not 0 <= value <= 1:
            raise UsageError(f"--{name} must be in [0, 1], got {value}")
    scale = args.salience_scale
    if not (math.isfinite(scale) and 0 < scale <= fc.MAX_MAGNITUDE):
        raise UsageError(
            f"--salience-scale must be above 0 and at most {fc.MAX_MAGNITUDE:g}, got {scale}"
        )
    if not 0 <= args.seed < 2**63:
        raise UsageError(f"--seed must be 0 to 2**63 - 1, got {args.seed}")
    if args.out is not None and (
        args.out == "" or (Path(args.out).exists() and not Path(args.out).is_dir())
    ):
        raise UsageError(f"--out {args.out!r} must name a directory")


def _chosen_rules(args: argparse.Namespace, tables: Sequence[fc.ActorTable]) -> list[str]:
    asked = args.rule or ["bdm_eum"]
    if "all" in asked:
        every = all(t.status_quo is not None for t in tables)
        return [r for r in fc.RULES if r != "status_quo" or every]
    if "status_quo" in asked and any(t.status_quo is None for t in tables):
        missing = next(t.issue for t in tables if t.status_quo is None)
        raise UsageError(
            f"--rule status_quo needs a status_quo on every issue; {args.table} has none for "
            f"issue {missing!r}"
        )
    return list(dict.fromkeys(asked))


def _summary_table(data: dict[str, Any]) -> Table:
    """Per rule: issues converged, mean rounds and the MAE with its interval."""
    scores = data["scores"]
    table = Table(title=Text(f"forecasts of {len(data['issues'])} issue(s): {data['table']}"))
    for head in ("rule", "converged", "mean rounds", "MAE [95% interval]"):
        table.add_column(Text(head), justify="left" if head == "rule" else "right")
    for rule, s in data["summary"].items():
        mae = "-"
        if scores is not None:
            mae = _interval_text(scores["mae"][rule])
        table.add_row(rule, f"{s['converged']}/{s['issues']}", f"{s['mean_rounds']:.1f}", mae)
    return table


def _interval_text(value: dict[str, float | None], sign: str = "") -> str:
    """``estimate [low, high]`` to 4 significant digits (``sign="+"`` signs every number)."""
    low, high, estimate = value["low"], value["high"], value["estimate"]
    form = f"{sign}.4g"
    shown = "" if low is None or high is None else f" [{low:{form}}, {high:{form}}]"
    return f"{estimate:{form}}{shown}"


def _differences_table(scores: dict[str, Any]) -> Table:
    table = Table(title=f"paired differences of MAE over {scores['issues']} issues (bootstrap)")
    table.add_column("rules")
    table.add_column("MAE difference [95% interval]", justify="right")
    for d in scores["differences"]:
        table.add_row(f"{d['rules'][0]} - {d['rules'][1]}", _interval_text(d, "+"))
    return table


def _issues_table(data: dict[str, Any]) -> Table:
    rules = list(data["summary"])
    table = Table(title="forecast per issue (rounds; * = round cap reached)")
    for head in ("issue", "actors", "status quo", "outcome", *rules):
        table.add_column(Text(head), justify="left" if head == "issue" else "right")
    for issue in data["issues"][:SHOWN_ISSUES]:
        cells = [
            f"{f['forecast']:.4g} ({f['rounds']}{'' if f['converged'] else '*'})"
            for f in (issue["forecasts"][r] for r in rules)
        ]
        sq, out = issue["status_quo"], issue["outcome"]
        table.add_row(
            Text(str(issue["issue"] if issue["issue"] is not None else "-")),
            str(issue["actors"]),
            "-" if sq is None else f"{sq:.4g}",
            "-" if out is None else f"{out:.4g}",
            *cells,
        )
    return table


def _print(console: Console, data: dict[str, Any], history: dict[str, Any] | None) -> None:
    """The round tables (one issue), the per-issue table, the summary and the differences."""
    reading = data["reading"]
    for rule, rounds in (history or {}).items():
        if rule == "bdm_eum":
            print_wide(console, forecast_table(rule, rounds, reading))
    print_wide(console, _issues_table(data))
    if len(data["issues"]) > SHOWN_ISSUES:
        console.print(f"... {len(data['issues']) - SHOWN_ISSUES:,} more issues (see --out)")
    print_wide(console, _summary_table(data))
    if data["scores"] is not None and data["scores"]["differences"]:
        print_wide(console, _differences_table(data["scores"]))


def _write(out: Path, fmt: str, frame: Any, text: str, figure: Any) -> list[Path]:
    """The per-issue table, the figure, then summary.json last, each written atomically."""
    from sim.runs.output import write_bytes_atomic, write_text_atomic

    out.mkdir(parents=True, exist_ok=True)
    (out / "summary.json").unlink(missing_ok=True)
    table = out / f"forecasts.{fmt}"
    buffer = io.BytesIO()
    if fmt == "csv":
        buffer.write(frame.to_csv(index=False).encode("utf-8"))
    else:
        frame.to_parquet(buffer, index=False)
    write_bytes_atomic(table, buffer.getvalue())
    written = [table]
    if figure is not None:
        from sim.analysis.plots.common import save_figure

        written += save_figure(figure, out / "forecast_vs_outcome")
    write_text_atomic(out / "summary.json", text)
    return [*written, out / "summary.json"]


def forecast_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim forecast``: tables on screen, or ``--json`` one JSON object; ``--out`` files.

    ``--json`` writes ``json.dumps`` output (never a bare NaN) and a newline to ``console.file``
    (standard output for the command) directly, bypassing rich's markup, emoji codes and wrapping.

    Raises:
        UsageError: an argument outside its limits.
        ActorTableError: the table cannot be used (``negsim`` lists every problem, status 2).
    """
    from sim.runs.sweeps.api import progress_bar

    _check_arguments(args)
    tables = fc.read_table(args.table, args.salience_scale)
    rules = _chosen_rules(args, tables)
    reading = fc.with_q_t(fc.READINGS[args.reading], args.q, args.t)
    err = Console(stderr=True)
    with progress_bar("forecasting", enabled=err.is_terminal, console=err) as tick:
        results = fc.forecast_issues(tables, rules, args.rounds, reading, tick)
    history = None
    if len(tables) == 1:
        history = {r: fc.forecast(tables[0], r, args.rounds, reading) for r in rules}
    scores = fc.score(tables, results, rules, args.seed)
    settings = {
        "table": str(args.table),
        "rules": rules,
        "reading": reading.name,
        "q": reading.q,
        "t": reading.t,
        "rounds": args.rounds,
        "salience_scale": args.salience_scale,
    }
    data = fc.as_json(tables, results, settings, scores, history)
    text = json.dumps(data, allow_nan=False) + "\n"
    if args.out is not None:
        figure = None
        if scores is not None:
            from sim.analysis.plots.forecast import plot_forecast

            figure = plot_forecast(tables, results, rules, scores)
        frame = fc.issue_frame(tables, results, rules)
        _write(Path(args.out), args.format, frame, text, figure)
    if args.json:
        console.file.write(text)
        console.file.flush()
    else:
        _print(console, data, history)
        if args.out is not None:
            console.print(Text(f"wrote {args.out}/forecasts.{args.format} and summary.json"))
    return 0
