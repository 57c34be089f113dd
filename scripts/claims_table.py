"""Regenerate the verdict table of docs/claims.md: the baseline's claims, 10,000 worlds.

Usage:
    python scripts/claims_table.py           # rewrite the table in docs/claims.md
    python scripts/claims_table.py --check   # exit 1 if docs/claims.md differs from a fresh run

Runs ``negsim claims scenarios/baseline.yaml --worlds 10000 --seed 20250412`` (the scenario and
each variant its directional claims name, same worlds and seed) and replaces the text between
the ``<!-- claims:baseline -->`` markers of docs/claims.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _generated import check_or_write, fill_block

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "claims.md"
BASELINE = ROOT / "scenarios" / "baseline.yaml"
WORLDS = 10_000
SEED = 20250412
MARKER = "claims:baseline"


def table(worlds: int = WORLDS, seed: int = SEED, jobs: int = 1) -> str:
    """The Markdown verdict table of the baseline's claims, with the command that made it."""
    from collections import Counter

    from sim.analysis.claims import check_claims, claims_markdown
    from sim.scenario.loader import load_scenario

    results = check_claims(load_scenario(BASELINE), worlds, seed, jobs=jobs)
    counts = Counter(r.verdict for r in results)
    tally = ", ".join(f"{counts[v]} {v}" for v in ("holds", "fails", "undecided", "inexpressible"))
    command = f"negsim claims scenarios/baseline.yaml --worlds {worlds} --seed {seed}"
    return f"`{command}`: {tally}.\n\n" + claims_markdown(results)


def main() -> int:
    """Rewrite or check the verdict table of docs/claims.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on change")
    parser.add_argument("--jobs", type=int, default=1, help="processes per run (default 1)")
    args = parser.parse_args()
    old = DOC.read_text(encoding="utf-8")
    new = fill_block(old, MARKER, table(jobs=args.jobs), str(DOC))
    return check_or_write(
        DOC,
        old,
        new,
        label="docs/claims.md verdict table is",
        command="scripts/claims_table.py",
        check=args.check,
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
