"""A session as one JSON document (export), and a session from one (import, under a new code)."""

from __future__ import annotations

import json
import math
import time
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from ..lean import ChoiceError, check_choice, ordered
from ..pdca import hypothesis_of, notes_json
from ..scenario import Scenario, ScenarioError, parse_scenario
from ..store import IntegrityError, decisions, results, rounds, teams
from . import archive_check as check
from . import queries as q
from .archive_check import check_depth
from .compute import ResultsMixin
from .decisions import clean_notes_of
from .observations import export_observations, insert_observations
from .records import MAX_TEAMS, TrainingError, payload_to_results
from .rounds import RoundsMixin
from .teams import clean_team_name

ARCHIVE_FORMAT = "lean-library-trainer/session"


class ArchiveMixin(RoundsMixin, ResultsMixin):
    """Export and import of whole sessions."""

    def export_session(self, code: str) -> dict[str, Any]:
        """The whole session as one JSON-able document (scenario, teams, decisions, notes, results)."""
        s = self.session(code)
        with self.store.read() as conn:
            result_rows = conn.execute(select(results.c.round, results.c.tools_key, results.c.payload)
                                       .where(results.c.session_id == s.id)).all()
            closed_at = dict(conn.execute(select(rounds.c.number, rounds.c.closed_at).where(rounds.c.session_id == s.id)).all())
            round_states = [{**r.__dict__, "closed_at": closed_at.get(r.number)} for r in q.round_infos(conn, s.id)]
            joined = conn.execute(select(teams.c.name, teams.c.joined_at).where(teams.c.session_id == s.id)
                                  .order_by(teams.c.joined_at, teams.c.id)).all()
            team_names = [str(name) for name, _ in joined]
            decision_list = [d.__dict__ for n in range(1, s.rounds + 1) for d in q.decision_list(conn, s.id, n)]
            walk = export_observations(conn, s.id)
        return {
            "format": ARCHIVE_FORMAT, "version": 1,
            "code": s.code, "title": s.title, "seed": s.seed, "replications": s.replications, "rounds": s.rounds,
            "scenario": json.loads(s.scenario.model_dump_json()),
            "round_states": round_states, "teams": team_names, "joined_at": [float(at) for _, at in joined],
            "decisions": decision_list,
            "results": [{"round": r[0], "tools_key": r[1], "payload": json.loads(r[2])} for r in result_rows],
            "observations": walk,
        }

    def import_session(self, data: dict[str, Any], actor: str = "trainer") -> str:
        """A session from an exported document, under a new code; returns the code.

        Everything is checked against the rules of live play (see `archive_check`) and written in one
        transaction: a refused archive leaves nothing behind.
        """
        if not isinstance(data, dict) or data.get("format") != ARCHIVE_FORMAT:
            raise TrainingError("training.err.archive_format")
        check_depth(data)
        try:
            scenario = parse_scenario(data["scenario"])
            for _ in range(20):
                try:
                    with self.store.write() as conn:
                        return self._import(conn, scenario, data, actor)
                except IntegrityError as error:
                    if "code" not in str(error.orig).lower():
                        raise
                    continue  # the session code was taken: draw another
            raise TrainingError("training.err.code_space")
        except TrainingError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, ScenarioError, IntegrityError) as error:
            raise TrainingError("training.err.archive_broken", detail=str(error)[:300]) from None

    def _import(self, conn: Connection, scenario: Scenario, data: dict[str, Any], actor: str) -> str:
        count = int(data["rounds"])
        code = self._insert_session(conn, scenario, seed=int(data["seed"]), replications=int(data["replications"]),
                                    rounds_count=count, title=str(data.get("title") or ""), actor=actor)
        session_id = int(q.session_row(conn, code)["id"])
        played = check.round_states(data["round_states"], count)
        names = data["teams"]
        if not isinstance(names, list) or len(names) > MAX_TEAMS:
            raise TrainingError("training.refused.archive_teams", n=len(names) if isinstance(names, list) else 0,
                                limit=MAX_TEAMS)
        joined_at = _times(data.get("joined_at"), len(names))
        ids: dict[str, int] = {}
        for i, name in enumerate(names):
            try:
                clean = clean_team_name(str(name))
            except TrainingError as error:
                raise TrainingError("training.refused.archive_team", name=str(name)[:60], detail=error) from None
            if q.name_key(clean) in ids:
                raise TrainingError("training.refused.archive_team", name=clean, detail="named twice")
            row = conn.execute(insert(teams).values(session_id=session_id, name=clean, name_key=q.name_key(clean),
                                                    joined_at=joined_at[i]))
            ids[q.name_key(clean)] = q.new_id(row)
        self._import_decisions(conn, scenario, session_id, data["decisions"], ids, played)
        insert_observations(conn, session_id, check.observation_rows(scenario, data.get("observations"), set(ids), played), ids)
        s_seed, s_reps = int(data["seed"]), int(data["replications"])
        stored: set[tuple[int, str]] = set()
        for r in data["results"]:
            number, key = int(r["round"]), str(r["tools_key"])
            if number not in played or played[number][0] == "pending":
                raise TrainingError("training.refused.archive_round", n=number, rounds=count)
            try:
                check.tools_of_key(scenario, key)
                check.check_payload(r["payload"], s_reps, s_seed)
                payload_to_results(r["payload"])
            except (ValueError, KeyError, TypeError, ScenarioError) as error:
                raise TrainingError("training.refused.archive_results", n=number, detail=str(error)[:200]) from None
            if (number, key) in stored:
                raise TrainingError("training.refused.archive_results", n=number, detail=f"{key!r} twice")
            stored.add((number, key))
            conn.execute(insert(results).values(session_id=session_id, round=number, tools_key=key,
                                                payload=json.dumps(r["payload"]), computed_at=time.time()))
        # teams that joined after a round closed did not play it: the archive's times keep that (an older
        # archive without them imports every team as having played every round)
        timed = isinstance(data.get("joined_at"), list) and all(
            isinstance(st.get("closed_at"), int | float) for st in data["round_states"] if st["status"] in ("closing", "closed"))
        for number, (status, revealed) in played.items():
            closed_at = None
            if status in ("closing", "closed"):
                given = next(st.get("closed_at") for st in data["round_states"] if int(st["number"]) == number)
                closed_at = float(given) if timed and math.isfinite(float(given)) else time.time()
            conn.execute(update(rounds).where(and_(rounds.c.session_id == session_id, rounds.c.number == number))
                         .values(status=status, revealed=int(revealed), closed_at=closed_at))
            if status == "closed":  # a closed round has the result of every decision in force
                missing = set(self._wanted(conn, session_id, number)) - {k for n, k in stored if n == number}
                if missing:
                    raise TrainingError("training.refused.archive_results", n=number,
                                        detail="missing " + ", ".join(repr(k) for k in sorted(missing))[:200])
        self.store.log(conn, session_id, actor, "import", {"from": str(data.get("code"))[:16]})
        return code

    @staticmethod
    def _import_decisions(conn: Connection, scenario: Scenario, session_id: int, rows: Any, ids: dict[str, int],
                          played: dict[int, tuple[str, bool]]) -> None:
        """Each team's decisions in round order, each checked as a submission would be."""
        if not isinstance(rows, list):
            raise TypeError("decisions: not a list")
        by_team: dict[str, dict[int, dict[str, Any]]] = {}
        for d in rows:
            key, number = q.name_key(str(d["team"])), int(d["round"])
            if key not in ids:
                raise TrainingError("training.err.no_team", name=str(d["team"])[:60])
            if number not in played or played[number][0] == "pending":
                raise TrainingError("training.refused.archive_round", n=number, rounds=len(played))
            if number in by_team.setdefault(key, {}):
                raise TrainingError("training.refused.archive_decision", team=str(d["team"])[:60], n=number,
                                    detail="two decisions")
            by_team[key][number] = d
        for key, decided in by_team.items():
            kept: list[str] = []
            for number in sorted(decided):
                d = decided[number]
                try:
                    gone = [str(x) for x in d.get("dropped") or []]
                    hyp = hypothesis_of(d.get("hypothesis"), scenario)
                    in_force = check_choice(scenario, number, kept, list(d["new_tools"]), gone)
                    if in_force != ordered(scenario, list(d["tools"])):
                        raise ValueError("the tools in force are not those kept plus the new ones")
                    notes = clean_notes_of(d.get("notes"))
                except (ChoiceError, ValueError, ScenarioError, TypeError) as error:
                    # a refusal of ours is said in the page's language; others carry their own words
                    detail = error if isinstance(error, TrainingError) else str(error)[:200]
                    raise TrainingError("training.refused.archive_decision", team=str(d["team"])[:60], n=number,
                                        detail=detail) from None
                fresh = [x for x in in_force if x not in kept]
                conn.execute(insert(decisions).values(
                    session_id=session_id, team_id=ids[key], round=number, tools=json.dumps(in_force),
                    new_tools=json.dumps(fresh), notes=notes_json(notes, gone, hyp),
                    submitted_at=float(d["submitted_at"]) if math.isfinite(float(d["submitted_at"])) else time.time(),
                ))
                kept = in_force


def _times(values: Any, count: int) -> list[float]:
    """`count` finite times from the archive, or 0, 1, 2, ... (order kept) where it has none (older archives)."""
    if not isinstance(values, list) or len(values) != count:
        return [float(i) for i in range(count)]
    out = []
    for i, v in enumerate(values):
        ok = isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        out.append(float(v) if ok else float(i))
    return out
