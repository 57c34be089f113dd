"""Every figure: a non-empty Figure with the expected title, axis labels and series."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure

from sim import plots
from sim.ensemble import RunResult, run
from sim.explain import explain
from sim.outcomes import COLOURS, OUTCOMES
from sim.scenario import load_scenario
from sim.stats import wilson_interval
from tests.builders import BASELINE

SEED = 11
WORLDS = 300


@pytest.fixture(scope="module")
def result() -> RunResult:
    return run(BASELINE, worlds=WORLDS, seed=SEED)


@pytest.fixture(scope="module")
def variant() -> RunResult:
    out = run(BASELINE, worlds=WORLDS, seed=SEED, overrides={"actors.israel.strike_resolve": 0.1})
    out.summary["scenario"] = "resolute_israel"
    return out


@pytest.fixture(scope="module")
def spec():  # type: ignore[no-untyped-def]
    return load_scenario(BASELINE).scenario


def grid_frame() -> pd.DataFrame:
    """A small sweep table in the form of ``points.parquet`` (2 x 3 grid)."""
    rows = []
    for k, (clout, resolve) in enumerate((c, r) for c in (0.2, 0.4) for r in (-0.1, 0.0, 0.1)):
        row: dict[str, object] = {
            "point": k,
            "actors.us_hawks.clout": clout,
            "actors.israel.strike_resolve": resolve,
            "status": "ok",
            "error": None,
            "worlds": 100,
        }
        counts = dict(zip(OUTCOMES, (40 - 10 * k % 30, 10 + k, 20, 15, 0), strict=True))
        counts["no_resolution"] = 100 - sum(counts.values())
        counts["strike"] = counts["strike_israel"] + counts["strike_us"]
        for name, count in counts.items():
            lo, hi = wilson_interval(count, 100)
            row |= {
                f"{name}_p": count / 100,
                f"{name}_ci_low": lo,
                f"{name}_ci_high": hi,
                f"{name}_count": count,
            }
        rows.append(row)
    return pd.DataFrame(rows)


def titles(fig: Figure) -> str:
    """Every title of a figure (suptitle and axes titles) in one string."""
    parts = [fig._suptitle.get_text() if fig._suptitle else ""]
    parts += [ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")]
    return " | ".join(parts)


def check_saves(fig: Figure, tmp_path: Path, name: str) -> None:
    paths = plots.save_figure(fig, tmp_path / name)
    assert [p.suffix for p in paths] == [".png", ".svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in paths[1].read_bytes()[:1000]
    assert all(p.stat().st_size > 5000 for p in paths)
    plt.close(fig)


# ------------------------------------------------------------------------------- outcomes


def test_outcomes(result: RunResult, tmp_path: Path) -> None:
    fig = plots.plot_outcomes(result.summary)
    ax = fig.axes[0]
    assert "Outcomes of 'baseline'" in ax.get_title() and f"{WORLDS:,} worlds" in ax.get_title()
    assert "Probability" in ax.get_xlabel() and ax.get_ylabel() == "Outcome"
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 1 and len(bars[0]) == len(OUTCOMES)
    colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in bars[0]}
    assert len(colours) == len(OUTCOMES)
    check_saves(fig, tmp_path, "outcomes")


def test_forest(result: RunResult, variant: RunResult, tmp_path: Path) -> None:
    fig = plots.plot_forest([result.summary, variant.summary])
    assert "baseline" in titles(fig) and "1 variant" in titles(fig)
    assert len(fig.axes) == len(OUTCOMES)
    for ax, name in zip(fig.axes, OUTCOMES, strict=True):
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(bars) == 1
        assert ax.get_xlabel().startswith("Probability")
        assert ax.title.get_color() == COLOURS[name]
        assert len(bars[0].lines[0].get_xdata()) == 2  # one point per scenario
    ticks = {t.get_text(): t.get_position()[1] for t in fig.axes[0].get_yticklabels()}
    assert ticks["baseline"] > ticks["resolute_israel"]  # the baseline on top
    check_saves(fig, tmp_path, "forest")


def test_forest_needs_summaries() -> None:
    with pytest.raises(ValueError, match="at least one"):
        plots.plot_forest([])


# ---------------------------------------------------------------------------------- timing


def test_cumulative_incidence_ends_at_the_outcome_shares(result: RunResult) -> None:
    table = plots.cumulative_incidence(result.worlds, 38)
    final = table.iloc[-1]
    for name in OUTCOMES:
        assert final[name] == pytest.approx(result.summary["outcomes"][name]["p"])
        assert (np.diff(table[name]) >= 0).all()
        assert (table[f"{name}_low"] <= table[name] + 1e-12).all()
    assert final["still_running"] == pytest.approx(final["no_resolution"])


def test_breakdown_is_timed_at_the_collapse() -> None:
    worlds = pd.DataFrame(
        {"outcome": ["breakdown", "deal"], "step": [38, 5], "collapse_step": [10, -1]}
    )
    assert plots.end_steps(worlds).tolist() == [10.0, 5.0]


def test_timing(result: RunResult, spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fig = plots.plot_timing(result.worlds, spec)
    ax = fig.axes[0]
    assert "cumulative incidence" in ax.get_title() and f"({WORLDS:,} worlds)" in ax.get_title()
    assert ax.get_xlabel().startswith("Step (weeks since 12 Apr 2025)")
    assert "Cumulative probability" in ax.get_ylabel()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == 5 and texts[0].startswith("Deal") and "No outcome yet" in texts[-1]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 4  # a Wilson band per competing outcome
    deadline = [t.get_text() for t in ax.texts]
    assert any("Snapback expires" in t and "18 Oct 2025" in t for t in deadline)
    top = [a for a in fig.axes[0].child_axes]
    assert top and top[0].get_xlabel().startswith("Calendar date")
    check_saves(fig, tmp_path, "timing")


def test_deadlines_include_ultimatum_and_principal_deadline(spec) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    protocol = spec.protocol.model_copy(update={"ultimatum": dt.date(2025, 7, 5)})
    changed = spec.model_copy(update={"protocol": protocol})
    marks = plots.deadlines(changed)
    assert [round(s, 3) for s, _ in marks] == [12.0, 27.0]
    assert "US ultimatum" in marks[0][1]
    assert "Iran's deadline" in marks[1][1] and "snapback expires" in marks[1][1]


# ----------------------------------------------------------------------------------- terms


def test_terms(result: RunResult, spec, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fig = plots.plot_terms(result.worlds, spec)
    deals = int((result.worlds["outcome"] == "deal").sum())
    assert f"terms of the {deals:,} deals in baseline" in titles(fig)
    strips, hists = fig.axes[0::2], fig.axes[1::2]
    assert len(hists) == len(spec.issues)
    assert hists[0].get_xlabel() == "Enrichment (% U-235)"
    assert hists[0].get_ylabel() == "Deals (worlds)"
    assert len(hists[0].patches) == 60  # the histogram's bars
    ideals = plots.ideal_points(spec)
    assert len(strips[0].get_lines()) == len(ideals) + 1  # each actor and the status quo
    labels = [t.get_text() for t in strips[0].get_yticklabels()]
    assert "Israel" in labels and "Status quo" in labels and "Trump (US)" in labels
    check_saves(fig, tmp_path, "terms")


def test_terms_without_deals(result: RunResult, spec) -> None:  # type: ignore[no-untyped-def]
    none = result.worlds[result.worlds["outcome"] != "deal"]
    fig = plots.plot_terms(none, spec)
    assert any("no deal in any world" in t.get_text() for t in fig.axes[1].texts)
    plt.close(fig)


# ---------------------------------------------------------------------------------- sweeps


def test_sweep_heatmap(tmp_path: Path) -> None:
    frame = grid_frame()
    x, y = "actors.israel.strike_resolve", "actors.us_hawks.clout"
    fig = plots.plot_sweep_heatmap(frame, x, y, "deal")
    ax = fig.axes[0]
    assert ax.get_title().startswith("P(deal) across Israel: strike resolve and US hawks: clout")
    assert "100 worlds per point" in ax.get_title()
    assert x in ax.get_xlabel() and y in ax.get_ylabel()
    assert ax.images and ax.images[0].get_array().shape == (2, 3)
    assert len(ax.texts) == 6  # each cell's probability
    assert "P(deal)" in fig.axes[1].get_ylabel()  # the colour bar
    check_saves(fig, tmp_path, "heatmap")
    strike = plots.plot_sweep_heatmap(frame, x, y, "strike")
    assert strike.axes[0].get_title().startswith("P(strike)")
    plt.close(strike)


def test_sweep_heatmap_of_a_sampled_design_is_a_scatter() -> None:
    frame = grid_frame()
    frame["actors.israel.strike_resolve"] += np.linspace(0, 0.01, len(frame))
    fig = plots.plot_sweep_heatmap(
        frame, "actors.israel.strike_resolve", "actors.us_hawks.clout", "deal"
    )
    assert not fig.axes[0].images and len(fig.axes[0].collections) == 1
    plt.close(fig)


def test_sweep_line(tmp_path: Path) -> None:
    frame = grid_frame()
    fig = plots.plot_sweep_line(frame, "actors.israel.strike_resolve")
    ax = fig.axes[0]
    assert ax.get_title().startswith("How the outcomes move with Israel: strike resolve")
    assert "pooled over the other parameters" in ax.get_title()
    assert ax.get_ylabel().startswith("Probability")
    assert len(ax.get_lines()) == len(OUTCOMES)
    assert len(ax.collections) == len(OUTCOMES)  # the Wilson bands
    p = ax.get_lines()[0].get_ydata()
    expected = frame.groupby("actors.israel.strike_resolve")["deal_count"].sum() / 200
    assert np.allclose(p, expected.to_numpy())
    check_saves(fig, tmp_path, "line")


def test_sweep_tables_in_long_form_are_pivoted() -> None:
    frame = grid_frame()
    long = []
    for row in frame.to_dict("records"):
        for name in OUTCOMES:
            long.append(
                {
                    "point": row["point"],
                    "actors.us_hawks.clout": row["actors.us_hawks.clout"],
                    "actors.israel.strike_resolve": row["actors.israel.strike_resolve"],
                    "outcome": name,
                    "count": row[f"{name}_count"],
                    "worlds": 100,
                    "p": row[f"{name}_p"],
                    "ci_low": row[f"{name}_ci_low"],
                    "ci_high": row[f"{name}_ci_high"],
                    "median_step": 3.0,
                    "median_date": "2025-05-03",
                }
            )
    wide = plots.sweep_wide(pd.DataFrame(long))
    assert np.allclose(wide["deal_p"].to_numpy(), frame["deal_p"].to_numpy())
    with pytest.raises(ValueError, match="sweep table"):
        plots.sweep_wide(pd.DataFrame({"a": [1]}))


def test_sweep_parameters_are_found() -> None:
    frame = grid_frame()
    assert plots.sweep_parameters(frame) == [
        "actors.us_hawks.clout",
        "actors.israel.strike_resolve",
    ]


# ----------------------------------------------------------------------------- sensitivity


def sensitivity_frame(method: str) -> pd.DataFrame:
    names = ["actors.us_hawks.clout", "actors.israel.strike_resolve", "actors.e3.hazard"]
    rows = []
    for output in ("deal", "strike"):
        for k, name in enumerate(names):
            row: dict[str, object] = {"output": output, "parameter": name, "method": method}
            if method == "sobol":
                row |= {"S1": 0.1 * k, "S1_conf": 0.02, "ST": 0.15 * k, "ST_conf": 0.03}
            else:
                row |= {"mu": 0.1, "mu_star": 0.1 * k, "mu_star_conf": 0.02, "sigma": 0.05}
            rows.append(row)
    return pd.DataFrame(rows)


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity(method: str, tmp_path: Path) -> None:
    fig = plots.plot_sensitivity(sensitivity_frame(method), output="strike")
    ax = fig.axes[0]
    expected = "Sobol' indices" if method == "sobol" else "Morris screening"
    assert ax.get_title() == f"What moves P(strike): {expected} of 3 parameters"
    assert "P(strike)" in ax.get_xlabel() and ax.get_ylabel() == "Parameter"
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2 and all(len(b) == 3 for b in bars)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1] == "E3: hazard"  # the largest index on top
    check_saves(fig, tmp_path, f"sensitivity_{method}")


def test_sensitivity_rejects_an_unknown_method() -> None:
    with pytest.raises(ValueError, match="sobol"):
        plots.plot_sensitivity(sensitivity_frame("sobol"), method="fast")


# ---------------------------------------------------------------------------------- a world


@pytest.mark.parametrize("outcome", ["deal", "breakdown"])
def test_world(result: RunResult, outcome: str, tmp_path: Path) -> None:
    world = int(result.worlds.loc[result.worlds["outcome"] == outcome, "world"].iloc[0])
    story = explain(BASELINE, SEED, world)
    fig = plots.plot_world(story)
    text = titles(fig)
    assert f"World {world} of 'baseline' (seed {SEED}), told over time" in text
    issue_axes = fig.axes[:4]
    for ax in issue_axes:
        assert "stances and offers" in ax.get_title()
        assert [ln.get_label() for ln in ax.get_lines()[:2]] == [
            "Washington's stance",
            "Tehran's stance",
        ]
        assert ax.collections  # offers
    clout = fig.axes[4:6]
    assert [len(ax.get_lines()) >= 3 for ax in clout] == [True, True]
    assert clout[0].get_ylabel().startswith("Clout share")
    risk = fig.axes[6]
    assert risk.get_xlabel().startswith("Step (weeks")
    assert any("Events. A: step 2" in t.get_text() for t in fig.texts)
    if outcome == "breakdown":
        assert any("talks collapse" in t.get_text() for t in fig.texts)
    else:
        stars = [c for ax in issue_axes for c in ax.collections if len(c.get_offsets()) == 1]
        assert stars  # the deal's terms
    check_saves(fig, tmp_path, f"world_{outcome}")


# ------------------------------------------------------------------------------- helpers


def test_labels() -> None:
    assert plots.param_label("actors.us_hawks.clout") == "US hawks: clout\n(actors.us_hawks.clout)"
    assert plots.param_label("programme.growth").startswith("Programme growth")
    assert plots.outcome_noun("strike_israel") == "Israeli strike"
    assert plots.outcome_noun("no_resolution") == "no resolution"
    assert plots.outcome_colour("strike") == plots.STRIKE_COLOUR


def test_figures_leave_pyplot_alone(result: RunResult) -> None:
    before = plt.get_fignums()
    fig = plots.plot_outcomes(result.summary)
    assert plt.get_fignums() == before
    assert plots.figure_bytes(fig).startswith(b"\x89PNG")
