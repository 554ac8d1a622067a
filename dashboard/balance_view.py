"""The Scenario editor's Balance tab: the balance analysis (`sim.balance`) of the scenario being
edited, kept small (few replications, few days, a bounded search) with a progress bar, and its
frontier as a chart. Replications go to the Dask scheduler set for the app (`config.dask_address`),
or to the local process pool."""

from __future__ import annotations

import streamlit as st

from sim.balance import Balance, BalanceError, analyse, warning_text
from sim.executors import ExecutorError, executor_for
from sim.i18n import t
from sim.scenario import Scenario, ScenarioError, parse_scenario

from . import config
from .balance_charts import balance_frontier
from .results_view import PLOT_CONFIG

MAX_REPS = 10  # a quick look in the editor; `lean-sim balance` for the full analysis
MAX_DAYS = 5
MAX_SETS = 60  # beyond this many affordable sets in a round, a beam search (see sim.balance)
RESULT = "editor.balance.result"


def shortened(scenario: Scenario, days: int) -> Scenario:
    """The scenario cut to at most `days` days (daily calendars), validated again."""
    if scenario.calendar.mode != "daily" or scenario.calendar.days <= days:
        return scenario
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["calendar"]["days"] = days
    return parse_scenario(data, check_tools=False)


def balance_tab(scenario: Scenario | None, lang: str) -> None:
    """Inputs, the Run button (disabled while the scenario is invalid or has no round plan), the chart."""
    st.caption(t("balance_tab.intro", lang))
    if scenario is None:
        st.info(t("balance_tab.invalid", lang))
        return
    if not scenario.rounds or not scenario.tools:
        st.info(t("balance_tab.no_plan", lang))
        return
    c1, c2, c3 = st.columns(3)
    reps = int(c1.number_input(t("balance_tab.replications", lang), 2, MAX_REPS, 3, key="editor.balance.reps"))
    days = int(c2.number_input(t("balance_tab.days", lang), 1, MAX_DAYS, 1, key="editor.balance.days"))
    max_sets = int(c3.number_input(t("balance_tab.max_sets", lang), 1, MAX_SETS, 30, key="editor.balance.max_sets"))
    address = config.dask_address()
    st.caption(t("balance_tab.where_dask", lang, address=address) if address else t("balance_tab.where_local", lang))
    if st.button(t("balance_tab.run", lang), key="editor.balance.run", type="primary"):
        bar = st.progress(0.0, text=t("balance_tab.running", lang))
        try:
            quick = shortened(scenario, days)
            with executor_for(address, config.workers()) as pool:
                result = analyse(quick, reps, executor=pool, workers=1 if pool is None else None, max_sets=max_sets,
                                 top=max_sets, progress=lambda done, total: bar.progress(
                                     min(done / max(total, 1), 1.0), text=t("balance_tab.running", lang)))
        except (BalanceError, ExecutorError, ScenarioError) as error:
            bar.empty()
            st.error(t("balance_tab.failed", lang, error=error.text(lang) if isinstance(error, ExecutorError) else str(error)))
            return
        bar.empty()
        st.session_state[RESULT] = (scenario.model_dump_json(), result)
    kept = st.session_state.get(RESULT)
    if kept is None or kept[0] != scenario.model_dump_json():
        return  # none yet, or made for another version of the scenario
    show(kept[1], scenario, lang)


def show(result: Balance, scenario: Scenario, lang: str) -> None:
    """The frontier chart and the warnings of an analysis."""
    st.plotly_chart(balance_frontier(result, scenario, lang), config=PLOT_CONFIG, key="editor.balance.chart")
    st.caption(t("balance_tab.chart_note", lang, replications=result.replications))
    warnings = [w for r in result.rounds for w in r.warnings] + list(result.warnings)
    for w in warnings:
        st.warning(warning_text(w, lang, scenario, result.unit))
    if not warnings:
        st.success(t("balance.no_warnings", lang))
