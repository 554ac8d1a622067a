"""The waste walk in a session: observations of two teams in a gemba round, the found/missed table, the
leaderboard's own column, the debrief report, the archive's round trip, refusals, and the store's v4."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from builders import local_runner, one_day_hall
from sqlalchemy import select

from sim.i18n import t
from sim.report import session_html, session_xlsx
from sim.scenario import WASTES
from sim.store import SCHEMA_VERSION, Store, observations, schema_version
from sim.training import MAX_TEAM_NAME, Training, TrainingError, Worker
from sim.training.observations import MAX_OBSERVATION_NOTE, MAX_OBSERVATIONS, gemba_log, is_gemba
from sim.wastewalk import ground_truth, place_label, teams_table

SEED = 11
REPS = 2


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


def _walk(service: Training) -> tuple[str, list]:
    """A session in its gemba round 1: two teams record observations; returns the code and the top 5."""
    scenario = one_day_hall()
    assert is_gemba(scenario, 1) and not is_gemba(scenario, 2)
    code = service.create_session(scenario, seed=SEED, replications=REPS)
    service.join(code, "Совы")
    service.join(code, "Ежи")
    service.open_round(code, 1)
    top = service.gemba_truth(code)[:5]
    # Совы see the two largest wastes (the first at its exact place, the second by its station) and one the
    # log does not show; Ежи see the third largest only
    first, second, third = top[0], top[1], top[2]
    service.record_observation(code, "Совы", 1, first.waste, first.where, "Очередь до самого входа")
    station = scenario.steps[second.where].station if second.where in scenario.steps else second.where
    service.record_observation(code, "Совы", 1, second.waste, station, "")
    service.record_observation(code, "совы", 1, "overproduction", "desk", "\u202eлишнее")  # any case; bidi removed
    service.record_observation(code, "Ежи", 1, third.waste, third.where, "  книги\n\nлежат  ")
    return code, top


def test_two_teams_walk_found_and_missed_table_and_report(service: Training) -> None:
    code, top = _walk(service)
    s = service.session(code)
    # the ground truth is the replication the teams watch, over the first day
    log, window = gemba_log(s.scenario, SEED)
    assert service.gemba_truth(code) == ground_truth(s.scenario, log, *window)
    mine = service.observations(code, 1, "Совы")
    assert [o.note for o in mine] == ["Очередь до самого входа", "", "лишнее"]
    assert [o.note for o in service.observations(code, 1, "Ежи")] == ["книги\n\nлежат"]

    with pytest.raises(TrainingError) as refused:
        service.walk_scores(code, 1)
    assert refused.value.key == "training.err.not_revealed"
    service.close_round(code, 1)
    with pytest.raises(TrainingError) as late:
        service.record_observation(code, "Ежи", 1, "waiting", "desk")
    assert late.value.key == "gemba_round.err.round_closed"
    Worker(service, local_runner).run_once()
    before = service.walk_scores(code, 1, trainer=True)  # the trainer sees it before the reveal
    with pytest.raises(TrainingError):
        service.walk_scores(code, 1)
    service.reveal(code, 1)
    scores = service.walk_scores(code, 1)
    assert {k: v.score for k, v in scores.items()} == {k: v.score for k, v in before.items()}
    owls, hedgehogs = scores["Совы"], scores["Ежи"]
    assert [w.key for w in owls.found] == [top[0].key, top[1].key] and owls.score == 40.0
    assert [w.key for w in owls.missed] == [w.key for w in top[2:]]
    assert [w.key for w in hedgehogs.found] == [top[2].key] and hedgehogs.score == 20.0

    # the trainer's table: a row per top waste, a column per team, and a last row of scores
    rows = teams_table(s.scenario, scores, "en")
    assert len(rows) == 6
    assert [row["Совы"] for row in rows[:5]] == ["✔ found", "✔ found", "✘ missed", "✘ missed", "✘ missed"]
    assert [row["Ежи"] for row in rows[:5]] == ["✘ missed", "✘ missed", "✔ found", "✘ missed", "✘ missed"]
    assert rows[-1]["Совы"] == "2/5 · 40" and rows[-1]["Ежи"] == "1/5 · 20"
    assert rows[0][t("gemba.col_where", "en")] == place_label(s.scenario, top[0].where, "en")

    # the debrief report: its own section, the table and the teams' words, in both languages
    for lang in ("ru", "en"):
        page = session_html(service, code, lang)
        assert t("gemba_round.report_title", lang, round=s.scenario.rounds[0].title.model_dump()[lang]) in page
        assert "Очередь до самого входа" in page and "2/5 · 40" in page and "1/5 · 20" in page
    book = openpyxl.load_workbook(io.BytesIO(session_xlsx(service, code, "en")))
    sheet = book[t("gemba_round.sheet", "en")]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert len(values) == 1 + 4
    assert [v[5] for v in values[1:]] == ["yes", "yes", "no", "yes"]


def test_leaderboard_has_its_own_walk_column(service: Training) -> None:
    from dashboard.gemba_round_view import walk_column

    code, _ = _walk(service)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    header, column = walk_column(service, code, 1, "ru")  # type: ignore[misc]
    assert header == "Обход гембы (раунд 1)" and column == {"Совы": "2/5", "Ежи": "1/5"}
    # the balanced score is untouched by the walk: both teams played the library as it is
    board = {row["team"]: row["score"] for row in service.leaderboard(code, 1)}
    assert board["Совы"] == board["Ежи"]


def test_observation_rules(service: Training) -> None:
    code, _ = _walk(service)
    # an observation is no change the pages redraw for (the projector may be playing the floor)
    stamp = service.change_stamp(code)
    service.record_observation(code, "Ежи", 1, "motion", "desk")
    service.remove_observation(code, "Ежи", 1, service.observations(code, 1, "Ежи")[-1].id)
    assert service.change_stamp(code) == stamp
    cases = [
        (("Ежи", 2, "waiting", "desk", ""), "gemba_round.err.not_gemba"),
        (("Ежи", 1, "boredom", "desk", ""), "gemba_round.err.waste"),
        (("Ежи", 1, "waiting", "nowhere", ""), "gemba_round.err.place"),
        (("Ежи", 1, "waiting", "desk", "x" * (MAX_OBSERVATION_NOTE + 1)), "gemba_round.err.note_long"),
        (("Волки", 1, "waiting", "desk", ""), "training.err.no_team"),
    ]
    for (team, number, waste, where, note), key in cases:
        with pytest.raises(TrainingError) as refused:
            service.record_observation(code, team, number, waste, where, note)
        assert refused.value.key == key, (team, number, waste, where)
        assert refused.value.text("ru") and refused.value.text("en")
    for _ in range(MAX_OBSERVATIONS - 1):
        service.record_observation(code, "Ежи", 1, "waiting", "desk")
    with pytest.raises(TrainingError) as full:
        service.record_observation(code, "Ежи", 1, "waiting", "desk")
    assert full.value.key == "gemba_round.err.too_many"
    # a team takes back only its own observations
    owls_first = service.observations(code, 1, "Совы")[0]
    with pytest.raises(TrainingError):
        service.remove_observation(code, "Ежи", 1, owls_first.id)
    service.remove_observation(code, "Совы", 1, owls_first.id)
    assert len(service.observations(code, 1, "Совы")) == 2
    assert len(service.observations(code, 1, "Ежи")) == MAX_OBSERVATIONS


@pytest.mark.parametrize(("limit", "ru", "en"), [
    (1, "не больше 1 наблюдения", "at most 1 observation"),
    (3, "не больше 3 наблюдений", "at most 3 observations"),
    (20, "не больше 20 наблюдений", "at most 20 observations"),
    (21, "не больше 21 наблюдения", "at most 21 observations"),
])
def test_the_observation_limit_takes_the_plural_form_its_number_needs(
        service: Training, monkeypatch: pytest.MonkeyPatch, limit: int, ru: str, en: str) -> None:
    """"Не больше N наблюдений" was right only while the limit ended in 0 or 5-9."""
    monkeypatch.setattr("sim.training.observations.MAX_OBSERVATIONS", limit)
    scenario = one_day_hall()
    code = service.create_session(scenario, seed=SEED, replications=REPS)
    service.join(code, "Совы")
    service.open_round(code, 1)
    for _ in range(limit):
        service.record_observation(code, "Совы", 1, "waiting", "desk")
    with pytest.raises(TrainingError) as full:
        service.record_observation(code, "Совы", 1, "waiting", "desk")
    assert f"Команда записывает {ru} за раунд" in full.value.text("ru")
    assert f"A team records {en} a round" in full.value.text("en")


def test_archive_round_trip_keeps_observations(service: Training) -> None:
    code, _ = _walk(service)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    service.reveal(code, 1)
    data = json.loads(json.dumps(service.export_session(code)))
    assert len(data["observations"]) == 4
    again = service.import_session(data)

    def plain(c: str) -> list[tuple]:
        return [(o.team, o.round, o.waste, o.where, o.note) for o in service.observations(c, 1)]

    assert plain(again) == plain(code)
    assert {k: v.score for k, v in service.walk_scores(again, 1).items()} == \
        {k: v.score for k, v in service.walk_scores(code, 1).items()}
    # an older archive without observations still imports
    older = {k: v for k, v in data.items() if k != "observations"}
    assert service.observations(service.import_session(older), 1) == []


@pytest.mark.parametrize(("change", "words"), [
    (lambda o: o.update(waste="boredom"), "boredom"),
    (lambda o: o.update(where="roof"), "roof"),
    (lambda o: o.update(round=2), "round 2"),
    (lambda o: o.update(team="Волки"), "Волки"),
    (lambda o: o.update(note="x" * (MAX_OBSERVATION_NOTE + 1)), str(MAX_OBSERVATION_NOTE)),
    (lambda o: o.update(note=7), "not text"),  # was stored as "7"
    (lambda o: o.update(note=["a", 1]), "not text"),  # was stored as "['a', 1]"
])
def test_archive_with_bad_observations_is_refused(service: Training, change, words: str) -> None:
    code, _ = _walk(service)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    data = json.loads(json.dumps(service.export_session(code)))
    change(data["observations"][0])
    sessions_before = service.list_sessions()
    with pytest.raises(TrainingError) as refused:
        service.import_session(data)
    assert words in refused.value.text("en")
    assert service.list_sessions() == sessions_before  # nothing left behind


def test_an_archive_refusal_of_an_observation_is_said_in_the_page_language(service: Training) -> None:
    """The cause of the refusal (an unknown waste) follows the page's language, with one full stop."""
    code, _ = _walk(service)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    data = json.loads(json.dumps(service.export_session(code)))
    data["observations"][1]["waste"] = "boredom"
    with pytest.raises(TrainingError) as refused:
        service.import_session(data)
    cause = TrainingError("gemba_round.err.waste", waste="boredom", wastes=", ".join(WASTES))
    for lang in ("ru", "en"):
        said = refused.value.text(lang)
        assert said == t("gemba_round.refused.observation", lang, n=2, reason=cause.text(lang))
        assert ".." not in said and said.endswith(".")
    assert "waste" not in refused.value.text("ru")


