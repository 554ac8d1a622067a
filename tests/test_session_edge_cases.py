"""Edge cases of sessions and of the editor found in review, each once a bug."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from builders import SCENARIOS, app_environment, local_runner, one_day_hall
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from sim.library import ScenarioLibrary
from sim.report import session_xlsx
from sim.store import Store
from sim.training import Training, TrainingError, Worker

APP = str(Path(__file__).resolve().parents[1] / "app.py")


runner = local_runner


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def test_a_team_that_joins_later_is_not_in_earlier_rounds(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.submit(code, "Owls", 1, [])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.join(code, "Latecomers")
    assert [row["team"] for row in service.leaderboard(code, 1)] == ["Owls"]


def test_two_workers_on_one_database_do_not_report_an_error(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.close_round(code, 1)
    first, second = Worker(service, runner), Worker(service, runner)
    service.compute_round(code, 1, runner)  # as if another server finished first...
    service.store.engine.dispose()
    with service.store.write() as conn:  # ...but this one still saw the round closing
        conn.exec_driver_sql("UPDATE rounds SET status='closing'")
    first.run_once()
    second.run_once()
    round_1 = service.round(code, 1)
    assert round_1.status == "closed" and round_1.error is None


def test_a_refused_import_leaves_nothing_behind(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    document = service.export_session(code)
    document["teams"] = ["Owls", "owls"]  # the same team twice
    with pytest.raises(TrainingError):
        service.import_session(json.loads(json.dumps(document)))
    document["teams"] = []
    document["round_states"][0]["status"] = "bogus"
    with pytest.raises(TrainingError):
        service.import_session(document)
    assert [c for c, _, _ in service.list_sessions()] == [code]


def test_team_names_never_become_spreadsheet_formulas(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, '=HYPERLINK("http://example.org","x")')
    book = load_workbook(io.BytesIO(session_xlsx(service, code, "en")))
    names = [row[0].value for row in book["Teams"].iter_rows(min_row=2)]
    assert names == ['\'=HYPERLINK("http://example.org","x")']
    assert all(cell.data_type != "f" for row in book["Teams"].iter_rows() for cell in row)


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return app_environment(tmp_path, monkeypatch)


def _page(name: str, trainer: bool = True) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if trainer:
        at.session_state["trainer"] = "Anna"
    at.switch_page(f"dashboard/pages/{name}.py")
    at.run()
    return at


def test_yaml_typed_in_the_editor_is_not_undone_by_the_form(app_env: Path) -> None:
    at = _page("editor")
    at.selectbox(key="editor.choice").set_value("shipped:central-lending-hall").run()
    box = at.text_area(key="editor.text")
    box.input(box.value.replace("days: 5", "days: 3")).run()
    at.run()
    assert "days: 3" in at.text_area(key="editor.text").value
    assert not at.exception


def test_an_invalid_file_of_the_trainers_folder_opens_without_a_crash(app_env: Path) -> None:
    app_env.mkdir(parents=True)
    text = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8").replace("hours: 500", "hours: 9000000")
    (app_env / "mmc-desk.yaml").write_text(text, encoding="utf-8")
    at = _page("editor")
    at.selectbox(key="editor.choice").set_value("user:mmc-desk").run()
    assert not at.exception
    assert at.text_area(key="editor.text").value == text
    assert at.button(key="editor.save").disabled


def test_a_new_session_is_shown_at_once(app_env: Path) -> None:
    at = _page("trainer")
    for _ in range(2):
        next(b for b in at.button if b.label == "Create the session").click().run()
    sessions = Training(Store(__import__("os").environ["LEAN_TRAINER_DB_URL"])).list_sessions()
    assert len(sessions) == 2
    newest = sessions[0][0]
    assert at.selectbox(key="trainer.pick").value == newest
    assert any(newest in m.value for m in at.markdown)


def test_restoring_a_version_restores_what_the_editor_shows(app_env: Path) -> None:
    library = ScenarioLibrary(SCENARIOS, app_env)
    original = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8")
    library.save(original, "Anna", base=None, new=True)
    library.save(original.replace("staff: 3", "staff: 4"), "Anna", base=library.read("mmc-desk")[1])
    at = _page("editor")
    at.selectbox(key="editor.choice").set_value("user:mmc-desk").run()
    restore = [b for b in at.button if b.label == "Restore"]
    restore[-1].click().run()  # the oldest version, listed last
    at.run()
    assert "staff: 3" in at.text_area(key="editor.text").value
    assert "staff: 3" in (app_env / "mmc-desk.yaml").read_text(encoding="utf-8")
