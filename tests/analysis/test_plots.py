"""Every figure: a non-empty Figure with the expected title, axis labels and series."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import PercentFormatter

from sim.analysis import plots
from sim.analysis.explain import explain
from sim.mechanisms.outcomes import COLOURS, LABELS, OUTCOMES
from sim.mechanisms.stats import wilson_interval
from sim.runs.ensemble import RunResult, run
from sim.scenario import load_scenario
from sim.scenario.schema import parameter_paths
from sim.scenario.vocabulary import describe
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
        counts = dict(zip(OUTCOMES, (40 - 10 * k % 30, 10 + k, 5, 20, 15, 0), strict=True))
        counts["no_resolution"] = 100 - sum(counts.values())
        counts["strike"] = counts["strike_israel"] + counts["strike_joint"] + counts["strike_us"]
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


def rendered(fig: Figure) -> RendererBase:
    """Draw the figure on an Agg canvas (no pyplot) and return its renderer, for extents."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


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
    assert "Outcomes of 'Baseline'" in ax.get_title() and f"{WORLDS:,} worlds" in ax.get_title()
    assert "Probability (% of worlds" in ax.get_xlabel() and ax.get_ylabel() == "Outcome"
    assert isinstance(ax.xaxis.get_major_formatter(), PercentFormatter)  # percent, as elsewhere
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 1 and len(bars[0]) == len(OUTCOMES)
    colours = {tuple(np.round(p.get_facecolor()[:3], 3)) for p in bars[0]}
    assert len(colours) == len(OUTCOMES)
    check_saves(fig, tmp_path, "outcomes")


def test_events_figure(result: RunResult, tmp_path: Path) -> None:
    """Every event type's incidence is drawn, outcomes in their colours; one bar per state."""
    from matplotlib.colors import to_hex

    from sim.analysis.plots.events import event_label
    from sim.mechanisms.outcomes import COLOURS, STATE_COLOURS, STATES

    fig = plots.plot_events(result.summary)
    decisive, other, states = fig.axes
    lines = {ln.get_label(): ln for ax in (decisive, other) for ln in ax.get_lines()}
    assert set(lines) == {event_label(n) for n in result.summary["event_types"]}
    assert to_hex(lines["Deal"].get_color()) == COLOURS["deal"]
    assert to_hex(lines["Talks collapse"].get_color()) == COLOURS["breakdown"]
    dates = result.summary["events_by_date"]["dates"]
    deal = result.summary["events_by_date"]["events"]["deal"]["p"]
    assert list(lines["Deal"].get_ydata()) == [0.0, *deal] and len(deal) == len(dates)
    (bars,) = [c for c in states.containers if isinstance(c, BarContainer)]
    assert [to_hex(p.get_facecolor()) for p in bars] == [STATE_COLOURS[k] for k in STATES[::-1]]
    assert states.get_title() == "State at the horizon"
    assert set(plots.run_figures(result.summary)) == {"outcomes.png", "events.png"}
    check_saves(fig, tmp_path, "events")


def test_forest(result: RunResult, variant: RunResult, tmp_path: Path) -> None:
    fig = plots.plot_forest([result.summary, variant.summary])
    assert "Baseline" in titles(fig) and "against 1 variant," in titles(fig)
    assert "variant(s)" not in titles(fig)
    assert len(fig.axes) == len(OUTCOMES)
    for ax, name in zip(fig.axes, OUTCOMES, strict=True):
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(bars) == 1
        assert ax.get_xlabel().startswith("Probability")
        assert ax.title.get_color() == COLOURS[name]
        assert len(bars[0].lines[0].get_xdata()) == 2  # one point per scenario
    ticks = {t.get_text(): t.get_position()[1] for t in fig.axes[0].get_yticklabels()}
    # The baseline on top, names as words, a run with overrides labelled with them.
    assert ticks["Baseline"] > ticks["Resolute Israel [actors.israel.strike_resolve=0.1]"]
    check_saves(fig, tmp_path, "forest")


