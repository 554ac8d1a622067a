"""Typed runtime records of the model: work waiting at a station, a staff member, a step, a group.

They are plain `__slots__` classes (and one NamedTuple), cheap to create and to read on the hot path;
the parts of the model share them through the context.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import simpy

    from ..rng import Stream
    from ..scenario import ReaderGroup, Step
    from .queues import Station

VISITS_PER_STEP = 4  # uniforms kept per reader and step: the first try and up to three reworks


class Job:
    """Work waiting at a station: a reader's step, a reshelving run, a stack run, a batch of new items.

    `duration` is known when the job is queued (a reader's step) or computed by `on_start` when a
    member takes it (a run takes the books or orders waiting at that moment). `token` tells a stale
    finishing timeout (of a preempted stretch) from the current one.
    """

    __slots__ = (
        "after_hours",
        "cancelled",
        "done_ev",
        "duration",
        "group",
        "line",
        "on_done",
        "on_start",
        "priority",
        "queued_at",
        "reader",
        "remaining",
        "started",
        "station",
        "step",
        "token",
        "walk",
    )

    def __init__(self, station: Station, duration: float | None, on_done: Callable[[Job], None],
                 reader: int = -1, group: int = -1, step: int = -1, priority: bool = False,
                 after_hours: bool = True, on_start: Callable[[Job], float] | None = None) -> None:
        self.station = station
        self.reader = reader
        self.group = group
        self.step = step
        self.priority = priority
        self.duration = duration
        self.remaining: float | None = None
        self.token = 0
        self.started = False
        self.cancelled = False
        self.queued_at = 0.0
        self.on_start = on_start
        self.on_done = on_done
        self.after_hours = after_hours
        self.line: Member | None = None
        self.done_ev: simpy.Event | None = None
        self.walk = 0.0  # metres the member walks doing this job (logged when it is done)


class Member:
    """One staff member: the stations it works (front first), what it does now, its own desk lines."""

    __slots__ = (
        "assist",
        "assist_above",
        "back",
        "busy_since",
        "desk_lines",
        "duty_since",
        "front",
        "idx",
        "interruptible",
        "job",
        "job_end",
        "last_station",
        "leaving",
        "lines",
        "on_duty",
        "role",
        "setup",
    )

    def __init__(self, idx: int, role: int, setup: float, interruptible: bool) -> None:
        self.idx = idx
        self.role = role
        self.front: list[Station] = []
        self.back: list[Station] = []
        # front stations with a line per desk: readers there may yet come to this member's line
        self.desk_lines: list[Station] = []
        self.assist: Station | None = None
        self.assist_above = 0
        self.interruptible = interruptible
        self.setup = setup
        self.on_duty = False
        self.duty_since = 0.0
        self.leaving = False
        self.job: Job | None = None
        self.busy_since = 0.0
        self.job_end = 0.0
        self.last_station: Station | None = None
        self.lines: dict[int, deque[Job]] = {}  # station index -> this member's line there


class PartTimes:
    """The times of a step with parts: each part draws from its own stream (`step.<id>.part.<part>`),
    and the step takes their sum. A step without parts keeps its one stream (`step.<id>.time`), so its
    draws, and the run of a scenario without parts, stay exactly what they were."""

    __slots__ = ("streams",)

    def __init__(self, streams: list[Stream]) -> None:
        self.streams = streams

    def __getitem__(self, index: int) -> float:
        return sum(s[index] for s in self.streams)

    def ensure(self, size: int) -> None:
        for s in self.streams:
            s.ensure(size)


class StepRT:
    """A step of a route while the model runs: its streams, its station and what it leads to.

    `order` (closed-stack delivery), `search` (shelf search) and `return_books` (books put on the
    reshelving cart) are the callables of the parts the step uses, or None: the reader's process
    calls what is there instead of testing the step's kind and the scenario's sections.
    """

    __slots__ = (
        "alt",
        "error_rate",
        "errors",
        "idx",
        "is_service",
        "not_found",
        "on_nf",
        "order",
        "parts",
        "return_books",
        "rework_factor",
        "search",
        "self_paced",
        "sid",
        "spec",
        "station",
        "times",
        "va",
        "walk",
    )

    def __init__(self, idx: int, sid: str, spec: Step, station: Station, times: Stream | PartTimes | None,
                 errors: Stream, not_found: Stream, walk: float, alt: int | None, on_nf: int | None) -> None:
        self.idx = idx
        self.sid = sid
        self.spec = spec
        self.station = station
        self.times = times
        self.errors = errors
        self.not_found = not_found
        self.walk = walk
        self.alt = alt
        self.on_nf = on_nf
        self.va = spec.value == "value_added"
        self.error_rate = spec.error_rate
        self.rework_factor = spec.rework_factor
        self.is_service = spec.kind == "service"
        # no queue: the reader walks the open shelves (or searches them) alone
        self.self_paced = station.kind == "open" or spec.kind == "shelf_search"
        self.order: Callable[[int], simpy.Event] | None = None
        self.search: Callable[[StepRT, int, int, int], bool] | None = None
        self.return_books: Callable[[int], None] | None = None
        # the streams of the step's parts (logged part by part), or None for a step of one piece
        self.parts: list[Stream] | None = times.streams if isinstance(times, PartTimes) else None

    def duration(self, n: int, visit: int, factor: float) -> tuple[float, int]:
        """Minutes of the step for reader (or item) `n`, rework included, and how many reworks."""
        base = n * VISITS_PER_STEP
        j = min(visit, VISITS_PER_STEP - 1)
        times = self.times
        assert times is not None, "a step without a time is a stack delivery, which takes none"
        duration = times[base + j] * factor + self.walk
        rate = self.error_rate
        attempt = 0
        while rate > 0 and attempt < VISITS_PER_STEP - 1 and self.errors[base + attempt] < rate:
            attempt += 1
            duration += times[base + min(j + attempt, VISITS_PER_STEP - 1)] * factor * self.rework_factor
        return duration, attempt

    def part_minutes(self, n: int, visit: int, factor: float, reworks: int) -> list[float]:
        """Minutes of each part of the step for reader (or item) `n`, with the reworks `duration` drew
        (a rework redoes every part); they add up to the step's time without its walking."""
        assert self.parts is not None
        base = n * VISITS_PER_STEP
        j = min(visit, VISITS_PER_STEP - 1)
        redo = factor * self.rework_factor
        out = []
        for s in self.parts:
            minutes = s[base + j] * factor
            for attempt in range(1, reworks + 1):
                minutes += s[base + min(j + attempt, VISITS_PER_STEP - 1)] * redo
            out.append(minutes)
        return out


class GroupRT(NamedTuple):
    """A reader group while the model runs: its spec, its purposes with their cumulative shares, its patience."""

    spec: ReaderGroup
    purposes: list[int]
    cum: list[float]
    patience: Stream | None
