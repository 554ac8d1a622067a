"""The waste walk in a session (gemba rounds): the floor and the observation form on the Team page, the
found/missed tables after the reveal, the trainer's table of every team, the leaderboard's observation
column, and the floor on the projector. The rules and the scoring live in `sim.training.observations`."""

from __future__ import annotations

import streamlit as st

from sim.floor import FloorError, build_frames, floor_plan, hour_window, peak_hours
from sim.i18n import counted, t
from sim.scenario import WASTES, Scenario
from sim.store import StoreError
from sim.training import SessionInfo, Training, TrainingError
from sim.training.observations import MAX_OBSERVATION_NOTE, MAX_OBSERVATIONS, gemba_log, is_gemba
from sim.wastewalk import WalkScore, places, teams_table

from .floor_charts import FloorFigure, floor_figure, observation_text, place_name, station_key, walk_rows
from .widgets import compact, plain

FLOOR_STEP_MIN = 2.0  # minutes between frames: a whole day stays light for every team's browser
PLOT_CONFIG = {"displayModeBar": False}


@st.cache_resource(show_spinner=False, max_entries=8)
def session_floor(scenario_json: str, seed: int, lang: str, peak: bool, phone: bool = False) -> FloorFigure:
    """The floor a gemba round shows (one figure per session, language, window and form, shared by every page)."""
    scenario = Scenario.model_validate_json(scenario_json)
    log, window = gemba_log(scenario, seed)
    if peak:
        window = hour_window(scenario, 0, *peak_hours(scenario))
    frames = build_frames(scenario, log, floor_plan(scenario), *window, FLOOR_STEP_MIN)
    return floor_figure([(t("floor.as_is", lang), scenario, frames)], lang, compact=phone)


def show_floor(info: SessionInfo, lang: str, key: str) -> None:
    """The session's as-is floor, playable: its busiest hours first (a light page for every team's
    browser: about 0.3 MB against 1.2 MB for the whole day), or the whole first day the walk is scored on."""
    peak = st.radio(t("gemba.window", lang), ("peak", "day"), horizontal=True, key=f"{key}.window",
                    format_func=lambda w: t("gemba.whole_day" if w == "day" else "gemba_round.peak", lang)) == "peak"
    phone = compact() and not key.startswith("projector")
    try:
        with st.spinner(t("gemba_round.building", lang)):
            figure = session_floor(info.scenario.model_dump_json(), info.seed, lang, peak, phone)
    except FloorError as error:
        st.error(t("gemba.runaway", lang, error=error.text(lang)))
        return
    st.plotly_chart(figure, key=f"{key}.floor", theme=None, config=PLOT_CONFIG)
    if phone:  # the stations are numbered on a phone: their names under the plan
        st.caption(" · ".join(f"{n} — {plain(name)}" for n, name in station_key(floor_plan(info.scenario), info.scenario, lang)))
    st.caption(t("gemba.how_to", lang))


def team_gemba_round(service: Training, info: SessionInfo, code: str, team: str, number: int, status: str,
                     revealed: bool, lang: str) -> None:
    """On the Team page: in an open gemba round, the floor and the team's observations; once the round is
    revealed, which of the top wastes the team found and missed. An earlier gemba round's outcome stays
    one click away in later rounds."""
    if not is_gemba(info.scenario, number):
        earlier = [r for r in service.rounds(code)
                   if r.number < number and is_gemba(info.scenario, r.number) and r.status == "closed" and r.revealed]
        if earlier:
            with st.expander(t("gemba_round.earlier", lang, n=earlier[-1].number)):
                _team_outcome(service, info, code, team, earlier[-1].number, lang)
        return
    st.divider()
    st.subheader(t("gemba_round.title", lang))
    refused = st.session_state.pop(ADD_ERROR, None)  # said whatever the round's state now (it may have just closed)
    if refused is not None:
        st.error(refused(lang))
    if status == "open":
        st.write(t("gemba_round.intro", lang, limit=counted("gemba_round.at_most", MAX_OBSERVATIONS, lang)))
        # on request: a room of teams' pages stays light until each team chooses to watch
        if st.toggle(t("gemba_round.watch", lang), key=f"team.gemba.watch.{code}"):
            show_floor(info, lang, key=f"team.gemba.{code}")
        observation_form(service, info, code, team, number, lang)
    elif status == "closed" and revealed:
        _team_outcome(service, info, code, team, number, lang)
    else:
        st.info(t("gemba_round.wait_reveal", lang))
        _observation_list(service, info, code, team, number, lang, editable=False)


@st.fragment
def observation_form(service: Training, info: SessionInfo, code: str, team: str, number: int, lang: str) -> None:
    """Add an observation (which waste, where, what the team saw) and take one back; a fragment, so adding
    one never redraws the floor playing above it."""
    key = f"team.gemba.add.{code}.{number}"
    with st.form(key, clear_on_submit=True):
        c1, c2 = st.columns(2)
        c1.selectbox(t("gemba.waste", lang), WASTES, format_func=lambda w: t(f"waste.{w}", lang), key=key + ".waste")
        c2.selectbox(t("gemba.where", lang), places(info.scenario),
                     format_func=lambda p: place_name(info.scenario, p, lang), key=key + ".where")
        st.text_input(t("gemba.note", lang), max_chars=MAX_OBSERVATION_NOTE, key=key + ".note")
        # in the button's callback: a page rerun for a change elsewhere (the watch) cannot swallow it
        st.form_submit_button(t("gemba.add", lang), type="primary", on_click=_add,
                              args=(service, code, team, number, key))
    _observation_list(service, info, code, team, number, lang, editable=True)


