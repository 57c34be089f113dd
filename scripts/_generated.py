"""The one ``--check``-or-write step of the scripts that generate parts of the documents."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path


def check_or_write(
    doc: Path,
    old: str,
    new: str,
    *,
    label: str,
    command: str,
    check: bool,
    after: Callable[[], object] | None = None,
) -> int:
    """Compare (``check``) or write ``new`` over ``doc``'s text ``old``; the script's exit status.

    With ``check``: 0 when ``new`` equals ``old``, else 1 with the command that regenerates it.
    Without: write ``new``, then run ``after`` (redraw a figure) and print what was done.
    """
    if check:
        if new != old:
            print(f"{label} out of date: python {command}")
            return 1
        print(f"{label} up to date")
        return 0
    doc.write_text(new, encoding="utf-8")
    if after is not None:
        after()
    print(f"{label} rewritten" + ("; figure redrawn" if after is not None else ""))
    return 0


def fill_block(text: str, marker: str, new: str, doc: str) -> str:
    """``text`` with the block between ``<!-- marker -->`` and ``<!-- /marker -->`` replaced."""
    pattern = re.compile(rf"(<!-- {marker} -->\n).*?(<!-- /{marker} -->)", flags=re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{doc} has no <!-- {marker} --> block")
    return pattern.sub(lambda m: m.group(1) + new + m.group(2), text)
