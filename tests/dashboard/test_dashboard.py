"""The dashboard: its pure parts, then the whole app end to end in a real headless browser.

The browser test serves the app in a subprocess on 127.0.0.1 and drives Debian's chromium
(``/usr/bin/chromium``) with Playwright; Playwright cannot download its own browsers here.
``scripts/system-deps.sh`` installs chromium; the test skips, saying so, only when chromium,
Playwright or Solara is missing. With ``NEGSIM_SCREENSHOT=1`` in the environment it also retakes
the README's screenshot, docs/img/dashboard.png; otherwise a test run leaves the tree untouched.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.analysis.explain import SIDE_NAMES, crossed_lines
from sim.cli import dashboard as command
from sim.cli.main import dispatch
from sim.cli.main import parser as negsim_parser
from sim.dashboard import controls, runner, server
from sim.dashboard.runner import RunRequest
from sim.dashboard.server import free_port
from sim.dashboard.stepper import step_view
from sim.scenario.loader import load_scenario
from sim.scenario.vocabulary import describe

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SCREENSHOT = ROOT / "docs" / "img" / "dashboard.png"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_S = 90
RUN_S = 90


# ------------------------------------------------------------------------ the pure parts


@pytest.fixture(scope="module")
def info() -> controls.ScenarioInfo:
    return controls.describe(BASELINE)


@pytest.fixture(scope="module")
def small_run() -> runner.Ensemble:
    moved = {"israel_resolve": 0.1}
    return runner.run_request(RunRequest.of(BASELINE, moved, {}, worlds=300, seed=7))


def test_every_control_is_offered_by_the_baseline(info: controls.ScenarioInfo) -> None:
    assert [c.key for c in info.controls] == [c.key for c in controls.CONTROLS]


def test_slider_labels_are_the_scenario_vocabulary(info: controls.ScenarioInfo) -> None:
    """A slider over one parameter is named as explanations and figures name it."""
    scenario = info.loaded.scenario
    single = [c for c in info.controls if not isinstance(c, controls.BalanceControl)]
    assert single
    for control in single:
        found = describe(control.paths[0], scenario)
        assert control.label(scenario) == f"{found.title} ({found.unit})"
    assert single[0].label(scenario) == (
        "Israel's strike resolve (utility units of the strike margin)"
    )


def test_balance_control_splits_the_pair_clout_and_keeps_its_total(
    info: controls.ScenarioInfo,
) -> None:
    balance = next(c for c in info.controls if c.key == "us_balance")
    hawks, doves = (info.params[p].central() for p in balance.paths)
    assert balance.default(info.params) == pytest.approx(hawks / (hawks + doves))
    out = balance.overrides(0.8, info.params)
    assert sum(out.values()) == pytest.approx(hawks + doves)
    assert out[balance.paths[0]] == pytest.approx(0.8 * (hawks + doves))


def test_the_balance_line_keeps_the_share_and_the_clouts_apart(
    info: controls.ScenarioInfo,
) -> None:
    # It said "Scenario: 0.6 (drawn per world, 0.2 to 0.45)": a share with a clout's range.
    balance = next(c for c in info.controls if c.key == "us_balance")
    hawks, doves = (info.params[p] for p in balance.paths)
    text = balance.scenario_text(info.params)
    share = hawks.central() / (hawks.central() + doves.central())
    assert text.startswith(f"a share of {share:.4g} at the central clouts; clout: hawks ")
    lo, hi = hawks.bounds()
    assert f"hawks {hawks.central():.4g} (drawn per world, {lo:.4g} to {hi:.4g})" in text
    single = next(c for c in info.controls if c.key == "israel_resolve")
    lo, hi = info.params[single.paths[0]].bounds()
    assert single.scenario_text(info.params).endswith(f"(drawn per world, {lo:.4g} to {hi:.4g})")


def test_us_backing_and_the_mediator_have_sliders(info: controls.ScenarioInfo) -> None:
    scenario = info.loaded.scenario
    by_path = {c.paths[0]: c for c in info.controls}
    join, mediator = by_path["actors.us.join_probability"], by_path["actors.oman.give_up_hazard"]
    assert join.label(scenario) == (
        "United States' probability of joining an Israeli strike (probability)"
    )
    assert mediator.label(scenario).startswith("Oman's hazard of giving up per session")
    assert controls.overrides_for(info, {"us_join": 1.0, "oman_give_up": 0.0}) == {
        "actors.us.join_probability": 1.0,
        "actors.oman.give_up_hazard": 0.0,
    }


def test_only_the_solara_cookie_warning_is_silenced() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        server.quiet_cookie_warning()
        for message in (f"{server.COOKIE_WARNING}, but ...", "something else"):
            warnings.warn_explicit(
                message, UserWarning, "starlette.py", 621, module="solara.server.starlette"
            )
        warnings.warn_explicit(
            f"{server.COOKIE_WARNING}, but ...", UserWarning, "x.py", 1, module="elsewhere"
        )
    assert [str(w.message) for w in caught] == [
        "something else",
        f"{server.COOKIE_WARNING}, but ...",
    ]


def test_only_moved_sliders_become_overrides(info: controls.ScenarioInfo) -> None:
    assert controls.overrides_for(info, {}) == {}
    out = controls.overrides_for(info, {"israel_resolve": 0.05, "e3_hazard": 0.01})
    assert out == {"actors.israel.strike_resolve": 0.05, "actors.e3.hazard": 0.01}


def test_a_slider_snapped_to_its_grid_is_not_a_move(info: controls.ScenarioInfo) -> None:
    rate = next(c for c in info.controls if c.key == "iran_pressure_rate")
    default = rate.default(info.params)
    assert rate.is_default(default + rate.step / 3, info.params)
    assert not rate.is_default(default + rate.step, info.params)


def test_shock_toggles_add_library_shocks_and_remove_the_scenarios(
    info: controls.ScenarioInfo,
) -> None:
    own = next(s.name for s in info.shocks if s.in_scenario)
    library = [s.name for s in info.shocks if not s.in_scenario]
    if not library:
        pytest.skip("no library shocks in scenarios/shocks/")
    chosen = {own: False, library[0]: True}
    raw = controls.with_shocks(info, chosen)
    assert own not in raw["shocks"] and library[0] in raw["shocks"]
    assert library[0] in load_scenario(raw).scenario.shocks
    assert controls.shock_changes(info, chosen) == ([library[0]], [own])


def test_block_size_keeps_progress_moving_without_tiny_blocks() -> None:
    assert runner.block_size_for(500) == 1000
    assert runner.block_size_for(100_000) == 5000
    assert runner.check_request(RunRequest(BASELINE, worlds=0, seed=-1)) == [
        f"Worlds must be between 1 and {runner.MAX_WORLDS:,}.",
        "The seed must be 0 or more.",
    ]


def test_a_run_applies_its_overrides_and_draws_its_figures(small_run: runner.Ensemble) -> None:
    summary = small_run.result.summary
    assert summary["worlds"] == 300 and summary["block_size"] == small_run.block_size
    assert small_run.overrides == {"actors.israel.strike_resolve": 0.1}
    assert small_run.loaded.raw["actors"]["israel"]["strike_resolve"] == 0.1
    assert small_run.outcome_png.startswith(b"\x89PNG")
    assert small_run.timing_png.startswith(b"\x89PNG")
    assert runner.headline(small_run).startswith("P(deal) = ")
    assert "actors.israel.strike_resolve = 0.1" in runner.metadata(small_run)


def test_the_stepper_tells_each_step_in_the_words_of_explain(small_run: runner.Ensemble) -> None:
    view = runner.tell_world(small_run, 3)
    first = step_view(view, 0)
    assert first.label.startswith("Step 0 (") and first.index == 0
    assert len(first.stances) == len(view.story.model.spec.issues)
    for line in first.told:
        assert f"  {line}" in view.story.lines
    assert step_view(view, 10_000).index == first.count - 1


def test_the_stepper_names_whose_red_line_a_veto_kept(small_run: runner.Ensemble) -> None:
    # The first vetoed step in the first worlds: the label names the side, the factions whose
    # red lines the offer crossed and the issues, as explain's sentence does (without bounds).
    for world in range(20):
        view = runner.tell_world(small_run, world)
        model = view.story.model
        for index, record in enumerate(model.trace):
            session = record.session
            for at in (session.proposer, session.responder) if session else ():
                if session.accepted[0] and at.vote.veto[0]:
                    side = model.principals[at.actor_id]
                    crossed = crossed_lines(model.spec, side, record)
                    label = next(e for e in step_view(view, index).events if "Vetoed" in e)
                    assert label.startswith(f"Vetoed in {SIDE_NAMES[side.actor_id]}: the offer ")
                    for k, text, _ in crossed:
                        actor_id = side.factions[k].actor_id
                        assert (model.spec.actors[actor_id].name or actor_id) in label
                        assert text.split(" (")[0] in label and "(" not in label
                    return
    pytest.fail("no vetoed session in the first 20 worlds")


def test_the_stepper_and_the_ensemble_agree_on_the_world(small_run: runner.Ensemble) -> None:
    row = small_run.result.worlds.set_index("world").loc[5]
    view = runner.tell_world(small_run, 5)
    assert int(view.story.model.end_step[0]) == int(row["step"])


def test_dashboard_without_the_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from rich.console import Console

    monkeypatch.setattr(command, "dashboard_installed", lambda: False)
    args = negsim_parser().parse_args(["dashboard", "--port", "0"])
    assert dispatch(args, Console()) == 2
    assert "pip install 'negsim[dashboard]'" in capsys.readouterr().err


def test_dashboard_refuses_a_bad_port() -> None:
    parser = argparse.ArgumentParser()
    command.add_dashboard_arguments(parser)
    with pytest.raises(SystemExit):
        parser.parse_args(["--port", "70000"])
    assert parser.parse_args([]).host == "127.0.0.1"


# ------------------------------------------------------------------- in a real browser


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium is missing at /usr/bin/chromium (bash scripts/system-deps.sh)"
    for module in ("playwright", "solara", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not installed (pip install -e '.[dev]')"
    return None


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the dashboard server exited ({server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.25)
    pytest.fail(f"the dashboard did not answer within {SERVER_START_S} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dashboard") / "server.log"


@pytest.fixture(scope="module")
def dashboard_url(server_log: Path) -> Iterator[str]:
    port = free_port()
    log = server_log
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "sim", "dashboard", str(BASELINE), "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        url = f"http://127.0.0.1:{port}/"
        _wait_until_up(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)


@pytest.fixture
def page(tmp_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 2650},
        )
        try:
            context.set_default_timeout(30_000)
            yield context.pages[0] if context.pages else context.new_page()
        finally:
            context.close()


@pytest.mark.slow
@pytest.mark.skipif(_browser_missing() is not None, reason=_browser_missing() or "")
def test_dashboard_in_a_real_browser(dashboard_url: str, page: Any, server_log: Path) -> None:
    from playwright.sync_api import expect

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.goto(dashboard_url)

    # The first run starts by itself: the outcome table and the world stepper appear.
    table = page.locator(".negsim-outcome-table")
    expect(table).to_be_visible(timeout=RUN_S * 1000)
    before = table.inner_text()
    assert "Deal" in before and "%" in before

    # Move Israel's strike resolve to the top of its range, then run again.
    thumb = page.locator(".negsim-control-israel_resolve [role=slider]")
    thumb.focus()
    thumb.press("End")
    expect(page.locator(".negsim-control-israel_resolve")).to_contain_text("(set)")
    page.locator(".negsim-run").click()
    expect(page.locator(".negsim-progress")).to_be_visible(timeout=10_000)
    metadata = page.locator(".negsim-metadata")
    expect(metadata).to_contain_text("actors.israel.strike_resolve = 0.15", timeout=RUN_S * 1000)
    expect(table).not_to_have_text(before)
    expect(page.locator(".negsim-progress")).to_have_count(0)

    # Step through one world: the step number and the explanation move on.
    label = page.locator(".negsim-step-label")
    told = page.locator(".negsim-step-told")
    expect(label).to_contain_text("Step 0 (", timeout=RUN_S * 1000)
    first = told.inner_text()
    page.locator(".negsim-next").click()
    expect(label).to_contain_text("Step 1 (")
    expect(told).not_to_have_text(first)

    expect(page.locator(".negsim-world-figure")).to_be_visible(timeout=RUN_S * 1000)
    assert "samesite" not in server_log.read_text().lower()  # Solara's cookie warning
    if os.environ.get("NEGSIM_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert errors == [], f"console errors: {errors}"


def test_the_stepper_follows_the_world_past_its_first_strike() -> None:
    from sim.analysis.explain import explain, told_by_step
    from sim.dashboard.runner import WorldView

    story = explain(BASELINE, 20250412, 61)  # struck at 12, ceasefire 21, talks 25, struck 30
    view = WorldView(story, told_by_step(story.model))
    at = {r.step: k for k, r in enumerate(story.model.trace)}
    first = "(first outcome: Israeli strike alone)"
    struck = step_view(view, at[12])
    assert struck.status == f"At war {first}"
    assert (
        "Israel strikes" in struck.events
        and "Iran retaliates (proportionate): war" in struck.events
    )
    assert step_view(view, at[18]).status == f"At war {first}"
    paused = step_view(view, at[21])
    assert paused.status == f"Ceasefire without a deal {first}"
    assert paused.events[0] == "Ceasefire: the war stops, talks paused"
    assert step_view(view, at[25]).events[0] == "Talks resume"
    assert step_view(view, at[25]).status == f"Talks ongoing {first}"
    assert step_view(view, at[30]).status == f"At war {first}"
    assert "Iran retaliates (proportionate): war" in step_view(view, at[30]).events
    assert step_view(view, at[36]).status == f"Ceasefire without a deal {first}"
    assert step_view(view, at[11]).status == "Talks collapsed; no strike yet"
