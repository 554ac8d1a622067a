"""Projector view, made for a wall: the code and the address to type (with a QR code), the round and
its countdown, who has submitted, and the leaderboard with intervals and ties. No sidebar, large
type, no controls; it redraws only when the session changes (no flashing)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
import streamlit as st

from dashboard.gemba_round_view import projector_floor, walk_column
from dashboard.live import big, countdown, watch
from dashboard.room import session_signature, team_address
from dashboard.session import client_key, training
from dashboard.trainer_view import status_text
from dashboard.widgets import lang as current_lang
from sim.i18n import counted, num, pick, t
from sim.ranking import Entry, rank
from sim.store import StoreError
from sim.training import TrainingError
from sim.training.observations import is_gemba


@lru_cache(maxsize=32)
def _qr_png(address: str) -> bytes:
    """The QR code of the address, drawn once (the page redraws at every change in the session)."""
    qr = io.BytesIO()
    segno.make(address, error="m").save(qr, kind="png", scale=12, border=2)
    return qr.getvalue()


lang = current_lang()
st.markdown("<style>[data-testid='stSidebar'],[data-testid='stSidebarCollapsedControl'],header{display:none !important}"
            ".stMainBlockContainer{padding-top:1.5rem;max-width:100% !important}</style>", unsafe_allow_html=True)
code = (st.query_params.get("code") or "").strip().upper()
try:
    service = training()
    info = None
    if code:
        service.check_guard(client_key())  # session codes cannot be guessed through this page either
        try:
            info = service.session(code)
        except TrainingError:
            service.guard.failed(client_key())
            raise
except (StoreError, TrainingError) as error:
    st.error(error.text(lang) if isinstance(error, TrainingError) else str(error))
    info = None
if info is None:  # opened from the menu, or a wrong code: ask for one
    st.title(t("projector.title", lang))
    typed = st.text_input(t("team.code", lang), max_chars=12, key="projector.code")
    if st.button(t("projector.show", lang), type="primary", key="projector.go") and typed.strip():
        st.query_params["code"] = typed.strip().upper()
        st.rerun()
    st.stop()

watch(f"projector.seen.{info.code}", lambda: session_signature(service, info.code))
address = team_address(info.code)
left, right = st.columns([3, 1])
with left:
    big(t("projector.join", lang, code=info.code), 4.2, 700)
    big(t("projector.address", lang, url=address), 2.0, 500)
    big(pick(info.scenario.title, lang), 1.8, 500)
with right:
    st.image(_qr_png(address), width=300)

teams = service.teams(info.code)
current = service.current_round(info.code)
if current is None:
    big(t("team.wait_start", lang), 2.2)
    big(t("projector.teams", lang, n=len(teams)), 2.2)
    st.stop()
plan = info.scenario.rounds[current.number - 1]
big(f"{pick(plan.title, lang)} · {status_text(current.status, lang, current.revealed)}", 2.6, 700)
if current.status == "open":
    countdown(current.deadline, lang, size=48, height=70)
    if current.deadline:
        big(t("round.enforced" if current.enforced else "round.advisory", lang), 1.4, 400)
done = len(service.decisions(info.code, current.number))
big(t("projector.submitted", lang, done=done, of=counted("projector.of_teams", len(teams), lang)), 2.2)
if current.status == "closed" and current.revealed:
    rows = service.leaderboard(info.code, current.number)
    submitted = {d.team for d in service.decisions(info.code, current.number)}
    # the waste walk, apart from the score, on the wall in its own round only (not on every later line)
    walk = walk_column(service, info.code, current.number, lang) if is_gemba(info.scenario, current.number) else None
    for p in rank([Entry(r["team"], r["score"], r["score_ci"], r["team"] in submitted) for r in rows]):
        score = "—" if p.entry.score is None else num(p.entry.score, lang)
        ci = f" ({num(p.entry.ci95[0], lang)}–{num(p.entry.ci95[1], lang)})" if p.entry.ci95 else ""
        seen = f" · {walk[0]}: {walk[1].get(p.entry.team, '—')}" if walk else ""
        big(f"{p.place}{'=' if p.tied else ''}. {p.entry.team} — {score}{ci}{seen}", 2.4)
    if any(p.tied for p in rank([Entry(r["team"], r["score"], r["score_ci"]) for r in rows])):
        big(t("board.ties", lang), 1.4, 400)
projector_floor(info, lang)
