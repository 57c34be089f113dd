"""``negsim plot`` and ``negsim report``: the figures of results directories, an HTML report.

``negsim plot RESULTS... [--out DIR] [--world K]...`` draws the figures of run directories
(``summary.json`` and ``worlds.parquet``, from ``negsim run``) and sweep directories
(``sweep.json`` and ``points.parquet``, from ``negsim sweep`` or ``negsim sensitivity``) as PNG
and SVG; ``--world K`` also re-runs world K of each run from its ``summary.json`` and draws it;
``--episode [K]`` draws world K's whole episode from the run's ``events.parquet`` alone.
``negsim report SCENARIO... [--worlds N] [--seed S] [--out report.html]`` runs the scenarios
and writes one self-contained HTML report (:mod:`sim.analysis.report`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from rich.console import Console

from sim.cli.errors import UsageError, markup_free, nonempty_path
from sim.cli.run import check_counts
from sim.scenario.overrides import run_label

if TYPE_CHECKING:
    from sim.scenario.loader import Loaded
    from sim.scenario.observations import LoadedObservations

RUN_FILES = ("summary.json", "worlds.parquet")
SWEEP_FILES = ("sweep.json", "points.parquet")
SENSITIVITY_FILE = "sensitivity.parquet"
EPISODE_DEFAULT = "default"
"""``--episode`` without a world id: each run's first world with a strike, a ceasefire and
talks resuming (:func:`sim.analysis.plots.interesting_world`)."""


Saver = Callable[[Any, str | Path], list[Path]]
"""``sim.analysis.plots.save_figure``: write a figure as PNG and SVG, return the files."""


class ResultsError(UsageError):
    """A results directory is missing or is not the output of a run or a sweep."""


# ------------------------------------------------------------------------------------- plot


def add_plot_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim plot RESULTS... [--out DIR] [--world K]... [--episode [K]] [--partial]``."""
    p.add_argument("results", type=Path, nargs="+", metavar="RESULTS", help="output directories")
    p.add_argument(
        "--out",
        type=nonempty_path,
        default=None,
        metavar="DIR",
        help="where to write the figures (default: DIR/figures of the first results directory)",
    )
    p.add_argument(
        "--world",
        type=int,
        action="append",
        default=None,
        metavar="K",
        help=(
            "also re-run world K of each run directory (from its summary.json) and draw it "
            "over time as <name>_world<K>.png and .svg; repeat for several worlds"
        ),
    )
    p.add_argument(
        "--episode",
        nargs="?",
        const=EPISODE_DEFAULT,
        default=None,
        metavar="K",
        help=(
            "also draw world K's whole episode on a timeline from each run's events.parquet "
            "(its phases as coloured bands, its events as labelled markers) as "
            "<name>_episode<K>.png and .svg; without K, the first world with a strike, a "
            "ceasefire and talks resuming (put --episode after the directories)"
        ),
    )
    p.add_argument(
        "--partial",
        action="store_true",
        help=(
            "draw a sweep that has not finished (sweep.json not 'complete') from the points "
            "finished so far; every figure's title says so"
        ),
    )


def plot_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim plot``: write the figures and list them.

    Raises:
        ResultsError: a directory cannot be read or drawn (``negsim`` reports it, status 2).
    """
    out = args.out if args.out is not None else args.results[0] / "figures"
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} exists and is not a directory")
    worlds = list(dict.fromkeys(args.world or []))
    if any(k < 0 for k in worlds):
        raise UsageError("--world must be at least 0")
    options: dict[str, Any] = {}  # only those given: tests stand in for plot_results
    if args.partial:
        options["partial"] = True
    if args.episode is not None:
        options["episode"] = _episode_world(args.episode)
    paths = plot_results(args.results, out, worlds=worlds, **options)
    console.print(f"wrote {len(paths)} files to {markup_free(out)}:", highlight=False)
    for path in paths:
        console.print(f"  {markup_free(path)}", highlight=False, soft_wrap=True)
    return 0


def _episode_world(text: str) -> int | None:
    """``--episode``'s world id (``None``: the default world of each run)."""
    if text == EPISODE_DEFAULT:
        return None
    try:
        world = int(text)
    except ValueError:
        raise UsageError(
            f"--episode '{text}' is not a world id (give K after the run directories)"
        ) from None
    if world < 0:
        raise UsageError("--episode must be at least 0")
    return world


