"""A run can be reproduced, byte for byte, from its summary.json alone."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sim.cli.main import main
from sim.runs.ensemble import run
from sim.runs.output import write_run
from sim.scenario.loader import scenario_sha256
from tests.builders import BASELINE


def negsim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args], capture_output=True, text=True, check=False
    )


def test_reproduce_from_summary_alone(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    done = negsim(
        "run",
        str(BASELINE),
        "--worlds",
        "400",
        "--seed",
        "31",
        "--out",
        str(first),
        "--set",
        "actors.israel.strike_resolve=0.02",
    )
    assert done.returncode == 0, done.stderr
    # Move the summary away from everything else: it must be enough on its own.
    alone = tmp_path / "elsewhere" / "summary.json"
    alone.parent.mkdir()
    alone.write_bytes((first / "summary.json").read_bytes())
    again = negsim("reproduce", str(alone), "--out", str(second))
    assert again.returncode == 0, again.stdout + again.stderr
    assert (first / "worlds.parquet").read_bytes() == (second / "worlds.parquet").read_bytes()
    a = json.loads((first / "summary.json").read_text())
    b = json.loads((second / "summary.json").read_text())
    assert a["outcomes"] == b["outcomes"] and a["scenario_sha256"] == b["scenario_sha256"]


def test_a_tampered_summary_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert (
        negsim("run", str(BASELINE), "--worlds", "50", "--seed", "1", "--out", str(out)).returncode
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    summary["scenario_data"]["horizon"] = 5
    (out / "summary.json").write_text(json.dumps(summary))
    done = negsim("reproduce", str(out / "summary.json"), "--out", str(tmp_path / "x"))
    assert done.returncode == 2
    assert "scenario_sha256" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x").exists()
    del summary["seed"]
    (out / "summary.json").write_text(json.dumps(summary))
    done = negsim("reproduce", str(out / "summary.json"), "--out", str(tmp_path / "x"))
    assert done.returncode == 2 and "seed" in done.stderr


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The summary.json of a small run, parsed."""
    result = run(BASELINE, worlds=20, seed=7, block_size=10)
    out = tmp_path_factory.mktemp("recorded")
    write_run(result, out)
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


BAD_FIELDS = [
    ("seed", "abc", "must be an integer"),
    ("seed", None, "must be an integer"),
    ("seed", True, "must be an integer"),
    ("seed", 3.0, "must be an integer"),
    ("seed", -5, "at least 0"),
    ("worlds", 0, "at least 1"),
    ("worlds", -1, "at least 1"),
    ("worlds", 1.5, "must be an integer"),
    ("worlds", "20", "must be an integer"),
    ("block_size", 0, "at least 1"),
    ("block_size", False, "must be an integer"),
    ("scenario_data", ["not", "a", "scenario"], "JSON object"),
    ("scenario_sha256", 5, "must be a string"),
    ("version", None, "must be a string"),
    ("outcomes", ["deal"], "must map each outcome"),
]


def reproduce_cli(summary: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["reproduce", str(summary), "--out", str(out)])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize(("key", "value", "fragment"), BAD_FIELDS)
def test_a_summary_with_a_bad_field_is_refused(
    recorded: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    key: str,
    value: Any,
    fragment: str,
) -> None:
    summary = copy.deepcopy(recorded)
    summary[key] = value
    if key == "scenario_data":
        summary["scenario_sha256"] = scenario_sha256(value)
    file = tmp_path / "summary.json"
    file.write_text(json.dumps(summary), encoding="utf-8")
    code, text = reproduce_cli(file, tmp_path / "out", capsys)
    assert code == 2, text
    assert "invalid summary file" in text and "invalid scenario" not in text
    assert f"{file}: {key}: " in text and fragment in text
    assert "Traceback" not in text
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "not a readable summary.json"),
        (b"{not json", "not a readable summary.json"),
        (b"\xff\xfe", "not a readable summary.json"),
        (b"[1, 2]", "not a summary.json object"),
        (b"[" * 100_000 + b"]" * 100_000, "not a readable summary.json"),
        (b'{"seed": ' + b"9" * 5000 + b"}", "not a readable summary.json"),
    ],
)
def test_an_unreadable_summary_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, fragment: str
) -> None:
    file = tmp_path / "summary.json"
    file.write_bytes(content)
    code, text = reproduce_cli(file, tmp_path / "out", capsys)
    assert code == 2, text
    assert "invalid summary file" in text and str(file) in text and fragment in text
    assert "Traceback" not in text and not (tmp_path / "out").exists()


def test_a_missing_summary_or_a_directory_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for target, fragment in ((tmp_path / "absent.json", "file not found"), (tmp_path, "directory")):
        code, text = reproduce_cli(target, tmp_path / "out", capsys)
        assert code == 2 and fragment in text and str(target) in text, text
    assert not (tmp_path / "out").exists()


def test_an_invalid_embedded_scenario_names_the_summary(
    recorded: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = copy.deepcopy(recorded)
    summary["scenario_data"]["horizon"] = 0
    summary["scenario_data"]["name"] = "../../x"
    summary["scenario_sha256"] = scenario_sha256(summary["scenario_data"])
    file = tmp_path / "summary.json"
    file.write_text(json.dumps(summary), encoding="utf-8")
    code, text = reproduce_cli(file, tmp_path / "out", capsys)
    assert code == 2, text
    assert f"{file}: scenario_data.horizon: " in text
    assert f"{file}: scenario_data.name: " in text
    assert "invalid summary file" in text and not (tmp_path / "out").exists()


def test_reproduce_refuses_an_out_that_is_a_file(
    recorded: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "summary.json"
    file.write_text(json.dumps(recorded), encoding="utf-8")
    blocker = tmp_path / "blocker"
    blocker.write_text("a file")
    code, text = reproduce_cli(file, blocker, capsys)
    assert code == 2 and "not a directory" in text, text
    assert blocker.read_text() == "a file"


def test_reproduce_in_process_gives_the_same_bytes(
    recorded: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "summary.json"
    file.write_text(json.dumps(recorded), encoding="utf-8")
    first = tmp_path / "first"
    write_run(run(BASELINE, worlds=20, seed=7, block_size=10), first)
    code, text = reproduce_cli(file, tmp_path / "again", capsys)
    assert code == 0, text
    again = (tmp_path / "again" / "worlds.parquet").read_bytes()
    assert again == (first / "worlds.parquet").read_bytes()
