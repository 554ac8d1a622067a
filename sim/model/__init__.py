"""The SimPy model of a library: readers, desks, staff, reshelving, closed stacks and the back office.

`simulate(scenario, seed, replication)` runs one replication and returns its `EventLog`. The model
never reads files or the clock, and knows nothing of lean tools: a tool is a changed scenario.

How work is shared. Readers are SimPy processes; work waits in each station's line as a `Job`.
Staff members are not SimPy resources but plain objects that pull the next job when they are free:
front-desk lines first (in the order of the role's skills), then a station they assist when its
line is long, then back-office work. So front-desk work has priority over back-office work, a
member pays the role's set-up time when switching stations, and an `interruptible` member drops
back-office work (keeping what is left of it) when a reader would otherwise wait.

Time: minutes from the start of day 0. A daily library opens and closes each day; at closing no
one new enters and the staff on duty stay until the readers inside are served; back-office work
stops and carries over to the next day.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from types import SimpleNamespace
from typing import Any

import numpy as np
import simpy

from ..eventlog import Ev, EventLog, LogBuilder
from ..rng import Streams
from ..scenario import Scenario
from .records import VISITS_PER_STEP, Job, Member, StepRT

# event codes as plain ints: faster to look up and to store than enum members on the hot path
E = SimpleNamespace(**{e.name: int(e) for e in Ev})

DRAIN_MIN = 6 * 60  # how long after the last closing readers are still served
_CHECK_EVERY = 4096
MAX_READERS = 3_000_000


class RunawayScenario(RuntimeError):
    """The run went past its event budget or reader cap: the scenario is not a working library."""


class StationRT:
    """A station while the model runs."""

    __slots__ = (
        "assistants",
        "busy",
        "capacity",
        "front",
        "holding",
        "idx",
        "kind",
        "members",
        "per_desk",
        "pqueue",
        "priority_groups",
        "queue",
        "sid",
        "waiting",
    )

    def __init__(self, idx: int, sid: str, kind: str, front: bool, per_desk: bool, capacity: int | None,
                 priority_groups: set[int]) -> None:
        self.idx = idx
        self.sid = sid
        self.kind = kind
        self.front = front
        self.per_desk = per_desk
        self.capacity = capacity or 0
        self.busy = 0
        self.queue: deque[Job] = deque()
        self.pqueue: deque[Job] = deque()
        self.waiting = 0
        self.members: list[Member] = []
        self.assistants: list[Member] = []
        self.holding: deque[Job] = deque()
        self.priority_groups = priority_groups


class LibraryModel:
    """One replication of a scenario. Use `simulate()`."""

    def __init__(self, scenario: Scenario, seed: int, replication: int = 0) -> None:
        self.s = scenario
        self.env = simpy.Environment()
        self.rng = Streams(seed, replication)
        self.log = LogBuilder()
        self._extend = self.log.rows.extend
        self.group_ids = list(scenario.groups)
        self.purpose_ids = list(scenario.purposes)
        self.step_ids = list(scenario.steps)
        self.station_ids = list(scenario.stations)
        self.role_ids = list(scenario.roles)
        self.step_index = {sid: i for i, sid in enumerate(self.step_ids)}
        self.closed = True
        self.inside = 0
        self.active: dict[int, tuple[float, int]] = {}  # reader -> (arrival, group), while inside
        self.readers = 0
        self.starts = 0
        cal = scenario.calendar
        self.daily = cal.mode == "daily"
        self.warmup_min = scenario.warmup_hours * 60.0
        self._build_stations()
        self._build_staff()
        self._build_readers()
        self._build_collection()
        if self.daily:
            self.horizon_min = (cal.days - 1) * 1440.0 + cal.close_min
            self.end_min = max(cal.days * 1440.0, self.horizon_min + DRAIN_MIN)
            self.open_intervals = [(d * 1440.0 + cal.open_min, d * 1440.0 + cal.close_min) for d in range(cal.days)]
        else:
            self.horizon_min = float(cal.hours or 0) * 60.0
            self.end_min = self.horizon_min + 1440.0
            self.open_intervals = [(0.0, self.horizon_min)]

    # --- set-up -----------------------------------------------------------------------------------

    def _build_stations(self) -> None:
        s = self.s
        gidx = {g: i for i, g in enumerate(self.group_ids)}
        self.stations: dict[str, StationRT] = {}
        for i, (sid, st) in enumerate(s.stations.items()):
            self.stations[sid] = StationRT(
                i, sid, st.kind, st.tier == "front", st.queue == "per_desk", st.capacity,
                {gidx[g] for g in st.priority_groups},
            )

    def _build_staff(self) -> None:
        self.members: list[Member] = []
        self.by_role: list[list[Member]] = []
        for r, role in enumerate(self.s.roles.values()):
            peak = max(role.staff) if isinstance(role.staff, list) else role.staff
            people = []
            for _ in range(peak):
                m = Member(len(self.members), r, role.switch_setup_min, role.interruptible)
                for stid in role.skills:
                    st = self.stations[stid]
                    (m.front if st.front else m.back).append(st)
                    st.members.append(m)
                if role.assist is not None and role.assist.station not in role.skills:
                    m.assist = self.stations[role.assist.station]
                    m.assist_above = role.assist.queue_above
                    m.assist.assistants.append(m)
                self.members.append(m)
                people.append(m)
            self.by_role.append(people)

    def _build_readers(self) -> None:
        s, rng = self.s, self.rng
        self.u_group = rng.uniform("reader.group")
        self.u_purpose = rng.uniform("reader.purpose")
        self.u_self = rng.uniform("reader.self_service")
        self.group_cum = np.cumsum([g.share for g in s.groups.values()]).tolist()
        self.group_rt = []
        pidx = {p: i for i, p in enumerate(self.purpose_ids)}
        for gid, g in s.groups.items():
            mix = [(pidx[p], share) for p, share in g.purposes.items() if share > 0]
            cum = np.cumsum([share for _, share in mix]).tolist()
            patience = None
            if g.patience is not None:
                patience = rng.mapped("reader.patience", g.patience.from_uniform, gid)
            self.group_rt.append((g, [p for p, _ in mix], cum, patience))
        self.routes = [[self.step_index[sid] for sid in p.route] for p in s.purposes.values()]
        self.step_rt: list[StepRT] = []
        self.step_books: list[Any] = []
        for sid, st in s.steps.items():
            times = rng.mapped(f"step.{sid}.time", st.time.from_uniform, "time") if st.time else None
            books = (
                rng.mapped(f"step.{sid}.books", st.returns_books.from_uniform, "books") if st.returns_books else None
            )
            srt = StepRT(
                self.step_index[sid], sid, st, self.stations[st.station], times,
                errors=rng.uniform(f"step.{sid}.error"),
                not_found=rng.uniform(f"step.{sid}.not_found"),
                walk=st.walk_m / s.walk_speed_m_per_min,
                alt=self.step_index[st.self_service] if st.self_service else None,
                on_nf=self.step_index[st.on_not_found] if st.on_not_found else None,
            )
            self.step_rt.append(srt)
            self.step_books.append(books)

    def _build_collection(self) -> None:
        s, rng = self.s, self.rng
        self.cart: list[tuple[int, float]] = []
        self.books_in_runs = 0
        self.book_count = 0
        self.reshelve_queued = False
        self.stack_orders: list[tuple[int, float, simpy.Event]] = []
        self.stack_queued = False
        self.stack_runs = 0
        if s.reshelving is not None:
            rs = s.reshelving
            self.book_times = rng.mapped("reshelving.book", rs.time_per_book.from_uniform, "book")
            self.reshelve_setup = (
                rng.mapped("reshelving.run", rs.run_setup.from_uniform, "run") if rs.run_setup else None
            )
            self.reshelve_runs = 0
        if s.stacks is not None:
            sk = s.stacks
            self.stack_run_times = rng.mapped("stacks.run", sk.run_time.from_uniform, "run")
            self.stack_item_times = rng.mapped("stacks.item", sk.time_per_item.from_uniform, "item")
        if s.acquisitions is not None:
            acq = s.acquisitions
            self.acq_steps = [self.step_rt[self.step_index[a.step]] for a in acq.route]
            n = len(acq.route)
            self.acq_buffers: list[tuple[deque, deque]] = [(deque(), deque()) for _ in range(n)]
            self.acq_in_process = [0] * n
            self.acq_job_queued = [False] * n
            self.acq_items: dict[int, list[float]] = {}  # item -> [receipt time, entered buffer time]
            self.acq_requested = rng.uniform("acquisitions.requested")
            self.acq_count = 0

    # --- logging ----------------------------------------------------------------------------------

    def _log(self, kind: int, entity: int, group: int, step: int, station: int, staff: int, value: float) -> None:
        # env._now: SimPy's clock without the property call (this runs about five times per reader)
        self._extend((self.env._now, kind, entity, group, step, station, staff, value))

    # --- staff and dispatch -----------------------------------------------------------------------

    def _queue_len(self, st: StationRT) -> int:
        if st.per_desk:
            lines = [len(m.lines.get(st.idx, ())) for m in st.members if m.on_duty and not m.leaving]
            return min(lines) if lines else len(st.holding)
        return st.waiting

    def _enqueue(self, job: Job) -> None:
        st = job.station
        job.queued_at = self.env.now
        if st.kind == "kiosk":
            if st.busy < st.capacity and not st.waiting:
                self._start_kiosk(job)
            else:
                st.queue.append(job)
                st.waiting += 1
            return
        if st.per_desk:
            self._join_line(st, job)
        else:
            (st.pqueue if job.priority else st.queue).append(job)
        st.waiting += 1
        if self.closed and job.after_hours:
            self._call_in(st)
        self._dispatch(st)

    def _join_line(self, st: StationRT, job: Job) -> None:
        best: Member | None = None
        best_len = 0
        for m in st.members:
            if not m.on_duty or m.leaving:
                continue
            line = m.lines.setdefault(st.idx, deque())
            # a member busy with anything (back-office work too) has someone ahead of you
            length = len(line) + (1 if m.job is not None else 0)
            if best is None or length < best_len:
                best, best_len = m, length
        if best is None:
            job.line = None
            st.holding.append(job)
            return
        job.line = best
        line = best.lines[st.idx]
        if job.priority:
            pos = 0
            while pos < len(line) and line[pos].priority:
                pos += 1
            line.insert(pos, job)
        else:
            line.append(job)

    def _pop(self, st: StationRT, m: Member | None) -> Job | None:
        """The next job of station `st` for member `m` (None if nothing it may take now)."""
        if st.per_desk:
            if m is not None and m in st.members:
                line = m.lines.get(st.idx)
                candidates = [line] if line else []
            else:  # an assistant takes the head of the longest line
                lines = [mm.lines.get(st.idx) for mm in st.members]
                lines = [ln for ln in lines if ln]
                candidates = [max(lines, key=len)] if lines else []
                if not candidates and st.holding:
                    candidates = [st.holding]
            for line in candidates:
                for job in line:
                    if not self.closed or job.after_hours:
                        line.remove(job)
                        st.waiting -= 1
                        return job
            return None
        for q in (st.pqueue, st.queue):
            while q and q[0].cancelled:
                q.popleft()
            if not q:
                continue
            if not self.closed or q[0].after_hours:
                st.waiting -= 1
                return q.popleft()
            for job in q:
                if not job.cancelled and job.after_hours:
                    q.remove(job)
                    st.waiting -= 1
                    return job
        return None

    def _dispatch(self, st: StationRT) -> None:
        """Start waiting jobs at `st` with whoever may take them."""
        if st.kind == "kiosk":
            while st.waiting and st.busy < st.capacity:
                job = self._pop_kiosk(st)
                if job is None:
                    break
                self._start_kiosk(job)
            return
        if st.per_desk:
            for m in st.members:
                if m.on_duty and m.job is None and not m.leaving and m.lines.get(st.idx):
                    self._member_free(m)
            if st.holding:
                self._redistribute(st)
        while st.waiting > 0:
            m = self._idle_member(st)
            if m is None:
                if st.front and not self.closed:
                    m = self._interruptible_member(st)
                if m is None:
                    return
                self._preempt(m)
            job = self._pop(st, m)
            if job is None:
                self._member_free(m)
                return
            self._start(m, job)

    def _idle_member(self, st: StationRT) -> Member | None:
        first: Member | None = None
        for m in st.members:
            if m.on_duty and m.job is None and not m.leaving:
                if st.per_desk:
                    continue  # per-desk lines are served by their own members (see _dispatch)
                if m.last_station is st:
                    return m
                if first is None:
                    first = m
        if first is not None:
            return first
        for m in st.assistants:
            if m.on_duty and m.job is None and not m.leaving and st.waiting > m.assist_above:
                return m
        return None

    def _interruptible_member(self, st: StationRT) -> Member | None:
        """A member busy with back-office work who drops it for `st`: an interruptible member who
        works `st`, or one who assists at `st` and is called because its line is long."""
        for m in st.members:
            if m.interruptible and m.on_duty and not m.leaving and m.job is not None and not m.job.station.front:
                return m
        for m in st.assistants:
            if (st.waiting > m.assist_above and m.on_duty and not m.leaving and m.job is not None
                    and not m.job.station.front):
                return m
        return None

    def _preempt(self, m: Member) -> None:
        """Stop `m`'s back-office job; it goes back to the head of its line with the work left."""
        job = m.job
        assert job is not None
        now = self.env.now
        job.remaining = max(0.0, m.job_end - now)
        job.token += 1
        self._log(E.BUSY, -1, -1, job.step, job.station.idx, m.idx, now - m.busy_since)
        m.job = None
        st = job.station
        (st.pqueue if job.priority else st.queue).appendleft(job)
        st.waiting += 1

    def _start(self, m: Member, job: Job) -> None:
        now = self.env.now
        st = job.station
        setup = m.setup if (m.last_station is not None and m.last_station is not st) else 0.0
        # the member is busy before `on_start` runs: it may queue more work, which others take
        m.job = job
        m.last_station = st
        m.busy_since = now
        if job.duration is None:
            job.duration = job.on_start(job) if job.on_start else 0.0
        work = job.remaining if job.remaining is not None else job.duration
        if not job.started:
            job.started = True
            if job.reader >= 0:
                self._log(E.SERVICE_START, job.reader, job.group, job.step, st.idx, m.idx, now - job.queued_at)
        total = setup + work
        m.job_end = now + total
        job.token += 1
        self.env.timeout(total, (m, job, job.token)).callbacks.append(self._finish)
        self.starts += 1
        if self.starts % _CHECK_EVERY == 0:
            self._check_budget()

    def _finish(self, event: simpy.Event) -> None:
        m, job, token = event._value
        if job.token != token or m.job is not job:
            return  # the job was interrupted (preempted) after this timeout was set
        now = self.env.now
        self._log(E.BUSY, -1, -1, job.step, job.station.idx, m.idx, now - m.busy_since)
        m.job = None
        job.on_done(job)
        self._member_free(m)

    def _member_free(self, m: Member) -> None:
        """`m` has nothing to do: take the next job, or go off duty if that is due."""
        if m.job is not None:
            return
        if m.leaving or not m.on_duty:
            self._off_duty(m)
            return
        for st in m.front:
            if st.waiting:
                job = self._pop(st, m)
                if job is not None:
                    self._start(m, job)
                    return
        if m.assist is not None and m.assist.waiting > m.assist_above:
            job = self._pop(m.assist, None)
            if job is not None:
                self._start(m, job)
                return
        # readers waiting in colleagues' lines at one of its desks may yet come to its empty line:
        # front-desk work first, so no back-office work meanwhile (readers do not switch lines)
        if not any(st.per_desk and st.waiting for st in m.front):
            for st in m.back:
                if st.waiting:
                    job = self._pop(st, m)
                    if job is not None:
                        self._start(m, job)
                        return
        if self.closed and (self.inside == 0 or not self._needed_after_hours(m)):
            self._off_duty(m)

    def _needed_after_hours(self, m: Member) -> bool:
        """After closing: does `m` work a front station (readers may still come to it)?"""
        return bool(m.front) or (m.assist is not None)

    def _call_in(self, st: StationRT) -> None:
        """After closing, work at a station with nobody on duty: call in its first member (overtime)."""
        if st.kind != "staffed" or not st.members:
            return
        if any(m.on_duty and not m.leaving for m in st.members):
            return
        self._on_duty(st.members[0])

    def _on_duty(self, m: Member) -> None:
        if m.on_duty:
            m.leaving = False
            return
        m.on_duty = True
        m.leaving = False
        m.duty_since = self.env.now
        for st in m.front + m.back:
            if st.per_desk:
                if st.holding:
                    self._redistribute(st)
                self._open_window(st, m)
        self._member_free(m)

    def _open_window(self, st: StationRT, m: Member) -> None:
        """A desk opens: readers at the back of longer lines move to its line (as readers do)."""
        mine = m.lines.setdefault(st.idx, deque())
        while True:
            others = [mm for mm in st.members if mm is not m and mm.on_duty and mm.lines.get(st.idx)]
            if not others:
                return
            longest = max(others, key=lambda mm: len(mm.lines[st.idx]))
            if len(longest.lines[st.idx]) <= len(mine) + 1:
                return
            job = longest.lines[st.idx].pop()
            job.line = m
            mine.append(job)

    def _off_duty(self, m: Member) -> None:
        if not m.on_duty:
            return
        if m.job is not None:
            if m.job.station.front:
                m.leaving = True
                return
            self._preempt(m)
        m.on_duty = False
        m.leaving = False
        self._log(E.DUTY, -1, -1, -1, -1, m.idx, self.env.now - m.duty_since)
        for st_idx, line in m.lines.items():
            if line:
                st = next(s for s in m.front + m.back if s.idx == st_idx)
                st.holding.extend(line)
                line.clear()
                self._redistribute(st)
        # work it dropped may be taken by others
        for st in m.front + m.back:
            if st.waiting:
                self._dispatch(st)

    def _redistribute(self, st: StationRT) -> None:
        jobs = sorted(st.holding, key=lambda j: j.queued_at)
        st.holding.clear()
        for job in jobs:
            self._join_line(st, job)
        for m in st.members:
            if m.on_duty and m.job is None and not m.leaving and m.lines.get(st.idx):
                self._member_free(m)

    def _set_staffing(self, hour_index: int) -> None:
        for r, role in enumerate(self.s.roles.values()):
            if self.daily or isinstance(role.staff, int):
                count = role.staff_at(hour_index)
            else:  # a continuous run repeats the schedule
                count = role.staff[hour_index % len(role.staff)]
            for i, m in enumerate(self.by_role[r]):
                if i < count:
                    self._on_duty(m)
                elif m.on_duty:
                    self._off_duty(m)

    def _close_down(self) -> None:
        """At closing: back-office work stops; staff stay while readers are inside."""
        for m in self.members:
            if m.job is not None and not m.job.after_hours:
                self._preempt(m)
        self._log(E.QUEUE_AT_CLOSE, -1, -1, -1, -1, -1, float(self.inside))
        if self.stack_orders and not self.stack_queued:
            self._new_stack_run()
        for st in self.stations.values():
            if (st.waiting and any(j.after_hours for j in (*st.queue, *st.pqueue, *st.holding))) or (st.per_desk and st.waiting):
                self._call_in(st)
        for m in self.members:
            if m.on_duty and m.job is None:
                self._member_free(m)

    def _reader_left(self, n: int) -> None:
        self.inside -= 1
        del self.active[n]
        if self.closed and self.inside == 0:
            for m in self.members:
                if m.on_duty and m.job is None:
                    self._off_duty(m)

    # --- kiosks -----------------------------------------------------------------------------------

    def _pop_kiosk(self, st: StationRT) -> Job | None:
        while st.queue and st.queue[0].cancelled:
            st.queue.popleft()
        if not st.queue:
            return None
        st.waiting -= 1
        return st.queue.popleft()

    def _start_kiosk(self, job: Job) -> None:
        st = job.station
        st.busy += 1
        job.started = True
        now = self.env.now
        self._log(E.SERVICE_START, job.reader, job.group, job.step, st.idx, -1, now - job.queued_at)
        duration = job.duration if job.duration is not None else 0.0
        ev = self.env.timeout(duration)
        ev.callbacks.append(lambda _ev: self._finish_kiosk(job))

    def _finish_kiosk(self, job: Job) -> None:
        st = job.station
        st.busy -= 1
        job.on_done(job)
        self._dispatch(st)

    # --- readers ----------------------------------------------------------------------------------

    def _arrival_times(self) -> list[float]:
        """Every reader's arrival time: Poisson arrivals at a constant rate within each hour."""
        gen = self.rng.generator("arrivals")
        cal = self.s.calendar
        scale = self.s.arrivals.scale
        if self.daily:
            segments = []
            for d in range(cal.days):
                profile = self.s.arrivals.profile(cal.weekday_of(d))
                start = d * 1440.0 + cal.open_min
                segments += [(start + h * 60.0, start + (h + 1) * 60.0, rate * scale) for h, rate in enumerate(profile)]
        else:
            profile = self.s.arrivals.per_hour["default"]
            hours = self.horizon_min / 60.0
            segments = [
                (h * 60.0, min((h + 1) * 60.0, self.horizon_min), profile[h % len(profile)] * scale)
                for h in range(math.ceil(hours))
            ]
        times: list[float] = []
        for start, end, rate in segments:
            if rate <= 0:
                continue
            count = gen.poisson(rate * (end - start) / 60.0)
            times += np.sort(gen.uniform(start, end, size=count)).tolist()
            if len(times) > MAX_READERS:
                raise RunawayScenario(f"more than {MAX_READERS:,} readers would arrive; lower the arrivals")
        return times

    def _arrivals(self, times: list[float]) -> Generator[simpy.Event, Any, None]:
        env = self.env
        reader = self._reader
        for n, t in enumerate(times):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.readers = n + 1
            if n % _CHECK_EVERY == 0:
                self._check_budget()
            env.process(reader(n))

    def _check_budget(self) -> None:
        if len(self.log) > self.s.max_events:
            raise RunawayScenario(
                f"the run passed its budget of {self.s.max_events:,} events (max_events): "
                "queues are probably growing without end; add staff or lower the arrivals"
            )

    def _reader(self, n: int) -> Generator[simpy.Event, Any, None]:
        env = self.env
        arrived = env.now
        g = 0
        cum = self.group_cum
        if len(cum) > 1:
            u = self.v_group[n]
            while g < len(cum) - 1 and u >= cum[g]:
                g += 1
        group, purposes, pcum, patience_stream = self.group_rt[g]
        k = 0
        if len(pcum) > 1:
            u = self.v_purpose[n]
            while k < len(pcum) - 1 and u >= pcum[k]:
                k += 1
        purpose = purposes[k]
        patience = patience_stream[n] if patience_stream is not None else None
        self_service = group.self_service_adoption > 0 and self.v_self[n] < group.self_service_adoption
        factor = group.service_factor
        self.inside += 1
        self.active[n] = (arrived, g)
        self._log(E.ARRIVE, n, g, -1, -1, -1, float(purpose))
        visits: dict[int, int] = {}
        route = self.routes[purpose]
        order_time: float | None = None
        i = 0
        while i < len(route):
            srt = self.step_rt[route[i]]
            i += 1
            if self_service and srt.alt is not None:
                srt = self.step_rt[srt.alt]
            spec = srt.spec
            sidx = srt.idx
            visit = visits.get(sidx, 0)
            visits[sidx] = visit + 1
            st = srt.station
            if spec.kind == "stack_delivery":
                order_time = env.now
                done = env.event()
                self.stack_orders.append((n, env.now, done))
                on_demand = self.s.stacks.mode == "on_demand"  # type: ignore[union-attr]
                if (on_demand or self.closed) and not self.stack_queued:
                    self._new_stack_run()
                yield done
                self._log(E.STACK_WAIT, n, g, sidx, st.idx, -1, env.now - order_time)
                continue
            duration, reworks = self._step_time(srt, n, visit, factor)
            if st.kind == "open" or spec.kind == "shelf_search":
                yield env.timeout(duration)
                self._log_reworks(srt, n, g, reworks)
                self._log(E.SELF_END, n, g, sidx, st.idx, -1, duration)
            else:
                if group.balk_at_queue is not None and self._queue_len(st) >= group.balk_at_queue:
                    self._log(E.BALK, n, g, sidx, st.idx, -1, 0.0)
                    self._reader_left(n)
                    return
                job = Job(st, duration, self._reader_job_done, n, g, sidx, g in st.priority_groups)
                job.done_ev = env.event()
                self._enqueue(job)
                if patience is not None and not job.started:
                    timer = env.timeout(patience)
                    timer.callbacks.append(lambda _ev, job=job: self._renege(job))
                served = yield job.done_ev
                if not served:
                    self._reader_left(n)
                    return
                self._log_reworks(srt, n, g, reworks)
                self._log(E.SERVICE_END, n, g, sidx, st.idx, -1, duration)
            if spec.kind == "shelf_search":
                found = self._search(srt, n, g, visit)
                if not found:
                    if srt.on_nf is not None:
                        route = [srt.on_nf]
                        i = 0
                        continue
                    break
            books = self.step_books[srt.idx]
            if books is not None:
                self._books_returned(max(1, round(books[n])))
            if order_time is not None and spec.kind == "service":
                self._log(E.STACK_LEAD, n, g, sidx, st.idx, -1, env.now - order_time)
                order_time = None
        self._log(E.DEPART, n, g, -1, -1, -1, env.now - arrived)
        self._reader_left(n)

    def _pregenerate(self, readers: int) -> None:
        """Draw every reader's numbers now, so the hot path indexes plain lists."""
        self.v_group = self.u_group.ensure(readers)
        self.v_purpose = self.u_purpose.ensure(readers)
        self.v_self = self.u_self.ensure(readers)
        for _, _, _, patience in self.group_rt:
            if patience is not None:
                patience.ensure(readers)
        for srt in self.step_rt:
            if srt.times is not None:
                srt.times.ensure(readers * VISITS_PER_STEP)
            srt.errors.ensure(readers * VISITS_PER_STEP)

    def _step_time(self, srt: StepRT, n: int, visit: int, factor: float) -> tuple[float, int]:
        """Minutes of the step for reader (or item) `n`, rework included, and how many reworks."""
        return srt.duration(n, visit, factor)

    def _log_reworks(self, srt: StepRT, n: int, g: int, attempts: int) -> None:
        for attempt in range(1, attempts + 1):
            self._log(E.REWORK, n, g, srt.idx, srt.station.idx, -1, float(attempt))

    def _reader_job_done(self, job: Job) -> None:
        assert job.done_ev is not None
        job.done_ev.succeed(True)

    def _renege(self, job: Job) -> None:
        if job.started or job.cancelled:
            return
        job.cancelled = True
        st = job.station
        st.waiting -= 1
        if st.per_desk:
            for line in [m.lines.get(st.idx) for m in st.members] + [st.holding]:
                if line and job in line:
                    line.remove(job)
                    break
        self._log(E.RENEGE, job.reader, job.group, job.step, st.idx, -1, self.env.now - job.queued_at)
        assert job.done_ev is not None
        job.done_ev.succeed(False)

    # --- collection: reshelving and shelf search --------------------------------------------------

    def _search(self, srt: StepRT, n: int, g: int, visit: int) -> bool:
        rs = self.s.reshelving
        assert rs is not None
        waiting = len(self.cart) + self.books_in_runs
        p = min(rs.not_found_max, rs.misshelve_rate + rs.not_found_per_waiting_book * waiting)
        if srt.not_found[n * VISITS_PER_STEP + min(visit, VISITS_PER_STEP - 1)] < p:
            self._log(E.NOT_FOUND, n, g, srt.idx, srt.station.idx, -1, p)
            return False
        return True

    def _books_returned(self, count: int) -> None:
        if self.s.reshelving is None:
            return
        now = self.env.now
        for _ in range(count):
            self.cart.append((self.book_count, now))
            self.book_count += 1
        self._log(E.BOOKS_RETURNED, -1, -1, -1, -1, -1, float(count))
        if len(self.cart) >= self.s.reshelving.batch_size and not self.reshelve_queued:
            self._new_reshelve_run()

    def _new_reshelve_run(self) -> None:
        rs = self.s.reshelving
        assert rs is not None
        self.reshelve_queued = True
        st = self.stations[rs.station]
        run: list[tuple[int, float]] = []

        def start(job: Job) -> float:
            self.reshelve_queued = False
            run.extend(self.cart)
            self.cart.clear()
            self.books_in_runs += len(run)
            minutes = sum(self.book_times[b] for b, _ in run)
            if self.reshelve_setup is not None:
                minutes += self.reshelve_setup[self.reshelve_runs]
            self.reshelve_runs += 1
            if len(self.cart) >= rs.batch_size:
                self._new_reshelve_run()
            return minutes

        def done(job: Job) -> None:
            now = self.env.now
            self.books_in_runs -= len(run)
            for book, returned in run:
                self._log(E.BOOK_SHELVED, book, -1, -1, st.idx, -1, now - returned)
            if len(self.cart) >= rs.batch_size and not self.reshelve_queued:
                self._new_reshelve_run()

        self._enqueue(Job(st, None, done, on_start=start, after_hours=False))

    def _reshelve_timer(self) -> Generator[simpy.Event, Any, None]:
        rs = self.s.reshelving
        assert rs is not None and rs.interval_min is not None
        while True:
            yield self.env.timeout(rs.interval_min)
            if not self.closed and self.cart and not self.reshelve_queued:
                self._new_reshelve_run()

    # --- closed stacks ----------------------------------------------------------------------------

    def _new_stack_run(self) -> None:
        sk = self.s.stacks
        assert sk is not None
        self.stack_queued = True
        st = self.stations[sk.station]
        batch: list[tuple[int, float, simpy.Event]] = []

        def start(job: Job) -> float:
            self.stack_queued = False
            batch.extend(self.stack_orders)
            self.stack_orders.clear()
            minutes = self.stack_run_times[self.stack_runs] + sum(self.stack_item_times[n] for n, _, _ in batch)
            self.stack_runs += 1
            return minutes

        def done(job: Job) -> None:
            for _, _, ev in batch:
                ev.succeed()
            if self.stack_orders and not self.stack_queued and (sk.mode == "on_demand" or self.closed):
                self._new_stack_run()

        self._enqueue(Job(st, None, done, on_start=start, after_hours=True))

    def _stack_timer(self, day_open: float) -> Generator[simpy.Event, Any, None]:
        sk = self.s.stacks
        assert sk is not None
        while not self.closed:
            yield self.env.timeout(sk.interval_min)
            if not self.closed and self.stack_orders and not self.stack_queued:
                self._new_stack_run()

    # --- acquisitions -----------------------------------------------------------------------------

    def _acq_receive(self, count: int, receipt: float, step: int = 0) -> None:
        acq = self.s.acquisitions
        assert acq is not None
        now = self.env.now
        for _ in range(count):
            m = self.acq_count
            self.acq_count += 1
            self.acq_items[m] = [receipt, now]
            requested = self.acq_requested[m] < acq.requested_share
            if requested:
                self._log(E.ACQ_REQUESTED, m, -1, -1, -1, -1, now - receipt)
            if step > 0:  # already in process when the run starts
                self._log(E.ACQ_STARTED, m, -1, -1, -1, -1, now - receipt)
            self.acq_buffers[step][0 if (requested and acq.requested_first) else 1].append(m)
        self._acq_try()

    def _acq_try(self) -> None:
        acq = self.s.acquisitions
        assert acq is not None
        n = len(acq.route)
        progress = True
        while progress:
            progress = False
            for k in range(n):
                if self.acq_job_queued[k]:
                    continue
                buf = self.acq_buffers[k]
                waiting = len(buf[0]) + len(buf[1])
                if not waiting:
                    continue
                # a batch cannot wait for more items than this step's WIP limit lets in
                size = min(acq.route[k].batch, acq.route[k].wip_limit or acq.route[k].batch)
                upstream = sum(len(b[0]) + len(b[1]) for b in self.acq_buffers[:k]) + sum(self.acq_in_process[:k])
                take = min(size, waiting)
                if take < size and upstream > 0:
                    continue  # wait for a full batch while more is coming
                if k + 1 < n and acq.route[k + 1].wip_limit is not None:
                    nxt = self.acq_buffers[k + 1]
                    room = acq.route[k + 1].wip_limit - (len(nxt[0]) + len(nxt[1]) + self.acq_in_process[k + 1]) - self.acq_in_process[k]
                    if room <= 0:
                        continue
                    take = min(take, room)
                items = [buf[0].popleft() if buf[0] else buf[1].popleft() for _ in range(take)]
                self._acq_job(k, items)
                progress = True

    def _acq_job(self, k: int, items: list[int]) -> None:
        srt = self.acq_steps[k]
        st = srt.station
        self.acq_in_process[k] += len(items)
        self.acq_job_queued[k] = True
        began: list[float] = []

        def start(job: Job) -> float:
            self.acq_job_queued[k] = False
            now = self.env.now
            began.append(now)
            minutes = 0.0
            for m in items:
                if k == 0:
                    self._log(E.ACQ_STARTED, m, -1, srt.idx, st.idx, -1, now - self.acq_items[m][0])
                self._log(E.ACQ_WAIT, m, -1, srt.idx, st.idx, -1, now - self.acq_items[m][1])
                work, reworks = self._step_time(srt, m, 0, 1.0)
                self._log_reworks(srt, m, -1, reworks)
                self._log(E.ACQ_WORK, m, -1, srt.idx, st.idx, -1, work)
                minutes += work
            self._acq_try()
            return minutes

        def done(job: Job) -> None:
            now = self.env.now
            self.acq_in_process[k] -= len(items)
            for m in items:
                self._log(E.ACQ_STEP_DONE, m, -1, srt.idx, st.idx, -1, now - began[0])
            if k + 1 < len(self.acq_buffers):
                acq = self.s.acquisitions
                assert acq is not None
                for m in items:
                    self.acq_items[m][1] = now
                    requested = self.acq_requested[m] < acq.requested_share
                    self.acq_buffers[k + 1][0 if (requested and acq.requested_first) else 1].append(m)
            else:
                for m in items:
                    receipt = self.acq_items.pop(m)[0]
                    self._log(E.ACQ_SHELVED, m, -1, srt.idx, st.idx, -1, now - receipt)
            self._acq_try()

        self._enqueue(Job(st, None, done, step=srt.idx, on_start=start, after_hours=False))

    def _shipments(self) -> Generator[simpy.Event, Any, None]:
        acq = self.s.acquisitions
        assert acq is not None
        cal = self.s.calendar
        day = acq.first_shipment_day
        offset = cal.open_min if self.daily else 0.0
        while True:
            t = day * 1440.0 + offset
            if t >= self.horizon_min:
                return
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            self._acq_receive(acq.shipment_size, self.env.now)
            day += acq.shipment_every_days

    # --- the calendar -----------------------------------------------------------------------------

    def _calendar(self) -> Generator[simpy.Event, Any, None]:
        env = self.env
        cal = self.s.calendar
        if self.daily:
            for d in range(cal.days):
                open_t = d * 1440.0 + cal.open_min
                yield env.timeout(open_t - env.now)
                self.closed = False
                if self.s.stacks is not None and self.s.stacks.mode == "interval":
                    env.process(self._stack_timer(open_t))
                if self.s.acquisitions is not None:
                    self._acq_try()
                rs = self.s.reshelving
                if rs is not None and len(self.cart) >= rs.batch_size and not self.reshelve_queued:
                    self._new_reshelve_run()
                for h in range(cal.hours_per_day):
                    if h:
                        yield env.timeout(open_t + h * 60.0 - env.now)
                    self._set_staffing(h)
                    self._redispatch_all()
                yield env.timeout(d * 1440.0 + cal.close_min - env.now)
                self.closed = True
                self._close_down()
        else:
            self.closed = False
            if self.s.stacks is not None and self.s.stacks.mode == "interval":
                env.process(self._stack_timer(0.0))
            hours = math.ceil(self.horizon_min / 60.0)
            for h in range(hours):
                if h:
                    yield env.timeout(h * 60.0 - env.now)
                self._set_staffing(h)
                self._redispatch_all()
            yield env.timeout(self.horizon_min - env.now)
            self.closed = True
            self._close_down()

    def _redispatch_all(self) -> None:
        for st in self.stations.values():
            if st.waiting:
                self._dispatch(st)

    # --- running ----------------------------------------------------------------------------------

    def run(self) -> EventLog:
        env = self.env
        times = self._arrival_times()
        self._pregenerate(len(times))
        env.process(self._calendar())
        env.process(self._arrivals(times))
        if self.s.reshelving is not None and self.s.reshelving.interval_min is not None:
            env.process(self._reshelve_timer())
        if self.s.acquisitions is not None:
            acq = self.s.acquisitions
            receipt = -acq.initial_age_days * 1440.0
            for a_idx, a in enumerate(acq.route):
                count = acq.initial_wip.get(a.step, 0)
                if count:
                    self._acq_receive(count, receipt, a_idx)
            env.process(self._shipments())
        env.run(until=self.end_min)
        self._finish_run()
        cols = self.log.columns()
        return EventLog(
            **cols,
            group_ids=self.group_ids,
            purpose_ids=self.purpose_ids,
            step_ids=self.step_ids,
            station_ids=self.station_ids,
            role_ids=self.role_ids,
            staff_role=np.asarray([m.role for m in self.members], dtype=np.int32),
            warmup_min=self.warmup_min,
            end_min=self.end_min,
            horizon_min=self.horizon_min,
            open_intervals=self.open_intervals,
        )

    def _finish_run(self) -> None:
        """Close the intervals still open when the run stops."""
        now = self.env.now
        for n, (arrived, g) in self.active.items():
            self._log(E.LEFT_INSIDE, n, g, -1, -1, -1, now - arrived)
        for m in self.members:
            if m.job is not None:
                self._log(E.BUSY, -1, -1, m.job.step, m.job.station.idx, m.idx, now - m.busy_since)
            if m.on_duty:
                self._log(E.DUTY, -1, -1, -1, -1, m.idx, now - m.duty_since)
        if self.s.acquisitions is not None:
            for item, (receipt, _) in self.acq_items.items():
                self._log(E.ACQ_OPEN, item, -1, -1, -1, -1, now - receipt)


def simulate(scenario: Scenario, seed: int, replication: int = 0) -> EventLog:
    """Run one replication of `scenario` and return its event log."""
    return LibraryModel(scenario, seed, replication).run()
