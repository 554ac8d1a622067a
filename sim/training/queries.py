"""The queries every part of the service needs, written once; each takes an open connection.

Team names are compared through `name_key` only (the one place that says what "the same name" is).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Connection

from ..pdca import split_notes
from ..store import decisions, rounds, sessions, teams
from ..text import clean_line
from .records import Decision, RoundInfo, TeamInfo, TrainingError


def name_key(name: str) -> str:
    """The form under which two team names are the same team: cleaned (`sim.text`), case folded."""
    return clean_line(name).casefold()


def normal_code(code: str) -> str:
    """A session code as typed (any case, spaces around) in its stored form."""
    return (code or "").strip().upper()


def session_row(conn: Connection, code: str) -> Any:
    """The session's row without its scenario text (parsed once per session, see `base.py`)."""
    row = conn.execute(select(sessions.c.id, sessions.c.code, sessions.c.title, sessions.c.seed,
                              sessions.c.replications, sessions.c.rounds, sessions.c.created_at)
                       .where(sessions.c.code == normal_code(code))).mappings().first()
    if row is None:
        raise TrainingError("training.err.no_session", code=normal_code(code))
    return row


def new_id(result: Any) -> int:
    """The primary key an INSERT just made."""
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def lock_session(conn: Connection, session_id: int) -> None:
    """Serialise the writes of one session inside the current write transaction, and count the change.

    SQLite's BEGIN IMMEDIATE already makes write transactions one at a time; on PostgreSQL (read
    committed) this UPDATE takes the session row's lock, so a second trainer's transaction waits here
    and then reads what the first one committed. It also raises the session's change counter, which
    pages poll (`Training.change_stamp`); a refused request rolls back, and the counter with it.
    """
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(changes=sessions.c.changes + 1))


def round_infos(conn: Connection, session_id: int) -> list[RoundInfo]:
    rows = conn.execute(select(rounds).where(rounds.c.session_id == session_id).order_by(rounds.c.number)).mappings().all()
    return [RoundInfo(r["number"], r["status"], bool(r["revealed"]), r["deadline"], r["error"],
                      bool(r["deadline_enforced"])) for r in rows]


def statuses(conn: Connection, session_id: int) -> dict[int, str]:
    return {int(n): str(s) for n, s in conn.execute(
        select(rounds.c.number, rounds.c.status).where(rounds.c.session_id == session_id)).all()}


def team_info(conn: Connection, session_id: int, name: str) -> TeamInfo:
    row = conn.execute(select(teams.c.id, teams.c.name)
                       .where(and_(teams.c.session_id == session_id, teams.c.name_key == name_key(name)))).first()
    if row is None:
        raise TrainingError("training.err.no_team", name=name)
    return TeamInfo(int(row[0]), str(row[1]))


def team_infos(conn: Connection, session_id: int) -> list[TeamInfo]:
    rows = conn.execute(select(teams.c.id, teams.c.name).where(teams.c.session_id == session_id)
                        .order_by(teams.c.joined_at, teams.c.id)).all()
    return [TeamInfo(int(r[0]), str(r[1])) for r in rows]


def decision_list(conn: Connection, session_id: int, number: int) -> list[Decision]:
    rows = conn.execute(
        select(teams.c.name, decisions.c.round, decisions.c.tools, decisions.c.new_tools, decisions.c.notes,
               decisions.c.submitted_at)
        .join(teams, teams.c.id == decisions.c.team_id)
        .where(and_(decisions.c.session_id == session_id, decisions.c.round == number))
        .order_by(teams.c.joined_at, teams.c.id)
    ).all()
    return [Decision(r[0], r[1], json.loads(r[2]), json.loads(r[3]), (parts := split_notes(r[4]))[0], r[5], parts[1], parts[2])
            for r in rows]


def kept_tools(conn: Connection, team_id: int, number: int) -> list[str]:
    """The tools a team has in force from rounds before `number` (its latest decision)."""
    row = conn.execute(select(decisions.c.tools).where(and_(
        decisions.c.team_id == team_id, decisions.c.round < number)).order_by(decisions.c.round.desc())).first()
    return list(json.loads(row[0])) if row else []


def tools_in_force(conn: Connection, session_id: int, number: int) -> dict[str, list[str]]:
    """Each team's tools for a round: its decision, or (without one) what it kept from before.

    Teams that joined after the round was closed did not play it and are left out.
    """
    closed_at = conn.execute(select(rounds.c.closed_at).where(
        and_(rounds.c.session_id == session_id, rounds.c.number == number))).scalar()
    team_rows = conn.execute(select(teams.c.id, teams.c.name, teams.c.joined_at).where(teams.c.session_id == session_id)
                             .order_by(teams.c.joined_at, teams.c.id)).all()
    latest: dict[int, list[str]] = {}  # each team's latest decision up to this round
    submitted: set[int] = set()  # ... and the teams with a decision in this very round
    for team_id, tools, round_number in conn.execute(
            select(decisions.c.team_id, decisions.c.tools, decisions.c.round).where(and_(
                decisions.c.session_id == session_id, decisions.c.round <= number)).order_by(decisions.c.round)).all():
        latest[int(team_id)] = list(json.loads(tools))
        if round_number == number:
            submitted.add(int(team_id))
    return {str(name): latest.get(int(team_id), []) for team_id, name, joined_at in team_rows
            if int(team_id) in submitted or closed_at is None or joined_at <= closed_at}
