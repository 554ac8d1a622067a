"""The supervised worker and pool: errors shown on the round, a killed replication process replaced,
pool processes ending with the server, rounds computed together with progress, and a worker that
starts with the server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import ROOT, local_runner, one_day_hall, wait_for

from sim.experiment import Results, run_experiment
from sim.pool import SupervisedPool, run_batch
from sim.scenario import Scenario
from sim.store import Store, StoreError
from sim.training import Training, Worker


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def _closing_round(service: Training, teams: int = 1) -> str:
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    for i in range(teams):
        service.join(code, f"team {i}")
    service.open_round(code, 1)
    service.close_round(code, 1)
    return code


def test_a_database_error_does_not_kill_the_worker(service: Training, monkeypatch: pytest.MonkeyPatch) -> None:
    code = _closing_round(service)
    real = service.closing_rounds

    def locked() -> list[tuple[str, int]]:
        raise StoreError("the training database could not be read: database is locked")

    monkeypatch.setattr(service, "closing_rounds", locked)
    worker = Worker(service, local_runner, interval=0.05).start()
    try:
        wait_for(lambda: worker.failures >= 2, 20)
        assert worker.alive()
        monkeypatch.setattr(service, "closing_rounds", real)  # the lock is gone: the round is finished
        wait_for(lambda: service.round(code, 1).status == "closed", 60)
    finally:
        worker.stop()


def test_a_failed_computation_is_shown_on_the_round_and_can_be_retried(service: Training) -> None:
    code = _closing_round(service)

    def broken(scenario: Scenario, seed: int, replications: int) -> Results:
        raise MemoryError()

    worker = Worker(service, broken, interval=0.05).start()
    try:
        wait_for(lambda: service.round(code, 1).error is not None, 20)
        assert worker.alive() and service.round(code, 1).status == "closing"
        assert "MemoryError" in (service.round(code, 1).error or "")
        # storing the failure fails too (the database went away): still alive
        service.mark_failed = lambda *a: (_ for _ in ()).throw(StoreError("gone"))  # type: ignore[method-assign]
        service.retry_round(code, 1)
        time.sleep(0.5)
        assert worker.alive()
    finally:
        worker.stop()
    del service.mark_failed
    service.retry_round(code, 1)
    Worker(service, local_runner).run_once()
    assert service.round(code, 1).status == "closed" and service.round(code, 1).error is None


def test_a_killed_replication_process_is_replaced() -> None:
    pool = SupervisedPool(1)
    scenario = one_day_hall()
    try:
        first = run_batch(pool, [scenario], 4, 1)
        for pid in list(pool.executor()._processes):  # as the out-of-memory killer would
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        again = run_batch(pool, [scenario], 4, 1)
        assert pool.replaced == 1
        assert again[0].to_json() == first[0].to_json()
    finally:
        pool.shutdown()


CHILDREN = """
import os, sys, time
from sim.pool import SupervisedPool
pool = SupervisedPool(2)
pool.run(lambda ex: [f.result() for f in [ex.submit(os.getpid) for _ in range(4)]])
print(" ".join(str(p) for p in pool.executor()._processes), flush=True)
time.sleep(60)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its (gone) parent to reap it is not running
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split()[2] != "Z"
    except OSError:
        return False


def test_pool_processes_end_with_their_parent() -> None:
    parent = subprocess.Popen([sys.executable, "-c", CHILDREN], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert parent.stdout is not None
    children = [int(p) for p in parent.stdout.readline().split()]
    assert children and all(_alive(p) for p in children)
    parent.send_signal(signal.SIGKILL)  # no clean shutdown, as when the server is killed
    parent.wait()
    wait_for(lambda: not any(_alive(p) for p in children), 15)


def test_a_rounds_decisions_are_computed_together_with_progress(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    for name in ("a", "b", "c"):
        service.join(code, name)
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    service.reveal(code, 1)
    service.open_round(code, 2)
    service.submit(code, "a", 2, ["five_s_desk"])
    service.submit(code, "b", 2, ["standard_work"])
    service.submit(code, "c", 2, ["five_s_desk"])
    service.close_round(code, 2)
    calls: list[int] = []
    seen: list[tuple[int, int]] = []

    def batch(scenarios: list[Scenario], seed: int, replications: int, progress) -> list[Results]:
        calls.append(len(scenarios))

        def watch(done: int, total: int) -> None:
            seen.append((done, total))
            if progress:
                progress(done, total)
        return run_batch(None, scenarios, seed, replications, watch)

    Worker(service, batch=batch).run_once()
    assert calls == [2]  # two distinct new decisions, in one batch (the baseline came from round 1)
    assert seen[-1] == (4, 4)
    assert service.round_progress(code, 2) == (4, 4)
    assert service.round(code, 2).status == "closed"
    serial = run_experiment(__import__("sim.lean", fromlist=["apply_tools"]).apply_tools(one_day_hall(), ["standard_work"]),
                            2, 3, workers=1)
    assert service.results_of(code, 2, ["standard_work"]).to_json() == serial.to_json()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_the_worker_starts_with_the_server_before_any_page_is_opened(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'training.db'}"
    service = Training(Store(url))
    code = _closing_round(service)  # as a restart would leave it
    env = {**os.environ, "LEAN_TRAINER_DB_URL": url, "LEAN_TRAINER_WORKERS": "1", "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen([sys.executable, "-m", "dashboard.serve", "--server.headless", "true",
                               "--server.port", str(_free_port()), "--server.address", "127.0.0.1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: service.round(code, 1).status == "closed", 90)  # no page was opened
    finally:
        server.terminate()
        server.wait(timeout=30)
