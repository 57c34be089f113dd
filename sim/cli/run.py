"""``negsim run``, ``reproduce`` and ``compare``: ensembles of worlds, and their outcome table.

``run`` runs one scenario and writes its files (``docs/outputs.md``), ``reproduce`` re-runs an
ensemble from its ``summary.json`` alone (``docs/reliability.md``), ``compare`` runs several
scenarios on the same worlds and seed and prints one table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli.errors import UsageError, markup_free, nonempty_path, printable
from sim.mechanisms.outcomes import OUTCOMES
from sim.scenario.loader import NoDuplicatesLoader, load_scenario
from sim.scenario.overrides import COMMAND_LINE, run_label

MAX_SET_CHARS = 10_000
"""Longest ``--set`` value, in characters (a value is a number, a word or a short mapping)."""

# -------------------------------------------------------------------------------------- run


def add_run_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim run SCENARIO [--worlds N] [--seed S] [--out DIR] [--jobs J] [--set P=V ...]``."""
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--worlds", type=int, default=1000, help="number of worlds (default 1000)")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: drawn, printed)")
    p.add_argument(
        "--out", type=nonempty_path, default=None, help="output directory (default runs/NAME)"
    )
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    add_set_argument(p, "override a parameter by dotted path")


def run_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim run``: the ensemble, its table, its files (``summary.json`` last)."""
    check_counts(args.worlds, args.jobs, args.seed)  # before the slow imports (matplotlib)
    from sim.analysis.plots import run_figures
    from sim.runs.ensemble import run
    from sim.runs.output import write_run

    err = Console(stderr=True)
    loaded = load_scenario(args.scenario, parse_sets(args.set), origin=COMMAND_LINE)
    out = args.out or Path("runs") / loaded.scenario.name
    _check_out(out)
    with _block_progress(err, f"running {args.worlds:,} worlds") as on_block:
        result = run(loaded, worlds=args.worlds, seed=args.seed, jobs=args.jobs, on_block=on_block)
    if args.seed is None:
        err.print(f"seed drawn: {result.summary['seed']} (recorded in summary.json)")
    print_wide(console, outcome_table(result.summary))
    print_wide(console, state_table(result.summary))
    paths = write_run(result, out, run_figures(result.summary))
    console.print("wrote " + ", ".join(markup_free(p) for p in paths), highlight=False)
    return 0


def check_counts(worlds: int, jobs: int, seed: int | None = None) -> None:
    """An ensemble's counts: 1 to ``MAX_WORLDS`` worlds, a process or more, a seed 0 to 2^63 - 1."""
    from sim.runs.ensemble import MAX_SEED, MAX_WORLDS

    if not 1 <= worlds <= MAX_WORLDS:
        raise UsageError(f"--worlds must be 1 to {MAX_WORLDS:,} (the limit of one ensemble)")
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    if seed is not None and not 0 <= seed <= MAX_SEED:
        raise UsageError(f"--seed must be an integer from 0 to {MAX_SEED} (2^63 - 1)")


def parse_sets(items: list[str]) -> dict[str, object]:
    """The ``--set PATH=VALUE`` overrides, each value read by :func:`parse_set_value`."""
    out: dict[str, object] = {}
    for item in items:
        path, sep, value = item.partition("=")
        if not sep or not path:
            raise UsageError(f"--set needs PATH=VALUE, got '{item}'")
        out[path.strip()] = parse_set_value(path.strip(), value)
    return out


class _SafeSetLoader(NoDuplicatesLoader):
    """The scenario files' loader, reading a decimal number as a user means it (YAML 1.2).

    YAML 1.1 reads ``1e-1`` as text (it wants ``1.0e-1``) and ``010`` as octal 8; here both
    are decimal: 0.1 and 10. Its base-60 ``1:20`` (80) stays text, which validation then refuses
    where a number is needed. Other plain scalars resolve as before.
    """


DECIMAL = re.compile(r"^[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$")
"""A decimal number as a user types it: ``10``, ``010``, ``-2.5``, ``.5``, ``1e-1``, ``2E5``."""
_DECIMAL_TAG = "tag:negsim,2026:decimal"
SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
"""YAML 1.1's base-60 numbers (``1:20`` is 80): a user means text (a ratio, a time), not 80."""


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | float:
    text = loader.construct_scalar(node)
    return int(text) if text.lstrip("+-").isdigit() else float(text)


for _first in "-+0123456789.":  # before YAML 1.1's own int and float resolvers
    _SafeSetLoader.yaml_implicit_resolvers = {  # a copy: the base class keeps its own
        **_SafeSetLoader.yaml_implicit_resolvers,
        _first: [
            (_DECIMAL_TAG, DECIMAL),
            ("tag:yaml.org,2002:str", SEXAGESIMAL),
            *_SafeSetLoader.yaml_implicit_resolvers.get(_first, []),
        ],
    }