def test_forest_titles_count_variants(result: RunResult) -> None:
    alone = plots.plot_forest([result.summary])
    assert "Outcome probabilities of Baseline, 300 worlds," in titles(alone)
    three = plots.plot_forest([result.summary] * 3, ["a", "b", "c"])
    assert "against 2 variants, 300 worlds each" in titles(three)
    plt.close(alone)
    plt.close(three)


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
    ax, strip = fig.axes[0], fig.axes[1]
    assert "cumulative incidence" in titles(fig) and f"Baseline ({WORLDS:,} worlds)" in titles(fig)
    assert ax.get_xlabel().startswith("Step (weeks since 12 Apr 2025)")
    assert "Cumulative probability" in ax.get_ylabel()
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(texts) == len(OUTCOMES)
    assert texts[0].startswith("Deal") and "No outcome yet" in texts[-1]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == len(OUTCOMES) - 1  # a Wilson band per competing outcome
    assert not ax.texts  # no label over the curves
    deadline = [t.get_text() for t in strip.texts]
    assert any("Snapback expires" in t and "18 Oct 2025" in t for t in deadline)
    top = [a for a in strip.child_axes]
    assert top and top[0].get_xlabel().startswith("Calendar date")
    check_saves(fig, tmp_path, "timing")


def test_timing_legend_and_deadline_labels_cover_no_data(result: RunResult, spec) -> None:  # type: ignore[no-untyped-def]
    fig = plots.plot_timing(result.worlds, spec, name="israel_preempts")
    assert "Israel preempts" in titles(fig)
    renderer = rendered(fig)
    ax, strip = fig.axes[0], fig.axes[1]
    plot_area = ax.get_window_extent(renderer)
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y1 <= plot_area.y0  # below the axes, not over the curves
    for text in strip.texts:
        assert text.get_window_extent(renderer).y0 >= plot_area.y1 - 1  # above the plot area
    plt.close(fig)


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
    assert f"terms of the {deals:,} deals in Baseline" in titles(fig)
    strips, hists = fig.axes[0::2], fig.axes[1::2]
    assert len(hists) == len(spec.issues)
    assert hists[0].get_xlabel() == "Enrichment (% U-235)"
    assert hists[0].get_ylabel() == "Deals (worlds)"
    assert len(hists[0].patches) == 60  # the histogram's bars
    ideals = plots.ideal_points(spec)
    assert len(strips[0].get_lines()) == len(ideals) + 1  # each actor and the status quo
    for strip in strips:  # every column's rows are labelled (the right one on the right)
        labels = [t.get_text() for t in strip.get_yticklabels()]
        assert "Israel" in labels and "Status quo" in labels and "Trump (US)" in labels
    left, right = strips[0].yaxis.get_major_ticks()[0], strips[1].yaxis.get_major_ticks()[0]
    assert left.label1.get_visible() and right.label2.get_visible()  # shown, outer edges
    assert strips[1].yaxis.get_label_position() == "right"
    renderer = rendered(fig)
    for hist in hists:  # the median's label stays inside its panel
        box = hist.get_window_extent(renderer)
        for text in hist.texts:
            label = text.get_window_extent(renderer)
            assert box.x0 - 1 <= label.x0 and label.x1 <= box.x1 + 1, text.get_text()
    check_saves(fig, tmp_path, "terms")


def test_terms_median_label_near_the_top_of_the_range(spec) -> None:  # type: ignore[no-untyped-def]
    worlds = pd.DataFrame(
        {"outcome": ["deal"] * 3, **{f"terms.{i}": [1.0, 1.0, 0.9] for i in spec.issues}}
    )
    worlds["terms.enrichment"] = [60.0, 60.0, 59.0]
    fig = plots.plot_terms(worlds, spec)
    renderer = rendered(fig)
    for hist in fig.axes[1::2]:
        box = hist.get_window_extent(renderer)
        (label,) = hist.texts
        assert label.get_text() in ("median 1", "median 60")
        assert label.get_window_extent(renderer).x1 <= box.x1 + 1
    plt.close(fig)


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
    assert ax.get_title().startswith("P(deal) across Israel's strike resolve and US hawks' clout")
    assert "100 worlds per point)" in ax.get_title() and "averaged" not in ax.get_title()
    assert x in ax.get_xlabel() and y in ax.get_ylabel()
    assert "utility units of the strike margin" in ax.get_xlabel()  # the parameter's unit
    assert "relative weight inside the side" in ax.get_ylabel()
    assert ax.images and ax.images[0].get_array().shape == (2, 3)
    assert len(ax.texts) == 6  # each cell's probability
    assert fig.axes[1].get_ylabel() == "P(deal), % of worlds"  # the colour bar, one bracket
    assert ax.get_legend() is None  # no cell without data
    check_saves(fig, tmp_path, "heatmap")
    strike = plots.plot_sweep_heatmap(frame, x, y, "strike")
    assert strike.axes[0].get_title().startswith("P(strike)")
    plt.close(strike)


