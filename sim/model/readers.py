"""Readers: when they arrive, who they are, and their visit, step by step.

Every reader's arrival time is drawn before the run (Poisson arrivals at a constant rate within
each hour), and so are their group, purpose and self-service uniforms, so the hot path indexes
plain lists and two variants of a scenario see the same readers (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from functools import partial
from typing import Any

import numpy as np
import simpy

from ..rng import Stream
from .budget import RunawayScenario
from .context import CHECK_EVERY, MAX_READERS, Context, E
from .events import draw_event_readers
from .queues import Station
from .records import VISITS_PER_STEP, GroupRT, Job, PartTimes, StepRT
from .staff import Staff


def build_steps(ctx: Context, stations: dict[str, Station]) -> list[StepRT]:
    """The runtime record of every step of the scenario, in the scenario's order."""
    s, rng = ctx.scenario, ctx.rng
    index = {sid: i for i, sid in enumerate(s.steps)}
    steps = []
    for sid, st in s.steps.items():
        times: Stream | PartTimes | None = None
        if st.parts:
            times = PartTimes([rng.mapped(f"step.{sid}.part.{p.id}", p.time.from_uniform, "time") for p in st.parts])
        elif st.time:
            times = rng.mapped(f"step.{sid}.time", st.time.from_uniform, "time")
        steps.append(StepRT(
            index[sid], sid, st, stations[st.station], times,
            errors=rng.uniform(f"step.{sid}.error"),
            not_found=rng.uniform(f"step.{sid}.not_found"),
            walk=st.walk_m / s.walk_speed_m_per_min,
            alt=index[st.self_service] if st.self_service else None,
            on_nf=index[st.on_not_found] if st.on_not_found else None,
        ))
    return steps


