"""Overrides by dotted path (``--set PATH=VALUE``): their paths checked, their values told.

A run with overrides is labelled with them (``baseline [actors.us.join_probability=1]``), so
that its tables and figures never pass for the scenario's own; a path that names no field gets
the closest paths the scenario has (:func:`no_such_parameter`, by :mod:`difflib`); a value is
told as a person reads it (``uniform from 0.1 to 0.5``), not as cut JSON (:func:`readable`).
Reading the VALUE text itself is the command line's (``sim.cli.run.parse_sets``).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from sim.scenario.schema import (
    Counterweight,
    Faction,
    Mediator,
    Patron,
    Principal,
    Scenario,
    Snapback,
    Striker,
    ThirdParty,
)

COMMAND_LINE = "--set"
"""Where a command-line override is said to come from in a problem: ``--set PATH: ...``."""
ORIGINS = (COMMAND_LINE, "overrides")
"""The origins of overrides that are not a file (the command line's, a caller's mapping)."""
SUGGESTIONS = 3
"""Closest paths suggested for a path that names nothing."""
_NOTES = ("evidence", "assumption", "assumptions", "description")
"""Keys whose subtrees are text about a value, never a value to set: not suggested."""


def known_paths(raw: Mapping[str, Any]) -> Iterator[str]:
    """Every dotted path of a raw scenario mapping (mapping keys and list indices), depth first."""
    stack: list[tuple[str, Any]] = [("", raw)]
    while stack:
        prefix, node = stack.pop()
        if isinstance(node, Mapping):
            items: Any = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        else:
            continue
        for key, item in items:
            if str(key) in _NOTES:
                continue
            path = f"{prefix}{key}"
            yield path
            stack.append((f"{path}.", item))


def field_paths(raw: Mapping[str, Any]) -> Iterator[str]:
    """The schema's fields that ``raw`` may set but need not write.

    The top level's, those of its sections (``protocol.*``) and each actor's by its kind
    (``actors.us.quota``).
    """
    for name, info in Scenario.model_fields.items():
        yield name
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            yield from (f"{name}.{f}" for f in kind.model_fields)
    actors = raw.get("actors")
    for actor_id, actor in actors.items() if isinstance(actors, Mapping) else ():
        model = _actor_model(actor) if isinstance(actor, Mapping) else None
        yield from (f"actors.{actor_id}.{f}" for f in (model.model_fields if model else ()))


def _actor_model(actor: Mapping[str, Any]) -> type[BaseModel] | None:
    """The schema model of a raw actor, by its role (and a third party's instrument)."""
    if actor.get("role") != "third_party":
        roles: dict[str, type[BaseModel]] = {"principal": Principal, "faction": Faction}
        return roles.get(str(actor.get("role")))
    kinds: dict[str, type[BaseModel]] = {"striker": Striker, "patron": Patron}
    kinds |= {"snapback": Snapback, "mediator": Mediator, "counterweight": Counterweight}
    return kinds.get(str(actor.get("instrument")), ThirdParty)


def suggestions(path: str, raw: Mapping[str, Any], n: int = SUGGESTIONS) -> list[str]:
    """The ``n`` paths closest to ``path``: :func:`closest` over ``raw``'s paths and fields.

    The candidates are the paths of ``raw`` and the fields it may set (:func:`field_paths`).
    """
    return closest(path, set(known_paths(raw)) | set(field_paths(raw)), n)


def closest(path: str, candidates: Iterable[str], n: int = SUGGESTIONS) -> list[str]:
    """The ``n`` candidates closest to ``path`` in spelling (difflib's ratio of at least 0.6).

    The one spelling hint of ``--set`` and of sweep parameters: never an ancestor of ``path``,
    nor a part of a path already suggested.
    """
    parts = path.split(".")
    ancestors = {".".join(parts[:k]) for k in range(1, len(parts) + 1)}
    pool = sorted(set(candidates) - ancestors)
    out: list[str] = []
    for near in difflib.get_close_matches(path, pool, n=4 * n, cutoff=0.6):
        if not any(near.startswith(f"{kept}.") for kept in out):  # not a parameter's own part
            out.append(near)
    return out[:n]


def no_such_parameter(path: str, raw: Mapping[str, Any]) -> str:
    """The message for a path that names no field: ``no such parameter; did you mean X?``."""
    near = suggestions(path, raw)
    if not near:
        return "no such parameter (see docs/scenario.md for the fields)"
    listed = near[0] if len(near) == 1 else ", ".join(near[:-1]) + " or " + near[-1]
    return f"no such parameter; did you mean {listed}?"


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _spec_text(value: Mapping[str, Any]) -> str | None:
    """A parameter's specification in words (``uniform from 0.1 to 0.5``), None if not one."""
    numbers = {
        k: v
        for k, v in value.items()
        if isinstance(v, int | float) and not isinstance(v, bool) and k not in _NOTES
    }
    if "dist" in value:
        low, high = numbers.pop("low", None), numbers.pop("high", None)
        shape = ", ".join(f"{k} {_number(v)}" for k, v in numbers.items())
        text = f"{value['dist']}{f' ({shape})' if shape else ''}"
        if low is not None and high is not None:
            text += f" from {_number(low)} to {_number(high)}"
        return text
    if "value" in value and isinstance(value["value"], int | float):
        text = _number(value["value"])
        span = value.get("range")
        if isinstance(span, list) and len(span) == 2:
            text += f" (range {_number(span[0])} to {_number(span[1])})"
        return text
    return None


def readable(value: Any, fallback: Callable[[Any], str]) -> str:
    """A value as a person reads it: ``1``, ``0.25``, ``true``, ``2025-10-18``.

    A parameter's specification is told in words (``uniform from 0.1 to 0.5``, ``0.5 (range 0.3
    to 0.7)``); anything else as ``fallback`` tells it (cut JSON).
    """
    if value is None:
        return "(not set)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return value if len(value) <= 60 else value[:57] + "..."
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        text = _spec_text(value)
        if text is not None:
            return text
    return fallback(value)


def label(name: str, settings: Sequence[str]) -> str:
    """A run's label: the scenario's name and its overrides, ``baseline [a.b=1, c.d=2]``."""
    return name + suffix(settings)


def suffix(settings: Sequence[str]) -> str:
    """What a run's overrides add to its name: `` [a.b=1, c.d=2]``, or nothing without any."""
    return f" [{', '.join(str(s) for s in settings)}]" if settings else ""


def run_label(summary: Mapping[str, Any], name: Callable[[str], str] = str) -> str:
    """A run's label from its summary: ``name(scenario)`` and the overrides it was run with.

    ``name`` may restyle the scenario's name (a figure's title case); the overrides are kept as
    they were given. A summary from before overrides were recorded has none.
    """
    settings = summary.get("settings") or []
    return name(str(summary["scenario"])) + suffix(settings if isinstance(settings, list) else [])
