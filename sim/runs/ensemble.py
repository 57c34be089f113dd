"""Ensembles: seeded blocks of worlds, on one process or many (docs/model.md §1.3, §3.4.25).

``sim.run(scenario, worlds=..., seed=...)`` is the Python entry point; ``negsim run`` calls it.
Block ``b`` holds worlds ``b·BLOCK_SIZE ...`` and depends only on (scenario, root seed, b), so
``jobs`` changes the wall time and nothing else.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import subprocess
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from sim.engine.events import event_types
from sim.engine.model import COLLAPSE_CAUSES, NegotiationModel
from sim.mechanisms.outcomes import OUTCOMES, STATES, TOTALS
from sim.mechanisms.rng import BLOCK_SIZE, block_seed, draw_root_seed
from sim.runs.events import (
    by_dates,
    concat_events,
    empty_events,
    estimate,
    event_table,
    states,
)
from sim.runs.observing import ObservingModel, Watch
from sim.scenario.loader import Loaded, load_scenario
from sim.scenario.overrides import label
from sim.scenario.params import Fixed
from sim.scenario.schema import Scenario, parameter_paths

ScenarioLike = str | Path | Mapping[str, Any] | Loaded | Scenario
MAX_WORLDS = 10_000_000
"""Most worlds one ensemble may have: its worlds table is held in memory (about 400 bytes a
baseline world, so 4 GB at this limit); more would end in MemoryError after minutes."""
MAX_BLOCKS = 10_000
"""Most seed blocks one ensemble may have (each block is a model and a table of its own)."""
MAX_SEED = 2**63 - 1
"""Largest root seed (the sweeps' limit too)."""


@dataclass
class RunResult:
    """An ensemble's summary, its per-world table and its events (``events.parquet``).

    The summary holds the outcome probabilities and the run's metadata; the events table one row
    per event of a world.
    """

    summary: dict[str, Any]
    worlds: pd.DataFrame
    events: pd.DataFrame = field(default_factory=empty_events)

    def outcome_table(self) -> pd.DataFrame:
        """One row per outcome: probability, 95% Wilson interval, count, median step and date."""
        rows = [
            {
                "outcome": name,
                "p": o["p"],
                "ci_low": o["ci95"][0],
                "ci_high": o["ci95"][1],
                "count": o["count"],
                "median_step": o["median_step"],
                "median_date": o["median_date"],
            }
            for name, o in self.summary["outcomes"].items()
        ]
        return pd.DataFrame(rows)


def version() -> str:
    """The installed package version."""
    try:
        return metadata.version("negsim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


def git_commit(root: Path | None = None) -> str | None:
    """The commit of the source tree, when it is a git checkout; ``<commit>-dirty`` if modified.

    A tree is dirty when a tracked file differs from the commit (untracked files do not count,
    as with ``git describe --dirty``). The check takes no lock and writes nothing to the
    repository (``GIT_OPTIONAL_LOCKS=0``). ``root`` defaults to this package's checkout.
    """
    root = root or Path(__file__).resolve().parent.parent
    head = _git(root, "rev-parse", "HEAD")
    if not head:
        return None
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return head if status == "" else f"{head}-dirty"


def _git(root: Path, *args: str) -> str | None:
    """The stripped output of a read-only git command in ``root``; None if it fails."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def as_loaded(scenario: ScenarioLike, overrides: Mapping[str, Any] | None = None) -> Loaded:
    """Load a scenario from a path, a mapping, a :class:`Loaded` or a :class:`Scenario`."""
    if isinstance(scenario, Loaded) and not overrides:
        return scenario
    if isinstance(scenario, Loaded):
        again = load_scenario(scenario.raw, overrides, sources=scenario.sources)
        again.settings[:0] = scenario.settings  # the run is labelled with every override
        return again
    if isinstance(scenario, Scenario):
        return load_scenario(scenario.model_dump(mode="json", exclude_defaults=False), overrides)
    return load_scenario(scenario, overrides)


def block_count(worlds: int, block_size: int = BLOCK_SIZE) -> int:
    """Seed blocks covering ``worlds`` worlds, ``block_size`` a block (the last may be short)."""
    return -(-worlds // block_size)


def blocks_for(worlds: int, block_size: int = BLOCK_SIZE) -> Iterator[tuple[int, int]]:
    """``(block, size)`` pairs covering ``worlds`` worlds, made one at a time (never a list)."""
    for b in range(block_count(worlds, block_size)):
        yield b, min(block_size, worlds - b * block_size)


def count_problems(worlds: int, block_size: int = BLOCK_SIZE, seed: int | None = None) -> list[str]:
    """Why an ensemble of these counts cannot be run (``field: message`` strings), or nothing.

    Checked before anything is allocated: a count of 10^12 worlds or a seed block of one world
    each would otherwise end in MemoryError. The limits are :data:`MAX_WORLDS`,
    :data:`MAX_BLOCKS` and :data:`MAX_SEED` (docs/reliability.md).
    """
    out = []
    if not 1 <= worlds <= MAX_WORLDS:
        out.append(f"worlds: must be 1 to {MAX_WORLDS:,} (the limit of one ensemble), got {worlds}")
    if not 1 <= block_size <= MAX_WORLDS:
        out.append(f"block_size: must be 1 to {MAX_WORLDS:,}, got {block_size}")
    elif not out and block_count(worlds, block_size) > MAX_BLOCKS:
        out.append(
            f"block_size: {worlds:,} worlds in blocks of {block_size:,} make "
            f"{block_count(worlds, block_size):,} blocks, more than the {MAX_BLOCKS:,} allowed"
        )
    if seed is not None and not 0 <= seed <= MAX_SEED:
        out.append(f"seed: must be 0 to {MAX_SEED} (2^63 - 1), got {str(seed)[:40]}")
    return out


class Block(NamedTuple):
    """One block's rows of the worlds table and of the events table."""

    worlds: pd.DataFrame
    events: pd.DataFrame


def run_block(
    spec: Scenario,
    root: int,
    block: int,
    size: int,
    block_size: int = BLOCK_SIZE,
    watch: Watch | None = None,
) -> Block:
    """Run one block of worlds to its end and return its rows of the worlds and events tables.

    ``watch`` (conditioning only) adds the sessions and offers observations need as columns of
    the worlds table (:mod:`sim.runs.observing`); the worlds are the same with it or without.
    """
    seed, local = block_seed(root, block), np.arange(size)
    if watch is None:
        model: NegotiationModel = NegotiationModel(spec, seed, local)
    else:
        model = ObservingModel(spec, seed, local).watching(watch)
    model.run()
    worlds = world_table(model, block, block_size)
    if isinstance(model, ObservingModel):
        worlds = worlds.assign(**model.observed_columns())
    table = Block(worlds, event_table(model, block, block_size))
    release(model)
    return table


def release(model: NegotiationModel) -> None:
    """Free a finished model's arrays now: drop its and its agents' attributes.

    A model and its agents refer to each other, so reference counting never frees a finished
    block: blocks would pile up (about 115 MB per 25,000 baseline worlds) until the cyclic
    collector happens to run, and peak memory would grow with the worlds. A full collection
    (``gc.collect()``) frees them too but walks every object of the process, 0.1 to 0.3 s per
    block; emptying the objects frees their arrays at once and leaves small shells to the
    collector. The model is unusable afterwards.
    """
    for agent in list(model.agents):
        agent.__dict__.clear()
    model.__dict__.clear()


def world_table(model: NegotiationModel, block: int, block_size: int = BLOCK_SIZE) -> pd.DataFrame:
    """One row per world: outcome, state, step, date, terms, events and the parameters it drew.

    ``outcome`` is the world's first decisive event (version 1's outcome); ``state`` its state at
    the horizon (:data:`~sim.mechanisms.outcomes.STATES`).
    """
    spec = model.spec
    n = model.n_worlds
    step = model.end_step
    start = np.datetime64(spec.calendar.start, "D")
    cols: dict[str, Any] = {
        "world": block * block_size + np.arange(n, dtype=np.int64),
        "block": np.full(n, block, dtype=np.int32),
        "outcome": pd.Categorical(np.array(OUTCOMES)[model.outcome - 1], categories=list(OUTCOMES)),
        "state": pd.Categorical(np.array(STATES)[model.phase], categories=list(STATES)),
        "step": step,
        "date": start + step.astype("timedelta64[D]") * spec.calendar.step_days,
        "joint": model.joint,
    }
    for k, issue in enumerate(model.issue_ids):
        cols[f"terms.{issue}"] = model.terms[:, k]
    first = model.first_view()  # as at the first decisive event, version 1's columns
    for key in ("progress", "pressure", "us_hawk_share", "snapback_step", "backing_step"):
        cols[key] = first[key]
    cols["collapse_step"] = first["collapse_step"]
    cols["collapse_cause"] = np.array(COLLAPSE_CAUSES, dtype=object)[first["collapse_cause"]]
    for key in ("offers", "vetoes", "walkout_threats"):
        cols[key] = first[key]
    for name in model.shock_step:
        cols[f"shock.{name}"] = first[f"shock.{name}"]
    cols["bog_step"] = first["bog_step"]
    for pid in model.mediation_step:
        cols[f"mediation.{pid}"] = first[f"mediation.{pid}"]
    for pid in model.distance_step:
        cols[f"distance.{pid}"] = first[f"distance.{pid}"]
    cols["events"] = _events(model, first)
    specs = parameter_paths(spec)
    for path, values in model.drawn.items():
        if not isinstance(specs[path], Fixed):
            cols[f"param.{path}"] = values
    return pd.DataFrame(cols)


def _events(model: NegotiationModel, first: dict[str, np.ndarray]) -> np.ndarray:
    """A compact text of each world's non-terminal events, in order: ``name@step;...``.

    The events up to the first decisive event (``first``: :meth:`NegotiationModel.first_view`),
    as version 1 reports them; events.parquet has the whole episode. Worlds with the same event
    steps and collapse cause share one text, built once.
    """
    named: list[tuple[str, np.ndarray]] = [
        ("snapback", first["snapback_step"]),
        ("backing", first["backing_step"]),
    ]
    named += [(f"shock:{k}", first[f"shock.{k}"]) for k in model.shock_step]
    named.append(("collapse", first["collapse_step"]))
    steps = np.stack([v for _, v in named], axis=1).astype(np.int64)
    out = np.full(model.n_worlds, "", dtype=object)
    some = np.flatnonzero((steps >= 0).any(axis=1))
    keys = np.column_stack([steps[some], first["collapse_cause"][some]])
    rows, inverse = _unique_rows(keys)
    texts = [_events_text([name for name, _ in named], row) for row in rows.tolist()]
    out[some] = np.array(texts, dtype=object)[inverse]
    return out


def _unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of an integer array (n, k), and each row's index among them.

    A lexicographic sort, much faster than ``np.unique(axis=0)`` on structured rows.
    """
    order = np.lexsort(keys.T[::-1])
    ranked = keys[order]
    new = np.ones(len(ranked), dtype=bool)
    new[1:] = (ranked[1:] != ranked[:-1]).any(axis=1)
    inverse = np.empty(len(ranked), dtype=np.intp)
    inverse[order] = np.cumsum(new) - 1
    return ranked[new], inverse


def _events_text(names: list[str], row: list[int]) -> str:
    """The text of one row of event steps followed by its collapse cause's code."""
    *steps, cause = row
    last = len(names) - 1  # the collapse, labelled with its cause
    labels = [f"{n}:{COLLAPSE_CAUSES[cause]}" if j == last else n for j, n in enumerate(names)]
    hits = sorted((s, j) for j, s in enumerate(steps) if s >= 0)
    return ";".join(f"{labels[j]}@{s}" for s, j in hits)


def summarise(worlds: pd.DataFrame, spec: Scenario) -> dict[str, Any]:
    """Each outcome's probability, 95% Wilson interval, count, median step and date."""
    return {name: _estimate(worlds, (name,), spec) for name in OUTCOMES}


def summarise_totals(worlds: pd.DataFrame, spec: Scenario) -> dict[str, Any]:
    """The same for each sum of outcomes of :data:`sim.mechanisms.outcomes.TOTALS`.

    ``israeli_initiated`` (Israeli strikes alone and joined) and ``strike`` (every strike).
    """
    return {key: _estimate(worlds, members, spec) for key, (_, members) in TOTALS.items()}


def by_date(worlds: pd.DataFrame, spec: Scenario, date: dt.date) -> dict[str, Any]:
    """First-event probabilities by a date: the share of all worlds whose outcome came by then.

    A world's outcome comes at its end step (a breakdown: the step talks collapsed, as in the
    timing figure); "by ``date``" is at a step up to the one whose period holds ``date``. Only
    what happened by then counts: talks that collapsed by then with no deal or strike by then
    are a breakdown by then, whatever followed (a later strike, or nothing before the horizon).
    Returns the date, that step, ``outcomes`` and ``totals`` as :func:`summarise` and
    :func:`summarise_totals` give them, and ``no_outcome_yet``, the worlds with none by then.
    """
    last = spec.date_to_step(date)
    worlds = as_of(worlds, last)
    ended = worlds["step"].to_numpy() <= last
    return {
        "date": date.isoformat(),
        "step": last,
        "outcomes": {name: _estimate(worlds, (name,), spec, ended) for name in OUTCOMES},
        "totals": {k: _estimate(worlds, m, spec, ended) for k, (_, m) in TOTALS.items()},
        "no_outcome_yet": _estimate(worlds, tuple(OUTCOMES), spec, ~ended),
    }


def as_of(worlds: pd.DataFrame, last: int) -> pd.DataFrame:
    """The worlds as they stood at step ``last``: collapsed talks not yet ended are a breakdown."""
    if "collapse_step" not in worlds:
        return worlds
    collapse = worlds["collapse_step"].to_numpy()
    later = (collapse >= 0) & (collapse <= last) & (worlds["step"].to_numpy() > last)
    if not later.any():
        return worlds
    worlds = worlds.copy()
    worlds.loc[later, "outcome"] = "breakdown"
    worlds.loc[later, "step"] = collapse[later]
    return worlds


def _estimate(
    worlds: pd.DataFrame,
    members: tuple[str, ...],
    spec: Scenario,
    among: np.ndarray | None = None,
) -> dict[str, Any]:
    """p, Wilson 95% interval, count, median step and date of the worlds ending in ``members``.

    ``among`` (a mask) counts only those worlds; p is still a share of all the worlds.
    """
    n = len(worlds)
    mask = worlds["outcome"].isin(members).to_numpy()
    if among is not None:
        mask = mask & among
    steps = worlds.loc[mask, "step"].to_numpy()
    count = len(steps)
    median = float(np.median(steps)) if count else None
    date = None
    if median is not None:
        days = round(median * spec.calendar.step_days)
        date = (spec.calendar.start + dt.timedelta(days=days)).isoformat()
    return {**estimate(count, n), "median_step": median, "median_date": date}


def run(
    scenario: ScenarioLike,
    worlds: int = 1000,
    seed: int | None = None,
    *,
    jobs: int = 1,
    overrides: Mapping[str, Any] | None = None,
    on_block: Callable[[int, int], None] | None = None,
    block_size: int = BLOCK_SIZE,
    watch: Watch | None = None,
) -> RunResult:
    """Run an ensemble of ``worlds`` worlds of a scenario.

    Args:
        scenario: a scenario file path, a mapping, or an already loaded scenario.
        worlds: number of worlds.
        seed: root seed; drawn from the OS (and recorded in the summary) when None.
        jobs: processes to spread the seed blocks over (results do not depend on it).
        overrides: dotted-path overrides applied on top of the scenario.
        on_block: called with (blocks done, blocks total) as blocks finish.
        block_size: worlds per seed block (changing it changes the results; it is recorded).
        watch: sessions and offers to keep as worlds-table columns (conditioning only).

    Returns:
        The summary (``summary.json``'s content) and the per-world DataFrame.
    """
    if problems := count_problems(worlds, block_size, seed):
        raise ValueError("; ".join(problems))
    loaded = as_loaded(scenario, overrides)
    root = draw_root_seed() if seed is None else int(seed)
    started = dt.datetime.now(dt.UTC)
    blocks = _run_blocks(loaded.scenario, root, worlds, jobs, on_block, block_size, watch)
    table = pd.concat([b.worlds for b in blocks], ignore_index=True)
    events = concat_events([b.events for b in blocks])
    finished = dt.datetime.now(dt.UTC)
    summary = {
        "scenario": loaded.scenario.name,
        "scenario_file": loaded.source,
        "scenario_sha256": loaded.sha256,
        "seed": root,
        "worlds": worlds,
        "block_size": block_size,
        "version": version(),
        "git_commit": git_commit(),
        "overrides": loaded.overrides,
        "settings": loaded.settings,
        "label": label(loaded.scenario.name, loaded.settings),
        "started": started.isoformat(timespec="seconds"),
        "finished": finished.isoformat(timespec="seconds"),
        "seconds": round((finished - started).total_seconds(), 3),
        "outcomes": summarise(table, loaded.scenario),
        "totals": summarise_totals(table, loaded.scenario),
        "states": states(table),
        "event_types": event_types(loaded.scenario),
        "events_by_date": by_dates(events, loaded.scenario, worlds),
        "scenario_data": loaded.raw,
    }
    if loaded.sources:  # quoted by its evidence: reproduce() knows them without their files
        summary["sources"] = list(loaded.sources)
    return RunResult(summary, table, events)


def _run_blocks(
    spec: Scenario,
    root: int,
    worlds: int,
    jobs: int,
    on_block: Callable[[int, int], None] | None,
    block_size: int,
    watch: Watch | None = None,
) -> list[Block]:
    results: dict[int, Block] = {}
    total = block_count(worlds, block_size)
    if jobs <= 1 or total == 1:
        for block, size in blocks_for(worlds, block_size):
            results[block] = run_block(spec, root, block, size, block_size, watch)
            if on_block:
                on_block(len(results), total)
    else:
        # 'spawn' avoids forking a process that may hold threads (BLAS, pyarrow).
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=context) as pool:
            futures = {
                pool.submit(run_block, spec, root, b, s, block_size, watch): b
                for b, s in blocks_for(worlds, block_size)
            }
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                if on_block:
                    on_block(len(results), total)
    return [results[b] for b in range(total)]


def default_jobs() -> int:
    """Processes to use by default: the machine's cores."""
    return max(1, os.cpu_count() or 1)
