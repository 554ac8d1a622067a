"""Guessing is slowed down and locked out; acting as a team from another device needs its rejoin code."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import one_day_hall

from sim.guard import AttemptGuard, GuardRules
from sim.store import Store
from sim.training import Training, TrainingError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_guard_slows_down_then_locks_out_then_forgets() -> None:
    clock = Clock()
    guard = AttemptGuard(GuardRules(), clock)
    waits = []
    for _ in range(6):
        guard.failed("a")
        waits.append(guard.wait("a"))
    assert waits == [0, 0, 2, 4, 8, 60]  # free, free, then longer waits, then a short lockout
    assert guard.wait("b") == 0  # another client is not held up
    clock.now += 61
    assert guard.wait("a") == 0
    guard.succeeded("a")
    guard.failed("a")
    assert guard.wait("a") == 0  # a right attempt started the count again


def test_many_wrong_attempts_from_everyone_lock_everyone_out_briefly() -> None:
    clock = Clock()
    guard = AttemptGuard(GuardRules(global_limit=10), clock)
    for i in range(10):
        guard.failed(f"client {i}")
    assert guard.wait("someone else") == 30
    clock.now += 31
    assert guard.wait("someone else") == 0


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def test_wrong_session_codes_are_slowed_down_per_client(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    keys = []
    for _ in range(5):
        with pytest.raises(TrainingError) as caught:
            service.join("NOPE42", "Owls", client="10.0.0.7")
        keys.append(caught.value.key)
    assert keys[:3] == ["training.err.no_session"] * 3 and keys[-1] == "training.refused.slow_down"
    assert "Подождите" in caught.value.text("ru")
    with pytest.raises(TrainingError) as held:  # even the right code waits now, for this client
        service.join(code, "Owls", client="10.0.0.7")
    assert held.value.key == "training.refused.slow_down"
    assert service.join(code, "Owls", client="10.0.0.8").name == "Owls"  # another client is not held up


def test_another_device_needs_the_rejoin_code(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    first = service.join(code, "Owls")
    assert first.token and len(first.token) >= 30 and first.rejoin_code and len(first.rejoin_code) == 6
    assert service.team_by_token(code, first.token).name == "Owls"
    for typed, key in ((None, "training.refused.rejoin_needed"), ("WRONG1", "training.refused.rejoin_wrong")):
        with pytest.raises(TrainingError) as caught:
            service.join(code, "owls", typed, client="phone")  # anyone with the session code, typing the name
        assert caught.value.key == key
    second = service.join(code, "OWLS", first.rejoin_code.lower(), client="phone")
    assert second.id == first.id and second.token != first.token and second.rejoin_code == first.rejoin_code
    assert service.team_by_token(code, second.token).id == first.id
    assert service.team_by_token(code, first.token).rejoin_code is None  # shown once, on joining
    with pytest.raises(TrainingError) as unknown:
        service.team_by_token(code, "not a token")
    assert unknown.value.key == "training.refused.no_token"


def test_the_trainer_resets_a_rejoin_code(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    first = service.join(code, "Owls")
    fresh = service.reset_rejoin_code(code, "Owls", actor="Anna")
    assert fresh != first.rejoin_code
    with pytest.raises(TrainingError):
        service.join(code, "Owls", first.rejoin_code)
    with pytest.raises(TrainingError):  # every device of the team is signed out (an intruder too)
        service.team_by_token(code, first.token)
    assert service.join(code, "Owls", fresh).id == first.id


def test_wrong_passcodes_are_slowed_down_and_locked_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import session

    monkeypatch.setattr(session, "PASSCODE_GUARD", AttemptGuard())
    monkeypatch.setenv("LEAN_TRAINER_PASSCODE", "right")
    answers = [session.sign_in("wrong", "ip:1") for _ in range(5)]
    assert [a.key for a in answers if a] == ["trainer.wrong_passcode"] * 3 + ["training.refused.slow_down"] * 2
    assert session.sign_in("right", "ip:1") is not None  # locked out, even with the right one
    assert session.sign_in("right", "ip:2") is None
