"""negsim: an agent-based negotiation simulator on Mesa, worlds vectorised with numpy.

The Python entry points are :func:`run` (an ensemble) and :func:`load_scenario`.
"""

from sim.ensemble import RunResult, run
from sim.scenario import Loaded, Scenario, ScenarioError, load_scenario

__all__ = ["Loaded", "RunResult", "Scenario", "ScenarioError", "load_scenario", "run"]
