"""Running the engine: ensembles, sweeps, backends, output files, reproduction.

Ensembles run in seeded blocks of worlds (docs/outputs.md); sweeps run design points on a backend
(docs/sweeps.md).
"""
