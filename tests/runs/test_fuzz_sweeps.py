"""Fuzzing sweep files through ``negsim sweep``: every bad sweep file gets exit 2, a message
naming the file, no traceback and nothing written to the output directory, in bounded time and
memory; a mutant that is still valid runs (tiny) to completion."""

from __future__ import annotations

import contextlib
import copy
import io
import math
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.main import main
from sim.runs.sweeps import load_sweep
from sim.runs.sweeps.spec import design_size
from tests.builders import BASELINE

FUZZ_EXAMPLES = 40
"""Examples of the mutation fuzz test in CI (docs/reliability.md quotes this number)."""
WORLDS_BUDGET = 64
"""A valid mutant is run only if it has at most this many worlds in all (points x worlds)."""
MEMORY_LIMIT = 1_500_000_000
"""Address-space limit (bytes) of the ``negsim sweep`` child that reads the dangerous files."""
CHILD_SECONDS = 30
"""A dangerous file must be refused within this many seconds (start-up included)."""
IN_PROCESS_SECONDS = 60
"""Longest a file may take in this process (a tiny valid mutant runs in about a second)."""

HAWKS = "actors.us_hawks.clout"
RESOLVE = "actors.israel.strike_resolve"
GRID: dict[str, Any] = {
    "name": "fuzz",
    "base": "BASE",
    "parameters": {HAWKS: {"low": 0.2, "high": 0.5, "num": 2}, RESOLVE: {"values": [-0.1, 0.1]}},
    "design": "grid",
    "worlds": 4,
    "block_size": 2,
    "seed": 1,
}
VALID: list[dict[str, Any]] = [
    GRID,
    {**GRID, "design": {"kind": "lhs", "samples": 3}, "parameters": {HAWKS: {}, RESOLVE: {}}},
    {**GRID, "design": {"kind": "sobol", "samples": 2}, "parameters": {HAWKS: {}}},
    {**GRID, "design": {"kind": "morris", "trajectories": 2}, "parameters": {HAWKS: {}}},
    {**GRID, "design": {"kind": "rows", "rows": [{HAWKS: 0.3}, {HAWKS: 0.4}]}, "parameters": {}},
]
"""Valid sweep files (``BASE`` stands for the base scenario), one per design: the seeds."""

