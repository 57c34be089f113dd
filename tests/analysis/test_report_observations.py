"""``negsim report --observations``: each scenario conditioned, its tables and figures weighted."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from sim.analysis.plots import figure_bytes, plot_timing
from sim.analysis.report import write_report
from sim.cli.errors import BAD_INPUT
from sim.cli.main import main
from sim.mechanisms.outcomes import STATE_LABELS, STATES
from sim.runs.conditioning import condition, weighted_view
from sim.runs.ensemble import RunResult, as_loaded
from sim.scenario.observations import load_observations
from tests.builders import BASELINE, ROOT

EXAMPLE = ROOT / "scenarios" / "observations" / "talks_rounds.yaml"
UNFORCED = """\
extends: {base}
name: unforced
description: The baseline without its observed history, so that the facts reject worlds.
overrides:
  calendar.observed_until: null
"""
WORLDS, SEED = 120, 9


@pytest.fixture(scope="module")
def unforced(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scenario file, in the folder where the report is written."""
    folder = tmp_path_factory.mktemp("report")
    (folder / "unforced.yaml").write_text(UNFORCED.format(base=BASELINE), encoding="utf-8")
    return folder / "unforced.yaml"


@pytest.fixture(scope="module")
def report(unforced: Path) -> str:
    out = unforced.parent / "report.html"
    observed = load_observations(EXAMPLE)
    write_report([unforced], worlds=WORLDS, seed=SEED, out=out, observations=observed)
    return out.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def conditioned(unforced: Path) -> RunResult:
    """The report's ensemble, conditioned as ``negsim condition`` does it."""
    return condition(unforced, load_observations(EXAMPLE), WORLDS, SEED)


def images(html: str) -> list[bytes]:
    found = re.findall(r'<img alt="[^"]*" src="data:image/png;base64,([^"]*)"', html)
    return [base64.b64decode(b) for b in found]


def test_the_report_shows_the_conditioning_and_the_weighted_tables(
    report: str, conditioned: RunResult
) -> None:
    result = conditioned
    cond = result.summary["conditioning"]
    assert 0 < cond["kept"] < WORLDS  # the facts reject some worlds: prior and posterior differ
    section = report.split("<h3>Conditioned on")[1]
    assert f"{cond['kept']:,} of {WORLDS:,} worlds kept" in section
    assert f"effective sample size (Kish, (Σw)²/Σw²) {cond['ess']:,.1f}" in section
    assert "prior → posterior" in section
    assert cond["parameters"][0]["parameter"] in section  # the most shifted first
    deal = cond["posterior"]["outcomes"]["deal"]
    lo, hi = deal["ci95"]
    row = (
        f"</span>Deal</td><td class='num'>{deal['p']:.3f}</td><td class='num'>[{lo:.3f}, {hi:.3f}]"
    )
    assert row in section  # the weighted share, its interval at the ESS
    prior = result.summary["outcomes"]["deal"]["p"]
    assert prior != deal["p"] and f"</span>Deal</td><td class='num'>{prior:.3f}<" not in section
    for state in STATES:
        s = cond["posterior"]["states"][state]
        lo, hi = s["ci95"]
        row = f"{STATE_LABELS[state]}</td><td class='num'>{s['p']:.3f}</td>"
        assert row + f"<td class='num'>[{lo:.3f}, {hi:.3f}]</td>" in section
    assert "weighted share of the worlds where the event happened" in report
    assert "negsim ask" in report and "--observations" in report


def test_the_report_draws_the_weighted_worlds(
    report: str, unforced: Path, conditioned: RunResult
) -> None:
    result = conditioned
    _, worlds = weighted_view(result.summary, result.worlds)
    spec = as_loaded(unforced).scenario
    fig = plot_timing(worlds, spec, name="unforced")
    drawn = images(report)
    assert figure_bytes(fig, "png", dpi=110) in drawn  # the posterior's timing, as plot draws it
    prior = plot_timing(result.worlds, spec, name="unforced")
    assert figure_bytes(prior, "png", dpi=110) not in drawn
    # outcomes, timing, terms, events, parameters; the forest, one world, one episode at most
    assert len(drawn) in (5 + 3, 5 + 2)
    assert "prior and posterior parameters of unforced" in report


@pytest.mark.parametrize(
    "facts",
    [
        "facts:\n  - {kind: event, event: peace, happened: by, date: 2025-06-01, assumption: x}\n",
        "facts:\n  - {kind: event, event: deal, happened: by, date: 2031-06-01, assumption: x}\n",
    ],
)
def test_bad_observations_exit_2_and_write_nothing(
    facts: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    obs = tmp_path / "obs.yaml"
    obs.write_text(facts, encoding="utf-8")
    out = tmp_path / "report.html"
    args = ["report", str(BASELINE), "--worlds", "10", "--out", str(out), "--observations"]
    assert main([*args, str(obs)]) == BAD_INPUT
    err = capsys.readouterr().err
    assert "invalid observations" in err and str(obs) in err and "Traceback" not in err
    assert "running" not in err  # refused before any world ran
    assert not out.exists()
