"""One self-contained HTML report of one or more scenarios (``negsim report``).

The report holds, for each scenario, its outcome table and figures (outcomes, timing, terms),
its states at the horizon, the cumulative incidence of its events and P(event by date); the
comparison of the scenarios (a forest plot and a table); one world of the first scenario told
in words and drawn, and one world's whole episode past a strike; the calibration evidence
table of the first scenario; and what is needed to reproduce it (versions, scenario hashes,
seed, worlds, the command). Given observations, each ensemble is conditioned on them
(:func:`sim.runs.conditioning.condition`): its tables and figures show the weighted worlds
(:func:`sim.runs.conditioning.weighted_view`), after its conditioning (the ESS, the kept
worlds, the facts and the parameters that moved most). Figures are
embedded as base64 PNG and the style sheet is inline, so the file opens anywhere, offline.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import platform
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.explain import explain
from sim.analysis.plots import (
    figure_bytes,
    interesting_world,
    plot_episode,
    plot_events,
    plot_forest,
    plot_outcomes,
    plot_terms,
    plot_timing,
    plot_world,
    scenario_title,
)
from sim.analysis.plots.conditioning import plot_parameter_shifts
from sim.analysis.plots.events import event_label
from sim.analysis.tables import outcome_cells, row_label, state_cells
from sim.mechanisms.outcomes import (
    COLOURS,
    LABELS,
    OUTCOMES,
    STATE_COLOURS,
    STATE_LABELS,
    STRIKES,
    TOTALS,
)
from sim.mechanisms.rng import draw_root_seed
from sim.runs.conditioning import check_observations, condition, weighted_view
from sim.runs.ensemble import RunResult, ScenarioLike, as_loaded, git_commit, run, version
from sim.runs.events import start_phase, world_events
from sim.runs.output import write_text_atomic
from sim.scenario.evidence import SourceRow, source_rows
from sim.scenario.loader import Loaded
from sim.scenario.observations import LoadedObservations
from sim.scenario.overrides import run_label

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 1200px; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { border-bottom: 2px solid #1b9e77; padding-bottom: .2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: .3em .6em; vertical-align: top; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
img { max-width: 100%; height: auto; display: block; margin: 1em 0; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em;
          border-radius: 2px; vertical-align: baseline; }
.missing { color: #b00; font-weight: bold; }
pre { background: #f7f7f7; padding: 1em; overflow-x: auto; font-size: 0.85em; }
details { margin: 1em 0; }
.meta td:first-child { font-weight: bold; white-space: nowrap; }
table.evidence { font-size: 0.82em; }
"""


@dataclass(frozen=True)
class ScenarioRun:
    """A scenario of the report and its ensemble (conditioned: with a ``weight`` column)."""

    loaded: Loaded
    source: str
    result: RunResult

    def view(self) -> tuple[dict[str, Any], pd.DataFrame]:
        """What its tables and figures show: the posterior and resampled worlds if conditioned."""
        return weighted_view(self.result.summary, self.result.worlds)


def write_report(
    scenarios: Sequence[ScenarioLike],
    worlds: int = 1000,
    seed: int | None = None,
    out: str | Path = "report.html",
    *,
    jobs: int = 1,
    command: str | None = None,
    on_scenario: Callable[[str], None] | None = None,
    observations: LoadedObservations | None = None,
) -> Path:
    """Run each scenario with the same worlds and seed, and write the HTML report atomically.

    Args:
        scenarios: scenario files (or loaded scenarios); the first is the baseline.
        worlds: worlds per scenario.
        seed: root seed shared by every scenario (drawn, and recorded, when None).
        out: the HTML file to write.
        jobs: processes per ensemble (results do not depend on it).
        command: the command to show for reproducing it (default: built from the arguments).
        on_scenario: called with each scenario's name before it runs (progress).
        observations: facts to condition every ensemble on (``negsim condition``'s), or None.

    Returns:
        The path of the report.

    Raises:
        ObservationsError: a fact does not fit a scenario (before anything runs).
    """
    if not scenarios:
        raise ValueError("a report needs at least one scenario")
    if worlds < 1:
        raise ValueError("worlds must be at least 1")
    loaded = [as_loaded(s) for s in scenarios]  # every scenario valid before anything runs
    if observations is not None:
        for item in loaded:
            check_observations(observations, item.scenario)  # every fact fits, before any run
    root = draw_root_seed() if seed is None else int(seed)
    runs = []
    for source, item in zip(scenarios, loaded, strict=True):
        if on_scenario:
            on_scenario(item.scenario.name)
        if observations:
            result = condition(item, observations, worlds, root, jobs=jobs)
        else:
            result = run(item, worlds=worlds, seed=root, jobs=jobs)
        runs.append(ScenarioRun(item, _source(source, item), result))
    out_path = Path(out)
    if command is None:
        files = " ".join(shlex.quote(r.source) for r in runs)
        target = shlex.quote(str(out_path))
        command = f"negsim report {files} --worlds {worlds} --seed {root} --out {target}"
        if observations:
            command += f" --observations {shlex.quote(observations.file)}"
    text = render_report(runs, root, worlds, command)
    write_text_atomic(out_path, text)
    return out_path


