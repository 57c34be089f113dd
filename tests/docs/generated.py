"""Shared check of the documents that a script generates (README tables, docs/bdm.md, claims)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def assert_up_to_date(script: Path) -> None:
    """Run ``script --check``: it must exit 0 and say the document is up to date."""
    done = subprocess.run(
        [sys.executable, str(script), "--check"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "up to date" in done.stdout
