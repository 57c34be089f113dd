"""Fuzzing the command line (issue 17): every command of sim/cli/table.py, given a bad input
among its arguments, exits 2 (argparse's refusals included) with a message, no traceback and no
ANSI escape of the user's, in this process. The arguments are read off each command's parser,
so a new command or option is fuzzed without a change here.

:data:`CLI_EXAMPLES` argument lists are tried per run (the test counts them and asserts it)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import dashboard as dashboard_command
from sim.cli.main import parser
from sim.dashboard.server import free_port
from tests.builders import BASELINE
from tests.fuzzing import assert_clean_refusal, cli

CLI_EXAMPLES = 300
"""Argument lists tried per run (docs/reliability.md quotes it)."""
SECONDS = 20
"""A guard against a hang: one command taking longer fails the test (they take milliseconds)."""

NUMBERS = ["-1", "0", "1000000000000", "9" * 30, "1e3", "nan", "", "abc", "0x10", "-0", "2.5"]
"""Values for integer options: out of range, too large, or not integers."""
WORDS = ["", "nope", "[bold]x[/]", "\x1b[31mred", "::1", "999.999.999.999", "a" * 300]
"""Values for text options (hosts, addresses, choices)."""
FLAGS = ["--nope", "-x", "--worlds=", "--", "-"]
"""Arguments no command takes."""


def commands() -> dict[str, argparse.ArgumentParser]:
    """Each command's own parser, by name."""
    top = parser()
    sub = next(a for a in top._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


COMMAND_PARSERS = commands()


def bad_paths(here: Path) -> list[str]:
    """Paths no command can read: missing, a directory, a FIFO, a device, empty, too long,
    a file of garbage, a name with markup and an escape."""
    fifo = here / "pipe"
    if not fifo.exists():
        os.mkfifo(fifo)
    garbage = here / "garbage.yaml"
    garbage.write_bytes(b"\xff\xfe: [\n\x00")
    return [
        str(here / "missing.yaml"),
        str(here),
        str(fifo),
        "/dev/zero",
        "",
        "x" * 5000,
        str(garbage),
        str(here / "[bold]\x1b[2Jmissing.yaml"),
    ]


def option_value(draw: st.DrawFn, action: argparse.Action, paths: list[str]) -> list[str]:
    """One occurrence of an option (or nothing), its value drawn from the bad pools."""
    if action.nargs == 0:
        return [action.option_strings[0]] if draw(st.booleans()) else []
    if not action.required and draw(st.booleans()):
        return []
    kind = getattr(action.type, "__name__", "")
    if action.dest == "set":
        value = draw(st.sampled_from(["x=1", "=1", "x", "calendar.start=2025-02-30", "a.b=[1"]))
    elif kind in ("int", "_port"):
        value = draw(st.sampled_from(NUMBERS) | st.integers().map(str))
    elif kind in ("Path", "nonempty_path"):
        value = draw(st.sampled_from(paths))
    else:
        value = draw(st.sampled_from([*(action.choices or []), *WORDS]))
    return [action.option_strings[0], value]


@st.composite
def bad_argvs(draw: st.DrawFn, paths: list[str]) -> list[str]:
    """A command, each positional a bad path, options drawn from the bad pools, maybe a flag
    no command takes. ``forecast`` gets no FIFO or device (its table reader is fuzzed apart)."""
    name = draw(st.sampled_from(sorted(COMMAND_PARSERS)))
    argv = [name]
    own = paths if name != "forecast" else [p for p in paths if "pipe" not in p and "/dev" not in p]
    actions = [a for a in COMMAND_PARSERS[name]._actions if a.dest not in ("help", "debug")]
    for action in actions:
        if not action.option_strings:
            argv += (
                draw(st.lists(st.sampled_from(own), min_size=1, max_size=2))[:1]
                if action.nargs in (None, "?")
                else draw(st.lists(st.sampled_from(own), min_size=1, max_size=3))
            )
        else:
            argv += option_value(draw, action, paths)
    if name == "schema":  # nothing to read: the bad input is where it writes
        argv += ["--markdown", draw(st.sampled_from(["", str(paths[1]), "/dev/null/x.md"]))]
    if draw(st.integers(0, 4)) == 0:
        argv.insert(draw(st.integers(1, len(argv))), draw(st.sampled_from(FLAGS)))
    return argv


class Hung(BaseException):
    """A command still running after :data:`SECONDS` (not an Exception: the CLI lets it out)."""


@contextmanager
def guard() -> Iterator[None]:
    def ring(signum: int, frame: Any) -> None:
        raise Hung(f"still running after {SECONDS} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_property_every_command_refuses_bad_arguments_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(dashboard_command, "serve", lambda *a, **k: pytest.fail("served"))
    paths = bad_paths(tmp_path)
    tried: list[list[str]] = []

    @settings(
        max_examples=CLI_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(bad_argvs(paths))
    def check(argv: list[str]) -> None:
        tried.append(argv)
        with guard():
            code, text = cli(argv)
        if code == 1:  # only a write that failed: the path named, nothing half-written
            assert "cannot write" in text and "Traceback" not in text, (argv, text)
            return
        assert_clean_refusal(code, text)
        assert text.strip(), argv

    check()
    assert len(tried) >= CLI_EXAMPLES
    assert {argv[0] for argv in tried} == set(COMMAND_PARSERS)  # every command was tried
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.yaml", "pipe"]


@pytest.mark.parametrize("command", ["run", "reproduce", "report", "plot", "sweep", "evidence"])
def test_an_empty_out_is_refused(
    command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--out ''`` (or ``--markdown ''``) once wrote into the current folder."""
    monkeypatch.chdir(tmp_path)
    option = "--markdown" if command == "evidence" else "--out"
    first = str(BASELINE) if command != "plot" else str(tmp_path)
    code, text = cli([command, first, option, ""])
    assert_clean_refusal(code, text, "empty path")
    assert list(tmp_path.iterdir()) == []


def test_counts_beyond_the_limits_are_refused_naming_them() -> None:
    for argv, limit in [
        (["run", str(BASELINE), "--worlds", "1000000000000"], "10,000,000"),
        (["report", str(BASELINE), "--worlds", "10000001"], "10,000,000"),
        (["compare", str(BASELINE), "--worlds", "10000001"], "10,000,000"),
        (["run", str(BASELINE), "--seed", str(2**63)], "2^63 - 1"),
        (["explain", str(BASELINE), "--seed", "1", "--world", str(10**30)], "9,999,999"),
    ]:
        code, text = cli(argv)
        assert_clean_refusal(code, text, limit)


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_the_dashboard_listens_on_ipv6_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    served = {}
    monkeypatch.setattr(dashboard_command, "dashboard_installed", lambda: True)
    monkeypatch.setattr(dashboard_command, "serve", lambda s, port, host: served.update(h=host))
    assert free_port("::1") > 0
    code, text = cli(["dashboard", "--host", "::1", "--port", "0"])
    assert code == 0 and served == {"h": "::1"}, text
    assert "http://[::1]:" in text and "warning" not in text


def test_a_host_that_cannot_be_listened_on_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard_command, "dashboard_installed", lambda: True)
    monkeypatch.setattr(dashboard_command, "serve", lambda *a: pytest.fail("served"))
    for host in ["999.999.999.999", "host.invalid", "[bold]x", ""]:
        code, text = cli(["dashboard", "--host", host, "--port", "0"])
        assert_clean_refusal(code, text, "--host")


def test_escapes_and_markup_in_a_scenario_are_printed_as_text(tmp_path: Path) -> None:
    """An actor's name and an evidence reading holding an ANSI escape and rich markup."""
    import shutil

    folder = tmp_path / "scenarios"
    shutil.copytree(BASELINE.parent, folder)
    file = folder / BASELINE.name
    text = file.read_text(encoding="utf-8")
    evil = '"\\e[31m[bold]EVIL[/bold]\\e]0;title\\a"'
    text = text.replace("    name: United States", f"    name: {evil}", 1)
    text = text.replace('reading: "', 'reading: "\\e[2J[blink]WIPED[/blink] ', 1)
    file.write_text(text, encoding="utf-8")
    for argv in (["evidence", str(file)], ["explain", str(file), "--seed", "1", "--world", "0"]):
        code, printed = cli(argv)
        assert code == 0, printed
        assert "\x1b" not in printed and "\x07" not in printed, argv
    assert "[bold]EVIL[/bold]" in cli(["explain", str(file), "--seed", "1", "--world", "0"])[1]
    assert "[blink]WIPED[/blink]" in cli(["evidence", str(file)])[1]
