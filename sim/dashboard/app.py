"""The negsim dashboard: a Solara app (Mesa's visualization stack) served by ``negsim dashboard``.

The sidebar holds the scenario picker, the sliders (:data:`sim.dashboard.controls.CONTROLS`), the
shock toggles, the world count and the seed; Run starts the ensemble in a background thread, and
the page shows its progress, then the outcome distribution with 95% intervals, the timing figure
and a stepper through any one world. The state below is per browser session: Solara keeps one
value of each reactive variable and task per connected page.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from html import escape
from pathlib import Path

import solara
import solara.lab
import solara.util

from sim.dashboard import controls, runner
from sim.dashboard.controls import ScenarioInfo
from sim.dashboard.runner import Ensemble, RunRequest, WorldView
from sim.dashboard.server import DIRECTORY_ENV, SCENARIO_ENV
from sim.dashboard.stepper import step_view
from sim.mechanisms.outcomes import LABELS, OUTCOMES
from sim.scenario.loader import ScenarioError

_directory = Path(os.environ.get(DIRECTORY_ENV) or controls.default_directory())
_first = controls.initial_scenario(os.environ.get(SCENARIO_ENV), _directory)

scenario_path = solara.reactive(str(_first) if _first else "")
moved: solara.Reactive[dict[str, float]] = solara.reactive({})
shocks_chosen: solara.Reactive[dict[str, bool]] = solara.reactive({})
worlds = solara.reactive(runner.DEFAULT_WORLDS)
seed = solara.reactive(runner.DEFAULT_SEED)
world_id = solara.reactive(0)
step_index = solara.reactive(0)

CSS = """
.negsim-table { border-collapse: collapse; font-size: 14px; }
.negsim-table th, .negsim-table td { padding: 4px 10px; border-bottom: 1px solid #ddd; }
.negsim-table td:not(:first-child) { text-align: right; }
.negsim-label { font-weight: 600; font-size: 14px; margin-top: 8px; }
.negsim-help { font-size: 12px; color: #555; }
.negsim-shocks .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.negsim-shocks .v-messages { display: none; }
"""


@solara.lab.task
def ensemble(request: RunRequest) -> Ensemble:
    """Run an ensemble in a background thread, reporting progress after each seed block."""

    def on_block(done: int, total: int) -> None:
        if not ensemble.is_current():  # cancelled, or superseded by a newer run
            raise solara.util.CancelledError()
        ensemble.progress = 100.0 * done / total

    return runner.run_request(request, on_block)


def _describe(path: str) -> ScenarioInfo | str:
    """The scenario's controls and shocks, or what is wrong with it."""
    if not path:
        return f"No scenario files in {_directory}."
    try:
        return controls.describe(Path(path))
    except ScenarioError as exc:
        return "\n".join(str(p) for p in exc.problems)


def _request(info: ScenarioInfo) -> RunRequest:
    return RunRequest.of(info.path, moved.value, shocks_chosen.value, worlds.value, seed.value)


def _start(info: ScenarioInfo) -> None:
    ensemble(_request(info))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], css_class: str) -> None:
    """A plain HTML table (Solara's Markdown would fetch KaTeX from a CDN)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    solara.HTML(
        tag="table",
        unsafe_innerHTML=f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>",
        classes=["negsim-table", css_class],
    )


def _heading(text: str, tag: str = "h3") -> None:
    solara.HTML(tag=tag, unsafe_innerHTML=escape(text))


@solara.component
def Page() -> None:
    """The whole dashboard."""
    solara.Title("negsim dashboard")
    solara.Style(CSS)
    info = solara.use_memo(lambda: _describe(scenario_path.value), [scenario_path.value])

    def first_run() -> None:
        if isinstance(info, ScenarioInfo) and ensemble.not_called:
            _start(info)

    solara.use_effect(first_run, [])
    with solara.AppBar():
        solara.AppBarTitle(children=["negsim: the 2025 US–Iran nuclear talks"])
    with solara.Sidebar():
        ScenarioPicker()
        if isinstance(info, ScenarioInfo):
            RunControls(info)
            Sliders(info)
            ShockToggles(info)
    with solara.Column(style={"padding": "8px 16px"}):
        if isinstance(info, ScenarioInfo):
            Results(info)
        else:
            solara.Error(info, classes=["negsim-scenario-error"])


@solara.component
def ScenarioPicker() -> None:
    """Choose a scenario file of the scenario directory; choosing resets the sliders and shocks."""
    files = {p.stem: p for p in controls.scenario_files(_directory)}
    current = Path(scenario_path.value).stem if scenario_path.value else None

    def choose(stem: str | None) -> None:
        if stem and stem in files:
            moved.set({})
            shocks_chosen.set({})
            scenario_path.set(str(files[stem]))

    solara.Select("Scenario", values=list(files), value=current, on_value=choose)


@solara.component
def Sliders(info: ScenarioInfo) -> None:
    """A slider per control the scenario offers; an untouched one keeps the scenario's value."""
    _heading("What if… (untouched sliders keep the scenario's values)", "h4")
    for control in info.controls:
        default = control.default(info.params)
        lo, hi = control.bounds(info.params)
        value = moved.value.get(control.key, default)

        def move(v: float, c: controls.Control = control) -> None:
            rest = {k: x for k, x in moved.value.items() if k != c.key}
            moved.set(rest if c.is_default(v, info.params) else {**rest, c.key: float(v)})

        with solara.Div(classes=[f"negsim-control-{control.key}"]):
            solara.Text(control.label(info.loaded.scenario), classes=["negsim-label"])
            solara.SliderFloat("", value=value, min=lo, max=hi, step=control.step, on_value=move)
            state = "set" if control.key in moved.value else "the scenario's"
            solara.Text(
                f"{control.help} Scenario: {control.scenario_text(info.params)}. "
                f"Now: {value:.4g} ({state}).",
                classes=["negsim-help"],
            )
    solara.Button(
        "Reset sliders and shocks",
        text=True,
        on_click=lambda: (moved.set({}), shocks_chosen.set({})),
    )


