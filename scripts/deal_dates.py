"""Regenerate docs/model.md's deal-date histogram: the baseline at two horizons, 10,000 worlds.

Usage:
    python scripts/deal_dates.py           # redraw docs/img/deal_dates.png, rewrite the table
    python scripts/deal_dates.py --check   # exit 1 if docs/model.md's table differs

Runs the baseline with ``horizon`` 38 (the scenario's) and 104 weeks, same worlds and seed, and
counts the deals by calendar month of their step's date. No clock, hazard or rule reads the
horizon, so the two columns agree month by month up to the shorter horizon; the figure shows
both histograms and the table between the ``<!-- deal-dates -->`` markers of docs/model.md
gives the counts.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _generated import check_or_write, fill_block

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "model.md"
FIGURE = ROOT / "docs" / "img" / "deal_dates.png"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
WORLDS = 10_000
SEED = 20250412
HORIZONS = (38, 104)
MARKER = "deal-dates"


def deals_by_month() -> dict[int, dict[str, int]]:
    """Per horizon: the number of deals per month (``YYYY-MM``), in date order."""
    import pandas as pd

    import sim

    out: dict[int, dict[str, int]] = {}
    for h in HORIZONS:
        worlds = sim.run(BASELINE, worlds=WORLDS, seed=SEED, overrides={"horizon": h}).worlds
        dates = pd.to_datetime(worlds.loc[worlds["outcome"] == "deal", "date"])
        counts = dates.dt.strftime("%Y-%m").value_counts().sort_index()
        out[h] = {str(k): int(v) for k, v in counts.items()}
    return out


def table(counts: dict[int, dict[str, int]]) -> str:
    """The Markdown table: one row per month with a deal, one column per horizon."""
    months = sorted({m for c in counts.values() for m in c})
    head = "| month | " + " | ".join(f"deals, horizon {h} weeks" for h in HORIZONS) + " |\n"
    rule = "| --- |" + " ---: |" * len(HORIZONS) + "\n"
    rows = "".join(
        f"| {m} | " + " | ".join(f"{counts[h].get(m, 0):,}" for h in HORIZONS) + " |\n"
        for m in months
    )
    total = "| all | " + " | ".join(f"{sum(counts[h].values()):,}" for h in HORIZONS) + " |\n"
    note = f"\nBaseline, {WORLDS:,} worlds, seed {SEED}: `python scripts/deal_dates.py`.\n"
    return head + rule + rows + total + note


def figure(counts: dict[int, dict[str, int]]) -> None:
    """Side-by-side bars of the deals per month at each horizon."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    months = sorted({m for c in counts.values() for m in c})
    x = np.arange(len(months))
    width = 0.8 / len(HORIZONS)
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for k, h in enumerate(HORIZONS):
        ys = [counts[h].get(m, 0) for m in months]
        ax.bar(x + (k - (len(HORIZONS) - 1) / 2) * width, ys, width, label=f"horizon {h} weeks")
    ax.set_xticks(x, months, rotation=60, ha="right", fontsize=8)
    ax.set_ylabel(f"deals (of {WORLDS:,} worlds)")
    ax.set_title("Baseline: deals by month of their date")
    ax.legend(frameon=False)
    fig.savefig(FIGURE, dpi=130, bbox_inches="tight")
    plt.close(fig)


def main() -> int:
    """Rewrite or check the deal-date table (and redraw the figure)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on change")
    args = parser.parse_args()
    counts = deals_by_month()
    old = DOC.read_text(encoding="utf-8")
    new = fill_block(old, MARKER, table(counts), "docs/model.md")
    return check_or_write(
        DOC,
        old,
        new,
        label="docs/model.md deal dates are",
        command="scripts/deal_dates.py",
        check=args.check,
        after=lambda: figure(counts),
    )


if __name__ == "__main__":
    sys.exit(main())