_SafeSetLoader.add_constructor(_DECIMAL_TAG, _construct_decimal)


def parse_set_value(path: str, value: str) -> object:
    """One ``--set`` value read as YAML: ``0.3``, ``1e-1``, ``true``, ``2025-06-01``, ``[a, b]``.

    Refused (:class:`UsageError` naming the path): a value YAML cannot read or build (a date
    that does not exist, ``2025-02-30``; an integer of more than Python's 4,300 digits), a value
    longer than :data:`MAX_SET_CHARS` characters, and YAML aliases (``*a``), which a value never
    needs and which can multiply (an alias bomb).
    """
    shown = value if len(value) <= 60 else value[:60] + "..."
    if len(value) > MAX_SET_CHARS:
        raise UsageError(
            f"--set {path}: the value has {len(value):,} characters, more than the "
            f"{MAX_SET_CHARS:,} a value may have"
        )
    try:
        if any(isinstance(e, yaml.AliasEvent) for e in yaml.parse(value, Loader=_SafeSetLoader)):
            raise UsageError(f"--set {path}: YAML aliases (*name) are not allowed in a value")
        return yaml.load(value, Loader=_SafeSetLoader)
    except yaml.YAMLError as exc:
        reason = getattr(exc, "problem", None) or "not YAML"
        if reason.startswith("cannot read the value"):  # the loader's own: 2025-02-30
            reason = reason.split("': ", 1)[-1]
        raise UsageError(f"--set {path}: cannot read the value '{shown}': {reason}") from None
    except (ValueError, OverflowError, RecursionError) as exc:  # 5,000 digits; too deep
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        reason = reason.split("; use sys.set_int_max_str_digits", 1)[0]  # Python's advice
        raise UsageError(f"--set {path}: cannot read the value '{shown}': {reason}") from None


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")


