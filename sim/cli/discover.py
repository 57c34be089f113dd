"""``negsim discover RUN --event E [--by DATE] [--given G] ...``: where E is, in the parameters.

Scenario discovery with PRIM over a finished run (:mod:`sim.analysis.discover`): the worlds
where ``E`` happened by ``DATE`` (as ``negsim ask`` counts them, :func:`sim.runs.events.occurred`)
against each world's drawn parameters (``worlds.parquet``'s ``param.*`` columns). Prints each
box (coverage, density, mass, its restricted dimensions by their human names) and writes
``discover.json`` and the peeling-trajectory figure (``docs/forecasting.md``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from sim.cli.ask import check_event_names, date_in_run, read_run
from sim.cli.errors import BadInput, UsageError, markup_free

PARAM = "param."
"""The prefix of ``worlds.parquet``'s columns of drawn parameters."""


def add_discover_arguments(p: argparse.ArgumentParser) -> None:
    """``negsim discover RUN --event E [--by DATE] [--given G] [--threshold D] ...``."""
    p.add_argument("run", type=Path, metavar="RUN", help="a run's output directory")
    p.add_argument("--event", required=True, help="the event E (an event name of the run)")
    p.add_argument(
        "--by", metavar="YYYY-MM-DD", help="E happened by this date (default: the horizon)"
    )
    p.add_argument(
        "--given",
        metavar="EVENT",
        help="only the worlds where this event happened by the date; E counts at or after it",
    )
    p.add_argument(
        "--threshold",
        type=float,
        metavar="D",
        help="the least density of a box (default: twice the base rate, or halfway to 1)",
    )
    p.add_argument("--boxes", type=int, default=3, metavar="N", help="boxes sought (default 3)")
    p.add_argument("--out", type=Path, metavar="DIR", help="where to write (default: RUN/discover)")
    p.add_argument(
        "--json", action="store_true", help="print one JSON object (plain stdout) instead"
    )


def discover_main(args: argparse.Namespace, console: Console) -> int:
    """Run ``negsim discover``: read the run, find the boxes, print them and write the files."""
    from sim.analysis import discover as sd
    from sim.runs.events import occurred

    if args.boxes < 1:
        raise UsageError(f"--boxes must be at least 1, not {args.boxes}")
    if args.threshold is not None and not 0 < args.threshold <= 1:
        raise UsageError(f"--threshold must be a density in (0, 1], not {args.threshold}")
    summary, spec, events = read_run(args.run)
    check_event_names(summary, args.event, args.given)
    by = date_in_run(args.by, spec) if args.by else spec.step_to_date(spec.horizon)
    params, weights = _read_params(args.run)
    asked, hits = occurred(events, spec.date_to_step(by), args.event, args.given)
    world = params.index.to_numpy()
    keep = world if asked is None else world[_isin(world, asked)]
    x, y = _posterior(params.loc[keep], _isin(keep, hits), weights)
    question = f"{args.event} by {by}" + (f" | {args.given}" if args.given else "")
    if not 0 < int(y.sum()) < len(y):
        raise UsageError(
            f"{question} happened in {int(y.sum()):,} of the {len(y):,} worlds asked about: "
            "PRIM needs worlds with it and worlds without it"
        )
    threshold = args.threshold or sd.default_threshold(float(y.mean()))
    found = sd.find_boxes(x, y, threshold, max_boxes=args.boxes)
    data = {
        "run": str(args.run),
        "event": args.event,
        "by": by.isoformat(),
        "given": args.given,
        **sd.as_dict(found, spec),
        "tree": sd.leaves_as_dicts(sd.tree_leaves(x, y), spec),
        "settings": {"peel_alpha": sd.PEEL_ALPHA, "mass_min": sd.MASS_MIN, "qp_alpha": sd.QP_ALPHA},
    }
    figures = {"peeling": sd.peeling_figure(found, question), "boxes": sd.boxes_figure(found, spec)}
    written = _write(args.out or args.run / "discover", data, figures)
    if args.json:
        console.file.write(json.dumps(data) + "\n")
        return 0
    _print(console, data, question)
    console.print(markup_free("wrote " + ", ".join(str(p) for p in written)))
    return 0


def _posterior(x: Any, y: Any, weights: Any) -> tuple[Any, Any]:
    """On a conditioned run (``negsim condition``), the worlds of the posterior; else as given.

    PRIM takes no weights: the worlds the observations rejected (weight 0) are left out, and
    where the kept worlds' weights differ they are resampled in proportion to them (systematic
    resampling, :func:`sim.mechanisms.weights.systematic_resample`, as many as were kept).
    ``weights`` are the run's by world (``None`` for a plain run).
    """
    import numpy as np

    from sim.mechanisms.weights import systematic_resample

    if weights is None:
        return x, y
    w = weights.reindex(x.index).to_numpy(dtype=float)
    kept = w > 0
    if not kept.any() or np.ptp(w[kept]) == 0:  # none kept, or the kept worlds weigh alike
        return x[kept], y[kept]
    idx = systematic_resample(w, int(kept.sum()))
    return x.iloc[idx], y[idx]


