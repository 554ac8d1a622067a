"""Session integrity: while a session is in play, the sandbox must not reveal the session's answers.

A run takes seconds, so a team could try every set of tools in the sandbox with the session's own
seed (the same readers) and bring the best to the round. Two rules keep that from working:

- the sandbox never runs with the seed of a session in play: a wanted seed that is one of theirs is
  moved to the next free one (`sandbox_seed`), so the sandbox shows other readers, not the answers;
- the trainer may close the sandbox for the whole server while a session is in play (a setting per
  session, `set_sandbox_closed`); only a signed-in trainer can still use it then.

A session is *in play* from its first opened round until its last round is closed. The setting is
kept in the session's audit log (the latest `sandbox_closed` / `sandbox_open` entry wins), so it
needs no change to the store's schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, desc, select
from sqlalchemy.engine import Connection

from ..store import audit, rounds, sessions
from . import queries as q
from .service import Training

MAX_SEED = 2**31 - 1
CLOSE, OPEN = "sandbox_closed", "sandbox_open"


@dataclass(frozen=True)
class InPlay:
    """A session in play: its code, root seed and whether its trainer closed the sandbox."""

    code: str
    seed: int
    sandbox_closed: bool


def sessions_in_play(service: Training) -> list[InPlay]:
    """Every session with a round opened and a round not yet closed, oldest first."""
    with service.store.read() as conn:
        rows = conn.execute(select(sessions.c.id, sessions.c.code, sessions.c.seed).order_by(sessions.c.created_at)).all()
        states: dict[int, list[str]] = {}
        for session_id, status in conn.execute(select(rounds.c.session_id, rounds.c.status)).all():
            states.setdefault(int(session_id), []).append(str(status))
        out = []
        for session_id, code, seed in rows:
            found = states.get(int(session_id), [])
            started = any(s != "pending" for s in found)
            finished = bool(found) and all(s == "closed" for s in found)
            if started and not finished:
                out.append(InPlay(str(code), int(seed), _closed(conn, int(session_id))))
    return out


def _closed(conn: Connection, session_id: int) -> bool:
    latest = conn.execute(select(audit.c.action).where(and_(
        audit.c.session_id == session_id, audit.c.action.in_((CLOSE, OPEN)))).order_by(desc(audit.c.id)).limit(1)).scalar()
    return latest == CLOSE


def sandbox_closed(service: Training, code: str) -> bool:
    """Whether the trainer closed the sandbox for this session."""
    with service.store.read() as conn:
        return _closed(conn, int(q.session_row(conn, code)["id"]))


def set_sandbox_closed(service: Training, code: str, closed: bool, actor: str = "trainer") -> None:
    """Close (or open again) the sandbox for teams while this session is in play."""
    with service.store.write() as conn:
        session_id = int(q.session_row(conn, code)["id"])
        q.lock_session(conn, session_id)  # pages polling the session see the change
        service.store.log(conn, session_id, actor, CLOSE if closed else OPEN)


def sandbox_seed(wanted: int, in_play: list[InPlay]) -> int:
    """`wanted`, or the next seed (wrapping within 0..MAX_SEED) that no session in play uses."""
    taken = {s.seed for s in in_play}
    seed = wanted
    while seed in taken:
        seed = 0 if seed >= MAX_SEED else seed + 1
    return seed
