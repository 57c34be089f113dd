"""The recorder: keeps a recorded run's events and per-step records (as Mesa's DataCollector).

The model calls it only when recording is on (``NegotiationModel(record=True)``); a run that
does not record builds no event. Every array is copied as it arrives, so a record holds what
was true at its step.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from sim.engine.records import (
    BackingEvent,
    PrincipalState,
    SessionEvent,
    SnapbackEvent,
    StepRecord,
    StrikeEvent,
    StrikeHit,
    UsStrikeEvent,
    WarStep,
    WorldState,
)


def snapshot[T](value: T) -> T:
    """A copy of ``value`` whose arrays no later update of the model can change.

    Arrays are copied inside dataclasses, named tuples, tuples and dicts.
    """
    out: Any = value
    if isinstance(value, np.ndarray):
        out = value.copy()
    elif isinstance(value, tuple) and hasattr(value, "_fields"):
        out = type(value)(*(snapshot(v) for v in value))
    elif isinstance(value, tuple):
        out = tuple(snapshot(v) for v in value)
    elif isinstance(value, dict):
        out = {k: snapshot(v) for k, v in value.items()}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        parts = {f.name: snapshot(getattr(value, f.name)) for f in dataclasses.fields(value)}
        out = dataclasses.replace(value, **parts)
    return out


class Recorder:
    """Collects the events of each step and closes the step into a :class:`StepRecord`."""

    def __init__(self) -> None:
        """Start with no step recorded."""
        self.steps: list[StepRecord] = []
        self._events: dict[str, Any] = {}

    def begin(self) -> None:
        """Start a step: forget the events of the last."""
        self._events = {"shocks": {}, "strikes": [], "snapbacks": [], "hits": []}

    def shock(self, name: str, fired: np.ndarray) -> None:
        """A shock fired in the worlds ``fired``."""
        self._events["shocks"][name] = fired.copy()

    def session(self, event: SessionEvent) -> None:
        """A session was held."""
        self._events["session"] = snapshot(event)

    def backing(self, event: BackingEvent) -> None:
        """The United States weighed backing an Israeli strike."""
        self._events["backing"] = snapshot(event)

    def strike(self, event: StrikeEvent) -> None:
        """A striker weighed a strike."""
        self._events["strikes"].append(snapshot(event))

    def us_strike(self, event: UsStrikeEvent) -> None:
        """The United States weighed a strike."""
        self._events["us_strike"] = snapshot(event)

    def snapback(self, event: SnapbackEvent) -> None:
        """The E3 weighed snapback."""
        self._events["snapbacks"].append(snapshot(event))

    def hit(self, event: StrikeHit) -> None:
        """A strike hit: the programme set back, Iran retaliated."""
        self._events["hits"].append(snapshot(event))

    def war(self, event: WarStep) -> None:
        """The ceasefire and resumption draws of the step."""
        self._events["war"] = snapshot(event)

    def end(self, step: int, principals: dict[str, PrincipalState], world: WorldState) -> None:
        """Close the step with the state at its end."""
        events = self._events
        self.steps.append(
            StepRecord(
                step=step,
                principals=snapshot(principals),
                world=snapshot(world),
                shocks=events["shocks"],
                session=events.get("session"),
                backing=events.get("backing"),
                strikes=tuple(events["strikes"]),
                us_strike=events.get("us_strike"),
                snapbacks=tuple(events["snapbacks"]),
                hits=tuple(events["hits"]),
                war=events.get("war"),
            )
        )
