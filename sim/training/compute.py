"""Results: computing a closing round's distinct decisions, and reading them back (scores, leaderboard)."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection

from ..events import for_round, same_events
from ..experiment import Results
from ..store import results, rounds, sessions
from ..study import Study, variant_scenarios
from . import queries as q
from .base import TrainingBase
from .records import (
    BatchRunner,
    Runner,
    SessionInfo,
    TrainingError,
    payload_to_results,
    results_to_payload,
    tools_key,
)

PROGRESS_EVERY = 0.5  # seconds between stored progress updates


class _ProgressWriter:
    """Stores a round's progress at most every `PROGRESS_EVERY` seconds (a write per replication is too many)."""

    def __init__(self, service: ResultsMixin, session_id: int, number: int, total: int) -> None:
        self.service, self.session_id, self.number, self.total = service, session_id, number, total
        self.done, self.last = 0, 0.0
        service.set_progress(session_id, number, 0, total)

    def __call__(self, done: int, total: int) -> None:
        self.done = done
        if time.monotonic() - self.last >= PROGRESS_EVERY:
            self.flush()

    def flush(self) -> None:
        self.last = time.monotonic()
        self.service.set_progress(self.session_id, self.number, self.done, self.total)


class ResultsMixin(TrainingBase):
    """The worker's computation of rounds, and the results teams and the trainer read."""

    def compute_round(self, code: str, number: int, runner: Runner | None = None, *,
                      batch: BatchRunner | None = None) -> None:
        """Compute and store the results of every distinct decision of a closing round, then close it.

        The round is marked closed only inside a transaction that holds the session's lock and finds a
        result for every decision in force at that moment: a round reopened and closed again while this
        computation ran (another server on the database) is not closed with a team's result missing.
        With `batch`, the distinct decisions are computed together (every replication of every one
        submitted at once); otherwise one after another with `runner`. Progress is stored on the round.
        """
        s = self.session(code)
        for _ in range(3):  # decisions can change under a slow computation only by a reopen: rare
            with self.store.read() as conn:
                if q.statuses(conn, s.id).get(number) != "closing":
                    return
                wanted = self._wanted(conn, s.id, number)
                done = self._stored_keys(conn, s.id, number)
                # only rounds with this round's events ran the same library (see `sim.events`)
                alike = [n for n in range(1, number) if same_events(s.scenario, n, number)]
                earlier = {r[0]: r[1] for r in conn.execute(select(results.c.tools_key, results.c.payload).where(
                    and_(results.c.session_id == s.id, results.c.round.in_(alike)))).all()}
            missing = {key: tools for key, tools in wanted.items() if key not in done}
            # the same tools in an earlier round of this session, with the same events, gave these very
            # results (same seed)
            payloads = {key: earlier[key] for key in missing if key in earlier}
            todo = {key: tools for key, tools in missing.items() if key not in payloads}
            for key, found in zip(todo, self._run(s, number, list(todo.values()), runner, batch)):
                payloads[key] = json.dumps(results_to_payload(found))
            if self._store_and_close(s.id, number, payloads):
                return

    def _run(self, s: SessionInfo, number: int, decisions: list[list[str]], runner: Runner | None,
             batch: BatchRunner | None) -> list[Results]:
        if not decisions:
            return []
        total = len(decisions) * s.replications
        report = _ProgressWriter(self, s.id, number, total)
        # the round's events are switched on for every decision and for the library as it is alike
        scenarios = variant_scenarios(for_round(s.scenario, number), decisions)
        if batch is not None:
            found = batch(scenarios, s.seed, s.replications, report)
        else:
            if runner is None:
                raise ValueError("compute_round needs a runner or a batch runner")
            found = []
            for i, scenario in enumerate(scenarios):
                found.append(runner(scenario, s.seed, s.replications))
                report((i + 1) * s.replications, total)
        report.flush()
        return found

    def set_progress(self, session_id: int, number: int, done: int, total: int) -> None:
        """Store how far a round's computation is (not a change that pages redraw for)."""
        with self.store.write() as conn:
            conn.execute(update(rounds).where(and_(rounds.c.session_id == session_id, rounds.c.number == number))
                         .values(progress_done=done, progress_total=total))

    def round_progress(self, code: str, number: int) -> tuple[int, int]:
        """(replications computed, replications to compute) of a round's computation; (0, 0) if none."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            row = conn.execute(select(rounds.c.progress_done, rounds.c.progress_total).where(
                and_(rounds.c.session_id == session_id, rounds.c.number == number))).first()
        if row is None:
            raise TrainingError("training.err.no_round", n=number)
        return int(row[0] or 0), int(row[1] or 0)

    def mark_failed(self, code: str, number: int, error: str) -> None:
        """Show a failed computation on the round (it stays closing until the trainer retries)."""
        with self.store.write() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            q.lock_session(conn, session_id)
            conn.execute(update(rounds).where(and_(rounds.c.session_id == session_id, rounds.c.number == number,
                                                   rounds.c.status == "closing")).values(error=error[:500]))

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
            score = Study(for_round(s.scenario, number), tools, seed=s.seed,
                          replications=s.replications).judge(baseline, res).score
            rows.append({"team": team, "tools": tools, "score": score.total.mean, "score_ci": score.total.ci95,
                         "results": res})
        rows.sort(key=lambda row: -(row["score"] or 0.0))
        return rows
