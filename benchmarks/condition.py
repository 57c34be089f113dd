"""The cost of conditioning: 100,000 baseline worlds run plain, then conditioned on five facts.

Usage: python benchmarks/condition.py [--worlds 100000] [--seed 20250412] [--repeat 2]
       [--observations scenarios/observations/talks_rounds.yaml] [--mixed]

Times ``sim.run`` (the plain ensemble) and :func:`sim.runs.conditioning.condition` (the same
ensemble, keeping the watched sessions and offers, then weighing the worlds and computing the
posterior views and the parameters' shifts), interleaved ``--repeat`` times in one process (the
machine may be shared: compare runs made close together), and prints each time and the
overhead, ``conditioned / plain − 1`` (issue 15's target: under 20%). The five facts are the
example file's (two sessions held, no deal, no collapse, no strike by 11 May 2025); ``--mixed``
uses five facts of every kind instead (a session, a noisy offer, two events, a noisy parameter:
invented for timing only, not observations of the talks).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
OBSERVATIONS = ROOT / "scenarios" / "observations" / "talks_rounds.yaml"
MIXED = {
    "facts": [
        {"kind": "session", "date": "2025-05-11"},
        {
            "kind": "offer",
            "side": "us",
            "issue": "enrichment",
            "low": 2.0,
            "high": 4.0,
            "error": 0.5,
            "date": "2025-05-03",
        },
        {"kind": "event", "event": "deal", "happened": "not_by", "date": "2025-06-01"},
        {"kind": "event", "event": "strike", "happened": "not_by", "date": "2025-06-01"},
        {
            "kind": "parameter",
            "path": "actors.us_hawks.clout",
            "low": 0.3,
            "high": 0.4,
            "error": 0.05,
            "date": "2025-05-01",
        },
    ]
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20250412)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--observations", type=Path, default=OBSERVATIONS)
    parser.add_argument("--mixed", action="store_true", help="five facts of every kind")
    args = parser.parse_args()

    import sim
    from sim.runs.conditioning import condition
    from sim.scenario.observations import LoadedObservations, Observations, load_observations

    loaded = sim.load_scenario(SCENARIO)
    if args.mixed:
        facts = [{**f, "assumption": "timing only"} for f in MIXED["facts"]]
        observed = LoadedObservations(Observations.model_validate({"facts": facts}), "<mixed>")
    else:
        observed = load_observations(args.observations)
    plain, conditioned = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        sim.run(loaded, worlds=args.worlds, seed=args.seed, jobs=1)
        plain.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = condition(loaded, observed, args.worlds, args.seed)
        conditioned.append(time.perf_counter() - start)
    cond = result.summary["conditioning"]
    figures = {
        "worlds": args.worlds,
        "facts": len(observed.observations.facts),
        "observations": observed.file,
        "plain_seconds": [round(s, 2) for s in plain],
        "conditioned_seconds": [round(s, 2) for s in conditioned],
        "overhead_best": round(min(conditioned) / min(plain) - 1, 4),
        "overhead_median_pairs": round(
            sorted(c / p - 1 for c, p in zip(conditioned, plain, strict=True))[len(plain) // 2], 4
        ),
        "kept": cond["kept"],
        "ess": round(cond["ess"], 1),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
