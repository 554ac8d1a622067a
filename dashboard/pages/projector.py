"""Projector view: the join code, the round and its countdown, then the leaderboard; large type, no controls."""

from __future__ import annotations

import streamlit as st

from dashboard.session import training
from dashboard.trainer_view import countdown, status_text
from dashboard.widgets import lang as current_lang
from dashboard.widgets import plain
from sim.i18n import pick, t
from sim.store import StoreError
from sim.training import TrainingError

lang = current_lang()
code = (st.query_params.get("code") or "").strip().upper()
st.markdown("<style>.stMainBlockContainer{font-size:1.5rem} h1{font-size:3.2rem !important}</style>",
            unsafe_allow_html=True)
try:
    service = training()
    info = service.session(code)
except (StoreError, TrainingError) as error:
    st.title(t("projector.title", lang))
    st.error(error.text(lang) if isinstance(error, TrainingError) else str(error))
    st.stop()


@st.fragment(run_every=2)
def board() -> None:
    st.title(t("projector.join", lang, code=info.code))
    st.markdown(f"## {pick(info.scenario.title, lang)}")
    current = service.current_round(code)
    if current is None:
        st.markdown(f"### {t('team.wait_start', lang)}")
        st.markdown(t("projector.teams", lang, n=len(service.teams(code))))
        return
    plan = info.scenario.rounds[current.number - 1]
    st.markdown(f"### {pick(plan.title, lang)} · {status_text(current.status, lang)} {countdown(current.deadline, lang)}")
    submitted = len(service.decisions(code, current.number))
    st.markdown(t("projector.submitted", lang, done=submitted, n=len(service.teams(code))))
    if current.status == "closed" and current.revealed:
        rows = service.leaderboard(code, current.number)
        for place, row in enumerate(rows, start=1):
            score = "—" if row["score"] is None else f"{row['score']:.1f}"
            st.markdown(f"### {place}. {plain(row['team'])} — {score}")


board()
