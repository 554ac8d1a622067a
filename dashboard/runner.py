"""Runs for the dashboard: a shared process pool, and results cached by what determines them.

A run is determined by the scenario's content (tools already applied), the seed and the number of
replications; the same three give the same results, so a repeated click is answered from the
cache at once. A study (`sim.study.Study`: tools against the library as it is) runs through the same
cache and pool (`run_study`, `cached_study`). The cache is shared by every browser session of this server and keeps the most
recent runs only. The pool is supervised (`sim.pool`): a replication process that dies (the
out-of-memory killer) is replaced, and the pool's processes end with the server.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from sim.eventlog import EventLog
from sim.experiment import Progress, Results, run_experiment
from sim.model import simulate
from sim.pool import SupervisedPool, run_batch
from sim.scenario import Problem, Scenario, ScenarioError
from sim.study import Runner, Study, StudyResults

from . import config, validated

CACHE_SIZE = 24


class _Cache:
    """The most recent runs, by `run_key`, shared by every browser session of the server (thread-safe)."""

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


_SHARED: dict[str, SupervisedPool] = {}  # one pool per server process: clearing Streamlit's caches must not leak one
_SHARED_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def _cache() -> _Cache:
    return _Cache()


def _pool() -> SupervisedPool | None:
    """The server's process pool (None when replications run in the app's process)."""
    workers = config.workers()
    if workers == 1:
        return None
    with _SHARED_LOCK:
        pool = _SHARED.get("pool")
        if not isinstance(pool, SupervisedPool) or pool.workers != (workers or pool.workers):
            pool = _SHARED["pool"] = SupervisedPool(workers)
        return pool


def run_key(scenario: Scenario, seed: int, replications: int) -> str:
    digest = hashlib.sha256(scenario.model_dump_json().encode("utf-8"))
    digest.update(f"|{seed}|{replications}".encode())
    return digest.hexdigest()


def cached(scenario: Scenario, seed: int, replications: int) -> Results | None:
    """The kept results of this run, or None (nothing is computed)."""
    return _cache().get(run_key(scenario, seed, replications))


class StudyCache:
    """The server's run cache as a study sees it (`sim.study.RunCache`): keyed by the scenario's content."""

    def __init__(self, cache: _Cache) -> None:
        self.cache = cache

    def get(self, scenario: Scenario, seed: int, replications: int) -> Results | None:
        """The kept results of this run, or None."""
        return self.cache.get(run_key(scenario, seed, replications))

    def put(self, scenario: Scenario, seed: int, replications: int, results: Results) -> None:
        """Keep the results of this run."""
        self.cache.put(run_key(scenario, seed, replications), results)


def _runner(pool: SupervisedPool | None) -> Runner:
    """Replications in the pool (a broken pool replaced and the work run again), or here without one."""

    def compute(scenario: Scenario, seed: int, replications: int, progress: Progress | None) -> Results:
        if pool is None:
            return run_experiment(scenario, replications, seed, workers=1, progress=progress)
        return pool.run(lambda executor: run_experiment(scenario, replications, seed, executor=executor,
                                                        progress=progress))

    return compute


def run_study(study: Study, progress: Progress | None = None) -> StudyResults:
    """A study's runs from the cache or computed now in the server's pool; `progress` counts both runs."""
    return study.run(cache=StudyCache(_cache()), runner=_runner(_pool()), progress=progress)


def cached_study(study: Study) -> StudyResults | None:
    """A study from the cache alone, or None when one of its runs has been pushed out."""
    return study.cached(StudyCache(_cache()))


def run(scenario: Scenario, seed: int, replications: int, progress: Callable[[int, int], None] | None = None) -> Results:
    """Results of the run, from the cache or computed now (in the pool when there is one)."""
    return run_with(_pool(), _cache(), scenario, seed, replications, progress)


def run_with(pool: SupervisedPool | None, cache: _Cache, scenario: Scenario, seed: int, replications: int,
             progress: Callable[[int, int], None] | None = None) -> Results:
    """`run` with the pool and cache given: usable from a background thread (no Streamlit calls)."""
    key = run_key(scenario, seed, replications)
    found = cache.get(key)
    if found is not None:
        if progress:
            progress(replications, replications)
        return found
    results = _runner(pool)(scenario, seed, replications, progress)
    cache.put(key, results)
    return results


def batch_with(pool: SupervisedPool | None, cache: _Cache, scenarios: list[Scenario], seed: int, replications: int,
               progress: Callable[[int, int], None] | None = None) -> list[Results]:
    """Several runs together: what the cache lacks goes to the pool at once (a round's distinct decisions)."""
    keys = [run_key(s, seed, replications) for s in scenarios]
    found = {k: r for k in keys if (r := cache.get(k)) is not None}
    todo = [(k, s) for k, s in dict(zip(keys, scenarios)).items() if k not in found]
    for (k, _), results in zip(todo, run_batch(pool, [s for _, s in todo], seed, replications, progress)):
        cache.put(k, results)
        found[k] = results
    return [found[k] for k in keys]


def background_runner() -> Callable[[Scenario, int, int], Results]:
    """A runner for the training worker's thread, bound to this server's pool and cache."""
    pool, cache = _pool(), _cache()
    return lambda scenario, seed, replications: run_with(pool, cache, scenario, seed, replications)


def background_batch() -> Callable[[list[Scenario], int, int, Callable[[int, int], None] | None], list[Results]]:
    """A batch runner for the training worker: a round's distinct decisions over the pool together."""
    pool, cache = _pool(), _cache()
    return lambda scenarios, seed, replications, progress: batch_with(pool, cache, scenarios, seed, replications, progress)


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
            out.append((str(path), validated.scenario_file(path), None))  # validated once per content
        except ScenarioError as error:
            out.append((str(path), None, error.problems[0] if error.problems else None))
    return out