def _source(given: ScenarioLike, loaded: Loaded) -> str:
    return str(given) if isinstance(given, str | Path) else loaded.source


def render_report(runs: Sequence[ScenarioRun], seed: int, worlds: int, command: str) -> str:
    """The report's HTML text."""
    names = [r.result.summary["scenario"] for r in runs]
    title = f"negsim report: {', '.join(names)}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1>",
        f"<p>{len(runs)} scenario(s), {worlds:,} worlds each, root seed {seed}. Every scenario "
        "runs the same worlds (the same random numbers), so their differences are the "
        "scenarios', not chance's. Intervals are 95% Wilson intervals of the sampling error "
        "of a finite ensemble.</p>",
        _conditioned_note(runs),
        _contents(runs),
        _comparison(runs),
        *(_scenario_section(r) for r in runs),
        _world_section(runs[0]),
        _evidence_section(runs[0]),
        _metadata_section(runs, seed, worlds, command),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _anchor(name: str) -> str:
    return "scenario-" + "".join(c if c.isalnum() else "-" for c in name)


def _contents(runs: Sequence[ScenarioRun]) -> str:
    items = ['<li><a href="#comparison">Comparison of the scenarios</a></li>']
    for r in runs:
        name = r.result.summary["scenario"]
        items.append(f'<li><a href="#{_anchor(name)}">Scenario {_e(name)}</a></li>')
    items += [
        '<li><a href="#world">One world, told</a></li>',
        '<li><a href="#evidence">Calibration evidence</a></li>',
        '<li><a href="#metadata">How to reproduce this report</a></li>',
    ]
    return "<h2>Contents</h2><ul>" + "".join(items) + "</ul>"


def _figure(fig: Figure, alt: str) -> str:
    data = base64.b64encode(figure_bytes(fig, "png", dpi=110)).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _estimate(o: dict[str, Any]) -> str:
    lo, hi = o["ci95"]
    return f"{o['p']:.1%} [{lo:.1%}, {hi:.1%}]"


def _outcome_name(name: str) -> str:
    """An outcome's label after a swatch of its colour (a sum of outcomes: its label alone)."""
    if name not in COLOURS:
        return _e(row_label(name))
    return f'<span class="swatch" style="background:{COLOURS[name]}"></span>{_e(LABELS[name])}'


def _comparison(runs: Sequence[ScenarioRun]) -> str:
    summaries = [r.view()[0] for r in runs]
    keys = [*OUTCOMES, *TOTALS]
    head = "".join(f"<th>{_outcome_name(k)}</th>" for k in keys)
    rows = "".join(
        f"<tr><td>{_e(run_label(s))}</td>"
        + "".join(
            f'<td class="num">{_estimate({**s["outcomes"], **s.get("totals", {})}[k])}</td>'
            for k in keys
        )
        + "</tr>"
        for s in summaries
    )
    return (
        '<h2 id="comparison">Comparison of the scenarios</h2>'
        "<p>Probability of each outcome with its 95% Wilson interval; the first row is the "
        "baseline.</p>"
        f"<table><tr><th>scenario</th>{head}</tr>{rows}</table>"
        + _figure(plot_forest(summaries), "forest plot of the outcome probabilities")
    )


def outcome_rows(summary: dict[str, Any]) -> str:
    """The outcome table of one run as HTML rows."""
    out = []
    for name, p, ci, count, median, date in outcome_cells(summary):
        out.append(_row(_outcome_name(name), p, ci, count, median, _e(date), numbers=(1, 2, 3, 4)))
    return "".join(out)


