"""The ``negsim`` command line: a thin layer over :mod:`sim`.

Exit status: 0 success; 2 bad input (every problem listed, no traceback); 1 any other failure
(``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim.cli import forecast
from sim.cli.commands import add_plot_parser, add_report_parser, plot_main, report_main
from sim.cli.dashboard import add_dashboard_parser, dashboard_main
from sim.cli.errors import BAD_INPUT, UsageError
from sim.cli.sweeps import add_sensitivity_parser, add_sweep_parser, sensitivity_main, sweep_main
from sim.mechanisms.outcomes import LABELS
from sim.scenario.loader import ScenarioError, load_scenario

SHOWN_PROBLEMS = 100
"""Problems printed for one bad input; the rest are counted (a file may hold 200,000)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="negsim",
        description="Agent-based negotiation simulator: the 2025 US-Iran nuclear talks.",
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common.add_argument("-v", "--verbose", action="store_true", help="log each override applied")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser("run", parents=[common], help="run an ensemble of worlds of a scenario")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument("--worlds", type=int, default=1000, help="number of worlds (default 1000)")
    run.add_argument("--seed", type=int, default=None, help="root seed (default: drawn, printed)")
    run.add_argument("--out", type=Path, default=None, help="output directory (default runs/NAME)")
    run.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    run.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a parameter by dotted path, e.g. actors.israel.strike_resolve=0.1",
    )

    val = sub.add_parser(
        "validate", parents=[common], help="check a scenario file and list every problem"
    )
    val.add_argument("scenario", type=Path, help="scenario YAML file")

    ev = sub.add_parser(
        "evidence", parents=[common], help="print the evidence behind every parameter"
    )
    ev.add_argument("scenario", type=Path, help="scenario YAML file")
    ev.add_argument("--markdown", type=Path, metavar="FILE", help="write it as Markdown instead")

    exp = sub.add_parser(
        "explain", parents=[common], help="tell the story of one world of an ensemble"
    )
    exp.add_argument("scenario", type=Path, help="scenario YAML file")
    exp.add_argument("--seed", type=int, required=True, help="the ensemble's root seed")
    exp.add_argument("--world", type=int, required=True, help="the world id (worlds.parquet)")

    rep = sub.add_parser(
        "reproduce", parents=[common], help="re-run an ensemble from its summary.json alone"
    )
    rep.add_argument("summary", type=Path, help="a run's summary.json")
    rep.add_argument("--out", type=Path, required=True, help="output directory for the re-run")
    rep.add_argument("--jobs", type=int, default=1, help="processes (default 1)")

    cmp = sub.add_parser(
        "compare", parents=[common], help="run several scenarios with the same worlds and seed"
    )
    cmp.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    cmp.add_argument("--worlds", type=int, default=1000, help="worlds per scenario")
    cmp.add_argument("--seed", type=int, default=None, help="root seed (default: drawn)")
    cmp.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    cmp.add_argument("--markdown", type=Path, metavar="FILE", help="also write a Markdown table")

    forecast.add_parser(sub, parents=[common])
    add_sweep_parser(sub, [common])
    add_sensitivity_parser(sub, [common])
    add_plot_parser(sub, [common])
    add_report_parser(sub, [common])
    add_dashboard_parser(sub, [common])

    ref = sub.add_parser(
        "schema", parents=[common], help="print the scenario file reference (docs/scenario.md)"
    )
    ref.add_argument("--markdown", type=Path, metavar="FILE", help="write it to FILE instead")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``negsim`` console script."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.verbose:  # only our own loggers: Mesa logs every step at INFO
        logging.getLogger("sim").setLevel(logging.INFO)
    console = Console()
    err = Console(stderr=True)
    try:
        command = {
            "validate": _validate,
            "evidence": _evidence,
            "compare": _compare,
            "explain": _explain,
            "reproduce": _reproduce,
            "forecast": forecast.main,
            "schema": _schema,
            "sweep": sweep_main,
            "sensitivity": sensitivity_main,
            "plot": plot_main,
            "report": report_main,
            "dashboard": dashboard_main,
        }.get(args.command)
        if command is not None:
            return command(args, console)
        return _run(args, console, err)
    except ScenarioError as exc:
        _print_problems(exc, err)
        return BAD_INPUT
    except UsageError as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
        return BAD_INPUT
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except OSError as exc:
        if args.debug:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        err.print(
            f"[bold red]error:[/] cannot write{where}: {exc.strerror or exc}; "
            "no results were presented as complete",
            highlight=False,
            soft_wrap=True,
        )
        return 1
    except Exception as exc:
        if args.debug:
            raise
        err.print(
            f"[bold red]error:[/] {type(exc).__name__}: {exc}  (rerun with --debug)",
            soft_wrap=True,
        )
        return 1


def _print_problems(exc: ScenarioError, err: Console) -> None:
    """List a bad input's problems (the first ``SHOWN_PROBLEMS``), one per line."""
    err.print(f"[bold red]{exc.label}[/] ({len(exc.problems)} problem(s)):")
    for problem in exc.problems[:SHOWN_PROBLEMS]:
        # soft_wrap: one problem per line, so "file:line: path" is never split
        err.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    if len(exc.problems) > SHOWN_PROBLEMS:
        err.print(f"  ... and {len(exc.problems) - SHOWN_PROBLEMS} more", highlight=False)


