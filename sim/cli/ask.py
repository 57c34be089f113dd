"""``negsim ask RUN --event E --by DATE [--given G] [--json]``: a question about a finished run.

The probability that event ``E`` happened by ``DATE`` (given that ``G`` happened by then, and
counting ``E`` only at or after ``G``'s first occurrence), from the run's ``events.parquet`` and
``summary.json``, with its 95% Wilson interval and the counts behind it
(:func:`sim.runs.events.ask`; ``docs/cli.md``). A run of ``negsim condition`` has a weight per
world: the answer is then the weighted share, its interval Wilson's at the Kish effective sample
size (:func:`sim.runs.conditioning.weighted_ask`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.cli.errors import BadInput, UsageError, markup_free


def add_ask_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim ask RUN --event E --by DATE [--given G] [--json]``."""
    p.add_argument("run", type=Path, metavar="RUN", help="a run's output directory")
    p.add_argument("--event", required=True, help="the event E (an event name of the run)")
    p.add_argument("--by", required=True, metavar="YYYY-MM-DD", help="E happened by this date")
    p.add_argument(
        "--given",
        metavar="EVENT",
        help="only the worlds where this event happened by the date; E counts at or after it",
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (plain stdout) instead"
    )


def ask_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim ask``: read the run, check the names and the date, print the answer."""
    from sim.runs.conditioning import weighted_ask
    from sim.runs.events import ask

    summary, spec, events = read_run(args.run)
    check_event_names(summary, args.event, args.given)
    by = date_in_run(args.by, spec)
    weights = run_weights(args.run)
    if weights is None:
        found = ask(events, spec, int(summary["worlds"]), args.event, by, args.given).as_dict()
    else:
        found = weighted_ask(events, spec, weights, args.event, by, args.given)
    if args.json:
        console.file.write(json.dumps(found) + "\n")
        return 0
    console.print(_sentence(found), highlight=False, soft_wrap=True)
    return 0


def check_event_names(summary: dict[str, Any], event: str, given: str | None) -> None:
    """``--event`` and ``--given`` are event names of the run (UsageError listing them if not)."""
    valid = [*summary.get("event_types", []), "strike", "israeli_initiated"]
    for option, name in (("--event", event), ("--given", given)):
        if name is not None and name not in valid:
            raise UsageError(
                f"{option} '{name}' is not an event of this run; the events are: "
                + ", ".join(valid)
            )


def run_weights(run: Path) -> Any:
    """The worlds' weights of a conditioned run (``negsim condition``), or None for a plain run."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = run / "worlds.parquet"
    try:
        if not table.is_file() or "weight" not in pq.read_schema(table).names:
            return None
        return pd.read_parquet(table, columns=["weight"])["weight"].to_numpy()
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise BadInput(f"unreadable {table}", [f"{table}: {exc}"]) from None


def read_run(run: Path) -> tuple[dict[str, Any], Any, Any]:
    """The run's summary, its scenario and its events table (BadInput naming what is missing)."""
    import pandas as pd
    import pyarrow as pa

    from sim.runs.reproduce import read_summary
    from sim.scenario.loader import load_scenario

    if not run.is_dir():
        raise BadInput(f"not a run directory {run}", [f"{run}: no such directory"])
    events_file = run / "events.parquet"
    if not events_file.is_file():
        raise BadInput(
            f"no events in {run}",
            [f"{events_file}: missing (a run made before events.parquet existed? re-run it)"],
        )
    summary = read_summary(run / "summary.json")
    try:
        events = pd.read_parquet(events_file, columns=["world", "step", "event"])
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise BadInput(f"unreadable {events_file}", [f"{events_file}: {exc}"]) from None
    return summary, load_scenario(summary["scenario_data"]).scenario, events


def date_in_run(text: str, spec: Any) -> dt.date:
    """``--by`` as a date inside the run's study period (its calendar start to its horizon)."""
    try:
        date = dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--by '{text}' is not a date (YYYY-MM-DD)") from None
    start, end = spec.calendar.start, spec.step_to_date(spec.horizon)
    if not start <= date <= end:
        raise UsageError(f"--by {date} is outside the run's study period, {start} to {end}")
    return date


def _sentence(a: dict[str, Any]) -> str:
    """``P(deal by 2025-07-01) = 0.402 [0.392, 0.412]: 4,021 of 10,000 worlds``."""
    given = f" | {a['given']} by {a['by']}" if a["given"] else ""
    lo, hi = a["ci95"]
    worlds = "worlds" if a["given"] is None else f"worlds where {a['given']} happened by then"
    if a.get("weighted"):  # a conditioned run: the share and interval are weighted
        return markup_free(
            f"P({a['event']} by {a['by']}{given}) = {a['p']:.3f} [95% CI {lo:.3f}, {hi:.3f}], "
            f"weighted by the run's conditioning: {a['count']:,} of the {a['n']:,} {worlds} "
            f"kept; interval at the effective sample size {a['ess']:,.1f}"
        )
    return markup_free(
        f"P({a['event']} by {a['by']}{given}) = {a['p']:.3f} [95% CI {lo:.3f}, {hi:.3f}]: "
        f"{a['count']:,} of {a['n']:,} {worlds}"
    )
