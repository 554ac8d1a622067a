"""The change counter pages poll: one small query, raised by every change, not by reads or refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import local_runner, one_day_hall
from sqlalchemy import event

from sim.store import Store
from sim.training import Training, TrainingError, Worker


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def test_every_change_raises_the_stamp_and_nothing_else_does(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    stamps = [service.change_stamp(code)]

    def moved() -> bool:
        stamps.append(service.change_stamp(code))
        return stamps[-1] > stamps[-2]

    owls = service.join(code, "Owls")
    assert moved()
    service.open_round(code, 1)
    assert moved()
    service.submit(code, "Owls", 1, [], {"wastes": "queue"})
    assert moved()
    with pytest.raises(TrainingError):
        service.submit(code, "Owls", 2, [])  # refused: nothing changed
    service.teams(code), service.rounds(code), service.decisions(code, 1)  # reads
    service.team_by_token(code, owls.token)
    assert not moved()
    service.close_round(code, 1)
    assert moved()
    Worker(service, local_runner).run_once()  # results stored, round closed
    assert moved() and service.round(code, 1).status == "closed"
    service.set_progress(service.session(code).id, 1, 1, 2)  # progress is not a change pages redraw for
    assert not moved()
    service.reveal(code, 1)
    assert moved()
    service.reset_rejoin_code(code, "Owls")
    assert moved()
    with pytest.raises(TrainingError):
        service.change_stamp("NOPE42")


def test_the_stamp_is_one_small_query(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.change_stamp(code)  # the connection is opened and checked once
    statements: list[str] = []
    event.listen(service.store.reader, "before_cursor_execute", lambda *args: statements.append(args[2]))
    service.change_stamp(code)
    assert len(statements) == 1 and "changes" in statements[0] and "scenario_json" not in statements[0]