@solara.component
def ShockToggles(info: ScenarioInfo) -> None:
    """A switch per shock: the scenario's own (on) and the library's (off until switched on)."""
    _heading("Shocks (the scenario's own are on, the library's off)", "h4")
    on = controls.shocks_on(info, shocks_chosen.value)
    with solara.Div(classes=["negsim-shocks"]):
        for shock in info.shocks:

            def toggle(value: bool, name: str = shock.name) -> None:
                shocks_chosen.set({**shocks_chosen.value, name: value})

            origin = "scenario" if shock.in_scenario else "library"
            with solara.Tooltip(shock.description or shock.name):
                solara.Switch(
                    label=f"{shock.name} ({origin})",
                    value=on[shock.name],
                    on_value=toggle,
                    classes=[f"negsim-shock-{shock.name}"],
                )


@solara.component
def RunControls(info: ScenarioInfo) -> None:
    """World count, seed, and the Run and Cancel buttons."""
    solara.InputInt("Worlds", value=worlds, classes=["negsim-worlds"])
    solara.InputInt("Seed", value=seed, classes=["negsim-seed"])
    problems = runner.check_request(_request(info))
    for problem in problems:
        solara.Error(problem, dense=True)
    with solara.Row():
        solara.Button(
            "Run",
            on_click=lambda: _start(info),
            color="primary",
            disabled=bool(problems) or ensemble.pending,
            classes=["negsim-run"],
        )
        if ensemble.pending:
            solara.Button("Cancel", on_click=ensemble.cancel, classes=["negsim-cancel"])


@solara.component
def Results(info: ScenarioInfo) -> None:
    """Progress, then the outcome distribution, the timing figure and the world stepper."""
    shown = ensemble.value if ensemble.finished else ensemble.latest
    if ensemble.pending:
        progress = ensemble.progress
        solara.ProgressLinear(progress if progress else True, classes=["negsim-progress"])
        solara.Text(
            f"Running {worlds.value:,} worlds in the background: {progress or 0:.0f}% done.",
            classes=["negsim-running"],
        )
    if ensemble.error:
        solara.Error(f"The run failed: {ensemble.exception}", classes=["negsim-run-error"])
    if ensemble.cancelled:
        solara.Warning("The run was cancelled.")
    if shown is None:
        if not ensemble.pending:
            solara.Info("Set the sliders and press Run.")
        return
    stale = ensemble.pending or shown.request != _request(info)
    with solara.Column(style={"opacity": "0.55"} if ensemble.pending else {}):
        Distribution(shown, stale)
        WorldPanel(shown)