WEIRD_VALUES: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    "",
    "x",
    None,
    True,
    [],
    {},
    [1, 2],
    -1,
    0,
    2**70,
    1.5,
    "..",
    "/abs",
    {"dist": "uniform", "low": 1, "high": 0},
    {"dist": "gamma"},
    100_000,
    10**9,
]
UNKNOWN_PATHS = [
    "actors.us_hawks.clot",
    "actors.nobody.clout",
    "horizon",
    "protocol.proposal_rule",
    "",
    f"{HAWKS}.value",
    "actors",
    "a" * 300,
]
BAD_DESIGNS: list[Any] = [
    "",
    "grd",
    "SOBOL",
    3,
    None,
    [],
    {"kind": "lhs"},
    {"kind": "lhs", "samples": 0},
    {"kind": "sobol", "samples": 3},
    {"kind": "sobol", "samples": 2**40},
    {"kind": "morris", "trajectories": 1},
    {"kind": "morris", "trajectories": 2, "levels": 3},
    {"kind": "rows", "rows": []},
    {"kind": "rows", "rows": [{}]},
    {"kind": "rows", "rows": [{HAWKS: 0.3}, {RESOLVE: 0.0}]},
    {"kind": "grid", "extra": 1},
    {"kind": "lhs", "samples": 200_000},
]
BAD_BASES = [
    "",
    "missing.yaml",
    "/nonexistent/dir/base.yaml",
    "SELF",  # the sweep file itself: a circular base
    "OTHER_SWEEP",  # another (valid) sweep file
    "DIR",  # a directory
    "FIFO",  # a named pipe: reading it would block forever
    "/dev/zero",  # reading it would never end
    "base\x00.yaml",
    "x" * 5000,  # a name too long for the file system
]
SYNTAX_BREAKERS = ["\t", ": :", "[", "{", "&a", "*nope", "!!python/object:os.system", "'", "- "]


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key or index path in a nested mapping."""
    out: list[tuple[Any, ...]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out.extend(paths(value, (*prefix, key)))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            out.append((*prefix, k))
            out.extend(paths(value, (*prefix, k)))
    return out


def parent_of(raw: dict[str, Any], path: tuple[Any, ...]) -> Any:
    node: Any = raw
    for key in path[:-1]:
        node = node[key]
    return node


@st.composite
def mutants(draw: st.DrawFn) -> tuple[dict[str, Any], str | None]:
    """A valid sweep file mutated once; with a YAML syntax error, the text to write instead."""
    raw = copy.deepcopy(draw(st.sampled_from(VALID)))
    action = draw(
        st.sampled_from(
            ["replace", "delete", "unknown", "path", "design", "base", "syntax", "huge"]
        )
    )
    if action in ("replace", "delete", "unknown"):
        path = draw(st.sampled_from(paths(raw)))
        parent, last = parent_of(raw, path), path[-1]
        if action == "replace":
            parent[last] = draw(
                st.sampled_from(WEIRD_VALUES)
                | st.floats(allow_nan=True, allow_infinity=True)
                | st.integers(-(2**70), 2**70)
                | st.text(max_size=12)
            )
        elif action == "delete":
            del parent[last]
        elif isinstance(parent, dict):
            parent[f"{last}_typo"] = 1
    elif action == "path":
        params = raw["parameters"] or raw["design"]["rows"][0]
        old = draw(st.sampled_from(sorted(params)))
        params[draw(st.sampled_from(UNKNOWN_PATHS))] = params.pop(old)
    elif action == "design":
        raw["design"] = draw(st.sampled_from(BAD_DESIGNS))
    elif action == "base":
        raw["base"] = draw(st.sampled_from(BAD_BASES))
    elif action == "huge":
        if draw(st.booleans()) or not raw["parameters"]:
            raw.update(worlds=10**9, block_size=1)
        else:
            raw["parameters"] = {
                p: {"low": 0.1, "high": 0.2, "num": 100_000}
                for p in (HAWKS, RESOLVE, "actors.us_doves.clout")
            }
            raw["design"] = "grid"
    if action != "syntax":
        return raw, None
    text = yaml.safe_dump(raw, sort_keys=False)
    at = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return raw, text[:at]  # cut short
    return raw, text[:at] + draw(st.sampled_from(SYNTAX_BREAKERS)) + text[at:]


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the scenarios (others may edit the real ones while the tests run)."""
    folder = tmp_path_factory.mktemp("base") / "scenarios"
    shutil.copytree(BASELINE.parent, folder)
    return folder / BASELINE.name


def materialise(raw: dict[str, Any], here: Path, base: Path) -> dict[str, Any]:
    """Replace the placeholders of ``base:`` by real paths (files made in ``here``)."""
    raw = copy.deepcopy(raw)
    value = raw.get("base")
    if value == "BASE":
        raw["base"] = str(base)
    elif value == "SELF":
        raw["base"] = "sweep.yaml"
    elif value == "OTHER_SWEEP":
        other = here / "other.yaml"
        other.write_text(yaml.safe_dump({**GRID, "base": str(base)}), encoding="utf-8")
        raw["base"] = str(other)
    elif value == "DIR":
        raw["base"] = str(here)
    elif value == "FIFO":
        os.mkfifo(here / "pipe.yaml")
        raw["base"] = "pipe.yaml"
    return raw


class Hung(BaseException):
    """Raised in a test that ran past its time (a BaseException: the CLI does not catch it)."""


@contextlib.contextmanager
def bounded(seconds: int = IN_PROCESS_SECONDS, memory: int = MEMORY_LIMIT) -> Iterator[None]:
    """Run the body in this process with ``memory`` more bytes of address space and a timer.

    A regression (a base of /dev/zero read to the end, a FIFO read forever, a design listed in
    full) then fails the test with MemoryError or :class:`Hung` instead of taking the machine's
    memory (the OOM killer) or the CI job's time.
    """

    def ring(signum: int, frame: Any) -> None:
        raise Hung(f"still running after {seconds} s")

    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    pages = int(Path("/proc/self/statm").read_text().split()[0])
    mapped = pages * os.sysconf("SC_PAGE_SIZE")
    previous = signal.signal(signal.SIGALRM, ring)
    resource.setrlimit(resource.RLIMIT_AS, (mapped + memory, hard))
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        signal.signal(signal.SIGALRM, previous)


