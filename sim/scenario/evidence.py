"""Evidence: every quote in a scenario must be found verbatim in the seed articles.

Matching is whitespace-normalised (runs of spaces, tabs and newlines compare equal) and
otherwise exact: typographic quotes and dashes must be copied as the article prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from sim.scenario.params import Evidence

PACKAGE_SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


@cache
def _seed_text(path: Path) -> str:
    return normalise(path.read_text(encoding="utf-8"))


def find_seeds_dir(start: Path | None) -> Path | None:
    """The ``seeds/`` folder: beside or above a scenario file, else the checkout's own."""
    if start is not None:
        for folder in [start.resolve().parent, *start.resolve().parents]:
            candidate = folder / "seeds"
            if candidate.is_dir() and any(candidate.glob("*.txt")):
                return candidate
    return PACKAGE_SEEDS if PACKAGE_SEEDS.is_dir() else None


def evidence_items(model: BaseModel, prefix: str = "") -> Iterator[tuple[str, int, Evidence]]:
    """Yield ``(path of the evidence list, index, item)`` for every evidence item in a model."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if name == "evidence" and isinstance(value, tuple):
            for k, item in enumerate(value):
                yield path, k, item
        else:
            yield from _walk(value, path)


def _walk(value: object, path: str) -> Iterator[tuple[str, int, Evidence]]:
    if isinstance(value, BaseModel):
        yield from evidence_items(value, f"{path}.")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, f"{path}.{key}")
    elif isinstance(value, tuple):
        for k, item in enumerate(value):
            yield from _walk(item, f"{path}.{k}")


def quote_problems(model: BaseModel, seeds_dir: Path) -> list[tuple[str, str]]:
    """``(field path, message)`` for every quote not found in its seed file."""
    out: list[tuple[str, str]] = []
    for path, k, item in evidence_items(model):
        seed = seeds_dir / item.seed
        where = f"{path}.{k}"
        if "/" in item.seed or "\\" in item.seed or not seed.is_file():
            out.append((f"{where}.seed", f"no seed file '{item.seed}' in {seeds_dir}"))
            continue
        if normalise(item.quote) not in _seed_text(seed):
            out.append(
                (
                    f"{where}.quote",
                    f"quote not found verbatim in seeds/{item.seed}: "
                    f"'{_clip(normalise(item.quote))}'",
                )
            )
    return out


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
