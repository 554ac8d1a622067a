"""Teams' decisions: the tools they add within a round's budget, and their notes."""

from __future__ import annotations

import json
import time

from sqlalchemy import and_, delete, insert

from ..lean import ChoiceError, check_choice
from ..store import decisions
from ..text import clean_block, clean_line
from . import queries as q
from .base import TrainingBase
from .records import MAX_NOTE, Decision, TrainingError


def clean_notes_of(notes: object) -> dict[str, str]:
    """A team's notes as stored: short keys, cleaned texts (`sim.text`), each within `MAX_NOTE`."""
    if not isinstance(notes, dict):
        return {}
    return {clean_line(k, 40): clean_block(v, MAX_NOTE) for k, v in list(notes.items())[:10]}


class DecisionsMixin(TrainingBase):
    """Submitting and reading decisions."""

    def kept_tools(self, code: str, team: str, number: int) -> list[str]:
        """The tools a team has in force from rounds before `number` (its latest decision)."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            return q.kept_tools(conn, q.team_info(conn, session_id, team).id, number)

    def submit(self, code: str, team: str, number: int, new_tools: list[str], notes: dict[str, str] | None = None) -> Decision:
        """A team's decision for an open round (a second submission replaces the first)."""
        s = self.session(code)
        clean_notes = clean_notes_of(notes)
        now = time.time()
        with self.store.write() as conn:
            q.lock_session(conn, s.id)
            info = q.team_info(conn, s.id, team)
            if q.statuses(conn, s.id).get(number) != "open":
                raise TrainingError("training.err.round_closed", n=number)
            unknown = [x for x in new_tools if x not in s.scenario.tools]
            if unknown:
                raise TrainingError("training.err.unknown_tool", tools=", ".join(unknown))
            kept = q.kept_tools(conn, info.id, number)
            try:
                in_force = check_choice(s.scenario, number, kept, new_tools)
            except ChoiceError as error:
                raise TrainingError(f"training.err.{error.kind}", **error.params) from None
            fresh = [x for x in in_force if x not in kept]
            conn.execute(delete(decisions).where(and_(decisions.c.team_id == info.id, decisions.c.round == number)))
            conn.execute(insert(decisions).values(
                session_id=s.id, team_id=info.id, round=number, tools=json.dumps(in_force),
                new_tools=json.dumps(fresh), notes=json.dumps(clean_notes, ensure_ascii=False), submitted_at=now,
            ))
            self.store.log(conn, s.id, info.name, "submit", {"round": number, "tools": in_force})
        return Decision(info.name, number, in_force, fresh, clean_notes, now)

    def decisions(self, code: str, number: int) -> list[Decision]:
        """Every decision of a round, in the order the teams joined."""
        with self.store.read() as conn:
            return q.decision_list(conn, int(q.session_row(conn, code)["id"]), number)

    def decision(self, code: str, team: str, number: int) -> Decision | None:
        """A team's decision for a round, or None."""
        key = q.name_key(team)
        return next((d for d in self.decisions(code, number) if q.name_key(d.team) == key), None)

    def tools_in_force(self, code: str, number: int) -> dict[str, list[str]]:
        """Each team's tools for a round (see `queries.tools_in_force`)."""
        with self.store.read() as conn:
            return q.tools_in_force(conn, int(q.session_row(conn, code)["id"]), number)
