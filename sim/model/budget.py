"""The memory budget of one replication: estimated before the run starts, watched while it runs.

A replication must fit a training laptop: `DEFAULT_LIMIT_MB` (1 GB) unless the caller passes another
limit (`sim.experiment` reads it from the environment). The estimate counts what grows with the
scenario: the readers' pre-drawn numbers (per reader, and per reader and step), the event log's rows
(what a reader's route, the returned books and the back office's items log), and the room the
interpreter and libraries take. The figures below were measured on CPython 3.11 (tracemalloc and
peak RSS); they are deliberately a little generous.

While the run goes, `Budget.check` adds what the run holds at that moment (log rows, readers inside
with their processes, books on the cart) and stops it with `RunawayScenario` before it passes the limit;
so the event budget follows from the memory limit as well as from the scenario's `max_events`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..i18n import t
from ..rng import BYTES_PER_VALUE
from ..scenario import Scenario
from ..scenario.checks_events import event_readers
from .records import VISITS_PER_STEP

DEFAULT_LIMIT_MB = 1024
MB = 1024 * 1024
BASE_BYTES = 200 * MB  # the interpreter, numpy, SimPy, pydantic and the scenario itself
ROW_BYTES = 100  # a compacted log row (35 bytes) with room for the figures' working arrays over it
ARRIVAL_BYTES = 48  # an arrival time (a Python float in a list) and its share of the sorting
INSIDE_BYTES = 2048  # a reader inside: its SimPy process, its job and events (measured about 1.7 KB)
BOOK_BYTES = 160  # a book on the reshelving cart: its (number, time) tuple in a list
ITEM_BYTES = 256  # an acquisitions item in process: its times and its place in a buffer
ROWS_PER_STAFFED_STEP = 3  # service start and end, and the member's stretch of work


class RunawayScenario(RuntimeError):
    """The run would pass (or passed) its memory or event budget, or its reader cap: the scenario is
    not a working library. `key` and `params` give the message in either language (`text`)."""

    def __init__(self, key: str, params: dict[str, float] | None = None, /, **more: float) -> None:
        # args are (key, params): SimPy and pickling rebuild an exception from its args
        self.key = key
        self.params = {**(params or {}), **more}
        super().__init__(key, self.params)

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """The message in `lang` (numbers grouped by thousands as that language writes them)."""
        sep = "\u00a0" if lang == "ru" else ","
        shown = {k: f"{round(v):,}".replace(",", sep) for k, v in self.params.items()}
        return t(f"runaway.{self.key}", lang, **shown)


@dataclass(frozen=True)
class MemoryEstimate:
    """What one replication of a scenario is expected to hold, and the bytes that makes."""

    readers: float
    steps: int
    rows: float
    books: float
    items: float
    bytes: float

    @property
    def mb(self) -> float:
        return self.bytes / MB


def expected_readers(scenario: Scenario) -> float:
    """The mean number of readers a replication draws (the same hourly rates the model uses, and the
    readers of the events switched on)."""
    cal = scenario.calendar
    scale = scenario.arrivals.scale
    if cal.mode == "daily":
        first = -scenario.acquisitions.warmup_days if scenario.acquisitions is not None else 0
        usual = sum(sum(scenario.arrivals.profile(cal.weekday_of(d))) for d in range(first, cal.days)) * scale
        return usual + event_readers(scenario, scenario.events_on)
    profile = scenario.arrivals.per_hour["default"]
    hours = float(cal.hours or 0)
    whole = math.floor(hours)
    total = sum(profile[h % len(profile)] for h in range(whole))
    if hours > whole:
        total += profile[whole % len(profile)] * (hours - whole)
    return total * scale


def bytes_per_reader(scenario: Scenario) -> float:
    """The numbers drawn for every reader before the run: group, purpose, self-service, patience, and
    each step's times and (where errors happen) rework draws."""
    values = 3 + sum(1 for g in scenario.groups.values() if g.patience is not None)
    for step in scenario.steps.values():
        if step.time is not None:
            values += VISITS_PER_STEP
        values += VISITS_PER_STEP * len(step.parts or ())
        if step.error_rate > 0:
            values += VISITS_PER_STEP
    return ARRIVAL_BYTES + values * BYTES_PER_VALUE


