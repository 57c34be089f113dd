"""Fuzzing the inputs beside scenario files (issue 17): sweep files' counts and flags, ``--set``
values and ``summary.json`` (``negsim reproduce``). Every bad input gets exit 2, a message
naming the file or the argument and the field, no traceback, no ANSI escape of the user's
reaching the terminal, and nothing written; the dangerous ones (counts of 10^12, a FIFO,
/dev/zero, 5,000 digits) are answered in a child process with a memory cap.

Each fuzz test counts the inputs it tried and asserts its floor, so none can silently run zero;
the floors add up to :data:`FLOOR` (docs/reliability.md quotes it)."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.errors import UsageError
from sim.cli.run import DECIMAL, MAX_SET_CHARS, parse_set_value
from sim.runs.ensemble import MAX_WORLDS, run
from sim.runs.output import write_run
from sim.runs.reproduce import REQUIRED
from tests.builders import BASELINE
from tests.fuzzing import assert_clean_refusal, cli

SWEEP_EXAMPLES = 250
SET_EXAMPLES = 250
SUMMARY_EXAMPLES = 200
FLOOR = SWEEP_EXAMPLES + SET_EXAMPLES + SUMMARY_EXAMPLES
"""Bad inputs the hypothesis tests of this file try per run (the corpora come on top)."""
MEMORY = 500_000_000
"""Address space (bytes) a dangerous input may add to the child that answers it."""
SECONDS = 10
"""A dangerous input answered later than this (in the child, start-up excluded) fails: a
guard against a hang, five times the 2 s the issue asks (measured: well under 1 s each)."""

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ----------------------------------------------------------------------------- sweep files

HAWKS = "actors.us_hawks.clout"
GRID = {
    "name": "fuzz",
    "base": str(BASELINE),
    "parameters": {HAWKS: {"low": 0.2, "high": 0.5, "num": 2}},
    "design": "grid",
    "worlds": 4,
    "block_size": 2,
    "seed": 1,
}
DESIGNS = {
    "samples": {"kind": "lhs", "samples": 2},
    "trajectories": {"kind": "morris", "trajectories": 2},
    "levels": {"kind": "morris", "trajectories": 2, "levels": 4},
    "second_order": {"kind": "sobol", "samples": 2, "second_order": False},
}
INT_FIELDS = {  # field: (least, most)
    "worlds": (1, 1_000_000_000),
    "seed": (0, 2**63 - 1),
    "block_size": (1, 1_000_000),
    "num": (1, 100_000),
    "samples": (1, 1_000_000),
    "trajectories": (2, 100_000),
    "levels": (2, 100),
}
BOOL_FIELDS = ("per_world", "second_order")
NOT_INTS: list[Any] = [True, False, "200", "1e3", "4", 1.0, 2.5, math.nan, math.inf, None, [], {}]
NOT_BOOLS: list[Any] = ["yes", "no", "true", "on", "off", 1, 0, 1.0, None, [], {}, "y"]


def sweep_with(field: str, value: Any) -> dict[str, Any]:
    """The sweep file ``GRID`` (or the design the field belongs to) with ``field`` set."""
    raw = copy.deepcopy(GRID)
    if field == "num":
        raw["parameters"][HAWKS]["num"] = value
    elif field in DESIGNS:
        raw["design"] = {**DESIGNS[field], field: value}
        raw["parameters"] = {HAWKS: {}}
    else:
        raw[field] = value
    return raw


def bad_int(field: str) -> st.SearchStrategy[Any]:
    least, most = INT_FIELDS[field]
    return st.one_of(
        st.sampled_from(NOT_INTS),
        st.booleans(),
        st.floats(),
        st.text(max_size=8),
        st.integers(max_value=least - 1),
        st.integers(min_value=most + 1),
        st.integers(least, most).map(str),  # '200': a number as text
    )


BAD_SWEEP_FIELDS = st.one_of(
    st.sampled_from(sorted(INT_FIELDS)).flatmap(lambda f: st.tuples(st.just(f), bad_int(f))),
    st.tuples(
        st.sampled_from(BOOL_FIELDS),
        st.sampled_from(NOT_BOOLS) | st.integers() | st.text(max_size=6) | st.floats(),
    ),
)


def refuse_sweep(raw: dict[str, Any], field: str, here: Path) -> None:
    file, out = here / "sweep.yaml", here / "out"
    file.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    code, text = cli(["sweep", str(file), "--out", str(out)])
    assert_clean_refusal(code, text, str(file), field)
    assert not out.exists()


ISSUE_SWEEPS = [
    ("worlds", True),
    ("seed", True),
    ("block_size", True),
    ("num", True),
    ("worlds", "200"),
    ("per_world", "yes"),
]
"""The sweep fields issue 17 found taken as 1, or turned into values without a word."""


@pytest.mark.parametrize(("field", "value"), ISSUE_SWEEPS)
def test_sweep_counts_and_flags_are_strict(field: str, value: Any, tmp_path: Path) -> None:
    refuse_sweep(sweep_with(field, value), field, tmp_path)


def test_property_bad_sweep_counts_and_flags_are_refused(tmp_path: Path) -> None:
    tried = []

    @settings(FUZZ, max_examples=SWEEP_EXAMPLES)
    @given(BAD_SWEEP_FIELDS)
    def check(case: tuple[str, Any]) -> None:
        field, value = case
        tried.append(case)
        refuse_sweep(sweep_with(field, value), field, Path(tempfile.mkdtemp(dir=tmp_path)))

    check()
    assert len(tried) >= SWEEP_EXAMPLES


# ------------------------------------------------------------------------------ --set values

SET_CORPUS = [
    ("calendar.start", "2025-02-30"),
    ("calendar.start", "2025-13-01"),
    ("calendar.start", "2025-00-10"),
    ("calendar.start", "0000-01-01"),
    ("calendar.start", "2025-02-29 25:00:00"),
    ("actors.israel.strike_resolve", "9" * 5000),
    ("actors.israel.strike_resolve", "-" + "1" * 4400),
    ("actors.israel.strike_resolve", "[" * 5000),
    ("actors.israel.strike_resolve", "x" * (MAX_SET_CHARS + 1)),
    ("actors.israel.strike_resolve", "&a [1, *a]"),
    ("actors.israel.strike_resolve", "[&a 1, *a]"),
    ("actors.israel.strike_resolve", "{a: 1, a: 2}"),
    ("actors.israel.strike_resolve", "[1, 2"),
    ("actors.israel.strike_resolve", "!!python/name:os.system"),
    ("actors.israel.strike_resolve", "a: b: c"),
    ("actors.israel.strike_resolve", "\t- x"),
    ("actors.israel.strike_resolve", "'unclosed"),
    ("actors.israel.strike_resolve", "!!timestamp 2025-02-30"),
    ("actors.israel.strike_resolve", "!!int 1.5"),
    ("actors.israel.strike_resolve", "!!float abc"),
]
"""``--set`` values YAML cannot read or build, through ``negsim run`` on the baseline."""


@pytest.mark.parametrize(("path", "value"), SET_CORPUS)
def test_set_values_yaml_cannot_build_are_refused(path: str, value: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, text = cli(["run", str(BASELINE), "--set", f"{path}={value}", "--out", str(out)])
    assert_clean_refusal(code, text, f"--set {path}")
    assert not out.exists()
    assert len(text) < 2000, text  # the value is shown shortened


@pytest.mark.parametrize(
    ("text", "number"),
    [("1e-1", 0.1), ("2E5", 200000.0), ("-.5e+3", -500.0), ("010", 10), ("+3", 3), (".5", 0.5)],
)
def test_set_numbers_are_read_as_the_user_means(text: str, number: float) -> None:
    value = parse_set_value("x", text)
    assert value == number and type(value) is type(number)


@pytest.mark.parametrize("text", ["1:20", "-2:30:15", "1:20.5"])
def test_a_base_60_number_is_text_not_yaml_1_1s_number(text: str) -> None:
    """YAML 1.1 reads ``1:20`` as 80: a --set value means what it shows."""
    assert parse_set_value("x", text) == text


def test_a_set_number_in_exponent_form_reaches_the_scenario() -> None:
    from sim.cli.run import parse_sets
    from sim.scenario.loader import load_scenario

    loaded = load_scenario(BASELINE, parse_sets(["actors.israel.strike_resolve=1e-1"]))
    assert loaded.scenario.actors["israel"].strike_resolve == 0.1  # type: ignore[attr-defined]


SET_VALUES = st.one_of(
    st.sampled_from([v for _, v in SET_CORPUS]),
    st.text(max_size=40),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),  # mostly dates that do not exist
    st.from_regex(r"\A[-+]?[0-9]{0,6}\.?[0-9]{0,4}([eE][-+]?[0-9]{1,4})?\Z"),
    st.integers(4290, 4400).map(lambda n: "7" * n),
    st.integers(1, 50).map(lambda n: "[" * n),
    st.lists(
        st.sampled_from(["[", "]", "{", "}", ",", ":", "&a", "*a", "!!", "'", '"', " "]),
        max_size=12,
    ).map("".join),
)


def test_property_set_values_are_read_or_refused_cleanly(tmp_path: Path) -> None:
    """Every value: exit 2 naming ``--set PATH`` if it cannot be read, else the (missing)
    scenario file's own refusal; a decimal number reads as that number."""
    tried = []
    missing = tmp_path / "missing.yaml"

    @settings(FUZZ, max_examples=SET_EXAMPLES)
    @given(SET_VALUES, st.sampled_from(["calendar.start", "actors.iran.clout", "x"]))
    def check(value: str, path: str) -> None:
        tried.append(value)
        code, text = cli(["run", str(missing), "--set", f"{path}={value}", "--out", "o"])
        try:
            parsed = parse_set_value(path, value)
        except UsageError:
            assert_clean_refusal(code, text, f"--set {path}")
            return
        assert_clean_refusal(code, text, str(missing), "file not found")
        if DECIMAL.match(value) and len(value.lstrip("+-")) <= 4300:
            plain = re.fullmatch(r"[-+]?[0-9]+", value)
            assert parsed == (int(value) if plain else float(value))

    check()
    assert len(tried) >= SET_EXAMPLES
    assert not Path("o").exists()


