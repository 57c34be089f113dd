"""Regenerate the README's outcome tables: the baseline and every variant, 10,000 worlds each.

Usage:
    python scripts/readme_tables.py           # rewrite the tables in README.md
    python scripts/readme_tables.py --check   # exit 1 if README.md differs from a fresh run

Runs every scenario file in ``scenarios/`` (the baseline first) with the same root seed, as
``negsim compare`` does, and replaces the text between the ``<!-- tables:... -->`` markers of
README.md: the baseline's outcome table (``negsim run`` columns) and the comparison of all
scenarios (probability and 95% Wilson interval per outcome).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _generated import check_or_write, fill_block

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
WORLDS = 10_000
SEED = 20250412
MARKERS = ("baseline", "variants")
FIGURE = ROOT / "docs" / "img" / "baseline_outcomes.png"


def scenarios() -> list[Path]:
    """The baseline, then every other scenario file in ``scenarios/``, by name."""
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    return sorted(files, key=lambda p: (p.stem != "baseline", p.stem))


def tables(jobs: int = 1) -> dict[str, str]:
    """The Markdown tables, keyed by marker name."""
    import sim
    from sim.analysis.tables import comparison_markdown, outcome_markdown

    summaries = [sim.run(p, worlds=WORLDS, seed=SEED, jobs=jobs).summary for p in scenarios()]
    return {
        "baseline": outcome_markdown(summaries[0]),
        "variants": comparison_markdown(summaries),
    }


def baseline_figure() -> None:
    """Redraw the README's figure of the baseline's outcome distribution."""
    import matplotlib.pyplot as plt

    import sim
    from sim.analysis.plots import plot_outcomes

    fig = plot_outcomes(sim.run(scenarios()[0], worlds=WORLDS, seed=SEED).summary)
    fig.savefig(FIGURE, dpi=150, bbox_inches="tight")
    plt.close(fig)


def fill(text: str, new: dict[str, str]) -> str:
    """``text`` with each marked block replaced by its new table."""
    for name in MARKERS:
        text = fill_block(text, f"tables:{name}", new[name], "README.md")
    return text


def main() -> int:
    """Rewrite or check the README's tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on change")
    parser.add_argument("--jobs", type=int, default=1, help="processes per run (default 1)")
    args = parser.parse_args()
    old = README.read_text(encoding="utf-8")
    new = fill(old, tables(args.jobs))
    return check_or_write(
        README,
        old,
        new,
        label="README.md tables are",
        command="scripts/readme_tables.py",
        check=args.check,
        after=baseline_figure,
    )


if __name__ == "__main__":
    sys.exit(main())