def test_sweep_heatmap_greys_out_a_cell_without_data() -> None:
    frame = grid_frame()
    frame.loc[4, "status"] = "error"  # point 4: clout 0.4, resolve 0.0
    x, y = "actors.israel.strike_resolve", "actors.us_hawks.clout"
    fig = plots.plot_sweep_heatmap(frame, x, y, "deal")
    ax = fig.axes[0]
    cells = ax.images[0].get_array()
    assert cells.shape == (2, 3)
    assert np.ma.is_masked(cells) and cells.mask[1, 1] and cells.mask.sum() == 1  # not a 0
    hatched = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_xy() == (0.5, 0.5)
    assert to_hex(hatched[0].get_facecolor()) == plots.NO_DATA_COLOUR
    assert "no data" in [t.get_text() for t in ax.texts]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend and legend[0].startswith("no data")
    plt.close(fig)


def test_sweep_heatmap_says_what_it_averages_over() -> None:
    low, high = grid_frame(), grid_frame()
    low["actors.e3.hazard"], high["actors.e3.hazard"] = 0.0, 0.02
    fig = plots.plot_sweep_heatmap(
        pd.concat([low, high], ignore_index=True),
        "actors.israel.strike_resolve",
        "actors.us_hawks.clout",
        "deal",
    )
    assert "averaged over the other 1 parameter)" in fig.axes[0].get_title()
    plt.close(fig)


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
    title = " ".join(ax.get_title().split())
    assert title.startswith("How the outcomes move with Israel's strike resolve")
    assert "the mean of the 2 design points over US hawks' clout, 100 worlds each" in title
    assert "not pooled" in title and "100 worlds per point" not in title
    assert "utility units of the strike margin" in ax.get_xlabel()
    assert ax.get_ylabel().startswith("Probability")
    assert len(ax.get_lines()) == len(OUTCOMES)
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == len(OUTCOMES)  # the Wilson bands
    p = ax.get_lines()[0].get_ydata()
    expected = frame.groupby("actors.israel.strike_resolve")["deal_p"].mean()
    assert np.allclose(p, expected.to_numpy())
    check_saves(fig, tmp_path, "line")


def test_sweep_line_of_a_single_parameter() -> None:
    frame = grid_frame()
    frame = frame[frame["actors.us_hawks.clout"] == 0.2]
    fig = plots.plot_sweep_line(frame, "actors.israel.strike_resolve")
    title = fig.axes[0].get_title()
    assert "(100 worlds per point; bands: 95% Wilson intervals)" in title
    assert np.allclose(fig.axes[0].get_lines()[0].get_ydata(), frame["deal_p"].to_numpy())
    plt.close(fig)


def crn_frame(points: int = 5, worlds: int = 400) -> pd.DataFrame:
    """A grid whose points share their worlds: 4 resolve values x ``points`` clout values,
    the same draws in every point (common random numbers), so the counts barely differ."""
    rng = np.random.default_rng(3)
    draws = rng.random(worlds)  # one uniform per world, shared by every design point
    rows = []
    for k, (resolve, clout) in enumerate(
        (r, c) for r in (-0.1, 0.0, 0.05, 0.1) for c in np.linspace(0.2, 0.5, points)
    ):
        deal = int((draws < 0.6 - 0.5 * resolve - 0.01 * clout).sum())
        lo, hi = wilson_interval(deal, worlds)
        row = {"point": k, "actors.israel.strike_resolve": resolve, "actors.us_hawks.clout": clout}
        row |= {"status": "ok", "worlds": worlds, "deal_count": deal, "deal_p": deal / worlds}
        rows.append(row | {"deal_ci_low": lo, "deal_ci_high": hi})
    return pd.DataFrame(rows)