def _row(*cells: object, numbers: tuple[int, ...] = ()) -> str:
    """A table row of HTML cells (already escaped); the cells at ``numbers`` right-aligned."""
    tds = (
        f"<td class='num'>{c}</td>" if k in numbers else f"<td>{c}</td>"
        for k, c in enumerate(cells)
    )
    return f"<tr>{''.join(tds)}</tr>"


def _scenario_section(r: ScenarioRun) -> str:
    summary, worlds = r.view()
    name = summary["scenario"]
    spec = r.loaded.scenario
    description = f"<p>{_e(spec.description.strip())}</p>" if spec.description.strip() else ""
    overrides = (
        "<p>Overrides: " + "; ".join(_e(o) for o in summary["overrides"]) + "</p>"
        if summary.get("overrides")
        else ""
    )
    table = (
        "<table><tr><th>outcome</th><th>p</th><th>95% CI</th><th>count</th>"
        "<th>median step</th><th>median date</th></tr>" + outcome_rows(summary) + "</table>"
    )
    return (
        f'<h2 id="{_anchor(name)}">Scenario {_e(name)}</h2>'
        f"<p>File <code>{_e(r.source)}</code>, {summary['worlds']:,} worlds, seed "
        f"{summary['seed']}, {summary['seconds']} s.</p>"
        + description
        + overrides
        + conditioning_section(summary)
        + table
        + _figure(plot_outcomes(summary), f"outcome probabilities of {name}")
        + _figure(plot_timing(worlds, spec, name=name), f"cumulative incidence, {name}")
        + _figure(plot_terms(worlds, spec, name=name), f"terms of the deals, {name}")
        + _events_section(summary)
    )


def state_rows(summary: dict[str, Any]) -> str:
    """The state table of one run (its second view) as HTML rows."""
    out = []
    for name, p, ci, count in state_cells(summary):
        swatch = f'<span class="swatch" style="background:{STATE_COLOURS[name]}"></span>'
        out.append(_row(swatch + _e(STATE_LABELS[name]), p, ci, count, numbers=(1, 2, 3)))
    return "".join(out)


def event_date_rows(summary: dict[str, Any]) -> tuple[str, str]:
    """P(event by date) of every event type that happened: the header and rows (HTML).

    One row per event type of the run (``summary.json``'s ``events_by_date``), one column per
    month's end: the share of all worlds where it happened by then.
    """
    by_date = summary["events_by_date"]
    head = "<tr><th>event</th>" + "".join(f"<th>{_e(d)}</th>" for d in by_date["dates"])
    rows = []
    for name in summary["event_types"]:
        cells = by_date["events"].get(name)
        if cells is None or not cells["count"] or cells["count"][-1] == 0:
            continue
        numbers = tuple(range(1, len(cells["p"]) + 1))
        rows.append(_row(_e(event_label(name)), *(f"{p:.1%}" for p in cells["p"]), numbers=numbers))
    return head + "</tr>", "".join(rows)


def _events_section(summary: dict[str, Any]) -> str:
    """The run's states at the horizon and its events: the table, the figure, P(event by date)."""
    if "states" not in summary or "events_by_date" not in summary:
        return ""  # a summary made before events.parquet
    head, rows = event_date_rows(summary)
    name = summary["scenario"]
    share = "weighted share of the worlds" if "conditioning" in summary else "share of all worlds"
    return (
        f"<h3>The state at the horizon and the events of {_e(name)}</h3>"
        "<p>Where each world stands at the horizon: a world's outcome above is its first "
        "decisive event; after a strike it goes on (a war, a ceasefire, talks resuming, a "
        "second strike or a later deal), so its state at the horizon may differ.</p>"
        "<table><tr><th>state</th><th>p</th><th>95% CI</th><th>count</th></tr>"
        + state_rows(summary)
        + "</table>"
        + _figure(plot_events(summary), f"cumulative incidence of every event, {name}")
        + f"<p>P(event by date): the {share} where the event happened by each "
        "month's end (<code>negsim ask</code> answers the same question with an interval, and "
        "given an earlier event).</p>"
        f"<table>{head}{rows}</table>"
    )


def example_world(worlds: pd.DataFrame) -> int:
    """The world to tell: the first world with the most frequent outcome."""
    counts = worlds["outcome"].astype(str).value_counts()
    modal = str(counts.index[0])
    return int(worlds.loc[worlds["outcome"].astype(str) == modal, "world"].iloc[0])


def kept_worlds(worlds: pd.DataFrame) -> pd.DataFrame:
    """The worlds to tell: those a conditioning kept (weight above 0; all if it kept none)."""
    if "weight" not in worlds or not (worlds["weight"] > 0).any():
        return worlds
    return worlds[worlds["weight"] > 0]


