"""Tables for people: the evidence table, a run's outcomes and the comparison of scenarios."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from sim.mechanisms.outcomes import LABELS, OUTCOMES, STATES, TOTALS
from sim.scenario.evidence import SourceRow
from sim.scenario.overrides import run_label

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters but tab and newline: ESC starts an ANSI escape that would drive the
terminal (colours, the title, the cursor), so user text never prints one as it is."""


def printable(text: object) -> str:
    """User text (a name, a quote, a file's line) safe to print to a terminal.

    Control characters but tab and newline are shown escaped (ESC as backslash-x1b), so an
    ANSI escape in an actor's name or a summary's field is seen, never obeyed.
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _user(text: str) -> Text:
    """A cell of user text: its control characters shown, its ``[...]`` never read as markup."""
    return Text(printable(text))


def _number(x: float) -> str:
    return f"{x:.4g}"


def _range(row: SourceRow) -> str:
    return "—" if row.low == row.high else f"[{_number(row.low)}, {_number(row.high)}]"


def _support(row: SourceRow) -> tuple[str, str]:
    if row.kind == "evidence":
        return f"“{row.quote}” ({row.seed[:3]})", row.reading
    if row.kind == "assumption":
        return "—", f"assumption: {row.reading}"
    return "—", "MISSING: no evidence and no assumption"


def evidence_table(rows: Sequence[SourceRow], title: str) -> Table:
    """The evidence table as a rich table: actor, parameter, value, range, quote, reading."""
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("actor", overflow="fold", ratio=2)
    table.add_column("parameter", overflow="fold", ratio=3)
    table.add_column("value", justify="right", ratio=1)
    table.add_column("range", ratio=2)
    table.add_column("quote", overflow="fold", ratio=6)
    table.add_column("reading", overflow="fold", ratio=5)
    for row in rows:
        quote, reading = _support(row)
        table.add_row(
            _user(row.owner),
            _user(row.parameter),
            _number(row.value),
            _range(row),
            _user(quote),
            _user(reading),
        )
    return table


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def evidence_markdown(rows: Sequence[SourceRow], title: str) -> str:
    """The evidence table as Markdown (seed files named in full)."""
    lines = [
        f"# {title}",
        "",
        "| actor | parameter | value | range | quote | seed | reading |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        quote = f"“{row.quote}”" if row.kind == "evidence" else "—"
        reading = row.reading if row.kind != "assumption" else f"assumption: {row.reading}"
        if row.kind == "missing":
            reading = "MISSING: no evidence and no assumption"
        cells = [
            row.owner,
            row.parameter,
            _number(row.value),
            _range(row),
            quote,
            row.seed or "—",
            reading,
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _estimate(outcome: dict[str, Any]) -> str:
    lo, hi = outcome["ci95"]
    return f"{outcome['p']:.3f} [{lo:.3f}, {hi:.3f}]"


def comparison_columns(summaries: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """The comparison's columns: a label and one cell per scenario (p [95% CI]).

    The outcomes, then the sums of :data:`sim.mechanisms.outcomes.TOTALS` (Israeli-initiated
    strikes, all strikes), from each summary's ``outcomes`` and ``totals`` (a summary's
    ``by`` replaces both with the probabilities by a date: :func:`sim.runs.ensemble.by_date`).
    """
    columns = [
        (LABELS[k], [_estimate(_part(s, "outcomes")[k]) for s in summaries]) for k in OUTCOMES
    ]
    if all(k in _part(s, "totals") for s in summaries for k in TOTALS):
        columns += [
            (text, [_estimate(_part(s, "totals")[k]) for s in summaries])
            for k, (text, _) in TOTALS.items()
        ]
    if all(s.get("by") for s in summaries):
        columns.append(
            ("No outcome yet", [_estimate(s["by"]["no_outcome_yet"]) for s in summaries])
        )
    return columns


def _part(summary: dict[str, Any], key: str) -> dict[str, Any]:
    by = summary.get("by")
    return dict((by if by is not None else summary).get(key) or {})


def comparison_title(summaries: Sequence[dict[str, Any]]) -> str:
    """The comparison's title: worlds, seed and, for probabilities by a date, the date."""
    first = summaries[0]
    by = first.get("by")
    when = f"; outcomes by {by['date']} (step {by['step']})" if by else ""
    return f"{first['worlds']:,} worlds per scenario, seed {first['seed']}{when}"


def comparison_table(summaries: Sequence[dict[str, Any]]) -> Table:
    """One column per scenario, headed by its label (the scenario and its overrides).

    One row per outcome (then their sums): its probability and 95% Wilson interval.
    """
    table = Table(title=Text(comparison_title(summaries)))
    columns = comparison_columns(summaries)
    table.add_column("outcome", min_width=max(len(head) for head, _ in columns))
    for s in summaries:
        width = max(len(cells[0]) for _, cells in columns)
        table.add_column(Text(run_label(s), justify="right"), justify="right", min_width=width)
    for k, (head, cells) in enumerate(columns):
        table.add_row(head, *cells, end_section=k == len(OUTCOMES) - 1)
    return table


def comparison_markdown(summaries: Sequence[dict[str, Any]]) -> str:
    """The comparison as a Markdown table (p [95% CI] per outcome, then the sums)."""
    columns = comparison_columns(summaries)
    head = "| scenario | " + " | ".join(h for h, _ in columns) + " |"
    rule = "| --- |" + " --- |" * len(columns)
    body = [
        f"| {_cell(run_label(s))} | " + " | ".join(cells[row] for _, cells in columns) + " |"
        for row, s in enumerate(summaries)
    ]
    return "\n".join([head, rule, *body]) + "\n"


def outcome_cells(summary: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """The cells of the run table, formatted as ``negsim run`` prints them.

    One row per outcome, in order, then one per sum of outcomes (:data:`TOTALS`) the summary
    has: its key, p, the 95% CI, the count, the median step and date.
    """
    rows = []
    parts = [(name, summary["outcomes"][name]) for name in OUTCOMES]
    parts += [(key, summary["totals"][key]) for key in TOTALS if key in summary.get("totals", {})]
    for name, o in parts:
        lo, hi = o["ci95"]
        median = "—" if o["median_step"] is None else f"{o['median_step']:g}"
        date = o["median_date"] or "—"
        rows.append(
            (name, f"{o['p']:.3f}", f"[{lo:.3f}, {hi:.3f}]", f"{o['count']:,}", median, date)
        )
    return rows


def state_cells(summary: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The cells of the run's state table (``negsim run``'s second view), one row per state.

    Each state at the horizon (:data:`~sim.mechanisms.outcomes.STATES`, in order): its key, p,
    the 95% CI and the count.
    """
    rows = []
    for name in STATES:
        s = summary["states"][name]
        lo, hi = s["ci95"]
        rows.append((name, f"{s['p']:.3f}", f"[{lo:.3f}, {hi:.3f}]", f"{s['count']:,}"))
    return rows


def outcome_markdown(summary: dict[str, Any]) -> str:
    """A run's outcome table as Markdown: the columns ``negsim run`` prints."""
    lines = [
        "| outcome | p | 95% CI | count | median step | median date |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        "| " + " | ".join((row_label(name), *cells)) + " |"
        for name, *cells in outcome_cells(summary)
    ]
    return "\n".join(lines) + "\n"


def row_label(key: str) -> str:
    """The label of a row of the run table: an outcome's, or a sum's (:data:`TOTALS`)."""
    return TOTALS[key][0] if key in TOTALS else LABELS[key]
