"""``negsim score RUN QUESTIONS.yaml [--reference base-rates|uniform|RUN2] [--out DIR] [--json]``.

Scores a finished run's answers to resolved questions (:mod:`sim.runs.scoring`): the Brier and
log scores per question and overall, the skill against a reference forecast, and with ``--out``
``score.json`` and the reliability diagram (``reliability.png`` and ``.svg``). The questions
file is checked against the run (and a reference run) before anything is computed or written
(:func:`sim.scenario.questions.load_questions`). docs/forecasting.md ("Scoring forecasts").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.cli.ask import read_run, run_weights
from sim.cli.errors import UsageError, nonempty_path
from sim.cli.run import print_wide


def add_score_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim score RUN QUESTIONS [--reference R] [--out DIR] [--json]``."""
    p.add_argument("run", type=Path, metavar="RUN", help="a run's output directory")
    p.add_argument("questions", type=Path, metavar="QUESTIONS", help="a questions file (YAML)")
    p.add_argument(
        "--reference",
        default="base-rates",
        metavar="base-rates|uniform|RUN2",
        help="the reference forecast: the share of questions resolved true (default), 0.5, "
        "or another run's answers",
    )
    p.add_argument(
        "--out", type=nonempty_path, metavar="DIR", help="write score.json and reliability.png"
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (plain stdout) instead"
    )


def _askable(run: Path, summary: dict[str, Any], spec: Any) -> Any:
    from sim.mechanisms.outcomes import TOTALS
    from sim.scenario.questions import Askable

    events = (*summary.get("event_types", []), *TOTALS)
    return Askable(f"the run {run}", events, spec.calendar.start, spec.step_to_date(spec.horizon))


def _load(run: Path) -> tuple[Any, Any]:
    """A run's events (:class:`~sim.runs.scoring.RunEvents`) and what it can answer."""
    from sim.runs.scoring import RunEvents

    summary, spec, events = read_run(run)
    weights = run_weights(run)  # a conditioned run's (negsim condition), else None
    return RunEvents(events, spec, int(summary["worlds"]), weights), _askable(run, summary, spec)


def score_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim score``: check everything, score, print; with ``--out`` write the files."""
    from sim.runs import scoring
    from sim.scenario.questions import load_questions

    run, askable = _load(args.run)
    reference: Any = args.reference
    runs = [askable]
    if reference not in scoring.REFERENCES:
        if not Path(reference).exists():
            raise UsageError(
                f"--reference '{reference}' is neither {' nor '.join(scoring.REFERENCES)} "
                "nor a run directory"
            )
        other, other_askable = _load(Path(reference))
        runs.append(other_askable)
    questions = load_questions(args.questions, runs)
    found = scoring.answers(run, questions)
    if reference not in scoring.REFERENCES:
        reference = scoring.answers(other, questions)
    card = scoring.score(questions, found, reference, args.reference)
    card = {"run": str(args.run), "questions_file": str(args.questions), **card}
    text = json.dumps(card, allow_nan=False) + "\n"
    if args.out is not None:
        _write(args.out, card, text)
    if args.json:
        console.file.write(text)
        console.file.flush()
        return 0
    print_wide(console, _table(card))
    console.print(Text(_overall_line(card)), soft_wrap=True)
    if args.out is not None:
        console.print(Text(f"wrote {args.out / 'score.json'}, {args.out / 'reliability.png'}"))
    return 0


def _write(out: Path, card: dict[str, Any], text: str) -> None:
    """The figure (PNG and SVG), then score.json last, each written atomically."""
    from sim.analysis.plots.common import save_figure
    from sim.analysis.plots.reliability import plot_reliability
    from sim.runs.output import write_text_atomic

    out.mkdir(parents=True, exist_ok=True)
    (out / "score.json").unlink(missing_ok=True)
    save_figure(
        plot_reliability(card, f"Reliability: {Path(card['run']).name}"), out / "reliability"
    )
    write_text_atomic(out / "score.json", text)


def _number(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _table(card: dict[str, Any]) -> Table:
    """One row per question: the forecast, what happened, the scores and the reference's."""
    table = Table(
        title=f"scores of {card['run']} (lower is better; log clipped at {card['log_clip']})"
    )
    for name in ("id", "question", "p", "worlds", "resolved", "Brier", "log", "ref p"):
        table.add_column(name, justify="left" if name in ("id", "question") else "right")
    for q in card["questions"]:
        table.add_row(
            Text(q["id"]),
            Text(q["question"]),
            _number(q["p"]) if q["scored"] else "no forecast",
            f"{q['count']:,}/{q['n']:,}",
            "true" if q["resolution"] else "false",
            _number(q.get("brier")),
            _number(q.get("log")),
            _number(q.get("reference_p")),
        )
    return table


def _overall_line(card: dict[str, Any]) -> str:
    """``12 questions scored: Brier 0.081 (reference 0.188, skill 0.57); log ...``."""
    o, ref = card["overall"], card["reference"]
    parts = [
        f"{name} {_number(o[key])} (reference {_number(o[f'reference_{key}'])}, "
        f"skill {_number(o[f'{key}_skill'], 2)})"
        for name, key in (("Brier", "brier"), ("log", "log"))
    ]
    skipped = len(card["questions"]) - card["scored"]
    unscored = f" ({skipped} without a forecast)" if skipped else ""
    return (
        f"{card['scored']} question(s) scored{unscored}: {'; '.join(parts)}; "
        f"reference: {ref['label']}"
    )
