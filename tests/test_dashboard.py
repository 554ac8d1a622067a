"""The Streamlit dashboard through `streamlit.testing` (AppTest): every page in both languages, a sandbox
run checked against `sim.experiment`, the run cache and history, the language switch, bad inputs
and bad scenario folders.

Replications run in this process (LEAN_TRAINER_WORKERS=1) and runs are small (2 replications).
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import streamlit as st
from cards import cards
from streamlit.errors import StreamlitAPIException
from streamlit.testing.v1 import AppTest

import dashboard.runner
from dashboard.content import sections
from dashboard.widgets import MAIN_KPIS, fmt
from sim.experiment import Results, compare, run_experiment
from sim.i18n import LANGS, counted, num, pick, t
from sim.kpis import KPIS
from sim.lean import apply_tools
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.score import balanced_score

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
SCENARIOS = ROOT / "scenarios"
DEFAULT_SCENARIO = SCENARIOS / "central-lending-hall.yaml"
REPS = 2
TOOL = "five_s_desk"
TOOL_BOX = f"sandbox.central-lending-hall.{TOOL}"
PAGES = {"home": "app.title", "sandbox": "sandbox.title", "learn": "learn.title"}
CYRILLIC = re.compile("[\u0400-\u04ff]")


# --- helpers -------------------------------------------------------------------------------------


def _environment(mp: pytest.MonkeyPatch, scenarios: Path | None = None) -> None:
    mp.setenv("LEAN_TRAINER_WORKERS", "1")  # replications in this process: quick and countable
    mp.delenv("LEAN_TRAINER_LANG", raising=False)
    # no trainer's own scenarios from a developer's data folder
    mp.setenv("LEAN_TRAINER_USER_SCENARIOS", str(Path(tempfile.mkdtemp()) / "user"))
    if scenarios is None:
        mp.delenv("LEAN_TRAINER_SCENARIOS", raising=False)
    else:
        mp.setenv("LEAN_TRAINER_SCENARIOS", str(scenarios))
    # the run cache and the pool are shared by every session of a server (here: every test)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    _environment(monkeypatch)
    return monkeypatch


def start(lang: str | None = None, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    if lang is not None:
        at.session_state["lang"] = lang
    at.run()
    if page is not None:
        at.switch_page(f"dashboard/pages/{page}.py")
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def run_sandbox(at: AppTest, reps: int = REPS, tools: tuple[str, ...] = (TOOL,)) -> AppTest:
    at.number_input(key="sandbox.reps").set_value(reps)
    for tool in tools:
        at.checkbox(key=f"sandbox.central-lending-hall.{tool}").check()
    at.button(key="sandbox.run").click()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def walk(node: Any) -> Iterator[Any]:
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield child
            yield from walk(child)


def card(at: AppTest, kpi_id: str) -> dict[str, str]:
    """The KPI card of `kpi_id`: its name, value, change with verdict and interval, as plain text."""
    return cards(at)[kpi_id]


def shown_cards(at: AppTest) -> list[str]:
    """The figures' cards (not the money's beside the score)."""
    return [k for k in cards(at) if not k.startswith("money.")]


def charts(at: AppTest) -> dict[str, dict]:
    """Plotly specs of the page by their title."""
    out = {}
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        out[spec["layout"]["title"]["text"]] = spec
    return out


def decode(array: Any) -> np.ndarray:
    """A Plotly array from JSON: a plain list, or Plotly 7's {"dtype", "bdata"} base64."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"])).astype(float)
    return np.array([np.nan if v is None else v for v in array], dtype=float)


def texts(node: Any) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a reader sees under `node`: values, labels, options, tables, charts."""
    for el in walk(node):
        kind = getattr(el, "type", type(el).__name__)
        for attr in ("value", "label", "body", "options", "help", "placeholder"):
            try:
                value = getattr(el, attr, None)
            except Exception:  # some properties exist only for some elements
                continue
            if isinstance(value, str):
                yield f"{kind}.{attr}", value
            elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
                yield from ((f"{kind}.{attr}", v) for v in value)
            elif hasattr(value, "columns") and hasattr(value, "to_numpy"):  # a table
                yield from ((f"{kind}.column", str(c)) for c in value.columns)
                yield from ((f"{kind}.cell", v) for v in value.to_numpy().ravel() if isinstance(v, str))
        proto = getattr(el, "proto", None)
        if kind == "plotly_chart" and proto is not None:
            yield "plotly_chart", proto.spec
        elif proto is not None and hasattr(proto, "DESCRIPTOR") and "label" in proto.DESCRIPTOR.fields_by_name:
            yield f"{kind}.proto.label", proto.label


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    """What sim.experiment gives for the sandbox's default inputs (read from the page) with the tool."""
    scenario = load_scenario(DEFAULT_SCENARIO)
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp)
        seed = start(page="sandbox").number_input(key="sandbox.seed").value
    variant_scenario = apply_tools(scenario, [TOOL])
    baseline = run_experiment(scenario, REPS, seed, workers=1)
    variant = run_experiment(variant_scenario, REPS, seed, workers=1)
    return {"scenario": scenario, "variant_scenario": variant_scenario, "seed": seed, "baseline": baseline,
            "variant": variant, "comparison": compare(baseline, variant),
            "score": balanced_score(scenario, baseline, variant, (), [TOOL])}


