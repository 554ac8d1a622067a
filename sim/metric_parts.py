"""Parts of one replication's figures that `sim.metrics` assembles: the value-stream sums per step
and per part of a step, the log's part rows, overproduction in the back office and overtime hours.

Definitions are in `sim.metrics`'s docstring; `sim.wastewalk` and `sim.vsm` use these too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .eventlog import Ev, EventLog
from .scenario import Scenario, StepPart


@dataclass
class StepStats:
    """Sums for the value-stream map: how often a step ran, its time, the waiting before it."""

    count: int = 0
    process_sum: float = 0.0
    wait_sum: float = 0.0

    def add(self, other: StepStats) -> None:
        self.count += other.count
        self.process_sum += other.process_sum
        self.wait_sum += other.wait_sum


def part_key(step_id: str, part_id: str) -> str:
    """The key of a step's part among the value-stream sums (`RepMetrics.steps`): `step/part`."""
    return f"{step_id}/{part_id}"


def overproduction_by_step(log: EventLog, lo: float, hi: float) -> list[tuple[str, float, int]]:
    """Per back-office step (id, minutes, batches): work on items nobody asked for, in batches started
    while an item a reader asked for waited at that step (work done in [lo, hi)). The waste walk
    (`sim.wastewalk`) names these as overproduction; the figure sums them."""
    k, t, val, ent, step = log.kind, log.t, log.value, log.entity, log.step
    req_rows = k == Ev.ACQ_REQUESTED
    requested = set(ent[req_rows].tolist())
    if not requested:
        return []
    waits = np.nonzero(k == Ev.ACQ_WAIT)[0]
    req_wait = np.asarray([r for r in waits if int(ent[r]) in requested], dtype=np.int64)
    out: list[tuple[str, float, int]] = []
    work = np.nonzero((k == Ev.ACQ_WORK) & (t >= lo) & (t < hi))[0]
    for s_idx in np.unique(step[work]):
        w_rows = [r for r in work if step[r] == s_idx and int(ent[r]) not in requested]
        rq = req_wait[step[req_wait] == s_idx] if len(req_wait) else req_wait
        if not w_rows or not len(rq):
            continue
        r_start, r_end = t[rq] - val[rq], t[rq]
        minutes, n = 0.0, 0
        for r in w_rows:
            # the batch started at t[r]; a requested item still waiting then was passed over
            if np.any((r_start <= t[r]) & (t[r] < r_end)):
                minutes += float(val[r])
                n += 1
        if n:
            out.append((log.step_ids[int(s_idx)], minutes, n))
    return out


def step_parts(scenario: Scenario, log: EventLog) -> tuple[np.ndarray, list[StepPart]]:
    """The log's part rows and, for each, the part it is: a step logs its parts in their order, one
    row each, every time it is done, so the i-th part row of a step is part i modulo their number."""
    rows = np.nonzero(log.kind == Ev.PART)[0]
    specs: list[StepPart | None] = [None] * len(rows)
    steps = log.step[rows]
    for s_idx in np.unique(steps):
        parts = scenario.steps[log.step_ids[int(s_idx)]].parts or []
        where = np.nonzero(steps == s_idx)[0]
        for i, r in enumerate(where.tolist()):
            specs[r] = parts[i % len(parts)]
    return rows, [p for p in specs if p is not None]


def _part_stats(scenario: Scenario, log: EventLog, rows: np.ndarray, specs: list[StepPart],
                counted: np.ndarray) -> dict[str, StepStats]:
    """Per part of a step (key `part_key`): how often it was done and its minutes (counted readers,
    back-office work after the warm-up), for the value-stream map."""
    out: dict[str, StepStats] = {}
    for r, spec in zip(rows.tolist(), specs, strict=True):
        g, e = int(log.group[r]), int(log.entity[r])
        if (g >= 0 and not counted[e]) or (g < 0 and log.t[r] < log.warmup_min):
            continue
        stats = out.setdefault(part_key(log.step_ids[int(log.step[r])], spec.id), StepStats())
        stats.count += 1
        stats.process_sum += float(log.value[r])
    return out


def _overtime_hours(scenario: Scenario, log: EventLog) -> dict[tuple[int, int], float]:
    """Hours each staff member was on duty after closing, per day (after the warm-up; daily calendars only)."""
    cal = scenario.calendar
    out: dict[tuple[int, int], float] = {}
    if cal.mode != "daily":
        return out
    rows = (log.kind == Ev.DUTY) & (log.staff >= 0)
    ends, lengths, members = log.t[rows], log.value[rows], log.staff[rows]
    warm = log.warmup_min
    for end, length, member in zip(ends.tolist(), lengths.tolist(), members.tolist()):
        start = max(end - length, warm)
        for day in range(int(start // 1440) - 1, int(end // 1440) + 1):
            # after closing on `day` until the next opening
            lo = max(start, day * 1440.0 + cal.close_min)
            hi = min(end, (day + 1) * 1440.0 + cal.open_min)
            if hi > lo:
                out[(member, day)] = out.get((member, day), 0.0) + (hi - lo) / 60.0
    return out


def _step_stats(log: EventLog, counted: np.ndarray, n_readers: int) -> dict[str, StepStats]:
    """Per step: how often it ran, its own process time, and the waiting that went with it.

    For readers the waiting is the queue before the step (or the wait for the stack run). For an
    acquisitions item it is the time in the buffer before its batch started, plus the time in the
    batch while the other items of the batch were worked on (batching waste).
    """
    k, ent, val, step = log.kind, log.entity, log.value, log.step
    is_reader = (log.group >= 0) & (ent >= 0)
    ok_reader = np.zeros(len(k), dtype=bool)
    if n_readers:
        ok_reader[is_reader] = counted[ent[is_reader]]
    after = log.t >= log.warmup_min
    n_steps = len(log.step_ids)

    def sums(rows: np.ndarray, weights: bool = True) -> np.ndarray:
        if weights:
            return np.bincount(step[rows], weights=val[rows], minlength=n_steps)
        return np.bincount(step[rows], minlength=n_steps).astype(float)

    reader_done = ((k == Ev.SERVICE_END) | (k == Ev.SELF_END)) & ok_reader
    stack = (k == Ev.STACK_WAIT) & ok_reader
    reader_wait = ((k == Ev.SERVICE_START) & ok_reader) | stack
    acq_work = (k == Ev.ACQ_WORK) & after
    acq_buffer = (k == Ev.ACQ_WAIT) & after
    acq_batch = (k == Ev.ACQ_STEP_DONE) & after
    count = sums(reader_done, False) + sums(stack, False) + sums(acq_work, False)
    process = sums(reader_done) + sums(acq_work)
    # the batch's time beyond the item's own work is waiting; items whose batch has not finished
    # by the end of the run count only their buffer wait
    key = ent * (n_steps + 1) + step
    in_batch = sums(acq_batch) - sums(acq_work & np.isin(key, key[acq_batch]))
    waiting = sums(reader_wait) + sums(acq_buffer) + in_batch
    stats: dict[str, StepStats] = {}
    for i, sid in enumerate(log.step_ids):
        if count[i]:
            stats[sid] = StepStats(int(count[i]), float(process[i]), float(max(waiting[i], 0.0)))
    return stats
