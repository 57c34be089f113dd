"""Writing a run's files atomically: the tables, the figures, summary.json (docs/outputs.md).

The tables are worlds.parquet and events.parquet; the figures outcomes.png and events.png.

Each file is written to a temporary name in the output directory and renamed into place, so a
file with its final name is always complete; ``summary.json`` is written last, so its presence
means the run finished.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from sim.runs.ensemble import RunResult


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it to ``path``.

    An OSError that names no file (a full disk: ``write()`` fails with ENOSPC) is raised
    again naming ``path``, so the message says where (docs/reliability.md, promise 4).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp creates 0600; honour the user's umask
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.filename is None:  # a failed write() names no file: say which one it was
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
        raise
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_run(
    result: RunResult, out_dir: Path, figures: Mapping[str, bytes] | None = None
) -> list[Path]:
    """Write the run's files into ``out_dir``; return their paths.

    ``figures`` maps file names to their bytes (the command line passes ``outcomes.png`` and
    ``events.png``, drawn by :mod:`sim.analysis.plots`); they are written after
    ``worlds.parquet`` and ``events.parquet`` and before ``summary.json``, which is written last
    so that its presence means the run finished.
    """
    # Everything is produced in memory first: a failure leaves the directory untouched.
    tables = {"worlds.parquet": result.worlds, "events.parquet": result.events}
    data = {}
    for name, table in tables.items():
        parquet = io.BytesIO()
        table.to_parquet(parquet, index=False, engine="pyarrow")
        data[name] = parquet.getvalue()
    text = json.dumps(result.summary, indent=2, sort_keys=False, default=str) + "\n"

    out_dir.mkdir(parents=True, exist_ok=True)
    summary = out_dir / "summary.json"
    summary.unlink(missing_ok=True)  # a summary from an earlier run must not vouch for new files
    written = []
    for name, content in [*data.items(), *(figures or {}).items()]:
        write_bytes_atomic(out_dir / name, content)
        written.append(out_dir / name)
    write_text_atomic(summary, text)
    return [*written, summary]


def _read_umask() -> int:
    mask = os.umask(0o022)  # read once, at import, before any threads exist
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a binary file atomically."""

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    atomic_write(path, write)


def write_text_atomic(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)
