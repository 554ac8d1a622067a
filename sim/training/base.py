"""The service's core: its store, and sessions read with their scenario parsed once per session."""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import select

from ..guard import AttemptGuard
from ..scenario import Scenario
from ..store import Store, sessions
from . import queries as q
from .records import SessionInfo, TrainingError

SCENARIO_CACHE = 64  # sessions whose parsed scenario is kept (a server runs a handful at a time)


class TrainingBase:
    """A `Store` and a cache of the sessions' parsed scenarios; the parts of `Training` build on it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        # a session's scenario is a frozen copy: parsed once, keyed by what identifies the session row
        # (ids may be reused after a refused import is deleted, so the code and time are part of the key)
        self._scenarios: OrderedDict[tuple[int, str, float], Scenario] = OrderedDict()
        self.scenario_parses = 0  # how often a scenario was parsed (for tests of the cache)
        self.guard = AttemptGuard()  # wrong session and rejoin codes, per client and overall

    def check_guard(self, client: str) -> None:
        """Refuse at once while `client` (or everyone) must wait after wrong codes."""
        wait = self.guard.wait(client)
        if wait > 0:
            raise TrainingError("training.refused.slow_down", seconds=max(1, round(wait)))

    def session(self, code: str) -> SessionInfo:
        """The session with this join code (any case); `TrainingError` if there is none."""
        with self.store.read() as conn:
            row = q.session_row(conn, code)
            key = (int(row["id"]), str(row["code"]), float(row["created_at"]))
            with self._lock:
                scenario = self._scenarios.get(key)
                if scenario is not None:
                    self._scenarios.move_to_end(key)
            if scenario is None:
                text = conn.execute(select(sessions.c.scenario_json).where(sessions.c.id == key[0])).scalar_one()
                scenario = Scenario.model_validate_json(text)
                with self._lock:
                    self.scenario_parses += 1
                    self._scenarios[key] = scenario
                    while len(self._scenarios) > SCENARIO_CACHE:
                        self._scenarios.popitem(last=False)
        return SessionInfo(id=key[0], code=key[1], title=row["title"], scenario=scenario, seed=row["seed"],
                           replications=row["replications"], rounds=row["rounds"], created_at=key[2])

    def change_stamp(self, code: str) -> int:
        """A number that grows with every change to the session (rounds, teams, decisions, results, reveal).

        One small query: pages poll it and rerun only when it moved. Progress of a computation is not a
        change (see `round_progress`).
        """
        with self.store.read() as conn:
            found = conn.execute(select(sessions.c.changes).where(sessions.c.code == q.normal_code(code))).scalar()
        if found is None:
            raise TrainingError("training.err.no_session", code=q.normal_code(code))
        return int(found)

    def list_sessions(self) -> list[tuple[str, str, float]]:
        """Every session as (code, title, created at), newest first."""
        with self.store.read() as conn:
            rows = conn.execute(select(sessions.c.code, sessions.c.title, sessions.c.created_at)
                                .order_by(sessions.c.created_at.desc())).all()
        return [(r[0], r[1], r[2]) for r in rows]
