"""The Mesa model and its agents: the step order, shocks and the event log (docs/model.md).

Orchestration only: the agents and the model call the pure functions of :mod:`sim.mechanisms`
on the parameters that :mod:`sim.scenario` validated and drew.
"""
