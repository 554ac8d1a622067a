"""The closed stacks' run timer: one per run, counting `interval_min` from each opening."""

from __future__ import annotations

import numpy as np
from builders import build, changed, small_library

from sim.eventlog import Ev, EventLog
from sim.model import simulate


def stack_run_starts(log: EventLog) -> np.ndarray:
    """When each stack run started (a run is the keeper's stretch of work at the stacks)."""
    rows = (log.kind == Ev.BUSY) & (log.station == log.station_ids.index("stacks"))
    return np.sort(log.t[rows] - log.value[rows])


def during_opening_hours(log: EventLog, times: np.ndarray) -> np.ndarray:
    return np.array([any(a < t < b for a, b in log.open_intervals) for t in times], dtype=bool)


def test_a_long_interval_never_wakes_a_timer_of_an_earlier_day() -> None:
    # 4 h a day: a 1500-minute interval never comes round while the library is open, so every run
    # starts at a closing (the orders left); a timer of an earlier day must not fire in a later one
    data = changed(small_library(days=4), "stacks.interval_min", 1500)
    log = simulate(build(data), 5, 0)
    starts = stack_run_starts(log)
    assert len(starts) >= 4  # one at each closing at least
    assert not during_opening_hours(log, starts).any(), starts[during_opening_hours(log, starts)]


def test_a_short_interval_runs_every_day_from_its_opening() -> None:
    data = changed(small_library(days=4), "stacks.interval_min", 60)
    log = simulate(build(data), 5, 0)
    starts = stack_run_starts(log)
    for open_t, close_t in log.open_intervals:
        inside = starts[(starts > open_t) & (starts < close_t)]
        assert len(inside) >= 2, (open_t, starts)
        # timed runs start on the interval's beat, counted from that day's opening
        offsets = (inside - open_t) % 60.0
        assert np.isclose(np.minimum(offsets, 60.0 - offsets), 0.0, atol=1e-9).sum() >= 1


def test_exactly_one_timer_per_run(monkeypatch) -> None:
    from sim.model.collection import ClosedStacks

    made: list[int] = []
    timer = ClosedStacks._timer

    def counted(self: ClosedStacks):  # type: ignore[no-untyped-def]
        made.append(1)
        return timer(self)

    monkeypatch.setattr(ClosedStacks, "_timer", counted)
    simulate(build(changed(small_library(days=4), "stacks.interval_min", 1500)), 5, 0)
    assert len(made) == 1
