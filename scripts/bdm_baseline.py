"""Compare BDM's expected-utility forecast with the compromise model on the baseline's factions.

For each principal of ``scenarios/baseline.yaml`` and each issue, take its factions' central
clout (capability), ideal point (position) and salience, run both rules for 10 rounds and print
the forecasts (docs/bdm.md, "The two rules on the baseline's domestic politics").

Usage: python scripts/bdm_baseline.py [SCENARIO] [--rounds N] [--reading printed|scholz_code]
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.mechanisms.bdm import DEFAULT, bdm_rounds, weighted_mean
from sim.runs.forecast import READINGS
from sim.scenario import load_scenario
from sim.scenario.params import central
from sim.scenario.schema import PRINCIPALS


def main() -> None:
    """Print one Markdown table per principal."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", default="scenarios/baseline.yaml")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--reading", choices=tuple(READINGS), default=DEFAULT.name)
    args = parser.parse_args()
    reading = READINGS[args.reading]
    spec = load_scenario(args.scenario).scenario
    for principal in PRINCIPALS:
        factions = {
            key: actor
            for key, actor in spec.actors.items()
            if getattr(actor, "principal", None) == principal
        }
        print(f"\n### {principal}: factions {', '.join(factions)}\n")
        print(
            "| issue | positions (round 0) | compromise (weighted mean) | BDM median, round 0 "
            "| BDM median, last round | BDM weighted mean, last round | BDM positions, last "
            "round | rounds run |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for issue in spec.issues:
            clout = np.array([central(f.clout) for f in factions.values()])
            ideal = np.array([central(f.ideal[issue]) for f in factions.values()])
            sal = np.array([central(f.salience[issue]) for f in factions.values()])
            states = list(bdm_rounds(clout, ideal, sal, args.rounds, reading=reading))
            first, last = states[0], states[-1]
            fmt = ", ".join
            print(
                f"| {issue} | {fmt(f'{v:.3f}' for v in ideal)} "
                f"| {float(weighted_mean(ideal, clout * sal)):.3f} "
                f"| {float(first.median):.3f} | {float(last.median):.3f} "
                f"| {float(last.weighted_mean):.3f} "
                f"| {fmt(f'{v:.3f}' for v in last.positions)} | {last.round} |"
            )


if __name__ == "__main__":
    main()
