"""Creating sessions and moving their rounds through the states of `states.py`.

Every transition reads the statuses of all the session's rounds and checks its rules inside the
same write transaction that changes them, after taking the session's lock (`queries.lock_session`).
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.engine import Connection

from ..scenario import Scenario
from ..store import IntegrityError, results, rounds, sessions
from ..text import clean_line
from . import queries as q
from . import states
from .base import TrainingBase
from .records import CODE_ALPHABET, CODE_LENGTH, MAX_REPLICATIONS, MAX_TITLE, RoundInfo, TrainingError


def new_code() -> str:
    """A random session code from the unambiguous alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


class RoundsMixin(TrainingBase):
    """Sessions and their rounds."""

    def create_session(self, scenario: Scenario, *, seed: int, replications: int, rounds_count: int | None = None,
                       title: str | None = None, actor: str = "trainer") -> str:
        """A new session with a frozen copy of `scenario`; returns its join code."""
        for _ in range(20):
            try:
                with self.store.write() as conn:
                    return self._insert_session(conn, scenario, seed=seed, replications=replications,
                                                rounds_count=rounds_count, title=title, actor=actor)
            except IntegrityError:
                continue  # the code was taken: draw another
        raise TrainingError("training.err.code_space")

    def _insert_session(self, conn: Connection, scenario: Scenario, *, seed: int, replications: int,
                        rounds_count: int | None, title: str | None, actor: str) -> str:
        """Check the settings and insert a session and its pending rounds inside `conn`'s transaction."""
        plan = len(scenario.rounds)
        if plan == 0:
            raise TrainingError("training.err.no_plan")
        count = plan if rounds_count is None else rounds_count
        if not 1 <= count <= plan:
            raise TrainingError("training.err.rounds", count=count, plan=plan)
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise TrainingError("training.err.replications", n=replications)
        if not 0 <= seed < 2**31:
            raise TrainingError("training.err.seed")
        code = new_code()
        row = conn.execute(insert(sessions).values(
            code=code, title=clean_line(title, MAX_TITLE) or clean_line(scenario.title.ru, MAX_TITLE), scenario_id=scenario.id, scenario_json=scenario.model_dump_json(),
            seed=seed, replications=replications, rounds=count, created_at=time.time(), created_by=actor,
        ))
        session_id = q.new_id(row)
        for n in range(1, count + 1):
            conn.execute(insert(rounds).values(session_id=session_id, number=n, status="pending", revealed=0))
        self.store.log(conn, session_id, actor, "create_session",
                       {"scenario": scenario.id, "seed": seed, "replications": replications, "rounds": count})
        return code

    def rounds(self, code: str) -> list[RoundInfo]:
        """Every round of the session, in order."""
        with self.store.read() as conn:
            return q.round_infos(conn, int(q.session_row(conn, code)["id"]))

    def round(self, code: str, number: int) -> RoundInfo:
        """One round of the session."""
        for r in self.rounds(code):
            if r.number == number:
                return r
        raise TrainingError("training.err.no_round", n=number)

    def current_round(self, code: str) -> RoundInfo | None:
        """The round in play: the open or closing one, else the last closed, else None."""
        all_rounds = self.rounds(code)
        for r in all_rounds:
            if r.status in states.RUNNING:
                return r
        closed = [r for r in all_rounds if r.status == "closed"]
        return closed[-1] if closed else None

    def _transition(self, code: str, number: int, action: str, actor: str, **values: Any) -> None:
        """Check `action` against the table and the other rounds, and apply it: all in one transaction."""
        with self.store.write() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            q.lock_session(conn, session_id)
            step = states.check(action, q.statuses(conn, session_id), number)
            where = and_(rounds.c.session_id == session_id, rounds.c.number == number)
            if action == "reopen_round":  # the results go: they are computed anew when the round closes
                conn.execute(delete(results).where(and_(results.c.session_id == session_id, results.c.round == number)))
            conn.execute(update(rounds).where(where).values(status=step.to, **values))
            self.store.log(conn, session_id, actor, action, {"round": number})

    def open_round(self, code: str, number: int, minutes: float | None = None, actor: str = "trainer",
                   enforce: bool = False) -> None:
        """Start taking decisions (the round before must be closed, no other round running).

        With `minutes`, a countdown is shown; with `enforce` too, the worker closes the round when it
        runs out (`close_overdue`); otherwise it only advises.
        """
        deadline = time.time() + 60 * minutes if minutes else None
        self._transition(code, number, "open_round", actor, opened_at=time.time(), deadline=deadline, revealed=0,
                         error=None, deadline_enforced=int(bool(enforce and deadline)))

    def close_overdue(self, now: float | None = None) -> list[tuple[str, int]]:
        """Close every open round whose enforced countdown has run out; returns them as (code, round)."""
        now = time.time() if now is None else now
        with self.store.read() as conn:
            due = conn.execute(select(sessions.c.code, rounds.c.number).join(sessions, sessions.c.id == rounds.c.session_id)
                               .where(and_(rounds.c.status == "open", rounds.c.deadline_enforced == 1,
                                           rounds.c.deadline <= now))).all()
        closed = []
        for code, number in due:
            try:
                self.close_round(str(code), int(number), actor="countdown")
                closed.append((str(code), int(number)))
            except TrainingError:  # closed or reopened meanwhile by the trainer: nothing to do
                pass
        return closed

    def close_round(self, code: str, number: int, actor: str = "trainer") -> None:
        """Stop taking decisions; the worker computes the results and marks the round closed."""
        self._transition(code, number, "close_round", actor, closed_at=time.time())

    def reopen_round(self, code: str, number: int, actor: str = "trainer") -> None:
        """Take decisions again (their results are computed anew when the round closes)."""
        self._transition(code, number, "reopen_round", actor, revealed=0, deadline=None, error=None,
                         deadline_enforced=0)

    def reveal(self, code: str, number: int, actor: str = "trainer") -> None:
        """Show a closed round's results to the teams."""
        self._transition(code, number, "reveal", actor, revealed=1)

    def retry_round(self, code: str, number: int, actor: str = "trainer") -> None:
        """Clear the error of a round whose computation failed, so the worker tries again."""
        self._transition(code, number, "retry_round", actor, error=None)
