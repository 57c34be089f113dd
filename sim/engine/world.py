"""What an agent may read of its model: the per-world parameters and the shared state.

:class:`NegotiationModel <sim.engine.model.NegotiationModel>` is a :class:`World`; agents are
written against this base, so the agents' module does not import the model's.
"""

from __future__ import annotations

from typing import Any

import mesa
import numpy as np

from sim.mechanisms.utility import IssueScale
from sim.scenario.schema import Scenario


class World(mesa.Model):
    """A Mesa model of N worlds stepped together, as its agents see it."""

    spec: Scenario
    factions: list[Any]
    n_worlds: int
    issue_ids: list[str]
    central: dict[str, float]
    params: dict[str, np.ndarray]
    span: np.ndarray
    scale: IssueScale

    @property
    def status_quo(self) -> np.ndarray:
        """The status-quo package (N, D), following shocks."""
        raise NotImplementedError

    def version(self, prefix: str) -> int:
        """How many shock changes have hit parameters under a dotted path or prefix."""
        raise NotImplementedError

    def known(self, path: str) -> np.ndarray:
        """What others know of a parameter: its central value as the shocks since changed it."""
        raise NotImplementedError

    def lobbying_on(self, principal: Any) -> np.ndarray:
        """Lobbying reaching a principal this step (N,)."""
        raise NotImplementedError
