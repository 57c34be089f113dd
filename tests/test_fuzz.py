"""Fuzzing scenario files through the CLI: every bad input gets exit 2, a message naming the
file, no traceback, and nothing written to the output directory."""

from __future__ import annotations

import copy
import math
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from tests.builders import baseline_raw

FUZZ_EXAMPLES = 100
"""Examples per fuzz test in CI (docs/reliability.md quotes this number)."""

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


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutated())
def test_property_mutated_scenarios_fail_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: dict[str, Any]
) -> None:
    here = Path(tempfile.mkdtemp(dir=tmp_path))
    scenario = here / "mutant.yaml"
    scenario.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    out = here / "out"
    code, text = run_cli(["validate", str(scenario)], capsys)
    assert code in (0, 2), text
    assert "Traceback" not in text
    if code == 2:
        assert str(scenario) in text
        code_run, text_run = run_cli(
            ["run", str(scenario), "--worlds", "3", "--seed", "1", "--out", str(out)], capsys
        )
        assert code_run == 2 and "Traceback" not in text_run
        assert not out.exists()


BAD_FILES: dict[str, bytes] = {
    "empty": b"",
    "syntax": b"name: x\nactors: [unclosed\n",
    "not_utf8": b"name: \xff\xfe\x00bad\n",
    "top_list": b"- a\n- b\n",
    "python_tag": b"name: !!python/object/apply:os.system ['echo pwned']\n",
    "alias_bomb": (
        b"a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        b"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
        b"g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    ),
    "huge": b"name: x\n" + b"# padding\n" * 700_000,
    "duplicate_actor": b"name: x\nactors:\n  us: {role: principal}\n  us: {role: principal}\n",
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
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


def test_directory_and_circular_extends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nname: b\n")
    for target in (tmp_path, tmp_path / "a.yaml"):
        code, text = run_cli(["validate", str(target)], capsys)
        assert code == 2 and "Traceback" not in text
