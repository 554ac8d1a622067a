"""The clock: opening and closing, and the hourly roster.

Time is minutes from the start of day 0. A daily library opens and closes each day; at closing no
one new enters and the staff on duty stay until the readers inside are served; back-office work
stops and carries over to the next day. A continuous run opens once, for `hours`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import simpy

from .context import Context, E
from .queues import Station
from .staff import Staff


class Clock:
    """The calendar process; the parts that act at opening and closing register their hooks here."""

    __slots__ = ("close_hooks", "ctx", "open_hooks", "open_intervals", "staff", "stations")

    def __init__(self, ctx: Context, staff: Staff, stations: list[Station]) -> None:
        self.ctx = ctx
        self.staff = staff
        self.stations = stations
        # called in this order at each opening / closing (the order is part of the model's output)
        self.open_hooks: list[Callable[[], None]] = []
        self.close_hooks: list[Callable[[], None]] = []
        cal = ctx.scenario.calendar
        if cal.mode == "daily":
            self.open_intervals = [(d * 1440.0 + cal.open_min, d * 1440.0 + cal.close_min)
                                   for d in range(ctx.first_day, cal.days)]
        else:
            self.open_intervals = [(0.0, ctx.horizon_min)]

    def calendar(self) -> Generator[simpy.Event, Any, None]:
        """Process: open, staff each hour by the roster, close; every day (or once, for a continuous run)."""
        env = self.ctx.env
        cal = self.ctx.scenario.calendar
        daily = cal.mode == "daily"
        hours = cal.hours_per_day if daily else math.ceil(self.ctx.horizon_min / 60.0)
        for open_t, close_t in self.open_intervals:
            if open_t > env.now or daily:
                yield env.timeout(open_t - env.now)
            self._open()
            for h in range(hours):
                if h:
                    yield env.timeout(open_t + h * 60.0 - env.now)
                self.staff.set_staffing(h, repeat=not daily, day=int(open_t // 1440) if daily else 0)
                for st in self.stations:
                    if st.waiting:
                        st.dispatch()
            yield env.timeout(close_t - env.now)
            self._close()

    def _open(self) -> None:
        self.ctx.closed = False
        for hook in self.open_hooks:
            hook()

    def _close(self) -> None:
        """Back-office work stops; staff stay while readers are inside, or are called in for after-hours work."""
        ctx = self.ctx
        ctx.closed = True
        self.staff.stop_back_office()
        ctx.row(E.QUEUE_AT_CLOSE, -1, -1, -1, -1, -1, float(ctx.inside))
        for hook in self.close_hooks:
            hook()
        for st in self.stations:
            if st.needs_call_in_at_close():
                self.staff.call_in(st)
        self.staff.look_for_work()
