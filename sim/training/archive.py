"""A session as one JSON document (export), and a session from one (import, under a new code)."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import and_, delete, insert, select, update

from ..lean import ordered
from ..scenario import ScenarioError, parse_scenario
from ..store import IntegrityError, decisions, results, rounds, sessions, teams
from . import queries as q
from .records import MAX_NOTE, MAX_TEAM_NAME, TrainingError, payload_to_results
from .rounds import RoundsMixin

ARCHIVE_FORMAT = "lean-library-trainer/session"


class ArchiveMixin(RoundsMixin):
    """Export and import of whole sessions."""

    def export_session(self, code: str) -> dict[str, Any]:
        """The whole session as one JSON-able document (scenario, teams, decisions, notes, results)."""
        s = self.session(code)
        with self.store.read() as conn:
            result_rows = conn.execute(select(results.c.round, results.c.tools_key, results.c.payload)
                                       .where(results.c.session_id == s.id)).all()
            round_states = [r.__dict__ for r in q.round_infos(conn, s.id)]
            team_names = [tm.name for tm in q.team_infos(conn, s.id)]
            decision_list = [d.__dict__ for n in range(1, s.rounds + 1) for d in q.decision_list(conn, s.id, n)]
        return {
            "format": ARCHIVE_FORMAT, "version": 1,
            "code": s.code, "title": s.title, "seed": s.seed, "replications": s.replications, "rounds": s.rounds,
            "scenario": json.loads(s.scenario.model_dump_json()),
            "round_states": round_states, "teams": team_names, "decisions": decision_list,
            "results": [{"round": r[0], "tools_key": r[1], "payload": json.loads(r[2])} for r in result_rows],
        }

    def import_session(self, data: dict[str, Any], actor: str = "trainer") -> str:
        """A session from an exported document, under a new code; returns the code."""
        if not isinstance(data, dict) or data.get("format") != ARCHIVE_FORMAT:
            raise TrainingError("training.err.archive_format")
        code: str | None = None
        try:
            scenario = parse_scenario(data["scenario"])
            for state in data["round_states"]:
                if str(state["status"]) not in ("pending", "open", "closing", "closed") or not 1 <= int(state["number"]) <= int(data["rounds"]):
                    raise ValueError(f"round state {state!r}")
            code = self.create_session(scenario, seed=int(data["seed"]), replications=int(data["replications"]),
                                       rounds_count=int(data["rounds"]), title=str(data["title"]), actor=actor)
            s = self.session(code)
            with self.store.write() as conn:
                ids = {}
                for name in data["teams"]:
                    clean = " ".join(str(name).split())[:MAX_TEAM_NAME]
                    row = conn.execute(insert(teams).values(session_id=s.id, name=clean, name_key=clean.casefold(),
                                                            joined_at=time.time()))
                    ids[clean] = q.new_id(row)
                for d in data["decisions"]:
                    conn.execute(insert(decisions).values(
                        session_id=s.id, team_id=ids[" ".join(str(d["team"]).split())[:MAX_TEAM_NAME]], round=int(d["round"]),
                        tools=json.dumps(ordered(scenario, d["tools"])), new_tools=json.dumps(ordered(scenario, d["new_tools"])),
                        notes=json.dumps({str(k): str(v)[:MAX_NOTE] for k, v in dict(d["notes"]).items()}, ensure_ascii=False),
                        submitted_at=float(d["submitted_at"]),
                    ))
                for r in data["results"]:
                    payload_to_results(r["payload"])  # refuse what does not rebuild
                    conn.execute(insert(results).values(session_id=s.id, round=int(r["round"]), tools_key=str(r["tools_key"]),
                                                        payload=json.dumps(r["payload"]), computed_at=time.time()))
                for state in data["round_states"]:
                    conn.execute(update(rounds).where(and_(rounds.c.session_id == s.id, rounds.c.number == int(state["number"])))
                                 .values(status=str(state["status"]), revealed=int(bool(state["revealed"]))))
                self.store.log(conn, s.id, actor, "import", {"from": data.get("code")})
            return code
        except (TrainingError, KeyError, TypeError, ValueError, ScenarioError, IntegrityError) as error:
            if code is not None:  # nothing half-imported stays behind
                with self.store.write() as conn:
                    conn.execute(delete(sessions).where(sessions.c.code == code))
            if isinstance(error, TrainingError):
                raise
            raise TrainingError("training.err.archive_broken", detail=str(error)[:300]) from None
