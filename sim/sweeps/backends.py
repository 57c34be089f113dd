"""Where units run: this process, a local process pool, or a Dask cluster.

Every backend runs the same pure function (:func:`sim.sweeps.units.run_unit`) on the same tasks,
so the backend changes the wall time and nothing else. Tasks are submitted lazily, a few per
worker at a time, so memory does not grow with the size of the design.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any

from sim.sweeps.units import UnitResult, UnitTask, run_unit

IN_FLIGHT_PER_WORKER = 2
PARENT_POLL_SECONDS = 0.5


class BackendError(ValueError):
    """A backend was asked for in a way that cannot work (bad count, missing extra)."""


@dataclass(frozen=True)
class Backend:
    """How to run units: ``jobs`` local processes, or a Dask cluster (existing or local)."""

    jobs: int = 1
    dask_scheduler: str | None = None
    dask_local: int | None = None

    def __post_init__(self) -> None:
        """Refuse impossible combinations at the edge."""
        if self.jobs < 1:
            raise BackendError("--jobs must be at least 1")
        if self.dask_local is not None and self.dask_local < 1:
            raise BackendError("--dask-local needs at least 1 worker")
        if self.dask_scheduler is not None and self.dask_local is not None:
            raise BackendError("give --dask-scheduler or --dask-local, not both")
        if self.uses_dask and self.jobs != 1:
            raise BackendError("--jobs is for local processes; with Dask the cluster sets it")

    @property
    def uses_dask(self) -> bool:
        """Whether the units run on a Dask cluster."""
        return self.dask_scheduler is not None or self.dask_local is not None

    def check(self) -> None:
        """Raise :class:`BackendError` now, before any work, if Dask is asked for but missing."""
        if self.uses_dask:
            _import_distributed()

    def describe(self) -> str:
        """A short description, recorded in ``sweep.json``."""
        if self.dask_scheduler is not None:
            return f"dask scheduler {self.dask_scheduler}"
        if self.dask_local is not None:
            return f"dask local cluster, {self.dask_local} workers"
        return f"{self.jobs} local process(es)"


def execute(tasks: Iterable[UnitTask], backend: Backend) -> Iterator[UnitResult]:
    """Run the tasks on the backend and yield their results as they finish (in any order)."""
    if backend.uses_dask:
        return _dask(tasks, backend)
    if backend.jobs == 1:
        return (run_unit(task) for task in tasks)
    return _pool(tasks, backend.jobs)


def _init_worker(parent: int) -> None:
    """Ignore Ctrl-C (the parent stops the sweep) and exit if the parent dies (a killed sweep).

    Without the watch, workers of a parent killed with SIGKILL would wait forever on its queue.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="negsim-parent-watch", daemon=True).start()


def _pool(tasks: Iterable[UnitTask], jobs: int) -> Iterator[UnitResult]:
    # 'spawn' avoids forking a process that may hold threads (BLAS, pyarrow), as ensemble.py does.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
    )
    pending: set[Future[UnitResult]] = set()
    queue = iter(tasks)
    try:
        _top_up(pending, queue, jobs * IN_FLIGHT_PER_WORKER, lambda t: pool.submit(run_unit, t))
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
            _top_up(pending, queue, jobs * IN_FLIGHT_PER_WORKER, lambda t: pool.submit(run_unit, t))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _top_up(pending: set[Any], queue: Iterator[UnitTask], limit: int, submit: Any) -> None:
    """Submit tasks from ``queue`` until ``limit`` are in flight or the queue is empty."""
    while len(pending) < limit:
        task = next(queue, None)
        if task is None:
            return
        pending.add(submit(task))


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise BackendError(
            "Dask is not installed: pip install 'negsim[dask]' (dask and distributed)"
        ) from None
    return distributed


def _dask(tasks: Iterable[UnitTask], backend: Backend) -> Iterator[UnitResult]:
    distributed = _import_distributed()
    with contextlib.ExitStack() as stack:
        if backend.dask_local is not None:
            cluster = distributed.LocalCluster(
                n_workers=backend.dask_local,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address=None,
            )
            client = stack.enter_context(distributed.Client(stack.enter_context(cluster)))
        else:
            client = stack.enter_context(distributed.Client(backend.dask_scheduler))
        running = distributed.as_completed()

        def submit(task: UnitTask) -> Any:
            future = client.submit(run_unit, task, pure=False)
            running.add(future)
            return future

        limit = max(1, sum(client.nthreads().values())) * IN_FLIGHT_PER_WORKER
        queue = iter(tasks)
        pending: set[Any] = set()
        _top_up(pending, queue, limit, submit)
        while pending:
            future = next(running)
            pending.discard(future)
            result: UnitResult = future.result()
            future.release()  # the scheduler may forget it: memory stays flat
            yield result
            _top_up(pending, queue, limit, submit)
