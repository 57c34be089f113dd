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

from sim.ensemble import RunResult, run, version
from sim.scenario.loader import Problem, ScenarioError, load_scenario, scenario_sha256

REQUIRED = ("scenario_data", "scenario_sha256", "seed", "worlds", "block_size", "version")


@dataclass(frozen=True)
class Reproduction:
    """The re-run and what differs from the original record (empty when nothing does)."""

    result: RunResult
    warnings: list[str]


def read_summary(path: Path) -> dict[str, Any]:
    """Read and check a summary.json (ScenarioError naming the file if it cannot be used)."""
    file = str(path)
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError([Problem(file, "", "file not found")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioError([Problem(file, "", f"not a readable summary.json: {exc}")]) from None
    if not isinstance(summary, dict):
        raise ScenarioError([Problem(file, "", "not a summary.json object")])
    missing = [key for key in REQUIRED if key not in summary]
    if missing:
        raise ScenarioError(
            [Problem(file, key, "missing: this summary cannot be reproduced") for key in missing]
        )
    if scenario_sha256(summary["scenario_data"]) != summary["scenario_sha256"]:
        raise ScenarioError(
            [Problem(file, "scenario_data", "does not match scenario_sha256 (edited?)")]
        )
    return summary


def reproduce(path: Path, jobs: int = 1) -> Reproduction:
    """Re-run the ensemble a summary.json describes."""
    summary = read_summary(path)
    loaded = load_scenario(summary["scenario_data"])
    result = run(
        loaded,
        worlds=int(summary["worlds"]),
        seed=int(summary["seed"]),
        jobs=jobs,
        block_size=int(summary["block_size"]),
    )
    result.summary["scenario"] = summary.get("scenario", result.summary["scenario"])
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
