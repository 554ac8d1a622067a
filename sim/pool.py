"""A process pool that survives its processes: replications spread over it, replaced when broken.

The out-of-memory killer (or anyone) may kill a replication process; Python's `ProcessPoolExecutor`
is then broken for good. `SupervisedPool` starts a new one and runs the work again (each replication
is determined by its seed, so a rerun gives the same figures). Its processes end with their parent,
even when the parent is killed outright (they would otherwise wait on their queue for ever).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from .experiment import Progress, Results, aggregate, replicate
from .metrics import RepMetrics
from .scenario import Scenario

log = logging.getLogger(__name__)
T = TypeVar("T")
ATTEMPTS = 2  # a pool broken twice in a row for the same work is a fault of the work, not of the pool


def _die_with_parent(parent: int) -> None:
    """Initializer of each pool process: exit as soon as the process that started the pool is gone."""
    try:  # Linux: the kernel sends SIGTERM when the parent dies
        import ctypes
        import signal

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:  # elsewhere the watcher thread below does it
        pass

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)
            threading.Event().wait(1.0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class SupervisedPool:
    """A spawn-started process pool of `workers` processes, replaced when one of its processes dies."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self.replaced = 0  # how many broken pools were replaced (for tests and logs)

    def executor(self) -> ProcessPoolExecutor:
        """The current pool (started on first use)."""
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                 initializer=_die_with_parent, initargs=(os.getpid(),))
            return self._pool

    def _replace(self, broken: Executor) -> None:
        with self._lock:
            if self._pool is broken:
                broken.shutdown(wait=False, cancel_futures=True)
                self._pool = None
                self.replaced += 1
                log.warning("a replication process died; the process pool was replaced")

    def run(self, work: Callable[[Executor], T]) -> T:
        """`work(executor)`, run again on a new pool if a process of the pool died under it."""
        for attempt in range(ATTEMPTS):
            pool = self.executor()
            try:
                return work(pool)
            except BrokenProcessPool:
                self._replace(pool)
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def shutdown(self) -> None:
        """Stop the pool's processes."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None


def run_batch(pool: SupervisedPool | None, scenarios: Sequence[Scenario], seed: int, replications: int,
              progress: Progress | None = None) -> list[Results]:
    """Every replication of every scenario submitted at once (not one scenario after another).

    With `pool` None they run in this process. `progress(done, total)` counts replications of all
    scenarios together.
    """
    total = len(scenarios) * replications
    reps: list[list[RepMetrics | None]] = [[None] * replications for _ in scenarios]

    def collect(executor: Executor | None) -> None:
        done = 0
        if executor is None:
            for i, scenario in enumerate(scenarios):
                for r in range(replications):
                    reps[i][r] = replicate(scenario, seed, r)
                    done += 1
                    if progress:
                        progress(done, total)
            return
        futures: dict[Future[RepMetrics], tuple[int, int]] = {}
        try:
            for i, scenario in enumerate(scenarios):
                for r in range(replications):
                    if reps[i][r] is None:  # after a broken pool, only what is missing
                        futures[executor.submit(replicate, scenario, seed, r)] = (i, r)
            done = total - len(futures)
            for future in as_completed(futures):
                i, r = futures[future]
                reps[i][r] = future.result()
                done += 1
                if progress:
                    progress(done, total)
        finally:
            for future in futures:
                future.cancel()

    if pool is None:
        collect(None)
    else:
        pool.run(collect)
    return [aggregate(s.id, seed, [r for r in rows if r is not None]) for s, rows in zip(scenarios, reps)]
