"""A run can be reproduced, byte for byte, from its summary.json alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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
