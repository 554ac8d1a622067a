"""AppTest: a trainer and two teams (separate app instances sharing one store) play two rounds."""

from __future__ import annotations

from pathlib import Path

import pytest
from builders import app_database_url, app_environment, wait_for
from streamlit.testing.v1 import AppTest

from sim.store import Store
from sim.training import Training

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PASSCODE = "читальный-зал-7"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    app_environment(tmp_path, monkeypatch, passcode=PASSCODE)
    url = app_database_url(tmp_path)
    return url


def page(name: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page(f"dashboard/pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def click(at: AppTest, label: str) -> AppTest:
    button = next(b for b in at.button if b.label == label)
    button.click().run()
    assert not at.exception, at.exception
    return at


def test_the_trainer_needs_the_passcode(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    at = page("trainer")
    at.text_input(key="trainer.name").input("Anna")
    at.text_input(key="trainer.passcode").input("wrong")
    click(at, "Sign in")
    assert any("Wrong passcode" in e.value for e in at.error)
    assert not at.session_state["trainer"] if "trainer" in at.session_state else True
    monkeypatch.delenv("LEAN_TRAINER_PASSCODE")
    at = page("trainer")
    assert any("LEAN_TRAINER_PASSCODE" in e.value for e in at.error)


def test_a_trainer_and_two_teams_play_two_rounds(env: str) -> None:
    trainer = page("trainer")
    trainer.text_input(key="trainer.name").input("Anna")
    trainer.text_input(key="trainer.passcode").input(PASSCODE)
    click(trainer, "Sign in")
    next(n for n in trainer.number_input if n.label == "Replications (runs)").set_value(3)
    next(n for n in trainer.number_input if n.label == "Rounds").set_value(2)
    click(trainer, "Create the session")
    service = Training(Store(env))
    (code, _, _), = service.list_sessions()
    assert any(code in m.value for m in trainer.markdown)

    teams = {}
    for name in ("Owls", "Hedgehogs"):
        team = page("team")
        team.text_input(key="team.code_input").input(code.lower())  # any case
        team.text_input(key="team.name_input").input(name)
        click(team, "Join")
        assert any(f'Team "{name}"' in c.value for c in team.caption)
        teams[name] = team
    assert [tm.name for tm in service.teams(code)] == ["Owls", "Hedgehogs"]

    # round 1: as it is
    trainer.run()
    click(trainer, "Open the round")
    assert service.round(code, 1).status == "open"
    for team in teams.values():
        team.run()
        click(team, "Submit the decision")
        assert any("Decision received" in s.value for s in team.success)
    trainer.run()
    click(trainer, "Close the round")
    wait_for(lambda: service.round(code, 1).status == "closed")
    trainer.run()
    # the teams see nothing before the reveal
    teams["Owls"].run()
    assert not any(h.value.startswith("Results of round 1") for h in teams["Owls"].subheader)
    click(trainer, "Reveal the results")
    assert service.round(code, 1).revealed

    # round 2: the teams choose differently; a team over budget is refused and nothing is stored
    click(trainer, "Open the round")
    owls, hedgehogs = teams["Owls"], teams["Hedgehogs"]
    for team in (owls, hedgehogs):
        team.run()
        assert any(h.value.startswith("Results of round 1") for h in team.subheader)
    for key in ("five_s_desk", "standard_work", "visual_management"):
        owls.checkbox(key=f"team.{code}.2.{key}").check()
    owls.run()
    # over budget: the budget line turns into an error and Submit cannot be pressed
    assert any("over the budget" in e.value for e in owls.error)
    assert next(b for b in owls.button if b.label == "Submit the decision").disabled
    assert service.decision(code, "Owls", 2) is None
    owls.checkbox(key=f"team.{code}.2.visual_management").uncheck()
    owls.text_area(key=f"team.wastes.{code}.2").input("long evening queue")
    owls.run()
    click(owls, "Submit the decision")
    hedgehogs.checkbox(key=f"team.{code}.2.five_s_stacks").check()
    hedgehogs.run()
    click(hedgehogs, "Submit the decision")
    assert service.decision(code, "Owls", 2).tools == ["five_s_desk", "standard_work"]
    assert service.decision(code, "Owls", 2).notes["wastes"] == "long evening queue"

    trainer.run()
    click(trainer, "Close the round")
    wait_for(lambda: service.round(code, 2).status == "closed")
    trainer.run()
    click(trainer, "Reveal the results")
    board = service.leaderboard(code, 2)
    assert {row["team"] for row in board} == {"Owls", "Hedgehogs"}
    trainer.run()
    shown = [df.value for df in trainer.dataframe]
    assert any("Owls" in str(df) and "Hedgehogs" in str(df) for df in shown)

    owls.run()
    assert any(h.value.startswith("Results of round 2") for h in owls.subheader)
    assert any("Changes are shown against your previous round" in c.value for c in owls.caption)
    assert not owls.exception
