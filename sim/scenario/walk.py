"""Walk a validated scenario: every numeric parameter by its dotted path."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from sim.scenario.params import Fixed, ParamSpec, as_spec


def _is_param_annotation(annotation: Any) -> bool:
    """Whether a field annotation is :data:`sim.scenario.params.Param` (possibly optional)."""
    if annotation is Fixed:
        return True
    return any(_is_param_annotation(a) for a in typing.get_args(annotation))


def numeric_fields(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, ParamSpec]]:
    """Yield ``(dotted_path, spec)`` for every numeric parameter under ``model``, in field order."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if value is None:
            continue
        if _is_param_annotation(info.annotation) and not isinstance(value, BaseModel | dict):
            yield path, as_spec(value)
        elif _is_param_annotation(info.annotation) and isinstance(value, BaseModel):
            if isinstance(value, Fixed) or hasattr(value, "dist"):
                yield path, value  # type: ignore[misc]
            else:
                yield from numeric_fields(value, f"{path}.")
        else:
            yield from _walk_value(value, path, info.annotation)


def _walk_value(value: Any, path: str, annotation: Any) -> Iterator[tuple[str, ParamSpec]]:
    if isinstance(value, BaseModel):
        yield from numeric_fields(value, f"{path}.")
    elif isinstance(value, dict):
        args = typing.get_args(annotation)
        inner = args[1] if len(args) == 2 else Any
        for key, item in value.items():
            if _is_param_annotation(inner) and not isinstance(item, dict):
                yield f"{path}.{key}", as_spec(item)
            else:
                yield from _walk_value(item, f"{path}.{key}", inner)
    elif isinstance(value, tuple):
        for k, item in enumerate(value):
            yield from _walk_value(item, f"{path}.{k}", Any)
