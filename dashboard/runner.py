"""Runs for the dashboard: a shared process pool, and results cached by what determines them.

A run is determined by the scenario's content (tools already applied), the seed and the number of
replications; the same three give the same results, so a repeated click is answered from the
cache at once. The cache is shared by every browser session of this server and keeps the most
recent runs only.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import streamlit as st

from sim.eventlog import EventLog
from sim.experiment import Results, default_executor, run_experiment
from sim.model import simulate
from sim.scenario import Problem, Scenario, ScenarioError, load_scenario

from . import config

CACHE_SIZE = 24


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs: OrderedDict[str, Results] = OrderedDict()

    def get(self, key: str) -> Results | None:
        with self.lock:
            found = self.runs.get(key)
            if found is not None:
                self.runs.move_to_end(key)
            return found

    def put(self, key: str, results: Results) -> None:
        with self.lock:
            self.runs[key] = results
            self.runs.move_to_end(key)
            while len(self.runs) > CACHE_SIZE:
                self.runs.popitem(last=False)


@st.cache_resource(show_spinner=False)
def _cache() -> _Cache:
    return _Cache()


@st.cache_resource(show_spinner=False)
def _pool() -> Executor | None:
    workers = config.workers()
    if workers == 1:
        return None
    return default_executor(workers)


def run_key(scenario: Scenario, seed: int, replications: int) -> str:
    digest = hashlib.sha256(scenario.model_dump_json().encode("utf-8"))
    digest.update(f"|{seed}|{replications}".encode())
    return digest.hexdigest()


def cached(scenario: Scenario, seed: int, replications: int) -> Results | None:
    return _cache().get(run_key(scenario, seed, replications))


def run(scenario: Scenario, seed: int, replications: int, progress: Callable[[int, int], None] | None = None) -> Results:
    """Results of the run, from the cache or computed now (in the pool when there is one)."""
    return run_with(_pool(), _cache(), scenario, seed, replications, progress)


def run_with(pool: Executor | None, cache: _Cache, scenario: Scenario, seed: int, replications: int,
             progress: Callable[[int, int], None] | None = None) -> Results:
    """`run` with the pool and cache given: usable from a background thread (no Streamlit calls)."""
    key = run_key(scenario, seed, replications)
    found = cache.get(key)
    if found is not None:
        if progress:
            progress(replications, replications)
        return found
    if pool is None:
        results = run_experiment(scenario, replications, seed, workers=1, progress=progress)
    else:
        results = run_experiment(scenario, replications, seed, executor=pool, progress=progress)
    cache.put(key, results)
    return results


def background_runner() -> Callable[[Scenario, int, int], Results]:
    """A runner for the training worker's thread, bound to this server's pool and cache."""
    pool, cache = _pool(), _cache()
    return lambda scenario, seed, replications: run_with(pool, cache, scenario, seed, replications)


@st.cache_data(show_spinner=False, max_entries=8)
def event_log_csv(scenario_json: str, seed: int) -> bytes:
    """Replication 1's event log as CSV (for download)."""
    import io

    scenario = Scenario.model_validate_json(scenario_json)
    log: EventLog = simulate(scenario, seed, 0)
    out = io.StringIO()
    log.write_csv(out)
    return out.getvalue().encode("utf-8-sig")


def all_scenarios() -> list[tuple[str, Scenario | None, Problem | None]]:
    """The trainers' own scenarios, then the shipped ones."""
    return list_scenarios(str(config.user_scenarios_dir())) + list_scenarios(str(config.scenarios_dir()))


def clear_scenario_lists() -> None:
    list_scenarios.clear()


@st.cache_data(show_spinner=False, ttl=30)
def list_scenarios(folder: str) -> list[tuple[str, Scenario | None, Problem | None]]:
    """Every scenario file of the folder: (path, scenario or None, the first problem if invalid)."""
    out: list[tuple[str, Scenario | None, Problem | None]] = []
    for path in sorted(Path(folder).glob("*.yaml")):
        try:
            out.append((str(path), load_scenario(path), None))
        except ScenarioError as error:
            out.append((str(path), None, error.problems[0] if error.problems else None))
    return out