def _observation_list(service: Training, info: SessionInfo, code: str, team: str, number: int, lang: str,
                      editable: bool) -> None:
    mine = service.observations(code, number, team)
    if not mine:
        st.caption(t("gemba.none_yet", lang))
        return
    st.caption(t("gemba_round.count", lang, n=counted("gemba_round.observations", len(mine), lang),
                 limit=MAX_OBSERVATIONS))
    for i, o in enumerate(mine, start=1):
        c1, c2 = st.columns([6, 1])
        c1.markdown(f"{i}. {observation_text(info.scenario, o.plain(), lang)}" + (f" — {plain(o.note)}" if o.note else ""))
        if editable:
            c2.button(t("gemba_round.remove", lang), key=f"team.gemba.rm.{code}.{o.id}", on_click=_remove,
                      args=(service, code, team, number, o.id))
    refused = st.session_state.pop(REMOVE_ERROR, None)
    if refused is not None:
        st.error(refused(lang))


REMOVE_ERROR = "team.gemba.remove_error"
ADD_ERROR = "team.gemba.add_error"


def _add(service: Training, code: str, team: str, number: int, key: str) -> None:
    """Record the form's observation in the submit button's callback; a refusal (the round has just
    closed, the limit is reached) is said on the next draw instead of the typed text vanishing."""
    state = st.session_state
    try:
        service.record_observation(code, team, number, state[key + ".waste"], state[key + ".where"],
                                   state.get(key + ".note") or "")
    except TrainingError as error:
        state[ADD_ERROR] = error.text
    except StoreError as error:
        message = str(error)
        state[ADD_ERROR] = lambda lang: t("trainer.store_error", lang, error=message)


def _remove(service: Training, code: str, team: str, number: int, observation_id: int) -> None:
    """In the button's callback: done before the rerun draws the list again (whichever rerun it is)."""
    try:
        service.remove_observation(code, team, number, observation_id)
    except TrainingError as error:
        st.session_state[REMOVE_ERROR] = error.text
    except StoreError as error:
        detail = str(error)
        st.session_state[REMOVE_ERROR] = lambda lang: t("trainer.store_error", lang, error=detail)


def _team_outcome(service: Training, info: SessionInfo, code: str, team: str, number: int, lang: str) -> None:
    try:
        result = service.walk_scores(code, number).get(team)
    except TrainingError as error:
        st.info(error.text(lang))
        return
    if result is None:  # joined after the round: it did not walk
        st.caption(t("training.err.not_played", lang, team=plain(team), n=number))
        return
    _outcome_table(info.scenario, result, lang)


def _outcome_table(scenario: Scenario, result: WalkScore, lang: str) -> None:
    st.markdown(f"**{t('gemba.score', lang, found=len(result.found), n=len(result.top), score=result.score)}**")
    st.table(walk_rows(scenario, result, lang))
    if result.smaller:
        st.write(t("gemba.smaller", lang, n=len(result.top),
                   items="; ".join(observation_text(scenario, o, lang) for o in result.smaller)))
    if result.unseen:
        st.write(t("gemba.unseen", lang, items="; ".join(observation_text(scenario, o, lang) for o in result.unseen)))
    st.caption(t("gemba.scale", lang))


def trainer_walk(service: Training, code: str, number: int, lang: str) -> None:
    """On the trainer console, for a closed gemba round: every team against the top wastes (before the
    reveal too), and each team's observations in its own words."""
    info = service.session(code)
    if not is_gemba(info.scenario, number):
        return
    st.subheader(t("gemba_round.trainer_title", lang))
    scores = service.walk_scores(code, number, trainer=True)
    rows = teams_table(info.scenario, scores, lang)
    if rows:
        st.dataframe(rows, hide_index=True)
        st.caption(t("gemba.scale", lang))
    with st.expander(t("gemba_round.report_observations", lang)):
        seen = service.observations(code, number)
        if not seen:
            st.caption(t("gemba_round.none_recorded", lang))
        for o in seen:
            st.markdown(f"**{plain(o.team)}** · {observation_text(info.scenario, o.plain(), lang)}"
                        + (f" — {plain(o.note)}" if o.note else ""))


def walk_column(service: Training, code: str, number: int, lang: str) -> tuple[str, dict[str, str]] | None:
    """The leaderboard's own column for the waste walk: each team's observation score in the latest closed
    gemba round up to `number` (header, team -> text); None when there is none. Not part of the balanced score."""
    info = service.session(code)
    walked = [r.number for r in service.rounds(code)
              if r.number <= number and r.status == "closed" and is_gemba(info.scenario, r.number)]
    if not walked:
        return None
    scores = service.walk_scores(code, walked[-1], trainer=True)
    header = t("gemba_round.board_col", lang, n=walked[-1])
    return header, {team: f"{len(s.found)}/{len(s.top)}" for team, s in scores.items()}


def projector_floor(info: SessionInfo, lang: str) -> None:
    """The projector plays the session's as-is floor for the room, when the trainer turns it on (large
    markers and a legend are the figure's own)."""
    wanted = str(st.query_params.get("floor") or "") == "1"
    if st.toggle(t("gemba_round.projector_toggle", lang), value=wanted, key=f"projector.floor.{info.code}"):
        st.markdown(f"<div style='font-size:2rem;font-weight:700'>{t('gemba_round.projector_title', lang)}</div>",
                    unsafe_allow_html=True)
        show_floor(info, lang, key=f"projector.gemba.{info.code}")

