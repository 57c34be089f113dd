"""Throughput of the baseline: the vectorised ensemble against one world at a time.

Usage: python benchmarks/throughput.py [--worlds 100000] [--loop 200] [--seed 20250412]

Runs the baseline scenario at ``--worlds`` worlds in one process (sim.run, jobs=1), then the
first ``--loop`` worlds of block 0 one at a time (a model with N = 1 per world, the same code),
and prints worlds per second for both, their ratio and the peak resident memory. Each part runs
in its own subprocess so that its peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "baseline.yaml"


def ensemble(worlds: int, seed: int) -> dict[str, float]:
    """Time one vectorised ensemble (the whole pipeline: draws, steps, the worlds table)."""
    import sim

    loaded = sim.load_scenario(SCENARIO)
    start = time.perf_counter()
    result = sim.run(loaded, worlds=worlds, seed=seed, jobs=1)
    seconds = time.perf_counter() - start
    return {
        "worlds": worlds,
        "seconds": seconds,
        "worlds_per_second": worlds / seconds,
        "p_deal": result.summary["outcomes"]["deal"]["p"],
    }


def loop(worlds: int, seed: int) -> dict[str, float]:
    """Time the same model run one world at a time (N = 1 per model)."""
    import numpy as np

    import sim
    from sim.engine.model import NegotiationModel
    from sim.mechanisms.rng import block_seed

    spec = sim.load_scenario(SCENARIO).scenario
    start = time.perf_counter()
    for k in range(worlds):
        model = NegotiationModel(spec, block_seed(seed, 0), np.array([k]))
        model.run()
    seconds = time.perf_counter() - start
    return {"worlds": worlds, "seconds": seconds, "worlds_per_second": worlds / seconds}


def child(part: str, worlds: int, seed: int) -> None:
    """Run one part and print its figures as JSON, with this process's peak memory."""
    figures = ensemble(worlds, seed) if part == "ensemble" else loop(worlds, seed)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def measure(part: str, worlds: int, seed: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", part, "--worlds", str(worlds), "--seed", str(seed)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worlds", type=int, default=100_000)
    parser.add_argument("--loop", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20250412)
    parser.add_argument("--child", choices=["ensemble", "loop"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.worlds, args.seed)
        return
    vec = measure("ensemble", args.worlds, args.seed)
    one = measure("loop", args.loop, args.seed)
    ratio = vec["worlds_per_second"] / one["worlds_per_second"]
    print(
        f"baseline, {vec['worlds']:,} worlds in one process: {vec['seconds']:.2f} s, "
        f"{vec['worlds_per_second']:,.0f} worlds/s, peak RSS {vec['peak_rss_mb']:.0f} MB "
        f"(P(deal) = {vec['p_deal']:.4f})"
    )
    print(
        f"one world at a time, {one['worlds']:,} worlds: {one['seconds']:.2f} s, "
        f"{one['worlds_per_second']:,.1f} worlds/s, peak RSS {one['peak_rss_mb']:.0f} MB"
    )
    print(f"speed-up of the vectorised ensemble over the loop: {ratio:,.0f}x")
    print(json.dumps({"ensemble": vec, "loop": one, "ratio": ratio}))


if __name__ == "__main__":
    main()
