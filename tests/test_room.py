"""A real room: late teams, double clicks on the trainer's console (issue: a session that survives a room)."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import app_environment, local_runner, one_day_hall
from streamlit.testing.v1 import AppTest

from sim.store import Store
from sim.training import Training, TrainingError, Worker

APP = str(Path(__file__).resolve().parents[1] / "app.py")


runner = local_runner


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def play_round_1(service: Training, code: str) -> None:
    service.open_round(code, 1)
    service.submit(code, "Owls", 1, [])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.reveal(code, 1)


def test_a_late_team_did_not_play_round_1_and_is_told_so(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, "Owls")
    play_round_1(service, code)
    service.join(code, "Latecomers")
    with pytest.raises(TrainingError) as caught:
        service.team_results(code, "Latecomers", 1)
    assert caught.value.key == "training.err.not_played"
    # the trainer's comparison of that team goes through the same call
    with pytest.raises(TrainingError):
        service.team_results(code, "Latecomers", 1, trainer=True)
    assert service.team_results(code, "Owls", 1)[0] == []


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    app_environment(tmp_path, monkeypatch)
    return f"sqlite:///{tmp_path / 'training.db'}"


def page(name: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"dashboard/pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_team_that_joins_after_round_1_sees_its_page_without_an_error(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    play_round_1(service, code)
    service.open_round(code, 2)
    service.join(code, "Latecomers")
    late = page("team", team=(code, "Latecomers"))
    assert not at_error_boxes(late)
    # it sees the library as it is for round 1, said plainly
    assert any("joined after round 1" in c.value for c in late.caption)
    assert any(h.value.startswith("Results of round 1") for h in late.subheader)
    # it plays round 2, and after the reveal sees its results
    late.button(key=f"team.submit.{code}.2").click().run()
    service.submit(code, "Owls", 2, [])
    service.close_round(code, 2)
    Worker(service, runner).run_once()
    service.reveal(code, 2)
    late.run()
    assert not late.exception, late.exception
    assert any(h.value.startswith("Results of round 2") for h in late.subheader)


def at_error_boxes(at: AppTest) -> list[str]:
    return [e.value for e in at.error] + [str(e.value) for e in at.exception]


def test_a_double_click_on_reveal_does_not_reopen_the_round(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    trainer = page("trainer", trainer="Anna", **{"trainer.code": code})
    reveal = f"trainer.reveal.{code}.1"
    trainer.button(key=reveal).click().run()
    assert service.round(code, 1).revealed
    # the second click of a double click lands on whatever now stands where "Reveal" stood
    second = [b for b in trainer.button if b.key and b.key.startswith(f"trainer.reopen.{code}.1")]
    assert second, "a reopen control is still offered after the reveal"
    second[0].click().run()
    assert not trainer.exception, trainer.exception
    r = service.round(code, 1)
    assert r.status == "closed" and r.revealed, "one click reopened a revealed round"
    # reopening needs a deliberate confirmation
    trainer.button(key=f"trainer.reopen_confirm.{code}.1").click().run()
    assert service.round(code, 1).status == "open"
