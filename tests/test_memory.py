"""The memory budget: runaway scenarios stop quickly with a clear message, under the memory limit.

Each heavy case runs in a child process that reports its own peak RSS (`resource.getrusage`), so
the test measures what the run really took, not this test process.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import yaml
from builders import ROOT, build, changed, mmc, small_library

from sim.distributions import Fixed
from sim.eventlog import Ev, LogBuilder
from sim.experiment import memory_limit_mb, run_experiment
from sim.lean import apply_tools
from sim.metrics import compute_metrics
from sim.model import DEFAULT_LIMIT_MB, RunawayScenario, check_memory, estimate_memory, simulate
from sim.model.budget import Budget
from sim.scenario import load_scenario

CHILD = textwrap.dedent("""
    import json, resource, sys, time
    sys.path.insert(0, "tests")
    from builders import build
    from sim.experiment import run_experiment
    from sim.model import RunawayScenario
    data = json.loads(sys.argv[1])
    started = time.process_time()
    try:
        run_experiment(build(data), 1, 1, workers=1)
        outcome = "finished"
    except RunawayScenario as error:
        outcome = error.key + ": " + str(error)
    # VmHWM: this process's own peak; ru_maxrss would carry over the RSS of the (large) test process
    # that forked it, since Linux keeps it across exec
    try:
        peak_mb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024
    except (OSError, StopIteration):
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"outcome": outcome, "peak_mb": peak_mb, "cpu_s": time.process_time() - started}))
""")


def run_child(data: dict, limit_mb: int | None = None) -> dict:
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    if limit_mb is not None:
        env["LEAN_SIM_MEMORY_MB"] = str(limit_mb)
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(data)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


# --- the estimate -----------------------------------------------------------------------------------


def test_every_shipped_scenario_with_every_tool_fits_the_default_limit() -> None:
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        for variant in (scenario, apply_tools(scenario, list(scenario.tools))):
            estimate = check_memory(variant, DEFAULT_LIMIT_MB)
            assert estimate.mb < DEFAULT_LIMIT_MB / 2, (path.name, estimate)


def test_the_estimate_counts_readers_steps_books_and_items() -> None:
    base = estimate_memory(build(small_library()))
    assert base.readers == pytest.approx(2 * (20 + 30 + 40 + 25))
    assert base.books > 0 and base.items > 0
    more = estimate_memory(build(changed(small_library(), "arrivals.scale", 10.0)))
    assert more.readers == pytest.approx(10 * base.readers) and more.bytes > base.bytes


def test_two_million_readers_at_one_desk_are_refused_before_the_run(tmp_path: Path) -> None:
    data = mmc(1, 5000, 4.0, 400)  # 2,000,000 readers at one desk
    with pytest.raises(RunawayScenario, match="memory limit of 1,024 MB") as info:
        run_experiment(build(data), 30, 1, workers=2)  # refused before any process starts
    assert info.value.key == "memory_before"
    assert "1\u00a0024 МБ" in info.value.text("ru")
    path = tmp_path / "huge.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sim.cli", "run", str(path), "-r", "3"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "memory limit of 1,024 MB per replication" in done.stderr


# --- the guard while the run goes -------------------------------------------------------------------


def test_a_queue_growing_without_end_stops_under_the_default_limit() -> None:
    # 800,000 readers at one desk serving 15 an hour: the estimate lets it start, the queue does not
    got = run_child(mmc(1, 5000, 4.0, 160))
    assert got["outcome"].startswith("memory_during: the run was stopped before it passed the memory limit")
    assert got["peak_mb"] < DEFAULT_LIMIT_MB, got
    assert got["cpu_s"] < 60, got


def test_the_limit_comes_from_the_environment() -> None:
    got = run_child(mmc(1, 5000, 4.0, 40), limit_mb=400)  # 200,000 readers: fits 1 GB, not 400 MB
    assert got["outcome"].startswith("memory_during") and "400 MB" in got["outcome"]
    assert got["peak_mb"] < 400, got
    assert memory_limit_mb({"LEAN_SIM_MEMORY_MB": "2048"}) == 2048
    assert memory_limit_mb({}) == DEFAULT_LIMIT_MB
    with pytest.warns(UserWarning, match="LEAN_SIM_MEMORY_MB"):
        assert memory_limit_mb({"LEAN_SIM_MEMORY_MB": "lots"}) == DEFAULT_LIMIT_MB


def test_a_step_returning_astronomically_many_books_stops_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # built past the validator on purpose: the model guards itself whatever the file's bounds are
    scenario = build(small_library())
    steps = {sid: step.model_copy(update={"returns_books": Fixed.model_construct(dist="fixed", value=1e300)})
             if step.returns_books is not None else step for sid, step in scenario.steps.items()}
    huge = scenario.model_copy(update={"steps": steps})
    with pytest.raises(RunawayScenario) as info:
        simulate(huge, 1, 0)
    assert info.value.key == "memory_before"  # the estimate sees the books coming
    # and without the estimate, the guard stops the first return before a single book is counted
    monkeypatch.setattr("sim.model.root.check_memory", lambda *_: None)
    with pytest.raises(RunawayScenario) as info:
        simulate(huge, 1, 0)
    assert info.value.key == "memory_during"


def test_the_event_budget_follows_the_memory_limit() -> None:
    scenario = build(mmc(1, 60, 4.0, 10))
    budget = Budget(scenario, 300)
    budget.check(1_000_000, 0, 0)  # 1,000,000 events fit 300 MB
    with pytest.raises(RunawayScenario, match="memory limit of 300 MB"):
        budget.check(2_000_000, 0, 0)
    with pytest.raises(RunawayScenario, match="max_events"):
        budget.check(scenario.max_events + 1, 0, 0)
    with pytest.raises(RunawayScenario):
        budget.check(0, 0, 0, float("nan"))


def test_a_runaway_error_survives_pickling_with_its_message() -> None:
    error = RunawayScenario("events", max=5000)
    again = pickle.loads(pickle.dumps(error))
    assert (again.key, again.params, str(again)) == ("events", {"max": 5000}, str(error))
    assert "5\u00a0000" in again.text("ru")


# --- the figures of a run that ends with long queues ------------------------------------------------


def test_readers_still_queued_at_the_end_count_their_wait() -> None:
    # a desk serving 15 readers an hour, 300 arriving: at the end most are still in the queue; before,
    # they counted as having waited 0 minutes, so wait_p90 (0 on a big enough run) fell below the mean
    scenario = build(mmc(1, 300, 4.0, 24))
    log = simulate(scenario, 1, 0)
    kpis = compute_metrics(scenario, log).kpis
    still = log.kind == Ev.WAIT_AT_END
    assert still.sum() > 0.8 * kpis["readers_arrived"]
    assert (log.value[still] > 0).all()
    assert kpis["wait_p90"] > kpis["wait_mean"] > 60 * 10


def test_compacting_the_log_keeps_every_row() -> None:
    rows = np.random.default_rng(1).random((1000, 8)) * 100
    whole, chunked = LogBuilder(), LogBuilder()
    for i, row in enumerate(rows.tolist()):
        whole.rows.extend(row)
        chunked.rows.extend(row)
        if i % 97 == 0:
            chunked.compact()
    assert len(chunked) == len(whole) == 1000
    a, b = whole.columns(), chunked.columns()
    assert all(np.array_equal(a[k], b[k]) for k in a)