@pytest.fixture(scope="module")
def ran() -> Iterator[AppTest]:
    """The sandbox in Russian after one run of the default scenario with one tool."""
    with pytest.MonkeyPatch.context() as mp:
        _environment(mp)
        yield run_sandbox(start(page="sandbox"))


# --- every page, both languages ------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_in_both_languages(env, page, lang):
    at = start(lang, page)
    assert not at.exception
    assert not at.error
    assert [x.value for x in at.title] == [t(PAGES[page], lang)]
    assert at.sidebar.radio(key="lang").label == t("app.language", lang)
    assert at.sidebar.radio(key="lang").value == lang


def test_the_default_language_is_russian(env):
    at = start()
    assert at.session_state["lang"] == "ru"
    assert at.title[0].value == t("app.title", "ru")


def test_the_default_language_comes_from_the_environment(env):
    env.setenv("LEAN_TRAINER_LANG", "en")
    assert start().title[0].value == t("app.title", "en")
    env.setenv("LEAN_TRAINER_LANG", "xx")  # unknown: the default
    assert start().title[0].value == t("app.title", "ru")


@pytest.mark.parametrize(("button", "page"), [("home.sandbox", "sandbox"), ("home.learn", "learn")])
def test_home_buttons_open_the_pages(env, button, page):
    at = start("en")
    assert at.button(key=button).label == t(f"home.{'start_sandbox' if page == 'sandbox' else 'learn'}", "en")
    at.button(key=button).click().run()
    assert not at.exception
    assert at.title[0].value == t(PAGES[page], "en")


def test_home_page_texts(env):
    for lang in LANGS:
        at = start(lang)
        body = [m.value for m in at.markdown]
        assert t("home.what", lang) in body and t("home.how", lang) in body
        assert t("home.offline", lang) in [c.value for c in at.caption]


# --- a sandbox run -------------------------------------------------------------------------------


def test_sandbox_before_a_run_shows_inputs_and_no_results(env):
    at = start(page="sandbox")
    assert at.number_input(key="sandbox.reps").value == 20
    assert at.selectbox(key="sandbox.scenario").value == str(DEFAULT_SCENARIO)
    assert at.button(key="sandbox.run").label == t("sandbox.run", "ru")
    assert not at.button(key="sandbox.run").disabled
    assert not at.get("plotly_chart") and not shown_cards(at)
    assert not at.checkbox(key=TOOL_BOX).value


def test_kpi_cards_show_what_run_experiment_gives(ran, expected):
    variant: Results = expected["variant"]
    wanted = [k for k in MAIN_KPIS if k in variant.kpis and variant.kpis[k].mean is not None]
    assert sorted(shown_cards(ran)) == sorted(wanted)
    assert len(wanted) >= 10
    for kpi_id in wanted:
        shown = card(ran, kpi_id)
        assert shown["name"] == KPIS[kpi_id].ru
        assert shown["value"] == fmt(kpi_id, variant.kpis[kpi_id].mean, "ru")


def test_kpi_cards_give_the_change_and_the_verdict(ran, expected):
    comparison = expected["comparison"]
    verdicts = set()
    for kpi_id in shown_cards(ran):
        d = comparison.kpis[kpi_id]
        shown = card(ran, kpi_id)
        change = fmt(kpi_id, d.diff, "ru", signed=True)
        arrow = "=" if not re.search("[1-9]", change) else "▲" if d.diff > 0 else "▼"
        assert shown["diff"] == f"{arrow} {change} · {t(f'verdict.{d.verdict}', 'ru')}", (kpi_id, shown)
        if d.ci95:
            assert shown["ci"] == t("card.diff_ci", "ru", low=fmt(kpi_id, d.ci95[0], "ru", signed=True),
                                    high=fmt(kpi_id, d.ci95[1], "ru", signed=True),
                                    against=t("compare.against_as_is", "ru")), shown
        verdicts.add(d.verdict)
    assert verdicts  # a verdict in words on every card
    assert t("results.with_tools", "ru", tools=pick(expected["scenario"].tools[TOOL].name, "ru"),
             against=t("compare.against_as_is", "ru")) in [
        m.value for m in ran.markdown]