@solara.component
def Distribution(shown: Ensemble, stale: bool) -> None:
    """The outcome table and figures of a finished run, with what was run."""
    _heading(runner.headline(shown))
    solara.Text(runner.metadata(shown), classes=["negsim-metadata"], style={"font-size": "12px"})
    if stale:
        solara.Text(
            "  (the settings have changed since: press Run to see them)",
            style={"font-size": "12px", "color": "#b35900"},
        )
    rows = runner.outcome_rows(shown.result.summary)
    with solara.Columns([5, 6]):
        with solara.Div(classes=["negsim-outcomes"]):
            headers = ["Outcome", "P", "95% interval", "Worlds", "Median date"]
            _table(headers, rows, "negsim-outcome-table")
        solara.Image(shown.outcome_png, width="100%", classes=["negsim-outcome-figure"])
    solara.Image(shown.timing_png, width="100%", classes=["negsim-timing-figure"])


@solara.component
def WorldPanel(shown: Ensemble) -> None:
    """Choose a world of the run and step through it."""
    _heading("One world, step by step")
    count = shown.request.worlds
    world = min(max(world_id.value, 0), count - 1)
    solara.use_effect(lambda: step_index.set(0), [shown, world])
    with solara.Row(style={"align-items": "center"}):
        solara.InputInt(f"World id (0 to {count - 1})", value=world_id, classes=["negsim-world-id"])

        def jump(label: str | None) -> None:
            outcome = next((k for k, v in LABELS.items() if v == label), None)
            found = runner.first_world_with(shown, outcome) if outcome else None
            if found is not None:
                world_id.set(found)

        present = [LABELS[k] for k in OUTCOMES if runner.first_world_with(shown, k) is not None]
        solara.Select("Jump to a world that ended in", values=present, value=None, on_value=jump)
    told = solara.lab.use_task(
        lambda: runner.tell_world(shown, world), dependencies=[shown, world], raise_error=False
    )
    if told.error:
        solara.Error(f"Cannot tell world {world}: {told.exception}")
    elif told.finished and told.value is not None:
        Stepper(told.value)
    else:
        solara.ProgressLinear(True)


@solara.component
def Stepper(view: WorldView) -> None:
    """Step forward and back through a told world: stances, offer, events and explanation."""
    story = view.story
    now = step_view(view, step_index.value)
    last = now.count - 1
    solara.Text(story.lines[0], classes=["negsim-world-headline"], style={"font-weight": "bold"})
    with solara.Row(style={"align-items": "center"}):
        solara.Button(
            "◀ Previous step",
            on_click=lambda: step_index.set(max(0, now.index - 1)),
            disabled=now.index == 0,
            classes=["negsim-prev"],
        )
        solara.Text(now.label, classes=["negsim-step-label"], style={"font-weight": "bold"})
        solara.Button(
            "Next step ▶",
            on_click=lambda: step_index.set(min(last, now.index + 1)),
            disabled=now.index >= last,
            classes=["negsim-next"],
        )
    solara.SliderInt("Step", value=now.index, min=0, max=last, on_value=step_index.set)
    with solara.Columns([1, 1]):
        with solara.Column():
            solara.Text(now.status, classes=["negsim-step-status"], style={"font-weight": "bold"})
            headers = ["Issue", "Washington's stance", "Tehran's stance", "Offer"]
            _table(headers, now.stances, "negsim-stance-table")
            solara.Text(
                "Events: " + ("; ".join(now.events) if now.events else "none"),
                classes=["negsim-step-events"],
            )
        with solara.Div(classes=["negsim-step-told"]):
            _heading("In the words of negsim explain", "h4")
            lines = now.told or ["Nothing to tell at this step."]
            for line in lines:
                solara.Div(children=[line], style={"margin-bottom": "4px"})
    with solara.Details("The whole story (negsim explain)"):
        solara.Preformatted(story.text)
    WorldFigure(view)


@solara.component
def WorldFigure(view: WorldView) -> None:
    """The world over time (drawn in the background: the figure takes a few seconds)."""
    png = solara.lab.use_task(
        lambda: runner.world_png(view), dependencies=[view], raise_error=False
    )
    if png.finished and png.value is not None:
        solara.Image(png.value, width="100%", classes=["negsim-world-figure"])
    elif png.error:
        solara.Error(f"Cannot draw the world: {png.exception}")
    else:
        solara.Text("Drawing the world's figure…")
