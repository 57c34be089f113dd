"""Where units run: this process, a local process pool, or a Dask cluster.

Every backend runs the same pure function (:func:`sim.runs.sweeps.units.run_unit`) on the same
tasks, so the backend changes the wall time and nothing else. Tasks are submitted lazily, a few per
worker at a time, so memory does not grow with the size of the design.

:func:`connect` opens the backend (it connects to a Dask scheduler, or starts a local cluster)
before the sweep writes anything, so a bad address fails at once and leaves no files behind.

A unit that kills its worker process (the OOM killer, a crash in a C extension) must not end the
sweep. With a process pool, every unit in flight fails with the broken pool; each is then run
again alone, in a fresh process, and one that kills that process too becomes an error unit
(``worker process died (exit code N)``); the others give their ordinary results. On Dask, a unit
the scheduler gives up on (``KilledWorker``) is run again alone once the rest are done, and
becomes an error unit if it kills its worker again. With one process (``--jobs 1``) units run in
the sweep's own process, which such a unit kills.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from sim.runs.sweeps.units import UnitResult, UnitTask, run_unit

IN_FLIGHT_PER_WORKER = 2
PARENT_POLL_SECONDS = 0.5
WORKER_DIED = "worker process died"
"""The start of the error of a unit that killed its worker process (its design point's row)."""

DASK_WORKER_DIED = f"{WORKER_DIED} (exit code not reported by Dask)"
"""The error of a unit that killed every Dask worker it ran on, alone too."""

Results = Generator[UnitResult, None, None]
Execute = Callable[[Iterable[UnitTask]], Results]
"""Runs tasks and yields their results as they finish (in any order)."""


class BackendError(ValueError):
    """A backend cannot work as asked (bad count, missing extra, unreachable Dask scheduler)."""


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


@contextlib.contextmanager
def connect(backend: Backend) -> Iterator[Execute]:
    """Open the backend and yield the function that runs tasks on it; close it after.

    Raises:
        BackendError: Dask is asked for but not installed, its scheduler cannot be reached (or
            its address is malformed), or the local cluster cannot start.
    """
    if backend.uses_dask:
        with _dask_client(backend) as client:
            yield lambda tasks: _dask(tasks, client)
    elif backend.jobs == 1:
        yield _serial
    else:
        yield lambda tasks: _pool(tasks, backend.jobs)


def execute(tasks: Iterable[UnitTask], backend: Backend) -> Results:
    """Run the tasks on the backend and yield their results as they finish (in any order)."""
    with connect(backend) as run:
        yield from run(tasks)


def worker_died(exitcode: int | None) -> str:
    """The error of a unit that killed its worker: ``worker process died (exit code N)``."""
    if exitcode is not None and exitcode < 0:
        with contextlib.suppress(ValueError):
            name = signal.Signals(-exitcode).name
            return f"{WORKER_DIED} (exit code {exitcode}, {name})"
    return f"{WORKER_DIED} (exit code {exitcode})"


def _serial(tasks: Iterable[UnitTask]) -> Results:
    """Run the tasks one after another in this process."""
    return (run_unit(task) for task in tasks)


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


def _pool(tasks: Iterable[UnitTask], jobs: int) -> Results:
    """Run the tasks on ``jobs`` processes, surviving units that kill their worker.

    When a worker dies the pool breaks and every unit in flight fails with it; those are run
    again one at a time in a process of their own (:class:`_Solo`), so the one that kills that
    process too is known, then a new pool takes the rest of the queue.
    """
    queue = iter(tasks)
    while True:
        orphans = yield from _pool_session(queue, jobs)
        if orphans is None:
            return
        with contextlib.closing(_Solo()) as solo:
            for task in sorted(orphans, key=lambda t: (t.point, t.block)):
                yield solo.run(task)


def _pool_session(
    queue: Iterator[UnitTask], jobs: int
) -> Generator[UnitResult, None, list[UnitTask] | None]:
    """Run tasks from ``queue`` on one pool until the queue is empty (None) or the pool breaks.

    Returns the tasks the broken pool did not finish. On any exception, including Ctrl-C and the
    consumer closing the generator, the workers are terminated without waiting for their units:
    the parent writes every file, so none is left half-written.
    """
    # 'spawn' avoids forking a process that may hold threads (BLAS, pyarrow), as ensemble.py does.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
    )
    pending: dict[Future[UnitResult], UnitTask] = {}
    orphans: list[UnitTask] = []
    try:
        while True:
            if not orphans:  # a broken pool takes no more work
                _top_up(pending, queue, jobs * IN_FLIGHT_PER_WORKER, lambda t: _submit(pool, t))
            if not pending:
                return orphans or None
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    orphans.append(task)
                else:
                    yield result
    except BaseException:
        _terminate(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _submit(pool: ProcessPoolExecutor, task: UnitTask) -> Future[UnitResult]:
    """Submit a task; a pool already broken gives a failed future (the task is an orphan)."""
    try:
        return pool.submit(run_unit, task)
    except BrokenProcessPool as exc:
        future: Future[UnitResult] = Future()
        future.set_exception(exc)
        return future


def _terminate(pool: ProcessPoolExecutor) -> None:
    """Stop a pool now: cancel the units not started and terminate the workers."""
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14
    if terminate is not None:
        terminate()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)