def test_sandbox_draws_the_charts_from_the_results(ran, expected):
    specs = charts(ran)
    assert len(specs) >= 6
    score = specs[t("chart.score_title", "ru")]
    assert score["data"][0]["type"] == "indicator"
    assert score["data"][0]["value"] == pytest.approx(expected["score"].total.mean)
    assert score["data"][0]["gauge"]["axis"]["range"] == [0, 200]
    day = specs[t("chart.day_title", "ru")]
    queue = next(tr for tr in day["data"] if tr.get("name") == t("chart.queue_length", "ru"))
    np.testing.assert_allclose(decode(queue["y"]), decode(expected["variant"].hourly["queue_length"]))
    assert queue["x"] == [f"{h}:00" for h in range(10, 22)]
    wait = specs[t("chart.wait_title", "ru")]
    assert [tr["type"] for tr in wait["data"]] == ["box", "box"]
    groups = list(expected["scenario"].groups)
    medians = [np.percentile(expected["variant"].wait_samples[g], 50) for g in groups]
    np.testing.assert_allclose(decode(wait["data"][1]["median"]), medians)
    assert t("tab.waiting", "ru") in [tab.label for tab in ran.tabs]


def test_sandbox_caption_names_seed_and_replications(ran, expected):
    captions = [c.value for c in ran.caption]
    assert t("results.how_to_read", "ru", runs=counted("compare.replications", REPS, "ru"), seed=expected["seed"]) in captions
    ci = expected["score"].total.ci95
    assert t("chart.score_ci", "ru", low=num(ci[0], "ru"), high=num(ci[1], "ru")) in captions
    assert "," in num(ci[0], "ru") and "." not in num(ci[0], "ru")  # the Russian decimal comma


def test_repeated_run_is_answered_from_the_cache(env):
    calls: list[tuple[str, int, int]] = []
    real = dashboard.runner.run_experiment

    def counting(scenario: Scenario, replications: int, seed: int, **kwargs: Any) -> Results:
        calls.append((scenario.id, replications, seed))
        return real(scenario, replications, seed, **kwargs)

    env.setattr(dashboard.runner, "run_experiment", counting)
    at = run_sandbox(start(page="sandbox"))
    assert len(calls) == 2  # the library as it is, and with the tool
    assert {c[1] for c in calls} == {REPS}
    first = charts(at)[t("chart.score_title", "ru")]["data"][0]["value"]
    at.button(key="sandbox.run").click().run()
    assert not at.exception
    assert len(calls) == 2, "the same inputs again are not simulated again"
    assert charts(at)[t("chart.score_title", "ru")]["data"][0]["value"] == first
    # a new seed is a new run
    at.number_input(key="sandbox.seed").set_value(at.number_input(key="sandbox.seed").value + 1)
    at.button(key="sandbox.run").click().run()
    assert len(calls) == 4


def test_run_history_keeps_both_runs_and_compares_them(env, expected):
    at = run_sandbox(start(page="sandbox"))
    history_title = t("history.title", "ru")
    assert history_title in [s.value for s in at.subheader]
    assert t("history.need_two", "ru") in [c.value for c in at.caption]
    at.checkbox(key=TOOL_BOX).uncheck()
    at.button(key="sandbox.run").click().run()
    assert not at.exception
    assert len(at.session_state["history"]) == 2
    tables = [d.value for d in at.dataframe]
    history = next(x for x in tables if t("history.tools", "ru") in x.columns)
    assert list(history["#"]) == [2, 1]  # the newest first
    assert list(history[t("history.tools", "ru")]) == [t("history.as_is", "ru"),
                                                       pick(expected["scenario"].tools[TOOL].name, "ru")]
    assert list(history[t("sandbox.seed", "ru")]) == [expected["seed"]] * 2
    assert list(history[t("sandbox.replications", "ru")]) == [REPS] * 2
    assert history[t("history.score", "ru")].iloc[1] == pytest.approx(round(expected["score"].total.mean, 1))
    assert history[t("history.score", "ru")].iloc[0] == pytest.approx(100.0)
    comparison = next(x for x in tables if t("history.figure", "ru") in x.columns)
    assert {"#1", "#2", t("history.difference", "ru"), t("groups.verdict", "ru")} <= set(comparison.columns)
    first = comparison.set_index(t("history.figure", "ru"))["#1"]
    assert first[KPIS["wait_mean"].ru] == fmt("wait_mean", expected["variant"].kpis["wait_mean"].mean, "ru")
    assert t("history.paired", "ru") in [c.value for c in at.caption]
    assert at.selectbox(key="history.a").value == 0 and at.selectbox(key="history.b").value == 1


