"""Small scenarios built in code, for tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from sim.scenario import Scenario, parse_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
E2E_PASSCODE = "e2e-passcode"  # the trainer's passcode of the app the browser tests start


def text(en: str) -> dict[str, str]:
    return {"ru": en, "en": en}


def mmc(c: int, arrivals_per_hour: float, mean_service_min: float, hours: float, warmup_hours: float = 0.0,
        **desk: Any) -> dict[str, Any]:
    """An M/M/c desk as scenario data: Poisson arrivals, exponential service, one line, no patience."""
    return {
        "id": f"mmc-{c}",
        "title": text(f"M/M/{c}"),
        "description": text("a queueing-theory check"),
        "calendar": {"mode": "continuous", "hours": hours},
        "warmup_hours": warmup_hours,
        "arrivals": {"per_hour": {"default": [arrivals_per_hour]}},
        "groups": {"readers": {"name": text("Readers"), "share": 1.0, "purposes": {"service": 1.0}}},
        "purposes": {"service": {"name": text("Service"), "route": ["desk_service"]}},
        "steps": {
            "desk_service": {
                "name": text("Service"),
                "station": "desk",
                "time": {"dist": "exponential", "mean": mean_service_min},
                "value": "value_added",
            }
        },
        "stations": {"desk": {"name": text("Desk"), **desk}},
        "roles": {"librarian": {"name": text("Librarian"), "staff": c, "wage_per_hour": 300, "skills": ["desk"]}},
    }


def small_library(days: int = 2) -> dict[str, Any]:
    """A small daily library with every mechanism: groups, returns and reshelving, stacks, acquisitions."""
    return {
        "id": "small-library",
        "title": text("Small library"),
        "description": text("for tests"),
        "calendar": {"mode": "daily", "open": "10:00", "close": "14:00", "days": days},
        "arrivals": {"per_hour": {"default": [20, 30, 40, 25]}},
        "groups": {
            "young": {
                "name": text("Young"), "share": 0.6, "patience": {"dist": "exponential", "mean": 10},
                "balk_at_queue": 6, "self_service_adoption": 0.8,
                "purposes": {"return": 0.4, "borrow": 0.4, "closed": 0.2},
            },
            "old": {
                "name": text("Old"), "share": 0.4, "patience": {"dist": "lognormal", "mean": 25, "sd": 10},
                "service_factor": 1.5, "self_service_adoption": 0.1,
                "purposes": {"return": 0.5, "borrow": 0.3, "closed": 0.2},
            },
        },
        "purposes": {
            "return": {"name": text("Return"), "route": ["check_in"]},
            "borrow": {"name": text("Borrow"), "route": ["search", "check_out"]},
            "closed": {"name": text("Closed stacks"), "route": ["order", "wait_stacks", "pick_up"]},
        },
        "steps": {
            "check_in": {"name": text("Check in"), "station": "desk", "time": {"dist": "lognormal", "mean": 1.5, "sd": 0.7},
                         "returns_books": {"dist": "triangular", "low": 1, "mode": 2, "high": 4}, "error_rate": 0.05},
            "search": {"name": text("Search"), "station": "shelves", "kind": "shelf_search",
                       "time": {"dist": "uniform", "low": 2, "high": 8}, "value": "value_added", "on_not_found": "ask"},
            "ask": {"name": text("Ask"), "station": "desk", "time": {"dist": "gamma", "mean": 3, "sd": 1}, "value": "waste"},
            "check_out": {"name": text("Check out"), "station": "desk", "time": {"dist": "lognormal", "mean": 2, "sd": 1},
                          "self_service": "kiosk_out"},
            "kiosk_out": {"name": text("Kiosk"), "station": "kiosk", "time": {"dist": "triangular", "low": 1, "mode": 1.5, "high": 3}},
            "order": {"name": text("Order"), "station": "desk", "time": {"dist": "fixed", "value": 2}},
            "wait_stacks": {"name": text("Wait"), "station": "stacks", "kind": "stack_delivery", "value": "waste"},
            "pick_up": {"name": text("Pick up"), "station": "desk", "time": {"dist": "exponential", "mean": 1}, "value": "value_added"},
            "accession": {"name": text("Accession"), "station": "office", "time": {"dist": "fixed", "value": 3}},
            "catalogue": {"name": text("Catalogue"), "station": "office", "time": {"dist": "lognormal", "mean": 15, "sd": 5},
                          "value": "value_added", "error_rate": 0.1},
        },
        "stations": {
            "desk": {"name": text("Desk")},
            "kiosk": {"name": text("Kiosk"), "kind": "kiosk", "capacity": 1},
            "shelves": {"name": text("Shelves"), "kind": "open"},
            "stacks": {"name": text("Stacks"), "tier": "back"},
            "cart": {"name": text("Cart"), "tier": "back"},
            "office": {"name": text("Office"), "tier": "back"},
        },
        "roles": {
            "librarian": {"name": text("Librarian"), "staff": [2, 2, 3, 2], "wage_per_hour": 300,
                          "skills": ["desk", "cart"], "switch_setup_min": 1},
            "keeper": {"name": text("Keeper"), "staff": 1, "wage_per_hour": 250, "skills": ["stacks"]},
            "cataloguer": {"name": text("Cataloguer"), "staff": 1, "wage_per_hour": 320, "skills": ["office", "desk"],
                           "interruptible": True, "switch_setup_min": 2},
        },
        "reshelving": {"station": "cart", "batch_size": 20, "time_per_book": {"dist": "fixed", "value": 0.5},
                       "misshelve_rate": 0.02, "not_found_per_waiting_book": 0.01},
        "stacks": {"station": "stacks", "mode": "interval", "interval_min": 60,
                   "run_time": {"dist": "fixed", "value": 10}, "time_per_item": {"dist": "fixed", "value": 2}},
        "acquisitions": {"shipment_every_days": 1, "shipment_size": 10,
                         "route": [{"step": "accession", "batch": 10}, {"step": "catalogue", "batch": 5}],
                         "initial_wip": {"catalogue": 8}, "initial_age_days": 3},
    }


def build(data: dict[str, Any]) -> Scenario:
    return parse_scenario(copy.deepcopy(data))


def changed(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of `data` with the dotted `path` set to `value`."""
    out = copy.deepcopy(data)
    node = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    return out


