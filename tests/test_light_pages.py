"""Pages that stay light in a room: what polling costs, figures shared by every page of a reveal,
scenario files validated once per content, and the editor's plain word on a folder it cannot write."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from builders import SCENARIOS, app_environment, local_runner, one_day_hall
from streamlit.testing.v1 import AppTest

from sim.i18n import t
from sim.store import Store
from sim.training import Training, Worker

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    app_environment(tmp_path, monkeypatch)
    return f"sqlite:///{tmp_path / 'training.db'}"


def page(name: str, **state: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"dashboard/pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


# polling -----------------------------------------------------------------------------------------

def test_a_run_is_not_followed_by_a_full_garbage_collection_nor_a_scan_of_source_files() -> None:
    """Streamlit's defaults: a gc.collect(2) after every run (each poll of each page) and polling of
    the source files; with a dozen pages they were most of the server's idle CPU."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert settings["runner"]["postScriptGC"] is False
    assert settings["server"]["fileWatcherType"] == "none"


def test_pages_polling_one_session_share_one_read_of_its_change_counter(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from dashboard import room

    service = Training(Store(f"sqlite:///{tmp_path / 't.db'}"))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    reads: list[str] = []
    real = service.change_stamp
    monkeypatch.setattr(service, "change_stamp", lambda c: reads.append(c) or real(c))
    clock = [1000.0]
    monkeypatch.setattr(room.time, "monotonic", lambda: clock[0])
    first = room.session_stamp(service, code)
    for _ in range(12):  # a dozen pages poll within the same half second
        assert room.session_stamp(service, code) == first
    assert len(reads) == 1
    service.join(code, "Owls")  # a change: seen once the half second is over, never missed
    clock[0] += room.STAMP_TTL
    assert room.session_stamp(service, code) > first
    assert len(reads) == 2


def test_a_reveal_builds_each_figure_once_for_every_page_that_shows_it(app_env: str) -> None:
    from dashboard import results_view

    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    for team in ("Owls", "Foxes", "Bears"):
        service.join(code, team)
    service.open_round(code, 1)
    for team in ("Owls", "Foxes", "Bears"):
        service.submit(code, team, 1, [])
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    service.reveal(code, 1)
    first = page("team", team=(code, "Owls"))
    assert any(h.value == "Results of round 1" for h in first.subheader)
    built = results_view.figure_builds
    assert built > 0
    for team in ("Foxes", "Bears"):  # the same decision (as it is): the same figures
        other = page("team", team=(code, team))
        assert [c.proto.spec for c in other.get("plotly_chart")] == [c.proto.spec for c in first.get("plotly_chart")]
    first.run()  # and a rerun of a page builds nothing either
    assert results_view.figure_builds == built
    # only the open tab is drawn: the score and the waiting
    assert len(first.get("plotly_chart")) == 2


# validation once per content ---------------------------------------------------------------------

@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every scenario validated (parse_scenario runs the schema, the checks and every tool)."""
    from collections import OrderedDict

    from dashboard import validated
    from sim.scenario import loading

    monkeypatch.setattr(validated, "_seen", OrderedDict())  # what other tests validated is not counted
    calls: list[str] = []
    real = loading.parse_scenario

    def counted(data, file="<data>", lines=None):  # type: ignore[no-untyped-def]
        calls.append(file)
        return real(data, file=file, lines=lines)

    monkeypatch.setattr(loading, "parse_scenario", counted)
    return calls


def test_the_editor_does_not_validate_unchanged_files_again(app_env: str, parses: list[str]) -> None:
    at = page("editor", trainer="Anna")
    assert parses  # the files and the open text, once
    before = len(parses)
    for _ in range(3):  # clicks elsewhere on the page: nothing new to validate
        at.run()
    assert not at.exception
    assert len(parses) == before
    text = at.text_area(key="editor.text")
    text.input(text.value.replace("days: 5", "days: 4", 1)).run()  # a new text: validated once
    assert len(parses) == before + 1


def test_the_sandbox_does_not_validate_unchanged_files_again(app_env: str, parses: list[str]) -> None:
    from dashboard import runner

    at = page("sandbox")
    before = len(parses)
    assert before >= len(list(SCENARIOS.glob("*.yaml")))
    runner.clear_scenario_lists()  # the list's 30-second cache is over: the folders are read again
    at.run()
    assert not at.exception
    assert len(parses) == before


# the editor and a folder it cannot write -----------------------------------------------------------

def _save_refused(*_args: object, **_kwargs: object) -> None:
    raise PermissionError(13, "Permission denied")


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_read_only_trainers_folder_is_said_plainly_when_saving(app_env: str, monkeypatch: pytest.MonkeyPatch,
                                                                  lang: str) -> None:
    """Tests run as root, whom file modes do not stop: the write itself is made to fail as it would."""
    import sim.library

    monkeypatch.setenv("LEAN_TRAINER_LANG", lang)
    monkeypatch.setattr(sim.library, "_atomic_write", _save_refused)
    at = page("editor", trainer="Anna")
    at.selectbox(key="editor.choice").set_value("shipped:mmc-desk").run()
    text = at.text_area(key="editor.text")
    text.input(text.value.replace("staff: 3", "staff: 4")).run()
    at.button(key="editor.save").click().run()
    assert not at.exception, at.exception
    folder = str(Path(app_env.removeprefix("sqlite:///")).parent / "user")
    said = t("editor_folder.not_written", lang, folder=folder, error="Permission denied")
    assert said in [e.value for e in at.error]
    assert "staff: 4" in at.text_area(key="editor.text").value  # the edit is still there


def test_a_read_only_trainers_folder_is_said_when_the_editor_opens(app_env: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    real = os.access
    user = str(Path(app_env.removeprefix("sqlite:///")).parent)
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: False if str(p).startswith(user) and mode & os.W_OK
                        else real(p, mode, **kw))
    at = page("editor", trainer="Anna")
    assert t("editor_folder.read_only", "en", folder=user + "/user") in [w.value for w in at.warning]