def test_runs_of_different_scenarios_are_not_compared_as_paired(env):
    at = run_sandbox(start("en", "sandbox"), tools=())
    at.selectbox(key="sandbox.scenario").set_value(str(SCENARIOS / "branch-library.yaml")).run()
    at.button(key="sandbox.run").click().run()
    assert not at.exception
    assert [run["scenario"] for run in at.session_state["history"]] == ["central-lending-hall", "branch-library"]
    comparison = next(d.value for d in at.dataframe if t("history.figure", "en") in d.value.columns)
    assert {"#1", "#2"} <= set(comparison.columns)
    # the libraries differ: not the same readers, so no paired difference and no verdict
    assert t("history.paired", "en") not in [c.value for c in at.caption]
    assert t("history.difference", "en") not in comparison.columns
    assert t("groups.verdict", "en") not in comparison.columns


# --- the language switch -------------------------------------------------------------------------


def test_switching_to_english_changes_every_label(env, expected):
    at = run_sandbox(start(page="sandbox"))
    assert at.title[0].value == t("sandbox.title", "ru")
    assert any(CYRILLIC.search(x) for _, x in texts(at.main))
    at.sidebar.radio(key="lang").set_value("en").run()
    assert not at.exception
    assert at.session_state["lang"] == "en"
    assert at.sidebar.radio(key="lang").label == t("app.language", "en")
    assert at.title[0].value == t("sandbox.title", "en")
    assert at.button(key="sandbox.run").label == t("sandbox.run", "en")
    assert at.number_input(key="sandbox.reps").label == t("sandbox.replications", "en")
    assert at.number_input(key="sandbox.seed").label == t("sandbox.seed", "en")
    tabs = ["waiting", "day", "staff", "left", "vsm", "groups", "data"]
    assert [tab.label for tab in at.tabs] == [t(f"tab.{x}", "en") for x in tabs]
    for kpi_id in shown_cards(at):
        assert card(at, kpi_id)["name"] == KPIS[kpi_id].en
        assert card(at, kpi_id)["value"] == fmt(kpi_id, expected["variant"].kpis[kpi_id].mean, "en")
    assert t("chart.score_title", "en") in charts(at)
    subheaders = [s.value for s in at.subheader]
    assert t("sandbox.results", "en", title=pick(expected["scenario"].title, "en")) in subheaders
    assert t("history.title", "en") in subheaders
    # the inputs survive the switch
    assert at.number_input(key="sandbox.reps").value == REPS
    assert at.checkbox(key=TOOL_BOX).value
    # nothing Russian is left on the page (scenario texts come in both languages)
    russian = [(where, x[:80]) for where, x in texts(at.main) if CYRILLIC.search(x)]
    assert russian == []
    # and back
    at.sidebar.radio(key="lang").set_value("ru").run()
    assert at.title[0].value == t("sandbox.title", "ru")
    assert [tab.label for tab in at.tabs] == [t(f"tab.{x}", "ru") for x in tabs]


@pytest.mark.parametrize("page", ["home", "learn"])
def test_english_pages_have_no_russian(env, page):
    at = start("en", page)
    assert [(where, x[:80]) for where, x in texts(at.main) if CYRILLIC.search(x)] == []


# --- bad inputs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "bad", "low", "high"), [
    ("sandbox.reps", 0, 1, 100), ("sandbox.reps", -3, 1, 100), ("sandbox.reps", 101, 1, 100),
    ("sandbox.reps", 10_000, 1, 100), ("sandbox.seed", -1, 0, 2**31 - 1), ("sandbox.seed", 2**31, 0, 2**31 - 1),
])
def test_out_of_range_inputs_are_refused(env, key, bad, low, high):
    at = start(page="sandbox")
    widget = at.number_input(key=key)
    assert (widget.min, widget.max) == (low, high)
    try:
        widget.set_value(bad).run()
    except StreamlitAPIException:
        return  # refused by Streamlit at once
    assert not at.exception
    value = at.number_input(key=key).value
    refused_by_widget = value != bad and low <= value <= high
    refused_by_page = at.button(key="sandbox.run").disabled and bool(at.error)
    assert refused_by_widget or refused_by_page, value


# --- scenario folders ----------------------------------------------------------------------------