@contextmanager
def _block_progress(err: Console, description: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar of the ensemble's blocks on ``err`` (none when it is not a terminal).

    Yields the ``on_block(done, total)`` callback to give :func:`sim.runs.ensemble.run`.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

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
        task = progress.add_task(description, total=None)

        def on_block(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield on_block


def print_wide(console: Console, table: Table, width: int | None = None) -> None:
    """Print a table whole on ``console``.

    On a terminal as the terminal allows; otherwise (a file, a pipe) at the table's natural width,
    at most ``width`` columns when given, and never narrower than the console.
    """
    if console.is_terminal:
        console.print(table)
        return
    saved = console.width
    natural = console.measure(table, options=console.options.update_width(10_000)).maximum
    console.width = max(saved, natural if width is None else min(natural, width))
    try:
        console.print(table)
    finally:
        console.width = saved


def outcome_table(summary: dict[str, Any]) -> Table:
    """The outcome table as printed by ``negsim run``: the outcomes, then their sums.

    Titled with the run's label (the scenario and its ``--set`` overrides).
    """
    from sim.analysis.tables import outcome_cells, row_label
    from sim.mechanisms.outcomes import TOTALS

    table = Table(
        title=Text(
            f"{printable(run_label(summary))}: {summary['worlds']:,} worlds, "
            f"seed {summary['seed']} ({summary['seconds']} s)"
        )
    )
    table.add_column("outcome", justify="left", no_wrap=True)
    for col, justify in (
        ("p", "right"),
        ("95% CI", "right"),
        ("count", "right"),
        ("median step", "right"),
        ("median date", "right"),
    ):
        table.add_column(col, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for name, *cells in outcome_cells(summary):
        table.add_row(row_label(name), *cells, end_section=name == OUTCOMES[-1])
    if any(key in TOTALS for key, *_ in outcome_cells(summary)):
        table.caption = "Israeli-initiated strikes: alone or joined by the US (docs/outputs.md)"
    return table


def state_table(summary: dict[str, Any]) -> Table:
    """The run's second view: each world's state at the horizon (share, 95% CI, count).

    The outcome table gives each world's first decisive event; this one where it stands at the
    horizon (``docs/outputs.md``; cells of :func:`sim.analysis.tables.state_cells`).
    """
    from sim.analysis.tables import state_cells
    from sim.mechanisms.outcomes import STATE_LABELS

    table = Table(title=Text(f"State at the horizon ({_horizon_text(summary)})"))
    table.add_column("state", justify="left", no_wrap=True)
    for col in ("p", "95% CI", "count"):
        table.add_column(col, justify="right", no_wrap=True)
    for name, *cells in state_cells(summary):
        table.add_row(STATE_LABELS[name], *cells)
    return table


def _horizon_text(summary: dict[str, Any]) -> str:
    """``step 38, 2026-01-03`` from a summary's ``events_by_date`` (its last date is the end)."""
    by_date = summary.get("events_by_date")
    if not by_date:
        return "the last step"
    return f"step {by_date['steps'][-1]}, {by_date['dates'][-1]}"


# -------------------------------------------------------------------------------- reproduce


def add_reproduce_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim reproduce SUMMARY --out DIR [--jobs J]``."""
    p.add_argument("summary", type=Path, help="a run's summary.json")
    p.add_argument(
        "--out", type=nonempty_path, required=True, help="output directory for the re-run"
    )
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")


def reproduce_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim reproduce``: 1 (with a warning) when another version made the run."""
    from sim.analysis.plots import run_figures
    from sim.runs.output import write_run
    from sim.runs.reproduce import reproduce

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    _check_out(args.out)
    done = reproduce(args.summary, jobs=args.jobs)
    print_wide(console, outcome_table(done.result.summary))
    print_wide(console, state_table(done.result.summary))
    paths = write_run(done.result, args.out, run_figures(done.result.summary))
    console.print("wrote " + ", ".join(markup_free(p) for p in paths), highlight=False)
    for warning in done.warnings:
        console.print(f"[yellow]warning:[/] {markup_free(warning)}", highlight=False)
    return 1 if done.warnings else 0


# ---------------------------------------------------------------------------------- compare


def add_compare_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim compare SCENARIO... [--set P=V] [--variant "P=V; ..."] [--by DATE] [--out DIR]``."""
    p.add_argument("scenarios", type=Path, nargs="+", help="scenario YAML files")
    p.add_argument("--worlds", type=int, default=1000, help="worlds per scenario")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: drawn)")
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    p.add_argument(
        "--markdown", type=nonempty_path, metavar="FILE", help="also write a Markdown table"
    )
    add_set_argument(p, "override a parameter of every scenario by dotted path")
    p.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="'PATH=VALUE[; PATH=VALUE]'",
        help="also run each scenario with these overrides (repeatable: one variant each)",
    )
    p.add_argument(
        "--by",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help="probabilities of the outcomes that came by this date (default: by the horizon)",
    )
    p.add_argument("--out", type=nonempty_path, help="write each run's files in DIR/<label>/")


def add_set_argument(p: argparse.ArgumentParser, what: str) -> None:
    """The ``--set PATH=VALUE`` option (repeatable)."""
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help=f"{what}, e.g. actors.us.join_probability=1",
    )


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): '{text}'") from None


def compare_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim compare``: every file and override valid first, then one table of them all."""
    from sim.analysis.tables import comparison_markdown, comparison_table
    from sim.mechanisms.rng import draw_root_seed
    from sim.runs.ensemble import by_date, run
    from sim.runs.output import write_text_atomic

    check_counts(args.worlds, args.jobs)
    if args.out is not None:
        _check_out(args.out)
    loaded = _compare_runs(args.scenarios, parse_sets(args.set), args.variant)
    seed = draw_root_seed() if args.seed is None else args.seed
    results = [run(s, worlds=args.worlds, seed=seed, jobs=args.jobs) for s in loaded]
    summaries = [r.summary for r in results]
    if args.by is not None:
        for r, s in zip(results, loaded, strict=True):
            r.summary["by"] = by_date(r.worlds, s.scenario, args.by)
    print_wide(console, comparison_table(summaries))
    if args.markdown:
        write_text_atomic(args.markdown, comparison_markdown(summaries))
        console.print(f"wrote {markup_free(args.markdown)}", highlight=False)
    if args.out is not None:
        _write_compared(results, args.out, console)
    return 0


def _compare_runs(scenarios: list[Path], sets: dict[str, object], variants: list[str]) -> list[Any]:
    """Each scenario with ``sets``, then with ``sets`` and each variant's overrides: loaded."""
    loaded = []
    for path in scenarios:
        for extra in [{}, *(parse_sets(_split_variant(v)) for v in variants)]:
            loaded.append(load_scenario(path, {**sets, **extra}, origin=COMMAND_LINE))
    return loaded


def _split_variant(text: str) -> list[str]:
    items = [part.strip() for part in text.split(";") if part.strip()]
    if not items:
        raise UsageError("--variant needs PATH=VALUE (several separated by ';')")
    return items


def _write_compared(results: list[Any], out: Path, console: Console) -> None:
    """Each run's files (as ``negsim run`` writes them) in ``out/<label>/``."""
    from sim.analysis.plots import run_figures
    from sim.runs.output import write_run

    taken: set[str] = set()
    for result in results:
        name = folder_name(run_label(result.summary), taken)
        taken.add(name)
        write_run(result, out / name, run_figures(result.summary))
        console.print(f"wrote {out / name}/", highlight=False)


def folder_name(label: str, taken: set[str]) -> str:
    """A folder name for a run's label: ``baseline [a.b=1]`` is ``baseline_a.b=1``; unique."""
    base = re.sub(r"[^\w.=,+-]+", "_", label).strip("_.") or "run"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}-{k}", k + 1
    return name