def test_sweep_line_band_of_a_crn_grid_is_no_narrower_than_one_point() -> None:
    frame = crn_frame()
    x = "actors.israel.strike_resolve"
    fig = plots.plot_sweep_line(frame, x, ["deal"])
    ax = fig.axes[0]
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    line = plots.sweep_line_points(plots.sweep_wide(frame), x, "deal")
    widths = (frame["deal_ci_high"] - frame["deal_ci_low"]).groupby(frame[x]).min().to_numpy()
    assert (line["high"] - line["low"] >= widths - 1e-12).all()
    pooled = [wilson_interval(int(c), 5 * 400) for c in frame.groupby(x)["deal_count"].sum()]
    assert (line["high"] - line["low"] > 1.8 * np.diff(pooled, axis=1)[:, 0]).all()  # ~sqrt(5)
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.max() == pytest.approx(line["high"].max()) and ys.min() == pytest.approx(
        line["low"].min()
    )
    plt.close(fig)


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
    assert labels[-1] == "E3's hazard of triggering snapback per step"  # the largest on top
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
    assert f"World {world} of 'Baseline' (seed {SEED}), told over time" in text
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
    # The events in order (A, B, ...): the baseline's shocks of 26 April among them (and, in the
    # worlds where it fired, the IRGC's recalibration at step 0 before them).
    events = [t.get_text() for t in fig.texts if t.get_text().startswith("Events. A: step ")]
    assert events and "step 2 (26 Apr 2025), shocks bandar abbas" in events[0]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Iran's nuclear progress (breakout index, 0–1)" in legend
    assert not any("Nuclear progress k" in t for t in legend)
    if outcome == "breakdown":
        assert any("talks collapse" in t.get_text() for t in fig.texts)
        assert "Talks collapse" in legend and not any(t.startswith("Deal") for t in legend)
    else:
        stars = [c for ax in issue_axes for c in ax.collections if len(c.get_offsets()) == 1]
        assert stars  # the deal's terms
        assert "Talks collapse" not in legend and "Deal's terms (ratified by both)" in legend
    assert ("Snapback (E3)" in legend) == (story.model.snapback_step[0] >= 0)
    check_saves(fig, tmp_path, f"world_{outcome}")


def low_risk_world(result: RunResult) -> int:
    """A deal world of the fixture run whose strike risk never reaches 1% a step."""
    for world in result.worlds.loc[result.worlds["outcome"] == "deal", "world"]:
        model = explain(BASELINE, SEED, int(world)).model
        peak = max(float(r.israel.probability[0]) if r.israel else 0.0 for r in model.trace)
        if peak < 0.01:
            return int(world)
    raise AssertionError("no low-risk deal world")


def test_world_risk_axis_keeps_a_low_risk_low(result: RunResult) -> None:
    story = explain(BASELINE, SEED, low_risk_world(result))
    fig = plots.plot_world(story)
    risk, right = fig.axes[6], fig.axes[7]
    assert right.get_ylim()[1] >= plots.RISK_AXIS_FLOOR >= 0.05
    strike = [ln for ln in right.get_lines() if ln.get_label().startswith("P(")]
    assert len(strike) == 2 and all(ln.get_drawstyle() == "steps-mid" for ln in strike)
    assert all(ln.get_marker() == "o" for ln in strike)  # each step's risk, not a zig-zag
    progress = [ln for ln in risk.get_lines() if "nuclear progress" in str(ln.get_label())]
    assert progress and progress[0].get_linestyle() == "-"  # not dashed like a deadline
    plt.close(fig)


def test_world_deadline_is_drawn_over_the_end_and_letters_above_the_panels(
    result: RunResult,
) -> None:
    world = int(result.worlds.loc[result.worlds["outcome"] == "deal", "world"].iloc[0])
    story = explain(BASELINE, SEED, world)
    fig = plots.plot_world(story)
    end = int(story.model.end_step[0])
    for ax in fig.axes[:7]:
        verticals = [ln for ln in ax.get_lines() if len(set(ln.get_xdata())) == 1]
        ending = [ln for ln in verticals if ln.get_linewidth() >= 4]
        events = [ln for ln in verticals if ln.get_linewidth() < 4]
        assert len(ending) == 1 and ending[0].get_xdata()[0] == end
        assert all(ln.get_zorder() > ending[0].get_zorder() for ln in events)
        assert not ax.texts  # the event letters are in the strips, off the data
    strips = fig.axes[8:]
    letters = [t for strip in strips for t in strip.texts]
    assert letters and {t.get_text() for t in letters} <= set("ABCDEFGHIJ")
    plt.close(fig)


