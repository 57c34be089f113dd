"""The command line's bad input: its exit status, its one error type and the one way to print it.

Every command raises :class:`BadInput` (or lets a domain error of the layers below propagate:
:func:`sim.cli.main.dispatch` turns it into one); ``negsim`` prints it with
:func:`print_problems` and exits with :data:`BAD_INPUT`.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from sim.analysis.tables import printable

BAD_INPUT = 2
"""Exit status of every command given bad input (a file, a field or an argument)."""
SHOWN_PROBLEMS = 100
"""Problems printed for one bad input; the rest are counted (a file may hold 200,000)."""


class BadInput(Exception):
    """Bad input to a command: a short label (``invalid scenario``) and every problem found.

    Each problem is one line, ``file:line: field: message`` where the input has them.
    """

    def __init__(self, label: str, problems: Sequence[object]):
        self.label = label
        self.problems = [str(p) for p in problems]
        super().__init__("\n".join(self.problems))


class UsageError(BadInput):
    """One bad argument or setting, said in one message (``--worlds must be at least 1``)."""

    def __init__(self, message: str):
        super().__init__("error", [message])


def print_problems(err: Console, bad: BadInput) -> None:
    """Print a bad input: its label, then each problem on its own line (the first 100).

    A :class:`UsageError` is one line, ``error: message``; the problems of a file come under
    a count, ``invalid scenario (3 problem(s)):``, one per line. Labels and problems are the
    user's text (paths, cell values): never read as markup or emoji codes, never wrapped,
    its control characters shown (:func:`printable`).
    """
    if isinstance(bad, UsageError):
        text = f"[bold red]{markup_free(bad.label)}:[/] {markup_free(bad.problems[0])}"
        err.print(text, emoji=False, highlight=False, soft_wrap=True)
        return
    head = f"[bold red]{markup_free(bad.label)}[/] ({len(bad.problems)} problem(s)):"
    err.print(head, emoji=False, highlight=False, soft_wrap=True)
    for problem in bad.problems[:SHOWN_PROBLEMS]:
        err.print(
            f"  {printable(problem)}", markup=False, emoji=False, highlight=False, soft_wrap=True
        )
    if len(bad.problems) > SHOWN_PROBLEMS:
        err.print(f"  ... and {len(bad.problems) - SHOWN_PROBLEMS:,} more", highlight=False)


def nonempty_path(text: str) -> Path:
    """An argument naming a file or directory to write; ``''`` is refused.

    ``Path('')`` is the current folder, which ``--out ''`` never means.
    """
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path names no file or directory")
    return Path(text)


def markup_free(text: object) -> str:
    """User text to put inside rich markup: :func:`printable`, its ``[...]`` escaped."""
    return escape(printable(text))
