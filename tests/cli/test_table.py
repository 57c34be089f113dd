"""The command table of ``negsim``: every command is in it, and bad input has one way out.

Every command given bad input (a file that is not there) exits with status 2 through
:func:`sim.cli.main.dispatch`, printed by :func:`sim.cli.errors.print_problems`: a label, then
one line per problem, and no traceback, even under ``--debug``.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import pytest
from rich.console import Console

from sim.cli.errors import BAD_INPUT, SHOWN_PROBLEMS, BadInput, UsageError, print_problems
from sim.cli.main import main, parser
from sim.cli.table import COMMANDS

NAMES = [command.name for command in COMMANDS]


def subcommands(top: argparse.ArgumentParser) -> list[str]:
    """The subcommands ``top`` knows, in the order ``--help`` lists them."""
    (action,) = (a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return list(action.choices)


def test_the_table_lists_every_subcommand_the_parser_knows() -> None:
    assert subcommands(parser()) == NAMES
    assert len(set(NAMES)) == len(NAMES) == 18


def missing_input(name: str, tmp_path: Path) -> list[str]:
    """The arguments of command ``name`` naming an input file (or folder) that is not there."""
    missing = str(tmp_path / "missing")
    out = str(tmp_path / "out")
    return {
        "run": ["run", missing, "--out", out],
        "validate": ["validate", missing],
        "claims": ["claims", missing],
        "evidence": ["evidence", missing],
        "explain": ["explain", missing, "--seed", "1", "--world", "0"],
        "ask": ["ask", missing, "--event", "deal", "--by", "2025-06-30"],
        "score": ["score", missing, missing, "--out", out],
        "discover": ["discover", missing, "--event", "deal", "--out", out],
        "reproduce": ["reproduce", missing, "--out", out],
        "compare": ["compare", missing],
        "condition": ["condition", missing, missing, "--out", out],
        "forecast": ["forecast", missing],
        "sweep": ["sweep", missing, "--out", out],
        "sensitivity": ["sensitivity", missing, "--out", out],
        "plot": ["plot", missing, "--out", out],
        "report": ["report", missing, "--out", str(tmp_path / "report.html")],
        "dashboard": ["dashboard", missing],
        # schema reads no input: its one bad input is an argument, refused by argparse (2)
        "schema": ["schema", "--markdown"],
    }[name]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("name", NAMES)
def test_bad_input_exits_2_with_its_problems_and_no_traceback(
    name: str, debug: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = missing_input(name, tmp_path) + (["--debug"] if debug else [])
    if name == "schema":
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == BAD_INPUT
        return
    assert main(argv) == BAD_INPUT
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    lines = err.splitlines()
    if lines[0].startswith("error: "):  # one message: on the label's line
        assert len(lines) == 1, err
    else:  # a file's problems: a label with their count, then one line each
        assert lines[0].endswith("(1 problem(s)):") and len(lines) == 2, err
        assert lines[1].startswith(f"  {tmp_path / 'missing'}"), err
    assert "missing" in lines[-1]
    assert not (tmp_path / "out").exists() and not (tmp_path / "report.html").exists()


def printed(bad: BadInput) -> list[str]:
    console = Console(file=io.StringIO(), record=True, width=40)
    print_problems(console, bad)
    return console.export_text().splitlines()


def test_a_usage_error_is_one_line() -> None:
    assert printed(UsageError("--worlds must be at least 1")) == [
        "error: --worlds must be at least 1"
    ]


def test_problems_are_listed_one_a_line_then_counted() -> None:
    problems = [
        f"f.yaml:{k}: a.very.long.field.path.indeed: bad [b]{k}[/b] :smile:" for k in range(250)
    ]
    lines = printed(BadInput("invalid scenario", problems))
    assert lines[0] == "invalid scenario (250 problem(s)):"
    assert lines[1:-1] == [f"  {p}" for p in problems[:SHOWN_PROBLEMS]]  # literal, unwrapped
    assert lines[-1] == f"  ... and {250 - SHOWN_PROBLEMS} more"
