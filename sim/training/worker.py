"""The background worker: it computes the results of closing rounds outside any page rerun.

It is supervised: a database error (a long lock, a damaged file) or a failed computation is logged
and shown on the round ("failed: ... · Retry"), and the thread keeps running.
"""

from __future__ import annotations

import logging
import threading

from .records import BatchRunner, Runner
from .service import Training

log = logging.getLogger(__name__)


class Worker:
    """Computes the results of closing rounds in a background thread (not inside a page rerun)."""

    def __init__(self, training: Training, runner: Runner | None = None, interval: float = 1.0, *,
                 batch: BatchRunner | None = None) -> None:
        self.training = training
        self.runner = runner
        self.batch = batch
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="training-worker", daemon=True)
        self.failures = 0  # errors caught and logged (for tests and health checks)

    def start(self) -> Worker:
        """Start the thread; returns the worker."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to stop and wait for it (up to 30 s)."""
        self._stop.set()
        self._thread.join(timeout=30)

    def alive(self) -> bool:
        """Whether the thread is running."""
        return self._thread.is_alive()

    def run_once(self) -> int:
        """Close rounds whose enforced countdown ran out, then finish every closing round now; returns how
        many were finished. Never raises."""
        try:
            self.training.close_overdue()
        except Exception:
            self.failures += 1
            log.exception("the training worker cannot close the rounds whose time is up")
        try:
            waiting = self.training.closing_rounds()
        except Exception:
            self.failures += 1
            log.exception("the training worker cannot read the rounds to compute")
            return 0
        finished = 0
        for code, number in waiting:
            try:
                self.training.compute_round(code, number, self.runner, batch=self.batch)
                finished += 1
            except Exception as error:  # the round shows the error and stays closing until a retry
                self.failures += 1
                log.exception("computing round %s of session %s failed", number, code)
                try:
                    self.training.mark_failed(code, number, str(error) or type(error).__name__)
                except Exception:
                    log.exception("the failure of round %s of session %s could not be stored", number, code)
        return finished

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # run_once catches everything; this is the last line of defence
                self.failures += 1
                log.exception("the training worker's loop failed; it goes on")
            self._stop.wait(self.interval)