class _Solo:
    """One worker process that runs units one at a time: a death is the unit's own fault."""

    def __init__(self) -> None:
        """Start nothing yet: the process starts with the first unit (and after a death)."""
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def run(self, task: UnitTask) -> UnitResult:
        """Run one unit; if the process dies meanwhile, the unit's error says how it ended."""
        process, conn = self._start()
        conn.send(task)
        try:
            result: UnitResult = conn.recv()
        except EOFError:  # the process died: its end of the pipe closed with it
            process.join()
            self.close()
            return UnitResult(
                task.point, task.block, task.size, error=worker_died(process.exitcode)
            )
        return result

    def close(self) -> None:
        """Stop the process (at once: it holds nothing the sweep still needs)."""
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            if self._process.is_alive():
                self._process.terminate()
            self._process.join(timeout=5)
        self._process = self._conn = None

    def _start(self) -> tuple[multiprocessing.process.BaseProcess, Connection]:
        if self._process is None or self._conn is None:
            context = multiprocessing.get_context("spawn")
            mine, theirs = context.Pipe()
            self._process = context.Process(
                target=_solo_worker, args=(theirs, os.getpid()), name="negsim-solo", daemon=True
            )
            self._process.start()
            theirs.close()  # the child holds the only other end: its death ends the pipe
            self._conn = mine
        return self._process, self._conn


def _solo_worker(conn: Connection, parent: int) -> None:
    """The body of a :class:`_Solo` process: run the units it is sent until told to stop."""
    _init_worker(parent)
    with contextlib.suppress(EOFError):  # the parent closed its end: no more units
        while True:
            conn.send(run_unit(conn.recv()))


def _top_up(
    pending: dict[Any, UnitTask],
    queue: Iterator[UnitTask],
    limit: int,
    submit: Callable[[UnitTask], Any],
) -> None:
    """Submit tasks from ``queue`` until ``limit`` are in flight or the queue is empty."""
    while len(pending) < limit:
        task = next(queue, None)
        if task is None:
            return
        pending[submit(task)] = task


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise BackendError(
            "Dask is not installed: pip install 'negsim[dask]' (dask and distributed)"
        ) from None
    return distributed


