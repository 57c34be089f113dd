"""Helpers shared by the fuzz suites of hostile input (tests/runs/test_fuzz_inputs.py and
tests/cli/test_fuzz_cli.py): run ``negsim`` in this process, and check a refusal is clean."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence

from sim.cli.main import main


def cli(argv: Sequence[str]) -> tuple[int, str]:
    """``negsim ARGV`` in this process: its exit status and everything it printed.

    An argument argparse refuses ends in ``SystemExit(2)``: its status is returned too.
    """
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, buffer.getvalue()


def assert_clean_refusal(code: int, text: str, *names: str) -> None:
    """Exit 2, no traceback, no raw ESC (an ANSI escape reaching the terminal), and each of
    ``names`` (the file, the field, the argument) in the message."""
    assert code == 2, text
    assert "Traceback" not in text, text
    assert "\x1b" not in text, text
    for name in names:
        assert name in text, (name, text)
