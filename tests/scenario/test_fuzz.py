"""Fuzzing scenario files through the CLI: every bad input gets exit 2, a message naming the
file, no traceback, and nothing written to the output directory; every mutant that validates
runs without overflow or NaN."""

from __future__ import annotations

import copy
import math
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli.main import main
from sim.mechanisms.outcomes import DEAL, RUNNING
from sim.runs.ensemble import world_table
from sim.scenario.loader import ScenarioError, load_scenario
from tests.builders import baseline_raw, model_of

FUZZ_EXAMPLES = 100
"""Examples per fuzz test in CI (docs/reliability.md quotes this number)."""
MEMORY_LIMIT = 1_500_000_000
"""Address-space limit (bytes) of the child process that reads the alias bombs."""
BOMB_SECONDS = 30
"""A bomb must be refused within this many seconds (it took 40 s to run out of 2 GB)."""

BASE = baseline_raw()
BASE.pop("include_shocks", None)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
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


ALL_PATHS = paths(BASE)
WEIRD_VALUES = [
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    "",
    "high",
    None,
    True,
    [],
    {},
    [1, 2],
    {"dist": "uniform"},
    {"dist": "gamma", "low": 0, "high": 1},
    {"value": "x"},
    {"dist": "uniform", "low": 1, "high": 0},
    -1,
    2,
    10**9,
    "2025-13-45",
]


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    raw = copy.deepcopy(BASE)
    path = draw(st.sampled_from(ALL_PATHS))
    parent = raw
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    action = draw(st.sampled_from(["replace", "delete", "unknown_sibling", "bad_reference"]))
    if action == "replace":
        parent[last] = draw(st.sampled_from(WEIRD_VALUES))
    elif action == "delete":
        del parent[last]
    elif action == "unknown_sibling" and isinstance(parent, dict):
        parent[f"{last}_typo"] = 1
    else:
        reference = draw(
            st.sampled_from(
                [
                    ("actors", "us", "ratifier"),
                    ("actors", "us_hawks", "principal"),
                    ("actors", "iran", "hawk_faction"),
                    ("protocol", "first_mover"),
                ]
            )
        )
        node = raw
        for key in reference[:-1]:
            node = node[key]
        node[reference[-1]] = draw(st.sampled_from(["nobody", "israel", "us_doves", ""]))
    return raw


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def assert_runs_finite(raw: dict[str, Any], worlds: int = 6) -> None:
    """A valid scenario runs a few worlds with no overflow, division by zero or NaN.

    Underflow to 0 (a salience of 1e-300) is harmless and allowed.
    """
    model = model_of(raw, worlds=worlds, seed=1)
    with np.errstate(all="raise", under="ignore"):
        model.run()
        table = world_table(model, 0)
    assert np.all(model.outcome != RUNNING)
    for side in (model.us, model.iran):
        for array in (side.stance, side.issue_weights, side.clout, side.pressure):
            assert np.all(np.isfinite(array)), side.actor_id
        assert np.all(np.isfinite(side.reservation())), side.actor_id
    assert np.all(np.isfinite(model.progress))
    assert np.all(np.isfinite(model.terms[model.outcome == DEAL]))
    numbers = table.drop(columns=[c for c in table if c.startswith("terms.")])
    numbers = numbers.select_dtypes("number").to_numpy(dtype=float)
    assert np.all(np.isfinite(numbers))


MIN_RUN = 5
"""Of FUZZ_EXAMPLES extreme mutants, about one in four validates: at least this many must validate
and run (fewer by chance has odds of 1e-7), or the test would check only refusals."""
MIN_MUTANTS_RUN = 1
"""Of FUZZ_EXAMPLES random mutants, about one in ten validates: at least one must (odds of none
3e-5), and at least half must be refused."""


