"""Round rules hold under concurrent trainers: random actions from several processes on one database.

Each process plays a trainer (open, close, reopen, reveal), a team (submit) and a worker (compute) at
random, with a seeded generator. Afterwards the audit log is replayed in commit order and the
invariants are checked: at most one round running at any moment; every decision pays for its new
tools within its round's budget on top of what the team kept; every closed round has a result for
every decision in force. Runs on SQLite and (when a server is given) on PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ROOT, one_day_hall
from sqlalchemy import select

from sim.lean import check_choice
from sim.store import Store, audit
from sim.training import Training, tools_key

PG_URL = os.environ.get("LEAN_TRAINER_TEST_PG_URL")
PROCESSES = 4
ACTIONS = 150

PLAYER = """
import random, sys, time
from builders import one_day_hall
from sim.experiment import run_experiment
from sim.store import Store, StoreError
from sim.training import Training, TrainingError
url, code, seed, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
service = Training(Store(url))
rng = random.Random(seed)
fixed = run_experiment(one_day_hall(), 1, 1, workers=1)
def runner(scenario, s, n):
    time.sleep(rng.random() * 0.05)  # a slow computation widens the window for races
    return fixed
teams = [t.name for t in service.teams(code)]
scenario = service.session(code).scenario
rounds = service.session(code).rounds
refused = 0
for _ in range(count):
    current = service.current_round(code)
    # act mostly around the round in play, where trainers' clicks collide
    n = min(rounds, max(1, (current.number if current else 1) + rng.choice([-1, 0, 0, 1])))
    offered = [x for r in scenario.rounds[:n] for x in r.offer]
    action = rng.choice(["open", "close", "reopen", "reveal", "submit", "submit", "compute"])
    try:
        if action == "open":
            service.open_round(code, n)
        elif action == "close":
            service.close_round(code, n)
        elif action == "reopen":
            service.reopen_round(code, n)
        elif action == "reveal":
            service.reveal(code, n)
        elif action == "submit":
            service.submit(code, rng.choice(teams), n, rng.sample(offered, min(len(offered), rng.randint(0, 3))))
        else:
            for c, number in service.closing_rounds():
                service.compute_round(c, number, runner)
    except TrainingError:
        refused += 1
print(refused)
"""


def _urls() -> list:
    return [pytest.param("sqlite", id="sqlite"),
            pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(
                not PG_URL and not os.environ.get("CI"), reason="no PostgreSQL server (set LEAN_TRAINER_TEST_PG_URL)"))]


@pytest.fixture(params=_urls())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'training.db'}"
    if not PG_URL:
        pytest.fail("CI must provide a PostgreSQL server in LEAN_TRAINER_TEST_PG_URL")
    store = Store(PG_URL)
    with store.write() as conn:
        for table in ("audit", "results", "observations", "drafts", "decisions", "team_tokens", "teams", "rounds", "sessions", "store_identity",
                      "schema_version"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    store.close()
    return PG_URL


def _replay_running(service: Training, code: str) -> None:
    """Replay the round transitions in commit order: never two rounds running at once."""
    session_id = service.session(code).id
    with service.store.read() as conn:
        rows = conn.execute(select(audit.c.action, audit.c.detail).where(audit.c.session_id == session_id)
                            .order_by(audit.c.id)).all()
    status = dict.fromkeys(range(1, service.session(code).rounds + 1), "pending")
    moves = {"open_round": "open", "reopen_round": "open", "close_round": "closing", "round_closed": "closed"}
    for action, detail in rows:
        if action in moves:
            status[json.loads(detail)["round"]] = moves[action]
            running = [n for n, s in status.items() if s in ("open", "closing")]
            assert len(running) <= 1, f"two rounds running after {action}: {running}"
    assert {r.number: r.status for r in service.rounds(code)} == status


def _check_decisions_paid(service: Training, code: str) -> None:
    scenario = service.session(code).scenario
    for team in service.teams(code):
        kept: list[str] = []
        for n in range(1, service.session(code).rounds + 1):
            d = service.decision(code, team.name, n)
            if d is None:
                continue
            # raises if the new tools are not offered or cost more than the round's budget
            assert check_choice(scenario, n, kept, d.new_tools) == d.tools, (team.name, n)
            assert sorted(set(d.tools) - set(kept)) == sorted(d.new_tools)
            kept = d.tools


def _check_closed_rounds_complete(service: Training, code: str) -> None:
    for r in service.rounds(code):
        if r.status != "closed":
            continue
        assert service.results_of(code, r.number, []) is not None
        for team, tools in service.tools_in_force(code, r.number).items():
            assert service.results_of(code, r.number, tools) is not None, (r.number, team, tools_key(tools))


@pytest.mark.slow
def test_concurrent_trainer_actions_keep_the_round_rules(url: str) -> None:
    service = Training(Store(url))
    code = service.create_session(one_day_hall(), seed=5, replications=1)
    for name in ("Owls", "Hedgehogs", "Foxes"):
        service.join(code, name)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    procs = [subprocess.Popen([sys.executable, "-c", PLAYER, url, code, str(seed), str(ACTIONS)], cwd=ROOT, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in range(PROCESSES)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err[-3000:]
    # let every closing round finish, then check
    for c, number in service.closing_rounds():
        service.compute_round(c, number, lambda s, seed, n: service.results_of(code, 1, []) or _one(s))
    _replay_running(service, code)
    _check_decisions_paid(service, code)
    _check_closed_rounds_complete(service, code)
    with service.store.read() as conn:
        assert len(conn.execute(select(audit.c.id).where(audit.c.action == "submit")).all()) > 0


def _one(scenario):  # a last computation in this process when no round-1 results exist yet
    from sim.experiment import run_experiment

    return run_experiment(scenario, 1, 5, workers=1)
