"""A model that also keeps what observations need: the sessions held and the sides' offers.

Only ``negsim condition`` runs it, and only for the steps its facts name
(:class:`Watch`); a plain run builds none of this. The engine is unchanged: the subclass reads the
model's own state around each watched session (docs/forecasting.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.engine.model import NegotiationModel


@dataclass(frozen=True)
class Watch:
    """What to keep: the session steps to note as held, and the offers to note.

    ``offers`` holds ``(step, side id, issue index)``: the side's latest own offer on the issue
    as of the session at that step (NaN where it has made none).
    """

    sessions: tuple[int, ...] = ()
    offers: tuple[tuple[int, str, int], ...] = ()


def session_column(step: int) -> str:
    """The column saying whether a session was held at ``step``."""
    return f"obs.session@{step}"


def offer_column(step: int, side: str, issue: int) -> str:
    """The column of a side's latest offer on an issue (its index) as of the session at ``step``."""
    return f"obs.offer.{side}.{issue}@{step}"


class ObservingModel(NegotiationModel):
    """A :class:`NegotiationModel` that notes the watched sessions and offers as they happen."""

    def watching(self, watch: Watch) -> ObservingModel:
        """Watch ``watch`` from now on (call before the first step); returns the model."""
        self.watch = watch
        self.observed: dict[str, np.ndarray] = {}
        return self

    def session(self, t: int) -> None:
        """The session, noting beforehand where the talks are on and afterwards the offers."""
        if t in self.watch.sessions:
            self.observed[session_column(t)] = self.talking.copy()
        super().session(t)
        for step, side, issue in self.watch.offers:
            if step == t:
                own = self.own_offers[side][:, 0, issue]
                self.observed[offer_column(step, side, issue)] = own.copy()

    def observed_columns(self) -> dict[str, np.ndarray]:
        """Every watched column: a session never reached was not held; an offer not noted is NaN."""
        n = self.n_worlds
        out: dict[str, np.ndarray] = {}
        for step in self.watch.sessions:
            out[session_column(step)] = self.observed.get(session_column(step), np.zeros(n, bool))
        for o in self.watch.offers:
            out[offer_column(*o)] = self.observed.get(offer_column(*o), np.full(n, np.nan))
        return out
