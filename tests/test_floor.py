"""The animated floor against the event log: what is drawn at each frame is what the log says."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from builders import SCENARIOS, build, mmc, small_library

from dashboard.floor_charts import clock, floor_figure
from sim.eventlog import Ev, EventLog
from sim.floor import (
    HALL,
    QUEUE,
    FloorError,
    build_frames,
    day_window,
    floor_plan,
    hour_window,
    peak_hours,
    plan_distance,
)
from sim.lean import apply_tools
from sim.metrics import integrate
from sim.model import simulate
from sim.scenario import Scenario, load_scenario

SEED = 20241115


@pytest.fixture(scope="module")
def hall() -> Scenario:
    return load_scenario(SCENARIOS / "central-lending-hall.yaml")


def counts_at(starts: np.ndarray, ends: np.ndarray, times: np.ndarray) -> np.ndarray:
    """How many intervals [start, end) cover each time, through the metrics' own integration."""
    h = 1e-6
    edges = np.ravel(np.column_stack([times, times + h]))
    return np.rint(integrate(starts, ends, edges)[::2] / h).astype(int)


def check_frames_against_log(scenario: Scenario, log: EventLog, start: float, end: float, step: float) -> int:
    plan = floor_plan(scenario)
    fr = build_frames(scenario, log, plan, start, end, step)
    times = fr.times
    k, t, val = log.kind, log.t, log.value
    r = fr.readers
    # every line: readers drawn queueing == the queue the metrics integrate (SERVICE_START and RENEGE rows)
    q = ((k == Ev.SERVICE_START) | (k == Ev.RENEGE)) & (log.group >= 0)
    checked = 0
    for s_idx, sid in enumerate(log.station_ids):
        rows = q & (log.station == s_idx)
        expected = counts_at(t[rows] - val[rows], t[rows], times)
        drawn = np.bincount(r["frame"][(r["state"] == QUEUE) & (r["station"] == s_idx)], minlength=len(times))
        np.testing.assert_array_equal(drawn, expected, err_msg=f"line at {sid}")
        checked += int(expected.sum())
        # and they stand in a line: below the station, towards the entrance
        in_line = (r["state"] == QUEUE) & (r["station"] == s_idx)
        assert np.all(r["y"][in_line] < plan.spots[sid][1])
    # staff drawn == staff on duty (DUTY intervals, as the metrics' staff_on_duty series), per role
    for role in range(len(log.role_ids)):
        rows = (k == Ev.DUTY) & (log.staff >= 0) & (log.staff_role[np.maximum(log.staff, 0)] == role)
        expected = counts_at(t[rows] - val[rows], t[rows], times)
        drawn = np.bincount(fr.staff["frame"][fr.staff["role"] == role], minlength=len(times))
        np.testing.assert_array_equal(drawn, expected, err_msg=f"staff of {log.role_ids[role]}")
    # books on the cart (at the desk and out on a run) == books returned and not yet on the shelf
    if scenario.reshelving is not None:
        shelved = k == Ev.BOOK_SHELVED
        on_cart = counts_at(t[shelved] - val[shelved], t[shelved], times)
        # books never shelved are the last ones returned (a run takes the whole cart)
        returned = np.cumsum(val[k == Ev.BOOKS_RETURNED])
        returned_by = np.concatenate(([0.0], returned))[np.searchsorted(t[k == Ev.BOOKS_RETURNED], times, side="right")]
        on_cart += np.maximum(0, returned_by - shelved.sum()).astype(int)
        np.testing.assert_array_equal(fr.cart_books + fr.run_books, on_cart)
        assert (fr.cart_books >= 0).all() and (fr.run_books >= 0).all()
    # no reader before arriving or after leaving
    arrive = k == Ev.ARRIVE
    arrival = dict(zip(log.entity[arrive].tolist(), t[arrive].tolist(), strict=True))
    leave = {}
    for kind in (Ev.DEPART, Ev.RENEGE, Ev.BALK, Ev.LEFT_INSIDE):
        rows = (k == kind) & (log.group >= 0)
        leave.update(zip(log.entity[rows].tolist(), t[rows].tolist(), strict=True))
    at = times[r["frame"]]
    a = np.asarray([arrival[int(x)] for x in r["reader"]])
    b = np.asarray([leave.get(int(x), np.inf) for x in r["reader"]])
    assert np.all(a <= at) and np.all(at < b)
    # and every reader inside is drawn, once
    inside = counts_at(np.asarray(list(arrival.values())),
                       np.asarray([leave.get(n, log.end_min) for n in arrival]), times)
    np.testing.assert_array_equal(np.bincount(r["frame"], minlength=len(times)), inside)
    pairs = r["frame"].astype(np.int64) * (max(arrival) + 1) + r["reader"]
    assert len(np.unique(pairs)) == len(pairs)
    return checked


