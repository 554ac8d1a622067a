"""Session integrity: while a session is in play the sandbox never runs with its seed, and a trainer
may close the sandbox for teams; the sandbox and team pages say which."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import app_database_url, app_environment, one_day_hall
from streamlit.testing.v1 import AppTest

from sim.experiment import DEFAULT_SEED
from sim.store import Store
from sim.training import Training
from sim.training.sandbox import MAX_SEED, InPlay, sandbox_closed, sandbox_seed, sessions_in_play, set_sandbox_closed

APP = str(Path(__file__).resolve().parents[1] / "app.py")
SEED = DEFAULT_SEED  # the sandbox's default seed: the easiest one to steal a session's answers with


def test_a_session_is_in_play_from_its_first_round_to_its_last(tmp_path: Path) -> None:
    service = Training(Store(f"sqlite:///{tmp_path / 't.db'}"))
    code = service.create_session(one_day_hall(), seed=SEED, replications=2, rounds_count=1)
    assert sessions_in_play(service) == []  # not started yet
    service.open_round(code, 1)
    assert sessions_in_play(service) == [InPlay(code, SEED, False)]
    set_sandbox_closed(service, code, True, "Anna")
    assert sandbox_closed(service, code) and sessions_in_play(service)[0].sandbox_closed
    set_sandbox_closed(service, code, False, "Anna")
    assert not sandbox_closed(service, code)
    service.close_round(code, 1)
    from builders import local_runner

    from sim.training import Worker
    Worker(service, local_runner).run_once()
    assert sessions_in_play(service) == []  # its last round closed: the sandbox is free again


def test_the_sandbox_seed_is_never_a_session_in_play() -> None:
    in_play = [InPlay("A", 42, False), InPlay("B", 43, False), InPlay("C", MAX_SEED, False)]
    assert sandbox_seed(42, in_play) == 44
    assert sandbox_seed(7, in_play) == 7
    assert sandbox_seed(MAX_SEED, in_play) == 0


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    app_environment(tmp_path, monkeypatch)
    url = app_database_url(tmp_path)
    return url


def _sandbox(**state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page("dashboard/pages/sandbox.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_sandbox_page_moves_the_seed_or_closes_and_says_so(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=SEED, replications=2, rounds_count=2)
    service.open_round(code, 1)
    at = _sandbox()
    assert at.number_input(key="sandbox.seed").value == SEED
    assert any(code in c.value and "never runs with a session's seed" in c.value for c in at.caption)
    assert any(f"Seed {SEED} belongs to a session in play: this run uses seed {SEED + 1}." == i.value for i in at.info)
    at.number_input(key="sandbox.reps").set_value(2)
    at.button(key="sandbox.run").click().run()
    assert not at.exception, at.exception
    assert at.session_state["sandbox.last"]["seed"] == SEED + 1  # the run did not use the session's readers
    set_sandbox_closed(service, code, True)
    at = _sandbox()
    assert any("The sandbox is closed while a training session is in play" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "sandbox.run"]
    trainer = _sandbox(trainer="Anna")  # the trainer may still use it
    assert [b for b in trainer.button if b.key == "sandbox.run"]
