"""Tables for people: the evidence table, a run's outcomes and the comparison of scenarios."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text

from sim.mechanisms.outcomes import LABELS, OUTCOMES
from sim.scenario.evidence import SourceRow

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


def comparison_table(summaries: Sequence[dict[str, Any]]) -> Table:
    """One row per scenario: each outcome's probability and 95% Wilson interval."""
    first = summaries[0]
    table = Table(title=f"{first['worlds']:,} worlds per scenario, seed {first['seed']}")
    table.add_column("scenario")
    for name in OUTCOMES:
        table.add_column(LABELS[name], justify="right")
    for s in summaries:
        table.add_row(s["scenario"], *(_estimate(s["outcomes"][k]) for k in OUTCOMES))
    return table


def comparison_markdown(summaries: Sequence[dict[str, Any]]) -> str:
    """The comparison as a Markdown table (p [95% CI] per outcome)."""
    head = "| scenario | " + " | ".join(LABELS[k] for k in OUTCOMES) + " |"
    rule = "| --- |" + " --- |" * len(OUTCOMES)
    body = [
        f"| {s['scenario']} | " + " | ".join(_estimate(s["outcomes"][k]) for k in OUTCOMES) + " |"
        for s in summaries
    ]
    return "\n".join([head, rule, *body]) + "\n"


def outcome_cells(summary: dict[str, Any]) -> list[tuple[str, str, str, str, str, str]]:
    """The cells of the run table, formatted as ``negsim run`` prints them.

    One row per outcome, in order: its key, p, the 95% CI, the count, the median step and date.
    """
    rows = []
    for name in OUTCOMES:
        o = summary["outcomes"][name]
        lo, hi = o["ci95"]
        median = "—" if o["median_step"] is None else f"{o['median_step']:g}"
        date = o["median_date"] or "—"
        rows.append(
            (name, f"{o['p']:.3f}", f"[{lo:.3f}, {hi:.3f}]", f"{o['count']:,}", median, date)
        )
    return rows


def outcome_markdown(summary: dict[str, Any]) -> str:
    """A run's outcome table as Markdown: the columns ``negsim run`` prints."""
    lines = [
        "| outcome | p | 95% CI | count | median step | median date |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        "| " + " | ".join((LABELS[name], *cells)) + " |" for name, *cells in outcome_cells(summary)
    ]
    return "\n".join(lines) + "\n"