def test_frames_match_the_log_for_a_whole_day(hall: Scenario) -> None:
    log = simulate(hall, SEED, 0)
    start, end = day_window(hall, log, 0)
    assert check_frames_against_log(hall, log, start, end, 1.0) > 100  # real lines were checked


def test_frames_match_the_log_with_tools_and_odd_frame_times(hall: Scenario) -> None:
    variant = apply_tools(hall, ["rfid_kiosk", "one_piece_reshelving", "pull_stack_runs", "kanban_processing"])
    log = simulate(variant, SEED, 1)
    start, end = day_window(variant, log, 2)
    check_frames_against_log(variant, log, start + 0.37, end, 1.7)


def test_frames_match_the_log_of_a_continuous_run_with_a_growing_queue() -> None:
    # an overloaded desk: the run ends with readers still queueing (drawn in the hall, not the line)
    scenario = build(mmc(1, 100.0, 3.0, 10.0))
    log = simulate(scenario, SEED, 0)
    assert (log.kind == Ev.LEFT_INSIDE).any()
    check_frames_against_log(scenario, log, 0.0, log.end_min - 1, 5.0)
    fr = build_frames(scenario, log, floor_plan(scenario), 0.0, log.end_min - 1, 5.0)
    assert (fr.readers["state"] == HALL).any()


def test_a_small_library_over_two_days() -> None:
    scenario = build(small_library(days=2))
    log = simulate(scenario, SEED, 0)
    for day in (0, 1):
        check_frames_against_log(scenario, log, *day_window(scenario, log, day), 1.0)


def test_wait_so_far_grows_while_queueing(hall: Scenario) -> None:
    log = simulate(hall, SEED, 0)
    fr = build_frames(hall, log, floor_plan(hall), *hour_window(hall, 0, 17, 19), 1.0)
    r = fr.readers
    queued = r["state"] == QUEUE
    reader = int(np.bincount(r["reader"][queued]).argmax())
    mine = queued & (r["reader"] == reader)
    waits = r["wait"][mine]
    assert len(waits) >= 3 and np.all(np.diff(waits) > 0)


def test_floor_plan_takes_explicit_positions_and_refuses_bad_ones(hall: Scenario) -> None:
    hall = hall.model_copy(update={"floor": None})  # the automatic layout (the file's own plan: test_floor_file.py)
    auto = floor_plan(hall)
    assert set(hall.stations) <= set(auto.spots)
    given = floor_plan(hall, {"desk": (5, 6), "entrance": {"x": 1, "y": 0}})
    assert given.spots["desk"] == (5.0, 6.0) and given.spots["entrance"] == (1.0, 0.0)
    assert given.spots["reference_desk"] == auto.spots["reference_desk"]
    assert given.given == ("desk", "entrance")
    assert plan_distance(given, "desk", "entrance") == pytest.approx(np.hypot(4, 6))
    with pytest.raises(FloorError, match="no spot \"lobby\""):
        floor_plan(hall, {"lobby": (1, 1)})
    with pytest.raises(FloorError, match="desk"):
        floor_plan(hall, {"desk": ("a", 1)})
    with pytest.raises(FloorError, match="outside the plan"):
        floor_plan(hall, {"desk": (float("nan"), 1)})
    with pytest.raises(FloorError) as outside:
        floor_plan(hall, {"desk": (600, 3.5)})
    # the Russian decimal comma (the numbers then parted by a semicolon), not "(600.0, 3.5)"
    assert "«desk» (600,0; 3,5) вне плана (0–500 м)" in outside.value.text("ru")
    assert '"desk" (600.0, 3.5) is outside the plan (0-500 m)' in outside.value.text("en")
    with pytest.raises(FloorError) as huge:
        floor_plan(hall, {"desk": (1e300, 1234.7)})
    assert "(1e+300; 1235)" in huge.value.text("ru") and "(1e+300, 1235)" in huge.value.text("en")
    error = FloorError("floor.err.unknown_spot", name="x", known="desk")
    assert "x" in error.text("ru")


def test_windows_refuse_nonsense(hall: Scenario) -> None:
    log = simulate(hall, SEED, 0)
    with pytest.raises(FloorError, match="Day 9"):
        day_window(hall, log, 8)
    with pytest.raises(FloorError):
        hour_window(hall, 0, 19, 17)
    with pytest.raises(FloorError, match="end must come after"):
        build_frames(hall, log, floor_plan(hall), 700.0, 600.0)
    with pytest.raises(FloorError, match="too many"):
        build_frames(hall, log, floor_plan(hall), 0.0, log.end_min, 0.5)
    assert peak_hours(hall) == (17, 19)
    # before opening: an empty hall, nobody on duty, yet a valid figure
    empty = build_frames(hall, log, floor_plan(hall), 0.0, 500.0, 10.0)
    assert len(empty.readers["frame"]) == 0 and len(empty.staff["frame"]) == 0
    assert len(floor_figure([("night", hall, empty)], "en").to_dict()["frames"]) == 51


