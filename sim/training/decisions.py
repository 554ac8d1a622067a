"""Teams' decisions: the tools they add within a round's budget or drop, their hypothesis and A3 notes."""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import and_, delete, insert, select

from ..lean import ChoiceError, check_choice, one_off_roubles, priced_in_roubles
from ..pdca import PDCA_KEY, hypothesis_of, notes_json
from ..store import decisions, drafts
from ..text import clean_block, clean_line
from . import queries as q
from .base import TrainingBase
from .records import MAX_NOTE, Decision, TrainingError


def clean_notes_of(notes: object) -> dict[str, str]:
    """A team's notes as stored: short keys, cleaned texts (`sim.text`), each within `MAX_NOTE`.

    A note that is neither text nor empty (a number, a list) is refused, naming its field: stored, it
    would be its Python form ("[1, 2]"), which no team wrote."""
    if not isinstance(notes, dict):
        return {}
    texts = [(k, v) for k, v in notes.items() if k != PDCA_KEY][:10]  # the pdca entry is not a text
    for k, v in texts:
        if v is not None and not isinstance(v, str):
            raise TrainingError("training.err.note_not_text", field=clean_line(k, 40))
    return {clean_line(k, 40): clean_block(v, MAX_NOTE) for k, v in texts}


class DecisionsMixin(TrainingBase):
    """Submitting and reading decisions."""

    def kept_tools(self, code: str, team: str, number: int) -> list[str]:
        """The tools a team has in force from rounds before `number` (its latest decision)."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            return q.kept_tools(conn, q.team_info(conn, session_id, team).id, number)

    def submit(self, code: str, team: str, number: int, new_tools: list[str], notes: dict[str, str] | None = None,
               dropped: list[str] | None = None, hypothesis: dict[str, Any] | None = None) -> Decision:
        """A team's decision for an open round (a second submission replaces the first).

        `dropped` are tools in force from earlier rounds that the team takes out (the money spent on
        them is not returned; their running cost stops); `hypothesis` is the figure it expects to
        move (`sim.pdca.hypothesis_of`). Both are kept in the decision's notes (`sim.pdca`).
        """
        s = self.session(code)
        clean_notes = clean_notes_of(notes)
        try:
            hyp = hypothesis_of(hypothesis, s.scenario)
        except ValueError as error:
            raise TrainingError("training.err.hypothesis", detail=str(error)) from None
        now = time.time()
        with self.store.write() as conn:
            q.lock_session(conn, s.id)
            info = q.team_info(conn, s.id, team)
            if q.statuses(conn, s.id).get(number) != "open":
                raise TrainingError("training.err.round_closed", n=number)
            unknown = [x for x in [*new_tools, *(dropped or [])] if x not in s.scenario.tools]
            if unknown:
                raise TrainingError("training.err.unknown_tool", tools=", ".join(unknown))
            kept = q.kept_tools(conn, info.id, number)
            try:
                in_force = check_choice(s.scenario, number, kept, new_tools, dropped or ())
            except ChoiceError as error:
                raise TrainingError(f"training.err.{error.kind}", **error.params) from None
            fresh = [x for x in in_force if x not in kept]
            gone = [x for x in kept if x not in in_force]
            conn.execute(delete(decisions).where(and_(decisions.c.team_id == info.id, decisions.c.round == number)))
            conn.execute(insert(decisions).values(
                session_id=s.id, team_id=info.id, round=number, tools=json.dumps(in_force),
                new_tools=json.dumps(fresh), notes=notes_json(clean_notes, gone, hyp), submitted_at=now,
            ))
            self.store.log(conn, s.id, info.name, "submit", {"round": number, "tools": in_force, "dropped": gone})
        return Decision(info.name, number, in_force, fresh, clean_notes, now, gone, hyp.to_json() if hyp else None)

    def money_spent(self, code: str, team: str, number: int) -> float:
        """Roubles a team has spent once on tools up to round `number`, tools it dropped since included
        (that money is not returned); 0 in a scenario priced in points."""
        s = self.session(code)
        with self.store.read() as conn:
            team_id = q.team_info(conn, s.id, team).id
            rows = conn.execute(select(decisions.c.new_tools).where(and_(
                decisions.c.team_id == team_id, decisions.c.round <= number))).all()
        if not priced_in_roubles(s.scenario):
            return 0.0
        return sum(one_off_roubles(s.scenario, [x for x in json.loads(r[0]) if x in s.scenario.tools]) for r in rows)

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

    def save_draft(self, code: str, team: str, number: int, new_tools: list[str], dropped: list[str],
                   notes: dict[str, str]) -> bool:
        """Keep what a team has ticked and typed in an open round before it submits, so that a reload
        (a phone's, say) gives it back; False when the round is not open. Private to the team: the
        session's change counter does not move, so no other page redraws for it."""
        s = self.session(code)
        tools = set(s.scenario.tools)
        payload = {"new": [x for x in new_tools if x in tools][:50], "dropped": [x for x in dropped if x in tools][:50],
                   "notes": clean_notes_of(notes)}
        with self.store.write() as conn:
            info = q.team_info(conn, s.id, team)
            if q.statuses(conn, s.id).get(number) != "open":
                return False
            conn.execute(delete(drafts).where(and_(drafts.c.team_id == info.id, drafts.c.round == number)))
            conn.execute(insert(drafts).values(team_id=info.id, round=number, session_id=s.id,
                                               payload=json.dumps(payload), saved_at=time.time()))
        return True

    def draft(self, code: str, team: str, number: int) -> dict[str, Any] | None:
        """The team's draft of round `number` ({"new", "dropped", "notes"}), or None."""
        with self.store.read() as conn:
            session_id = int(q.session_row(conn, code)["id"])
            info = q.team_info(conn, session_id, team)
            row = conn.execute(select(drafts.c.payload).where(
                and_(drafts.c.team_id == info.id, drafts.c.round == number))).first()
        if row is None:
            return None
        try:
            data = json.loads(row[0])
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

