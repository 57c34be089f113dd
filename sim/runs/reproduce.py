"""Re-run an ensemble from its ``summary.json`` alone.

The summary embeds the merged scenario (``scenario_data``), its hash, the root seed, the
number of worlds and the block size, so nothing else is needed: the re-run writes a
``worlds.parquet`` byte-identical to the original's, provided the package version is the same
(a different version is reported, since the model may have changed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.runs.ensemble import MAX_SEED, MAX_WORLDS, RunResult, count_problems, run, version
from sim.scenario.loader import (
    Loaded,
    Problem,
    ScenarioError,
    load_scenario,
    read_limited,
    scenario_sha256,
)

REQUIRED = ("scenario_data", "scenario_sha256", "seed", "worlds", "block_size", "version")
COUNTS = {"seed": (0, MAX_SEED), "worlds": (1, MAX_WORLDS), "block_size": (1, MAX_WORLDS)}
"""The summary's integer fields and the least and greatest value each may take."""
MAX_SUMMARY_BYTES = 50_000_000
"""Largest summary.json read (a baseline summary is about 100 KB)."""


class SummaryError(ScenarioError):
    """A summary.json cannot be reproduced; ``problems`` lists every problem found."""

    label = "invalid summary file"


@dataclass(frozen=True)
class Reproduction:
    """The re-run and what differs from the original record (empty when nothing does)."""

    result: RunResult
    warnings: list[str]


def read_summary(path: Path) -> dict[str, Any]:
    """Read and check a summary.json (SummaryError naming the file and key if it cannot be used)."""
    file = str(path)
    summary = _read_json(path)
    if not isinstance(summary, dict):
        raise SummaryError([Problem(file, "", "not a summary.json object")])
    missing = [key for key in REQUIRED if key not in summary]
    if missing:
        raise SummaryError(
            [Problem(file, key, "missing: this summary cannot be reproduced") for key in missing]
        )
    problems = _field_problems(summary, file)
    if problems:
        raise SummaryError(problems)
    if scenario_sha256(summary["scenario_data"]) != summary["scenario_sha256"]:
        raise SummaryError(
            [Problem(file, "scenario_data", "does not match scenario_sha256 (edited?)")]
        )
    return summary


def _read_json(path: Path) -> Any:
    """The parsed JSON of a file (SummaryError if missing, not a regular file, too large, bad).

    A FIFO or a device is refused unread, and at most the limit is read.
    """
    file = str(path)
    try:
        data = read_limited(path, MAX_SUMMARY_BYTES, "a summary.json")
    except ScenarioError as exc:
        raise SummaryError(exc.problems) from None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError included
        raise SummaryError([Problem(file, "", f"not a readable summary.json: {exc}")]) from None


def _field_problems(summary: dict[str, Any], file: str) -> list[Problem]:
    """Type checks of the fields a re-run uses.

    Seed, worlds and block size are true integers (not booleans, not 1.5) at least their
    minimum; the scenario is an object, the hash and version text, the outcomes objects.
    """
    out: list[Problem] = []
    for key, (least, most) in COUNTS.items():
        value = summary[key]
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(Problem(file, key, f"must be an integer, got {json.dumps(value)[:40]}"))
        elif value < least:
            out.append(Problem(file, key, f"must be at least {least}, got {value}"))
        elif value > most:
            message = f"must be at most {most:,} (the limit of one run), got {str(value)[:40]}"
            out.append(Problem(file, key, message))
    if not out:  # the blocks: a summary of 10,000,000 worlds in blocks of 1 is refused too
        for message in count_problems(summary["worlds"], summary["block_size"]):
            key, _, text = message.partition(": ")
            out.append(Problem(file, key, text))
    if not isinstance(summary["scenario_data"], dict):
        out.append(Problem(file, "scenario_data", "must be the scenario as a JSON object"))
    for key in ("scenario_sha256", "version"):
        if not isinstance(summary[key], str):
            out.append(Problem(file, key, "must be a string"))
    outcomes = summary.get("outcomes", {})
    if not isinstance(outcomes, dict) or not all(isinstance(o, dict) for o in outcomes.values()):
        out.append(Problem(file, "outcomes", "must map each outcome to an object"))
    return out


def recorded_sources(summary: dict[str, Any]) -> dict[str, Path | None]:
    """The sources a run's scenario quotes, by name, recorded in its summary (``sources``).

    Their files are not needed to re-run: the scenario's quotes were checked when it ran, and
    ``scenario_sha256`` pins the scenario; so they are not checked again (None each).
    """
    names = summary.get("sources", [])
    return (
        dict.fromkeys((n for n in names if isinstance(n, str)), None)
        if isinstance(names, list)
        else {}
    )


def _load(summary: dict[str, Any], file: str) -> Loaded:
    """The summary's embedded scenario, validated; its problems are filed under the summary."""
    try:
        return load_scenario(summary["scenario_data"], sources=recorded_sources(summary))
    except ScenarioError as exc:
        raise SummaryError(
            [Problem(file, f"scenario_data.{p.path}".rstrip("."), p.message) for p in exc.problems]
        ) from None


def reproduce(path: Path, jobs: int = 1) -> Reproduction:
    """Re-run the ensemble a summary.json describes."""
    summary = read_summary(path)
    loaded = _load(summary, str(path))
    result = run(
        loaded,
        worlds=summary["worlds"],
        seed=summary["seed"],
        jobs=jobs,
        block_size=summary["block_size"],
    )
    result.summary["scenario"] = summary.get("scenario", result.summary["scenario"])
    for key in ("settings", "label"):  # the overrides are in scenario_data; keep their label
        if key in summary:
            result.summary[key] = summary[key]
    result.summary["scenario_file"] = summary.get("scenario_file", "<summary.json>")
    warnings = []
    if summary["version"] != version():
        warnings.append(
            f"recorded with negsim {summary['version']}, re-run with {version()}: "
            "results may differ"
        )
    for name, recorded in summary.get("outcomes", {}).items():
        now = result.summary["outcomes"].get(name, {})
        if recorded.get("count") != now.get("count"):
            warnings.append(
                f"{name}: {recorded.get('count')} worlds recorded, {now.get('count')} now"
            )
    return Reproduction(result, warnings)
