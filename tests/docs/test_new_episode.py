"""docs/new_episode.md: its worked example validates, runs and shows what the page teaches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import sim
from sim.scenario.evidence import evidence_items, uncovered
from sim.scenario.schema import Principal
from tests.builders import ROOT
from tests.cli.test_cli import negsim, no_traceback

EXAMPLE = ROOT / "docs" / "examples" / "new_episode"
FILES = (EXAMPLE / "scenario.yaml", EXAMPLE / "no_patron.yaml")


def test_the_source_is_labelled_illustrative() -> None:
    first = (EXAMPLE / "source.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("ILLUSTRATIVE TEXT, written for negsim's documentation")
    page = (ROOT / "docs" / "new_episode.md").read_text(encoding="utf-8")
    assert "It is illustrative: not a real\n  article" in page


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_example_validates_on_the_command_line(path: object) -> None:
    proc = negsim("validate", path)
    assert proc.returncode == 0, proc.stderr
    no_traceback(proc)


def test_the_example_has_its_own_sides_sources_and_removals() -> None:
    loaded = sim.load_scenario(EXAMPLE / "scenario.yaml")
    scenario = loaded.scenario
    assert scenario.side_ids() == ("washington", "tehran")
    assert {"us", "iran"}.isdisjoint(scenario.actors)
    assert loaded.sources == {"source.txt": EXAMPLE / "source.txt"}
    assert {item.seed for _, _, item in evidence_items(scenario)} == {"source.txt"}
    assert uncovered(scenario) == []  # every number has evidence or an assumption
    assert scenario.state is not None and scenario.state.snapback  # "a year after the snapback"
    variant = sim.load_scenario(EXAMPLE / "no_patron.yaml")
    assert variant.sources == loaded.sources  # inherited, found beside scenario.yaml
    assert set(scenario.actors) - set(variant.scenario.actors) == {"moscow"}
    tehran = variant.scenario.actors["tehran"]
    assert isinstance(tehran, Principal) and tehran.deadline is None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_example_runs(path: object) -> None:
    result = sim.run(path, worlds=200, seed=1)  # type: ignore[arg-type]
    outcomes = result.summary["outcomes"]
    assert sum(o["count"] for o in outcomes.values()) == 200
    assert outcomes["deal"]["count"] > 0 and outcomes["strike_israel"]["count"] > 0


def test_the_example_is_told_and_drawn_with_its_sides_names() -> None:
    from sim.analysis.explain import explain
    from sim.analysis.plots.world import plot_world

    story = explain(EXAMPLE / "scenario.yaml", seed=1, world=3)
    assert "Washington proposed" in story.text and "Tehran opens with the stance" in story.text
    figure = plot_world(story)
    labels = {t.get_text() for legend in figure.legends for t in legend.get_texts()}
    assert {"Washington's stance", "Tehran's stance"} <= labels
    assert {"Washington's offer, rejected", "Tehran's offer, rejected"} <= labels


def test_a_run_of_the_example_reproduces_from_its_summary_alone(tmp_path: Path) -> None:
    from sim.runs.reproduce import reproduce

    result = sim.run(EXAMPLE / "scenario.yaml", worlds=100, seed=2)
    assert result.summary["sources"] == ["source.txt"]
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(result.summary, default=str), encoding="utf-8")
    again = reproduce(path).result
    assert again.worlds.equals(result.worlds)
