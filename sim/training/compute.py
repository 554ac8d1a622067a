"""Results: computing a closing round's distinct decisions, and reading them back (scores, leaderboard)."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from ..experiment import Results
from ..lean import apply_tools
from ..score import balanced_score
from ..store import results, rounds, sessions
from . import queries as q
from .base import TrainingBase
from .records import Runner, TrainingError, payload_to_results, results_to_payload, tools_key


class ResultsMixin(TrainingBase):
    """The worker's computation of rounds, and the results teams and the trainer read."""

    def compute_round(self, code: str, number: int, runner: Runner) -> None:
        """Compute and store the results of every distinct decision of a closing round, then close it.

        The round is marked closed only inside a transaction that holds the session's lock and finds a
        result for every decision in force at that moment: a round reopened and closed again while this
        computation ran (another server on the database) is not closed with a team's result missing.
        """
        s = self.session(code)
        for _ in range(3):  # decisions can change under a slow computation only by a reopen: rare
            with self.store.read() as conn:
                if q.statuses(conn, s.id).get(number) != "closing":
                    return
                wanted = self._wanted(conn, s.id, number)
                done = self._stored_keys(conn, s.id, number)
                earlier = {r[0]: r[1] for r in conn.execute(select(results.c.tools_key, results.c.payload).where(
                    and_(results.c.session_id == s.id, results.c.round < number))).all()}
            missing = {key: tools for key, tools in wanted.items() if key not in done}
            # the same tools in an earlier round of this session gave these very results (same seed)
            payloads = {key: earlier[key] for key in missing if key in earlier}
            for key, tools in missing.items():
                if key not in payloads:
                    payloads[key] = json.dumps(results_to_payload(
                        runner(apply_tools(s.scenario, tools), s.seed, s.replications)))
            if self._store_and_close(s.id, number, payloads):
                return

    @staticmethod
    def _wanted(conn: Connection, session_id: int, number: int) -> dict[str, list[str]]:
        """The distinct tools in force in a round, by key, with the library as it is (every score's baseline)."""
        wanted = {tools_key(tools): tools for tools in q.tools_in_force(conn, session_id, number).values()}
        wanted.setdefault("", [])
        return wanted

    @staticmethod
    def _stored_keys(conn: Connection, session_id: int, number: int) -> set[str]:
        return {str(r[0]) for r in conn.execute(select(results.c.tools_key).where(
            and_(results.c.session_id == session_id, results.c.round == number))).all()}

    def _store_and_close(self, session_id: int, number: int, payloads: dict[str, str]) -> bool:
        """Store the payloads and close the round if every decision now has its result; True when closed
        (or no longer closing)."""
        with self.store.write() as conn:
            q.lock_session(conn, session_id)
            if q.statuses(conn, session_id).get(number) != "closing":
                return True  # reopened meanwhile, or closed by another worker: nothing to store
            done = self._stored_keys(conn, session_id, number)
            for key, payload in payloads.items():
                if key not in done:  # another worker (another server on this database) may have been first
                    conn.execute(insert(results).values(session_id=session_id, round=number, tools_key=key,
                                                        payload=payload, computed_at=time.time()))
                    done.add(key)
            wanted = self._wanted(conn, session_id, number)
            if not set(wanted) <= done:
                return False
            conn.execute(update(rounds).where(and_(rounds.c.session_id == session_id, rounds.c.number == number))
                         .values(status="closed", error=None))
            self.store.log(conn, session_id, "worker", "round_closed", {"round": number, "runs": len(wanted)})
            return True

    def closing_rounds(self) -> list[tuple[str, int]]:
        """Rounds waiting for the worker (closing, with no error), as (session code, round)."""
        with self.store.read() as conn:
            rows = conn.execute(select(sessions.c.code, rounds.c.number).join(sessions, sessions.c.id == rounds.c.session_id)
                                .where(and_(rounds.c.status == "closing", rounds.c.error.is_(None)))).all()
        return [(str(r[0]), int(r[1])) for r in rows]

    def results_of(self, code: str, number: int, tools: list[str]) -> Results | None:
        """The stored results of these tools in a round, or None."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            row = conn.execute(select(results.c.payload).where(and_(
                results.c.session_id == session_id, results.c.round == number, results.c.tools_key == tools_key(tools)))).first()
        return payload_to_results(json.loads(row[0])) if row else None

    def team_results(self, code: str, team: str, number: int, *, trainer: bool = False) -> tuple[list[str], Results]:
        """A team's tools and results for a round; teams see them only once revealed."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            info = q.team_info(conn, session_id, team)
            r = next((r for r in q.round_infos(conn, session_id) if r.number == number), None)
            if r is None:
                raise TrainingError("training.err.no_round", n=number)
            if r.status != "closed" or (not r.revealed and not trainer):
                raise TrainingError("training.err.not_revealed", n=number)
            in_force = q.tools_in_force(conn, session_id, number)
        if info.name not in in_force:  # joined after this round was closed
            raise TrainingError("training.err.not_played", team=info.name, n=number)
        tools = in_force[info.name]
        found = self.results_of(code, number, tools)
        if found is None:
            raise TrainingError("training.err.not_revealed", n=number)
        return tools, found

    def leaderboard(self, code: str, number: int) -> list[dict[str, Any]]:
        """Teams by balanced score for a closed round (the trainer sees it before revealing)."""
        s = self.session(code)
        with self.store.read() as conn:
            if q.statuses(conn, s.id).get(number) != "closed":
                raise TrainingError("training.err.not_closed", n=number)
            in_force = q.tools_in_force(conn, s.id, number)
            payloads = {str(k): p for k, p in conn.execute(select(results.c.tools_key, results.c.payload).where(
                and_(results.c.session_id == s.id, results.c.round == number))).all()}
        cache = {k: payload_to_results(json.loads(p)) for k, p in payloads.items()}
        baseline = cache.get("")
        rows: list[dict[str, Any]] = []
        for team, tools in in_force.items():
            res = cache.get(tools_key(tools))
            if res is None or baseline is None:
                continue
            score = balanced_score(s.scenario, baseline, res, (), tools)
            rows.append({"team": team, "tools": tools, "score": score.total.mean, "score_ci": score.total.ci95,
                         "results": res})
        rows.sort(key=lambda row: -(row["score"] or 0.0))
        return rows
