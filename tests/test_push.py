"""Pages rerun by the server when what they show changed (dashboard.live.Pusher), and a page's own
watch that never runs a page twice for one change."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from pathlib import Path

import pytest
from builders import one_day_hall
from streamlit.testing.v1 import AppTest

from dashboard.live import Pusher
from sim.store import Store
from sim.training import Training


class Room:
    """A session whose change counter and signature the test moves, and the reruns the pusher asks for."""

    def __init__(self) -> None:
        self.stamp, self.state = 1, "open"
        self.asked: list[str] = []
        self.gone: set[str] = set()
        self.signatures = 0  # how often the (dearer) signature was asked for

    def signature(self) -> Hashable:
        self.signatures += 1
        return self.state

    def rerun(self, session_id: str, page_hash: str) -> Callable[[], bool] | None:
        if session_id in self.gone:
            return None
        self.asked.append(session_id)
        return lambda: False  # run at once

    def change(self, state: str) -> None:
        self.state, self.stamp = state, self.stamp + 1


@pytest.fixture
def room() -> tuple[Room, Pusher]:
    room = Room()
    pusher = Pusher(room.rerun, every=3600)  # the thread never looks on its own: the test calls look()
    for page in ("team-a", "team-b", "team-c"):
        pusher.seen("team.seen.ABC", page, "team-page", room.signature, lambda: room.stamp, "open")
    return room, pusher


def test_a_change_reruns_every_page_that_drew_the_older_state_once(room: tuple[Room, Pusher]) -> None:
    state, pusher = room
    assert pusher.look() == 0  # nothing changed since the pages drew
    state.change("closed")
    assert pusher.look() == 3
    assert sorted(state.asked) == ["team-a", "team-b", "team-c"]
    assert pusher.look() == 0  # asked once, not at every look until the page has rerun
    assert len(state.asked) == 3


def test_while_nothing_changes_only_the_cheap_stamp_is_read(room: tuple[Room, Pusher]) -> None:
    state, pusher = room
    pusher.look()
    asked_for = state.signatures
    for _ in range(20):
        pusher.look()
    assert state.signatures == asked_for
    state.stamp += 1  # a change the pages do not show (a note typed): the signature is asked, nobody reruns
    assert pusher.look() == 0
    assert state.signatures == asked_for + 1


def test_a_page_that_already_drew_the_new_state_is_not_rerun(room: tuple[Room, Pusher]) -> None:
    state, pusher = room
    state.change("closed")
    pusher.seen("team.seen.ABC", "team-b", "team-page", state.signature, lambda: state.stamp, "closed")
    assert pusher.look() == 2
    assert "team-b" not in state.asked


def test_a_closed_page_is_forgotten(room: tuple[Room, Pusher]) -> None:
    state, pusher = room
    state.gone.add("team-a")
    state.change("closed")
    assert pusher.look() == 2
    state.gone.clear()
    state.change("revealed")
    assert pusher.look() == 2
    assert "team-a" not in state.asked


def test_a_failing_question_does_not_stop_the_others(room: tuple[Room, Pusher]) -> None:
    state, pusher = room

    def broken() -> Hashable:
        raise OSError("database is locked")

    pusher.seen("projector.seen.ABC", "projector", "projector-page", broken, None, 1)
    state.change("closed")
    assert pusher.look() == 3


def _counting_page() -> None:
    import streamlit as st

    from dashboard.live import watch

    st.session_state["runs"] = st.session_state.get("runs", 0) + 1
    watch("demo", lambda: st.session_state.get("shown", 0))
    st.write(f"state {st.session_state.get('shown', 0)}")


def test_a_page_run_that_meets_a_change_draws_it_without_a_second_run() -> None:
    """The watch sits at the top of a page: when a page run (a click, or the server's push) meets a
    changed signature, the page drawn after it already shows the change. It used to ask for another
    whole run on top (every team page ran twice at each reveal)."""
    at = AppTest.from_function(_counting_page)
    at.run()
    assert at.session_state["runs"] == 1
    at.session_state["shown"] = 1
    at.run()
    assert not at.exception
    assert at.session_state["runs"] == 2
    assert at.markdown[-1].value == "state 1"


def test_a_console_switched_to_another_session_no_longer_watches_the_first(room: tuple[Room, Pusher]) -> None:
    state, pusher = room
    pusher.seen("team.seen.XYZ", "team-a", "team-page", lambda: "pending", lambda: 1, "pending")
    state.change("closed")  # session ABC changes: team-a shows session XYZ now
    assert pusher.look() == 2
    assert "team-a" not in state.asked


def test_the_trainers_status_panel_watches_what_it_shows(tmp_path: Path) -> None:
    """Teams, submissions and the rounds' states move the panel's signature; a read does not."""
    from dashboard.trainer_view import status_signature

    service = Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    seen = [status_signature(service, code)]

    def moved() -> bool:
        seen.append(status_signature(service, code))
        return seen[-1] != seen[-2]

    assert not moved()
    service.join(code, "Owls")
    assert moved()
    service.open_round(code, 1)
    assert moved()
    service.decisions(code, 1)  # a read
    assert not moved()
    service.submit(code, "Owls", 1, [])
    assert moved()
    service.close_round(code, 1)
    assert moved()


def test_pages_closed_while_nothing_changes_are_forgotten_with_what_only_they_watched() -> None:
    state = Room()
    pusher = Pusher(state.rerun, every=3600, alive=lambda session_id: session_id not in state.gone)
    pusher.seen("team.seen.ABC", "team-a", "team-page", state.signature, lambda: state.stamp, "open")
    pusher.seen("projector.seen.ABC", "projector", "projector-page", state.signature, None, "open")
    state.gone.add("team-a")
    for _ in range(Pusher.PRUNE_EVERY):
        pusher.look()
    asked_for = state.signatures
    state.stamp += 1
    pusher.look()  # only the projector's question is asked: nobody watches the rounds any more
    assert state.signatures == asked_for + 1


def test_the_pages_of_one_change_are_rerun_two_at_a_time() -> None:
    """All at once, a dozen page runs wait for each other (one interpreter lock) and for the browsers
    on the same cores; one after another, the first pages are drawn at once."""
    state = Room()
    running: list[str] = []
    most = [0]

    def rerun(session_id: str, page_hash: str) -> Callable[[], bool]:
        running.append(session_id)
        most[0] = max(most[0], len(running))
        until = time.monotonic() + 0.05

        def busy() -> bool:
            if time.monotonic() < until:
                return True
            if session_id in running:
                running.remove(session_id)
            return False

        return busy

    pusher = Pusher(rerun, every=3600)
    for n in range(6):
        pusher.seen("team.seen.ABC", f"team-{n}", "team-page", state.signature, lambda: state.stamp, "open")
    state.change("closed")
    assert pusher.look() == 6
    assert most[0] == Pusher.AT_ONCE
