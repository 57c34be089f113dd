"""Reading runs: tables, figures, explanations, the report and sensitivity (docs/outputs.md).

Everything here reads what :mod:`sim.runs` produced or asks the engine to replay one world.
"""
