"""Team round: join with the session code, read the brief, choose tools, submit, see revealed results."""

from __future__ import annotations

import streamlit as st

from dashboard.results_view import show_results
from dashboard.session import client_key, training
from dashboard.trainer_view import countdown, status_text
from dashboard.widgets import lang as current_lang
from dashboard.widgets import plain, tool_picker
from sim.i18n import pick, plural, t
from sim.lean import apply_tools, tool_points
from sim.score import balanced_score
from sim.store import StoreError
from sim.training import TrainingError

lang = current_lang()
st.title(t("team.title", lang))
try:
    service = training()
except StoreError as error:
    st.error(t("trainer.store_error", lang, error=str(error)))
    st.stop()

joined = st.session_state.get("team")
if not joined:
    with st.form("team.join"):
        code = st.text_input(t("team.code", lang), max_chars=12, key="team.code_input")
        name = st.text_input(t("team.name", lang), max_chars=60, key="team.name_input")
        if st.form_submit_button(t("team.join", lang), type="primary"):
            try:
                team = service.join(code, name, client=client_key())
                st.session_state["team"] = (service.session(code).code, team.name)
                st.rerun()
            except TrainingError as error:
                st.error(error.text(lang))
            except StoreError as error:
                st.error(t("trainer.store_error", lang, error=str(error)))
    st.caption(t("team.join_help", lang))
    st.stop()

code, name = joined
info = service.session(code)
st.caption(t("team.joined_as", lang, team=plain(name), code=code))
if st.button(t("team.leave", lang), key="team.leave"):
    st.session_state.pop("team")
    st.rerun()


@st.fragment(run_every=3)
def round_header() -> None:
    current = service.current_round(code)
    if current is None:
        st.info(t("team.wait_start", lang))
        return
    plan = info.scenario.rounds[current.number - 1]
    st.subheader(pick(plan.title, lang))
    st.markdown(f"{status_text(current.status, lang)} {countdown(current.deadline, lang)}")
    if st.session_state.get("team.seen") != (current.number, current.status, current.revealed):
        st.session_state["team.seen"] = (current.number, current.status, current.revealed)
        st.rerun()  # the round moved on: redraw the whole page


round_header()
current = service.current_round(code)
if current is None:
    st.stop()
number = current.number
plan = info.scenario.rounds[number - 1]
st.write(pick(plan.brief, lang))

if current.status == "open":
    kept = service.kept_tools(code, name, number)
    mine = service.decision(code, name, number)
    offered = [x for r in info.scenario.rounds[:number] for x in r.offer if x not in kept]
    if offered or kept:
        chosen = tool_picker(info.scenario, lang, key_prefix=f"team.{code}.{number}", offered=kept + offered, disabled=kept)
        new = [x for x in chosen if x not in kept]
        points = tool_points(info.scenario, new)
        st.info(t("team.budget", lang, used=t(f"tools.points_{plural(points, lang)}", lang, n=points),
                  budget=t(f"tools.points_{plural(plan.budget, lang)}", lang, n=plan.budget)))
    else:
        new = []
        st.caption(t("team.no_tools_round", lang))
    wastes = st.text_area(t("team.wastes", lang), max_chars=1000, key=f"team.wastes.{code}.{number}")
    why = st.text_area(t("team.why", lang), max_chars=1000, key=f"team.why.{code}.{number}")
    if st.button(t("team.submit", lang), type="primary", key=f"team.submit.{code}.{number}"):
        try:
            service.submit(code, name, number, new, {"wastes": wastes, "why": why})
            st.success(t("team.submitted", lang))
        except TrainingError as error:
            st.error(error.text(lang))
        except StoreError as error:
            st.error(t("trainer.store_error", lang, error=str(error)))
    elif mine is not None:
        st.success(t("team.already", lang, tools=", ".join(pick(info.scenario.tools[x].name, lang) for x in mine.tools)
                     or t("history.as_is", lang)))

shown = number if current.status == "closed" and current.revealed else number - 1
if shown >= 1 and service.round(code, shown).revealed:
    as_is = service.results_of(code, shown, [])
    try:
        tools, results = service.team_results(code, name, shown)
        played = True
    except TrainingError:  # the team joined after that round: it sees the library as it is
        tools, results, played = [], as_is, False
    if results is not None:
        st.divider()
        st.subheader(t("team.results", lang, n=shown))
        previous = None
        if played and shown > 1 and service.round(code, shown - 1).revealed:
            try:
                previous = service.team_results(code, name, shown - 1)[1]
            except TrainingError:
                previous = None
        baseline = previous or as_is or results
        score = balanced_score(info.scenario, as_is or results, results, (), tools)
        if not played:
            st.caption(t("team.joined_later", lang, n=shown))
        elif previous is not None:
            st.caption(t("team.against_previous", lang))
        show_results(info.scenario, apply_tools(info.scenario, tools), baseline, results, score, tools, lang,
                     key=f"team.{shown}", against=baseline is not results, downloads=False)
