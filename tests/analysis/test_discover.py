"""PRIM's boxes (sim.analysis.discover) on synthetic worlds whose event lies in a known box."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from sim.analysis.discover import (
    TREE_DEPTH,
    as_dict,
    boxes_figure,
    choose,
    default_threshold,
    find_boxes,
    leaves_as_dicts,
    peeling_figure,
    tree_leaves,
)

RESOLVE = "actors.israel.strike_resolve"


def worlds(n: int = 2000, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    """Four uniform parameters; the event is likely (0.9) only where strike_resolve > 0.7."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.uniform(size=(n, 4)), columns=[RESOLVE, "a", "b", "c"])
    y = rng.uniform(size=n) < np.where(x[RESOLVE] > 0.7, 0.9, 0.03)
    return x, y


def test_prim_finds_the_dimension_and_the_limit_of_the_box() -> None:
    x, y = worlds()
    found = find_boxes(x, y, threshold=0.8, max_boxes=2)
    assert found.boxes, found
    box = found.boxes[0]
    (limit,) = box.limits  # the noise dimensions' restrictions are not significant: dropped
    assert limit.param == RESOLVE and limit.high is None
    assert limit.low is not None and abs(limit.low - 0.7) < 0.03
    assert box.density >= 0.75 and box.coverage >= 0.85
    inside = x[RESOLVE] >= limit.low
    assert box.worlds == int(inside.sum()) and box.hits == int(y[inside].sum())
    assert box.coverage == box.hits / y.sum() and box.mass == box.worlds / len(y)
    # outside the box the event is rare: no second box reaches the threshold
    assert len(found.boxes) == 1 and found.last_trajectory is not None


def test_the_report_names_the_parameter_and_the_figure_marks_the_box() -> None:
    x, y = worlds(n=1000)
    found = find_boxes(x, y, threshold=0.8, max_boxes=1)
    data = as_dict(found)
    (limit,) = data["boxes"][0]["restricted"]
    assert limit["name"] == "Israel's strike resolve" and limit["unit"]
    assert data["base_rate"] == y.mean() and data["worlds"] == 1000
    traj = data["boxes"][0]["trajectory"]
    assert traj["coverage"][0] == 1.0 and traj["density"][0] == y.mean()
    fig = peeling_figure(found, "toy")
    bars = boxes_figure(found)
    assert bars is not None
    assert [t.get_text() for t in bars.axes[0].get_yticklabels()] == [
        "box 1: Israel's strike resolve"
    ]
    stars = [c for c in fig.axes[0].collections if c.get_offsets().shape[0] == 1]
    assert stars and tuple(stars[0].get_offsets()[0]) == (
        data["boxes"][0]["coverage"],
        data["boxes"][0]["density"],
    )


def test_no_box_when_the_event_is_spread_evenly() -> None:
    rng = np.random.default_rng(5)
    x = pd.DataFrame(rng.uniform(size=(1000, 3)), columns=["a", "b", "c"])
    y = rng.uniform(size=1000) < 0.2
    found = find_boxes(x, y, threshold=0.9)
    assert found.boxes == () and found.last_trajectory is not None
    assert "no further box reaches density 0.900" in as_dict(found)["stopped"]
    assert boxes_figure(found) is None


def test_a_box_that_restricts_nothing_is_not_reported() -> None:
    """A threshold under the base rate is met by the unrestricted box: that is no box at all."""
    x, y = worlds()
    found = find_boxes(x, y, threshold=0.5 * float(y.mean()), max_boxes=3)
    assert found.boxes == () and found.unrestricted
    assert "restricted nothing" in as_dict(found)["stopped"]
    assert all(box.limits for box in find_boxes(x, y, threshold=0.6, max_boxes=3).boxes)


@given(
    st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=30), st.floats(0, 1)
)
def test_choose_takes_the_widest_box_dense_enough(
    points: list[tuple[float, float]], threshold: float
) -> None:
    coverage, density = (np.array(v) for v in zip(*points, strict=True))
    k = choose(coverage, density, threshold)
    if k is None:
        assert (density < threshold).all()
    else:
        assert density[k] >= threshold
        assert coverage[k] == coverage[density >= threshold].max()


@given(st.floats(0, 1))
def test_the_default_threshold_is_above_the_base_rate_and_reachable(p: float) -> None:
    t = default_threshold(p)
    assert p <= t <= 1 and (t == 2 * p or t == (1 + p) / 2)


def test_the_tree_splits_first_on_the_box_and_its_leaves_partition_the_worlds() -> None:
    x, y = worlds()
    leaves = tree_leaves(x, y)
    assert 2 <= len(leaves) <= 2**TREE_DEPTH
    assert sum(leaf.worlds for leaf in leaves) == len(y)
    assert sum(leaf.hits for leaf in leaves) == y.sum()
    assert abs(sum(leaf.coverage for leaf in leaves) - 1) < 1e-9
    for leaf in leaves:
        (low, high) = next((lo, hi) for p, lo, hi in leaf.limits if p == RESOLVE)
        inside_box = low is not None and abs(low - 0.7) < 0.03
        outside_box = high is not None and abs(high - 0.7) < 0.03
        assert inside_box or outside_box  # the root split is the box's edge
        assert (leaf.density > 0.5) == inside_box
    named = leaves_as_dicts(leaves)[0]["restricted"]
    assert "Israel's strike resolve" in [r["name"] for r in named]
