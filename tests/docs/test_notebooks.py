"""Every notebook runs top to bottom, with a small number of worlds, in a fresh working directory.

The kernel is this interpreter (``python -m ipykernel_launcher``), so the notebooks see the
package exactly as the tests do; nothing needs ``ipykernel install``.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest

# jupyter_core warns (DeprecationWarning) unless it is told to use the platform's directories.
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = 24
NEEDS = {
    "02_parameter_sweeps": ("sim.runs.sweeps",),
    "03_sensitivity": ("sim.runs.sweeps", "sim.analysis.sensitivity"),
    "05_forecasting": ("scoringrules", "ema_workbench"),
}
"""The modules each notebook needs beyond the core (skipped, with the reason, if missing)."""


def test_every_notebook_is_there() -> None:
    names = [p.stem for p in NOTEBOOKS]
    assert names == [
        "01_quickstart",
        "02_parameter_sweeps",
        "03_sensitivity",
        "04_scenarios",
        "05_forecasting",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert re.search(r"^WORLDS = \d+", first.source, re.M), "the first code cell sets WORLDS"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    for module in NEEDS.get(path.stem, ()):
        if importlib.util.find_spec(module) is None:
            why = "not written yet, or not installed"
            pytest.skip(f"{path.name} needs {module}, which is missing ({why})")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    manager = pytest.importorskip("jupyter_client.manager")
    nb = nbformat.read(path, as_version=4)
    first = next(c for c in nb.cells if c.cell_type == "code")
    first.source = re.sub(r"^WORLDS = \d+", f"WORLDS = {SMALL}", first.source, flags=re.M)
    km = manager.KernelManager(kernel_name="python3")
    km.kernel_spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    client = nbclient.NotebookClient(
        nb, km=km, timeout=600, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    images = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert images, f"{path.name} showed no figure"
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert not errors
