"""Plan-Do-Check-Act: dropping a tool in a later round, the hypothesis and the A3 notes, stored in the
decision's JSON columns (no schema change), shown in the report and the console, kept by archives."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from builders import app_database_url, app_environment, local_runner, one_day_hall
from cards import cards
from streamlit.testing.v1 import AppTest

from sim import pdca
from sim.i18n import t
from sim.lean import ChoiceError, check_choice, tool_roubles
from sim.report import session_html
from sim.store import Store, decisions
from sim.training import Training, TrainingError, Worker
from sim.training.archive_check import pack_archive, read_archive

APP = str(Path(__file__).resolve().parents[1] / "app.py")
A3 = {"problem": "long evening queue", "wastes": "waiting", "root_cause": "one desk at the peak",
      "countermeasure": "5S at the desk and in the stacks", "expected": "shorter waits", "result": "as-is seen"}


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def _play(service: Training) -> str:
    """Round 2: Owls buy two tools with a hypothesis and an A3; round 3: they drop one."""
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=3)
    service.join(code, "Owls")
    service.join(code, "Hedgehogs")
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    service.reveal(code, 1)
    service.open_round(code, 2)
    service.submit(code, "Owls", 2, ["five_s_desk", "five_s_stacks"], A3,
                   hypothesis={"kpi": "wait_mean", "direction": "lower", "tool": "five_s_desk"})
    service.submit(code, "Hedgehogs", 2, ["standard_work"])
    service.close_round(code, 2)
    Worker(service, local_runner).run_once()
    service.reveal(code, 2)
    service.open_round(code, 3)
    service.submit(code, "Owls", 3, ["kanban_processing"], {"result": "waits fell; stack 5S did nothing"},
                   dropped=["five_s_stacks"], hypothesis={"kpi": "wait_mean", "direction": "lower"})
    service.close_round(code, 3)
    Worker(service, local_runner).run_once()
    return code


def test_a_dropped_tool_leaves_the_tools_in_force_and_its_money_is_not_returned(service: Training) -> None:
    code = _play(service)
    d3 = service.decision(code, "Owls", 3)
    assert d3 is not None
    assert d3.dropped == ["five_s_stacks"] and "five_s_stacks" not in d3.tools
    assert d3.tools == ["five_s_desk", "kanban_processing"] and d3.new_tools == ["kanban_processing"]
    assert service.tools_in_force(code, 3)["Owls"] == ["five_s_desk", "kanban_processing"]
    scenario = service.session(code).scenario
    from sim.lean import one_off_roubles
    spent = one_off_roubles(scenario, ["five_s_desk", "five_s_stacks", "kanban_processing"])
    assert service.money_spent(code, "Owls", 3) == pytest.approx(spent)  # the dropped tool's money stays spent
    assert service.money_spent(code, "Owls", 2) < spent
    # its results are those of the tools still in force (the running cost stops with the tool)
    tools, _ = service.team_results(code, "Owls", 3, trainer=True)
    assert tools == ["five_s_desk", "kanban_processing"]
    assert tool_roubles(scenario, tools) == tool_roubles(scenario, ["five_s_desk", "kanban_processing"])


def test_the_hypothesis_and_the_a3_are_stored_in_the_json_columns(service: Training) -> None:
    code = _play(service)
    d2 = service.decision(code, "Owls", 2)
    assert d2 is not None and d2.notes == A3 and d2.dropped == []
    assert d2.hypothesis == {"kpi": "wait_mean", "direction": "lower", "group": None, "tool": "five_s_desk", "text": ""}
    with service.store.read() as conn:
        raw = conn.execute(decisions.select().where(decisions.c.round == 3)).mappings().one()
    stored = json.loads(raw["notes"])
    assert stored["pdca"]["dropped"] == ["five_s_stacks"]
    assert stored["pdca"]["hypothesis"]["kpi"] == "wait_mean"
    assert json.loads(raw["tools"]) == ["five_s_desk", "kanban_processing"]
    assert service.store.version() == 5  # drafts of the decision form (v5) are the last migration: PDCA adds none


def test_a_tool_not_in_force_cannot_be_dropped_and_a_bad_hypothesis_is_refused(service: Training) -> None:
    code = _play(service)
    with pytest.raises(ChoiceError, match="not in force"):
        check_choice(service.session(code).scenario, 3, ["five_s_desk"], [], ["rfid_kiosk"])
    code2 = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code2, "Owls")
    service.open_round(code2, 1)
    service.close_round(code2, 1)
    Worker(service, local_runner).run_once()
    service.open_round(code2, 2)
    with pytest.raises(TrainingError) as info:
        service.submit(code2, "Owls", 2, [], dropped=["five_s_desk"])
    assert info.value.key == "training.err.not_kept"
    with pytest.raises(TrainingError) as info:
        service.submit(code2, "Owls", 2, ["five_s_desk"], hypothesis={"kpi": "wait_meen", "direction": "lower"})
    assert info.value.key == "training.err.hypothesis" and "wait_meen" in info.value.text("ru")


def test_the_check_says_whether_the_figure_moved_as_expected(service: Training) -> None:
    code = _play(service)
    scenario = service.session(code).scenario
    as_is = service.results_of(code, 2, [])
    _, owls = service.team_results(code, "Owls", 2, trainer=True)
    assert as_is is not None
    lower = pdca.check(pdca.Hypothesis("wait_mean", "lower"), as_is, owls)
    higher = pdca.check(pdca.Hypothesis("wait_mean", "higher"), as_is, owls)
    assert lower.difference is not None and lower.difference.diff is not None and lower.difference.diff < 0
    assert lower.met is not False and higher.met is not True
    same = pdca.check(pdca.Hypothesis("wait_mean", "lower"), as_is, as_is)
    assert same.met is None
    said = pdca.summary(scenario, A3, ["five_s_stacks"], {"kpi": "wait_mean", "direction": "lower"}, "ru", lower)
    labels = [label for label, _ in said]
    assert labels[:2] == ["Отменённые инструменты", "Гипотеза"] and "Коренная причина" in labels
    assert "Среднее время ожидания: снизится" in said[1][1]


def test_the_report_shows_drops_hypotheses_and_a3(service: Training) -> None:
    code = _play(service)
    html = session_html(service, code, "en")
    assert "Dropped: " in html
    # the label once (it was "Hypothesis: Hypothesis: ..."), the change with its unit
    assert "Hypothesis: Mean waiting time: lower. " in html and "Hypothesis: Hypothesis" not in html
    assert re.search(r"\(result: [+-]?[\d.]+ min\)\.", html), html[html.index("Hypothesis: Mean"):][:200]
    assert "Root cause: one desk at the peak" in html
    assert "Result: what did the last round show?: waits fell; stack 5S did nothing" in html


def test_drops_hypotheses_and_a3_survive_export_and_import(service: Training) -> None:
    code = _play(service)
    document = read_archive(pack_archive(service.export_session(code)))
    copy_code = service.import_session(document)
    for number in (2, 3):
        before = {d.team: d for d in service.decisions(code, number)}
        after = {d.team: d for d in service.decisions(copy_code, number)}
        assert before.keys() == after.keys()
        for team, d in before.items():
            assert (after[team].tools, after[team].dropped, after[team].hypothesis, after[team].notes) == \
                (d.tools, d.dropped, d.hypothesis, d.notes)
    # an archive whose drop breaks the rules is refused as in live play
    broken: dict[str, Any] = json.loads(json.dumps(service.export_session(code)))
    for d in broken["decisions"]:
        if d["round"] == 3:
            d["dropped"] = ["rfid_kiosk"]
    with pytest.raises(TrainingError) as info:
        service.import_session(broken)
    assert info.value.key == "training.refused.archive_decision"


def test_a_note_that_is_not_text_is_refused_naming_its_field(service: Training) -> None:
    """A number or a list was stored as its Python form ("[1, 2]"); now it is refused, live and from an archive."""
    code = _play(service)
    archive: dict[str, Any] = json.loads(json.dumps(service.export_session(code)))
    code2 = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code2, "Owls")
    service.open_round(code2, 1)
    for notes in ({"problem": 12}, {"root_cause": ["a", "b"]}, {"wastes": {"x": 1}}, {"expected": True}):
        with pytest.raises(TrainingError) as info:
            service.submit(code2, "Owls", 1, [], notes)  # type: ignore[arg-type]
        assert info.value.key == "training.err.note_not_text", notes
        assert f"«{next(iter(notes))}»" in info.value.text("ru")
    assert service.decision(code2, "Owls", 1) is None
    with pytest.raises(TrainingError) as info:
        service.submit(code2, "Owls", 1, [], hypothesis={"kpi": "wait_mean", "direction": "lower", "text": 5})
    assert info.value.key == "training.err.hypothesis"
    for d in archive["decisions"]:
        if d["round"] == 2 and d["team"] == "Owls":
            d["notes"]["countermeasure"] = [5, "S"]
    sessions_before = service.list_sessions()
    with pytest.raises(TrainingError) as info:
        service.import_session(archive)
    assert info.value.key == "training.refused.archive_decision"
    assert info.value.text("ru").endswith(t("training.err.note_not_text", "ru", field="countermeasure"))
    assert service.list_sessions() == sessions_before


# --- the Team page (AppTest) --------------------------------------------------------------------------


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    app_environment(tmp_path, monkeypatch)
    url = app_database_url(tmp_path)
    return url


def _team_page(code: str, team: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["team"] = (code, team)
    at.run()
    at.switch_page("dashboard/pages/team.py")
    at.run()
    assert not at.exception, at.exception
    return at


def test_the_team_page_asks_for_the_hypothesis_drops_a_tool_and_shows_the_check(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=3)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    service.reveal(code, 1)
    service.open_round(code, 2)
    at = _team_page(code, "Owls")
    at.checkbox(key=f"team.{code}.2.five_s_stacks").check().run()
    # the hypothesis is prefilled from the tool's `expect`
    tool = service.session(code).scenario.tools["five_s_stacks"]
    kpi_box = next(s for s in at.selectbox if s.key and s.key.startswith(f"team.hyp_kpi.five_s_stacks.{code}"))
    assert kpi_box.value == tool.expect.kpi
    at.text_area(key=f"team.root_cause.{code}.2").input("the desk calls the cataloguer")
    at.run()
    next(b for b in at.button if b.label == "Submit the decision").click().run()
    assert not at.exception, at.exception
    d2 = service.decision(code, "Owls", 2)
    assert d2 is not None and d2.tools == ["five_s_stacks"]
    assert d2.hypothesis is not None and d2.hypothesis["kpi"] == tool.expect.kpi
    assert d2.notes["root_cause"] == "the desk calls the cataloguer"
    service.close_round(code, 2)
    Worker(service, local_runner).run_once()
    service.reveal(code, 2)
    service.open_round(code, 3)
    at = _team_page(code, "Owls")
    # after the reveal, the hypothesis stands beside the result
    said = [m.value for m in [*at.success, *at.warning, *at.info]]
    assert any(s.startswith("Hypothesis: ") and "(result: " in s and ".." not in s for s in said), said
    assert cards(at)["money.payback"]["name"] == "Payback"  # a card that wraps (a metric cut the words)
    at.checkbox(key=f"team.{code}.3.drop.five_s_stacks").check().run()
    next(b for b in at.button if b.label == "Submit the decision").click().run()
    assert not at.exception, at.exception
    d3 = service.decision(code, "Owls", 3)
    assert d3 is not None and d3.dropped == ["five_s_stacks"] and d3.tools == []


def test_the_consoles_notes_say_the_hypothesis_label_once(app_env: str) -> None:
    """The console's team notes read «Гипотеза: Гипотеза: …» (the check's own label after the field's)."""
    code = _play(Training(Store(app_env)))
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["trainer"] = "Anna"
    at.session_state["trainer.code"] = code
    at.run()
    at.switch_page("dashboard/pages/trainer.py")
    at.run()
    assert not at.exception, at.exception
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    text = shown.replace("\u2060", "").replace("\\", "").replace("**", "")  # as read (Markdown-escaped notes)
    assert "Hypothesis: Mean waiting time" in text and "Hypothesis: Hypothesis" not in text