def _validate(args: argparse.Namespace, console: Console) -> int:
    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    console.print(
        f"{args.scenario}: valid — scenario '{s.name}', {len(s.actors)} actors, "
        f"{len(s.issues)} issues, {len(s.shocks)} shocks, horizon {s.horizon} steps "
        f"({s.calendar.start} to {s.step_to_date(s.horizon)})",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def _evidence(args: argparse.Namespace, console: Console) -> int:
    from sim.analysis.tables import evidence_markdown, evidence_table
    from sim.runs.output import write_text_atomic
    from sim.scenario.evidence import source_rows

    loaded = load_scenario(args.scenario)
    rows = source_rows(loaded.scenario)
    title = f"Evidence for '{loaded.scenario.name}' ({args.scenario})"
    if args.markdown:
        write_text_atomic(args.markdown, evidence_markdown(rows, title))
        console.print(f"wrote {args.markdown} ({len(rows)} rows)", highlight=False)
    else:
        wide = console if console.is_terminal else Console(width=180)
        wide.print(evidence_table(rows, title))
    missing = sum(row.kind == "missing" for row in rows)
    if missing:
        console.print(f"[bold red]{missing} parameter(s) have neither evidence nor assumption[/]")
    return 0


def _explain(args: argparse.Namespace, console: Console) -> int:
    from sim.analysis.explain import explain

    if args.world < 0:
        raise UsageError("--world must be at least 0")
    if args.seed < 0:
        raise UsageError("--seed must be at least 0")
    story = explain(load_scenario(args.scenario), args.seed, args.world)
    console.print(story.text, markup=False, highlight=False, soft_wrap=True)
    return 0


def _reproduce(args: argparse.Namespace, console: Console) -> int:
    from sim.analysis.plots import outcomes_png
    from sim.runs.output import write_run
    from sim.runs.reproduce import reproduce

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out} exists and is not a directory")
    done = reproduce(args.summary, jobs=args.jobs)
    console.print(outcome_table(done.result.summary))
    paths = write_run(done.result, args.out, {"outcomes.png": outcomes_png(done.result.summary)})
    console.print("wrote " + ", ".join(str(p) for p in paths), highlight=False)
    for warning in done.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    return 1 if done.warnings else 0


def _schema(args: argparse.Namespace, console: Console) -> int:
    from sim.runs.output import write_text_atomic
    from sim.scenario.reference import scenario_reference_markdown

    text = scenario_reference_markdown()
    if args.markdown:
        write_text_atomic(args.markdown, text)
        console.print(f"wrote {args.markdown}", highlight=False)
    else:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    return 0


def _compare(args: argparse.Namespace, console: Console) -> int:
    from sim.analysis.tables import comparison_markdown, comparison_table
    from sim.mechanisms.rng import draw_root_seed
    from sim.runs.ensemble import run
    from sim.runs.output import write_text_atomic

    _check_counts(args)
    loaded = [load_scenario(path) for path in args.scenarios]  # every file valid before running
    seed = draw_root_seed() if args.seed is None else args.seed
    summaries = [run(s, worlds=args.worlds, seed=seed, jobs=args.jobs).summary for s in loaded]
    console.print(comparison_table(summaries))
    if args.markdown:
        write_text_atomic(args.markdown, comparison_markdown(summaries))
        console.print(f"wrote {args.markdown}", highlight=False)
    return 0


def _check_counts(args: argparse.Namespace) -> None:
    if args.worlds < 1:
        raise UsageError("--worlds must be at least 1")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")


def _parse_sets(items: list[str]) -> dict[str, object]:
    import yaml

    out: dict[str, object] = {}
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path:
            raise UsageError(f"--set needs PATH=VALUE, got '{item}'")
        try:
            out[path.strip()] = yaml.safe_load(value)
        except yaml.YAMLError:
            raise UsageError(f"--set {path.strip()}: cannot read the value '{value}'") from None
    return out


def _run(args: argparse.Namespace, console: Console, err: Console) -> int:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from sim.analysis.plots import outcomes_png
    from sim.runs.ensemble import run
    from sim.runs.output import write_run

    if args.worlds < 1:
        raise UsageError("--worlds must be at least 1")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if args.seed is not None and args.seed < 0:
        raise UsageError("--seed must be a non-negative integer")
    loaded = load_scenario(args.scenario, _parse_sets(args.set))
    out = args.out or Path("runs") / loaded.scenario.name
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} blocks"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with progress:
        task = progress.add_task(f"running {args.worlds:,} worlds", total=None)

        def on_block(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = run(loaded, worlds=args.worlds, seed=args.seed, jobs=args.jobs, on_block=on_block)
    if args.seed is None:
        err.print(f"seed drawn: {result.summary['seed']} (recorded in summary.json)")
    console.print(outcome_table(result.summary))
    paths = write_run(result, out, {"outcomes.png": outcomes_png(result.summary)})
    console.print("wrote " + ", ".join(str(p) for p in paths), highlight=False)
    return 0


def outcome_table(summary: dict[str, Any]) -> Table:
    """The outcome table as printed by ``negsim run``."""
    from sim.analysis.tables import outcome_cells

    table = Table(
        title=(
            f"{summary['scenario']}: {summary['worlds']:,} worlds, seed {summary['seed']} "
            f"({summary['seconds']} s)"
        )
    )
    for col, justify in (
        ("outcome", "left"),
        ("p", "right"),
        ("95% CI", "right"),
        ("count", "right"),
        ("median step", "right"),
        ("median date", "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, *cells in outcome_cells(summary):
        table.add_row(LABELS[name], *cells)
    return table


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
