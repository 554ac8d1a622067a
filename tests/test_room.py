"""A real room: late teams, double clicks on the trainer's console (issue: a session that survives a room)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from builders import app_environment, local_runner, one_day_hall
from cards import cards
from streamlit.testing.v1 import AppTest

from dashboard.widgets import plain
from sim.i18n import t
from sim.store import Store
from sim.training import Training, TrainingError, Worker

APP = str(Path(__file__).resolve().parents[1] / "app.py")


runner = local_runner


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def play_round_1(service: Training, code: str, team: str = "Owls") -> None:
    service.open_round(code, 1)
    service.submit(code, team, 1, [])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.reveal(code, 1)


def test_a_late_team_did_not_play_round_1_and_is_told_so(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, "Owls")
    play_round_1(service, code)
    service.join(code, "Latecomers")
    with pytest.raises(TrainingError) as caught:
        service.team_results(code, "Latecomers", 1)
    assert caught.value.key == "training.err.not_played"
    # the trainer's comparison of that team goes through the same call
    with pytest.raises(TrainingError):
        service.team_results(code, "Latecomers", 1, trainer=True)
    assert service.team_results(code, "Owls", 1)[0] == []


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    app_environment(tmp_path, monkeypatch)
    return f"sqlite:///{tmp_path / 'training.db'}"


def page(name: str, **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at.switch_page(f"dashboard/pages/{name}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def play_rounds(service: Training, code: str, team: str, rounds: int) -> None:
    """Rounds 1..`rounds`, each opened, the team's as-is decision sent, closed, computed and revealed."""
    for n in range(1, rounds + 1):
        service.open_round(code, n)
        service.submit(code, team, n, [])
        service.close_round(code, n)
        Worker(service, runner).run_once()
        service.reveal(code, n)


