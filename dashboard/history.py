"""The run history of a browser session: every sandbox run kept, and any two compared."""

from __future__ import annotations

import streamlit as st

from sim.experiment import Results
from sim.i18n import pick, t, verdict_word
from sim.study import Study, StudyResults

from .widgets import MAIN_KPIS, fmt, kpi_name

MAX_RUNS = 20


def remember(done: StudyResults) -> None:
    """Keep a sandbox run (its variant and score) in this browser session's history."""
    scenario, tools, variant = done.study.scenario, done.tools, done.variant
    history: list[dict] = st.session_state.setdefault("history", [])
    number = history[-1]["n"] + 1 if history else 1
    score = done.score.total.mean
    history.append({
        "n": number, "scenario": scenario.id, "title": scenario.title.model_dump(),
        "tool_names": [scenario.tools[x].name.model_dump() for x in tools], "tools": tools,
        "seed": variant.seed, "reps": variant.replications, "score": score, "results": variant,
    })
    del history[:-MAX_RUNS]


def _label(run: dict, lang: str) -> str:
    tools = ", ".join(pick(n, lang) for n in run["tool_names"]) or t("history.as_is", lang)
    return f"#{run['n']} · {pick(run['title'], lang)} · {tools}"


def show_history(lang: str) -> None:
    history: list[dict] = st.session_state.get("history", [])
    if not history:
        return
    st.divider()
    st.subheader(t("history.title", lang))
    table = []
    for run in reversed(history):
        r: Results = run["results"]
        table.append({
            "#": run["n"],
            t("history.scenario", lang): pick(run["title"], lang),
            t("history.tools", lang): ", ".join(pick(n, lang) for n in run["tool_names"]) or t("history.as_is", lang),
            t("sandbox.seed", lang): run["seed"],
            t("sandbox.replications", lang): run["reps"],
            kpi_name("wait_mean", lang): fmt("wait_mean", r.kpis["wait_mean"].mean, lang),
            kpi_name("left_unserved_share", lang): fmt("left_unserved_share", r.kpis["left_unserved_share"].mean, lang),
            t("history.score", lang): None if run["score"] is None else round(run["score"], 1),
        })
    st.dataframe(table, hide_index=True)
    if len(history) < 2:
        st.caption(t("history.need_two", lang))
        return
    options = list(range(len(history)))
    c1, c2 = st.columns(2)
    a = c1.selectbox(t("history.first", lang), options, index=len(history) - 2, key="history.a",
                     format_func=lambda i: _label(history[i], lang))
    b = c2.selectbox(t("history.second", lang), options, index=len(history) - 1, key="history.b",
                     format_func=lambda i: _label(history[i], lang))
    first, second = history[a]["results"], history[b]["results"]
    paired = (history[a]["scenario"] == history[b]["scenario"] and first.seed == second.seed
              and first.replications == second.replications)
    rows = []
    diffs = Study.compare(first, second).kpis if paired else {}
    for kpi_id in MAIN_KPIS:
        e1, e2 = first.kpis.get(kpi_id), second.kpis.get(kpi_id)
        if e1 is None or e2 is None or e1.mean is None or e2.mean is None:
            continue
        row = {t("history.figure", lang): kpi_name(kpi_id, lang), f"#{history[a]['n']}": fmt(kpi_id, e1.mean, lang),
               f"#{history[b]['n']}": fmt(kpi_id, e2.mean, lang)}
        if paired and kpi_id in diffs:
            d = diffs[kpi_id]
            row[t("history.difference", lang)] = fmt(kpi_id, d.diff, lang, signed=True)
            row[t("groups.verdict", lang)] = verdict_word(d.verdict, lang)
        rows.append(row)
    st.dataframe(rows, hide_index=True)
    st.caption(t("history.paired" if paired else "history.unpaired", lang))
