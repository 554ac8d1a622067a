"""A steady back office: a warm-up of the library before day 0 (`acquisitions.warmup_days`), so that
receipt-to-shelf is a result of the back office's own flow, not of the assumed age of its backlog."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from builders import SCENARIOS, build, small_library

from sim.eventlog import Ev
from sim.experiment import compare, run_experiment
from sim.metrics import compute_metrics
from sim.model import simulate
from sim.scenario import ScenarioError, load_scenario, parse_scenario

SEED = 7


def _warm(days: int = 3, warmup: int = 2) -> dict:
    data = small_library(days)
    data["acquisitions"]["warmup_days"] = warmup
    return data


def test_the_warm_up_runs_before_day_zero_and_no_figure_counts_it() -> None:
    scenario = build(_warm())
    log = simulate(scenario, SEED, 0)
    arrive = log.kind == Ev.ARRIVE
    # the library ran two days before day 0: readers came, staff worked, shipments arrived
    assert (log.t[arrive] < 0).any() and (log.t[arrive] >= 0).any()
    assert log.t.min() >= -2 * 1440.0
    assert ((log.kind == Ev.DUTY) & (log.t < 0)).any()
    # the days shown are the counted ones only
    assert log.open_intervals and all(a >= 0 for a, _ in log.open_intervals) and len(log.open_intervals) == 3
    kpis = compute_metrics(scenario, log).kpis
    assert kpis["readers_arrived"] == float((log.t[arrive] >= 0).sum())
    # the initial WIP seeds the warm-up: marked, and left out of the lead times
    seeds = log.entity[log.kind == Ev.ACQ_SEED]
    assert len(seeds) == 8 and set(log.value[log.kind == Ev.ACQ_SEED]) == {3 * 1440.0}
    shelved = (log.kind == Ev.ACQ_SHELVED) & (log.t >= 0) & ~np.isin(log.entity, seeds)
    assert shelved.any()
    assert kpis["acquisitions_lead_time_days"] == pytest.approx(float(log.value[shelved].mean()) / 1440.0)
    # the weekly (here daily) shipments go back into the warm-up on their schedule
    received = log.t[log.kind == Ev.ACQ_WAIT]
    assert (received < 0).any()


def test_without_a_warm_up_nothing_changes() -> None:
    """A scenario without `warmup_days` runs from day 0 as before (its golden output stays put)."""
    log = simulate(build(small_library(2)), SEED, 0)
    assert log.t.min() >= 0 and not (log.kind == Ev.ACQ_SEED).any()


def test_receipt_to_shelf_after_a_warm_up_does_not_depend_on_the_assumed_backlog_age() -> None:
    """A weekly shipment and a backlog of assumed age: with a week's warm-up the lead time is the
    flow's own (the same whatever the age), without it the age shows in the figure."""
    data = small_library(5)
    data["acquisitions"].update({"shipment_every_days": 7, "shipment_size": 20, "initial_wip": {"catalogue": 15},
                                 "initial_age_days": 10, "warmup_days": 7})
    young = copy.deepcopy(data)
    young["acquisitions"]["initial_age_days"] = 0
    base = run_experiment(build(data), 10, seed=4, workers=1)
    estimate = base.kpis["acquisitions_lead_time_days"]
    assert estimate.mean is not None and estimate.ci95 is not None and estimate.ci95[0] > 0  # reported with its CI
    diff = compare(base, run_experiment(build(young), 10, seed=4, workers=1)).kpis["acquisitions_lead_time_days"]
    assert diff.ci95 is not None and diff.ci95[0] <= 0 <= diff.ci95[1], diff
    # without the warm-up the figure was mostly the assumed age (the problem the warm-up solves)
    cold, cold_young = copy.deepcopy(data), copy.deepcopy(young)
    cold["acquisitions"]["warmup_days"] = cold_young["acquisitions"]["warmup_days"] = 0
    was = compare(run_experiment(build(cold), 10, seed=4, workers=1),
                  run_experiment(build(cold_young), 10, seed=4, workers=1)).kpis["acquisitions_lead_time_days"]
    assert was.real == "better", was


def test_a_warm_up_needs_a_daily_calendar() -> None:
    from builders import mmc

    data = mmc(1, 10, 3, 10)
    small = small_library(1)
    data["steps"]["accession"] = small["steps"]["accession"]
    data["stations"]["office"] = small["stations"]["office"]
    data["roles"]["librarian"]["skills"] = [*data["roles"]["librarian"]["skills"], "office"]
    data["acquisitions"] = {"shipment_every_days": 1, "shipment_size": 5, "route": [{"step": "accession"}],
                            "warmup_days": 3}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    found = [p for p in info.value.problems if p.code == "problem.warmup.daily_only"]
    assert found and found[0].field == "acquisitions.warmup_days"
    assert "daily" in found[0].say("en") and "ежедневн" in found[0].say("ru")


def test_the_default_scenarios_receipt_to_shelf_is_its_flows_own() -> None:
    """The default scenario runs its back office a week before the counted days: its as-is lead time,
    reported with its CI, is the same whatever age the file assumes for the initial backlog."""
    hall = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    assert hall.acquisitions is not None and hall.acquisitions.warmup_days > 0
    young = hall.model_copy(update={"acquisitions": hall.acquisitions.model_copy(update={"initial_age_days": 0.0})})
    base = run_experiment(hall, 10, seed=4, workers=1)
    estimate = base.kpis["acquisitions_lead_time_days"]
    assert estimate.mean is not None and estimate.ci95 is not None and estimate.ci95[0] > 0
    diff = compare(base, run_experiment(young, 10, seed=4, workers=1)).kpis["acquisitions_lead_time_days"]
    assert diff.ci95 is not None and diff.ci95[0] <= 0 <= diff.ci95[1], diff


def test_requested_items_first_pull_a_small_batch_through_instead_of_waiting_for_a_full_one() -> None:
    """"Requested new items first" is pull: a reader's request starts the work, so a requested item
    does not wait at a step for a batch to fill while more items are coming (the last step of the
    default scenario carries 40 books to the hall at once)."""
    data = _warm(days=6, warmup=2)
    data["acquisitions"]["requested_share"] = 0.2
    data["acquisitions"]["route"][1]["batch"] = 30  # the catalogue step waits for three shipments
    as_is = run_experiment(build(data), 6, seed=SEED, workers=1)
    data["acquisitions"]["requested_first"] = True
    pulled = run_experiment(build(data), 6, seed=SEED, workers=1)
    diff = compare(as_is, pulled).kpis["acquisitions_requested_lead_time_days"]
    assert diff.ci95 is not None and diff.ci95[1] < 0, diff
    assert pulled.kpis["acquisitions_requested_lead_time_days"].mean < \
        0.8 * as_is.kpis["acquisitions_requested_lead_time_days"].mean
    # nothing is lost on the way: as many items reach the shelf, give or take the batches in process
    shelved = (as_is.kpis["acquisitions_shelved"].mean, pulled.kpis["acquisitions_shelved"].mean)
    assert shelved[1] >= 0.9 * shelved[0], shelved


def test_requested_items_first_changes_nothing_when_nobody_requested_anything() -> None:
    data = _warm(days=3, warmup=1)
    data["acquisitions"]["requested_share"] = 0.0
    data["acquisitions"]["route"][1]["batch"] = 30
    plain = simulate(build(data), SEED, 0)
    data["acquisitions"]["requested_first"] = True
    pulled = simulate(build(data), SEED, 0)
    assert np.array_equal(plain.t, pulled.t) and np.array_equal(plain.kind, pulled.kind)
