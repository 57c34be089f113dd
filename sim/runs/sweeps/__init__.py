"""Ensembles and parameter sweeps at scale: parallel, resumable, distributed (docs/sweeps.md).

``sim.sweep(spec)`` runs a sweep from Python and returns one tidy row per design point;
``negsim sweep SPEC`` and ``negsim sensitivity SPEC`` are the commands (:mod:`sim.cli.sweeps`).
"""

from sim.runs.sweeps.api import read_sweep, run, sweep
from sim.runs.sweeps.backends import Backend, BackendError
from sim.runs.sweeps.runner import SweepResult, run_sweep
from sim.runs.sweeps.spec import LoadedSweep, SweepSpec, SweepSpecError, load_sweep
from sim.runs.sweeps.store import OutputDirError

__all__ = [
    "Backend",
    "BackendError",
    "LoadedSweep",
    "OutputDirError",
    "SweepResult",
    "SweepSpec",
    "SweepSpecError",
    "load_sweep",
    "read_sweep",
    "run",
    "run_sweep",
    "sweep",
]
