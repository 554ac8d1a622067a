"""The waste walk in a session: teams record what they see on the floor in a gemba round, and are scored.

A round the scenario flags `gemba: true` is a waste walk. While it is open, each team watches the
floor of the library as it is (the session's own readers: its root seed, replication
`GEMBA_REPLICATION`, the first day) and records observations: which waste, where (a station or a
step), and what it saw in its own words. The ground truth is measured from that very replication's
event log over the same window (`sim.wastewalk`); once the round is revealed, each team sees which
of the top wastes it found and which it missed, and the trainer sees every team (before the reveal
too). The observation score stands apart from the balanced score.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.engine import Connection

from ..eventlog import EventLog
from ..floor import day_window
from ..i18n import Counted
from ..model import simulate
from ..scenario import WASTES, Scenario
from ..store import observations, teams
from ..text import clean_block
from ..wastewalk import DEFAULT_TOP_N, Observation, WalkScore, Waste, ground_truth, places, score_observations
from . import queries as q
from .base import TrainingBase
from .records import SessionInfo, TeamInfo, TrainingError

MAX_OBSERVATIONS = 20  # per team and round: a walk names the few largest wastes, not everything
MAX_OBSERVATION_NOTE = 300  # characters of "what we saw"
GEMBA_REPLICATION = 0  # the day of readers teams watch (and the ground truth is measured on)
GEMBA_DAY = 0
TRUTH_CACHE = 16  # sessions whose walk's log and ground truth are kept


@dataclass(frozen=True)
class ObservationRecord:
    """A stored observation: its id, the team, the round, the waste, where, the team's words, when."""

    id: int
    team: str
    round: int
    waste: str
    where: str
    note: str
    recorded_at: float

    def plain(self) -> Observation:
        """As `sim.wastewalk` scores it."""
        return Observation(self.waste, self.where, self.note)


def gemba_log(scenario: Scenario, seed: int) -> tuple[EventLog, tuple[float, float]]:
    """The replication a gemba round shows and its window (the whole first day, or the whole run)."""
    log = simulate(scenario, seed, GEMBA_REPLICATION)
    return log, day_window(scenario, log, GEMBA_DAY)


def is_gemba(scenario: Scenario, number: int) -> bool:
    """Whether round `number` (from 1) of the scenario's plan is a waste walk."""
    return 1 <= number <= len(scenario.rounds) and scenario.rounds[number - 1].gemba


def check_observation(scenario: Scenario, waste: str, where: str, note: object) -> tuple[str, str, str]:
    """An observation as stored: a known waste, a known place, a cleaned note within its length."""
    if waste not in WASTES:
        raise TrainingError("gemba_round.err.waste", waste=str(waste)[:40], wastes=", ".join(WASTES))
    if where not in places(scenario):
        raise TrainingError("gemba_round.err.place", place=str(where)[:64])
    if note is not None and not isinstance(note, str):  # its Python form ("[1, 2]") is not what a team wrote
        raise TrainingError("gemba_round.err.note_not_text")
    text = clean_block(note)
    if len(text) > MAX_OBSERVATION_NOTE:
        raise TrainingError("gemba_round.err.note_long", n=MAX_OBSERVATION_NOTE)
    return waste, where, text


def _rows(conn: Connection, session_id: int, number: int | None = None) -> list[ObservationRecord]:
    where = observations.c.session_id == session_id
    if number is not None:
        where = and_(where, observations.c.round == number)
    rows = conn.execute(
        select(observations.c.id, teams.c.name, observations.c.round, observations.c.waste, observations.c.place,
               observations.c.note, observations.c.recorded_at)
        .join(teams, teams.c.id == observations.c.team_id).where(where)
        .order_by(observations.c.round, teams.c.joined_at, teams.c.id, observations.c.id)).all()
    return [ObservationRecord(int(r[0]), str(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5]), float(r[6]))
            for r in rows]


def export_observations(conn: Connection, session_id: int) -> list[dict[str, Any]]:
    """Every observation of a session as plain data (for the session archive)."""
    return [{"team": o.team, "round": o.round, "waste": o.waste, "where": o.where, "note": o.note,
             "recorded_at": o.recorded_at} for o in _rows(conn, session_id)]


def insert_observations(conn: Connection, session_id: int, rows: list[dict[str, Any]], ids: dict[str, int]) -> None:
    """Observations already checked (`archive_check.observation_rows`) into a session being imported."""
    for row in rows:
        conn.execute(insert(observations).values(
            session_id=session_id, team_id=ids[q.name_key(row["team"])], round=row["round"], waste=row["waste"],
            place=row["where"], note=row["note"], recorded_at=row["recorded_at"]))


