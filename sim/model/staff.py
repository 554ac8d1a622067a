"""Staff work sharing: members pull the next job when they are free.

Staff members are not SimPy resources but plain objects that pull work: front-desk lines first (in
the order of the role's skills), then a station they assist when its line is long, then back-office
work. So front-desk work has priority over back-office work, a member pays the role's set-up time
when switching stations, and an `interruptible` member drops back-office work (keeping what is left
of it) when a reader would otherwise wait. After closing the staff on duty stay while readers are
inside; a station with after-hours work and nobody on duty calls its first member in.
"""

from __future__ import annotations

import simpy

from .context import CHECK_EVERY, Context, E
from .events import absences
from .queues import DeskLines, Station
from .records import Job, Member


class Staff:
    """Every staff member of the run, the hourly roster, and starting and finishing their jobs."""

    __slots__ = ("absent", "by_role", "ctx", "members", "starts")

    def __init__(self, ctx: Context, stations: dict[str, Station]) -> None:
        self.ctx = ctx
        self.members: list[Member] = []
        self.by_role: list[list[Member]] = []
        self.starts = 0
        self.absent = absences(ctx.scenario)  # (day, role) -> people off that day (disruption events)
        for r, role in enumerate(ctx.scenario.roles.values()):
            peak = max(role.staff) if isinstance(role.staff, list) else role.staff
            people = []
            for _ in range(peak):
                m = Member(len(self.members), r, role.switch_setup_min, role.interruptible)
                for stid in role.skills:
                    st = stations[stid]
                    (m.front if st.front else m.back).append(st)
                    if st.front and isinstance(st, DeskLines):
                        m.desk_lines.append(st)
                    st.members.append(m)
                if role.assist is not None and role.assist.station not in role.skills:
                    m.assist = stations[role.assist.station]
                    m.assist_above = role.assist.queue_above
                    m.assist.assistants.append(m)
                self.members.append(m)
                people.append(m)
            self.by_role.append(people)
        for st in stations.values():
            st.staff = self

    # --- jobs -------------------------------------------------------------------------------------

    def start(self, m: Member, job: Job) -> None:
        """`m` starts (or resumes) `job`; a timeout finishes it."""
        ctx = self.ctx
        now = ctx.env._now
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
                ctx.row(E.SERVICE_START, job.reader, job.group, job.step, st.idx, m.idx, now - job.queued_at)
        total = setup + work
        m.job_end = now + total
        job.token += 1
        ctx.env.timeout(total, (m, job, job.token)).callbacks.append(self._finish)
        self.starts += 1
        if self.starts % CHECK_EVERY == 0:
            ctx.check_budget()

    def _finish(self, event: simpy.Event) -> None:
        m, job, token = event._value
        if job.token != token or m.job is not job:
            return  # the job was interrupted (preempted) after this timeout was set
        ctx = self.ctx
        ctx.row(E.BUSY, -1, -1, job.step, job.station.idx, m.idx, ctx.env._now - m.busy_since)
        if job.walk:
            ctx.row(E.WALK, -1, -1, job.step, job.station.idx, m.idx, job.walk)
        m.job = None
        job.on_done(job)
        self.member_free(m)

    def preempt(self, m: Member) -> None:
        """Stop `m`'s back-office job; it goes back to the head of its line with the work left."""
        job = m.job
        assert job is not None
        ctx = self.ctx
        now = ctx.env._now
        job.remaining = max(0.0, m.job_end - now)
        job.token += 1
        ctx.row(E.BUSY, -1, -1, job.step, job.station.idx, m.idx, now - m.busy_since)
        m.job = None
        job.station.requeue_front(job)

    def member_free(self, m: Member) -> None:
        """`m` has nothing to do: take the next job, or go off duty if that is due."""
        if m.job is not None:
            return
        if m.leaving or not m.on_duty:
            self.off_duty(m)
            return
        for st in m.front:
            if st.waiting:
                job = st.pop(m)
                if job is not None:
                    self.start(m, job)
                    return
        if m.assist is not None and m.assist.waiting > m.assist_above:
            job = m.assist.pop(None)
            if job is not None:
                self.start(m, job)
                return
        # readers waiting in colleagues' lines at one of its desks may yet come to its empty line:
        # front-desk work first, so no back-office work meanwhile (readers do not switch lines)
        if not any(st.waiting for st in m.desk_lines):
            for st in m.back:
                if st.waiting:
                    job = st.pop(m)
                    if job is not None:
                        self.start(m, job)
                        return
        ctx = self.ctx
        if ctx.closed and (ctx.inside == 0 or not (m.front or m.assist is not None)):
            # after closing only members of front stations stay: readers may still come to them
            self.off_duty(m)

    # --- duty -------------------------------------------------------------------------------------

    def call_in(self, st: Station) -> None:
        """After closing, work at a station with nobody on duty: call in its first member (overtime)."""
        if st.kind != "staffed" or not st.members:
            return
        if any(m.on_duty and not m.leaving for m in st.members):
            return
        self.on_duty(st.members[0])

    def on_duty(self, m: Member) -> None:
        """`m` comes on duty (or stays, if it was about to leave) and looks for work."""
        if m.on_duty:
            m.leaving = False
            return
        m.on_duty = True
        m.leaving = False
        m.duty_since = self.ctx.env._now
        for st in m.front + m.back:
            st.member_arrives(m)
        self.member_free(m)

    def off_duty(self, m: Member) -> None:
        """`m` goes off duty: at once, or after the reader it serves; its line and dropped work go to others."""
        if not m.on_duty:
            return
        if m.job is not None:
            if m.job.station.front:
                m.leaving = True
                return
            self.preempt(m)
        m.on_duty = False
        m.leaving = False
        ctx = self.ctx
        ctx.row(E.DUTY, -1, -1, -1, -1, m.idx, ctx.env._now - m.duty_since)
        for st_idx, line in m.lines.items():
            if line:
                next(s for s in m.front + m.back if s.idx == st_idx).release_line(line)
        # work it dropped may be taken by others
        for st in m.front + m.back:
            if st.waiting:
                st.dispatch()

    def set_staffing(self, hour_index: int, repeat: bool, day: int = 0) -> None:
        """Put each role's roster for this hour on duty (`repeat`: a continuous run cycles the schedule),
        less the people off on `day` (a staff absence)."""
        absent = self.absent
        for r, role in enumerate(self.ctx.scenario.roles.values()):
            if not repeat or isinstance(role.staff, int):
                count = role.staff_at(hour_index)
            else:
                count = role.staff[hour_index % len(role.staff)]
            if absent:
                count = max(0, count - absent.get((day, r), 0))
            for i, m in enumerate(self.by_role[r]):
                if i < count:
                    self.on_duty(m)
                elif m.on_duty:
                    self.off_duty(m)

    def stop_back_office(self) -> None:
        """At closing: work that is not done after hours stops (and carries over)."""
        for m in self.members:
            if m.job is not None and not m.job.after_hours:
                self.preempt(m)

    def look_for_work(self) -> None:
        """Every free member on duty takes the next job (or goes home)."""
        for m in self.members:
            if m.on_duty and m.job is None:
                self.member_free(m)

    def send_idle_home(self) -> None:
        """The last reader has left after closing: free members go off duty."""
        for m in self.members:
            if m.on_duty and m.job is None:
                self.off_duty(m)

    def finish(self) -> None:
        """Close the work and duty intervals still open when the run stops."""
        ctx = self.ctx
        now = ctx.env._now
        for m in self.members:
            if m.job is not None:
                ctx.row(E.BUSY, -1, -1, m.job.step, m.job.station.idx, m.idx, now - m.busy_since)
            if m.on_duty:
                ctx.row(E.DUTY, -1, -1, -1, -1, m.idx, now - m.duty_since)
