"""The waste walk's ground truth against the log and the metrics, and the scoring of observations."""

from __future__ import annotations

import numpy as np
import pytest
from builders import SCENARIOS, build, changed, mmc, small_library

from sim.eventlog import Ev
from sim.floor import day_window
from sim.lean import apply_tools
from sim.metrics import compute_metrics
from sim.model import simulate
from sim.scenario import WASTES, Scenario, load_scenario
from sim.wastewalk import Observation, ground_truth, matches, measure_wastes, places, score_observations

SEED = 20241115


@pytest.fixture(scope="module")
def hall() -> Scenario:
    return load_scenario(SCENARIOS / "central-lending-hall.yaml")


def test_waiting_per_station_adds_up_to_the_metrics_queue() -> None:
    # one day, no warm-up: the metrics' hourly queue length times 60 is the reader-minutes queued
    scenario = build(changed(small_library(days=1), "calendar.days", 1))
    log = simulate(scenario, SEED, 0)
    rep = compute_metrics(scenario, log)
    queued = sum(v for v in rep.hourly["queue_length"] if v) * 60.0
    waiting = [w for w in measure_wastes(scenario, log, 0.0, log.end_min) if w.waste == "waiting" and w.where_kind == "station"]
    assert waiting and sum(w.amount for w in waiting) == pytest.approx(queued, rel=1e-9)
    # per station: the rows of that station only
    desk = next(w for w in waiting if w.where == "desk")
    rows = ((log.kind == Ev.SERVICE_START) | (log.kind == Ev.RENEGE)) & (log.station == log.station_ids.index("desk"))
    assert desk.amount == pytest.approx(float(log.value[rows & (log.group >= 0)].sum()))


def test_the_default_hall_shows_its_planted_wastes(hall: Scenario) -> None:
    log = simulate(hall, SEED, 0)
    truth = ground_truth(hall, log, *day_window(hall, log, 0))
    sizes = [w.size for w in truth]
    assert sizes == sorted(sizes, reverse=True)
    assert all(w.waste in WASTES and w.size > 0 for w in truth)
    keys = {w.key for w in truth[:6]}
    # the as-is library's problems: the two-hourly stack runs, the line at the desk, the full cart
    assert ("waiting", "stack_delivery") in keys
    assert ("waiting", "desk") in keys
    assert ("inventory", "reshelving") in keys
    kinds = {w.waste for w in truth}
    assert {"waiting", "inventory", "transport", "defects", "motion"} <= kinds
    # walking: the carry to the hall, 60 m each time it runs
    carry = [w for w in truth if w.key == ("transport", "to_hall")]
    assert not carry or carry[0].amount == 60 * carry[0].count


def test_tools_shrink_the_wastes_they_target(hall: Scenario) -> None:
    def size(scenario: Scenario, key: tuple[str, str]) -> float:
        log = simulate(scenario, SEED, 0)
        return sum(w.size for w in measure_wastes(scenario, log) if w.key == key)

    assert size(apply_tools(hall, ["one_piece_reshelving"]), ("inventory", "reshelving")) < \
        0.5 * size(hall, ("inventory", "reshelving"))
    assert size(apply_tools(hall, ["pull_stack_runs"]), ("waiting", "stack_delivery")) < \
        0.5 * size(hall, ("waiting", "stack_delivery"))


def test_requested_items_passed_over_are_overproduction() -> None:
    data = small_library(days=3)
    data["acquisitions"]["requested_share"] = 0.3
    data["acquisitions"]["shipment_size"] = 30
    data["acquisitions"]["route"][1]["batch"] = 3
    as_is = build(data)
    wastes = measure_wastes(as_is, simulate(as_is, SEED, 0))
    assert any(w.waste == "overproduction" and w.where == "catalogue" for w in wastes)
    data["acquisitions"]["requested_first"] = True
    pulled = build(data)
    after = [w for w in measure_wastes(pulled, simulate(pulled, SEED, 0)) if w.waste == "overproduction"]
    before = [w for w in wastes if w.waste == "overproduction"]
    assert sum(w.size for w in after) < sum(w.size for w in before)


def test_no_wastes_in_an_empty_window_and_a_plain_desk() -> None:
    scenario = build(mmc(1, 10.0, 2.0, 2.0))
    log = simulate(scenario, SEED, 0)
    assert measure_wastes(scenario, log, 5000.0, 5001.0) == []
    assert {w.waste for w in measure_wastes(scenario, log)} <= {"waiting"}


def test_scoring_found_missed_smaller_and_unseen(hall: Scenario) -> None:
    log = simulate(hall, SEED, 0)
    truth = ground_truth(hall, log, *day_window(hall, log, 0))
    top = truth[:5]
    outside = next(w for w in truth[5:] if not any(matches(hall, Observation(w.waste, w.where), x) for x in top))
    observations = [
        Observation(top[0].waste, top[0].where, "readers sit and wait for the stack run"),
        # a station matches a step at that station (and back)
        Observation(top[1].waste, hall.steps[top[1].where].station if top[1].where in hall.steps else top[1].where),
        Observation(outside.waste, outside.where),
        Observation("talent", "desk"),
    ]
    result = score_observations(hall, truth, observations, top_n=5)
    assert result.found == top[:2] and result.missed == top[2:]
    assert result.score == pytest.approx(40.0)
    assert result.smaller == [observations[2]]
    assert result.unseen == [observations[3]]
    assert score_observations(hall, truth, [], 3).score == 0.0
    everything = [Observation(w.waste, w.where) for w in top]
    assert score_observations(hall, truth, everything, 5).score == 100.0
    with pytest.raises(ValueError, match="not a waste"):
        score_observations(hall, truth, [Observation("queues", "desk")])
    with pytest.raises(ValueError, match="top_n"):
        score_observations(hall, truth, [], 0)
    assert "desk" in places(hall) and "stack_delivery" in places(hall)


def test_wastes_are_reproducible(hall: Scenario) -> None:
    a = ground_truth(hall, simulate(hall, SEED, 3))
    b = ground_truth(hall, simulate(hall, SEED, 3))
    assert a == b
    assert np.isfinite([w.size for w in a]).all()