def test_an_archive_refusal_of_a_team_name_is_said_in_the_page_language(service: Training) -> None:
    code, _ = _walk(service)
    data = json.loads(json.dumps(service.export_session(code)))
    data["teams"][0] = "x" * (MAX_TEAM_NAME + 1)
    with pytest.raises(TrainingError) as refused:
        service.import_session(data)
    assert refused.value.text("ru").endswith(t("training.err.team_name_long", "ru", n=MAX_TEAM_NAME))


def test_an_archived_observation_finds_its_team_by_the_whole_name(service: Training) -> None:
    """The team of an observation is matched as a team name is (cleaned, any case), not cut to 60 characters
    first: spaces before a 60-character name pushed its end past the cut."""
    code, _ = _walk(service)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    data = json.loads(json.dumps(service.export_session(code)))
    long_name = "Совы " + "о" * (MAX_TEAM_NAME - 5)
    assert len(long_name) == MAX_TEAM_NAME
    data["teams"] = [long_name if n == "Совы" else n for n in data["teams"]]
    for row in [*data["decisions"], *data["observations"]]:
        if row["team"] == "Совы":
            row["team"] = long_name
    data["observations"][0]["team"] = "   " + long_name.upper()
    again = service.import_session(data)
    assert len(service.observations(again, 1, long_name)) == 3


