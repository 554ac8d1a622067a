"""The model's mechanisms each do what a librarian would expect, measured with paired comparisons."""

from __future__ import annotations

import numpy as np
import pytest
from builders import build, changed, mmc, small_library

from sim.eventlog import Ev
from sim.experiment import compare, run_experiment
from sim.metrics import compute_metrics
from sim.model import RunawayScenario, simulate

REPS = 12


def _diff(base_data, variant_data, kpi_id, group=None, reps=REPS):
    base = run_experiment(build(base_data), reps, seed=17, workers=1)
    variant = run_experiment(build(variant_data), reps, seed=17, workers=1)
    c = compare(base, variant)
    return c.groups[group][kpi_id] if group else c.kpis[kpi_id]


def test_more_staff_means_shorter_waits() -> None:
    data = small_library()
    d = _diff(data, changed(data, "roles.librarian.staff", [3, 3, 4, 3]), "wait_mean")
    assert d.real == "better" and d.ci95 is not None and d.ci95[1] < 0


def test_smaller_reshelving_batches_mean_fewer_books_not_found() -> None:
    data = small_library()
    d = _diff(data, changed(data, "reshelving.batch_size", 2), "books_not_found")
    assert d.real == "better"
    d = _diff(data, changed(data, "reshelving.batch_size", 2), "reshelve_lead_time_mean")
    assert d.real == "better"


def test_reshelving_interval_empties_the_cart() -> None:
    data = changed(small_library(), "reshelving.batch_size", 1000)
    never = run_experiment(build(data), 2, seed=3, workers=1)
    assert never.kpis["reshelve_lead_time_mean"].mean is None  # nothing shelved: the cart never fills
    timed = changed(data, "reshelving.interval_min", 30)
    assert run_experiment(build(timed), 2, seed=3, workers=1).kpis["reshelve_lead_time_mean"].mean < 2


def test_stack_runs_on_demand_shorten_closed_stack_lead_time() -> None:
    data = changed(small_library(), "stacks.interval_min", 120)
    d = _diff(data, changed(data, "stacks.mode", "on_demand"), "stack_order_lead_time_mean")
    assert d.real == "better"
    assert d.diff is not None and d.diff < -15


def test_one_line_for_all_desks_beats_a_line_per_desk() -> None:
    data = mmc(3, 40, 4.0, 100)
    d = _diff(changed(data, "stations.desk.queue", "per_desk"), data, "wait_p90", reps=8)
    assert d.real == "better"


def test_priority_lane_helps_its_group_and_costs_the_others() -> None:
    data = changed(small_library(), "roles.librarian.staff", [1, 2, 2, 1])
    data = changed(data, "roles.cataloguer.skills", ["office"])
    lane = changed(data, "stations.desk.priority_groups", ["old"])
    assert _diff(data, lane, "wait_mean", group="old").real == "better"
    assert _diff(data, lane, "wait_mean", group="young").real == "worse"


def test_interruptions_slow_the_back_office() -> None:
    data = small_library(days=3)
    shielded = changed(data, "roles.cataloguer.interruptible", False)
    shielded = changed(shielded, "roles.cataloguer.skills", ["office"])
    assert _diff(data, shielded, "acquisitions_lead_time_days").real == "better"


def test_without_patience_nobody_leaves_and_with_balking_at_zero_nobody_queues() -> None:
    data = changed(mmc(2, 50, 4.0, 20), "groups.readers.patience", None)
    r = run_experiment(build(data), 2, seed=1, workers=1)
    assert r.kpis["readers_left_unserved"].mean == 0
    balk = changed(data, "groups.readers.balk_at_queue", 0)
    log = simulate(build(balk), 1, 0)
    assert (log.value[log.kind == Ev.SERVICE_START] == 0).all()
    assert (log.kind == Ev.BALK).sum() > 0


def test_staff_on_duty_follows_the_schedule() -> None:
    data = small_library(days=1)
    metrics = compute_metrics(build(data), simulate(build(data), 2, 0))
    hours = metrics.hours
    on_duty = metrics.hourly["staff_on_duty.librarian"]
    assert hours[:4] == [10, 11, 12, 13]
    assert on_duty[:4] == pytest.approx([2, 2, 3, 2])


def test_nobody_enters_after_closing_and_those_inside_are_served() -> None:
    data = small_library(days=2)
    log = simulate(build(data), 8, 0)
    arrive = log.t[log.kind == Ev.ARRIVE] % 1440
    assert ((arrive >= 600) & (arrive < 840)).all()
    assert (log.kind == Ev.LEFT_INSIDE).sum() == 0
    departures = log.t[log.kind == Ev.DEPART] % 1440
    assert departures.max() > 840  # someone inside at 14:00 was served after closing


def test_back_office_work_carries_over_between_days() -> None:
    data = small_library(days=3)
    log = simulate(build(data), 8, 0)
    shelved = log.t[log.kind == Ev.ACQ_SHELVED]
    assert len(shelved) > 0
    lead_days = log.value[log.kind == Ev.ACQ_SHELVED] / 1440
    assert lead_days.max() > 1  # some items waited overnight
    open_hours = ((shelved % 1440) >= 600) & ((shelved % 1440) <= 840)
    assert open_hours.all(), "back-office work happens in opening hours"


def test_kanban_wip_limit_caps_work_in_progress() -> None:
    data = small_library(days=2)
    data = changed(data, "acquisitions.route", [{"step": "accession", "batch": 3}, {"step": "catalogue", "batch": 1, "wip_limit": 3}])
    data = changed(data, "acquisitions.initial_wip", {})
    log = simulate(build(data), 8, 0)
    step = log.step_ids.index("catalogue")
    # items enter cataloguing (wait + work) at most 3 at a time: count items between ACQ of accession end and shelved
    waits = (log.kind == Ev.ACQ_WAIT) & (log.step == step)
    done = (log.kind == Ev.ACQ_SHELVED)
    t_in = np.sort(log.t[waits] - log.value[waits])
    t_out = np.sort(log.t[done])
    events = sorted([(t, 1) for t in t_in] + [(t, -1) for t in t_out], key=lambda e: (e[0], e[1]))
    level = peak = 0
    for _, change in events:
        level += change
        peak = max(peak, level)
    assert 0 < peak <= 3


def test_a_runaway_scenario_stops_with_a_clear_error() -> None:
    data = mmc(1, 600, 4.0, 100)
    data["max_events"] = 5000
    with pytest.raises(RunawayScenario, match="max_events"):
        simulate(build(data), 1, 0)
