"""Team round: join with the session code, read the brief, choose tools, submit, see revealed results."""

from __future__ import annotations

import streamlit as st

from dashboard.events_view import round_events_brief
from dashboard.gemba_round_view import team_gemba_round
from dashboard.live import countdown, watch
from dashboard.room import round_signature, session_stamp
from dashboard.session import training
from dashboard.team_view import (
    decision_form,
    join_form,
    leave,
    library_as_is,
    round_results,
    show_rejoin_code,
    signed_in_team,
)
from dashboard.trainer_view import status_text
from dashboard.widgets import lang as current_lang
from dashboard.widgets import plain
from sim.i18n import pick, t
from sim.store import StoreError

lang = current_lang()
st.title(t("team.title", lang))
try:
    service = training()
except StoreError as error:
    st.error(t("trainer.store_error", lang, error=str(error)))
    st.stop()

joined = signed_in_team(service, lang)
if joined is None:
    join_form(service, lang)
    st.stop()
code, name = joined
info = service.session(code)
st.caption(t("team.joined_as", lang, team=plain(name), code=code))
show_rejoin_code(lang)
st.button(t("team.leave", lang), key="team.leave", on_click=leave)

watch(f"team.seen.{code}", lambda: round_signature(service, code), stamp=lambda: session_stamp(service, code))
current = service.current_round(code)
if current is None:
    st.info(t("team.wait_start", lang))
    st.stop()
plan = info.scenario.rounds[current.number - 1]
st.subheader(pick(plan.title, lang))
st.markdown(status_text(current.status, lang, current.revealed))
if current.status == "open":
    countdown(current.deadline, lang)
    if current.deadline:
        st.caption(t("round.enforced" if current.enforced else "round.advisory", lang))
number = current.number
plan = info.scenario.rounds[number - 1]
st.write(pick(plan.brief, lang))
round_events_brief(info.scenario, number, lang)

if current.status == "open":
    decision_form(service, info, code, name, number, lang)
team_gemba_round(service, info, code, name, number, current.status, current.revealed, lang)

shown = number if current.status == "closed" and current.revealed else number - 1
if shown >= 1 and service.round(code, shown).revealed:
    round_results(service, info, code, name, shown, lang)
elif number == 1:
    library_as_is(info, lang)
