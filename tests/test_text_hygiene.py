"""Text typed by people is cleaned where it enters and never becomes a link, an image or a broken file."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ROOT, app_environment, one_day_hall
from openpyxl import load_workbook
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from sim.report import session_html, session_xlsx
from sim.store import Store, teams
from sim.text import clean_block, clean_line, markdown_plain, visible
from sim.training import Training, TrainingError

APP = str(ROOT / "app.py")


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


@pytest.mark.parametrize("typed, stored", [
    ("Owls\x07", "Owls"),  # a bell typed on the Team page
    ("\u202eOwls 12", "Owls 12"),  # a right-to-left override would show the score reversed
    ("O\u200bwls", "Owls"),  # zero-width space
    ("Е\u0308жи", "Ёжи"),  # decomposed: stored in NFC
    ("  Owls \t and\u00a0Co ", "Owls and Co"),
])
def test_team_names_are_cleaned_when_they_enter(service: Training, typed: str, stored: str) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    assert service.join(code, typed).name == stored
    assert [tm.name for tm in service.teams(code)] == [stored]


@pytest.mark.parametrize("typed", ["\u200b", "\u3164", "\u2800\u2800", "\u202e\u202c", "\x07"])
def test_names_that_look_blank_are_refused_with_a_message(service: Training, typed: str) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    with pytest.raises(TrainingError) as caught:
        service.join(code, typed)
    assert caught.value.key in ("training.refused.team_name_invisible", "training.err.team_name_empty")
    assert "команд" in caught.value.text("ru")
    assert service.teams(code) == []


def test_notes_and_titles_are_cleaned(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2, title="Зал\x1b[31m \u202eдень 1")
    assert service.session(code).title == "Зал[31m день 1"
    service.join(code, "Owls")
    service.open_round(code, 1)
    decision = service.submit(code, "Owls", 1, [], {"wastes": "очередь\x07\r\nвечером\u200b", "\u202ewhy": "x"})
    assert decision.notes == {"wastes": "очередь\nвечером", "why": "x"}
    assert service.decision(code, "Owls", 1).notes == decision.notes


def test_markdown_plain_never_leaves_a_link_or_an_image() -> None:
    for text in ("mail@example.org", "![x](http://example.org/x.png)", "[x](http://example.org)", "http://example.org", "www.example.org",
                 "<http://example.org>", "<img src=x onerror=alert(1)>", "**bold** _it_ `code` # head", "a&amp;b"):
        safe = markdown_plain(text)
        assert not re.search(r"(?<!\\)[\[\]()!<>:*_`#&./]", safe), (text, safe)
        # the renderer's autolink patterns (remark-gfm) find nothing, even after unescaping
        unescaped = safe.replace("\\", "")
        assert not re.search(r"https?://|www(?=\.)|[-.\w+]@", unescaped, re.IGNORECASE), (text, safe)
    assert clean_line("a\nb") == "a b" and clean_block("a\n\n\nb") == "a\n\n\nb"
    assert not visible("\u3164\u200b ") and visible("Ёж")


def _legacy_name(service: Training, code: str, name: str) -> None:
    """A name stored before names were cleaned (an older database)."""
    service.join(code, "placeholder")
    with service.store.write() as conn:
        conn.execute(update(teams).values(name=name))


def test_an_old_control_character_in_a_name_does_not_break_the_xlsx(service: Training, tmp_path: Path) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    _legacy_name(service, code, "Owls\x07\x1b")
    book = load_workbook(io.BytesIO(session_xlsx(service, code, "en")))
    assert [row[0].value for row in book["Teams"].iter_rows(min_row=2)] == ["Owls"]
    done = subprocess.run([sys.executable, "-m", "sim.cli", "report", str(tmp_path / "training.db"), "--session", code, "--out",
                           str(tmp_path / "x.xlsx")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    assert (tmp_path / "x.xlsx").stat().st_size > 0


def test_a_link_in_a_name_is_not_a_link_in_the_report(service: Training) -> None:
    from builders import local_runner

    from sim.training import Worker

    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, '<a href="http://example.org">x</a>')
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    page = session_html(service, code, "en")
    assert 'href="http://example.org"' not in page and 'href=\\"http://example.org\\"' not in page
    assert "&lt;a href=" in page or "\\u0026lt;a href=" in page


def test_a_failing_report_is_said_and_the_console_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before, a failure left half the downloads prepared and the console failed with KeyError: 'xlsx'."""
    import sim.report

    app_environment(tmp_path, monkeypatch)
    service = Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))
    code = service.create_session(one_day_hall(), seed=3, replications=2)

    def broken(*args: object, **kwargs: object) -> bytes:
        raise ValueError("an illegal character")

    monkeypatch.setattr(sim.report, "session_xlsx", broken)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["trainer"] = "Anna"
    at.session_state["trainer.code"] = code
    at.run()
    at.switch_page("dashboard/pages/trainer.py")
    at.run()
    at.button(key="trainer.report").click().run()
    assert not at.exception, at.exception
    assert any("could not be prepared" in e.value for e in at.error)
    at.run()
    assert not at.exception, at.exception
