"""Windows of the floor's animation: a whole day, an hour range, the busiest hours (see `sim.floor`)."""

from __future__ import annotations

import math

import numpy as np

from ..eventlog import Ev, EventLog
from ..scenario import Scenario
from .plan import FloorError


def day_window(scenario: Scenario, log: EventLog, day: int) -> tuple[float, float]:
    """The whole of one day: from opening until the last reader of the day has left (daily
    calendars), or the whole run (continuous calendars)."""
    cal = scenario.calendar
    if cal.mode != "daily":
        return 0.0, float(log.horizon_min)
    if not 0 <= day < cal.days:
        raise FloorError("floor.err.day", day=day + 1, days=cal.days)
    start = day * 1440.0 + cal.open_min
    close = day * 1440.0 + cal.close_min
    last = close
    leaving = np.isin(log.kind, (Ev.DEPART, Ev.RENEGE, Ev.BALK)) & (log.t >= close) & (log.t < (day + 1) * 1440.0)
    if leaving.any():
        last = float(log.t[leaving].max())
    return start, math.ceil(last) * 1.0


def hour_window(scenario: Scenario, day: int, first_hour: int, last_hour: int) -> tuple[float, float]:
    """An hour range of a day, e.g. (17, 20) for the evening peak: [17:00, 20:00]."""
    if not (0 <= first_hour < last_hour <= 24):
        raise FloorError("floor.err.hours", first=first_hour, last=last_hour)
    base = day * 1440.0 if scenario.calendar.mode == "daily" else 0.0
    return base + first_hour * 60.0, base + last_hour * 60.0


def peak_hours(scenario: Scenario, width: int = 2) -> tuple[int, int]:
    """The `width` busiest consecutive opening hours by the default arrival profile (the peak)."""
    profile = scenario.arrivals.per_hour["default"]
    width = max(1, min(width, len(profile)))
    sums = [sum(profile[i:i + width]) for i in range(len(profile) - width + 1)]
    best = int(np.argmax(sums))
    first = (scenario.calendar.open_min // 60 if scenario.calendar.mode == "daily" else 0) + best
    return first, first + width
