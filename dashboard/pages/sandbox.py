"""Sandbox: any scenario, any tools, the results beside the library as it is."""

from __future__ import annotations

import streamlit as st

from dashboard import config, runner
from dashboard.cost_view import cost_and_payback
from dashboard.history import remember, show_history
from dashboard.integrity_view import sandbox_guard
from dashboard.results_view import show_results
from dashboard.widgets import lang as current_lang
from dashboard.widgets import tool_picker
from sim.economics import budget_text, price_text
from sim.experiment import DEFAULT_SEED
from sim.i18n import pick, t
from sim.lean import round_budget
from sim.model import RunawayScenario
from sim.study import Study

MAX_REPS = 100  # one visitor's run must not hold the server's processes for long
MAX_SEED = 2**31 - 1

lang = current_lang()
st.title(t("sandbox.title", lang))
st.write(t("sandbox.intro", lang))

found = runner.all_scenarios()
valid = {path: scenario for path, scenario, _ in found if scenario is not None}
for _path, scenario, problem in found:
    if scenario is None:
        st.warning(t("sandbox.invalid_file", lang, problem=problem.text(lang) if problem else ""))
if not valid:
    st.error(t("sandbox.no_scenarios", lang, folder=str(config.scenarios_dir())))
    st.stop()

paths = list(valid)
default = next((i for i, p in enumerate(paths)
                if p.endswith("central-lending-hall.yaml") and p.startswith(str(config.scenarios_dir()))), 0)
user_folder = str(config.user_scenarios_dir())


def _label(p: str) -> str:
    mine = p.startswith(user_folder)
    return pick(valid[p].title, lang) + (f" · {valid[p].id} · {t('editor.yours', lang)}" if mine else "")


path = st.selectbox(t("sandbox.scenario", lang), paths, index=default, key="sandbox.scenario", format_func=_label)
scenario = valid[path]
with st.expander(t("sandbox.about", lang), expanded=False):
    st.write(pick(scenario.description, lang))

st.subheader(t("sandbox.tools", lang))
if scenario.tools:
    tools = tool_picker(scenario, lang, key_prefix=f"sandbox.{scenario.id}")
    biggest = max(range(1, len(scenario.rounds) + 1), key=lambda n: round_budget(scenario, n), default=None)
    st.info(t("sandbox.budget", lang, points=price_text(scenario, tools, lang),
              biggest=budget_text(scenario, biggest, lang) if biggest else price_text(scenario, [], lang)))
else:
    tools = []
    st.caption(t("sandbox.no_tools", lang))

c1, c2 = st.columns(2)
reps = c1.number_input(t("sandbox.replications", lang), min_value=1, max_value=MAX_REPS, value=20, step=1,
                       key="sandbox.reps", help=t("sandbox.replications_help", lang))
seed = c2.number_input(t("sandbox.seed", lang), min_value=0, max_value=MAX_SEED, value=DEFAULT_SEED, step=1,
                       key="sandbox.seed", help=t("sandbox.seed_help", lang))
inputs_ok = isinstance(reps, int) and 1 <= reps <= MAX_REPS and isinstance(seed, int) and 0 <= seed <= MAX_SEED
if not inputs_ok:
    st.error(t("sandbox.bad_inputs", lang, max=MAX_REPS))
else:
    seed = sandbox_guard(int(seed), lang)  # never a session's answers (sim.training.sandbox)

if st.button(t("sandbox.run", lang), type="primary", disabled=not inputs_ok, key="sandbox.run"):
    bar = st.progress(0.0, text=t("sandbox.running", lang))
    try:
        done = runner.run_study(Study(scenario, tools, seed=int(seed), replications=int(reps)),
                                lambda n, total: bar.progress(n / total, text=t("sandbox.running", lang)))
    except RunawayScenario as error:
        bar.empty()
        st.error(t("sandbox.runaway", lang, error=error.text(lang)))
        st.stop()
    bar.empty()
    st.session_state["sandbox.last"] = {"path": path, "tools": tools, "seed": int(seed), "reps": int(reps)}
    remember(done)

last = st.session_state.get("sandbox.last")
if last and last["path"] in valid:
    shown = valid[last["path"]]
    study = Study(shown, last["tools"], seed=last["seed"], replications=last["reps"])
    found = runner.cached_study(study)
    if found is None:  # pushed out of the cache by other runs: run again quietly
        with st.spinner(t("sandbox.running", lang)):
            found = runner.run_study(study)
    st.divider()
    st.subheader(t("sandbox.results", lang, title=pick(shown.title, lang)))
    cost_and_payback(shown, found.baseline, found.variant, last["tools"], lang)
    show_results(shown, study.variant_scenario, found.baseline, found.variant, found.score, last["tools"], lang,
                 key="sandbox")

show_history(lang)