def _world_section(r: ScenarioRun) -> str:
    world = example_world(kept_worlds(r.result.worlds))
    seed = int(r.result.summary["seed"])
    story = explain(r.loaded, seed, world, int(r.result.summary["block_size"]))
    name = r.result.summary["scenario"]
    return (
        '<h2 id="world">One world, told</h2>'
        f"<p>World {world} of {_e(name)}, the first world with the most frequent outcome"
        f"{' among the kept ones' if 'weight' in r.result.worlds else ''}. "
        f"<code>negsim explain {_e(r.source)} --seed {seed} --world {world}</code> prints "
        "the same story.</p>"
        + _figure(plot_world(story), f"world {world} over time")
        + f"<details open><summary>The story in words</summary><pre>{_e(story.text)}</pre>"
        "</details>" + _episode_section(r)
    )


def _episode_section(r: ScenarioRun) -> str:
    """One world's whole episode past a strike (the first with a ceasefire and talks resuming)."""
    events = r.result.events
    events = events[events["world"].isin(kept_worlds(r.result.worlds)["world"])]
    names = set(events["event"].astype(str)) if len(events) else set()
    if not names & set(STRIKES):
        return ""  # no world was struck: no episode to draw
    world = interesting_world(events)
    summary = r.result.summary
    seed, start = int(summary["seed"]), summary["events_by_date"]["start"]
    rows = world_events(events, world)
    fig = plot_episode(
        rows,
        dt.date.fromisoformat(start),
        world=world,
        title=run_label(summary, scenario_title),
        first=start_phase(summary),
    )
    story = explain(r.loaded, seed, world, int(summary["block_size"]))
    return (
        f"<h3>One episode past a strike: world {world}</h3>"
        f"<p>The first world of {_e(summary['scenario'])} with a strike, a ceasefire and talks "
        "resuming (else the first struck), drawn from its events: the phases as coloured "
        f"bands, the events above them. <code>negsim plot RUN --episode {world}</code> draws "
        "it from a run's directory.</p>"
        + _figure(fig, f"world {world}'s whole episode")
        + "<details><summary>Its story in words</summary>"
        f"<pre>{_e(story.text)}</pre></details>"
    )


def _number(x: float) -> str:
    return f"{x:.4g}"


def evidence_rows(rows: Sequence[SourceRow]) -> str:
    """The calibration evidence table as HTML rows (as ``negsim evidence`` prints it)."""
    out = []
    for row in rows:
        value_range = "—" if row.low == row.high else f"[{_number(row.low)}, {_number(row.high)}]"
        if row.kind == "evidence":
            quote, reading = f"“{_e(row.quote)}”", _e(row.reading)
        elif row.kind == "assumption":
            quote, reading = "—", f"assumption: {_e(row.reading)}"
        else:
            quote, reading = "—", '<span class="missing">no evidence and no assumption</span>'
        cells = (_e(row.owner), _e(row.parameter), _number(row.value), value_range, quote)
        out.append(_row(*cells, _e(row.seed or "—"), reading, numbers=(2, 3)))
    return "".join(out)


def _evidence_section(r: ScenarioRun) -> str:
    rows = source_rows(r.loaded.scenario)
    counts = {k: sum(row.kind == k for row in rows) for k in ("evidence", "assumption", "missing")}
    return (
        '<h2 id="evidence">Calibration evidence</h2>'
        f"<p>Every parameter of {_e(r.result.summary['scenario'])} with the quote from the seed "
        f"articles that supports it, or the assumption that stands in for one: "
        f"{counts['evidence']} rows of evidence, {counts['assumption']} assumptions, "
        f"{counts['missing']} missing.</p>"
        '<table class="evidence"><tr><th>actor</th><th>parameter</th><th>value</th>'
        "<th>range</th><th>quote</th><th>seed</th><th>reading</th></tr>"
        + evidence_rows(rows)
        + "</table>"
    )