def run_sweep_cli(args: list[str]) -> tuple[int, str]:
    """``negsim sweep ...`` in this process (bounded); its exit status and everything printed."""
    buffer = io.StringIO()
    with bounded(), contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
        code = main(["sweep", *args])
    return code, buffer.getvalue()


def small_enough(path: Path) -> bool | None:
    """Whether a valid sweep file is small enough to run here (None: it is not valid)."""
    try:
        with bounded():
            sweep = load_sweep(path)
    except Exception:
        return None
    return design_size(sweep.spec) * sweep.spec.worlds <= WORLDS_BUDGET


def assert_refused(code: int, text: str, file: Path, out: Path) -> None:
    """Exit 2, the file named, no traceback, nothing written."""
    assert code == 2, text
    assert str(file) in text, text
    assert "Traceback" not in text, text
    assert not out.exists(), text


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutants())
def test_property_mutated_sweep_files_fail_cleanly(
    base: Path, tmp_path: Path, mutant: tuple[dict[str, Any], str | None]
) -> None:
    raw, text = mutant
    here = Path(tempfile.mkdtemp(dir=tmp_path))
    file, out = here / "sweep.yaml", here / "out"
    raw = materialise(raw, here, base)
    if text is None:
        text = yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    else:
        text = text.replace("BASE", str(base))
    file.write_text(text, encoding="utf-8")
    if small_enough(file) is False:
        return  # valid, and too large to run in a test: its validation was the point
    code, printed = run_sweep_cli([str(file), "--out", str(out)])
    if code == 0:
        assert (out / "sweep.json").is_file() and (out / "points.parquet").is_file()
        assert small_enough(file), "exit 0 for a file that does not validate"
    else:
        assert_refused(code, printed, file, out)


ALIAS_BOMB = (
    b"name: x\nbase: &a [x, x, x, x, x, x, x, x, x]\ndescription: &b [*a, *a, *a, *a, *a, *a, *a]\n"
    b"seed: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nworlds: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
    b"block_size: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nper_world: &f [*e, *e, *e, *e, *e, *e]\n"
    b"parameters: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\ndesign: [*g, *g, *g, *g, *g, *g, *g]\n"
)
"""A "billion laughs": 800 bytes that expand to about 10^8 nodes."""


def sweep_text(base: Path, **changes: Any) -> bytes:
    """The grid sweep file on ``base``, with some fields changed."""
    return yaml.safe_dump({**GRID, "base": str(base), **changes}, sort_keys=False).encode()


BAD_FILES: dict[str, Any] = {
    "python_tag": b"name: !!python/object/apply:os.system ['touch PWNED']\ndesign: grid\n",
    "python_tag_base": b"name: x\nbase: !!python/object/apply:os.system ['touch PWNED']\n"
    b"design: grid\n",
    "not_utf8": b"name: \xff\xfe\x00bad\ndesign: grid\n",
    "empty": b"",
    "only_a_comment": b"# nothing here\n",
    "top_list": b"- design\n- grid\n",
    "syntax": b"name: x\ndesign: {kind: grid\n",
    "tab_indent": b"name: x\ndesign:\n\tkind: grid\n",
    "duplicate_key": b"name: x\nname: y\ndesign: grid\n",
    "a_scenario": BASELINE.read_bytes(),
    "huge_integer": b"name: x\ndesign: grid\nworlds: " + b"7" * 5000 + b"\n",
    "directory": "DIR",
    "missing": "MISSING",
}
"""Bad sweep files run in this process: none of them can take much time or memory."""
DANGEROUS = {
    "alias_bomb": "nodes once aliases are expanded",
    "six_megabytes": "file larger than",
    "deep_nesting": "YAML error",
    "fifo": "is not a regular file",
    "dev_zero": "is not a regular file",
    "huge_grid": "parameters: the design has 1,000,000,000,000,000 points",
    "many_blocks": "block_size: 4 design point(s) x 1,000,000,000 blocks",
    "huge_sobol": "design.samples: the design has 4,194,304 points",
    "many_rows": "design.rows: the design has 120,000 points",
}
"""Bad sweep files that, unguarded, hang or take gigabytes (read by a child process with a
memory limit and a timeout), and what the message says."""


