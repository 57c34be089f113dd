"""Evidence: every quote in a scenario must be found verbatim in the seed articles or its sources.

Matching is whitespace-normalised (runs of spaces, tabs and newlines compare equal) and
otherwise exact: typographic quotes and dashes must be copied as the article prints them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from pathlib import Path

from pydantic import BaseModel

from sim.scenario.params import Evidence, Sourced, uncertainty
from sim.scenario.schema import Faction, RedLine, Scenario, Shock, parameter_paths

PACKAGE_SEEDS = Path(__file__).resolve().parent.parent.parent / "seeds"


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return re.sub(r"\s+", " ", text).strip()


def _seed_text(path: Path) -> str:
    """A seed's or source's normalised text, read again whenever the file changes."""
    stat = path.stat()
    return _read_text(path.resolve(), stat.st_mtime_ns, stat.st_size)


@cache
def _read_text(path: Path, mtime_ns: int, size: int) -> str:
    del mtime_ns, size  # part of the cache key only
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
        if (name == "evidence" or name.endswith("_evidence")) and isinstance(value, tuple):
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


def quote_problems(
    model: BaseModel, seeds_dir: Path | None, sources: Mapping[str, Path | None] | None = None
) -> list[tuple[str, str]]:
    """``(field path, message)`` for every quote not found in its seed file or source.

    An evidence item's ``seed`` names a source the scenario declares (``sources:``, by the path
    as declared; :mod:`sim.scenario.sources`) or else a file of ``seeds_dir``. Without either,
    nothing can be checked and nothing is reported; nor is a quote of a source mapped to None
    (declared, but its file is not at hand: a run reproduced from its summary).
    """
    sources = sources or {}
    if seeds_dir is None and not sources:
        return []
    out: list[tuple[str, str]] = []
    for path, k, item in evidence_items(model):
        where = f"{path}.{k}"
        if item.seed in sources and sources[item.seed] is None:
            continue
        text, label = _text_of(item.seed, seeds_dir, sources)
        if text is None:
            out.append((f"{where}.seed", label))
        elif normalise(item.quote) not in text:
            clipped = _clip(normalise(item.quote))
            out.append((f"{where}.quote", f"quote not found verbatim in {label}: '{clipped}'"))
    return out


def _text_of(
    name: str, seeds_dir: Path | None, sources: Mapping[str, Path | None]
) -> tuple[str | None, str]:
    """The normalised text an evidence item's ``seed`` names and its label, or None and why not."""
    source = sources.get(name)
    if source is not None:
        return _seed_text(source), name
    seed = seeds_dir / name if seeds_dir is not None else None
    if seed is None or "/" in name or "\\" in name or not seed.is_file():
        declared = f" and no source '{name}' in the scenario's sources:" if sources else ""
        return None, f"no seed file '{name}' in {seeds_dir}{declared}"
    return _seed_text(seed), f"seeds/{name}"


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


@dataclass(frozen=True)
class SourceRow:
    """One line of the evidence table: a parameter and one piece of its support."""

    owner: str
    parameter: str
    path: str
    value: float
    low: float
    high: float
    kind: str  # "evidence", "assumption" or "missing"
    seed: str = ""
    quote: str = ""
    reading: str = ""


def _owner(path: str) -> tuple[str, str]:
    parts = path.split(".")
    if parts[0] in ("actors", "issues", "shocks") and len(parts) > 2:
        label = {"actors": "", "issues": "issue ", "shocks": "shock "}[parts[0]]
        return label + parts[1], ".".join(parts[2:])
    return parts[0], ".".join(parts[1:])


def _rows_for(
    path: str, value: float, low: float, high: float, source: Sourced | RedLine | Shock
) -> list[SourceRow]:
    owner, parameter = _owner(path)
    rows = [
        SourceRow(owner, parameter, path, value, low, high, "evidence", e.seed, e.quote, e.reading)
        for e in source.evidence
    ]
    if source.assumption:
        rows.append(
            SourceRow(
                owner, parameter, path, value, low, high, "assumption", reading=source.assumption
            )
        )
    return rows


def source_rows(scenario: Scenario) -> list[SourceRow]:
    """The evidence table: every numeric parameter and red line with its evidence or assumption.

    A parameter without evidence of its own is covered by its shock's evidence (for the numbers
    of a shock), by its red line's (for a red line's bound) or by a matching pattern of
    ``scenario.assumptions``; otherwise its row is ``missing``.
    """
    rows: list[SourceRow] = []
    for path, spec in parameter_paths(scenario).items():
        low, high = uncertainty(spec)
        own = _rows_for(path, spec.central(), low, high, spec)
        if not own and (parent := _covering(scenario, path)) is not None:
            own = _rows_for(path, spec.central(), low, high, parent)
        if not own:
            owner, parameter = _owner(path)
            reason = next(
                (why for pattern, why in scenario.assumptions.items() if fnmatch(path, pattern)),
                None,
            )
            kind = "assumption" if reason else "missing"
            own = [
                SourceRow(
                    owner, parameter, path, spec.central(), low, high, kind, reading=reason or ""
                )
            ]
        rows.extend(own)
    return rows


def _covering(scenario: Scenario, path: str) -> RedLine | Shock | None:
    """The entry whose evidence covers a parameter without its own: its shock or red line."""
    parts = path.split(".")
    if parts[0] == "shocks":
        return scenario.shocks[parts[1]]
    if parts[0] == "actors" and len(parts) == 5 and parts[2] == "red_lines":
        actor = scenario.actors[parts[1]]
        assert isinstance(actor, Faction)
        return actor.red_lines[int(parts[3])]
    return None


def uncovered(scenario: Scenario) -> list[str]:
    """Paths of the parameters that have neither evidence nor an assumption."""
    return [row.path for row in source_rows(scenario) if row.kind == "missing"]