def _metadata_section(runs: Sequence[ScenarioRun], seed: int, worlds: int, command: str) -> str:
    first = runs[0].result.summary
    rows = [
        ("negsim version", first["version"]),
        ("git commit", first.get("git_commit") or git_commit() or "not a git checkout"),
        ("Python", platform.python_version()),
        ("root seed", seed),
        ("worlds per scenario", f"{worlds:,}"),
        ("block size", first["block_size"]),
        ("generated", dt.datetime.now(dt.UTC).isoformat(timespec="seconds")),
    ]
    meta = "".join(f"<tr><td>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in rows)
    scenario_rows = "".join(
        f"<tr><td>{_e(r.result.summary['scenario'])}</td><td><code>{_e(r.source)}</code></td>"
        f"<td><code>{_e(r.result.summary['scenario_sha256'])}</code></td></tr>"
        for r in runs
    )
    return (
        '<h2 id="metadata">How to reproduce this report</h2>'
        f'<table class="meta">{meta}</table>'
        "<table><tr><th>scenario</th><th>file</th><th>scenario SHA-256</th></tr>"
        f"{scenario_rows}</table>"
        "<p>The same scenario contents (their SHA-256), seed, worlds, block size and code "
        "(version and commit) give the same numbers on any machine:</p>"
        f"<pre>{_e(command)}</pre>"
        f"<p>Written by negsim {_e(version())}.</p>"
    )


SHOWN_PARAMETERS = 15
"""Parameters in a conditioned scenario's table of shifts (the most shifted first)."""


def _conditioned_note(runs: Sequence[ScenarioRun]) -> str:
    cond = runs[0].result.summary.get("conditioning")
    if not cond:
        return ""
    return (
        f"<p>Every ensemble is conditioned on the observations of "
        f"<code>{_e(cond['observations_file'])}</code> ({len(cond['facts'])} fact(s)): each "
        "world is weighed by its likelihood of the facts, and the tables and figures show the "
        f"weighted worlds from {_e(cond['since'])} (the last observation) on. Their intervals "
        "are Wilson intervals at the effective sample size (Kish's, (Σw)²/Σw²), as "
        "<code>negsim ask</code> gives them; the figures drawn from worlds use the worlds "
        "resampled in proportion to their weights, as <code>negsim plot</code> does.</p>"
    )


def shift_rows(parameters: Sequence[dict[str, Any]], most: int = SHOWN_PARAMETERS) -> str:
    """The parameters that moved most as HTML rows (as ``negsim condition`` prints them)."""
    out = []
    for r in parameters[:most]:
        pq, qq = r["prior_quantiles"], r["posterior_quantiles"]
        cells = (f"{r['prior_mean']:.4g}", f"{r['posterior_mean']:.4g}", f"{r['shift']:+.2f}")
        ranges = (f"[{pq[0]:.3g}, {pq[2]:.3g}]", f"[{qq[0]:.3g}, {qq[2]:.3g}]")
        out.append(_row(_e(r["parameter"]), *cells, *ranges, numbers=(1, 2, 3, 4, 5)))
    return "".join(out)


def conditioning_section(summary: dict[str, Any]) -> str:
    """A conditioned run's ESS, kept worlds, facts and shifts (HTML); "" for a plain run."""
    cond = summary.get("conditioning")
    if not cond:
        return ""
    name, worlds = summary["scenario"], summary["worlds"]
    warning = f'<p class="missing">warning: {_e(cond["warning"])}</p>' if cond["warning"] else ""
    facts = "".join(
        _row(
            f["fact"],
            _e(f["what"]),
            f"{f['kept']:.1%}",
            f"{f['mean_likelihood']:.3g}",
            numbers=(0, 2, 3),
        )
        for f in cond["facts"]
    )
    shifts = ""
    if cond["parameters"]:
        fig = plot_parameter_shifts(cond["parameters"], f"Prior and posterior: {name}")
        shifts = (
            f"<p>Drawn parameters, prior → posterior (the {SHOWN_PARAMETERS} most shifted; "
            "shift in prior standard deviations):</p><table><tr><th>parameter</th>"
            "<th>prior mean</th><th>posterior mean</th><th>shift (sd)</th><th>prior 5–95%</th>"
            f"<th>posterior 5–95%</th></tr>{shift_rows(cond['parameters'])}</table>"
            + _figure(fig, f"prior and posterior parameters of {name}")
        )
    return (
        f"<h3>Conditioned on {_e(cond['observations_file'])}</h3>"
        f"<p>{cond['kept']:,} of {worlds:,} worlds kept, effective sample size (Kish, "
        f"(Σw)²/Σw²) {cond['ess']:,.1f}; the views below are from {_e(cond['since'])} on.</p>"
        + warning
        + "<table><tr><th>fact</th><th>observed</th><th>worlds kept</th>"
        f"<th>mean likelihood</th></tr>{facts}</table>" + shifts
    )
