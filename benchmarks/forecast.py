"""Speed of ``negsim forecast`` on a long table: 350 issues x 30 actors x 100 rounds x all rules.

Usage:
    python benchmarks/forecast.py [--issues 350] [--actors 30] [--rounds 100] [--seed 1]
    python benchmarks/forecast.py --write-example docs/examples/synthetic_issues.csv

Writes a synthetic table (:func:`synthetic_table`) to a temporary directory, then times
``negsim forecast TABLE --rule all --rounds N --out DIR`` in this process (reading, every rule,
the scores with their bootstrap, the per-issue table, the figure and ``summary.json``) and the
same command in a fresh process (start-up included). Prints the seconds and how many issues
converged under ``bdm_eum``.

``--write-example`` writes the small synthetic example of ``docs/examples/`` instead (6 issues,
5 to 8 actors, saliences on 0-100, some actors absent): made-up numbers, not data.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def synthetic_table(
    issues: int, actors: int, seed: int, *, absent: float = 0.1, salience_max: float = 1.0
) -> pd.DataFrame:
    """A long actor table of made-up issues: positions on 0-100, a status quo and an outcome.

    Each issue has ``actors`` rows (a share ``absent`` of them with an empty position, never
    leaving fewer than two); the outcome is the capability x salience weighted mean moved 30%
    toward the status quo, plus noise. Synthetic: for tests, examples and benchmarks only.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for k in range(issues):
        position = rng.integers(0, 101, actors).astype(float)
        capability = rng.uniform(0.05, 1, actors).round(2)
        salience = (rng.uniform(0.1, 1, actors) * salience_max).round(2 if salience_max == 1 else 0)
        gone = rng.random(actors) < absent
        gone[:2] = False
        w = capability * salience
        status_quo = float(rng.integers(0, 101))
        mean = float((w[~gone] * position[~gone]).sum() / w[~gone].sum())
        outcome = round(0.7 * mean + 0.3 * status_quo + rng.normal(0, 8), 1)
        for a in range(actors):
            rows.append(
                {
                    "issue": f"issue_{k + 1:03d}",
                    "actor": f"actor_{a + 1:02d}",
                    "capability": capability[a],
                    "position": "" if gone[a] else f"{position[a]:g}",
                    "salience": salience[a],
                    "status_quo": status_quo,
                    "outcome": min(max(outcome, 0.0), 100.0),
                }
            )
    return pd.DataFrame(rows)


def in_process(table: Path, out: Path, rounds: int) -> tuple[float, dict]:
    """Seconds of ``negsim forecast`` in this process, and its JSON."""
    from sim.cli.main import main

    buffer = io.StringIO()
    started = time.perf_counter()
    with redirect_stdout(buffer):
        code = main(
            [
                "forecast",
                str(table),
                "--rule",
                "all",
                "--rounds",
                str(rounds),
                "--out",
                str(out),
                "--json",
            ]
        )
    seconds = time.perf_counter() - started
    assert code == 0, code
    return seconds, json.loads((out / "summary.json").read_text(encoding="utf-8"))


def main() -> None:
    """Time the command, or write the example table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=350)
    parser.add_argument("--actors", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write-example", type=Path, default=None)
    args = parser.parse_args()
    if args.write_example is not None:
        example = synthetic_table(6, 8, 20250412, absent=0.25, salience_max=100)
        example.to_csv(args.write_example, index=False)
        print(f"wrote {args.write_example}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "table.csv"
        synthetic_table(args.issues, args.actors, args.seed).to_csv(table, index=False)
        seconds, data = in_process(table, Path(tmp) / "out", args.rounds)
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "sim",
                "forecast",
                str(table),
                "--rule",
                "all",
                "--rounds",
                str(args.rounds),
                "--json",
            ],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        fresh = time.perf_counter() - started
    bdm = data["summary"]["bdm_eum"]
    print(
        f"{args.issues} issues x {args.actors} actors x {args.rounds} rounds x "
        f"{len(data['rules'])} rules ({', '.join(data['rules'])}): {seconds:.1f} s in process, "
        f"{fresh:.1f} s as a fresh `negsim forecast` process; bdm_eum converged on "
        f"{bdm['converged']} of {bdm['issues']} issues (mean {bdm['mean_rounds']:.1f} rounds)"
    )


if __name__ == "__main__":
    main()
