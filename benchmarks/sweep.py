"""Sweep throughput (worlds per second) and peak memory, on 1 and 2 processes and on Dask.

Usage:
    python benchmarks/sweep.py [--points 4] [--worlds 50000] [--seed 20250412]
    python benchmarks/sweep.py --million        # 4 points x 250,000 worlds, 1 and 2 processes

A grid over the hawks' clout in Washington (``--points`` values) of the baseline scenario, each
point ``--worlds`` worlds in blocks of 25,000, written to a temporary directory. Each
configuration runs in its own subprocess; this process samples the resident memory of that
subprocess and all its descendants (the pool's or the Dask cluster's workers) every 50 ms and
reports the peak of their sum (psutil; pip install psutil) and the largest single process.
Throughput is worlds / seconds of ``run_sweep`` alone; for Dask the cluster is started first and
its start-up time is reported apart.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "scenarios" / "baseline.yaml"
CONFIGS = ("jobs1", "jobs2", "dask2")


def spec(points: int, worlds: int, seed: int) -> dict[str, Any]:
    """A grid of ``points`` values of the hawks' clout, ``worlds`` worlds each."""
    return {
        "name": "benchmark",
        "base": str(BASE),
        "parameters": {"actors.us_hawks.clout": {"low": 0.25, "high": 0.4, "num": points}},
        "design": "grid",
        "worlds": worlds,
        "block_size": 25_000,
        "seed": seed,
    }


def child(config: str, points: int, worlds: int, seed: int) -> None:
    """Run one configuration and print its figures as JSON."""
    from sim.runs.sweeps import Backend

    figures: dict[str, Any] = {"config": config, "worlds": points * worlds}
    with tempfile.TemporaryDirectory() as tmp:
        if config == "dask2":
            import distributed

            from sim.runs.sweeps.backends import local_cluster

            start = time.perf_counter()
            with local_cluster(distributed, 2) as cluster:  # the cluster --dask-local starts
                figures["cluster_start_seconds"] = time.perf_counter() - start
                backend = Backend(dask_scheduler=cluster.scheduler_address)
                figures.update(timed(spec(points, worlds, seed), Path(tmp), backend))
        else:
            backend = Backend(jobs=1 if config == "jobs1" else 2)
            figures.update(timed(spec(points, worlds, seed), Path(tmp), backend))
    print(json.dumps(figures))


def timed(sweep: dict[str, Any], out: Path, backend: Any) -> dict[str, Any]:
    from sim.runs.sweeps import run_sweep

    start = time.perf_counter()
    result = run_sweep(sweep, out=out / "sweep", backend=backend)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "deal_p": [round(p, 4) for p in result.points["deal_p"]],
        "points_sha": hashlib.sha256((out / "sweep" / "points.parquet").read_bytes()).hexdigest(),
    }


class TreeMemory:
    """Peak resident memory of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, every: float = 0.05):
        """Start sampling the tree rooted at ``pid``."""
        import psutil

        self._root = psutil.Process(pid)
        self._psutil = psutil
        self.peak_total = 0
        self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
            except self._psutil.Error:
                return
            sizes = []
            for proc in procs:
                try:
                    sizes.append(proc.memory_info().rss)
                except self._psutil.Error:
                    continue
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))
            time.sleep(every)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()


def measure(config: str, points: int, worlds: int, seed: int) -> dict[str, Any]:
    """Run a configuration in a subprocess, watching its memory."""
    args = [sys.executable, __file__, "--child", config, "--points", str(points)]
    args += ["--worlds", str(worlds), "--seed", str(seed)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        memory: TreeMemory | None = TreeMemory(proc.pid)
    except ImportError:
        memory = None
    stdout, _ = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"{config} failed with status {proc.returncode}")
    figures = json.loads(stdout.strip().splitlines()[-1])
    if memory is not None:
        memory.stop()
        figures["peak_rss_mb"] = memory.peak_total / 2**20
        figures["peak_rss_single_mb"] = memory.peak_single / 2**20
    return figures


def report(f: dict[str, Any]) -> str:
    rate = f["worlds"] / f["seconds"]
    line = (
        f"{f['config']:>6}: {f['worlds']:>9,} worlds in {f['seconds']:7.1f} s = "
        f"{rate:8,.0f} worlds/s"
    )
    if "peak_rss_mb" in f:
        line += (
            f"; peak RSS {f['peak_rss_mb']:,.0f} MB (parent + workers), "
            f"largest process {f['peak_rss_single_mb']:,.0f} MB"
        )
    if "cluster_start_seconds" in f:
        line += f"; cluster start {f['cluster_start_seconds']:.1f} s"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=4)
    parser.add_argument("--worlds", type=int, default=50_000, help="worlds per design point")
    parser.add_argument("--seed", type=int, default=20250412)
    parser.add_argument(
        "--million", action="store_true", help="4 points x 250,000 worlds on 1 and 2 processes"
    )
    parser.add_argument("--child", choices=CONFIGS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.points, args.worlds, args.seed)
        return
    if args.million:
        figures = [measure(c, 4, 250_000, args.seed) for c in ("jobs1", "jobs2")]
    else:
        figures = [measure(c, args.points, args.worlds, args.seed) for c in CONFIGS]
    total = figures[0]["worlds"]
    print(f"sweep benchmark: {args.points if not args.million else 4} design points, "
          f"{total:,} worlds in all, blocks of 25,000")  # fmt: skip
    for f in figures:
        print(report(f))
    if len({f["points_sha"] for f in figures}) == 1 and len(figures) > 1:
        print("points.parquet: identical bytes in every configuration")
    elif len(figures) > 1:
        print("points.parquet: DIFFERENT bytes between configurations")


if __name__ == "__main__":
    main()
