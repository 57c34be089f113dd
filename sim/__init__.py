"""negsim: an agent-based negotiation simulator on Mesa, worlds vectorised with numpy.

The Python entry points are :func:`run` (an ensemble), :func:`sweep` (a parameter sweep) and
:func:`load_scenario`.
"""

from sim.runs.ensemble import RunResult, run
from sim.runs.sweeps import sweep
from sim.scenario import Loaded, Scenario, ScenarioError, load_scenario

__all__ = ["Loaded", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run", "sweep"]
