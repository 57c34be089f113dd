"""``negsim validate``, ``evidence``, ``explain`` and ``schema``: a scenario file, read and told.

``validate`` checks a file and lists every problem, ``evidence`` prints the evidence behind each
parameter (``docs/calibration.md``), ``explain`` tells the story of one world, ``schema`` prints
the scenario file reference (``docs/scenario.md``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from sim.cli.errors import UsageError, markup_free, nonempty_path, printable
from sim.cli.run import add_set_argument, parse_sets
from sim.scenario.loader import load_scenario
from sim.scenario.overrides import COMMAND_LINE


def add_scenario_argument(p: argparse.ArgumentParser) -> None:
    """The one argument of ``negsim validate``: the scenario file."""
    p.add_argument("scenario", type=Path, help="scenario YAML file")


def validate_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim validate``: one line describing a valid scenario."""
    loaded = load_scenario(args.scenario)
    s = loaded.scenario
    console.print(
        f"{markup_free(args.scenario)}: valid — scenario '{s.name}', {len(s.actors)} actors, "
        f"{len(s.issues)} issues, {len(s.shocks)} shocks, horizon {s.horizon} steps "
        f"({s.calendar.start} to {s.step_to_date(s.horizon)})",
        highlight=False,
        soft_wrap=True,
    )
    return 0


def add_evidence_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim evidence SCENARIO [--markdown FILE]``."""
    add_scenario_argument(p)
    p.add_argument(
        "--markdown", type=nonempty_path, metavar="FILE", help="write it as Markdown instead"
    )


def evidence_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim evidence``: the table (or its Markdown), and a count of what lacks any."""
    from sim.analysis.tables import evidence_markdown, evidence_table
    from sim.runs.output import write_text_atomic
    from sim.scenario.evidence import source_rows

    loaded = load_scenario(args.scenario)
    rows = source_rows(loaded.scenario)
    title = f"Evidence for '{loaded.scenario.name}' ({args.scenario})"
    if args.markdown:
        write_text_atomic(args.markdown, evidence_markdown(rows, title))
        console.print(f"wrote {markup_free(args.markdown)} ({len(rows)} rows)", highlight=False)
    else:
        wide = console if console.is_terminal else Console(width=180)
        wide.print(evidence_table(rows, title))
    missing = sum(row.kind == "missing" for row in rows)
    if missing:
        console.print(f"[bold red]{missing} parameter(s) have neither evidence nor assumption[/]")
    return 0


def add_explain_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim explain SCENARIO --seed S --world K [--set P=V ...]``."""
    add_scenario_argument(p)
    p.add_argument("--seed", type=int, required=True, help="the ensemble's root seed")
    p.add_argument("--world", type=int, required=True, help="the world id (worlds.parquet)")
    add_set_argument(p, "override a parameter by dotted path, as the run did")


def explain_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim explain``: the story of one world, step by step."""
    from sim.analysis.explain import explain
    from sim.runs.ensemble import MAX_SEED, MAX_WORLDS

    if not 0 <= args.world < MAX_WORLDS:
        raise UsageError(f"--world must be 0 to {MAX_WORLDS - 1:,} (the worlds of an ensemble)")
    if not 0 <= args.seed <= MAX_SEED:
        raise UsageError(f"--seed must be 0 to {MAX_SEED} (2^63 - 1)")
    loaded = load_scenario(args.scenario, parse_sets(args.set), origin=COMMAND_LINE)
    story = explain(loaded, args.seed, args.world)
    console.print(printable(story.text), markup=False, highlight=False, soft_wrap=True)
    return 0


def add_schema_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim schema [--observations] [--markdown FILE]``."""
    p.add_argument(
        "--markdown", type=nonempty_path, metavar="FILE", help="write it to FILE instead"
    )
    p.add_argument(
        "--observations",
        action="store_true",
        help="the observations file reference instead (docs/observations.md)",
    )


def schema_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim schema``: the scenario (or observations) file reference, printed or written."""
    from sim.runs.output import write_text_atomic
    from sim.scenario.reference import (
        observations_reference_markdown,
        scenario_reference_markdown,
    )

    text = observations_reference_markdown() if args.observations else scenario_reference_markdown()
    if args.markdown:
        write_text_atomic(args.markdown, text)
        console.print(f"wrote {markup_free(args.markdown)}", highlight=False)
    else:
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    return 0