def test_property_mutated_scenarios_fail_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes: dict[int, int] = {0: 0, 2: 0}

    @settings(
        max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(mutated())
    def check(raw: dict[str, Any]) -> None:
        here = Path(tempfile.mkdtemp(dir=tmp_path))
        scenario = here / "mutant.yaml"
        scenario.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        out = here / "out"
        code, text = run_cli(["validate", str(scenario)], capsys)
        assert code in (0, 2), text
        assert "Traceback" not in text
        if code == 0:
            assert_runs_finite(raw)
        if code == 2:
            assert str(scenario) in text
            code_run, text_run = run_cli(
                ["run", str(scenario), "--worlds", "3", "--seed", "1", "--out", str(out)], capsys
            )
            assert code_run == 2 and "Traceback" not in text_run
            assert not out.exists()
        outcomes[code] += 1

    check()
    assert outcomes[0] >= MIN_MUTANTS_RUN and outcomes[2] >= FUZZ_EXAMPLES // 2, outcomes


def numeric_leaves(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths of every number in a raw scenario (not booleans)."""
    if isinstance(node, dict):
        return [p for key, value in node.items() for p in numeric_leaves(value, (*prefix, key))]
    if isinstance(node, list):
        return [p for k, value in enumerate(node) for p in numeric_leaves(value, (*prefix, k))]
    return [prefix] if isinstance(node, int | float) and not isinstance(node, bool) else []


NUMERIC_PATHS = numeric_leaves(BASE)
EXTREME_VALUES = [1e6, -1e6, 1e5, 10.0, -10.0, 16.0, 2.0, 1.0, 0.0, -1.0, 1e-300, 0.999999]
"""Values at or near the limits the schema allows: a mutant that validates must run cleanly."""


def test_property_valid_extreme_mutants_run_without_nan() -> None:
    ran: set[tuple[tuple[Any, ...], float]] = set()

    @settings(
        max_examples=FUZZ_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(st.sampled_from(NUMERIC_PATHS), st.sampled_from(EXTREME_VALUES))
    def check(path: tuple[Any, ...], value: float) -> None:
        raw = copy.deepcopy(BASE)
        parent = raw
        for key in path[:-1]:
            parent = parent[key]
        parent[path[-1]] = value
        try:
            load_scenario(raw)
        except ScenarioError:
            return  # refused cleanly: the CLI side is checked by the test above
        assert_runs_finite(raw)
        ran.add((path, value))

    check()
    assert len(ran) >= MIN_RUN, f"only {len(ran)} of {FUZZ_EXAMPLES} mutants ran"


# Values that validated and then overflowed in the model (audit: exit 0, NaN columns).
OVERFLOWS = [
    ("actors.supreme_leader.no_deal_shift", "1.0e+308"),
    ("actors.israel.lobbying.high", "1.0e+308"),
    ("actors.israel.strike_resolve", "1.0e+308"),
    ("actors.us_doves.clout", "1.0e+308"),
    ("actors.irgc_hardliners.red_lines.1.max", "-1.0e+308"),
    ("actors.israel.discount", "{value: 0.995, range: [0.99, 1.0e+308]}"),
]


@pytest.mark.parametrize(("path", "value"), OVERFLOWS)
def test_overflowing_values_are_refused(
    path: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(scenario), "--worlds", "3", "--seed", "1", "--out", str(out)]
    code, text = run_cli([*args, "--set", f"{path}={value}"], capsys)
    assert code == 2, text
    assert path.removesuffix(".high") in text and "Traceback" not in text
    assert not out.exists()


ALIAS_BOMB = (
    b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    b"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
)
OVERRIDE_BOMB = (  # /tmp/audit6/sc/obomb2.yaml without its extends: 564 bytes, 2 GB in 40 s
    b"name: x\noverrides:\n"
    b"  description: &a [x, x, x, x, x, x, x, x, x]\n"
    b"  name: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    b"  horizon: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    b"  calendar: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    b"  protocol: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    b"  programme: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    b"  issues: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    b"  actors: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    b"  shocks: [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
)
BOMBS = {"alias_bomb", "override_alias_bomb"}
"""Bad files that, unguarded, take gigabytes: read only in a child process with a memory limit."""

BAD_FILES: dict[str, bytes] = {
    "empty": b"",
    "syntax": b"name: x\nactors: [unclosed\n",
    "not_utf8": b"name: \xff\xfe\x00bad\n",
    "top_list": b"- a\n- b\n",
    "python_tag": b"name: !!python/object/apply:os.system ['echo pwned']\n",
    "alias_bomb": ALIAS_BOMB,
    "override_alias_bomb": OVERRIDE_BOMB,
    "recursive_alias": b"name: x\ndescription: &a [*a]\n",
    "deep_nesting": b"name: x\ndescription: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "huge": b"name: x\n" + b"# padding\n" * 700_000,
    "huge_integer": b"name: x\nhorizon: " + b"7" * 5000 + b"\n",
    "impossible_date": b"name: x\ncalendar: {start: 2025-02-30}\n",
    "date_key_override": b"name: x\noverrides:\n  description: {2025-01-01: x}\n",
    "duplicate_actor": b"name: x\nactors:\n  us: {role: principal}\n  us: {role: principal}\n",
    "name_escape": b"name: ../../../ESCAPED\n",
    "name_absolute": b"name: /tmp/ABS_ESCAPE\n",
}


@pytest.mark.parametrize("kind", sorted(set(BAD_FILES) - BOMBS))
def test_bad_files_fail_cleanly(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = tmp_path / f"{kind}.yaml"
    scenario.write_bytes(BAD_FILES[kind])
    out = tmp_path / "out"
    for args in (
        ["validate", str(scenario)],
        ["run", str(scenario), "--worlds", "2", "--out", str(out)],
    ):
        code, text = run_cli(args, capsys)
        assert code == 2, (kind, text)
        assert str(scenario) in text and "Traceback" not in text
    assert not out.exists()


BOMB_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from sim.cli.main import main
codes = [main(["validate", sys.argv[1]]), main(["run", sys.argv[1], "--out", sys.argv[2]])]
print("codes", *codes)
sys.exit(max(codes))
"""


@pytest.mark.parametrize("kind", sorted(BOMBS))
def test_bombs_fail_fast_in_bounded_memory(kind: str, tmp_path: Path) -> None:
    scenario = tmp_path / f"{kind}.yaml"
    scenario.write_bytes(BAD_FILES[kind])
    out = tmp_path / "out"
    child = BOMB_CHILD.format(limit=MEMORY_LIMIT)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", child, str(scenario), str(out)],
        capture_output=True,
        text=True,
        timeout=BOMB_SECONDS * 4,
        check=False,
    )
    seconds = time.monotonic() - started
    assert done.stdout.strip() == "codes 2 2", done.stdout + done.stderr
    assert done.returncode == 2
    assert str(scenario) in done.stderr and "nodes" in done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert seconds < BOMB_SECONDS, seconds
    assert not out.exists()
    assert resource.getrlimit(resource.RLIMIT_AS)[0] != MEMORY_LIMIT  # only the child was limited


def test_a_bad_name_writes_nothing_outside_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without --out, `negsim run` writes to runs/NAME: the name must not climb out of runs/.
    here = tmp_path / "a" / "b" / "c"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    raw = copy.deepcopy(BASE)
    for name in ("../../../ESCAPED", str(tmp_path / "ABS_ESCAPE"), "..", "."):
        raw["name"] = name
        scenario = here / "evil.yaml"
        scenario.write_text(yaml.safe_dump(raw), encoding="utf-8")
        code, text = run_cli(["run", str(scenario), "--worlds", "3", "--seed", "1"], capsys)
        assert code == 2, text
        assert "not a plain name" in text and str(scenario) in text
        written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
        assert written == [Path("a/b/c/evil.yaml")], written
    raw["name"] = "fine"
    scenario.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, text = run_cli(["run", str(scenario), "--worlds", "3", "--seed", "1"], capsys)
    assert code == 0, text
    assert (here / "runs" / "fine" / "summary.json").is_file()


def test_directory_and_circular_extends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    for target in (tmp_path, tmp_path / "a.yaml"):
        code, text = run_cli(["validate", str(target)], capsys)
        assert code == 2 and "Traceback" not in text
