"""The back office: acquisitions arrive in shipments and go through a route of steps (accession,
cataloguing, technical processing, ...) in batches, with WIP limits, to the shelf."""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import Any

import simpy

from ..scenario import Acquisitions
from .context import Context, E
from .records import Job, StepRT


class BackOffice:
    """New items waiting before each step (requested ones first if asked), batches in process."""

    __slots__ = ("buffers", "count", "ctx", "in_process", "items", "job_queued", "requested", "spec", "steps")

    def __init__(self, ctx: Context, spec: Acquisitions, steps: list[StepRT]) -> None:
        self.ctx = ctx
        self.spec = spec
        index = {sid: i for i, sid in enumerate(ctx.scenario.steps)}
        self.steps = [steps[index[a.step]] for a in spec.route]
        n = len(spec.route)
        # per step: (requested items, other items) waiting for it
        self.buffers: list[tuple[deque[int], deque[int]]] = [(deque(), deque()) for _ in range(n)]
        self.in_process = [0] * n
        self.job_queued = [False] * n
        self.items: dict[int, list[float]] = {}  # item -> [receipt time, entered buffer time]
        self.requested = ctx.rng.uniform("acquisitions.requested")
        self.count = 0

    def start(self) -> None:
        """Before the run: the work in process at the start, then the shipments process."""
        acq = self.spec
        start = self.ctx.env._now
        receipt = start - acq.initial_age_days * 1440.0
        for a_idx, a in enumerate(acq.route):
            count = acq.initial_wip.get(a.step, 0)
            if count:
                first = self.count
                self.receive(count, receipt, a_idx)
                if self.ctx.first_day < 0:  # seeds of the warm-up: their assumed age is not a result
                    for m in range(first, self.count):
                        self.ctx.row(E.ACQ_SEED, m, -1, -1, -1, -1, start - receipt)
        self.ctx.env.process(self._shipments())

    def receive(self, count: int, receipt: float, step: int = 0) -> None:
        """`count` items received at `receipt` enter the buffer of route step `step`."""
        acq = self.spec
        ctx = self.ctx
        now = ctx.env._now
        for _ in range(count):
            m = self.count
            self.count += 1
            self.items[m] = [receipt, now]
            requested = self.requested[m] < acq.requested_share
            if requested:
                ctx.row(E.ACQ_REQUESTED, m, -1, -1, -1, -1, now - receipt)
            if step > 0:  # already in process when the run starts
                ctx.row(E.ACQ_STARTED, m, -1, -1, -1, -1, now - receipt)
            self.buffers[step][0 if (requested and acq.requested_first) else 1].append(m)
        self.pull()

    def pull(self) -> None:
        """Start a batch at every step that has one ready and room downstream (WIP limits)."""
        acq = self.spec
        n = len(acq.route)
        progress = True
        while progress:
            progress = False
            for k in range(n):
                if self.job_queued[k]:
                    continue
                buf = self.buffers[k]
                waiting = len(buf[0]) + len(buf[1])
                if not waiting:
                    continue
                # a batch cannot wait for more items than this step's WIP limit lets in
                size = min(acq.route[k].batch, acq.route[k].wip_limit or acq.route[k].batch)
                upstream = sum(len(b[0]) + len(b[1]) for b in self.buffers[:k]) + sum(self.in_process[:k])
                take = min(size, waiting)
                if take < size and upstream > 0:
                    if not (acq.requested_first and buf[0]):
                        continue  # wait for a full batch while more is coming
                    # requested items first: a reader's request pulls the requested items through at
                    # once, as a small batch of their own (the reader's signal starts the work)
                    take = min(len(buf[0]), size)
                limit = acq.route[k + 1].wip_limit if k + 1 < n else None
                if limit is not None:
                    nxt = self.buffers[k + 1]
                    room = limit - (len(nxt[0]) + len(nxt[1]) + self.in_process[k + 1]) - self.in_process[k]
                    if room <= 0:
                        continue
                    take = min(take, room)
                items = [buf[0].popleft() if buf[0] else buf[1].popleft() for _ in range(take)]
                self._job(k, items)
                progress = True

    def _job(self, k: int, items: list[int]) -> None:
        srt = self.steps[k]
        st = srt.station
        self.in_process[k] += len(items)
        self.job_queued[k] = True
        began: list[float] = []
        ctx = self.ctx

        def start(job: Job) -> float:
            self.job_queued[k] = False
            now = ctx.env._now
            began.append(now)
            minutes = 0.0
            for m in items:
                if k == 0:
                    ctx.row(E.ACQ_STARTED, m, -1, srt.idx, st.idx, -1, now - self.items[m][0])
                ctx.row(E.ACQ_WAIT, m, -1, srt.idx, st.idx, -1, now - self.items[m][1])
                work, reworks = srt.duration(m, 0, 1.0)
                for attempt in range(1, reworks + 1):
                    ctx.row(E.REWORK, m, -1, srt.idx, st.idx, -1, float(attempt))
                ctx.row(E.ACQ_WORK, m, -1, srt.idx, st.idx, -1, work)
                if srt.parts is not None:
                    for part in srt.part_minutes(m, 0, 1.0, reworks):
                        ctx.row(E.PART, m, -1, srt.idx, st.idx, -1, part)
                minutes += work
            job.walk = srt.spec.walk_m * len(items)
            self.pull()
            return minutes

        def done(job: Job) -> None:
            now = ctx.env._now
            self.in_process[k] -= len(items)
            for m in items:
                ctx.row(E.ACQ_STEP_DONE, m, -1, srt.idx, st.idx, -1, now - began[0])
            if k + 1 < len(self.buffers):
                acq = self.spec
                for m in items:
                    self.items[m][1] = now
                    requested = self.requested[m] < acq.requested_share
                    self.buffers[k + 1][0 if (requested and acq.requested_first) else 1].append(m)
            else:
                for m in items:
                    receipt = self.items.pop(m)[0]
                    ctx.row(E.ACQ_SHELVED, m, -1, srt.idx, st.idx, -1, now - receipt)
            self.pull()

        st.enqueue(Job(st, None, done, step=srt.idx, on_start=start, after_hours=False))

    def _shipments(self) -> Generator[simpy.Event, Any, None]:
        """Process: a shipment every `shipment_every_days` from `first_shipment_day`, at opening time."""
        acq = self.spec
        cal = self.ctx.scenario.calendar
        env = self.ctx.env
        horizon = self.ctx.horizon_min
        day = acq.first_shipment_day
        while day - acq.shipment_every_days >= self.ctx.first_day:  # the schedule goes back into the warm-up
            day -= acq.shipment_every_days
        offset = cal.open_min if cal.mode == "daily" else 0.0
        while True:
            t = day * 1440.0 + offset
            if t >= horizon:
                return
            if t > env.now:
                yield env.timeout(t - env.now)
            self.receive(acq.shipment_size, env.now)
            day += acq.shipment_every_days

    def on_open(self) -> None:
        """At opening: batches that wait for the back office start."""
        self.pull()

    def finish(self) -> None:
        """Items still in process when the run stops."""
        ctx = self.ctx
        now = ctx.env._now
        for item, (receipt, _) in self.items.items():
            ctx.row(E.ACQ_OPEN, item, -1, -1, -1, -1, now - receipt)
