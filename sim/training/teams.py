"""Teams: joining a session, rejoining from another device with the team's rejoin code, device tokens.

A team is created by the first device that joins under its name; that device gets a token (a long
random secret, kept in its page address) and the team's rejoin code (short, easy to read, shown
once). Another device acts as the team only with that code (then it gets its own token). The trainer
can reset the code, which also signs every device of the team out.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from ..store import team_tokens, teams
from ..text import clean_line, visible
from . import queries as q
from .base import TrainingBase
from .records import CODE_ALPHABET, MAX_TEAM_NAME, MAX_TEAMS, REJOIN_LENGTH, TeamInfo, TrainingError


def clean_team_name(name: str) -> str:
    """A team name as stored: cleaned (`sim.text`), with something visible, not too long."""
    clean = clean_line(name)
    if not clean:
        raise TrainingError("training.err.team_name_empty")
    if not visible(clean):
        raise TrainingError("training.refused.team_name_invisible")
    if len(clean) > MAX_TEAM_NAME:
        raise TrainingError("training.err.team_name_long", n=MAX_TEAM_NAME)
    return clean


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def normal_rejoin_code(code: str | None) -> str:
    """A rejoin code as typed (any case, spaces or dashes) in its stored form."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def new_rejoin_code() -> str:
    """A short code from the unambiguous alphabet."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(REJOIN_LENGTH))


class TeamsMixin(TrainingBase):
    """Joining, rejoining and listing teams."""

    def join(self, code: str, name: str, rejoin_code: str | None = None, *, client: str = "") -> TeamInfo:
        """Join a session as a new team, or as an existing one with its rejoin code; returns a device token.

        `client` (a network address or browser session) is whom wrong session or rejoin codes are
        counted against (`sim.guard`).
        """
        clean = clean_team_name(name)
        self.check_guard(client)
        try:
            with self.store.write() as conn:
                found = self._join(conn, code, clean, rejoin_code)
        except TrainingError as error:
            if error.key in ("training.err.no_session", "training.refused.rejoin_wrong"):
                self.guard.failed(client)
            raise
        self.guard.succeeded(client)
        return found

    def _join(self, conn: Connection, code: str, clean: str, rejoin_code: str | None) -> TeamInfo:
        session_id = int(q.session_row(conn, code)["id"])
        q.lock_session(conn, session_id)
        row = conn.execute(select(teams.c.id, teams.c.name, teams.c.rejoin_hash).where(
            and_(teams.c.session_id == session_id, teams.c.name_key == q.name_key(clean)))).first()
        if row is not None:
            typed = normal_rejoin_code(rejoin_code)
            if not typed:
                raise TrainingError("training.refused.rejoin_needed", name=str(row[1]))
            if not row[2] or not hmac.compare_digest(_digest(typed), str(row[2])):
                raise TrainingError("training.refused.rejoin_wrong", name=str(row[1]))
            token = self._new_token(conn, session_id, int(row[0]))
            self.store.log(conn, session_id, str(row[1]), "rejoin")
            return TeamInfo(int(row[0]), str(row[1]), token, typed)
        count = conn.execute(select(func.count()).select_from(teams).where(teams.c.session_id == session_id)).scalar_one()
        if count >= MAX_TEAMS:
            raise TrainingError("training.err.too_many_teams", n=MAX_TEAMS)
        fresh = new_rejoin_code()
        new = conn.execute(insert(teams).values(session_id=session_id, name=clean, name_key=q.name_key(clean),
                                                joined_at=time.time(), rejoin_hash=_digest(fresh)))
        team_id = q.new_id(new)
        self.store.log(conn, session_id, clean, "join")
        return TeamInfo(team_id, clean, self._new_token(conn, session_id, team_id), fresh)

    @staticmethod
    def _new_token(conn: Connection, session_id: int, team_id: int) -> str:
        token = secrets.token_urlsafe(24)
        conn.execute(insert(team_tokens).values(token_hash=_digest(token), team_id=team_id, session_id=session_id,
                                                created_at=time.time()))
        return token

    def team_by_token(self, code: str, token: str) -> TeamInfo:
        """The team a device's token signs in (`TrainingError` if the token is unknown or was revoked)."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            row = conn.execute(select(teams.c.id, teams.c.name).join(team_tokens, team_tokens.c.team_id == teams.c.id)
                               .where(and_(team_tokens.c.token_hash == _digest(token or ""),
                                           team_tokens.c.session_id == session_id))).first()
        if row is None:
            raise TrainingError("training.refused.no_token")
        return TeamInfo(int(row[0]), str(row[1]), token)

    def reset_rejoin_code(self, code: str, team: str, actor: str = "trainer") -> str:
        """A new rejoin code for a team (the old one stops working, every device of the team is signed out)."""
        fresh = new_rejoin_code()
        with self.store.write() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            q.lock_session(conn, session_id)
            info = q.team_info(conn, session_id, team)
            conn.execute(update(teams).where(teams.c.id == info.id).values(rejoin_hash=_digest(fresh)))
            conn.execute(delete(team_tokens).where(team_tokens.c.team_id == info.id))
            self.store.log(conn, session_id, actor, "reset_rejoin_code", {"team": info.name})
        return fresh

    def create_team(self, code: str, name: str) -> TeamInfo:
        """A new team; refused if the name is taken (for the trainer's console)."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            taken = conn.execute(select(teams.c.id).where(and_(
                teams.c.session_id == session_id, teams.c.name_key == q.name_key(name)))).first()
        if taken is not None:
            raise TrainingError("training.err.team_taken", name=name)
        return self.join(code, name)

    def teams(self, code: str) -> list[TeamInfo]:
        """The session's teams in the order they joined."""
        with self.store.read() as conn:
            return q.team_infos(conn, int(q.session_row(conn, code)["id"]))
