"""The interactive dashboard (``negsim dashboard``): a Solara app, served on 127.0.0.1.

Importing this package does not import Solara (an optional extra: ``negsim[dashboard]``); only
serving the app does. Modules: :mod:`~sim.dashboard.controls` (sliders and shocks as overrides),
:mod:`~sim.dashboard.runner` (runs, worlds and figures), :mod:`~sim.dashboard.stepper` (one step
of one world), :mod:`~sim.dashboard.app` (the Solara components) and :mod:`~sim.dashboard.server`
(serving it). The command, ``negsim dashboard``, is :mod:`sim.cli.dashboard`.
"""

from sim.dashboard.server import serve

__all__ = ["serve"]
