"""Faults: a killed run leaves nothing that looks complete; a full disk is reported."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import sim.output
from sim.cli import main
from tests.builders import BASELINE


def test_killed_run_leaves_no_complete_looking_files(tmp_path: Path) -> None:
    out = tmp_path / "run"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sim",
            "run",
            str(BASELINE),
            "--worlds",
            "200000",
            "--seed",
            "1",
            "--out",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(3.0)  # mid-run: 200,000 worlds take far longer than this
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert not (out / "summary.json").exists()
    assert not (out / "worlds.parquet").exists()
    leftovers = [p.name for p in out.iterdir()] if out.exists() else []
    assert all(name.startswith(".") and name.endswith(".tmp") for name in leftovers)


def test_disk_full_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = {"n": 0}
    real = sim.output.atomic_write

    def full_after_first(path: Path, write):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, write)

    monkeypatch.setattr(sim.output, "atomic_write", full_after_first)
    out = tmp_path / "run"
    code = main(["run", str(BASELINE), "--worlds", "20", "--seed", "1", "--out", str(out)])
    text = capsys.readouterr().err
    assert code == 1
    assert "No space left on device" in text and "Traceback" not in text
    assert not (out / "summary.json").exists()


def test_unwritable_output_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code = main(
        ["run", str(BASELINE), "--worlds", "20", "--seed", "1", "--out", str(blocker / "sub")]
    )
    text = capsys.readouterr().err
    assert code != 0 and "Traceback" not in text
    assert "cannot write" in text or "not a directory" in text.lower()
