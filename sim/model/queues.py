"""Queue policies: how readers and work line up at a station, and who takes the next job.

A station is one of three classes, chosen from the scenario once:

- `SharedLine`: one line for all the desks of a station (with a priority lane in front of it);
- `DeskLines`: a line per desk (per staff member on duty): a reader joins the shortest and stays in
  it; a desk that opens takes readers from the back of longer lines; an assistant takes the head of
  the longest line;
- `KioskBank`: self-service kiosks, `capacity` of them, no staff.

Each answers the same questions (`enqueue`, `pop`, `dispatch`, `queue_len`, `withdraw`, ...), so
the rest of the model never asks which policy a station has.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from .context import Context, E
from .records import Job, Member

if TYPE_CHECKING:
    from .staff import Staff


class Station:
    """A station while the model runs; subclasses are its queue policy (this base is abstract)."""

    __slots__ = (
        "assistants",
        "busy",
        "capacity",
        "ctx",
        "front",
        "holding",
        "idx",
        "kind",
        "members",
        "pqueue",
        "priority_groups",
        "queue",
        "sid",
        "staff",
        "waiting",
    )

    def __init__(self, ctx: Context, idx: int, sid: str, kind: str, front: bool, capacity: int | None,
                 priority_groups: set[int]) -> None:
        self.ctx = ctx
        self.idx = idx
        self.sid = sid
        self.kind = kind
        self.front = front
        self.capacity = capacity or 0
        self.busy = 0
        self.queue: deque[Job] = deque()
        self.pqueue: deque[Job] = deque()
        self.waiting = 0
        self.members: list[Member] = []
        self.assistants: list[Member] = []
        self.holding: deque[Job] = deque()  # jobs of a line per desk while no desk is open
        self.priority_groups = priority_groups
        self.staff: Staff  # set by the composition root once the staff exist

    # --- what every policy answers ----------------------------------------------------------------

    def enqueue(self, job: Job) -> None:
        """A job joins this station's line; whoever may take it starts it."""
        raise NotImplementedError

    def pop(self, m: Member | None) -> Job | None:
        """The next job for member `m` (None: an assistant), or None if nothing it may take now."""
        raise NotImplementedError

    def queue_len(self) -> int:
        """How long the line looks to a reader deciding whether to join it (balking)."""
        return self.waiting

    def withdraw(self, job: Job) -> None:
        """A reader gives up waiting: `job` (already marked cancelled) leaves the line."""
        self.waiting -= 1

    def requeue_front(self, job: Job) -> None:
        """An interrupted job goes back to the head of the line, with the work it has left."""
        (self.pqueue if job.priority else self.queue).appendleft(job)
        self.waiting += 1

    def needs_call_in_at_close(self) -> bool:
        """At closing: is there work here that staff must stay (or come) for?"""
        return bool(self.waiting) and any(j.after_hours for j in (*self.queue, *self.pqueue, *self.holding))

    def queued_jobs(self) -> list[Job]:
        """Every job still in a line here (some may be cancelled)."""
        return [*self.pqueue, *self.queue, *self.holding]

    def member_arrives(self, m: Member) -> None:
        """Member `m`, who works this station, comes on duty."""

    def release_line(self, line: deque[Job]) -> None:
        """A member goes off duty: the readers in its own line here find another one."""

    # --- staffed stations: who takes the next job -------------------------------------------------

    def idle_member(self) -> Member | None:
        """A free member for this station: who worked here last, else the first free, else an assistant."""
        first: Member | None = None
        for m in self.members:
            if m.on_duty and m.job is None and not m.leaving:
                if m.last_station is self:
                    return m
                if first is None:
                    first = m
        if first is not None:
            return first
        return self.free_assistant()

    def free_assistant(self) -> Member | None:
        """A free member who assists here and whose threshold the line has passed."""
        for m in self.assistants:
            if m.on_duty and m.job is None and not m.leaving and self.waiting > m.assist_above:
                return m
        return None

    def interruptible_member(self) -> Member | None:
        """A member busy with back-office work who drops it for this station: an interruptible member
        who works here, or one who assists here and is called because the line is long."""
        for m in self.members:
            if m.interruptible and m.on_duty and not m.leaving and m.job is not None and not m.job.station.front:
                return m
        for m in self.assistants:
            if (self.waiting > m.assist_above and m.on_duty and not m.leaving and m.job is not None
                    and not m.job.station.front):
                return m
        return None

    def dispatch(self) -> None:
        """Start waiting jobs here with whoever may take them."""
        staff = self.staff
        while self.waiting > 0:
            m = self.idle_member()
            if m is None:
                if self.front and not self.ctx.closed:
                    m = self.interruptible_member()
                if m is None:
                    return
                staff.preempt(m)
            job = self.pop(m)
            if job is None:
                staff.member_free(m)
                return
            staff.start(m, job)