def test_archive_with_too_many_observations_is_refused(service: Training) -> None:
    code, _ = _walk(service)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    data = json.loads(json.dumps(service.export_session(code)))
    data["observations"] += [dict(data["observations"][0]) for _ in range(MAX_OBSERVATIONS)]
    with pytest.raises(TrainingError) as refused:
        service.import_session(data)
    assert refused.value.key == "gemba_round.refused.archive" and str(MAX_OBSERVATIONS) in refused.value.text("en")


def test_a_version_3_database_gets_the_observations_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store(url)
    with store.write() as conn:  # as a version-3 database was: no observations table
        conn.exec_driver_sql("DROP TABLE observations")
        conn.execute(schema_version.update().values(version=3))
    store.close()
    again = Store(url)
    assert again.version() == SCHEMA_VERSION == 5
    with again.read() as conn:
        assert conn.execute(select(observations.c.id)).all() == []


def test_an_observation_time_too_large_for_a_float_imports_as_no_time(service: Training) -> None:
    code, _ = _walk(service)
    service.close_round(code, 1)
    Worker(service, local_runner).run_once()
    data = json.loads(json.dumps(service.export_session(code)))
    data["observations"][0]["recorded_at"] = 10**400  # was an OverflowError traceback on the Trainer page
    again = service.import_session(data)
    assert len(service.observations(again, 1)) == len(data["observations"])