# ---------------------------------------------------------------------- one palette everywhere


def colour_of(artist: object) -> str:
    """An artist's colour as hex (its face for patches, its line colour for lines)."""
    if isinstance(artist, Line2D):
        return to_hex(artist.get_color())
    if isinstance(artist, Patch):
        return to_hex(artist.get_facecolor())
    return to_hex(artist.get_edgecolor()[0])  # type: ignore[attr-defined]


def bars_of(ax: Axes) -> list[BarContainer]:
    """The bar series of an axes, in drawing order (not their error bars)."""
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def test_every_figure_draws_each_outcome_in_the_same_colour(
    result: RunResult,
    variant: RunResult,
    spec,  # type: ignore[no-untyped-def]
) -> None:
    palette = {name: to_hex(colour) for name, colour in plots.OUTCOME_COLOURS.items()}
    assert {k: to_hex(v) for k, v in COLOURS.items()} == {k: palette[k] for k in OUTCOMES}
    seen: dict[str, dict[str, str]] = {}

    outcomes = plots.plot_outcomes(result.summary)
    bars = bars_of(outcomes.axes[0])[0]
    labels = [t.get_text() for t in outcomes.axes[0].get_yticklabels()]
    seen["outcomes"] = {
        name: colour_of(bar)
        for bar, label in zip(bars, labels, strict=True)
        for name in OUTCOMES
        if LABELS[name] == label
    }

    timing = plots.plot_timing(result.worlds, spec)
    steps = timing.axes[0].get_lines()
    seen["timing"] = {
        name: colour_of(line)
        for line in steps
        for name in OUTCOMES
        if str(line.get_label()).startswith(LABELS[name])
    }
    seen["timing"]["no_resolution"] = colour_of(steps[len(OUTCOMES) - 1])  # "No outcome yet"

    terms = plots.plot_terms(result.worlds, spec)
    seen["terms"] = {"deal": colour_of(terms.axes[1].patches[0])}

    forest = plots.plot_forest([result.summary, variant.summary])
    seen["forest"] = {
        name: to_hex(ax.containers[0].lines[0].get_color())
        for ax, name in zip(forest.axes, OUTCOMES, strict=True)
    }
    seen["forest titles"] = {
        name: to_hex(ax.title.get_color()) for ax, name in zip(forest.axes, OUTCOMES, strict=True)
    }

    sweep = plots.plot_sweep_line(grid_frame(), "actors.us_hawks.clout", [*OUTCOMES, "strike"])
    seen["sweep lines"] = {
        name: colour_of(line)
        for line in sweep.axes[0].get_lines()
        for name in (*OUTCOMES, "strike")
        if line.get_label() == plots.outcome_label(name)
    }
    heat = plots.plot_sweep_heatmap(
        grid_frame(), "actors.israel.strike_resolve", "actors.us_hawks.clout", "strike"
    )
    seen["heatmap"] = {"strike": to_hex(heat.axes[0].images[0].get_cmap()(1.0))}

    sens = plots.plot_sensitivity(sensitivity_frame("morris"), output="strike")
    seen["sensitivity"] = {"strike": colour_of(bars_of(sens.axes[0])[0][0])}
    panels = plots.plot_sensitivity(sensitivity_frame("morris"), output=["deal", "strike"])
    seen["sensitivity panels"] = {
        "deal": colour_of(bars_of(panels.axes[0])[0][0]),
        "strike": colour_of(bars_of(panels.axes[1])[0][0]),
    }

    world = explain(BASELINE, SEED, low_risk_world(result))
    drawn = plots.plot_world(world)
    right = drawn.axes[7].get_lines()
    seen["world"] = {"strike_israel": colour_of(right[0]), "strike_us": colour_of(right[1])}

    assert len(seen["outcomes"]) == len(seen["timing"]) == len(seen["forest"]) == len(OUTCOMES)
    assert len(seen["sweep lines"]) == len(OUTCOMES) + 1
    for figure, colours in seen.items():
        for name, colour in colours.items():
            assert colour == palette[name], (figure, name, colour, palette[name])
    for fig in (outcomes, timing, terms, forest, sweep, heat, sens, panels, drawn):
        plt.close(fig)


