"""The dotted paths a loaded scenario may be overridden at: one list for ``--set`` and sweeps.

``--set PATH=VALUE``, a scenario's ``overrides:`` and a sweep's parameters all write a value at a
dotted path of the merged scenario mapping with :func:`sim.scenario.loader.set_path`, which
accepts a path whose parent exists; the value is then validated. So the paths that can take a
value are the paths of the merged mapping itself and the schema's fields left at their defaults
under a mapping that exists (``actors.oman.patience`` where the file does not write it). Spelling
hints for every one of these commands come from :func:`suggest_path` over this same list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from sim.scenario.loader import Loaded
from sim.scenario.overrides import closest


def override_paths(loaded: Loaded) -> list[str]:
    """Every dotted path of ``loaded`` that ``--set`` (and a sweep) accepts, in file order.

    The merged mapping's paths first (every key and list item, at every depth), then each
    schema field left at its default whose parent is in the mapping.
    """
    written = list(_walk(loaded.raw))
    seen = set(written)
    dumped = loaded.scenario.model_dump(mode="python", exclude_none=False)
    defaults = [
        p for p in _walk(dumped) if p not in seen and (p.rpartition(".")[0] in seen or "." not in p)
    ]
    return written + defaults


def suggest_path(path: str, paths: list[str]) -> str | None:
    """The path of ``paths`` nearest to ``path`` in spelling, or None.

    The ``--set`` hint's own rule (:func:`sim.scenario.overrides.closest`) over this list.
    """
    near = closest(path, paths, 1)
    return near[0] if near else None


def value_at(model: BaseModel, path: str) -> Any:
    """The validated value at a dotted path of a scenario model (KeyError if there is none)."""
    node: Any = model
    for part in path.split("."):
        if isinstance(node, BaseModel) and part in type(node).model_fields:
            node = getattr(node, part)
        elif isinstance(node, Mapping) and part in node:
            node = node[part]
        elif isinstance(node, list | tuple) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(path)
    return node


def _walk(node: Any, prefix: str = "") -> Iterator[str]:
    """Every dotted path under a plain mapping/list tree, parents before children.

    A key holding a dot (the ``assumptions:`` mapping's ``actors.us.pressure_*``) cannot be
    addressed by a dotted path: it and what is under it are left out.
    """
    if isinstance(node, Mapping):
        items: Any = ((str(k), v) for k, v in node.items())
    elif isinstance(node, list | tuple):
        items = ((str(k), v) for k, v in enumerate(node))
    else:
        return
    for key, value in items:
        if "." in key:
            continue
        path = f"{prefix}{key}"
        yield path
        yield from _walk(value, f"{path}.")
