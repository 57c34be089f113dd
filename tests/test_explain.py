"""The story of one world: it matches the world in its ensemble, and tells what happened."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from sim.ensemble import run
from sim.explain import explain
from tests.builders import BASELINE

SEED = 20250412


@pytest.fixture(scope="module")
def ensemble():  # type: ignore[no-untyped-def]
    return run(BASELINE, worlds=300, seed=SEED).worlds


@pytest.fixture(scope="module")
def short(tmp_path_factory):  # type: ignore[no-untyped-def]
    """The baseline stopped two weeks after the observed history: many worlds end unresolved.

    (In the full baseline almost every world ends before the horizon, so a no-resolution world
    is too rare to find among a few hundred.)
    """
    path = tmp_path_factory.mktemp("short") / "short.yaml"
    path.write_text(f"extends: {BASELINE}\nname: baseline\nhorizon: 7\n", encoding="utf-8")
    return path, run(path, worlds=300, seed=SEED).worlds


@pytest.mark.parametrize("outcome", ["deal", "strike_us", "breakdown", "no_resolution"])
def test_story_matches_the_world_in_its_ensemble(ensemble, short, outcome: str) -> None:  # type: ignore[no-untyped-def]
    scenario, worlds = (BASELINE, ensemble) if outcome != "no_resolution" else short
    row = worlds[worlds["outcome"] == outcome].iloc[0]
    story = explain(scenario, SEED, int(row["world"]))
    model = story.model
    assert model.outcome[0] - 1 == [
        "deal",
        "strike_israel",
        "strike_us",
        "breakdown",
        "no_resolution",
    ].index(outcome)
    assert model.end_step[0] == row["step"]
    text = story.text
    assert text.startswith(f"World {int(row['world'])} of 'baseline' (seed {SEED})")
    assert "Outcome:" in text.splitlines()[-1]
    assert "Washington proposed:" in text and "Tehran proposed:" in text
    if outcome == "deal":
        assert "Accepted and ratified on both sides: a deal." in text
        terms = [row[f"terms.{i}"] for i in ("enrichment", "sanctions_relief")]
        assert np.allclose(model.terms[0, :2], terms)
    if outcome == "breakdown":
        assert "collapsed" in text or "gave up" in text


def test_shocks_are_told(ensemble) -> None:  # type: ignore[no-untyped-def]
    row = ensemble[ensemble["events"].str.contains("bandar_abbas")].iloc[0]
    text = explain(BASELINE, SEED, int(row["world"])).text
    assert "Shock 'bandar_abbas'" in text


def test_explain_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "explain", str(BASELINE), "--seed", "5", "--world", "2"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("World 2 of 'baseline' (seed 5)")
    bad = subprocess.run(
        [sys.executable, "-m", "sim", "explain", str(BASELINE), "--seed", "5", "--world", "-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