class SharedLine(Station):
    """One line for all the desks of a station, with a priority lane served first."""

    __slots__ = ()

    def enqueue(self, job: Job) -> None:
        """The job joins the priority lane or the line; staff are called in after closing if needed."""
        job.queued_at = self.ctx.env._now
        (self.pqueue if job.priority else self.queue).append(job)
        self.waiting += 1
        if self.ctx.closed and job.after_hours:
            self.staff.call_in(self)
        self.dispatch()

    def pop(self, m: Member | None) -> Job | None:
        """The head of the priority lane, else of the line (after closing: only after-hours work)."""
        closed = self.ctx.closed
        for q in (self.pqueue, self.queue):
            while q and q[0].cancelled:
                q.popleft()
            if not q:
                continue
            if not closed or q[0].after_hours:
                self.waiting -= 1
                return q.popleft()
            for job in q:
                if not job.cancelled and job.after_hours:
                    q.remove(job)
                    self.waiting -= 1
                    return job
        return None


class DeskLines(Station):
    """A line per desk: each member on duty here has its own line, readers pick the shortest."""

    __slots__ = ()

    def enqueue(self, job: Job) -> None:
        """The job joins the shortest line (or waits for a desk to open)."""
        job.queued_at = self.ctx.env._now
        self._join_line(job)
        self.waiting += 1
        if self.ctx.closed and job.after_hours:
            self.staff.call_in(self)
        self.dispatch()

    def _join_line(self, job: Job) -> None:
        best: Member | None = None
        best_len = 0
        for m in self.members:
            if not m.on_duty or m.leaving:
                continue
            line = m.lines.setdefault(self.idx, deque())
            # a member busy with anything (back-office work too) has someone ahead of you
            length = len(line) + (1 if m.job is not None else 0)
            if best is None or length < best_len:
                best, best_len = m, length
        if best is None:
            job.line = None
            self.holding.append(job)
            return
        job.line = best
        line = best.lines[self.idx]
        if job.priority:
            pos = 0
            while pos < len(line) and line[pos].priority:
                pos += 1
            line.insert(pos, job)
        else:
            line.append(job)

    def pop(self, m: Member | None) -> Job | None:
        """A member takes from its own line; an assistant from the longest (or from those waiting for a desk)."""
        if m is not None and m in self.members:
            line = m.lines.get(self.idx)
            candidates = [line] if line else []
        else:
            lines = [mm.lines.get(self.idx) for mm in self.members]
            nonempty = [ln for ln in lines if ln]
            candidates = [max(nonempty, key=len)] if nonempty else []
            if not candidates and self.holding:
                candidates = [self.holding]
        closed = self.ctx.closed
        for line in candidates:
            for job in line:
                if not closed or job.after_hours:
                    line.remove(job)
                    self.waiting -= 1
                    return job
        return None

    def queue_len(self) -> int:
        """The shortest open line (a reader would join it), or those waiting for a desk to open."""
        lines = [len(m.lines.get(self.idx, ())) for m in self.members if m.on_duty and not m.leaving]
        return min(lines) if lines else len(self.holding)

    def withdraw(self, job: Job) -> None:
        """The reader leaves whichever line it stood in."""
        self.waiting -= 1
        for line in [m.lines.get(self.idx) for m in self.members] + [self.holding]:
            if line and job in line:
                line.remove(job)
                break

    def queued_jobs(self) -> list[Job]:
        """Every job in a desk's line or waiting for a desk (and any requeued work)."""
        jobs = Station.queued_jobs(self)
        for m in self.members:
            jobs += m.lines.get(self.idx, ())
        return jobs

    def needs_call_in_at_close(self) -> bool:
        """Readers in the lines are served after closing."""
        return self.waiting > 0

    def idle_member(self) -> Member | None:
        """Only an assistant: the desks' own members serve their lines (see `dispatch`)."""
        return self.free_assistant()

    def dispatch(self) -> None:
        """Free members serve their own lines; readers waiting for a desk move to one; assistants help."""
        staff = self.staff
        for m in self.members:
            if m.on_duty and m.job is None and not m.leaving and m.lines.get(self.idx):
                staff.member_free(m)
        if self.holding:
            self._redistribute()
        Station.dispatch(self)

    def member_arrives(self, m: Member) -> None:
        """A desk opens: readers waiting for one join lines, and the back of longer lines moves to it."""
        if self.holding:
            self._redistribute()
        self._open_window(m)

    def release_line(self, line: deque[Job]) -> None:
        """The readers of a closing desk line up again, in order of arrival."""
        self.holding.extend(line)
        line.clear()
        self._redistribute()

    def _open_window(self, m: Member) -> None:
        """A desk opens: readers at the back of longer lines move to its line (as readers do)."""
        mine = m.lines.setdefault(self.idx, deque())
        while True:
            others = [mm for mm in self.members if mm is not m and mm.on_duty and mm.lines.get(self.idx)]
            if not others:
                return
            longest = max(others, key=lambda mm: len(mm.lines[self.idx]))
            if len(longest.lines[self.idx]) <= len(mine) + 1:
                return
            job = longest.lines[self.idx].pop()
            job.line = m
            mine.append(job)

    def _redistribute(self) -> None:
        jobs = sorted(self.holding, key=lambda j: j.queued_at)
        self.holding.clear()
        for job in jobs:
            self._join_line(job)
        staff = self.staff
        for m in self.members:
            if m.on_duty and m.job is None and not m.leaving and m.lines.get(self.idx):
                staff.member_free(m)


