"""Session archives: gzip or plain, within limits, checked against the rules of play, imported in one transaction."""

from __future__ import annotations

import copy
import gzip
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from builders import ROOT, local_runner, one_day_hall

from sim.store import Store
from sim.training import Training, TrainingError, Worker
from sim.training import archive_check as check
from sim.training.archive_check import pack_archive, read_archive


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


@pytest.fixture
def played(service: Training) -> tuple[str, dict[str, Any]]:
    """A session with round 1 closed, a team that joined after it, round 2 closed with two decisions."""
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=3)
    service.join(code, "Owls")
    service.join(code, "Hedgehogs")
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    service.reveal(code, 1)
    service.join(code, "Latecomers")
    service.open_round(code, 2)
    service.submit(code, "Owls", 2, ["five_s_desk"], {"why": "5S"})
    service.submit(code, "Latecomers", 2, ["standard_work"])
    service.close_round(code, 2)
    Worker(service, local_runner).run_once()
    return code, json.loads(json.dumps(service.export_session(code)))


def _boards(service: Training, code: str) -> list[Any]:
    return [[(r["team"], r["tools"], r["score"]) for r in service.leaderboard(code, n)] for n in (1, 2)]


def test_a_gzip_archive_round_trips_with_late_teams_kept(service: Training, played: tuple[str, dict[str, Any]]) -> None:
    code, document = played
    packed = pack_archive(document)
    assert packed[:2] == b"\x1f\x8b" and len(packed) < len(json.dumps(document)) / 2
    copy_code = service.import_session(read_archive(packed))
    assert _boards(service, copy_code) == _boards(service, code)
    assert "Latecomers" not in [r["team"] for r in service.leaderboard(copy_code, 1)]
    assert service.decision(copy_code, "Owls", 2).notes == {"why": "5S"}
    again = service.import_session(read_archive(json.dumps(document).encode("utf-8")))  # plain JSON too
    assert _boards(service, again) == _boards(service, code)


def _refused(service: Training, document: Any, key: str | None = None) -> TrainingError:
    before = service.list_sessions()
    with pytest.raises(TrainingError) as caught:
        service.import_session(document)
    assert service.list_sessions() == before  # nothing half-imported
    if key:
        assert caught.value.key == key, caught.value
    return caught.value


def test_an_archive_nested_too_deep_is_refused_without_recursion_error(service: Training) -> None:
    deep = ("[" * 100_000 + "]" * 100_000).encode()
    with pytest.raises(TrainingError) as caught:
        read_archive(deep)
    assert caught.value.key == "training.refused.archive_too_deep"
    nested: Any = []
    for _ in range(100):
        nested = [nested]
    _refused(service, {"format": "lean-library-trainer/session", "scenario": nested},
             "training.refused.archive_too_deep")


@pytest.mark.parametrize("change, key", [
    (lambda d: d.update(replications=0), "training.err.replications"),
    (lambda d: d.update(teams=[f"team {i}" for i in range(1000)]), "training.refused.archive_teams"),
    (lambda d: d["decisions"][0].update(new_tools=["five_s_desk", "standard_work", "visual_management"],
                                        tools=["five_s_desk", "standard_work", "visual_management"]),
     "training.refused.archive_decision"),
    (lambda d: d["decisions"][0].update(new_tools=["rfid_kiosk"], tools=["rfid_kiosk"]), "training.refused.archive_decision"),
    (lambda d: d["results"].append({**d["results"][0], "round": 999}), "training.refused.archive_round"),
    (lambda d: d["results"][0]["payload"]["replications"].pop(), "training.refused.archive_results"),
    (lambda d: d["results"][0]["payload"]["replications"][0]["kpis"].update(wait_mean="x"), "training.refused.archive_results"),
    (lambda d: d["round_states"][0].update(status="pending"), "training.refused.archive_states"),
    (lambda d: d["round_states"][0].update(status="open"), "training.refused.archive_states"),
    (lambda d: d["round_states"].pop(), "training.refused.archive_states"),
    (lambda d: d.update(teams=["Owls", "OWLS ", "Latecomers"]), "training.refused.archive_team"),
    (lambda d: d.update(teams=["\u200b", "Owls", "Latecomers"]), "training.refused.archive_team"),
    (lambda d: d.update(results=[r for r in d["results"] if r["round"] != 2]), "training.refused.archive_results"),
    (lambda d: d["decisions"].append(copy.deepcopy(d["decisions"][0])), "training.refused.archive_decision"),
])
def test_an_archive_that_live_play_could_not_produce_is_refused(service: Training, played: tuple[str, dict[str, Any]],
                                                                change: Any, key: str) -> None:
    _, document = played
    change(document)
    _refused(service, document, key)


def test_a_compressed_bomb_and_a_huge_upload_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(check, "MAX_UNPACKED_MB", 1)
    bomb = gzip.compress(b"[" + b"0," * 1_000_000 + b"0]")
    with pytest.raises(TrainingError) as caught:
        read_archive(bomb)
    assert caught.value.key == "training.refused.archive_too_large"
    monkeypatch.setattr(check, "MAX_ARCHIVE_MB", 1)
    with pytest.raises(TrainingError):
        read_archive(b" " * (2 * 1024 * 1024))
    with pytest.raises(TrainingError) as caught:
        read_archive(b"\x1f\x8bnot gzip at all")
    assert caught.value.key == "training.refused.archive_unreadable"


def test_the_upload_limit_fits_the_largest_archive_the_code_accepts() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] >= check.MAX_ARCHIVE_MB


@pytest.mark.slow
def test_a_40_team_5_round_30_replication_archive_fits_the_upload_limit(service: Training) -> None:
    """Every team with its own decision in every round (the largest archive): gzipped, under the limit."""
    from sim.experiment import run_experiment
    from sim.scenario import load_scenario
    from sim.training import results_to_payload

    scenario = load_scenario(ROOT / "scenarios" / "central-lending-hall.yaml")
    payload = json.dumps(results_to_payload(run_experiment(scenario, 30, 7, workers=2)))
    fake = json.loads(payload)
    fake["seed"] = 7
    code = service.create_session(scenario, seed=7, replications=30)
    teams = [f"team {i:02d}" for i in range(40)]
    for name in teams:
        service.join(code, name)
    session_id = service.session(code).id
    for n in range(1, 6):
        service.open_round(code, n)
        offer = [x for r in scenario.rounds[:n] for x in r.offer]
        for i, name in enumerate(teams):
            kept = service.kept_tools(code, name, n)
            free = [x for x in offer if x not in kept]
            for pick in ([free[i % len(free)]] if free else [], []):
                try:
                    service.submit(code, name, n, pick)
                    break
                except TrainingError:
                    continue
        service.close_round(code, n)
        # every distinct decision gets a (copied) result of the real size, instead of 165 computations
        with service.store.read() as conn:
            wanted = service._wanted(conn, session_id, n)
        assert service._store_and_close(session_id, n, {key: json.dumps(fake) for key in wanted})
    document = service.export_session(code)
    packed = pack_archive(document)
    size_mb = len(packed) / 1024 / 1024
    print(f"40 teams, 5 rounds, 30 replications: {len(json.dumps(document)) / 1024 / 1024:.1f} MB JSON, "
          f"{size_mb:.1f} MB gzipped")
    assert size_mb < check.MAX_ARCHIVE_MB
    copy_code = service.import_session(read_archive(packed))
    assert len(service.teams(copy_code)) == 40