def _purpose_shares(scenario: Scenario) -> dict[str, float]:
    shares: dict[str, float] = {p: 0.0 for p in scenario.purposes}
    total_groups = sum(g.share for g in scenario.groups.values()) or 1.0
    for g in scenario.groups.values():
        mix = sum(g.purposes.values()) or 1.0
        for p, share in g.purposes.items():
            shares[p] += g.share / total_groups * share / mix
    return shares


def estimate_memory(scenario: Scenario) -> MemoryEstimate:
    """Expected readers, log rows, books and items of one replication, and the memory they take."""
    readers = expected_readers(scenario)
    rows_per_reader = 2.0  # arrival and departure
    books_per_reader = 0.0
    for purpose, share in _purpose_shares(scenario).items():
        for sid in scenario.purposes[purpose].route:
            step = scenario.steps[sid]
            station = scenario.stations[step.station]
            if step.kind == "stack_delivery" or step.kind == "shelf_search" or station.kind == "open":
                rows_per_reader += share * 2
            else:
                rows_per_reader += share * ROWS_PER_STAFFED_STEP
            rows_per_reader += share * len(step.parts or ())  # a row per part
            if step.returns_books is not None and scenario.reshelving is not None:
                books = max(1.0, step.returns_books.mean_value())
                books_per_reader += share * books
    books = readers * books_per_reader
    items = 0.0
    rows = readers * rows_per_reader + books * 2  # a book: its row on the cart, its row on the shelf
    acq = scenario.acquisitions
    if acq is not None:
        days = (scenario.calendar.horizon_hours / 24.0) - acq.first_shipment_day
        shipments = max(0.0, math.floor(max(days, 0.0) / acq.shipment_every_days) + 1)
        items = shipments * acq.shipment_size + sum(acq.initial_wip.values())
        rows += items * (2 + 4 * len(acq.route))
    need = (BASE_BYTES + readers * bytes_per_reader(scenario) + rows * ROW_BYTES
            + books * BOOK_BYTES + items * ITEM_BYTES)
    return MemoryEstimate(readers, len(scenario.steps), rows, books, items, need)


def check_memory(scenario: Scenario, limit_mb: int = DEFAULT_LIMIT_MB) -> MemoryEstimate:
    """The estimate, or `RunawayScenario` if it is above `limit_mb` (before anything is drawn)."""
    estimate = estimate_memory(scenario)
    if not estimate.bytes <= limit_mb * MB:
        raise RunawayScenario("memory_before", need=estimate.mb, limit=limit_mb, readers=estimate.readers,
                              rows=estimate.rows)
    return estimate


class Budget:
    """The room a running replication has: its log rows, the readers inside, the books held."""

    __slots__ = ("limit_mb", "max_events", "room")

    def __init__(self, scenario: Scenario, limit_mb: int) -> None:
        self.limit_mb = limit_mb
        self.max_events = scenario.max_events
        self.room: float = limit_mb * MB - BASE_BYTES  # less the readers' numbers, once they are drawn

    def readers_drawn(self, scenario: Scenario, readers: int) -> None:
        """The readers are drawn: their numbers take room for the whole run."""
        self.room -= readers * bytes_per_reader(scenario)
        if self.room <= 0:
            raise RunawayScenario("memory_before", need=self.limit_mb - self.room / MB, limit=self.limit_mb,
                                  readers=readers, rows=0)

    def check(self, rows: int, inside: int, held: float, extra: float = 0.0) -> None:
        """Stop the run if it passed `max_events`, or if what it holds (plus `extra` bytes) would pass the limit."""
        if rows > self.max_events:
            raise RunawayScenario("events", max=self.max_events)
        used = rows * ROW_BYTES + inside * INSIDE_BYTES + held * BOOK_BYTES + extra
        if not used <= self.room:  # also stops on a NaN
            raise RunawayScenario("memory_during", limit=self.limit_mb, rows=rows, inside=inside)