class Readers:
    """The arrival process and each reader's visit along the route of its purpose."""

    __slots__ = ("active", "adopt", "assist", "count", "ctx", "extra", "fixed_group", "group_cum", "groups", "order",
                 "ordinary", "routes", "staff", "stations", "steps", "u_group", "u_purpose", "u_self", "v_group",
                 "v_purpose", "v_self")

    def __init__(self, ctx: Context, steps: list[StepRT], staff: Staff, stations: list[Station]) -> None:
        s, rng = ctx.scenario, ctx.rng
        self.ctx = ctx
        self.stations = stations
        self.steps = steps
        self.staff = staff
        self.active: dict[int, tuple[float, int]] = {}  # reader -> (arrival, group), while inside
        self.count = 0  # readers arrived so far
        self.u_group = rng.uniform("reader.group")
        self.u_purpose = rng.uniform("reader.purpose")
        self.u_self = rng.uniform("reader.self_service")
        self.group_cum: list[float] = np.cumsum([g.share for g in s.groups.values()]).tolist()
        self.groups: list[GroupRT] = []
        pidx = {p: i for i, p in enumerate(s.purposes)}
        for gid, g in s.groups.items():
            mix = [(pidx[p], share) for p, share in g.purposes.items() if share > 0]
            cum = np.cumsum([share for _, share in mix]).tolist()
            patience = rng.mapped("reader.patience", g.patience.from_uniform, gid) if g.patience is not None else None
            self.groups.append(GroupRT(g, [p for p, _ in mix], cum, patience))
        step_index = {sid: i for i, sid in enumerate(s.steps)}
        # per group: self-service step -> the share that uses it (None: every option at the group's one share),
        # and step -> the assistance step taken just before it (None: no help needed)
        self.adopt: list[dict[int, float] | None] = [
            {step_index[k]: v for k, v in g.adoption.items()} or None for g in s.groups.values()]
        self.assist: list[dict[int, int] | None] = [
            {step_index[k]: step_index[v] for k, v in g.assistance.items()} or None for g in s.groups.values()]
        self.routes = [[step_index[sid] for sid in p.route] for p in s.purposes.values()]
        self.v_group: Sequence[float] = ()
        self.fixed_group: list[int] = []  # each reader's group, when groups have their own hourly shapes
        self.v_purpose: Sequence[float] = ()
        self.v_self: Sequence[float] = ()
        # readers that events bring (`sim.model.events`): numbered after the usual readers, with their
        # group and purpose index given; `order` is the reader number of each arrival in time order
        self.ordinary = MAX_READERS + 1  # every reader is usual until `arrival_times` says otherwise
        self.extra: list[tuple[int, int]] = []
        self.order: list[int] | None = None

    # --- arrivals ---------------------------------------------------------------------------------

    def arrival_times(self, horizon_min: float) -> list[float]:
        """Every reader's arrival time, in time order: Poisson arrivals at a constant rate within each
        hour, then the readers of the events switched on (see `_with_events`)."""
        times = self._usual_arrival_times(horizon_min)
        self.ordinary = len(times)
        if self.ctx.scenario.events_on:
            times = self._with_events(times)
        return times

    def _with_events(self, usual: list[float]) -> list[float]:
        """The usual readers' times merged with those of the events' readers, who take the numbers after
        the usual readers' (so the usual readers keep their luck in every stream)."""
        brought = draw_event_readers(self.ctx.scenario, self.ctx.rng)
        if not brought.times:
            return usual
        if len(usual) + len(brought.times) > MAX_READERS:
            raise RunawayScenario("readers", max=MAX_READERS)
        self.extra = list(zip(brought.groups, brought.purposes, strict=True))
        merged = np.asarray(usual + brought.times)
        order = np.argsort(merged, kind="stable")  # a usual reader first at a tie: it was drawn first
        self.order = order.tolist()
        return merged[order].tolist()

    def _usual_arrival_times(self, horizon_min: float) -> list[float]:
        """The usual readers' arrival times: Poisson arrivals at a constant rate within each hour."""
        s = self.ctx.scenario
        if s.group_profiles and s.calendar.mode == "daily":
            return self._group_arrival_times()
        gen = self.ctx.rng.generator("arrivals")
        cal = s.calendar
        scale = s.arrivals.scale
        if cal.mode == "daily":
            segments = []
            for d in range(self.ctx.first_day, cal.days):
                profile = s.arrivals.profile(cal.weekday_of(d))
                start = d * 1440.0 + cal.open_min
                segments += [(start + h * 60.0, start + (h + 1) * 60.0, rate * scale) for h, rate in enumerate(profile)]
        else:
            profile = s.arrivals.per_hour["default"]
            hours = horizon_min / 60.0
            segments = [
                (h * 60.0, min((h + 1) * 60.0, horizon_min), profile[h % len(profile)] * scale)
                for h in range(math.ceil(hours))
            ]
        times: list[float] = []
        for start, end, rate in segments:
            if rate <= 0:
                continue
            count = gen.poisson(rate * (end - start) / 60.0)
            times += np.sort(gen.uniform(start, end, size=count)).tolist()
            if len(times) > MAX_READERS:
                raise RunawayScenario("readers", max=MAX_READERS)
        return times

    def _group_arrival_times(self) -> list[float]:
        """Arrivals group by group, each from its own stream and hourly rates (`Scenario.demand`), merged
        in time order; a reader's group is then known from its arrival, not drawn."""
        s = self.ctx.scenario
        cal = s.calendar
        times: list[float] = []
        groups: list[int] = []
        gens = [self.ctx.rng.generator(f"arrivals.{gid}") for gid in s.groups]
        for d in range(self.ctx.first_day, cal.days):
            start = d * 1440.0 + cal.open_min
            for g, rates in enumerate(s.demand(cal.weekday_of(d))):
                gen = gens[g]
                for h, rate in enumerate(rates):
                    if rate <= 0:
                        continue
                    count = int(gen.poisson(rate))
                    times += np.sort(gen.uniform(start + h * 60.0, start + (h + 1) * 60.0, size=count)).tolist()
                    groups += [g] * count
            if len(times) > MAX_READERS:
                raise RunawayScenario("readers", max=MAX_READERS)
        order = np.argsort(np.asarray(times), kind="stable")
        self.fixed_group = np.asarray(groups, dtype=np.int64)[order].tolist()
        return np.asarray(times)[order].tolist()

    def pregenerate(self, readers: int) -> None:
        """Draw every reader's numbers now, so the hot path indexes plain lists."""
        self.v_group = self.u_group.ensure(readers)
        self.v_purpose = self.u_purpose.ensure(readers)
        self.v_self = self.u_self.ensure(readers)
        for group in self.groups:
            if group.patience is not None:
                group.patience.ensure(readers)
        for srt in self.steps:
            if srt.times is not None:
                srt.times.ensure(readers * VISITS_PER_STEP)
            if srt.error_rate > 0:  # without errors the stream is never read
                srt.errors.ensure(readers * VISITS_PER_STEP)

    def arrivals(self, times: list[float]) -> Generator[simpy.Event, Any, None]:
        """Process: start each reader's visit at its arrival time."""
        env = self.ctx.env
        reader = self.visit
        check = self.ctx.check_budget
        order = self.order
        for i, t in enumerate(times):
            if t > env.now:
                yield env.timeout(t - env.now)
            self.count = i + 1
            if i % CHECK_EVERY == 0:
                check()
            env.process(reader(i if order is None else order[i]))

    # --- a visit ----------------------------------------------------------------------------------

    def visit(self, n: int) -> Generator[simpy.Event, Any, None]:
        """Process: reader `n` walks the route of its purpose, queueing at staffed stations and kiosks."""
        ctx = self.ctx
        env = ctx.env
        log = ctx.row
        arrived = env.now
        g = 0
        if n < self.ordinary:
            cum = self.group_cum
            if self.fixed_group:
                g = self.fixed_group[n]
            elif len(cum) > 1:
                u = self.v_group[n]
                while g < len(cum) - 1 and u >= cum[g]:
                    g += 1
            group, purposes, pcum, patience_stream = self.groups[g]
            k = 0
            if len(pcum) > 1:
                u = self.v_purpose[n]
                while k < len(pcum) - 1 and u >= pcum[k]:
                    k += 1
            purpose = purposes[k]
        else:  # brought by an event: its group and purpose were drawn with it
            g, purpose = self.extra[n - self.ordinary]
            group, _purposes, _pcum, patience_stream = self.groups[g]
        patience = patience_stream[n] if patience_stream is not None else None
        share = group.self_service_adoption
        u_self = self.v_self[n]
        self_service = share > 0 and u_self < share
        adopt = self.adopt[g]
        assist = self.assist[g]
        pending: StepRT | None = None  # a step that waits while its assistance step runs
        factor = group.service_factor
        balk_at = group.balk_at_queue
        ctx.inside += 1
        self.active[n] = (arrived, g)
        log(E.ARRIVE, n, g, -1, -1, -1, float(purpose))
        visits: dict[int, int] = {}
        route = self.routes[purpose]
        steps = self.steps
        order_time: float | None = None
        i = 0
        while i < len(route) or pending is not None:
            if pending is not None:
                srt, pending = pending, None
            else:
                srt = steps[route[i]]
                i += 1
                if srt.alt is not None and (self_service if adopt is None else u_self < adopt.get(srt.alt, share)):
                    srt = steps[srt.alt]
                if assist is not None and srt.idx in assist:
                    pending = srt
                    srt = steps[assist[srt.idx]]
            sidx = srt.idx
            visit = visits.get(sidx, 0)
            visits[sidx] = visit + 1
            st = srt.station
            if srt.order is not None:  # a closed-stack delivery: wait for the next stack run
                order_time = env.now
                yield srt.order(n)
                log(E.STACK_WAIT, n, g, sidx, st.idx, -1, env.now - order_time)
                continue
            duration, reworks = srt.duration(n, visit, factor)
            if srt.self_paced:
                yield env.timeout(duration)
                self._log_reworks(srt, n, g, reworks)
                log(E.SELF_END, n, g, sidx, st.idx, -1, duration)
                if srt.parts is not None:
                    self._log_parts(srt, n, g, visit, factor, reworks)
            else:
                if balk_at is not None and st.queue_len() >= balk_at:
                    log(E.BALK, n, g, sidx, st.idx, -1, 0.0)
                    self._left(n)
                    return
                job = Job(st, duration, self._job_done, n, g, sidx, g in st.priority_groups)
                job.done_ev = env.event()
                st.enqueue(job)
                if patience is not None and not job.started:
                    timer = env.timeout(patience)
                    timer.callbacks.append(partial(self._renege, job))
                served = yield job.done_ev
                if not served:
                    self._left(n)
                    return
                self._log_reworks(srt, n, g, reworks)
                log(E.SERVICE_END, n, g, sidx, st.idx, -1, duration)
                if srt.parts is not None:
                    self._log_parts(srt, n, g, visit, factor, reworks)
            if srt.search is not None and not srt.search(srt, n, g, visit):
                if srt.on_nf is not None:
                    ctx.check_budget()  # a search that keeps failing must not loop past the budget
                    route = [srt.on_nf]
                    i = 0
                    continue
                break
            if srt.return_books is not None:
                srt.return_books(n)
            if order_time is not None and srt.is_service:
                log(E.STACK_LEAD, n, g, sidx, st.idx, -1, env.now - order_time)
                order_time = None
        log(E.DEPART, n, g, -1, -1, -1, env.now - arrived)
        self._left(n)

    def _log_reworks(self, srt: StepRT, n: int, g: int, attempts: int) -> None:
        for attempt in range(1, attempts + 1):
            self.ctx.row(E.REWORK, n, g, srt.idx, srt.station.idx, -1, float(attempt))

    def _log_parts(self, srt: StepRT, n: int, g: int, visit: int, factor: float, reworks: int) -> None:
        row = self.ctx.row
        for minutes in srt.part_minutes(n, visit, factor, reworks):
            row(E.PART, n, g, srt.idx, srt.station.idx, -1, minutes)

    def _job_done(self, job: Job) -> None:
        assert job.done_ev is not None
        job.done_ev.succeed(True)

    def _renege(self, job: Job, _timer: simpy.Event | None = None) -> None:
        if job.started or job.cancelled:
            return
        job.cancelled = True
        st = job.station
        st.withdraw(job)
        ctx = self.ctx
        ctx.row(E.RENEGE, job.reader, job.group, job.step, st.idx, -1, ctx.env._now - job.queued_at)
        assert job.done_ev is not None
        job.done_ev.succeed(False)

    def _left(self, n: int) -> None:
        ctx = self.ctx
        ctx.inside -= 1
        del self.active[n]
        if ctx.closed and ctx.inside == 0:
            self.staff.send_idle_home()

    def finish(self) -> None:
        """Readers still inside when the run stops, and the wait so far of those still in a queue
        (without it a run that ends with long queues would report the waits of the few served only)."""
        ctx = self.ctx
        now = ctx.env._now
        queued = sorted((job for st in self.stations for job in st.queued_jobs()
                         if job.reader >= 0 and not job.started and not job.cancelled), key=lambda job: job.reader)
        for job in queued:
            ctx.row(E.WAIT_AT_END, job.reader, job.group, job.step, job.station.idx, -1, now - job.queued_at)
        for n, (arrived, g) in self.active.items():
            ctx.row(E.LEFT_INSIDE, n, g, -1, -1, -1, now - arrived)