def _isin(values: Any, among: Any) -> Any:
    import numpy as np

    return np.isin(values, among)


def _read_params(run: Path) -> tuple[Any, Any]:
    """``worlds.parquet``'s drawn parameters, one column each (``param.`` dropped), by world.

    With them, in the same read, the worlds' ``weight`` of a conditioned run (else ``None``).
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = run / "worlds.parquet"
    if not path.is_file():
        raise BadInput(f"no worlds in {run}", [f"{path}: missing"])
    try:
        names = pq.read_schema(path).names
        columns = [c for c in names if c.startswith(PARAM)]
        weight = ["weight"] if "weight" in names else []
        frame = pd.read_parquet(path, columns=["world", *weight, *columns])
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise BadInput(f"unreadable {path}", [f"{path}: {exc}"]) from None
    if not columns:
        raise BadInput(
            f"nothing to discover in {run}",
            [f"{path}: no param.* columns (the scenario draws no parameter)"],
        )
    frame = frame.set_index("world")
    weights = frame.pop("weight") if weight else None
    frame.columns = [c.removeprefix(PARAM) for c in frame.columns]
    return frame.astype(float), weights


def _write(out: Path, data: dict[str, Any], figures: dict[str, Any]) -> list[Path]:
    """The figures (PNG, SVG), then discover.json last, each written atomically.

    A figure that is ``None`` (no box) is not drawn, and one left by an earlier call is removed.
    """
    from sim.analysis.plots.common import save_figure
    from sim.runs.output import write_text_atomic

    out.mkdir(parents=True, exist_ok=True)
    (out / "discover.json").unlink(missing_ok=True)
    written: list[Path] = []
    for name, figure in figures.items():
        if figure is None:
            for suffix in (".png", ".svg"):
                (out / name).with_suffix(suffix).unlink(missing_ok=True)
        else:
            written += save_figure(figure, out / name)
    write_text_atomic(out / "discover.json", json.dumps(data, indent=1) + "\n")
    return [*written, out / "discover.json"]


def _print(console: Console, data: dict[str, Any], question: str) -> None:
    """One table per box: its statistics in the title, a row per restricted dimension."""
    console.print(
        markup_free(
            f"{question}: {data['hits']:,} of {data['worlds']:,} worlds "
            f"(base rate {data['base_rate']:.3f}); boxes of density at least "
            f"{data['threshold']:.3f}"
        ),
        highlight=False,
    )
    for k, box in enumerate(data["boxes"], start=1):
        table = Table(
            title=markup_free(
                f"Box {k}: coverage {box['coverage']:.3f}, density {box['density']:.3f}, "
                f"mass {box['mass']:.3f} ({box['hits']:,} of {box['worlds']:,} worlds)"
            )
        )
        for column in ("parameter", "low", "high", "drawn", "unit", "quasi-p"):
            table.add_column(column, justify="left" if column in ("parameter", "unit") else "right")
        for limit in box["restricted"]:
            table.add_row(
                markup_free(limit["name"]),
                _bound(limit["low"]),
                _bound(limit["high"]),
                "{:.3g} to {:.3g}".format(*limit["drawn"]),
                markup_free(limit["unit"]),
                ", ".join(f"{q:.1e}" for q in limit["qp"] if q is not None),
            )
        console.print(table)
    console.print(markup_free(f"Stopped: {data['stopped']}."), highlight=False)
    console.print(_tree_table(data["tree"]))


def _tree_table(leaves: list[dict[str, Any]]) -> Table:
    """The decision tree's leaves, densest first: statistics and the rule that leads there."""
    from sim.analysis.discover import TREE_DEPTH

    table = Table(title=f"Decision tree (CART, depth {TREE_DEPTH}): its leaves, densest first")
    for column in ("coverage", "density", "mass", "rule"):
        table.add_column(column, justify="left" if column == "rule" else "right")
    for leaf in leaves:
        rule = "; ".join(_condition(r) for r in leaf["restricted"]) or "all worlds"
        table.add_row(
            *(f"{leaf[k]:.3f}" for k in ("coverage", "density", "mass")), markup_free(rule)
        )
    return table


def _condition(limit: dict[str, Any]) -> str:
    """``Israel's strike resolve > 0.0123`` or ``0.2 < Rubio and the hardliners' clout <= 0.3``."""
    low, high, name = limit["low"], limit["high"], limit["name"]
    if low is not None and high is not None:
        return f"{low:.3g} < {name} <= {high:.3g}"
    return f"{name} > {low:.3g}" if low is not None else f"{name} <= {high:.3g}"


def _bound(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"
