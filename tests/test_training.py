"""Training sessions: the store (SQLite, and PostgreSQL when a server is given), the rules, determinism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ROOT, one_day_hall
from sqlalchemy import select

from sim.experiment import Results, run_experiment
from sim.lean import apply_tools
from sim.scenario import Scenario, parse_scenario
from sim.store import SCHEMA_VERSION, Store, StoreError, audit, decisions, schema_version
from sim.training import Training, TrainingError, Worker, payload_to_results, results_to_payload

REPS = 3
SEED = 11
PG_URL = os.environ.get("LEAN_TRAINER_TEST_PG_URL")


def runner(scenario: Scenario, seed: int, replications: int) -> Results:
    return run_experiment(scenario, replications, seed, workers=1)


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'training.db'}"


def _urls() -> list:
    urls = [pytest.param("sqlite", id="sqlite")]
    urls.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(
        not PG_URL and not os.environ.get("CI"), reason="no PostgreSQL server (set LEAN_TRAINER_TEST_PG_URL; CI starts one)")))
    return urls


@pytest.fixture(params=_urls())
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return _sqlite(tmp_path)
    if not PG_URL:
        pytest.fail("CI must provide a PostgreSQL server in LEAN_TRAINER_TEST_PG_URL")
    # a fresh schema for each test: drop what an earlier test left
    store = Store(PG_URL)
    with store.write() as conn:
        for table in ("audit", "results", "observations", "decisions", "team_tokens", "teams", "rounds", "sessions", "store_identity",
                      "schema_version"):
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
    store.close()
    return PG_URL


@pytest.fixture
def service(url: str) -> Training:
    return Training(Store(url))


def _play_to_round_2(service: Training) -> str:
    code = service.create_session(one_day_hall(), seed=SEED, replications=REPS)
    service.join(code, "Совы")
    service.join(code, "Ежи")
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.reveal(code, 1)
    service.open_round(code, 2)
    return code


# --- the store -----------------------------------------------------------------------------------------


def test_a_new_database_gets_the_schema(url: str) -> None:
    store = Store(url)
    assert store.version() == SCHEMA_VERSION
    with store.read() as conn:
        assert conn.execute(select(schema_version.c.version)).scalar() == SCHEMA_VERSION
    Store(url)  # opening again migrates nothing and breaks nothing
    assert Store(url).version() == SCHEMA_VERSION


def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    url = _sqlite(tmp_path)
    store = Store(url)
    with store.write() as conn:
        conn.execute(schema_version.update().values(version=SCHEMA_VERSION + 1))
    with pytest.raises(StoreError, match="newer"):
        Store(url)


def test_an_unreachable_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot be opened"):
        Store(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder' / 'x.db'}")


def test_everything_survives_a_restart(url: str) -> None:
    service = Training(Store(url))
    code = _play_to_round_2(service)
    service.submit(code, "Совы", 2, ["five_s_desk"], {"wastes": "очередь вечером"})
    service.store.close()
    again = Training(Store(url))  # a new process would see the same
    assert [tm.name for tm in again.teams(code)] == ["Совы", "Ежи"]
    decision = again.decision(code, "совы", 2)
    assert decision is not None and decision.tools == ["five_s_desk"] and decision.notes["wastes"] == "очередь вечером"
    assert again.round(code, 1).revealed and again.round(code, 2).status == "open"
    assert again.team_results(code, "Ежи", 1)[1].kpis["wait_mean"].mean is not None


def test_a_round_left_closing_by_a_crash_is_finished_on_restart(url: str) -> None:
    service = Training(Store(url))
    code = _play_to_round_2(service)
    service.submit(code, "Совы", 2, ["five_s_desk"])
    service.close_round(code, 2)  # ... and the server stops before the worker ran
    service.store.close()
    restarted = Training(Store(url))
    assert restarted.round(code, 2).status == "closing"
    assert Worker(restarted, runner).run_once() == 1
    assert restarted.round(code, 2).status == "closed"


SUBMITTER = """
import json, sys
from sim.store import Store
from sim.training import Training
url, code, worker, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
service = Training(Store(url))
codes = {}
for i in range(count):
    team = f"team-{worker}-{i % 4}"
    if team in codes:  # this process acts as the team again, from another device: with the rejoin code
        service.join(code, team, codes[team])
    else:
        codes[team] = service.join(code, team).rejoin_code
    service.submit(code, team, 2, ["five_s_desk"] if i % 2 else ["standard_work"], {"why": f"{worker}:{i}"})
