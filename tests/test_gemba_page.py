"""The Gemba page through AppTest: the floor in both languages, two floors with tools, observations and the reveal."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from sim.floor import day_window
from sim.i18n import LANGS, t
from sim.model import simulate
from sim.scenario import load_scenario
from sim.wastewalk import ground_truth

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
DEFAULT_SCENARIO = ROOT / "scenarios" / "central-lending-hall.yaml"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAN_TRAINER_WORKERS", "1")
    monkeypatch.delenv("LEAN_TRAINER_LANG", raising=False)
    monkeypatch.delenv("LEAN_TRAINER_SCENARIOS", raising=False)
    monkeypatch.setenv("LEAN_TRAINER_USER_SCENARIOS", str(Path(tempfile.mkdtemp()) / "user"))
    st.cache_data.clear()
    st.cache_resource.clear()


def open_gemba(lang: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("dashboard/pages/gemba.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def floor_spec(at: AppTest) -> dict:
    return json.loads(at.get("plotly_chart")[0].proto.spec)


@pytest.mark.parametrize("lang", LANGS)
def test_the_floor_plays_a_whole_day_in_both_languages(env: None, lang: str) -> None:
    at = open_gemba(lang)
    assert at.title[0].value == t("gemba.title", lang)
    spec = floor_spec(at)
    scenario = load_scenario(DEFAULT_SCENARIO)
    log = simulate(scenario, 20241115, 0)
    start, end = day_window(scenario, log, 0)
    assert len(spec["frames"]) == int(end - start) + 1  # one-minute frames over the whole day
    assert spec["layout"]["sliders"][0]["steps"][0]["label"] == "10:00"
    names = {tr.get("name") for tr in spec["data"]}
    assert t("floor.staff", lang) in names


def test_hours_window_and_a_second_floor_with_tools(env: None) -> None:
    at = open_gemba("en")
    at.radio(key="gemba.window").set_value("hours").run()
    at.checkbox(key="gemba.central-lending-hall.rfid_kiosk").check().run()
    assert not at.exception, [e.value for e in at.exception]
    spec = floor_spec(at)
    assert len(spec["frames"]) == 2 * 60 + 1  # the evening peak, 17:00-19:00
    assert spec["layout"]["sliders"][0]["steps"][-1]["label"] == "19:00"
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    assert f"<b>{t('floor.with_tools', 'en')}</b>" in titles and "xaxis2" in spec["layout"]


def test_observations_are_scored_against_the_run(env: None) -> None:
    at = open_gemba("en")
    scenario = load_scenario(DEFAULT_SCENARIO)
    log = simulate(scenario, 20241115, 0)
    top = ground_truth(scenario, log, *day_window(scenario, log, 0))[:5]
    for waste, where in ((top[0].waste, top[0].where), ("talent", "desk")):
        form_boxes = [s for s in at.selectbox if s.label in (t("gemba.waste", "en"), t("gemba.where", "en"))]
        form_boxes[0].set_value(waste)
        form_boxes[1].set_value(where)
        at.text_input[0].input("seen on the floor")
        at.button[[b.label for b in at.button].index(t("gemba.add", "en"))].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("seen on the floor" in m.value for m in at.markdown)
    at.toggle(key="gemba.reveal").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    score = t("gemba.score", "en", found=1, n=5, score=20.0)
    assert any(m.value == f"**{score}**" for m in at.markdown)
    table = at.table[0].value
    assert len(table) == 5
    found_col = table[t("gemba.col_found", "en")].tolist()
    assert found_col[0] == t("gemba.yes", "en") and found_col[1:] == [t("gemba.no", "en")] * 4
    assert any(t("waste.talent", "en") in m.value for m in at.markdown if hasattr(m, "value"))


def test_amounts_read_naturally_in_both_languages() -> None:
    from dashboard.floor_charts import amount_text, place_name

    assert amount_text(1.2, "reader_min", "ru") == "1 минута читателей"
    assert amount_text(613.9, "reader_min", "ru") == "614 минут читателей"
    assert amount_text(621.6, "reader_min", "ru") == "622 минуты читателей"
    assert amount_text(1536.7, "book_hours", "ru") == "1\u00a0537 книго-часов"
    assert amount_text(1.0, "metres", "en") == "1 metre" and amount_text(60, "metres", "en") == "60 metres"
    scenario = load_scenario(DEFAULT_SCENARIO)
    # a station and a step named alike stay apart
    assert place_name(scenario, "catalogue_room", "ru") != place_name(scenario, "cataloguing", "ru")