@contextlib.contextmanager
def _dask_client(backend: Backend) -> Iterator[Any]:
    """A client of the Dask cluster asked for (a local cluster lives as long as the client).

    Anything that goes wrong while connecting is a :class:`BackendError` naming the address: a
    malformed address (``ValueError``), a scheduler that does not answer in time (``OSError``),
    or something at that address that does not speak Dask's protocol.
    """
    distributed = _import_distributed()
    with contextlib.ExitStack() as stack:
        if backend.dask_local is not None:
            stack.enter_context(_quiet_distributed_logs())
            try:
                cluster = stack.enter_context(local_cluster(distributed, backend.dask_local))
                client = stack.enter_context(distributed.Client(cluster))
            except Exception as exc:
                raise BackendError(f"cannot start a local Dask cluster: {exc}") from None
        else:
            address = backend.dask_scheduler
            try:
                client = stack.enter_context(distributed.Client(address))
            except Exception as exc:
                raise BackendError(_connect_error(str(address), exc)) from None
        yield client


def _connect_error(address: str, exc: Exception) -> str:
    """Why connecting to ``address`` failed, and what to check."""
    if isinstance(exc, ValueError):
        hint = "give the scheduler's address as tcp://HOST:PORT"
    elif isinstance(exc, OSError):
        hint = "is the scheduler running, and reachable from here?"
    else:
        hint = "is a Dask scheduler listening there?"
    return f"cannot connect to the Dask scheduler {address!r}: {exc or type(exc).__name__} ({hint})"


def local_cluster(distributed: Any, workers: int) -> Any:
    """A local cluster on loopback: ``workers`` processes of one thread each, no dashboard.

    The scheduler's HTTP server (health checks; it runs without the dashboard too) takes a free
    port, not 8787, which another cluster may hold. The workers start without the
    ``MALLOC_TRIM_THRESHOLD_`` Dask's nannies set by default (see :func:`worker_environ`).
    """
    import dask

    with dask.config.set({"distributed.nanny.pre-spawn-environ": worker_environ()}):
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        )


def worker_environ() -> dict[str, Any]:
    """Dask's environment for new workers, without ``MALLOC_TRIM_THRESHOLD_``.

    Setting any glibc malloc threshold turns off its dynamic mmap threshold, so every array
    above 128 KiB is mapped and unmapped afresh: a 25,000-world block then took 8.2 s in a
    Dask worker (5 s of it in the kernel, 2.6 million page faults) against 2.2 s without it.
    """
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


@contextlib.contextmanager
def _quiet_distributed_logs() -> Iterator[None]:
    """Keep the scheduler's and nannies' INFO messages (they run in this process) off stderr."""
    loggers = [logging.getLogger(name) for name in ("distributed", "bokeh", "tornado")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _dask(tasks: Iterable[UnitTask], client: Any) -> Results:
    """Run the tasks on a Dask cluster; units it gives up on (KilledWorker) are retried alone."""
    distributed = _import_distributed()
    running = distributed.as_completed()
    pending: dict[Any, UnitTask] = {}
    suspects: list[UnitTask] = []

    def submit(task: UnitTask) -> Any:
        future = client.submit(run_unit, task, pure=False)
        running.add(future)
        return future

    limit = max(1, sum(client.nthreads().values())) * IN_FLIGHT_PER_WORKER
    queue = iter(tasks)
    try:
        _top_up(pending, queue, limit, submit)
        while pending:
            future = next(running)
            task = pending.pop(future)
            try:
                result: UnitResult = future.result()
            except distributed.KilledWorker:
                suspects.append(task)
            else:
                yield result
            finally:
                future.release()  # the scheduler may forget it: memory stays flat
            _top_up(pending, queue, limit, submit)
    except BaseException:
        with contextlib.suppress(Exception):  # stop the cluster's work on this sweep
            client.cancel(list(pending))
        raise
    for task in sorted(suspects, key=lambda t: (t.point, t.block)):
        yield _dask_alone(client, task, distributed.KilledWorker)


def _dask_alone(client: Any, task: UnitTask, killed: type[Exception]) -> UnitResult:
    """Run one unit with nothing else of the sweep on the cluster; a KilledWorker is its error."""
    future = client.submit(run_unit, task, pure=False)
    try:
        result: UnitResult = future.result()
    except killed:
        return UnitResult(task.point, task.block, task.size, error=DASK_WORKER_DIED)
    finally:
        future.release()
    return result
