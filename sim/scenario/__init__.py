"""Scenario files: schema, parameters and loading."""

from sim.scenario.loader import Loaded, Problem, ScenarioError, load_scenario
from sim.scenario.schema import Scenario

__all__ = ["Loaded", "Problem", "Scenario", "ScenarioError", "load_scenario"]
