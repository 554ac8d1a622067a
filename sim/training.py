"""Training sessions: teams play rounds of one library; the trainer opens, closes and reveals them.

A session holds a frozen copy of its scenario, one root seed (every round and every team sees the
same readers: common random numbers) and the scenario's round plan. A team's decision for a round
is the tools it adds (within the round's budget) on top of those it chose before, and a few lines
of notes (the wastes it saw, why each tool). Closing a round marks it `closing`; a `Worker`
computes the results of every distinct decision once (teams that chose the same tools share the
computation), stores them and marks the round `closed`. After a crash, a round left `closing` is
finished when the worker starts again. Teams see results only once the trainer reveals them.

Refusals raise `TrainingError`, whose `key` and `params` give the message in either language
(`sim.i18n.t(error.key, lang, **error.params)`); `str(error)` is the English text.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import and_, delete, insert, select, update

from .experiment import Results, aggregate
from .i18n import t
from .lean import ChoiceError, check_choice, ordered
from .metrics import RepMetrics, StepStats
from .scenario import Scenario, ScenarioError, parse_scenario
from .score import balanced_score
from .store import IntegrityError, Store, decisions, results, rounds, sessions, teams

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: easy to read off a projector
CODE_LENGTH = 6
MAX_TEAM_NAME = 60
MAX_NOTE = 2000
MAX_TEAMS = 40
Runner = Callable[[Scenario, int, int], Results]


class TrainingError(ValueError):
    """A request the rules refuse; nothing was stored."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(t(key, "en", **params))

    def text(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class SessionInfo:
    id: int
    code: str
    title: str
    scenario: Scenario
    seed: int
    replications: int
    rounds: int
    created_at: float


@dataclass(frozen=True)
class RoundInfo:
    number: int
    status: str  # pending | open | closing | closed
    revealed: bool
    deadline: float | None
    error: str | None


@dataclass(frozen=True)
class TeamInfo:
    id: int
    name: str


@dataclass(frozen=True)
class Decision:
    team: str
    round: int
    tools: list[str]
    new_tools: list[str]
    notes: dict[str, str]
    submitted_at: float


# --- results as JSON -----------------------------------------------------------------------------


def results_to_payload(r: Results) -> dict[str, Any]:
    """Everything needed to rebuild the Results exactly (per-replication figures)."""
    return {
        "scenario": r.scenario_id, "seed": r.seed,
        "replications": [
            {
                "kpis": rep.kpis, "groups": rep.groups, "hours": rep.hours, "hourly": rep.hourly,
                "wait_samples": {g: np.round(v, 4).tolist() for g, v in rep.wait_samples.items()},
                "steps": {s: [st.count, st.process_sum, st.wait_sum] for s, st in rep.steps.items()},
            }
            for rep in r.per_replication
        ],
    }


def payload_to_results(data: dict[str, Any]) -> Results:
    reps = [
        RepMetrics(
            kpis=rep["kpis"], groups=rep["groups"], hours=rep["hours"], hourly=rep["hourly"],
            wait_samples={g: np.asarray(v, dtype=float) for g, v in rep["wait_samples"].items()},
            steps={s: StepStats(int(v[0]), float(v[1]), float(v[2])) for s, v in rep["steps"].items()},
        )
        for rep in data["replications"]
    ]
    return aggregate(data["scenario"], int(data["seed"]), reps)


def tools_key(tool_ids: list[str]) -> str:
    return ",".join(tool_ids)


# --- the service ---------------------------------------------------------------------------------


class Training:
    """Sessions, teams, rounds and decisions over a `Store`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # sessions ----------------------------------------------------------------------------------

    def create_session(self, scenario: Scenario, *, seed: int, replications: int, rounds_count: int | None = None,
                       title: str | None = None, actor: str = "trainer") -> str:
        """A new session with a frozen copy of `scenario`; returns its join code."""
        plan = len(scenario.rounds)
        if plan == 0:
            raise TrainingError("training.err.no_plan")
        count = plan if rounds_count is None else rounds_count
        if not 1 <= count <= plan:
            raise TrainingError("training.err.rounds", count=count, plan=plan)
        if not 1 <= replications <= 200:
            raise TrainingError("training.err.replications", n=replications)
        if not 0 <= seed < 2**31:
            raise TrainingError("training.err.seed")
        text = scenario.model_dump_json()
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            try:
                with self.store.write() as conn:
                    row = conn.execute(insert(sessions).values(
                        code=code, title=title or scenario.title.ru, scenario_id=scenario.id, scenario_json=text,
                        seed=seed, replications=replications, rounds=count, created_at=time.time(), created_by=actor,
                    ))
                    session_id = int(row.inserted_primary_key[0])
                    for n in range(1, count + 1):
                        conn.execute(insert(rounds).values(session_id=session_id, number=n, status="pending", revealed=0))
                    self.store.log(conn, session_id, actor, "create_session",
                                   {"scenario": scenario.id, "seed": seed, "replications": replications, "rounds": count})
                return code
            except IntegrityError:
                continue  # the code was taken: draw another
        raise TrainingError("training.err.code_space")

    def session(self, code: str) -> SessionInfo:
        code = (code or "").strip().upper()
        with self.store.read() as conn:
            row = conn.execute(select(sessions).where(sessions.c.code == code)).mappings().first()
        if row is None:
            raise TrainingError("training.err.no_session", code=code)
        return SessionInfo(
            id=row["id"], code=row["code"], title=row["title"],
            scenario=Scenario.model_validate_json(row["scenario_json"]), seed=row["seed"],
            replications=row["replications"], rounds=row["rounds"], created_at=row["created_at"],
        )

    def list_sessions(self) -> list[tuple[str, str, float]]:
        with self.store.read() as conn:
            rows = conn.execute(select(sessions.c.code, sessions.c.title, sessions.c.created_at)
                                .order_by(sessions.c.created_at.desc())).all()
        return [(r[0], r[1], r[2]) for r in rows]

    def rounds(self, code: str) -> list[RoundInfo]:
        s = self.session(code)
        with self.store.read() as conn:
            rows = conn.execute(select(rounds).where(rounds.c.session_id == s.id).order_by(rounds.c.number)).mappings().all()
        return [RoundInfo(r["number"], r["status"], bool(r["revealed"]), r["deadline"], r["error"]) for r in rows]

    def round(self, code: str, number: int) -> RoundInfo:
        for r in self.rounds(code):
            if r.number == number:
                return r
        raise TrainingError("training.err.no_round", n=number)

    def current_round(self, code: str) -> RoundInfo | None:
        """The round in play: the open or closing one, else the last closed, else None."""
        all_rounds = self.rounds(code)
        for r in all_rounds:
            if r.status in ("open", "closing"):
                return r
        closed = [r for r in all_rounds if r.status == "closed"]
        return closed[-1] if closed else None

    # teams -------------------------------------------------------------------------------------

    def join(self, code: str, name: str) -> TeamInfo:
        """Join a session as a team; the same name (any case) rejoins the same team."""
        s = self.session(code)
        clean = " ".join((name or "").split())
        if not clean:
            raise TrainingError("training.err.team_name_empty")
        if len(clean) > MAX_TEAM_NAME:
            raise TrainingError("training.err.team_name_long", n=MAX_TEAM_NAME)
        key = clean.casefold()
        with self.store.write() as conn:
            row = conn.execute(select(teams.c.id, teams.c.name)
                               .where(and_(teams.c.session_id == s.id, teams.c.name_key == key))).first()
            if row is not None:
                return TeamInfo(int(row[0]), str(row[1]))
            count = len(conn.execute(select(teams.c.id).where(teams.c.session_id == s.id)).all())
            if count >= MAX_TEAMS:
                raise TrainingError("training.err.too_many_teams", n=MAX_TEAMS)
            new = conn.execute(insert(teams).values(session_id=s.id, name=clean, name_key=key, joined_at=time.time()))
            self.store.log(conn, s.id, clean, "join")
            return TeamInfo(int(new.inserted_primary_key[0]), clean)

    def create_team(self, code: str, name: str) -> TeamInfo:
        """A new team; refused if the name is taken (for the trainer's console)."""
        s = self.session(code)
        key = " ".join((name or "").split()).casefold()
        with self.store.read() as conn:
            taken = conn.execute(select(teams.c.id).where(and_(teams.c.session_id == s.id, teams.c.name_key == key))).first()
        if taken is not None:
            raise TrainingError("training.err.team_taken", name=name)
        return self.join(code, name)

    def teams(self, code: str) -> list[TeamInfo]:
        s = self.session(code)
        with self.store.read() as conn:
            rows = conn.execute(select(teams.c.id, teams.c.name).where(teams.c.session_id == s.id)
                                .order_by(teams.c.joined_at)).all()
        return [TeamInfo(int(r[0]), str(r[1])) for r in rows]

    def _team(self, s: SessionInfo, name: str) -> TeamInfo:
        key = " ".join((name or "").split()).casefold()
        with self.store.read() as conn:
            row = conn.execute(select(teams.c.id, teams.c.name)
                               .where(and_(teams.c.session_id == s.id, teams.c.name_key == key))).first()
        if row is None:
            raise TrainingError("training.err.no_team", name=name)
        return TeamInfo(int(row[0]), str(row[1]))

    # rounds ------------------------------------------------------------------------------------

    def _set_round(self, s: SessionInfo, number: int, allowed: tuple[str, ...], actor: str, action: str,
                   **values: Any) -> None:
        with self.store.write() as conn:
            row = conn.execute(select(rounds.c.status).where(
                and_(rounds.c.session_id == s.id, rounds.c.number == number))).first()
            if row is None:
                raise TrainingError("training.err.no_round", n=number)
            if row[0] not in allowed:
                raise TrainingError("training.err.round_state", n=number, status=row[0], action=action)
            conn.execute(update(rounds).where(and_(rounds.c.session_id == s.id, rounds.c.number == number)).values(**values))
            self.store.log(conn, s.id, actor, action, {"round": number})

    def open_round(self, code: str, number: int, minutes: float | None = None, actor: str = "trainer") -> None:
        s = self.session(code)
        if number > 1 and self.round(code, number - 1).status != "closed":
            raise TrainingError("training.err.previous_open", n=number - 1)
        others = [r.number for r in self.rounds(code) if r.status in ("open", "closing") and r.number != number]
        if others:
            raise TrainingError("training.err.other_open", n=others[0])
        deadline = time.time() + 60 * minutes if minutes else None
        self._set_round(s, number, ("pending",), actor, "open_round", status="open", opened_at=time.time(),
                        deadline=deadline, revealed=0, error=None)

    def close_round(self, code: str, number: int, actor: str = "trainer") -> None:
        """Stop taking decisions; the worker computes the results and marks the round closed."""
        s = self.session(code)
        self._set_round(s, number, ("open",), actor, "close_round", status="closing", closed_at=time.time())

    def reopen_round(self, code: str, number: int, actor: str = "trainer") -> None:
        """Take decisions again (their results are computed anew when the round closes)."""
        s = self.session(code)
        later = [r.number for r in self.rounds(code) if r.number > number and r.status != "pending"]
        if later:
            raise TrainingError("training.err.later_started", n=later[0])
        with self.store.write() as conn:
            status = conn.execute(select(rounds.c.status).where(
                and_(rounds.c.session_id == s.id, rounds.c.number == number))).scalar()
            if status != "closed":
                raise TrainingError("training.err.round_state", n=number, status=status, action="reopen_round")
            conn.execute(delete(results).where(and_(results.c.session_id == s.id, results.c.round == number)))
            conn.execute(update(rounds).where(and_(rounds.c.session_id == s.id, rounds.c.number == number))
                         .values(status="open", revealed=0, deadline=None))
            self.store.log(conn, s.id, actor, "reopen_round", {"round": number})

    def reveal(self, code: str, number: int, actor: str = "trainer") -> None:
        s = self.session(code)
        self._set_round(s, number, ("closed",), actor, "reveal", revealed=1)

    # decisions ---------------------------------------------------------------------------------

    def kept_tools(self, code: str, team: str, number: int) -> list[str]:
        """The tools a team has in force from rounds before `number` (its latest decision)."""
        s = self.session(code)
        info = self._team(s, team)
        with self.store.read() as conn:
            row = conn.execute(select(decisions.c.tools).where(and_(
                decisions.c.team_id == info.id, decisions.c.round < number)).order_by(decisions.c.round.desc())).first()
        return json.loads(row[0]) if row else []

    def submit(self, code: str, team: str, number: int, new_tools: list[str], notes: dict[str, str] | None = None) -> Decision:
        """A team's decision for an open round (a second submission replaces the first)."""
        s = self.session(code)
        info = self._team(s, team)
        if self.round(code, number).status != "open":
            raise TrainingError("training.err.round_closed", n=number)
        kept = self.kept_tools(code, team, number)
        try:
            unknown = [x for x in new_tools if x not in s.scenario.tools]
            if unknown:
                raise TrainingError("training.err.unknown_tool", tools=", ".join(unknown))
            in_force = check_choice(s.scenario, number, kept, new_tools)
        except ChoiceError as error:
            raise TrainingError(f"training.err.{error.kind}", **error.params) from None
        fresh = [x for x in in_force if x not in kept]
        clean_notes = {str(k)[:40]: str(v)[:MAX_NOTE] for k, v in (notes or {}).items()}
        now = time.time()
        with self.store.write() as conn:
            status = conn.execute(select(rounds.c.status).where(
                and_(rounds.c.session_id == s.id, rounds.c.number == number))).scalar()
            if status != "open":  # closed between the check above and now
                raise TrainingError("training.err.round_closed", n=number)
            conn.execute(delete(decisions).where(and_(decisions.c.team_id == info.id, decisions.c.round == number)))
            conn.execute(insert(decisions).values(
                session_id=s.id, team_id=info.id, round=number, tools=json.dumps(in_force),
                new_tools=json.dumps(fresh), notes=json.dumps(clean_notes, ensure_ascii=False), submitted_at=now,
            ))
            self.store.log(conn, s.id, info.name, "submit", {"round": number, "tools": in_force})
        return Decision(info.name, number, in_force, fresh, clean_notes, now)

    def decisions(self, code: str, number: int) -> list[Decision]:
        s = self.session(code)
        with self.store.read() as conn:
            rows = conn.execute(
                select(teams.c.name, decisions.c.round, decisions.c.tools, decisions.c.new_tools, decisions.c.notes,
                       decisions.c.submitted_at)
                .join(teams, teams.c.id == decisions.c.team_id)
                .where(and_(decisions.c.session_id == s.id, decisions.c.round == number))
                .order_by(teams.c.joined_at)
            ).all()
        return [Decision(r[0], r[1], json.loads(r[2]), json.loads(r[3]), json.loads(r[4]), r[5]) for r in rows]

    def decision(self, code: str, team: str, number: int) -> Decision | None:
        for d in self.decisions(code, number):
            if d.team.casefold() == " ".join(team.split()).casefold():
                return d
        return None

    def tools_in_force(self, code: str, number: int) -> dict[str, list[str]]:
        """Each team's tools for a round: its decision, or (without one) what it kept from before.

        Teams that joined after the round was closed did not play it and are left out.
        """
        s = self.session(code)
        with self.store.read() as conn:
            closed_at = conn.execute(select(rounds.c.closed_at).where(
                and_(rounds.c.session_id == s.id, rounds.c.number == number))).scalar()
            joined = dict(conn.execute(select(teams.c.name, teams.c.joined_at).where(teams.c.session_id == s.id)).all())
        submitted = {d.team: d.tools for d in self.decisions(code, number)}
        return {tm.name: submitted.get(tm.name, self.kept_tools(code, tm.name, number)) for tm in self.teams(code)
                if tm.name in submitted or closed_at is None or joined[tm.name] <= closed_at}

    # results -----------------------------------------------------------------------------------

    def compute_round(self, code: str, number: int, runner: Runner) -> None:
        """Compute and store the results of every distinct decision of a closing round."""
        s = self.session(code)
        if self.round(code, number).status != "closing":
            return
        wanted = {tools_key(tools): tools for tools in self.tools_in_force(code, number).values()}
        wanted.setdefault("", [])  # the library as it is: the baseline of every score
        from .lean import apply_tools

        with self.store.read() as conn:
            done = {r[0] for r in conn.execute(select(results.c.tools_key).where(
                and_(results.c.session_id == s.id, results.c.round == number))).all()}
            earlier = {r[0]: r[1] for r in conn.execute(select(results.c.tools_key, results.c.payload).where(
                and_(results.c.session_id == s.id, results.c.round < number))).all()}
        for key, tools in wanted.items():
            if key in done:
                continue
            # the same tools in an earlier round of this session gave these very results (same seed)
            payload = earlier.get(key)
            if payload is None:
                payload = json.dumps(results_to_payload(runner(apply_tools(s.scenario, tools), s.seed, s.replications)))
            with self.store.write() as conn:
                exists = conn.execute(select(results.c.tools_key).where(and_(
                    results.c.session_id == s.id, results.c.round == number, results.c.tools_key == key))).first()
                if exists is None:  # another worker (another server on this database) may have been first
                    conn.execute(insert(results).values(session_id=s.id, round=number, tools_key=key, payload=payload,
                                                        computed_at=time.time()))
        with self.store.write() as conn:
            conn.execute(update(rounds).where(and_(rounds.c.session_id == s.id, rounds.c.number == number,
                                                   rounds.c.status == "closing")).values(status="closed", error=None))
            self.store.log(conn, s.id, "worker", "round_closed", {"round": number, "runs": len(wanted)})

    def closing_rounds(self) -> list[tuple[str, int]]:
        with self.store.read() as conn:
            rows = conn.execute(select(sessions.c.code, rounds.c.number).join(sessions, sessions.c.id == rounds.c.session_id)
                                .where(and_(rounds.c.status == "closing", rounds.c.error.is_(None)))).all()
        return [(str(r[0]), int(r[1])) for r in rows]

    def retry_round(self, code: str, number: int, actor: str = "trainer") -> None:
        """Clear the error of a round whose computation failed, so the worker tries again."""
        s = self.session(code)
        self._set_round(s, number, ("closing",), actor, "retry_round", error=None)

    def results_of(self, code: str, number: int, tools: list[str]) -> Results | None:
        s = self.session(code)
        with self.store.read() as conn:
            row = conn.execute(select(results.c.payload).where(and_(
                results.c.session_id == s.id, results.c.round == number, results.c.tools_key == tools_key(tools)))).first()
        return payload_to_results(json.loads(row[0])) if row else None

    def team_results(self, code: str, team: str, number: int, *, trainer: bool = False) -> tuple[list[str], Results]:
        """A team's tools and results for a round; teams see them only once revealed."""
        s = self.session(code)
        info = self._team(s, team)
        r = self.round(code, number)
        if r.status != "closed" or (not r.revealed and not trainer):
            raise TrainingError("training.err.not_revealed", n=number)
        in_force = self.tools_in_force(code, number)
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
        if self.round(code, number).status != "closed":
            raise TrainingError("training.err.not_closed", n=number)
        baseline = self.results_of(code, number, [])
        rows = []
        cache: dict[str, Results | None] = {}
        for team, tools in self.tools_in_force(code, number).items():
            key = tools_key(tools)
            if key not in cache:
                cache[key] = self.results_of(code, number, tools)
            res = cache[key]
            if res is None or baseline is None:
                continue
            score = balanced_score(s.scenario, baseline, res, (), tools)
            rows.append({"team": team, "tools": tools, "score": score.total.mean, "score_ci": score.total.ci95,
                         "results": res})
        rows.sort(key=lambda row: -(row["score"] or 0.0))
        return rows

    # archive -----------------------------------------------------------------------------------

    def export_session(self, code: str) -> dict[str, Any]:
        """The whole session as one JSON-able document (scenario, teams, decisions, notes, results)."""
        s = self.session(code)
        with self.store.read() as conn:
            result_rows = conn.execute(select(results.c.round, results.c.tools_key, results.c.payload)
                                       .where(results.c.session_id == s.id)).all()
        return {
            "format": "lean-library-trainer/session", "version": 1,
            "code": s.code, "title": s.title, "seed": s.seed, "replications": s.replications, "rounds": s.rounds,
            "scenario": json.loads(s.scenario.model_dump_json()),
            "round_states": [r.__dict__ for r in self.rounds(code)],
            "teams": [tm.name for tm in self.teams(code)],
            "decisions": [d.__dict__ for n in range(1, s.rounds + 1) for d in self.decisions(code, n)],
            "results": [{"round": r[0], "tools_key": r[1], "payload": json.loads(r[2])} for r in result_rows],
        }

    def import_session(self, data: dict[str, Any], actor: str = "trainer") -> str:
        """A session from an exported document, under a new code; returns the code."""
        if not isinstance(data, dict) or data.get("format") != "lean-library-trainer/session":
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
                    ids[clean] = int(row.inserted_primary_key[0])
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


class Worker:
    """Computes the results of closing rounds in a background thread (not inside a page rerun)."""

    def __init__(self, training: Training, runner: Runner, interval: float = 1.0) -> None:
        self.training = training
        self.runner = runner
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="training-worker", daemon=True)

    def start(self) -> Worker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def run_once(self) -> int:
        """Finish every closing round now; returns how many were finished."""
        finished = 0
        for code, number in self.training.closing_rounds():
            try:
                self.training.compute_round(code, number, self.runner)
                finished += 1
            except Exception as error:  # keep the worker alive; the round shows the error and stays closing
                s = self.training.session(code)
                with self.training.store.write() as conn:
                    conn.execute(update(rounds).where(and_(rounds.c.session_id == s.id, rounds.c.number == number,
                                                           rounds.c.status == "closing"))
                                 .values(error=str(error)[:500]))
        return finished

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.interval)
