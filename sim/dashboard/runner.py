"""Ensembles and worlds for the dashboard: plain functions the app runs in background threads.

Figures are drawn and encoded to PNG here, in the worker thread, and closed at once: the page
only receives the image, so a slow figure never holds up the browser. Pyplot is not thread-safe,
so figures are drawn one at a time (two analysts' runs may finish together).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from sim.analysis.explain import WorldStory, explain, told_by_step
from sim.analysis.plots import figure_bytes, plot_outcomes, plot_timing, plot_world
from sim.dashboard import controls
from sim.mechanisms.outcomes import LABELS, OUTCOMES
from sim.mechanisms.rng import BLOCK_SIZE
from sim.runs.ensemble import RunResult, as_loaded, run
from sim.scenario.loader import Loaded

DEFAULT_WORLDS = 2000
DEFAULT_SEED = 20250412
MAX_WORLDS = 100_000
MIN_BLOCK = 1000
BLOCKS_WANTED = 20

_PYPLOT = threading.Lock()


@dataclass(frozen=True)
class RunRequest:
    """Everything a run depends on, as the analyst set it."""

    scenario: Path
    moved: tuple[tuple[str, float], ...] = ()
    shocks: tuple[tuple[str, bool], ...] = ()
    worlds: int = DEFAULT_WORLDS
    seed: int = DEFAULT_SEED

    @classmethod
    def of(
        cls,
        scenario: Path,
        moved: Mapping[str, float],
        shocks: Mapping[str, bool],
        worlds: int,
        seed: int,
    ) -> RunRequest:
        """A request from the app's current settings (mappings frozen into sorted pairs)."""
        return cls(
            scenario, tuple(sorted(moved.items())), tuple(sorted(shocks.items())), worlds, seed
        )


@dataclass(frozen=True, eq=False)
class Ensemble:
    """A finished run: what was asked, the scenario as run, the result and its figures."""

    request: RunRequest
    loaded: Loaded
    result: RunResult
    block_size: int
    overrides: dict[str, float]
    added: list[str]
    removed: list[str]
    outcome_png: bytes = field(repr=False)
    timing_png: bytes = field(repr=False)

    @property
    def seed(self) -> int:
        """The run's root seed."""
        return int(self.result.summary["seed"])


@dataclass(frozen=True, eq=False)
class WorldView:
    """One world of an ensemble, told step by step."""

    story: WorldStory
    told: dict[int, list[str]]


def block_size_for(worlds: int) -> int:
    """Worlds per seed block: about 20 blocks so progress moves, at least 1,000 for speed.

    ``negsim run`` uses 25,000 (:data:`sim.mechanisms.rng.BLOCK_SIZE`); a different block size gives
    different worlds for the same seed, so the dashboard shows the one it used.
    """
    return min(BLOCK_SIZE, max(MIN_BLOCK, -(-worlds // BLOCKS_WANTED)))


def check_request(request: RunRequest) -> list[str]:
    """What is wrong with a request's numbers, in plain words (empty when it can run)."""
    problems = []
    if not 1 <= request.worlds <= MAX_WORLDS:
        problems.append(f"Worlds must be between 1 and {MAX_WORLDS:,}.")
    if request.seed < 0:
        problems.append("The seed must be 0 or more.")
    return problems


def run_request(
    request: RunRequest, on_block: Callable[[int, int], None] | None = None
) -> Ensemble:
    """Run the ensemble a request describes and draw its figures.

    Raises:
        ValueError: if the request's numbers are out of range.
        ScenarioError: if the scenario, a shock or an override is invalid.
    """
    problems = check_request(request)
    if problems:
        raise ValueError(" ".join(problems))
    info = controls.describe(request.scenario)
    chosen = dict(request.shocks)
    overrides = controls.overrides_for(info, dict(request.moved))
    loaded = as_loaded(controls.with_shocks(info, chosen), overrides)
    size = block_size_for(request.worlds)
    result = run(
        loaded, worlds=request.worlds, seed=request.seed, on_block=on_block, block_size=size
    )
    added, removed = controls.shock_changes(info, chosen)
    return Ensemble(
        request,
        loaded,
        result,
        size,
        overrides,
        added,
        removed,
        outcome_png=render_png(lambda: plot_outcomes(result.summary)),
        timing_png=render_png(lambda: plot_timing(result.worlds, loaded.scenario)),
    )


def render_png(draw: Callable[[], Figure]) -> bytes:
    """Draw a figure, encode it as PNG and close it (one figure at a time)."""
    with _PYPLOT:
        fig = draw()
        try:
            return figure_bytes(fig)
        finally:
            plt.close(fig)


def tell_world(ensemble: Ensemble, world: int) -> WorldView:
    """Re-run one world of an ensemble alone, recorded, and tell it as ``negsim explain`` does."""
    story = explain(ensemble.loaded, ensemble.seed, world, ensemble.block_size)
    return WorldView(story, told_by_step(story.model))


def world_png(view: WorldView) -> bytes:
    """The world's figure: stances, offers, clout and risks over time."""
    return render_png(lambda: plot_world(view.story))


def first_world_with(ensemble: Ensemble, outcome: str) -> int | None:
    """The lowest world id that ended in ``outcome``, if any did."""
    worlds = ensemble.result.worlds
    ids = worlds.loc[worlds["outcome"] == outcome, "world"]
    return int(ids.min()) if len(ids) else None


def outcome_rows(summary: Mapping[str, object]) -> list[list[str]]:
    """Rows of the outcome table: label, probability, 95% interval, count, median date."""
    outcomes = summary["outcomes"]
    assert isinstance(outcomes, dict)
    rows = []
    for name in OUTCOMES:
        o = outcomes[name]
        lo, hi = o["ci95"]
        rows.append(
            [
                LABELS[name],
                f"{o['p']:.1%}",
                f"{lo:.1%} to {hi:.1%}",
                f"{o['count']:,}",
                o["median_date"] or "none",
            ]
        )
    return rows


def headline(ensemble: Ensemble) -> str:
    """The probability of a deal with its interval, in one line."""
    deal = ensemble.result.summary["outcomes"]["deal"]
    lo, hi = deal["ci95"]
    return f"P(deal) = {deal['p']:.1%} (95% interval {lo:.1%} to {hi:.1%})"


def metadata(ensemble: Ensemble) -> str:
    """What was run: scenario, worlds, seed, block size, time, overrides and shock changes."""
    s = ensemble.result.summary
    parts = [
        f"scenario {s['scenario']} ({ensemble.request.scenario.name})",
        f"{s['worlds']:,} worlds",
        f"seed {s['seed']}",
        f"block size {ensemble.block_size:,} (negsim run uses {BLOCK_SIZE:,})",
        f"{s['seconds']:.1f} s",
    ]
    if ensemble.overrides:
        parts.append("set " + ", ".join(f"{k} = {v:g}" for k, v in ensemble.overrides.items()))
    if ensemble.added:
        parts.append("shocks added: " + ", ".join(ensemble.added))
    if ensemble.removed:
        parts.append("shocks removed: " + ", ".join(ensemble.removed))
    return " · ".join(parts)