class KioskBank(Station):
    """Self-service kiosks: `capacity` readers at a time, one line, no staff."""

    __slots__ = ()

    def enqueue(self, job: Job) -> None:
        """A free kiosk starts at once; otherwise the reader waits in line."""
        job.queued_at = self.ctx.env._now
        if self.busy < self.capacity and not self.waiting:
            self._start(job)
        else:
            self.queue.append(job)
            self.waiting += 1

    def pop(self, m: Member | None) -> Job | None:
        """The first reader in line who has not given up."""
        while self.queue and self.queue[0].cancelled:
            self.queue.popleft()
        if not self.queue:
            return None
        self.waiting -= 1
        return self.queue.popleft()

    def needs_call_in_at_close(self) -> bool:
        """Kiosks need no staff."""
        return False

    def dispatch(self) -> None:
        """Start readers in line on free kiosks."""
        while self.waiting and self.busy < self.capacity:
            job = self.pop(None)
            if job is None:
                break
            self._start(job)

    def _start(self, job: Job) -> None:
        self.busy += 1
        job.started = True
        ctx = self.ctx
        ctx.row(E.SERVICE_START, job.reader, job.group, job.step, self.idx, -1, ctx.env._now - job.queued_at)
        duration = job.duration if job.duration is not None else 0.0
        ev = ctx.env.timeout(duration)
        ev.callbacks.append(lambda _ev: self._finish(job))

    def _finish(self, job: Job) -> None:
        self.busy -= 1
        job.on_done(job)
        self.dispatch()


def make_station(ctx: Context, idx: int, sid: str, kind: str, front: bool, per_desk: bool, capacity: int | None,
                 priority_groups: set[int]) -> Station:
    """The station with the queue policy its scenario entry asks for."""
    cls: type[Station] = KioskBank if kind == "kiosk" else DeskLines if per_desk else SharedLine
    return cls(ctx, idx, sid, kind, front, capacity, priority_groups)
