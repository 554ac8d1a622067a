"""The background worker: it computes the results of closing rounds outside any page rerun."""

from __future__ import annotations

import threading

from sqlalchemy import and_, update

from ..store import rounds
from .records import Runner
from .service import Training


class Worker:
    """Computes the results of closing rounds in a background thread (not inside a page rerun)."""

    def __init__(self, training: Training, runner: Runner, interval: float = 1.0) -> None:
        self.training = training
        self.runner = runner
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="training-worker", daemon=True)

    def start(self) -> Worker:
        """Start the thread; returns the worker."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the thread to stop and wait for it (up to 30 s)."""
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> int:
        """Finish every closing round now; returns how many were finished."""
        finished = 0
        for code, number in self.training.closing_rounds():
            try:
                self.training.compute_round(code, number, self.runner)
                finished += 1
            except Exception as error:  # keep the worker alive; the round shows the error and stays closing
                s = self.training.session(code)
                with self.training.store.write() as conn:
                    conn.execute(update(rounds).where(and_(rounds.c.session_id == s.id, rounds.c.number == number,
                                                           rounds.c.status == "closing"))
                                 .values(error=str(error)[:500]))
        return finished

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)
