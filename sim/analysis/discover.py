"""Scenario discovery: the boxes of drawn parameters where an event is concentrated (PRIM).

PRIM, the Patient Rule Induction Method (Friedman & Fisher 1999, "Bump hunting in
high-dimensional data", Statistics and Computing 9:123-143), peels a box down from the whole
parameter space, a small share (``peel_alpha``) of the worlds at a time, keeping at each step
the peel that raises the share of worlds with the event most, then pastes back what helps.
Each box on the way is a point of the *peeling trajectory*: its **coverage** (the share of all
worlds with the event that fall in it), its **density** (the share of its worlds with the
event) and its **mass** (the share of all worlds in it). The peeling and pasting are EMA
Workbench's (:mod:`ema_workbench.analysis.prim`, Kwakkel 2017); here a box is chosen on each
trajectory by a rule (:func:`choose`), its restrictions that are not significant are dropped
(the quasi-p test of Bryant & Lempert 2010, "Thinking inside the box", Technological
Forecasting and Social Change 77:34-49), and the next box is sought among the worlds left
outside it (the covering approach of Friedman & Fisher 1999, §7). ``docs/forecasting.md``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.scenario.schema import Scenario
from sim.scenario.vocabulary import describe

PEEL_ALPHA = 0.05
"""The share of the box's worlds each peel removes (EMA Workbench's default)."""
MASS_MIN = 0.05
"""The smallest box, as a share of all worlds (EMA Workbench's default)."""
QP_ALPHA = 0.05
"""A restriction whose quasi-p values are all at least this is dropped (Bryant & Lempert 2010)."""
MAX_BOXES = 3
"""Boxes sought by default, each among the worlds outside the boxes before it."""


@dataclass(frozen=True)
class Limit:
    """A restricted dimension of a box: ``low <= param <= high`` (``None``: not restricted)."""

    param: str
    low: float | None
    high: float | None
    qp: tuple[float | None, float | None]
    """The quasi-p values of the lower and upper limits (``None`` for a side not restricted)."""
    drawn: tuple[float, float]
    """The least and greatest value drawn among the worlds searched (the unrestricted box)."""


@dataclass(frozen=True)
class Box:
    """A box PRIM found: its statistics, its limits and the peeling trajectory it was chosen on."""

    coverage: float
    density: float
    mass: float
    worlds: int
    """Worlds in the box (among those not in an earlier box)."""
    hits: int
    """Of them, the worlds where the event happened."""
    limits: tuple[Limit, ...]
    trajectory: pd.DataFrame
    """``coverage``, ``density``, ``mass``, ``res_dim`` of every box peeled and pasted."""
    chosen: int
    """The row of ``trajectory`` chosen (before its insignificant restrictions were dropped)."""


@dataclass(frozen=True)
class Discovery:
    """The boxes found for an event, and why the search stopped."""

    worlds: int
    hits: int
    threshold: float
    boxes: tuple[Box, ...]
    last_trajectory: pd.DataFrame | None
    """The trajectory on which no box reached the threshold (``None`` if the search ended
    otherwise: the number of boxes asked for, or no worlds with the event left)."""
    unrestricted: bool = False
    """The last box chosen restricted nothing once its insignificant restrictions were dropped
    (it is all the worlds left, and is not reported)."""

    @property
    def base_rate(self) -> float:
        """The share of the worlds where the event happened."""
        return self.hits / self.worlds if self.worlds else 0.0


def default_threshold(base_rate: float) -> float:
    """Twice the base rate, or halfway from it to 1 if that is less: the default least density.

    A box is worth reporting when the event is much more frequent inside it than overall;
    ``min(2p, (1 + p) / 2)`` asks for it to be twice as frequent where that is possible, and
    for half the way to certainty where the event is already common (``assumption``: a
    convention of this package, not of PRIM; ``--threshold`` sets another).
    """
    return min(2.0 * base_rate, (1.0 + base_rate) / 2.0)


def choose(coverage: np.ndarray, density: np.ndarray, threshold: float) -> int | None:
    """The box of a peeling trajectory with the most coverage among those dense enough.

    The largest box whose density is at least ``threshold`` (the first such if several tie),
    or ``None`` if no box is that dense. Bryant & Lempert (2010) leave the choice to the analyst
    on the coverage-density trade-off; a least density makes it a rule.
    """
    dense = np.flatnonzero(np.asarray(density) >= threshold)
    if len(dense) == 0:
        return None
    return int(dense[np.argmax(np.asarray(coverage)[dense])])


def find_boxes(
    x: pd.DataFrame,
    y: np.ndarray,
    threshold: float,
    max_boxes: int = MAX_BOXES,
    peel_alpha: float = PEEL_ALPHA,
    mass_min: float = MASS_MIN,
) -> Discovery:
    """PRIM's boxes of ``x`` (one column per drawn parameter) where ``y`` (bool) is concentrated.

    Up to ``max_boxes`` boxes, each found among the worlds outside the earlier ones by EMA
    Workbench's peeling and pasting (Friedman & Fisher 1999), chosen by :func:`choose`, with its
    restrictions whose quasi-p values are all at least :data:`QP_ALPHA` dropped. The search
    stops early when no box on a trajectory reaches ``threshold``.
    """
    prim = _ema_prim()
    with _ema_warnings_quiet():
        return _search(
            prim, x, np.asarray(y, dtype=bool), threshold, max_boxes, peel_alpha, mass_min
        )


def _search(
    prim: Any,
    x: pd.DataFrame,
    y: np.ndarray,
    threshold: float,
    max_boxes: int,
    peel_alpha: float,
    mass_min: float,
) -> Discovery:
    """The covering loop of :func:`find_boxes`."""
    finder = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
    boxes: list[Box] = []
    last: pd.DataFrame | None = None
    outside = np.ones(len(y), dtype=bool)
    while len(boxes) < max_boxes and y[outside].any():
        found = finder.find_box()
        if found is None:
            break
        trajectory = _trajectory(found.peeling_trajectory)
        chosen = choose(
            trajectory["coverage"].to_numpy(), trajectory["density"].to_numpy(), threshold
        )
        if chosen is None:
            last = trajectory
            break
        box = _settle(found, chosen, trajectory)
        if not box.limits:  # all of what is left: nothing to report, and nothing left to peel
            return Discovery(len(y), int(y.sum()), threshold, tuple(boxes), trajectory, True)
        boxes.append(box)
        outside[found.yi] = False
    return Discovery(len(y), int(y.sum()), threshold, tuple(boxes), last)


@contextlib.contextmanager
def _ema_warnings_quiet() -> Iterator[None]:
    """Silence the deprecation notices EMA Workbench's own calls raise (pandas' ``inplace``).

    They are about EMA Workbench's code, not this package's, and the tests turn every
    DeprecationWarning into an error; warnings raised from other modules still show.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module=r"ema_workbench")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"ema_workbench")
        yield


def _ema_prim() -> Any:
    """EMA Workbench's PRIM module, imported without its notices about optional extras."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ipyparallel and altair are optional; it says so
        from ema_workbench.analysis import prim
    return prim


def _trajectory(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["coverage", "density", "mass", "res_dim"]
    return frame[columns].astype(float).reset_index(drop=True)


def _settle(found: Any, chosen: int, trajectory: pd.DataFrame) -> Box:
    """Select row ``chosen``, drop its insignificant restrictions, read the box that is left."""
    found.select(chosen)
    index = chosen
    for param, qps in found.p_values[chosen].items():
        sides = [q for q in qps if q is not None and q >= 0 and not np.isnan(q)]
        if sides and min(sides) >= QP_ALPHA:
            found.drop_restriction(param)  # appends the box without it to the trajectory
            index = len(found.peeling_trajectory) - 1
    stats = found.peeling_trajectory.iloc[index]
    return Box(
        coverage=float(stats["coverage"]),
        density=float(stats["density"]),
        mass=float(stats["mass"]),
        worlds=int(stats["n"]),
        hits=int(stats["k"]),
        limits=_limits(found.box_lims[index], found.box_lims[0], found.p_values[index]),
        trajectory=trajectory,
        chosen=chosen,
    )


def _limits(box: pd.DataFrame, initial: pd.DataFrame, qps: dict[str, Any]) -> tuple[Limit, ...]:
    """The restricted dimensions of a box, from its limits and the unrestricted box's."""
    out = []
    for param in box.columns:
        low, high = float(box[param].iloc[0]), float(box[param].iloc[1])
        low_on = low != float(initial[param].iloc[0])
        high_on = high != float(initial[param].iloc[1])
        if not (low_on or high_on):
            continue
        qp_low, qp_high = [*qps.get(param, []), -1.0, -1.0][:2]
        out.append(
            Limit(
                param,
                low if low_on else None,
                high if high_on else None,
                (_qp(qp_low) if low_on else None, _qp(qp_high) if high_on else None),
                (float(initial[param].iloc[0]), float(initial[param].iloc[1])),
            )
        )
    return tuple(out)


def _qp(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) or number < 0 else number


def as_dict(found: Discovery, scenario: Scenario | None = None) -> dict[str, Any]:
    """The discovery as JSON-ready values, each parameter with its human name and unit."""
    return {
        "worlds": found.worlds,
        "hits": found.hits,
        "base_rate": found.base_rate,
        "threshold": found.threshold,
        "boxes": [_box_dict(box, scenario) for box in found.boxes],
        "stopped": _why_stopped(found),
    }


def _box_dict(box: Box, scenario: Scenario | None) -> dict[str, Any]:
    limits = []
    for limit in box.limits:
        named = describe(limit.param, scenario)
        limits.append(
            {
                "param": limit.param,
                "name": named.title,
                "unit": named.unit,
                "low": limit.low,
                "high": limit.high,
                "qp": list(limit.qp),
                "drawn": list(limit.drawn),
            }
        )
    return {
        "coverage": box.coverage,
        "density": box.density,
        "mass": box.mass,
        "worlds": box.worlds,
        "hits": box.hits,
        "restricted": limits,
        "chosen": box.chosen,
        "trajectory": {k: box.trajectory[k].tolist() for k in box.trajectory.columns},
    }


def _why_stopped(found: Discovery) -> str:
    if found.unrestricted:
        return (
            "the next box, once its insignificant restrictions were dropped, restricted "
            "nothing: it is all the worlds left, not a box"
        )
    if found.last_trajectory is not None:
        densest = float(found.last_trajectory["density"].max())
        return (
            f"no further box reaches density {found.threshold:.3f} "
            f"(the densest peeled reached {densest:.3f})"
        )
    return "the boxes asked for were found, or no world with the event is left outside them"


def peeling_figure(found: Discovery, title: str) -> Figure:
    """Each box's peeling trajectory, coverage against density, the chosen box marked.

    The points are coloured by the number of restricted dimensions (as EMA Workbench's
    ``show_tradeoff``); a star marks each box reported (after its insignificant restrictions
    were dropped), a dashed line the least density asked for.
    """
    trajectories = [b.trajectory for b in found.boxes]
    if found.last_trajectory is not None:
        trajectories.append(found.last_trajectory)
    fig = Figure(figsize=(6.5, 4.5))
    ax = fig.subplots()
    points = None
    for k, traj in enumerate(trajectories):
        points = ax.scatter(
            traj["coverage"],
            traj["density"],
            c=traj["res_dim"],
            cmap="viridis",
            s=14,
            marker="o" if k == 0 else "^s"[k % 2],
            label=f"box {k + 1} peeling" if k < len(found.boxes) else "no box (below threshold)",
        )
    for k, box in enumerate(found.boxes):
        ax.scatter([box.coverage], [box.density], marker="*", s=220, c="#d62728", zorder=3)
        ax.annotate(
            f"box {k + 1}", (box.coverage, box.density), xytext=(6, 6), textcoords="offset points"
        )
    ax.axhline(found.threshold, ls="--", c="grey", lw=1)
    ax.set(xlabel="coverage", ylabel="density", xlim=(0, 1.02), ylim=(0, 1.02), title=title)
    if points is not None:
        fig.colorbar(points, ax=ax, label="restricted dimensions")
    ax.legend(loc="lower left", fontsize="small")
    return fig


TREE_DEPTH = 3
"""The depth of the decision tree shown beside PRIM's boxes: at most eight leaves."""


@dataclass(frozen=True)
class Leaf:
    """A leaf of the decision tree: its box of limits and its statistics, as a PRIM box's."""

    coverage: float
    density: float
    mass: float
    worlds: int
    hits: int
    limits: tuple[tuple[str, float | None, float | None], ...]
    """``(param, low, high)`` per parameter split on the way: ``low < value <= high``."""


def tree_leaves(x: pd.DataFrame, y: np.ndarray, depth: int = TREE_DEPTH) -> list[Leaf]:
    """A shallow classification tree of ``y`` on ``x`` (CART), its leaves densest first.

    scikit-learn's :class:`~sklearn.tree.DecisionTreeClassifier` (Breiman et al. 1984, Gini
    impurity), at most ``depth`` splits deep and no leaf under :data:`MASS_MIN` of the worlds,
    every feature tried at every split (``random_state=0`` fixes the order ties are broken in):
    the decision-tree view of scenario discovery (Lempert et al. 2008 compare it with PRIM).
    """
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(y, dtype=bool)
    tree = DecisionTreeClassifier(max_depth=depth, min_samples_leaf=MASS_MIN, random_state=0)
    tree.fit(x.to_numpy(), y)
    leaf_of = tree.apply(x.to_numpy())
    out = []
    for leaf, path in _paths(tree.tree_, list(x.columns)).items():
        inside = leaf_of == leaf
        hits = int(y[inside].sum())
        out.append(
            Leaf(
                coverage=hits / max(int(y.sum()), 1),
                density=hits / int(inside.sum()),
                mass=float(inside.mean()),
                worlds=int(inside.sum()),
                hits=hits,
                limits=path,
            )
        )
    return sorted(out, key=lambda leaf: (-leaf.density, -leaf.coverage))


def _paths(
    tree: Any, names: list[str]
) -> dict[int, tuple[tuple[str, float | None, float | None], ...]]:
    """Each leaf's limits, read from the root down (a split sends ``value <= t`` left)."""
    out = {}
    stack: list[tuple[int, dict[str, list[float | None]]]] = [(0, {})]
    while stack:
        node, limits = stack.pop()
        left, right = int(tree.children_left[node]), int(tree.children_right[node])
        if left < 0:
            out[node] = tuple((p, lo, hi) for p, (lo, hi) in sorted(limits.items()))
            continue
        name, t = names[int(tree.feature[node])], float(tree.threshold[node])
        lo, hi = limits.get(name, [None, None])
        stack.append((left, {**limits, name: [lo, t if hi is None else min(hi, t)]}))
        stack.append((right, {**limits, name: [t if lo is None else max(lo, t), hi]}))
    return out


def leaves_as_dicts(leaves: list[Leaf], scenario: Scenario | None = None) -> list[dict[str, Any]]:
    """The tree's leaves as JSON-ready values, each parameter with its human name and unit."""
    return [
        {
            "coverage": leaf.coverage,
            "density": leaf.density,
            "mass": leaf.mass,
            "worlds": leaf.worlds,
            "hits": leaf.hits,
            "restricted": [
                {"param": p, "name": describe(p, scenario).title, "low": lo, "high": hi}
                for p, lo, hi in leaf.limits
            ],
        }
        for leaf in leaves
    ]


def boxes_figure(found: Discovery, scenario: Scenario | None = None) -> Figure | None:
    """Each box's restricted dimensions as bars over the range drawn (0 to 1 of it).

    As EMA Workbench's box inspection graph: a grey bar is the range drawn, the coloured bar
    the box's limits on it, labelled with the limits in the parameter's own unit. ``None``
    when no box was found.
    """
    rows = [(k, limit) for k, box in enumerate(found.boxes) for limit in box.limits]
    if not rows:
        return None
    fig = Figure(figsize=(7.5, 0.55 * len(rows) + 1.2))
    ax = fig.subplots()
    for y, (k, limit) in enumerate(reversed(rows)):
        lo0, hi0 = limit.drawn
        span = (hi0 - lo0) or 1.0
        low = lo0 if limit.low is None else limit.low
        high = hi0 if limit.high is None else limit.high
        ax.barh(y, 1.0, color="#e0e0e0", height=0.6)
        ax.barh(y, (high - low) / span, left=(low - lo0) / span, color=f"C{k}", height=0.6)
        ax.text(1.02, y, f"{low:.3g} to {high:.3g}", va="center", fontsize="small")
    labels = [f"box {k + 1}: {describe(limit.param, scenario).title}" for k, limit in rows]
    ax.set_yticks(range(len(rows)), list(reversed(labels)), fontsize="small")
    ax.set(xlim=(0, 1.25), xticks=[0, 0.5, 1], xlabel="share of the range drawn")
    ax.set_title("Restricted dimensions of each box")
    return fig
