"""Writing a run's files atomically: worlds.parquet, summary.json, outcomes.png (MODEL.md 12).

Each file is written to a temporary name in the output directory and renamed into place, so a
file with its final name is always complete; ``summary.json`` is written last, so its presence
means the run finished.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from sim.ensemble import RunResult


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write`` on a temporary file beside ``path``, then rename it to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_run(result: RunResult, out_dir: Path) -> list[Path]:
    """Write the run's files into ``out_dir``; return their paths."""
    from sim.plots import plot_outcomes

    out_dir.mkdir(parents=True, exist_ok=True)
    stale = out_dir / "summary.json"
    stale.unlink(missing_ok=True)  # a summary from an earlier run must not vouch for new files
    worlds = out_dir / "worlds.parquet"
    atomic_write(worlds, lambda p: result.worlds.to_parquet(p, index=False, engine="pyarrow"))
    figure = out_dir / "outcomes.png"

    def save_png(p: Path) -> None:
        fig = plot_outcomes(result.summary)
        fig.savefig(p, format="png", dpi=150, bbox_inches="tight")
        import matplotlib.pyplot as plt

        plt.close(fig)

    atomic_write(figure, save_png)
    text = json.dumps(result.summary, indent=2, sort_keys=False) + "\n"
    write_text_atomic(stale, text)
    return [worlds, figure, stale]


def write_text_atomic(path: Path, text: str) -> None:
    """Write a UTF-8 text file atomically."""

    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    atomic_write(path, write)
