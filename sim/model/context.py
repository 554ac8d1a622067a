"""The small context every part of the model shares: the SimPy environment, the scenario, the random
streams, the event log, whether the library is open, who is inside, and the run's budget."""

from __future__ import annotations

from types import SimpleNamespace

import simpy

from ..eventlog import Ev, LogBuilder
from ..rng import Streams
from ..scenario import Scenario
from .budget import Budget

# event codes as plain ints: faster to look up and to store than enum members on the hot path
E = SimpleNamespace(**{e.name: int(e) for e in Ev})

DRAIN_MIN = 6 * 60  # how long after the last closing readers are still served
CHECK_EVERY = 4096  # job starts (or arrivals) between two checks of the budget
MAX_READERS = 3_000_000
COMPACT_ROWS = 1 << 16  # log rows kept as Python floats before they are compacted into columns


class Context:
    """What the parts share. `closed`, `inside` and `held_books` change as the run goes; the rest is fixed."""

    __slots__ = ("_extend", "budget", "closed", "end_min", "env", "first_day", "held_books", "horizon_min", "inside",
                 "log", "rng", "scenario")

    def __init__(self, scenario: Scenario, seed: int, replication: int, budget: Budget) -> None:
        self.scenario = scenario
        self.budget = budget
        self.held_books = 0  # on the reshelving cart or in a run: memory the budget counts
        cal = scenario.calendar
        acq = scenario.acquisitions
        # a back-office warm-up: the library runs these days before day 0 (negative times), not counted
        self.first_day = -acq.warmup_days if acq is not None and cal.mode == "daily" else 0
        self.env = simpy.Environment(initial_time=self.first_day * 1440.0)
        self.rng = Streams(seed, replication)
        self.log = LogBuilder()
        self._extend = self.log.rows.extend
        self.closed = True
        self.inside = 0
        if cal.mode == "daily":
            self.horizon_min = (cal.days - 1) * 1440.0 + cal.close_min  # arrivals stop for good
            self.end_min = max(cal.days * 1440.0, self.horizon_min + DRAIN_MIN)  # the run stops
        else:
            self.horizon_min = float(cal.hours or 0) * 60.0
            self.end_min = self.horizon_min + 1440.0

    def row(self, kind: int, entity: int, group: int, step: int, station: int, staff: int, value: float) -> None:
        """Append one event-log row at the current time."""
        # env._now: SimPy's clock without the property call (this runs about five times per reader)
        self._extend((self.env._now, kind, entity, group, step, station, staff, value))

    def check_budget(self, extra_bytes: float = 0.0) -> None:
        """Stop a run that passed its event budget or would pass its memory limit (with `extra_bytes` more)."""
        if len(self.log.rows) >= COMPACT_ROWS * LogBuilder.WIDTH:
            self.log.compact()
        self.budget.check(len(self.log), self.inside, self.held_books, extra_bytes)