def test_figure_draws_the_frames_and_a_running_clock(hall: Scenario) -> None:
    log = simulate(hall, SEED, 0)
    variant = apply_tools(hall, ["rfid_kiosk"])
    window = hour_window(hall, 0, 18, 19)
    fr = build_frames(hall, log, floor_plan(hall), *window, 2.0)
    fv = build_frames(variant, simulate(variant, SEED, 0), floor_plan(variant), *window, 2.0)
    fig = floor_figure([("as is", hall, fr), ("variant", variant, fv)], "en")
    spec = fig.to_dict()
    frames = spec["frames"]
    assert len(frames) == len(fr.times) == 31
    groups = len(fr.group_ids)
    per_floor = len(frames[0]["traces"]) // 2
    for k, frame in enumerate(frames):
        drawn = sum(len(tr["x"]) for tr in frame["data"][:groups])
        assert drawn == int((fr.readers["frame"] == k).sum())
        drawn_variant = sum(len(tr["x"]) for tr in frame["data"][per_floor:per_floor + groups])
        assert drawn_variant == int((fv.readers["frame"] == k).sum())
        assert frame["data"][-1]["text"] == [clock(fr.times[k])]
    assert clock(fr.times[0]) == "18:00" and frames[-1]["data"][-1]["text"] == ["19:00"]
    # the plain frame data is valid Plotly (the figure keeps them unvalidated for speed)
    go.Figure(data=spec["data"], layout=spec["layout"], frames=frames)
    # the speed buttons only change the frame duration: the same frames for every speed
    buttons = spec["layout"]["updatemenus"][0]["buttons"]
    durations = [b["args"][1]["frame"]["duration"] for b in buttons[:3]]
    assert durations == sorted(durations, reverse=True) and len(set(durations)) == 3
    assert all(b["args"][0] is None for b in buttons[:3])
    # Russian labels too
    ru = floor_figure([("как есть", hall, fr)], "ru").to_dict()
    assert ru["layout"]["sliders"][0]["currentvalue"]["prefix"].startswith("Время")


def test_floors_side_by_side_need_the_same_times(hall: Scenario) -> None:
    log = simulate(hall, SEED, 0)
    a = build_frames(hall, log, floor_plan(hall), 600.0, 660.0, 1.0)
    b = build_frames(hall, log, floor_plan(hall), 600.0, 660.0, 2.0)
    with pytest.raises(ValueError, match="same frame times"):
        floor_figure([("a", hall, a), ("b", hall, b)], "en")


def test_the_floor_figure_module_imports_pandas_itself() -> None:
    """A fresh server once failed to draw the floor: Plotly looks pandas up in sys.modules without importing
    it, and met it half-initialised while another page's thread was importing it. The module imports
    pandas itself, so building a figure waits for a complete module (the import lock)."""
    import subprocess
    import sys

    code = "import sys; import dashboard.floor_charts; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "True"


def test_the_floor_on_a_phone_numbers_its_stations_and_keys_them_below() -> None:
    """On a 390 px phone the stations' names overlapped and were cut («Книгохранили», «ытый доступ»),
    and the clock covered the plan."""
    from dashboard.floor_charts import floor_figure, station_key
    from sim.floor import build_frames, floor_plan
    from sim.model import simulate
    from sim.scenario import load_scenario
    from tests.builders import SCENARIOS

    hall = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    plan = floor_plan(hall)
    log = simulate(hall, 1, 0)
    frames = build_frames(hall, log, plan, 600.0, 630.0, 10.0)
    wide = floor_figure([("as is", hall, frames)], "ru")
    phone = floor_figure([("as is", hall, frames)], "ru", compact=True)
    key = station_key(plan, hall, "ru")
    assert [n for n, _ in key] == [str(i) for i in range(1, len(key) + 1)]
    assert {name for _, name in key} == {hall.stations[s].name.ru for s in plan.spots if s in hall.stations}
    stations = next(tr for tr in phone.data if tr.mode == "markers+text")
    assert [x for x in stations.text if x] == [n for n, _ in key]  # numbers, no names on the plan
    assert any(len(x) > 3 for x in next(tr for tr in wide.data if tr.mode == "markers+text").text)
    clock = [tr for tr in phone.data if tr.mode == "text"][-1]
    assert clock.y[0] < 0 and phone.layout.height < wide.layout.height  # the clock under the plan