# ------------------------------------------------------------------------------- helpers


def test_labels() -> None:
    assert (
        plots.param_label("actors.us_hawks.clout")
        == "US hawks' clout (relative weight inside the side)\n(actors.us_hawks.clout)"
    )
    assert plots.param_label("actors.israel.strike_resolve").startswith(
        "Israel's strike resolve (utility units of the strike margin)\n"
    )
    assert plots.param_label("programme.growth").startswith(
        "Growth of Iran's nuclear progress per step (breakout index per step)"
    )
    assert plots.param_label("actors.x.mystery") == "X's mystery\n(actors.x.mystery)"
    assert plots.parameter_name("actors.e3.hazard") == "E3's hazard of triggering snapback per step"
    assert plots.scenario_title("israel_preempts") == "Israel preempts"
    assert plots.scenario_title("us_russia_rapprochement") == "US Russia rapprochement"
    assert plots.scenario_title("A named scenario") == "A named scenario"
    assert plots.outcome_noun("strike_israel") == "Israeli strike alone"
    assert plots.scenario_title("baseline [actors.us.join_probability=1]") == (
        "Baseline [actors.us.join_probability=1]"
    )
    assert plots.outcome_noun("no_resolution") == "no resolution"
    assert plots.outcome_colour("strike") == plots.STRIKE_COLOUR


def test_figures_leave_pyplot_alone(result: RunResult) -> None:
    before = plt.get_fignums()
    fig = plots.plot_outcomes(result.summary)
    assert plt.get_fignums() == before
    assert plots.figure_bytes(fig).startswith(b"\x89PNG")


def test_parameter_labels_are_the_scenario_vocabulary() -> None:
    """Axis and tick labels name each parameter as explanations and the dashboard do."""
    scenario = load_scenario(BASELINE).scenario
    for path in parameter_paths(scenario):
        found = describe(path, scenario)
        assert plots.parameter_name(path, scenario) == found.title
        assert plots.param_label(path, scenario) == f"{found.title} ({found.unit})\n({path})"
    fig = plots.plot_sweep_line(grid_frame(), "actors.us_hawks.clout")
    assert fig.axes[0].get_xlabel().startswith(describe("actors.us_hawks.clout").title)


def test_the_episode_figure_draws_a_band_per_phase_and_a_marker_per_event() -> None:
    import datetime as dt

    import pandas as pd
    from matplotlib.colors import to_hex

    from sim.analysis.plots import plot_episode
    from sim.mechanisms.outcomes import STATE_COLOURS

    start = dt.date(2025, 4, 12)
    steps = [2, 3, 3, 9, 12, 20]
    rows = pd.DataFrame(
        {
            "step": steps,
            "date": [pd.Timestamp(start) + pd.Timedelta(days=7 * s) for s in steps],
            "event": [
                *("shock:x", "strike_us", "retaliation"),
                *("ceasefire", "talks_resume", "horizon"),
            ],
            "details": ["", "", "escalating", "", "", "talks_ongoing"],
        }
    )
    fig = plot_episode(rows, start, world=4, title="Baseline")
    ax = fig.axes[0]
    bands = [to_hex(p.get_facecolor()) for p in ax.patches]
    phases = ["talks_ongoing", "at_war", "ceasefire", "talks_ongoing"]
    assert bands == [STATE_COLOURS[p] for p in phases]
    labels = [t.get_text() for t in ax.texts]
    assert labels == [
        "Shock: x",
        "US strike alone",
        "Iran retaliates (escalating)",
        "Ceasefire",
        "Talks resume",
    ]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["At war", "Ceasefire without a deal", "Talks ongoing"]
    title = "World 4 of 'Baseline': its whole episode; at the horizon: talks ongoing"
    assert ax.get_title() == title