# ------------------------------------------------------------------------------ summary.json


@pytest.fixture(scope="module")
def summary_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run's summary.json (10 baseline worlds)."""
    out = tmp_path_factory.mktemp("run")
    write_run(run(BASELINE, worlds=10, seed=7), out)
    return out / "summary.json"


SUMMARY_FIELDS = ["seed", "worlds", "block_size", "version", "scenario_sha256", "scenario_data"]
BAD_SUMMARY_VALUES: list[Any] = [
    True,
    False,
    None,
    "",
    "7",
    1.5,
    -1,
    0,
    2**63,
    2**64,
    10**30,
    MAX_WORLDS + 1,
    [],
    {},
    [1],
    math.inf,
    -math.inf,
]


@st.composite
def bad_summaries(draw: st.DrawFn, summary: dict[str, Any]) -> tuple[str, bytes]:
    """A summary.json made invalid once: the field it breaks ("" for the file) and its bytes."""
    raw = copy.deepcopy(summary)
    action = draw(st.sampled_from(["replace", "delete", "cut", "bytes", "scenario"]))
    field = draw(st.sampled_from(SUMMARY_FIELDS))
    if action == "replace":
        value = draw(st.sampled_from(BAD_SUMMARY_VALUES) | st.text(max_size=8))
        if field in ("version", "scenario_sha256") and isinstance(value, str):
            value = None  # any text would do there
        if (
            field in ("seed", "worlds", "block_size")
            and isinstance(value, int)
            and not isinstance(value, bool)
            and (0 <= value < 2**63 if field == "seed" else 1 <= value <= MAX_WORLDS)
        ):
            value = -1 - value  # a count that is valid (seed 0, worlds 5) made invalid
        raw[field] = value
    elif action == "delete":
        del raw[field]
    elif action == "scenario":  # the embedded scenario edited, its hash not
        field = "scenario_data"
        raw["scenario_data"]["horizon"] = draw(st.integers(-5, 10**6))
    text = json.dumps(raw).encode()
    if action == "cut":
        return "", text[: draw(st.integers(0, len(text) - 2))]
    if action == "bytes":
        at = draw(st.integers(0, len(text) - 1))
        return "", text[:at] + draw(st.sampled_from([b"\xff", b"\x00", b"\x1b"])) + text[at:]
    return field, text


