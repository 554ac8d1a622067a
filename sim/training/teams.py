"""Teams: joining a session, and the list of its teams."""

from __future__ import annotations

import time

from sqlalchemy import and_, func, insert, select

from ..store import teams
from ..text import clean_line, visible
from . import queries as q
from .base import TrainingBase
from .records import MAX_TEAM_NAME, MAX_TEAMS, TeamInfo, TrainingError


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


class TeamsMixin(TrainingBase):
    """Joining and listing teams."""

    def join(self, code: str, name: str) -> TeamInfo:
        """Join a session as a team; the same name (any case) rejoins the same team."""
        clean = clean_team_name(name)
        with self.store.write() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            q.lock_session(conn, session_id)
            row = conn.execute(select(teams.c.id, teams.c.name)
                               .where(and_(teams.c.session_id == session_id, teams.c.name_key == q.name_key(clean)))).first()
            if row is not None:
                return TeamInfo(int(row[0]), str(row[1]))
            count = conn.execute(select(func.count()).select_from(teams).where(teams.c.session_id == session_id)).scalar_one()
            if count >= MAX_TEAMS:
                raise TrainingError("training.err.too_many_teams", n=MAX_TEAMS)
            new = conn.execute(insert(teams).values(session_id=session_id, name=clean, name_key=q.name_key(clean),
                                                    joined_at=time.time()))
            self.store.log(conn, session_id, clean, "join")
            return TeamInfo(q.new_id(new), clean)

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
