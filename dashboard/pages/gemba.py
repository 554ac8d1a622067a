"""Gemba: play one day of the floor (as it is, and with tools beside it), record wastes, compare with the log."""

from __future__ import annotations

import streamlit as st

from dashboard import config, runner
from dashboard.floor_charts import floor_figure, observation_text, place_name, walk_rows
from dashboard.widgets import lang as current_lang
from dashboard.widgets import plain, tool_picker
from sim.eventlog import EventLog
from sim.experiment import DEFAULT_SEED
from sim.floor import FloorError, build_frames, day_window, floor_plan, hour_window, peak_hours
from sim.i18n import pick, t
from sim.lean import apply_tools
from sim.model import RunawayScenario, simulate
from sim.scenario import WASTES, Scenario
from sim.wastewalk import DEFAULT_TOP_N, Observation, ground_truth, places, score_observations

MAX_SEED = 2**31 - 1
MAX_NOTE = 300

lang = current_lang()
st.title(t("gemba.title", lang))
st.write(t("gemba.intro", lang))


@st.cache_data(show_spinner=False, max_entries=8)
def replication_log(scenario_json: str, seed: int, replication: int) -> EventLog:
    """One replication's event log (common random numbers: the same seed and replication, the same readers)."""
    return simulate(Scenario.model_validate_json(scenario_json), seed, replication)


valid = {path: s for path, s, _ in runner.all_scenarios() if s is not None}
if not valid:
    st.error(t("sandbox.no_scenarios", lang, folder=str(config.scenarios_dir())))
    st.stop()
paths = list(valid)
default = next((i for i, p in enumerate(paths) if p.endswith("central-lending-hall.yaml")), 0)
path = st.selectbox(t("gemba.scenario", lang), paths, index=default, key="gemba.scenario",
                    format_func=lambda p: pick(valid[p].title, lang))
scenario = valid[path]
tools: list[str] = []
if scenario.tools:
    with st.expander(t("gemba.tools", lang)):
        st.caption(t("gemba.tools_help", lang))
        tools = tool_picker(scenario, lang, key_prefix=f"gemba.{scenario.id}")

cal = scenario.calendar
c1, c2, c3, c4 = st.columns(4)
seed = int(c1.number_input(t("gemba.seed", lang), 0, MAX_SEED, DEFAULT_SEED, key="gemba.seed"))
rep = int(c2.number_input(t("gemba.replication", lang), 1, 200, 1, key="gemba.rep")) - 1
day = 0
if cal.mode == "daily" and cal.days > 1:
    day = int(c3.selectbox(t("gemba.day", lang), range(cal.days), key="gemba.day",
                           format_func=lambda d: t("gemba.day_label", lang, n=d + 1)))
step = float(c4.selectbox(t("gemba.step", lang), (1, 2, 5), index=0, key="gemba.step"))
whole = st.radio(t("gemba.window", lang), ("day", "hours"), horizontal=True, key="gemba.window",
                 format_func=lambda w: t("gemba.whole_day" if w == "day" else "gemba.hours", lang)) == "day"
if not whole:
    first_hour = cal.open_min // 60 if cal.mode == "daily" else 0
    last_hour = min(24, -(-cal.close_min // 60) + 1) if cal.mode == "daily" else 24
    hours = st.slider(t("gemba.hour_range", lang), first_hour, last_hour, peak_hours(scenario), key="gemba.hours")

try:
    variant = apply_tools(scenario, tools) if tools else None
    log = replication_log(scenario.model_dump_json(), seed, rep)
    window = day_window(scenario, log, day) if whole else hour_window(scenario, day, *hours)
    floors = [(t("floor.as_is", lang), scenario, build_frames(scenario, log, floor_plan(scenario), *window, step))]
    if variant is not None:
        vlog = replication_log(variant.model_dump_json(), seed, rep)
        floors.append((t("floor.with_tools", lang), variant, build_frames(variant, vlog, floor_plan(variant), *window, step)))
except (RunawayScenario, FloorError) as error:
    st.error(t("gemba.runaway", lang, error=error.text(lang) if isinstance(error, FloorError) else str(error)))
    st.stop()
st.plotly_chart(floor_figure(floors, lang), key="gemba.floor", theme=None, config={"displayModeBar": False})
st.caption(t("gemba.how_to", lang))

# --- the waste walk --------------------------------------------------------------------------------
st.subheader(t("gemba.observe", lang))
store_key = f"gemba.obs.{scenario.id}"
observations: list[Observation] = st.session_state.setdefault(store_key, [])
spots = places(scenario)
with st.form("gemba.add", clear_on_submit=True):
    f1, f2 = st.columns(2)
    waste = f1.selectbox(t("gemba.waste", lang), WASTES, format_func=lambda w: t(f"waste.{w}", lang))
    where = f2.selectbox(t("gemba.where", lang), spots, format_func=lambda p: place_name(scenario, p, lang))
    note = st.text_input(t("gemba.note", lang), max_chars=MAX_NOTE)
    if st.form_submit_button(t("gemba.add", lang)):
        observations.append(Observation(waste, where, note.strip()))
if observations:
    st.markdown("\n".join(f"{i}. {observation_text(scenario, o, lang)}" + (f" — {plain(o.note)}" if o.note else "")
                          for i, o in enumerate(observations, start=1)))
    if st.button(t("gemba.clear", lang), key="gemba.clear"):
        st.session_state[store_key] = []
        st.rerun()
else:
    st.caption(t("gemba.none_yet", lang))

top_n = int(st.number_input(t("gemba.top_n", lang), 1, 15, DEFAULT_TOP_N, key="gemba.top_n"))
if st.toggle(t("gemba.reveal", lang), key="gemba.reveal"):
    result = score_observations(scenario, ground_truth(scenario, log, *window), observations, top_n)
    st.markdown(f"**{t('gemba.score', lang, found=len(result.found), n=len(result.top), score=result.score)}**")
    st.table(walk_rows(scenario, result, lang))
    if result.smaller:
        st.write(t("gemba.smaller", lang, n=top_n, items="; ".join(observation_text(scenario, o, lang) for o in result.smaller)))
    if result.unseen:
        st.write(t("gemba.unseen", lang, items="; ".join(observation_text(scenario, o, lang) for o in result.unseen)))
    st.caption(t("gemba.scale", lang))