def test_property_bad_summaries_are_refused(summary_file: Path, tmp_path: Path) -> None:
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    tried = []

    @settings(FUZZ, max_examples=SUMMARY_EXAMPLES)
    @given(bad_summaries(summary))
    def check(case: tuple[str, bytes]) -> None:
        field, data = case
        tried.append(field)
        here = Path(tempfile.mkdtemp(dir=tmp_path))
        file, out = here / "summary.json", here / "out"
        file.write_bytes(data)
        code, text = cli(["reproduce", str(file), "--out", str(out)])
        if code == 0:  # only a field reproduce does not read was changed
            assert all(json.loads(data)[key] == summary[key] for key in REQUIRED), text
            return
        assert_clean_refusal(code, text, str(file), field)
        assert not out.exists()

    check()
    assert len(tried) >= SUMMARY_EXAMPLES


def test_markup_and_escapes_in_a_summary_are_printed_as_text(
    summary_file: Path, tmp_path: Path
) -> None:
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    summary["scenario"] = "[bold red]evil[/]\x1b[31mred\x1b]0;title\x07"
    summary["version"] = "[blink]0\x1b[2J"
    file = tmp_path / "summary.json"
    file.write_text(json.dumps(summary), encoding="utf-8")
    code, text = cli(["reproduce", str(file), "--out", str(tmp_path / "out")])
    assert code == 1, text  # the version differs: a warning
    assert "\x1b" not in text and "\x07" not in text
    assert "[bold red]evil[/]\\x1b[31mred" in text and "[blink]0\\x1b[2J" in text