@dataclass(frozen=True)
class RunDir:
    """The files of a run directory, read."""

    path: Path
    summary: dict[str, Any]
    worlds: pd.DataFrame


@dataclass(frozen=True)
class SweepDir:
    """The files of a sweep directory, read; ``partial`` when the sweep has not finished."""

    path: Path
    meta: dict[str, Any]
    points: pd.DataFrame
    sensitivity: pd.DataFrame | None
    partial: bool = False


def read_results(path: Path, partial: bool = False) -> RunDir | SweepDir:
    """Read a run or a sweep output directory.

    A sweep must be complete (``sweep.json`` says so) unless ``partial``: while a sweep runs,
    or after it was stopped, ``points.parquet`` holds only the points finished so far.

    Raises:
        ResultsError: the directory is missing, or holds neither a run's nor a sweep's files,
            or they cannot be read, or it holds a sweep that is not complete and not
            ``partial``.
    """
    if not path.exists():
        raise ResultsError(f"{path}: no such directory")
    if not path.is_dir():
        raise ResultsError(f"{path}: not a directory (give a run's or a sweep's output folder)")
    if all((path / f).exists() for f in RUN_FILES):
        summary = _read_json(path / "summary.json")
        for key in ("scenario", "worlds", "seed", "outcomes"):
            if key not in summary:
                raise ResultsError(f"{path / 'summary.json'}: no '{key}' (not a run's summary)")
        return RunDir(path, summary, _read_parquet(path / "worlds.parquet"))
    if (path / "points.parquet").exists():
        meta = _read_json(path / "sweep.json") if (path / "sweep.json").exists() else {}
        unfinished = _unfinished(path, meta)
        if unfinished is not None and not partial:
            raise ResultsError(
                f"{path}: {unfinished}: resume it (negsim sweep SPEC --out {path} --resume), "
                "or pass --partial to draw the points finished so far"
            )
        points = _read_parquet(path / "points.parquet")
        sens = path / SENSITIVITY_FILE
        sensitivity = _read_parquet(sens) if sens.exists() else None
        return SweepDir(path, meta, points, sensitivity, partial=unfinished is not None)
    raise ResultsError(
        f"{path}: not a run's output ({' and '.join(RUN_FILES)}) nor a sweep's "
        f"({' and '.join(SWEEP_FILES)})"
    )


def _unfinished(path: Path, meta: dict[str, Any]) -> str | None:
    """Why a sweep directory's ``points.parquet`` may not hold every point, or None."""
    if not meta:
        return "the sweep is not complete (no sweep.json: it was stopped, or is damaged)"
    status = meta.get("status")
    if status == "complete":
        return None
    done, units = meta.get("units_done"), meta.get("units")
    progress = f", {done:,} of {units:,} units done" if _counts(done, units) else ""
    return f"the sweep is not complete (sweep.json says {status!r}{progress})"


def _counts(*values: Any) -> bool:
    """Whether every value is an integer (not a bool): numbers read from a JSON file."""
    return all(isinstance(v, int) and not isinstance(v, bool) for v in values)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultsError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise ResultsError(f"{path}: not a JSON object")
    return data


