"""Property: every reader who arrives is served, leaves unserved, or is still inside at the end."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from builders import text
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.eventlog import Ev
from sim.metrics import compute_metrics
from sim.model import simulate
from sim.scenario import parse_scenario

DISTS = st.one_of(
    st.builds(lambda m: {"dist": "exponential", "mean": m}, st.floats(0.2, 8)),
    st.builds(lambda m, f: {"dist": "lognormal", "mean": m, "sd": m * f}, st.floats(0.2, 8), st.floats(0.1, 2)),
    st.builds(lambda m, f: {"dist": "gamma", "mean": m, "sd": m * f}, st.floats(0.2, 8), st.floats(0.1, 2)),
    st.builds(lambda a, b: {"dist": "uniform", "low": a, "high": a + b}, st.floats(0, 3), st.floats(0.1, 5)),
    st.builds(lambda a, b, c: {"dist": "triangular", "low": a, "mode": a + b, "high": a + b + c},
              st.floats(0, 2), st.floats(0, 3), st.floats(0.1, 4)),
    st.builds(lambda v: {"dist": "fixed", "value": v}, st.floats(0, 6)),
)


def _shares(draw: Any, n: int) -> list[float]:
    raw = [draw(st.integers(1, 10)) for _ in range(n)]
    shares = [r / sum(raw) for r in raw]
    shares[-1] = 1.0 - sum(shares[:-1])
    return shares


@st.composite
def scenarios(draw: Any) -> dict[str, Any]:
    n_stations = draw(st.integers(1, 3))
    stations: dict[str, Any] = {}
    for i in range(n_stations):
        kind = draw(st.sampled_from(["staffed", "staffed", "kiosk", "open"]))
        station: dict[str, Any] = {"name": text(f"S{i}"), "kind": kind}
        if kind == "kiosk":
            station["capacity"] = draw(st.integers(1, 3))
        if kind == "staffed":
            station["tier"] = draw(st.sampled_from(["front", "front", "back"]))
            if station["tier"] == "front":
                station["queue"] = draw(st.sampled_from(["single", "per_desk"]))
        stations[f"s{i}"] = station
    steps = {
        f"p{i}": {
            "name": text(f"P{i}"),
            "station": draw(st.sampled_from(sorted(stations))),
            "time": draw(DISTS),
            "error_rate": draw(st.sampled_from([0.0, 0.1, 0.5])),
        }
        for i in range(draw(st.integers(1, 4)))
    }
    purposes = {
        f"u{i}": {"name": text(f"U{i}"), "route": draw(st.lists(st.sampled_from(sorted(steps)), min_size=1, max_size=3))}
        for i in range(draw(st.integers(1, 3)))
    }
    n_groups = draw(st.integers(1, 3))
    groups = {}
    for i, share in enumerate(_shares(draw, n_groups)):
        mix = _shares(draw, len(purposes))
        groups[f"g{i}"] = {
            "name": text(f"G{i}"),
            "share": share,
            "patience": draw(st.one_of(st.none(), DISTS)),
            "balk_at_queue": draw(st.one_of(st.none(), st.integers(0, 5))),
            "service_factor": draw(st.floats(0.5, 2)),
            "purposes": dict(zip(sorted(purposes), mix)),
        }
    staffed = [s for s, v in stations.items() if v["kind"] == "staffed"]
    daily = draw(st.booleans())
    hours = draw(st.integers(1, 4)) if daily else 1
    roles = {}
    if staffed:
        for i in range(draw(st.integers(1, 2))):
            skills = draw(st.lists(st.sampled_from(staffed), min_size=1, max_size=len(staffed), unique=True))
            if i == 0:
                skills = staffed  # someone can work every staffed station
            staff = [draw(st.integers(1 if i == 0 else 0, 3)) for _ in range(hours)]
            roles[f"r{i}"] = {
                "name": text(f"R{i}"), "staff": staff, "wage_per_hour": 100, "skills": skills,
                "interruptible": draw(st.booleans()), "switch_setup_min": draw(st.sampled_from([0, 1])),
            }
    rate = [draw(st.floats(0, 60)) for _ in range(hours)]
    if daily:
        calendar = {"mode": "daily", "open": "09:00", "close": f"{9 + hours:02d}:00", "days": draw(st.integers(1, 2))}
    else:
        calendar = {"mode": "continuous", "hours": draw(st.floats(1, 8))}
    return {
        "id": "random",
        "title": text("Random"),
        "description": text("Random"),
        "calendar": calendar,
        "arrivals": {"per_hour": {"default": rate}},
        "groups": groups,
        "purposes": purposes,
        "steps": steps,
        "stations": stations,
        "roles": roles,
    }


@settings(max_examples=200)
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_every_reader_is_accounted_for(data: dict[str, Any], seed: int) -> None:
    scenario = parse_scenario(data)
    log = simulate(scenario, seed, 0)
    metrics = compute_metrics(scenario, log)
    for g, group_id in enumerate(log.group_ids):
        figs = metrics.groups[group_id]
        inside = int(((log.kind == Ev.LEFT_INSIDE) & (log.group == g)).sum())
        assert figs["readers_arrived"] == figs["readers_served"] + figs["readers_left_unserved"] + inside
    # every arrival ends exactly once
    ends = np.isin(log.kind, [Ev.DEPART, Ev.RENEGE, Ev.BALK, Ev.LEFT_INSIDE]) & (log.group >= 0)
    arrivals = log.entity[log.kind == Ev.ARRIVE]
    assert sorted(log.entity[ends].tolist()) == sorted(arrivals.tolist())
    # nobody waits a negative time, and no figure is NaN
    assert (log.value[np.isin(log.kind, [Ev.SERVICE_START, Ev.RENEGE])] >= 0).all()
    for value in metrics.kpis.values():
        assert value is None or not math.isnan(value)