# ------------------------------------------------------------- dangerous inputs, memory-capped

CHILD = """
import contextlib, io, json, os, resource, signal, sys, time
from pathlib import Path
from sim.cli.main import main
import sim.runs.reproduce, sim.runs.ensemble, pandas  # imports are not the input's cost

def ring(*_):
    raise TimeoutError("hung")

signal.signal(signal.SIGALRM, ring)
memory, seconds = int(sys.argv[1]), int(sys.argv[2])
out = []
for argv in json.loads(sys.argv[3]):
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    resource.setrlimit(resource.RLIMIT_AS, (pages * os.sysconf("SC_PAGE_SIZE") + memory, hard))
    signal.alarm(seconds)
    buffer = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            try:
                code = main(argv)
            except SystemExit as exc:
                code = exc.code
    except BaseException as exc:
        code, buffer = -1, io.StringIO(repr(exc))
    finally:
        signal.alarm(0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
    out.append({"code": code, "text": buffer.getvalue(), "seconds": time.perf_counter() - start})
print(json.dumps(out))
"""


def dangerous_cases(here: Path, summary: dict[str, Any]) -> dict[str, tuple[list[str], str]]:
    """Inputs that once took gigabytes or never ended: argv and what the refusal names."""
    fifo = here / "pipe.json"
    os.mkfifo(fifo)
    huge = here / "huge.json"
    huge.write_text(json.dumps({**summary, "worlds": 2**63 - 1}), encoding="utf-8")
    blocks = here / "blocks.json"
    blocks.write_text(json.dumps({**summary, "worlds": MAX_WORLDS, "block_size": 1}))
    out = str(here / "out")
    return {
        "worlds_10e12": (
            ["run", str(BASELINE), "--worlds", "1000000000000", "--out", out],
            "--worlds must be 1 to 10,000,000",
        ),
        "summary_worlds_2e63": (["reproduce", str(huge), "--out", out], "worlds: must be at most"),
        "summary_blocks_of_one": (["reproduce", str(blocks), "--out", out], "10,000 allowed"),
        "summary_fifo": (["reproduce", str(fifo), "--out", out], "not a regular file"),
        "summary_dev_zero": (["reproduce", "/dev/zero", "--out", out], "not a regular file"),
        "set_5000_digits": (
            ["run", str(BASELINE), "--set", "actors.iran.clout=" + "9" * 5000, "--out", out],
            "4300 digits",
        ),
        "set_nested": (["run", str(BASELINE), "--set", "x=" + "[" * 9000, "--out", out], "--set x"),
        "seed_huge": (["run", str(BASELINE), "--seed", "9" * 4000, "--out", out], "--seed"),
    }


def test_dangerous_inputs_are_refused_fast_in_bounded_memory(
    summary_file: Path, tmp_path: Path
) -> None:
    summary = json.loads(summary_file.read_text(encoding="utf-8"))
    cases = dangerous_cases(tmp_path, summary)
    argvs = [argv for argv, _ in cases.values()]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(MEMORY), str(SECONDS), json.dumps(argvs)],
        capture_output=True,
        text=True,
        timeout=SECONDS * len(cases) + 60,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    for (name, (_, fragment)), result in zip(cases.items(), results, strict=True):
        assert_clean_refusal(result["code"], result["text"], fragment)
        assert result["seconds"] < SECONDS, (name, result)
    assert not (tmp_path / "out").exists()