def _read_parquet(path: Path) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several types for a damaged file
        raise ResultsError(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None


def plot_results(
    results: Sequence[Path],
    out: Path,
    worlds: Sequence[int] = (),
    partial: bool = False,
    episode: int | bool | None = False,
) -> list[Path]:
    """Write the figures of each results directory into ``out``; return the files written.

    Args:
        results: run and sweep output directories.
        out: the folder to write the figures into.
        worlds: world ids to re-run and draw over time, for every run directory.
        partial: draw a sweep that is not complete (its figures' titles say so).
        episode: also draw this world's whole episode from each run's ``events.parquet``
            (``None``: each run's :func:`~sim.analysis.plots.interesting_world`; ``False``:
            none).

    Raises:
        ResultsError: a directory cannot be read or drawn, ``worlds`` are given and no
            directory is a run, or a world id is not in a run.
    """
    from sim.analysis.plots import plot_forest, save_figure
    from sim.runs.conditioning import posterior_summary

    read = [read_results(Path(p), partial) for p in results]  # all readable before drawing
    stems = _stems(read)
    runs = [r for r in read if isinstance(r, RunDir)]
    if (worlds or episode is not False) and not runs:
        option = "--world" if worlds else "--episode"
        raise ResultsError(f"{option} draws a world of a run: give a run's output directory")
    for run in runs:
        _check_worlds(run, worlds)
        if episode is not False:  # every run drawable before anything is written
            _events_file(run)
            _check_worlds(run, [episode] if episode is not None else [], "--episode")
    written: list[Path] = []
    for item, stem in zip(read, stems, strict=True):
        if isinstance(item, RunDir):
            written += _plot_run(item, out, stem)
            for world in worlds:
                written += _plot_world(item, out, stem, world)
            if episode is not False:
                written += _plot_episode(item, out, stem, episode)
        else:
            written += _plot_sweep(item, out, stem)
    if len(runs) > 1:
        fig = plot_forest([posterior_summary(r.summary) for r in runs], _run_labels(runs))
        written += save_figure(fig, out / "comparison_forest")
    return written


def _run_labels(runs: Sequence[RunDir]) -> list[str]:
    """A distinct human label per run: its scenario's title, with the folder if repeated."""
    from sim.analysis.plots import scenario_title

    titles = [run_label(r.summary, scenario_title) for r in runs]
    return [
        f"{title} ({run.path.name})" if titles.count(title) > 1 else title
        for title, run in zip(titles, runs, strict=True)
    ]


def _check_worlds(item: RunDir, worlds: Sequence[int], option: str = "--world") -> None:
    """Every world id is one of the run's worlds (0 to worlds - 1)."""
    count = int(item.summary["worlds"])
    for world in worlds:
        if not 0 <= world < count:
            raise ResultsError(
                f"{option} {world}: {item.path} has {count:,} worlds (ids 0 to {count - 1})"
            )


def _stems(read: Sequence[RunDir | SweepDir]) -> list[str]:
    """A distinct file-name stem per directory: its scenario's or sweep's name."""
    out: list[str] = []
    for item in read:
        if isinstance(item, RunDir):
            name = str(item.summary["scenario"])
        else:
            name = str(item.meta.get("sweep") or item.path.name)
        stem = "".join(c if c.isalnum() or c in "-_." else "_" for c in name) or "results"
        candidate, k = stem, 2
        while candidate in out:
            candidate, k = f"{stem}_{k}", k + 1
        out.append(candidate)
    return out


def _run_scenario(item: RunDir, needed_for: str) -> Loaded:
    """The run's scenario: the merged scenario its summary embeds, else its scenario file.

    Raises:
        ResultsError: neither is there, or the embedded scenario does not match its hash.
    """
    from sim.runs.reproduce import recorded_sources
    from sim.scenario.loader import load_scenario, scenario_sha256

    file = item.path / "summary.json"
    data = item.summary.get("scenario_data")
    if data is None:
        source = item.summary.get("scenario_file")
        if not source or not Path(source).is_file():
            raise ResultsError(
                f"{file}: no 'scenario_data' and no readable 'scenario_file': cannot draw "
                f"{needed_for} (re-run with this version)"
            )
        return load_scenario(Path(source))
    recorded = item.summary.get("scenario_sha256")
    if recorded is not None and scenario_sha256(data) != recorded:
        raise ResultsError(f"{file}: 'scenario_data' does not match 'scenario_sha256' (edited?)")
    return load_scenario(data, sources=recorded_sources(item.summary))


def _plot_world(item: RunDir, out: Path, stem: str, world: int) -> list[Path]:
    """Re-run world ``world`` of the run (its scenario, seed and block size) and draw it.

    Raises:
        ResultsError: the re-run world does not end as the run recorded (another version).
    """
    from sim.analysis.explain import explain
    from sim.analysis.plots import plot_world, save_figure
    from sim.mechanisms.outcomes import OUTCOMES

    loaded = _run_scenario(item, f"world {world}")
    block_size = item.summary.get("block_size")
    seed = int(item.summary["seed"])
    story = (
        explain(loaded, seed, world, int(block_size))
        if block_size is not None
        else explain(loaded, seed, world)
    )
    now = OUTCOMES[int(story.model.outcome[0]) - 1]
    recorded = _recorded_outcome(item, world)
    if recorded is not None and recorded != now:
        raise ResultsError(
            f"--world {world}: re-run it ends as {now}, but {item.path / 'worlds.parquet'} "
            f"records {recorded} (recorded with negsim {item.summary.get('version', '?')}?)"
        )
    return save_figure(plot_world(story), out / f"{stem}_world{world}")


def _plot_episode(item: RunDir, out: Path, stem: str, world: int | None) -> list[Path]:
    """Draw one world's whole episode from the run's ``events.parquet`` (no re-run).

    Raises:
        ResultsError: the run has no events table, or no such world.
    """
    import datetime as dt

    from sim.analysis.plots import interesting_world, plot_episode, save_figure, scenario_title
    from sim.runs.events import start_phase, world_events

    events = _read_parquet(_events_file(item))
    chosen = interesting_world(events) if world is None else world
    start = dt.date.fromisoformat(item.summary["events_by_date"]["start"])
    rows = world_events(events, chosen)
    title = run_label(item.summary, scenario_title)
    first = start_phase(item.summary)
    fig = plot_episode(rows, start, world=chosen, title=title, first=first)
    return save_figure(fig, out / f"{stem}_episode{chosen}")


def _events_file(item: RunDir) -> Path:
    """The run's ``events.parquet`` (:class:`ResultsError` if the run has none)."""
    file = item.path / "events.parquet"
    if not file.is_file() or "events_by_date" not in item.summary:
        raise ResultsError(f"{file}: missing (a run made before events.parquet existed? re-run it)")
    return file


def _recorded_outcome(item: RunDir, world: int) -> str | None:
    """The outcome ``worlds.parquet`` records for ``world`` (None if it has no such row)."""
    if "world" not in item.worlds or "outcome" not in item.worlds:
        return None
    rows = item.worlds.loc[item.worlds["world"] == world, "outcome"]
    return str(rows.iloc[0]) if len(rows) else None


def _plot_run(item: RunDir, out: Path, stem: str) -> list[Path]:
    from sim.analysis.plots import plot_events, plot_outcomes, plot_terms, plot_timing, save_figure
    from sim.analysis.plots.conditioning import plot_parameter_shifts
    from sim.runs.conditioning import weighted_view

    summary, worlds = weighted_view(item.summary, item.worlds)
    written = save_figure(plot_outcomes(summary), out / f"{stem}_outcomes")
    if "events_by_date" in summary:  # a run made before events.parquet has none
        written += save_figure(plot_events(summary), out / f"{stem}_events")
    spec = _run_scenario(item, "the timing and terms").scenario
    name = run_label(summary)
    written += save_figure(plot_timing(worlds, spec, name=name), out / f"{stem}_timing")
    written += save_figure(plot_terms(worlds, spec, name=name), out / f"{stem}_terms")
    cond = summary.get("conditioning")
    if cond and cond.get("parameters"):
        fig = plot_parameter_shifts(cond["parameters"], f"Prior and posterior: {name}")
        written += save_figure(fig, out / f"{stem}_parameters")
    return written


def _plot_sweep(item: SweepDir, out: Path, stem: str) -> list[Path]:
    from sim.analysis.plots import (
        STRIKE,
        plot_sensitivity,
        plot_sweep_heatmap,
        plot_sweep_line,
        sweep_parameters,
    )
    from sim.analysis.plots import save_figure as save

    save_figure: Saver = _partial_saver(save, item) if item.partial else save
    points = item.points
    points.attrs["sweep"] = item.meta
    params = sweep_parameters(points)
    if not params:
        raise ResultsError(f"{item.path / 'points.parquet'}: no swept parameter columns")
    design = str(item.meta.get("design", "grid"))
    if design in SENSITIVITY_DESIGNS and item.sensitivity is None:
        raise ResultsError(
            f"{item.path}: a {design} design is drawn as its sensitivity indices, and there is "
            f"no {SENSITIVITY_FILE} (run it with negsim sensitivity)"
        )
    written: list[Path] = []
    if len(params) >= 2 and design not in SENSITIVITY_DESIGNS:
        y, x = params[0], params[1]
        for outcome in ("deal", STRIKE):
            if f"{outcome}_p" in points:
                fig = plot_sweep_heatmap(points, x, y, outcome)
                written += save_figure(fig, out / f"{stem}_heatmap_{outcome}")
    if design in ("grid", "rows") or (len(params) == 1 and design not in SENSITIVITY_DESIGNS):
        for path in params:
            fig = plot_sweep_line(points, path)
            written += save_figure(fig, out / f"{stem}_line_{_path_stem(path)}")
    if item.sensitivity is not None:
        table = item.sensitivity
        outputs = table["output"].unique() if "output" in table else ["deal"]
        for output in outputs:
            fig = plot_sensitivity(table, output=str(output))
            written += save_figure(fig, out / f"{stem}_sensitivity_{output}")
    return written


def _partial_saver(save: Saver, item: SweepDir) -> Saver:
    """``save_figure`` that first heads every titled axes with a warning: the sweep is partial."""
    total = item.meta.get("points")
    of = f" of {total:,}" if _counts(total) else ""
    note = f"PARTIAL SWEEP: {len(item.points):,}{of} design points finished"

    def saver(fig: Any, path: str | Path) -> list[Path]:
        for ax in fig.axes:
            if ax.get_title():
                ax.title.set_text(f"{note}\n{ax.get_title()}")
                ax.title.set_color("#b2182b")
        return save(fig, path)

    return saver


SENSITIVITY_DESIGNS = ("sobol", "morris")
"""Designs drawn as their sensitivity indices only: a heatmap or a line over two of their
parameters would silently average over the others, on points that are no grid."""


def _path_stem(path: str) -> str:
    return path.removeprefix("actors.").replace(".", "_")


# ----------------------------------------------------------------------------------- report


def add_report_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim report SCENARIO... [--worlds N] [--seed S] [--out F] [--observations O]``."""
    p.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO", help="scenario files")
    p.add_argument("--worlds", type=int, default=1000, help="worlds per scenario (default 1000)")
    p.add_argument("--seed", type=int, default=None, help="root seed (default: drawn, recorded)")
    p.add_argument(
        "--out", type=nonempty_path, default=Path("report.html"), help="the HTML file (report.html)"
    )
    p.add_argument("--jobs", type=int, default=1, help="processes (default 1)")
    p.add_argument(
        "--observations",
        type=Path,
        default=None,
        metavar="OBS",
        help="condition every scenario on this observations file (as negsim condition does)",
    )


def report_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim report``: run the scenarios and write the report."""
    from sim.analysis.report import write_report
    from sim.scenario.loader import load_scenario

    check_counts(args.worlds, args.jobs, args.seed)
    if args.out.exists() and args.out.is_dir():
        raise UsageError(f"--out {args.out} is a directory; give the HTML file to write")
    loaded = [load_scenario(path) for path in args.scenarios]  # every file valid first
    observed = _report_observations(args.observations, loaded)
    err = Console(stderr=True)

    def progress(name: str) -> None:
        err.print(f"running {args.worlds:,} worlds of {name}", highlight=False)

    path = write_report(
        loaded,
        worlds=args.worlds,
        seed=args.seed,
        out=args.out,
        jobs=args.jobs,
        on_scenario=progress,
        observations=observed,
    )
    console.print(f"wrote {markup_free(path)}", highlight=False)
    return 0


def _report_observations(path: Path | None, loaded: Sequence[Loaded]) -> LoadedObservations | None:
    """The observations file read and checked against every scenario, before any world runs."""
    if path is None:
        return None
    from sim.runs.conditioning import check_observations
    from sim.scenario.observations import load_observations

    observed = load_observations(path)
    for item in loaded:
        check_observations(observed, item.scenario)
    return observed