print(count)
"""


@pytest.mark.slow
def test_eight_processes_submitting_at_once_lose_nothing(url: str) -> None:
    """Eight separate processes (as eight browser sessions on a server would be) submit 200 decisions."""
    service = Training(Store(url))
    code = _play_to_round_2(service)
    procs = [subprocess.Popen([sys.executable, "-c", SUBMITTER, url, code, str(w), "25"], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(8)]
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (_, err) in zip(procs, outputs):
        assert p.returncode == 0, err
    assert sum(int(out) for out, _ in outputs) == 200
    rows = service.decisions(code, 2)
    rows = [d for d in rows if d.team.startswith("team-")]
    assert len(rows) == 8 * 4  # one decision per team; the last submission of each team wins
    for d in rows:
        worker, slot = d.team.split("-")[1:]
        last = max(i for i in range(25) if i % 4 == int(slot))
        assert d.notes == {"why": f"{worker}:{last}"}
        assert d.tools == (["five_s_desk"] if last % 2 else ["standard_work"])
    with service.store.read() as conn:
        assert len(conn.execute(select(decisions.c.id)).all()) == 32
        assert len(conn.execute(select(audit.c.id).where(audit.c.action == "submit")).all()) == 200


# --- the rules -----------------------------------------------------------------------------------------


def _nothing_stored(service: Training, code: str, number: int) -> None:
    assert service.decisions(code, number) == []


def test_a_budget_overrun_is_refused_and_nothing_stored(service: Training) -> None:
    code = _play_to_round_2(service)
    with pytest.raises(TrainingError) as info:
        service.submit(code, "Совы", 2, ["five_s_desk", "standard_work", "visual_management"])
    assert info.value.key == "training.err.budget_roubles"
    assert "125\u00a0675 RUB" in str(info.value) and "100\u00a0000 RUB" in str(info.value)
    assert "бюджет" in info.value.text("ru")
    _nothing_stored(service, code, 2)


def test_a_tool_not_offered_this_round_is_refused(service: Training) -> None:
    code = _play_to_round_2(service)
    with pytest.raises(TrainingError) as info:
        service.submit(code, "Совы", 2, ["rfid_kiosk"])
    assert info.value.key == "training.err.not_offered"
    with pytest.raises(TrainingError, match="no such tools"):
        service.submit(code, "Совы", 2, ["magic"])
    _nothing_stored(service, code, 2)


def test_a_duplicate_team_name_is_refused_for_a_new_team_and_resumes_on_join(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=SEED, replications=REPS)
    first = service.join(code, "Совы")
    with pytest.raises(TrainingError) as taken:  # another browser needs the team's rejoin code
        service.join(code, "  совы ")
    assert taken.value.key == "training.refused.rejoin_needed"
    assert service.join(code, "  совы ", first.rejoin_code).id == first.id  # rejoining from another browser
    with pytest.raises(TrainingError) as info:
        service.create_team(code, "СОВЫ")
    assert info.value.key == "training.err.team_taken"
    assert len(service.teams(code)) == 1
    with pytest.raises(TrainingError):
        service.join(code, "   ")


def test_acting_on_a_closed_round_is_refused(service: Training) -> None:
    code = _play_to_round_2(service)
    with pytest.raises(TrainingError) as info:
        service.submit(code, "Совы", 1, [])
    assert info.value.key == "training.err.round_closed"
    with pytest.raises(TrainingError):
        service.submit(code, "Совы", 3, ["pull_stack_runs"])  # not open yet
    with pytest.raises(TrainingError):
        service.close_round(code, 1)
    _nothing_stored(service, code, 1)


def test_a_wrong_session_code_is_refused(service: Training) -> None:
    with pytest.raises(TrainingError) as info:
        service.join("NOPE42", "Совы")
    assert info.value.key == "training.err.no_session"
    assert "NOPE42" in info.value.text("ru")


def test_teams_see_results_only_once_revealed(service: Training) -> None:
    code = _play_to_round_2(service)
    service.submit(code, "Совы", 2, ["five_s_desk"])
    service.close_round(code, 2)
    Worker(service, runner).run_once()
    with pytest.raises(TrainingError) as info:
        service.team_results(code, "Ежи", 2)
    assert info.value.key == "training.err.not_revealed"
    assert service.team_results(code, "Ежи", 2, trainer=True)  # the trainer sees them before revealing
    service.reveal(code, 2)
    assert service.team_results(code, "Ежи", 2)


def test_kept_tools_stay_and_are_not_charged_again(service: Training) -> None:
    code = _play_to_round_2(service)
    service.submit(code, "Совы", 2, ["five_s_desk", "standard_work"])
    service.close_round(code, 2)
    Worker(service, runner).run_once()
    service.reveal(code, 2)
    service.open_round(code, 3)
    decision = service.submit(code, "Совы", 3, ["vsm_remove_waste", "one_piece_reshelving"])  # 5 points of 5
    assert decision.tools == ["five_s_desk", "standard_work", "one_piece_reshelving", "vsm_remove_waste"]
    assert decision.new_tools == ["one_piece_reshelving", "vsm_remove_waste"]


def test_wrong_session_settings_are_refused(service: Training) -> None:
    scenario = one_day_hall()
    with pytest.raises(TrainingError):
        service.create_session(scenario, seed=SEED, replications=0)
    with pytest.raises(TrainingError):
        service.create_session(scenario, seed=SEED, replications=REPS, rounds_count=9)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["rounds"] = []
    with pytest.raises(TrainingError) as info:
        service.create_session(parse_scenario(data), seed=SEED, replications=REPS)
    assert info.value.key == "training.err.no_plan"
    assert service.list_sessions() == []


# --- determinism ---------------------------------------------------------------------------------------


def test_two_teams_with_the_same_decision_get_identical_results(service: Training) -> None:
    code = _play_to_round_2(service)
    calls: list[str] = []

    def counting(scenario: Scenario, seed: int, replications: int) -> Results:
        calls.append(scenario.model_dump_json())
        return runner(scenario, seed, replications)

    service.submit(code, "Совы", 2, ["five_s_desk"])
    service.submit(code, "Ежи", 2, ["five_s_desk"])
    service.close_round(code, 2)
    Worker(service, counting).run_once()
    assert len(calls) == 1  # shared: one decision, one computation (the baseline was done in round 1)
    board = service.leaderboard(code, 2)
    assert board[0]["score"] == board[1]["score"]
    assert board[0]["results"].to_json() == board[1]["results"].to_json()


def test_the_baseline_round_equals_the_sandbox_run(service: Training) -> None:
    code = _play_to_round_2(service)
    stored = service.results_of(code, 1, [])
    sandbox = run_experiment(one_day_hall(), REPS, SEED, workers=1)
    assert stored is not None
    assert json.dumps(stored.to_json(), sort_keys=True) == json.dumps(sandbox.to_json(), sort_keys=True)


def test_stored_results_rebuild_exactly() -> None:
    scenario = apply_tools(one_day_hall(), ["pull_stack_runs"])
    results = run_experiment(scenario, REPS, SEED, workers=1)
    again = payload_to_results(json.loads(json.dumps(results_to_payload(results))))
    assert again.to_json() == results.to_json()
    assert again.hourly == results.hourly


# --- archive -------------------------------------------------------------------------------------------


def test_a_session_exported_and_imported_is_the_same(service: Training) -> None:
    code = _play_to_round_2(service)
    service.submit(code, "Совы", 2, ["five_s_desk"], {"why": "5S"})
    service.close_round(code, 2)
    Worker(service, runner).run_once()
    document = json.loads(json.dumps(service.export_session(code)))
    copy = service.import_session(document)
    assert copy != code
    assert [(r["team"], r["tools"], r["score"]) for r in service.leaderboard(copy, 2)] == \
        [(r["team"], r["tools"], r["score"]) for r in service.leaderboard(code, 2)]
    assert service.decision(copy, "Совы", 2).notes == {"why": "5S"}


@pytest.mark.parametrize("document", [{}, {"format": "something"}, {"format": "lean-library-trainer/session"}, []])
def test_a_broken_archive_is_refused(service: Training, document: object) -> None:
    with pytest.raises(TrainingError):
        service.import_session(document)  # type: ignore[arg-type]
    assert service.list_sessions() == []


# --- structure -----------------------------------------------------------------------------------------


def test_a_sessions_scenario_is_parsed_once_not_on_every_call(service: Training) -> None:
    """A projector refresh with 10 teams re-parsed the scenario about 20 times; now once per session."""
    code = _play_to_round_2(service)
    for i in range(8):
        service.join(code, f"team {i}")
    before = service.scenario_parses
    service.submit(code, "Совы", 2, ["five_s_desk"])
    for _ in range(3):  # what a projector and a team page ask on each refresh
        service.session(code)
        service.current_round(code)
        service.teams(code)
        service.decisions(code, 2)
        service.leaderboard(code, 1)
        service.team_results(code, "Ежи", 1)
    assert service.scenario_parses - before <= 1
    assert service.session(code.lower()).scenario == one_day_hall()


def test_the_round_table_names_every_state_and_action() -> None:
    from sim.training import states

    assert set(states.STATES) == {"pending", "open", "closing", "closed"}
    for action, step in states.TRANSITIONS.items():
        assert step.to in states.STATES and set(step.allowed) <= set(states.STATES), action


def test_a_refused_action_names_the_rounds_state_and_the_action_in_words() -> None:
    """The Russian message showed ids: «в состоянии «closed»: действие «open_round» невозможно»."""
    from sim.training.states import check

    with pytest.raises(TrainingError) as refused:
        check("open_round", {1: "closed"}, 1)
    assert refused.value.text("ru") == "Раунд 1: закрыт, открыть раунд сейчас нельзя."
    assert refused.value.text("en") == "Round 1 is closed: you cannot open the round now."
