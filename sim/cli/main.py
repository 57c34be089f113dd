"""The ``negsim`` command line: a thin layer over :mod:`sim`.

Exit status: 0 success; 2 bad input (every problem listed, no traceback); 1 any other failure
(``--debug`` shows the traceback). The commands are the rows of :data:`sim.cli.table.COMMANDS`;
:func:`dispatch` is the one place their bad input becomes exit status 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from rich.console import Console

from sim.analysis.sensitivity import SensitivityError
from sim.cli.errors import (
    BAD_INPUT,
    BadInput,
    UsageError,
    markup_free,
    print_problems,
    printable,
)
from sim.cli.table import COMMANDS, Command
from sim.runs.forecast import ActorTableError
from sim.runs.sweeps.backends import BackendError
from sim.runs.sweeps.store import OutputDirError
from sim.scenario.loader import ScenarioError

MESSAGE_ERRORS: tuple[type[Exception], ...] = (
    BackendError,
    OutputDirError,
    SensitivityError,
)
"""Domain errors that are bad input said in one message (an impossible backend, an output
directory holding another sweep, a design without sensitivity indices)."""


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its refusals' control characters shown escaped.

    Its refusals quote the arguments: one holding an ANSI escape must not drive the terminal.
    """

    def error(self, message: str) -> NoReturn:
        """Print the usage and ``message`` (its control characters shown), exit status 2."""
        super().error(printable(message))


def parser() -> argparse.ArgumentParser:
    """The parser of ``negsim``: one sub-parser per row of the command table."""
    top = _Parser(
        prog="negsim",
        description="Agent-based negotiation simulator: the 2025 US-Iran nuclear talks.",
    )
    common = _Parser(add_help=False)
    common.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    common.add_argument("-v", "--verbose", action="store_true", help="log each override applied")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in COMMANDS:
        p = sub.add_parser(
            command.name, parents=[common], help=command.help, description=command.description
        )
        command.add_arguments(p)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``negsim`` console script."""
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    if args.verbose:  # only our own loggers: Mesa logs every step at INFO
        logging.getLogger("sim").setLevel(logging.INFO)
    return dispatch(args, Console())


def command_named(name: str) -> Command:
    """The row of the command table called ``name``."""
    return next(c for c in COMMANDS if c.name == name)


def dispatch(args: argparse.Namespace, console: Console) -> int:
    """Run the command ``args`` names, printing to ``console``; return its exit status.

    Bad input, whatever layer finds it, is printed by :func:`~sim.cli.errors.print_problems`
    with status 2 and no traceback, even under ``--debug``; an interruption is 130; any other
    failure is one line and status 1 (``--debug`` raises it instead).
    """
    err = Console(stderr=True)
    try:
        return command_named(args.command).run(args, console)
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    except Exception as exc:
        bad = bad_input(exc)
        if bad is not None:
            print_problems(err, bad)
            return BAD_INPUT
        if args.debug:
            raise
        _print_failure(err, exc)
        return 1


def bad_input(exc: Exception) -> BadInput | None:
    """The bad input ``exc`` reports, as the command line's one error type; None if not any."""
    if isinstance(exc, BadInput):
        return exc
    if isinstance(exc, ScenarioError):  # scenario, sweep and summary files
        return BadInput(exc.label, exc.problems)
    if isinstance(exc, ActorTableError):
        return BadInput(
            f"invalid actor table {exc.path}", [f"{exc.path}: {p}" for p in exc.problems]
        )
    if isinstance(exc, MESSAGE_ERRORS):
        return UsageError(str(exc))
    return None


def _print_failure(err: Console, exc: Exception) -> None:
    """One line for a failure that is not bad input: what failed, and nothing presented done."""
    if isinstance(exc, OSError):
        where = f" {markup_free(exc.filename)}" if exc.filename else ""
        err.print(
            f"[bold red]error:[/] cannot write{where}: {markup_free(exc.strerror or exc)}; "
            "no results were presented as complete",
            highlight=False,
            soft_wrap=True,
        )
        return
    err.print(
        f"[bold red]error:[/] {type(exc).__name__}: {markup_free(exc)}  (rerun with --debug)",
        soft_wrap=True,
    )


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
