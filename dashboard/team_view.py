"""Pieces of the Team page: the library as it is for round 1, the decision form, a round's results."""

from __future__ import annotations

import streamlit as st

from sim.events import for_round, same_events
from sim.experiment import Results
from sim.i18n import t
from sim.scenario import Scenario
from sim.store import StoreError
from sim.study import Study
from sim.training import SessionInfo, Training, TrainingError

from . import pdca_view, runner
from .cost_view import cost_and_payback
from .results_view import show_results
from .session import client_key

TEAM = "team"  # (session code, team name) of this browser session
REJOIN = "team.rejoin_code"  # shown once, right after joining
LAST_JOIN = "team.last_join"  # (code, name, token) of this browser's last join: a double click is not a rejoin


def signed_in_team(service: Training, lang: str) -> tuple[str, str] | None:
    """The team this device plays as: from this browser session, or after a reload from the device's
    token in the page address (`?code=...&team=...`); None when it must join (a reset code signs it out)."""
    code = str(st.query_params.get("code") or "").strip().upper()
    token = str(st.query_params.get("team") or "")
    if not (code and token):
        return st.session_state.get(TEAM)
    try:
        team = service.team_by_token(code, token)
    except TrainingError as error:
        st.session_state.pop(TEAM, None)
        del st.query_params["team"]
        st.warning(error.text(lang))
        return None
    st.session_state[TEAM] = (service.session(code).code, team.name)
    return st.session_state[TEAM]


def join_form(service: Training, lang: str) -> None:
    """Code (filled from the address), team name and, for a team that exists already, its rejoin code."""
    with st.form("team.join"):
        code = st.text_input(t("team.code", lang), max_chars=12, key="team.code_input",
                             value=str(st.query_params.get("code") or "")[:12])
        name = st.text_input(t("team.name", lang), max_chars=60, key="team.name_input")
        st.caption(t("team.name_help", lang))
        rejoin = st.text_input(t("team.rejoin_input", lang), max_chars=12, key="team.rejoin_input")
        if st.form_submit_button(t("team.join", lang), type="primary"):
            try:
                last = st.session_state.get(LAST_JOIN)
                if last and last[0] == code.strip().upper() and last[1].casefold() == " ".join(name.split()).casefold():
                    # a second press of Join (a double click): this browser joined that team a moment ago
                    session_code, team_name, token = last
                    st.session_state[TEAM] = (session_code, team_name)
                    st.query_params["code"] = session_code
                    st.query_params["team"] = token
                    st.rerun()
                team = service.join(code, name, rejoin.strip() or None, client=client_key())
                session_code = service.session(code).code
                st.session_state[LAST_JOIN] = (session_code, team.name, team.token)
                st.session_state[TEAM] = (session_code, team.name)
                if team.rejoin_code:
                    st.session_state[REJOIN] = team.rejoin_code
                st.query_params["code"] = session_code
                st.query_params["team"] = team.token  # a reload keeps this device in its team
                st.rerun()
            except TrainingError as error:
                st.error(error.text(lang))
            except StoreError as error:
                st.error(t("trainer.store_error", lang, error=str(error)))
    st.caption(t("team.join_help", lang))


def show_rejoin_code(lang: str) -> None:
    """The team's rejoin code, once, right after it joined (another device needs it)."""
    rejoin = st.session_state.pop(REJOIN, None)
    if rejoin:
        st.info(t("training.refused.rejoin_code", lang, code=rejoin))


def leave() -> None:
    st.session_state.pop(TEAM, None)
    st.session_state.pop(LAST_JOIN, None)
    for key in ("team",):
        if key in st.query_params:
            del st.query_params[key]


@st.cache_resource(show_spinner=False, max_entries=16)
def _as_is(scenario_json: str, seed: int, replications: int) -> Results:
    # one computation per session for every team's page (the worker's runs share the runner's cache)
    return runner.run(Scenario.model_validate_json(scenario_json), seed, replications)


def library_as_is(info: SessionInfo, lang: str) -> None:
    """Round 1's brief asks teams to study the library as it is: its figures, charts and value streams,
    from the session's own run (the same readers the rounds will see)."""
    st.divider()
    st.subheader(t("team.as_is_title", lang))
    st.caption(t("team.as_is_note", lang))
    library = for_round(info.scenario, 1)  # with round 1's events, if it has any
    with st.spinner(t("team.as_is_running", lang)):
        results = _as_is(library.model_dump_json(), info.seed, info.replications)
    score = Study(library, seed=info.seed, replications=info.replications).judge(results, results).score
    show_results(library, library, results, results, score, [], lang, key="team.as_is", downloads=False,
                 lazy=True)


def decision_form(service: Training, info: SessionInfo, code: str, name: str, number: int, lang: str) -> None:
    """Tools in force (each may be dropped), new tools within the round's budget (over budget: the line
    turns red and Submit is disabled), the hypothesis, the A3 notes, Submit (see `pdca_view`)."""
    pdca_view.decision_form(service, info, code, name, number, lang)


def round_results(service: Training, info: SessionInfo, code: str, name: str, shown: int, lang: str) -> None:
    """A revealed round's results: against the team's previous round when that was revealed, else
    against the library as it is; a team that joined later sees the library as it is, said plainly."""
    as_is = service.results_of(code, shown, [])
    try:
        tools, results = service.team_results(code, name, shown)
        played = True
    except TrainingError:
        tools, results, played = [], as_is, False
    if results is None:
        return
    st.divider()
    st.subheader(t("team.results", lang, n=shown))
    previous = None
    # the previous round is a fair baseline only if it ran with the same events
    if played and shown > 1 and service.round(code, shown - 1).revealed and same_events(info.scenario, shown - 1, shown):
        try:
            previous = service.team_results(code, name, shown - 1)[1]
        except TrainingError:  # it joined in the round before: compared with as-is
            previous = None
    baseline = previous or as_is or results
    judged = Study(for_round(info.scenario, shown), tools, seed=info.seed,
                   replications=info.replications).judge(as_is or results, results)
    if not played:
        st.caption(t("team.joined_later", lang, n=shown))
    elif previous is not None:
        st.caption(t("team.against_previous", lang))
    elif shown > 1 and not same_events(info.scenario, shown - 1, shown):
        st.caption(t("score_note.other_events", lang, n=shown - 1))
    if played and as_is is not None:
        cost_and_payback(info.scenario, as_is, results, tools, lang, spent=service.money_spent(code, name, shown))
        pdca_view.show_check(info.scenario, service.decision(code, name, shown), baseline, results, lang)
    show_results(info.scenario, judged.study.variant_scenario, baseline, results, judged.score, tools, lang,
                 key=f"team.{shown}", against=baseline is not results, downloads=False,
                 baseline_round=shown - 1 if previous is not None else None, variant_round=shown, lazy=True)
