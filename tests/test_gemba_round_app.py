"""AppTest of a gemba round: a team watches the floor on its Team page and records observations; after the
reveal it sees what it found and missed; the trainer sees every team and the leaderboard's own column; the
projector plays the floor for the room."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from builders import app_database_url, app_environment, local_runner, one_day_hall
from streamlit.testing.v1 import AppTest

from sim.store import Store
from sim.training import Training, Worker

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PASSCODE = "обход"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Training:
    app_environment(tmp_path, monkeypatch, passcode=PASSCODE)
    url = app_database_url(tmp_path)
    return Training(Store(url))


def page(name: str, **params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.run()
    at.switch_page(f"dashboard/pages/{name}.py")
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, at.exception
    return at


def floor_frames(at: AppTest) -> int:
    return max(len(json.loads(chart.proto.spec).get("frames", [])) for chart in at.get("plotly_chart"))


def test_a_team_walks_the_floor_and_sees_what_it_found(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=5, replications=2)
    team = page("team")
    team.text_input(key="team.code_input").input(code)
    team.text_input(key="team.name_input").input("Owls")
    click(team, "Join")
    service.join(code, "Hedgehogs")
    service.open_round(code, 1)
    team.run()
    assert any(h.value == "Waste walk: go and see" for h in team.subheader)
    assert not team.get("plotly_chart") or floor_frames(team) == 0  # the floor waits until the team asks
    team.toggle(key=f"team.gemba.watch.{code}").set_value(True).run()
    assert 30 < floor_frames(team) < 100  # the busiest hours first, two minutes a frame
    team.radio(key=f"team.gemba.{code}.window").set_value("day").run()
    assert floor_frames(team) > 300  # the whole first day, the walk is scored on

    top = service.gemba_truth(code)[:5]
    form_boxes = [s for s in team.selectbox if s.label in ("Waste", "Where (station or step)")]
    waste, where = form_boxes
    waste.set_value(top[0].waste)
    where.set_value(top[0].where)
    next(i for i in team.text_input if i.label == "What you saw (optional)").input("a line to the door")
    click(team, "Add the observation")
    assert [(o.waste, o.where, o.note) for o in service.observations(code, 1, "Owls")] == \
        [(top[0].waste, top[0].where, "a line to the door")]
    assert any("a line to the door" in m.value for m in team.markdown)
    click(team, "Remove")
    assert service.observations(code, 1, "Owls") == []
    service.record_observation(code, "Owls", 1, top[0].waste, top[0].where, "a line to the door")
    service.record_observation(code, "Hedgehogs", 1, top[1].waste, top[1].where)

    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    team.run()
    assert any("Wait for the trainer to reveal" in i.value for i in team.info)

    trainer = page("trainer")
    trainer.text_input(key="trainer.name").input("Anna")
    trainer.text_input(key="trainer.passcode").input(PASSCODE)
    click(trainer, "Sign in")
    assert any(h.value == "Waste walk: which team found which of the top wastes" for h in trainer.subheader)
    tables = [df.value for df in trainer.dataframe]
    walk = next(df for df in tables if "Owls" in df.columns and "Rank" in df.columns)
    assert list(walk["Owls"])[:5] == ["✔ found", "✘ missed", "✘ missed", "✘ missed", "✘ missed"]
    assert list(walk["Hedgehogs"])[:2] == ["✘ missed", "✔ found"]
    board = next(df for df in tables if "Waste walk (round 1)" in df.columns)
    assert sorted(board["Waste walk (round 1)"]) == ["1/5", "1/5"]

    service.reveal(code, 1)
    team.run()
    assert any("Found 1 of the top 5" in m.value for m in team.markdown)
    rows = team.table[0].value
    assert list(rows["Found?"]) == ["✔ found", "✘ missed", "✘ missed", "✘ missed", "✘ missed"]

    # the projector plays the floor for the room when asked to
    projector = page("projector", code=code)
    assert not projector.get("plotly_chart")
    projector.toggle(key=f"projector.floor.{code}").set_value(True).run()
    assert floor_frames(projector) > 30
    assert any("Waste walk (round 1): 1/5" in m.value for m in projector.markdown)
    shown = page("projector", code=code, floor="1")
    assert floor_frames(shown) > 30


def test_an_observation_added_just_after_the_round_closed_says_so(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=5, replications=2)
    team = page("team")
    team.text_input(key="team.code_input").input(code)
    team.text_input(key="team.name_input").input("Owls")
    click(team, "Join")
    service.open_round(code, 1)
    team.run()
    next(i for i in team.text_input if i.label == "What you saw (optional)").input("a line to the door")
    service.close_round(code, 1)  # the trainer closes while the team is typing
    click(team, "Add the observation")
    assert service.observations(code, 1, "Owls") == []
    assert any("not open" in e.value or "closed" in e.value for e in team.error), [e.value for e in team.error]