def app_environment(tmp_path: Path, monkeypatch: Any, passcode: str = "p") -> Path:
    """Settings for an AppTest of the whole app in `tmp_path` (its training database is `app_database_url`);
    returns the trainers' scenario folder."""
    import streamlit as st

    monkeypatch.setenv("LEAN_TRAINER_WORKERS", "1")
    monkeypatch.setenv("LEAN_TRAINER_PASSCODE", passcode)
    monkeypatch.setenv("LEAN_TRAINER_DB_URL", app_database_url(tmp_path))
    monkeypatch.setenv("LEAN_TRAINER_USER_SCENARIOS", str(tmp_path / "user"))
    monkeypatch.setenv("LEAN_TRAINER_LANG", "en")
    st.cache_resource.clear()
    st.cache_data.clear()
    return tmp_path / "user"


def app_database_url(tmp_path: Path) -> str:
    """The training database of an app set up by `app_environment`."""
    return f"sqlite:///{tmp_path / 'training.db'}"


def one_day_hall() -> Scenario:
    """The default scenario cut to one day, without the back office's warm-up week and with the events
    that fall after day 1 left out (as `lean-sim --days 1` does): a quick session for tests."""
    from sim.events import drop_events_after
    from sim.scenario import load_scenario

    data = load_scenario(SCENARIOS / "central-lending-hall.yaml").model_dump(mode="json", exclude_none=True)
    data["calendar"]["days"] = 1
    data["acquisitions"]["warmup_days"] = 0
    return parse_scenario(drop_events_after(data, 1))


def write_one_day_hall(path: Path) -> Path:
    """`one_day_hall` as a scenario file (JSON, which is YAML too), for the command line's tests."""
    data = one_day_hall().model_dump(mode="json", exclude_none=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def local_runner(scenario: Scenario, seed: int, replications: int) -> Any:
    """A session's runner in this process (no pool): for workers in tests."""
    from sim.experiment import run_experiment

    return run_experiment(scenario, replications, seed, workers=1)


def wait_for(predicate: Any, seconds: float = 60.0) -> None:
    """Poll `predicate` until it holds (fails the test after `seconds`)."""
    import time

    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
