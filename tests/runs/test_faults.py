"""Faults: a killed run leaves nothing that looks complete; a full disk is reported."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import sim.runs.output
from sim.cli.main import main
from tests.builders import BASELINE

# A child `negsim run` that stops at a chosen point of writing its files: it touches a marker
# file, then sleeps until killed. "between": after worlds.parquet is renamed into place, before
# outcomes.png; "inside": outcomes.png's temporary file is written but not yet renamed.
KILL_CHILD = """
import pathlib, sys, time
import sim.runs.output as output
marker, stage, out = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
real_bytes, real_atomic = output.write_bytes_atomic, output.atomic_write

def stop():
    marker.touch()
    time.sleep(600)

def write_bytes_atomic(path, data):
    real_bytes(path, data)
    if stage == "between" and path.name == "worlds.parquet":
        stop()

def atomic_write(path, write):
    def then_stop(tmp):
        write(tmp)
        if stage == "inside" and path.name == "outcomes.png":
            stop()
    real_atomic(path, then_stop)

output.write_bytes_atomic, output.atomic_write = write_bytes_atomic, atomic_write
from sim.cli.main import main
sys.exit(main(["run", sys.argv[4], "--worlds", "300", "--seed", "2", "--out", out]))
"""


def kill_when_marked(marker: Path, stage: str, out: Path) -> None:
    """Run the child until it touches ``marker``, then SIGKILL it."""
    process = subprocess.Popen(
        [sys.executable, "-c", KILL_CHILD, str(marker), stage, str(out), str(BASELINE)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        assert time.monotonic() < deadline, "the child never reached the marker"
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def is_temporary(name: str) -> bool:
    """A temporary name of sim.runs.output.atomic_write: hidden, ``.tmp`` (never a final name)."""
    return name.startswith(".") and name.endswith(".tmp")


@pytest.mark.parametrize("stage", ["between", "inside"])
def test_killed_run_leaves_no_complete_looking_files(tmp_path: Path, stage: str) -> None:
    out = tmp_path / "run"
    # An earlier complete run in the same directory: its summary must not vouch for new files.
    assert main(["run", str(BASELINE), "--worlds", "20", "--seed", "1", "--out", str(out)]) == 0
    earlier = (out / "worlds.parquet").read_bytes()
    kill_when_marked(tmp_path / "marker", stage, out)
    names = sorted(p.name for p in out.iterdir())
    assert "summary.json" not in names  # no summary: the run is incomplete, whatever else is there
    final = [n for n in names if not is_temporary(n)]
    # worlds.parquet was renamed into place complete (the new run's, not the earlier one's);
    # outcomes.png is the earlier run's, or (inside) only a hidden temporary file of the new one;
    # events.parquet and events.png are the earlier run's, or the new one's (inside).
    assert final == ["events.parquet", "events.png", "outcomes.png", "worlds.parquet"], names
    worlds = pq.read_table(out / "worlds.parquet")
    assert worlds.num_rows == 300 and (out / "worlds.parquet").read_bytes() != earlier
    temporary = [n for n in names if is_temporary(n)]
    assert len(temporary) == (1 if stage == "inside" else 0), names
    assert all(n.startswith(".outcomes.png.") for n in temporary)
    # A re-run into the same directory completes, and its summary vouches for every file.
    assert main(["run", str(BASELINE), "--worlds", "20", "--seed", "1", "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["worlds"] == 20 and pq.read_table(out / "worlds.parquet").num_rows == 20


def test_a_killed_run_in_a_new_directory_leaves_no_summary(tmp_path: Path) -> None:
    out = tmp_path / "run"
    kill_when_marked(tmp_path / "marker", "between", out)
    assert sorted(p.name for p in out.iterdir()) == ["worlds.parquet"]


def test_disk_full_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    calls = {"n": 0}
    real = sim.runs.output.atomic_write

    def full_after_first(path: Path, write):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, write)

    monkeypatch.setattr(sim.runs.output, "atomic_write", full_after_first)
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


def test_a_full_disk_names_the_file_it_could_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failed ``write()`` names no file (its OSError has no filename): the message must."""
    real = Path.write_bytes

    def full(self: Path, data: bytes) -> int:  # what a real write on a full disk raises
        if self.name.startswith(".worlds.parquet."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    out = tmp_path / "run"
    code = main(["run", str(BASELINE), "--worlds", "5", "--seed", "1", "--out", str(out)])
    text = capsys.readouterr().err
    assert code == 1, text
    assert f"cannot write {out / 'worlds.parquet'}: No space left on device" in text, text
    assert sorted(p.name for p in out.iterdir()) == []