def _lock_team(conn: Connection, session_id: int, team: str) -> TeamInfo:
    """The team, its row locked for this write transaction (its count of observations stays true).

    Not the session's lock: that would raise the session's change counter, and every page polling it
    (the projector playing the floor, the other teams) would redraw at each observation, which no page
    shows until the round is closed (closing it is a change). SQLite's BEGIN IMMEDIATE already makes
    writes one at a time; on PostgreSQL this row lock keeps two devices of a team from passing the limit.
    """
    info = q.team_info(conn, session_id, team)
    conn.execute(select(teams.c.id).where(teams.c.id == info.id).with_for_update())
    return info


class ObservationsMixin(TrainingBase):
    """Recording observations in a gemba round, and scoring them against the log's largest wastes."""

    def record_observation(self, code: str, team: str, number: int, waste: str, where: str,
                           note: str = "") -> ObservationRecord:
        """A team's observation in an open gemba round (refused past `MAX_OBSERVATIONS` a round)."""
        s = self.session(code)
        if not is_gemba(s.scenario, number):
            raise TrainingError("gemba_round.err.not_gemba", n=number)
        waste, where, text = check_observation(s.scenario, waste, where, note)
        now = time.time()
        with self.store.write() as conn:
            info = _lock_team(conn, s.id, team)
            if q.statuses(conn, s.id).get(number) != "open":
                raise TrainingError("gemba_round.err.round_closed", n=number)
            count = conn.execute(select(func.count()).select_from(observations).where(and_(
                observations.c.team_id == info.id, observations.c.round == number))).scalar_one()
            if count >= MAX_OBSERVATIONS:
                raise TrainingError("gemba_round.err.too_many", limit=Counted("gemba_round.at_most", MAX_OBSERVATIONS))
            row = conn.execute(insert(observations).values(session_id=s.id, team_id=info.id, round=number,
                                                           waste=waste, place=where, note=text, recorded_at=now))
            self.store.log(conn, s.id, info.name, "observe", {"round": number, "waste": waste, "where": where})
        return ObservationRecord(q.new_id(row), info.name, number, waste, where, text, now)

    def remove_observation(self, code: str, team: str, number: int, observation_id: int) -> None:
        """Take back one of the team's own observations while the round is open."""
        s = self.session(code)
        with self.store.write() as conn:
            info = _lock_team(conn, s.id, team)
            if q.statuses(conn, s.id).get(number) != "open":
                raise TrainingError("gemba_round.err.round_closed", n=number)
            gone = conn.execute(delete(observations).where(and_(
                observations.c.id == observation_id, observations.c.team_id == info.id,
                observations.c.round == number))).rowcount
            if not gone:
                raise TrainingError("gemba_round.err.no_observation")
            self.store.log(conn, s.id, info.name, "unobserve", {"round": number})

    def observations(self, code: str, number: int, team: str | None = None) -> list[ObservationRecord]:
        """A round's observations (one team's, or every team's in the order they joined)."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            found = _rows(conn, session_id, number)
        if team is None:
            return found
        key = q.name_key(team)
        return [o for o in found if q.name_key(o.team) == key]

    def gemba_truth(self, code: str) -> list[Waste]:
        """The wastes the session's gemba floor shows, largest first (computed once per session)."""
        s = self.session(code)
        key = (s.id, s.code, s.created_at)
        with self._lock:
            cache: OrderedDict[tuple[int, str, float], list[Waste]] = self.__dict__.setdefault("_truths", OrderedDict())
            found = cache.get(key)
        if found is None:
            found = _truth(s)  # outside the lock: a run takes a moment, and two at once give the same list
            with self._lock:
                cache[key] = found
                while len(cache) > TRUTH_CACHE:
                    cache.popitem(last=False)
        return found

    def walk_scores(self, code: str, number: int, *, trainer: bool = False,
                    top_n: int = DEFAULT_TOP_N) -> dict[str, WalkScore]:
        """Each team's waste walk against the top wastes, for a closed gemba round.

        Teams see it once the round is revealed; the trainer (`trainer=True`) as soon as it is closed.
        Every team that played the round is there (with no observations, it found nothing).
        """
        s = self.session(code)
        if not is_gemba(s.scenario, number):
            raise TrainingError("gemba_round.err.not_gemba", n=number)
        with self.store.read() as conn:
            r = next((r for r in q.round_infos(conn, s.id) if r.number == number), None)
            if r is None:
                raise TrainingError("training.err.no_round", n=number)
            if r.status != "closed" or (not r.revealed and not trainer):
                raise TrainingError("training.err.not_revealed", n=number)
            played = list(q.tools_in_force(conn, s.id, number))
            found = _rows(conn, s.id, number)
        truth = self.gemba_truth(code)
        by_team: dict[str, list[Observation]] = {name: [] for name in played}
        for o in found:
            by_team.setdefault(o.team, []).append(o.plain())
        return {name: score_observations(s.scenario, truth, obs, top_n) for name, obs in by_team.items()}


def _truth(s: SessionInfo) -> list[Waste]:
    log, window = gemba_log(s.scenario, s.seed)
    return ground_truth(s.scenario, log, *window)
