"""The editor's Balance tab: the balance analysis of the scenario being edited, bounded, with its
frontier (score against the cost in roubles) as a Plotly chart; the Dask setting of the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import SCENARIOS, app_environment
from streamlit.testing.v1 import AppTest

from dashboard import config
from dashboard.balance_charts import balance_frontier, frontier, set_cost
from dashboard.balance_view import shortened
from sim.balance import analyse
from sim.lean import one_off_roubles
from sim.scenario import load_scenario

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def test_the_frontier_keeps_the_sets_no_cheaper_set_beats() -> None:
    points = [(0.0, 100.0), (10.0, 104.0), (20.0, 103.0), (20.0, 108.0), (30.0, 107.0), (40.0, 110.0)]
    assert frontier(points) == [(0.0, 100.0), (10.0, 104.0), (20.0, 108.0), (40.0, 110.0)]


def test_the_chart_puts_each_set_at_its_one_off_cost_in_roubles() -> None:
    scenario = shortened(load_scenario(SCENARIOS / "acquisitions-processing.yaml"), 1)
    assert scenario.calendar.days == 1
    result = analyse(scenario, 2, workers=1, max_sets=5, top=5)
    fig = balance_frontier(result, scenario, "ru")
    marks = [tr for tr in fig.data if tr.mode == "markers"]
    assert len(marks) == len([r for r in result.rounds if r.best])
    last = result.rounds[-1]
    assert list(marks[-1].x) == pytest.approx([one_off_roubles(scenario, s.tools) for s in last.best])
    assert list(marks[-1].y) == pytest.approx([s.score.mean for s in last.best])
    assert "₽" in fig.layout.xaxis.title.text
    assert set_cost(scenario, ()) == 0


def test_the_dask_address_is_an_app_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LEAN_TRAINER_DASK", raising=False)
    assert config.dask_address() is None  # the local pool
    monkeypatch.setenv("LEAN_TRAINER_DASK", " tcp://10.0.0.5:8786 ")
    assert config.dask_address() == "tcp://10.0.0.5:8786"


def test_the_balance_tab_runs_the_edited_scenario_and_draws_the_frontier(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    app_environment(tmp_path, monkeypatch)
    monkeypatch.setenv("LEAN_TRAINER_WORKERS", "1")
    at = AppTest.from_file(APP, default_timeout=300)
    at.run()
    at.session_state["trainer"] = "Anna"
    at.switch_page("dashboard/pages/editor.py")
    at.run()
    at.selectbox(key="editor.choice").set_value("shipped:acquisitions-processing").run()
    assert any("process pool" in c.value for c in at.caption)
    at.number_input(key="editor.balance.reps").set_value(2)
    at.number_input(key="editor.balance.max_sets").set_value(5)
    at.button(key="editor.balance.run").click().run()
    assert not at.exception, at.exception
    charts = [c for c in at.get("plotly_chart") if "Score against the cost" in json.dumps(json.loads(c.proto.spec))]
    assert charts, "no frontier chart"
    spec = json.loads(charts[0].proto.spec)
    assert "RUB" in spec["layout"]["xaxis"]["title"]["text"]
