"""The scenario editor: trainer only, validation as you go, saving as versions, conflicts, round trips."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from builders import SCENARIOS, app_environment
from streamlit.testing.v1 import AppTest

from sim.editing import dump, get, load, put
from sim.library import LibraryError, ScenarioLibrary
from sim.scenario import scenario_from_text

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return app_environment(tmp_path, monkeypatch)


def editor(signed_in: bool = True, choice: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    if signed_in:
        at.session_state["trainer"] = "Anna"
    at.switch_page("dashboard/pages/editor.py")
    at.run()
    if choice:
        at.selectbox(key="editor.choice").set_value(choice).run()
    assert not at.exception, at.exception
    return at


def test_the_editor_is_for_trainers_only(user_dir: Path) -> None:
    at = editor(signed_in=False)
    assert any("sign in" in w.value for w in at.warning)
    assert not at.text_area


def test_an_edit_saved_goes_to_the_users_folder_and_keeps_the_shipped_file(user_dir: Path) -> None:
    shipped = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8")
    at = editor(choice="shipped:mmc-desk")
    text = at.text_area(key="editor.text")
    text.input(text.value.replace("staff: 3", "staff: 4")).run()
    assert any("valid" in s.value for s in at.success)
    at.button(key="editor.save").click().run()
    assert not at.exception
    saved = (user_dir / "mmc-desk.yaml").read_text(encoding="utf-8")
    assert "staff: 4" in saved
    assert saved.startswith("# The queueing-theory check")  # comments kept
    assert (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8") == shipped
    assert at.selectbox(key="editor.choice").value == "user:mmc-desk"
    assert [v.author for v in ScenarioLibrary(SCENARIOS, user_dir).history("mmc-desk")] == ["Anna"]


def test_an_invalid_scenario_lists_its_problems_and_cannot_be_saved(user_dir: Path) -> None:
    at = editor(choice="shipped:mmc-desk")
    text = at.text_area(key="editor.text")
    text.input(text.value.replace("share: 1.0", "share: 0.5").replace("station: desk", "station: dsk")).run()
    errors = " ".join(m.value for m in at.markdown)
    assert "groups" in errors and "steps.desk_service.station" in errors and "line" in errors
    assert at.button(key="editor.save").disabled
    assert at.button(key="editor.test").disabled
    assert not user_dir.exists() or not list(user_dir.glob("*.yaml"))


def test_a_second_trainer_saving_an_old_version_sees_a_conflict(user_dir: Path) -> None:
    library = ScenarioLibrary(SCENARIOS, user_dir)
    library.save((SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8"), "Anna", base=None, new=True)
    first, second = editor(choice="user:mmc-desk"), editor(choice="user:mmc-desk")
    for at, staff in ((first, "4"), (second, "5")):
        box = at.text_area(key="editor.text")
        box.input(box.value.replace("staff: 3", f"staff: {staff}")).run()
    first.button(key="editor.save").click().run()
    second.button(key="editor.save").click().run()
    assert any("changed the scenario" in e.value for e in second.error)
    assert any("staff: 5" in c.value for c in second.code)
    assert "staff: 4" in (user_dir / "mmc-desk.yaml").read_text(encoding="utf-8")


def test_save_as_a_new_scenario_and_find_it_in_the_sandbox(user_dir: Path) -> None:
    at = editor(choice="shipped:mmc-desk")
    at.text_input(key="editor.new_id").input("my-desk").run()
    at.button(key="editor.save_new").click().run()
    assert (user_dir / "my-desk.yaml").is_file()
    at.switch_page("dashboard/pages/sandbox.py")
    at.run()
    assert any("my-desk · yours" in option for option in at.selectbox(key="sandbox.scenario").options)


def test_a_test_run_shows_figures_beside_the_saved_version(user_dir: Path) -> None:
    at = editor(choice="shipped:mmc-desk")
    text = at.text_area(key="editor.text")
    text.input(text.value.replace("hours: 500", "hours: 20").replace("warmup_hours: 8", "warmup_hours: 1")).run()
    at.button(key="editor.test").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert "Edited" in table.columns and "Saved" in table.columns and len(table) > 3


def test_form_edits_keep_comments_and_order() -> None:
    text = (SCENARIOS / "central-lending-hall.yaml").read_text(encoding="utf-8")
    doc = load(text)
    put(doc, ("arrivals", "per_hour", "default"), [20, 24, 28, 30, 28, 30, 38, 50, 55, 35])
    put(doc, ("roles", "librarian", "staff"), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3])
    put(doc, ("steps", "pickup_desk", "time"), {"dist": "triangular", "low": 1, "mode": 2, "high": 4})
    out = dump(doc)
    assert "# The lending hall of a regional universal scientific library" in out
    assert "#         10  11  12  13  14  15  16  17  18  19" in out
    scenario = scenario_from_text(out)
    assert scenario.arrivals.per_hour["default"][0] == 20
    assert scenario.roles["librarian"].staff == [3] * 10
    assert scenario.steps["pickup_desk"].time.mean_value() == pytest.approx(7 / 3)
    assert list(load(out)) == list(doc)  # key order as it was
    assert get(load(out), ("arrivals", "per_hour", "default")).fa.flow_style()


def test_a_name_with_html_is_refused_with_its_field_and_nothing_is_saved(user_dir: Path) -> None:
    """Scenario texts are shown as plain text on every page: a tag or a Markdown image in one is said
    as a problem at its field (a page would have fetched the image), never stored."""
    text = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8")
    hostile = text.replace('en: "Queueing-theory check: M/M/3"', 'en: "<script>alert(1)</script><b>bold</b>"')
    with pytest.raises(LibraryError) as refused:
        ScenarioLibrary(SCENARIOS, user_dir).import_upload("../../x.yaml", hostile.encode("utf-8"), "Anna")
    assert [p.field for p in refused.value.problems] == ["title.en"]
    assert "a link, an image or an HTML tag" in refused.value.problems[0].say("en")
    assert not user_dir.exists() or not list(user_dir.glob("*.yaml"))


def test_the_projector_view_shows_the_code(user_dir: Path) -> None:
    import os

    from sim.store import Store
    from sim.training import Training

    service = Training(Store(os.environ["LEAN_TRAINER_DB_URL"]))
    code = service.create_session(scenario_from_text((SCENARIOS / "central-lending-hall.yaml").read_text(encoding="utf-8")),
                                  seed=1, replications=2)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["code"] = code
    at.run()
    at.switch_page("dashboard/pages/projector.py")
    at.run()
    assert not at.exception
    assert any(f"Session code: {code}" in m.value for m in at.markdown)
    assert any(f"/team?code={code}" in m.value for m in at.markdown)  # the address teams type
    assert len(at.get("image")) == 1  # its QR code


def _tables(at: AppTest) -> list:
    return [e.value for e in at.get("dataframe")]


def test_an_invalid_value_keeps_the_form_and_the_tables_show_names_and_hours(user_dir: Path) -> None:
    at = editor(choice="shipped:central-lending-hall")
    text = at.text_area(key="editor.text")
    doc = load(text.value)
    first_group = next(iter(doc["groups"]))
    put(doc, ("groups", first_group, "share"), -0.5)  # readable YAML, invalid value
    text.input(dump(doc)).run()
    assert not at.exception, at.exception
    assert at.error, "the problem is listed"
    tables = _tables(at)
    assert tables, "the form's tables are still shown while a value is invalid"
    columns = [str(c) for table in tables for c in table.columns]
    cells = [str(v) for table in tables for v in table.to_numpy().ravel()]
    role_names = [str(get(doc, ("roles", r, "name", "en"))) for r in doc["roles"]]
    assert all(name in columns for name in role_names), columns  # roles by name, not id
    assert not any(r in columns for r in doc["roles"] if r not in role_names)
    assert "10:00" in cells
    assert "Every day" in columns or any(day in columns for day in ("Monday", "Saturday"))
    group_name = str(get(doc, ("groups", first_group, "name", "en")))
    assert group_name in cells and first_group not in cells


def test_a_saved_version_of_a_shipped_scenario_has_its_own_title_in_the_session_creator(user_dir: Path) -> None:
    at = editor(choice="shipped:mmc-desk")
    at.button(key="editor.save").click().run()
    at = editor(choice="shipped:central-lending-hall")
    at.button(key="editor.save").click().run()
    at.switch_page("dashboard/pages/trainer.py")
    at.run()
    assert not at.exception, at.exception
    options = at.selectbox[0].options
    assert len(options) == len(set(options)), options


def test_the_editor_refuses_a_special_file_instead_of_waiting_on_it(user_dir: Path) -> None:
    user_dir.mkdir(parents=True, exist_ok=True)
    os.mkfifo(user_dir / "aaa-fifo.yaml")  # sorts first, so it is opened by default: reading it hung the page
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.session_state["trainer"] = "Anna"
    at.switch_page("dashboard/pages/editor.py")
    at.run()
    assert not at.exception
    assert any("not a regular file" in e.value for e in at.error), [e.value for e in at.error]


def test_a_problem_in_the_list_is_plain_text_whatever_the_file_says() -> None:
    """A key with a backtick and a value with a Markdown link and image became a live link and an image
    fetched by the trainer's browser in the Editor's list of problems."""
    from dashboard.widgets import problem_markdown
    from sim.scenario import Problem

    key = "x` [FIELDLINK](http://127.0.0.1:9/f) `"
    problem = Problem((key,), "problem.field.unknown_key", {"name": key, "hint": ""})
    line = problem_markdown(problem, "ru", where="строка 3")
    field, message = line.split("`: ", 1)
    assert field.count("`") == 1 and field.endswith("'")  # one code span: the key's backtick cannot close it
    assert "](" not in message, line
    value = Problem(("events", "x", "at"), "problem.field.invalid",
                    {"got": " ![ATIMG](http://127.0.0.1:9/at.png)"})
    assert "](" not in problem_markdown(value, "en"), problem_markdown(value, "en")