def write_bad_file(kind: str, here: Path, base: Path) -> Path:
    """Make the bad sweep file ``kind`` in ``here``; return its path."""
    path = here / f"{kind}.yaml"
    content: Any = BAD_FILES.get(kind)
    if content == "DIR":
        path.mkdir()
    elif content == "MISSING":
        pass
    elif content is not None:
        path.write_bytes(content)
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        return Path("/dev/zero")
    else:
        path.write_bytes(dangerous_content(kind, base))
    return path


def dangerous_content(kind: str, base: Path) -> bytes:
    """The content of the bad files that need a child process."""
    huge = {"low": 0.1, "high": 0.2, "num": 100_000}
    contents = {
        "alias_bomb": lambda: ALIAS_BOMB,
        "six_megabytes": lambda: sweep_text(base) + b"# padding\n" * 600_000,
        "deep_nesting": lambda: b"design: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        "huge_grid": lambda: sweep_text(
            base, parameters={p: huge for p in (HAWKS, RESOLVE, "actors.us_doves.clout")}
        ),
        "many_blocks": lambda: sweep_text(base, worlds=10**9, block_size=1),
        "huge_sobol": lambda: sweep_text(
            base, design={"kind": "sobol", "samples": 2**20}, parameters={HAWKS: {}, RESOLVE: {}}
        ),
        "many_rows": lambda: (  # 120,000 rows in 500 KB: one row and its aliases
            f"name: many_rows\nbase: {base}\nworlds: 4\nseed: 1\ndesign:\n  kind: rows\n"
            f"  rows: [&r {{{HAWKS}: 0.3}}{', *r' * 119_999}]\n"
        ).encode(),
    }
    return contents[kind]()


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_bad_sweep_files_fail_cleanly(
    kind: str, base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    file = write_bad_file(kind, tmp_path, base)
    out = tmp_path / "out"
    code, text = run_sweep_cli([str(file), "--out", str(out)])
    assert_refused(code, text, file, out)
    assert not (tmp_path / "PWNED").exists()
    assert not (tmp_path / "sweeps").exists()


def limit_memory() -> None:
    """In the child, before it starts: cap its address space."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.parametrize("kind", sorted(DANGEROUS))
def test_dangerous_sweep_files_fail_fast_in_bounded_memory(
    kind: str, base: Path, tmp_path: Path
) -> None:
    """Through ``negsim sweep`` in a child limited to 1.5 GB: exit 2 fast, nothing written.

    ``huge_grid`` (3 x 100,000 values: 10^15 points) and ``many_blocks`` (10^9 blocks of one
    world) passed the schema and ended in MemoryError; ``huge_sobol`` and ``many_rows`` passed
    it and ran for hours; a FIFO blocked forever. A design too large names its field.
    """
    file = write_bad_file(kind, tmp_path, base)
    out = tmp_path / "out"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "sim", "sweep", str(file), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS * 4,
        check=False,
        cwd=tmp_path,
        preexec_fn=limit_memory,
    )
    seconds = time.monotonic() - started
    text = done.stdout + done.stderr
    assert_refused(done.returncode, text, file, out)
    assert DANGEROUS[kind] in text and "MemoryError" not in text
    assert seconds < CHILD_SECONDS, seconds
    assert sorted(p.name for p in tmp_path.iterdir()) == ([] if kind == "dev_zero" else [file.name])
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != MEMORY_LIMIT  # only the child's


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("SELF", "names this sweep file itself, not a scenario"),
        ("OTHER_SWEEP", "a sweep file, not a scenario"),
        ("DIR", "is a directory, not a file"),
        ("FIFO", "is not a regular file"),
        ("/dev/zero", "is not a regular file"),
        ("missing.yaml", "missing.yaml (relative to the sweep file) does not exist"),
        ("x" * 5000, "cannot be read (File name too long)"),
    ],
)
def test_a_bad_base_is_a_problem_of_the_sweep_files_base(
    value: str, message: str, base: Path, tmp_path: Path
) -> None:
    raw = materialise({**GRID, "base": value}, tmp_path, base)
    file = tmp_path / "sweep.yaml"
    file.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    out = tmp_path / "out"
    code, text = run_sweep_cli([str(file), "--out", str(out)])
    assert_refused(code, text, file, out)
    assert "invalid sweep file" in text and f"{file}:2: base: " in text and message in text