def test_a_team_that_joins_after_round_1_sees_its_page_without_an_error(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    play_round_1(service, code)
    service.open_round(code, 2)
    service.join(code, "Latecomers")
    late = page("team", team=(code, "Latecomers"))
    assert not at_error_boxes(late)
    # it sees the library as it is for round 1, said plainly
    assert any("joined after round 1" in c.value for c in late.caption)
    assert any(h.value.startswith("Results of round 1") for h in late.subheader)
    # it plays round 2, and after the reveal sees its results
    late.button(key=f"team.submit.{code}.2").click().run()
    service.submit(code, "Owls", 2, [])
    service.close_round(code, 2)
    Worker(service, runner).run_once()
    service.reveal(code, 2)
    late.run()
    assert not late.exception, late.exception
    assert any(h.value.startswith("Results of round 2") for h in late.subheader)


def at_error_boxes(at: AppTest) -> list[str]:
    return [e.value for e in at.error] + [str(e.value) for e in at.exception]


def test_a_double_click_on_reveal_does_not_reopen_the_round(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    trainer = page("trainer", trainer="Anna", **{"trainer.code": code})
    reveal = f"trainer.reveal.{code}.1"
    trainer.button(key=reveal).click().run()
    assert service.round(code, 1).revealed
    # the second click of a double click lands on whatever now stands where "Reveal" stood
    second = [b for b in trainer.button if b.key and b.key.startswith(f"trainer.reopen.{code}.1")]
    assert second, "a reopen control is still offered after the reveal"
    second[0].click().run()
    assert not trainer.exception, trainer.exception
    r = service.round(code, 1)
    assert r.status == "closed" and r.revealed, "one click reopened a revealed round"
    # reopening needs a deliberate confirmation
    trainer.button(key=f"trainer.reopen_confirm.{code}.1").click().run()
    assert service.round(code, 1).status == "open"


def test_a_verdict_says_whether_a_change_matters() -> None:
    from sim.experiment import paired
    from sim.kpis import KPIS, MATTERS_WHY

    # 4 seconds less waiting in every replication: real, but too small to matter
    base = [3.0, 3.2, 2.9, 3.1, 3.0]
    assert paired(base, [b - 0.07 for b in base], "lower", KPIS["wait_mean"].matters).verdict == "too_small"
    assert paired(base, [b - 1.0 for b in base], "lower", KPIS["wait_mean"].matters).verdict == "better"
    assert paired(base, [b + 1.0 for b in base], "lower", KPIS["wait_mean"].matters).verdict == "worse"
    assert paired(base, [3.0, 3.5, 2.4, 3.3, 2.8], "lower", KPIS["wait_mean"].matters).verdict == "no_clear_change"
    # exactly the same: nothing to judge (not "could be chance")
    assert paired(base, list(base), "lower", KPIS["wait_mean"].matters).verdict == "unchanged"
    # every figure has a smallest change that matters, with its reason
    for kpi_id, info in KPIS.items():
        assert info.matters > 0, kpi_id
        assert kpi_id in MATTERS_WHY, kpi_id


def test_round_1_shows_the_library_as_it_is_on_the_team_page(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    team = page("team", team=(code, "Owls"))
    assert any(h.value == "The library as it is" for h in team.subheader)
    charts = team.get("plotly_chart")
    assert len(charts) == 2  # the score and the open tab (the waiting): other tabs are drawn when opened
    assert [tab.label for tab in team.tabs] == ["Waiting by group", "The day hour by hour", "Staff utilisation",
                                                "Left unserved", "Value-stream map", "Reader groups"]
    assert next(iter(cards(team).values()))["name"] == "Mean waiting time"
    team.session_state["team.as_is.tabs.en"] = "Value-stream map"  # the team opens the value-stream map
    team.run()
    assert [json.loads(c.proto.spec)["data"][0]["type"] for c in team.get("plotly_chart")][1:] != \
        [json.loads(charts[1].proto.spec)["data"][0]["type"]]
    assert any(s.key == "team.as_is.vsm_choice" for s in team.selectbox)


def test_notes_come_back_after_a_reload(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.submit(code, "Owls", 1, [], {"wastes": "queues at 18:00", "countermeasure": "to see first"})
    fresh = page("team", team=(code, "Owls"))  # a new browser session of the same team
    assert fresh.text_area(key=f"team.wastes.{code}.1").value == "queues at 18:00"
    assert fresh.text_area(key=f"team.countermeasure.{code}.1").value == "to see first"


def test_a_cards_interval_in_days_ends_without_a_double_full_stop() -> None:
    from dashboard.widgets import fmt

    for lang in ("ru", "en"):
        line = t("card.ci", lang, low=fmt("acquisitions_lead_time_days", 3.2, lang),
                 high=fmt("acquisitions_lead_time_days", 4.12, lang))
        assert "4" in line and not line.endswith(".."), line


def test_chosen_tools_come_back_ticked_after_a_reload(app_env: str) -> None:
    """A reload kept the team and its notes but unticked its tools: submitting again would have sent none."""
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.submit(code, "Owls", 1, [])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.reveal(code, 1)
    service.open_round(code, 2)
    chosen, other = one_day_hall().rounds[1].offer[:2]
    service.submit(code, "Owls", 2, [chosen], {"problem": "the 18:00 queue"})
    fresh = page("team", team=(code, "Owls"))  # a new browser session of the same team
    assert fresh.checkbox(key=f"team.{code}.2.{chosen}").value is True
    assert fresh.checkbox(key=f"team.{code}.2.{other}").value is False
    assert fresh.text_area(key=f"team.problem.{code}.2").value == "the 18:00 queue"


def test_from_round_3_the_cards_say_they_compare_with_the_previous_round(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=3)
    service.join(code, "Owls")
    rounds = one_day_hall().rounds
    choices = {2: rounds[1].offer[:1], 3: []}
    for n in (1, 2, 3):
        service.open_round(code, n)
        service.submit(code, "Owls", n, choices.get(n, []))
        service.close_round(code, n)
        Worker(service, runner).run_once()
        service.reveal(code, n)
    team = page("team", team=(code, "Owls"))
    captions = [c.value for c in team.caption] + [c.get("ci", "") for c in cards(team).values()]
    assert any("against your round 2" in c for c in captions), captions
    assert not any("Difference against the library as it is" in c for c in captions)
    legend = [tr["name"] for tr in json.loads(team.get("plotly_chart")[1].proto.spec)["data"]]
    assert legend == ["Round 2", "Round 3"]


def test_the_console_shows_notes_and_ties(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    for team in ("Owls", "Hedgehogs", "Never sent"):
        service.join(code, team)
    service.open_round(code, 1)
    service.submit(code, "Owls", 1, [], {"wastes": "the 18:00 queue", "why": ""})
    service.submit(code, "Hedgehogs", 1, [], {"wastes": "books on the cart", "why": ""})
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    trainer = page("trainer", trainer="Anna", **{"trainer.code": code})
    text = " ".join(m.value for m in trainer.markdown)
    assert plain("the 18:00 queue") in text and plain("books on the cart") in text  # (Markdown-escaped)
    board = next(df.value for df in trainer.dataframe if "#" in df.value.columns)
    places = list(board["#"])
    assert places == ["1=", "1=", "1="]  # round 1: every team as it is, nobody ahead
    assert "no decision sent" in list(board["Team"])[-1]


def test_the_projector_takes_its_language_from_the_address(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["code"] = code
    at.query_params["lang"] = "ru"
    at.run()
    at.switch_page("dashboard/pages/projector.py")
    at.run()
    assert not at.exception, at.exception
    assert any(f"Код занятия: {code}" in m.value for m in at.markdown)


def test_a_reload_keeps_the_team_and_a_reset_code_signs_it_out(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    joined = page("team")
    joined.text_input(key="team.code_input").input(code)
    joined.text_input(key="team.name_input").input("Owls")
    next(b for b in joined.button if b.label == "Join").click().run()
    assert not joined.exception, joined.exception
    assert any("rejoin code" in i.value for i in joined.info)  # shown once, on joining
    token = joined.query_params["team"][0] if isinstance(joined.query_params["team"], list) else joined.query_params["team"]
    # a reload: a new browser session with the same address signs in as the same team
    reloaded = AppTest.from_file(APP, default_timeout=120)
    reloaded.query_params["code"] = code
    reloaded.query_params["team"] = token
    reloaded.run()
    reloaded.switch_page("dashboard/pages/team.py")
    reloaded.run()
    assert not reloaded.exception, reloaded.exception
    assert any('Team "Owls"' in c.value for c in reloaded.caption)
    assert not any("rejoin code" in i.value for i in reloaded.info)  # not shown again
    # another device cannot take the team by its name alone
    other = page("team")
    other.text_input(key="team.code_input").input(code)
    other.text_input(key="team.name_input").input("owls")
    next(b for b in other.button if b.label == "Join").click().run()
    assert any("rejoin code" in e.value for e in other.error)
    # the trainer makes a new code: the old device is signed out
    service.reset_rejoin_code(code, "Owls")
    reloaded.run()
    assert not any('Team "Owls"' in c.value for c in reloaded.caption)
    assert any(b.label == "Join" for b in reloaded.button)


def test_session_codes_cannot_be_guessed_through_the_projector(app_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import dashboard.session
    from sim.guard import AttemptGuard

    monkeypatch.setattr(dashboard.session, "client_key", lambda: "ip:192.0.2.7")  # one browser, one address
    # time stands still: under load a page run outlasts the 2-4 s waits, which is not what is tested here
    monkeypatch.setattr(AttemptGuard.__init__, "__defaults__", (None, lambda: 1000.0))
    service = Training(Store(app_env))
    service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    messages = []
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD", "EEEEEE"):
        at = AppTest.from_file(APP, default_timeout=120)
        at.query_params["code"] = guess
        at.run()
        at.switch_page("dashboard/pages/projector.py")
        at.run()
        messages.append(" ".join(e.value for e in at.error))
    assert "Too many wrong attempts" in messages[-1], messages


def test_the_spreadsheet_speaks_the_readers_language(tmp_path: Path) -> None:
    import io

    from openpyxl import load_workbook

    from sim.report import session_xlsx

    service = Training(Store(f"sqlite:///{tmp_path / 'x.db'}"))
    scenario = one_day_hall()
    code = service.create_session(scenario, seed=3, replications=2, rounds_count=2)
    service.join(code, "Совы")
    play_round_1(service, code, "Совы")
    service.open_round(code, 2)
    tool = scenario.rounds[1].offer[0]
    service.submit(code, "Совы", 2, [tool], {"wastes": "очередь", "why": ""})
    service.close_round(code, 2)
    Worker(service, runner).run_once()
    book = load_workbook(io.BytesIO(session_xlsx(service, code, "ru")))
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any(scenario.tools[tool].name.ru in c for c in cells)
    assert not any(c == tool for c in cells)  # no tool ids where a name belongs
    assert "закрыт" in cells and "да" in cells
    assert not any(c in ("closed", "ci_low", "ci_high", "mean", "True", "False") for c in cells)
    assert any(c.startswith("Какие потери вы увидели?") for c in cells)  # notes under their questions
    figures = book["Показатели"]  # by name: a gemba round's waste-walk sheet comes after it
    header = [c.value for c in figures[1]]
    rows = list(figures.iter_rows(min_row=2, values_only=True))
    share = next(r for r in rows if r[3] == "left_unserved_share")
    assert share[header.index("Единица")] == "%" and (share[5] or 0) >= 0


def test_an_enforced_countdown_closes_the_round_and_an_advisory_one_does_not(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1, minutes=1, enforce=True)
    assert service.round(code, 1).enforced
    assert service.close_overdue(now=time.time() + 30) == []  # not yet
    assert service.close_overdue(now=time.time() + 61) == [(code, 1)]
    assert service.round(code, 1).status == "closing"
    Worker(service, runner).run_once()
    service.open_round(code, 2, minutes=1)  # advisory
    assert not service.round(code, 2).enforced
    assert service.close_overdue(now=time.time() + 3600) == []
    assert service.round(code, 2).status == "open"


def test_the_worker_closes_a_round_whose_enforced_time_is_up(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1, minutes=0.001, enforce=True)  # 60 ms
    time.sleep(0.2)
    Worker(service, runner).run_once()
    assert service.round(code, 1).status == "closed"


def test_the_team_page_says_the_results_are_shown_after_a_reveal_as_the_console_does(app_env: str) -> None:
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.submit(code, "Owls", 1, [])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    before = [m.value for m in page("team", team=(code, "Owls")).markdown]
    assert "■ closed" in before and "■ closed · results revealed" not in before
    service.reveal(code, 1)
    after = [m.value for m in page("team", team=(code, "Owls")).markdown]
    assert "■ closed · results revealed" in after, after


def test_the_address_to_type_is_the_network_one_where_the_name_resolves_to_loopback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The projector said http://localhost:PORT/team?... on a machine whose name resolves to 127.0.1.1
    only (Debian's default), though it had a network address."""
    import socket

    from dashboard import room

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            expected = probe.getsockname()[0]
    except OSError:
        pytest.skip("this machine has no network route")
    if expected.startswith("127."):
        pytest.skip("this machine has no network address")
    monkeypatch.setattr(socket, "gethostbyname_ex", lambda name: (name, [], ["127.0.1.1"]))
    assert room._room_address() == expected


def test_the_team_page_says_what_the_score_and_the_cards_compare_with(app_env: str) -> None:
    """From round 3 the cards compare with the team's round before, the score with as-is: the page said
    only the first (the dial's +17 read as a change from round 2). A round with other events compares
    with as-is in the same week, which the page now says."""
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=3)
    service.join(code, "Owls")
    play_rounds(service, code, "Owls", 3)
    captions = [c.value for c in page("team", team=(code, "Owls")).caption]
    assert t("score_note.against_round", "en", n=2) in captions, captions


def test_a_round_with_other_events_says_it_compares_with_as_is_in_the_same_week(app_env: str) -> None:
    from builders import parse_scenario

    data = one_day_hall().model_dump(mode="json", exclude_none=True)
    data["events"] = {"busy": {"name": {"ru": "Наплыв", "en": "A rush"}, "description": {"ru": "Больше", "en": "More"},
                               "source": "assumption", "kind": "rush", "from_day": 1, "to_day": 1, "factor": 1.2}}
    data["rounds"][2]["events"] = ["busy"]
    hall = parse_scenario(data)
    service = Training(Store(app_env))
    code = service.create_session(hall, seed=3, replications=2, rounds_count=3)
    service.join(code, "Owls")
    play_rounds(service, code, "Owls", 3)
    captions = [c.value for c in page("team", team=(code, "Owls")).caption]
    assert t("score_note.other_events", "en", n=2) in captions, captions
    assert t("team.against_previous", "en") not in captions


def test_what_a_team_ticked_and_typed_before_submitting_comes_back_after_a_reload(app_env: str) -> None:
    """A phone reload before Submit lost every tick and every note of the round (only a submitted
    decision came back). The form keeps a draft on each tick and each note; it is the team's own: no
    other page is asked to redraw for it."""
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.join(code, "Hedgehogs")
    service.open_round(code, 1)
    for team in ("Owls", "Hedgehogs"):
        service.submit(code, team, 1, [])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.reveal(code, 1)
    service.open_round(code, 2)
    chosen, other = one_day_hall().rounds[1].offer[:2]
    team = page("team", team=(code, "Owls"))
    team.checkbox(key=f"team.{code}.2.{chosen}").check().run()
    team.text_area(key=f"team.problem.{code}.2").input("the queue at 18:00").run()
    assert service.decision(code, "Owls", 2) is None  # not sent
    stamp = service.change_stamp(code)
    team.text_area(key=f"team.root_cause.{code}.2").input("one desk at the peak").run()
    assert service.change_stamp(code) == stamp  # a draft moves nothing for the other pages
    fresh = page("team", team=(code, "Owls"))  # the reload: a new browser session of the same team
    assert fresh.checkbox(key=f"team.{code}.2.{chosen}").value is True
    assert fresh.checkbox(key=f"team.{code}.2.{other}").value is False
    assert fresh.text_area(key=f"team.problem.{code}.2").value == "the queue at 18:00"
    assert fresh.text_area(key=f"team.root_cause.{code}.2").value == "one desk at the peak"
    other_team = page("team", team=(code, "Hedgehogs"))  # another team's draft is not this one's
    assert other_team.checkbox(key=f"team.{code}.2.{chosen}").value is False
    assert other_team.text_area(key=f"team.problem.{code}.2").value == ""


def test_a_round_that_cannot_open_yet_has_its_open_button_disabled(app_env: str) -> None:
    """While round 1 ran, the «Открыть раунд» buttons of the later rounds looked usable (a click was
    refused only afterwards)."""
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=3)
    service.join(code, "Owls")
    service.open_round(code, 1)
    trainer = page("trainer", trainer="Anna", **{"trainer.code": code})
    assert trainer.button(key=f"trainer.open.{code}.2").disabled
    assert trainer.button(key=f"trainer.open.{code}.3").disabled
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    trainer = page("trainer", trainer="Anna", **{"trainer.code": code})
    assert not trainer.button(key=f"trainer.open.{code}.2").disabled
    assert trainer.button(key=f"trainer.open.{code}.3").disabled


def test_the_consoles_team_against_team_chart_names_the_teams(app_env: str) -> None:
    """Comparing two teams, the chart's legend said «Как есть / С инструментами»."""
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    for team in ("Owls", "Hedgehogs"):
        service.join(code, team)
    service.open_round(code, 1)
    for team in ("Owls", "Hedgehogs"):
        service.submit(code, team, 1, [])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    trainer = page("trainer", trainer="Anna", **{"trainer.code": code})
    chart = next(c for c in trainer.get("plotly_chart") if c.proto.id.endswith(f"trainer.cmp_chart.{code}")
                 or f"cmp_chart.{code}" in c.proto.id)
    legend = [tr["name"] for tr in json.loads(chart.proto.spec)["data"]]
    assert legend == ["Owls · Round 1", "Hedgehogs · Round 1"], legend


def test_the_projector_shows_the_waste_walk_only_in_its_own_round(app_env: str) -> None:
    """Every leaderboard line of rounds 2-5 repeated «Обход гембы (раунд 1): 0/5»."""
    service = Training(Store(app_env))
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    for n in (1, 2):
        service.open_round(code, n)
        service.submit(code, "Owls", n, [])
        service.close_round(code, n)
        Worker(service, runner).run_once()
        service.reveal(code, n)
        if n == 1:
            at = AppTest.from_file(APP, default_timeout=120)
            at.query_params["code"] = code
            at.query_params["lang"] = "en"
            at.run()
            at.switch_page("dashboard/pages/projector.py")
            at.run()
            walk = t("gemba_round.board_col", "en", n=1)
            assert any(walk in m.value for m in at.markdown)  # round 1 is the gemba round: its walk is shown
    at.run()
    assert not at.exception
    assert not any(t("gemba_round.board_col", "en", n=1) in m.value for m in at.markdown)
    assert any("1. Owls" in m.value for m in at.markdown)