BROKEN = {
    "not-yaml.yaml": "id: broken\ntitle: [unclosed\n",
    "misspelt.yaml": None,  # the default scenario with a misspelt key
}


def _misspelt() -> str:
    return DEFAULT_SCENARIO.read_text(encoding="utf-8").replace("\ndescription:", "\ndescripton:", 1)


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_broken_scenario_file_gives_a_warning_and_the_rest_works(monkeypatch, tmp_path, broken):
    shutil.copy(DEFAULT_SCENARIO, tmp_path / DEFAULT_SCENARIO.name)
    (tmp_path / broken).write_text(BROKEN[broken] or _misspelt(), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_scenario(tmp_path / broken)
    problem = error.value.problems[0].text("ru")  # the warning says it in the page's language
    _environment(monkeypatch, tmp_path)
    at = start(page="sandbox")
    assert [w.value for w in at.warning] == [t("sandbox.invalid_file", "ru", problem=problem)]
    assert broken in at.warning[0].value
    if broken == "misspelt.yaml":  # the field is named (the first of its problems is shown)
        assert "description" in at.warning[0].value
    assert at.selectbox(key="sandbox.scenario").options == [pick(_shipped(DEFAULT_SCENARIO.name).title, "ru")]
    run_sandbox(at)
    assert len(at.get("plotly_chart")) >= 6
    assert not at.error


def test_an_empty_scenario_folder_gives_an_error_not_an_exception(monkeypatch, tmp_path):
    _environment(monkeypatch, tmp_path)
    for lang in LANGS:
        at = start(lang, "sandbox")
        assert not at.exception
        assert [e.value for e in at.error] == [t("sandbox.no_scenarios", lang, folder=str(tmp_path))]
        assert not at.button  # the page stopped: nothing to run
    at = start("ru", "learn")
    assert not at.exception and not at.expander


def test_a_missing_scenario_folder_gives_an_error(monkeypatch, tmp_path):
    _environment(monkeypatch, tmp_path / "nowhere")
    at = start("en", "sandbox")
    assert not at.exception
    assert len(at.error) == 1 and str(tmp_path / "nowhere") in at.error[0].value


# --- the Learn page ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_learn_page_renders_every_section_in_order(env, lang):
    at = start(lang, "learn")
    shown = [m.value for m in at.markdown]
    positions = []
    for sid, body in sections(lang):
        assert body in shown, sid
        positions.append(shown.index(body))
    assert positions == sorted(positions)
    assert len(positions) == len(sections(lang)) >= 5


@cache
def _shipped(name: str) -> Scenario:
    return load_scenario(SCENARIOS / name)


def _tools_by_id() -> dict[str, list[str]]:
    """Tool id -> the shipped scenario files that have it."""
    names: dict[str, list[str]] = {}
    for path in sorted(SCENARIOS.glob("*.yaml")):
        for tid in _shipped(path.name).tools:
            names.setdefault(tid, []).append(path.name)
    return names


@pytest.mark.parametrize("lang", LANGS)
def test_learn_page_has_a_card_for_every_tool_of_every_scenario(env, lang):
    at = start(lang, "learn")
    labels = [e.label for e in at.expander]
    assert len(labels) == len(_tools_by_id())
    # every tool id of the default scenario has a card, named as in one of the scenarios that have it
    for tid in _shipped(DEFAULT_SCENARIO.name).tools:
        names = {pick(_shipped(f).tools[tid].name, lang) for f in _tools_by_id()[tid]}
        assert names & set(labels), tid
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert f"#### {t('waste.accessibility', lang)}" in headings


@pytest.mark.parametrize("lang", LANGS)
def test_learn_page_shows_the_tools_of_the_default_scenario_by_their_names(env, lang):
    at = start(lang, "learn")
    cards = {e.label: e for e in at.expander}
    missing = []
    for tool in _shipped(DEFAULT_SCENARIO.name).tools.values():
        name = pick(tool.name, lang)
        if name not in cards:
            missing.append(name)
        elif pick(tool.description, lang) not in [m.value for m in walk(cards[name]) if hasattr(m, "value")]:
            missing.append(f"{name} (description)")
    assert missing == []


def test_a_change_that_rounds_to_zero_has_no_arrow() -> None:
    """The inequality card said "▼ 0,00" for a change of -0.001."""
    from dashboard.widgets import change_arrow

    assert change_arrow(-0.001, fmt("equity_p90_ratio", -0.001, "ru", signed=True)) == "="
    assert change_arrow(-0.02, fmt("equity_p90_ratio", -0.02, "ru", signed=True)) == "▼"
    assert change_arrow(0.5, fmt("wait_mean", 0.5, "ru", signed=True)) == "▲"

