"""Disruption events: a staff absence, a group visit and a rush, as scenario data that a round switches on.

Mechanism tests (each event changes exactly what it says, and nothing else: every usual reader keeps
its luck), the checks' messages in both languages, the round's runs in a training session, the command
line, the Day chart's marks and the Team page's brief.
"""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from builders import app_database_url, app_environment, build, changed, small_library, text

from sim.cli import main as cli_main
from sim.eventlog import Ev, EventLog
from sim.events import drop_events_after, event_lines, for_round, round_events, same_events, with_events
from sim.experiment import Results, run_experiment
from sim.metrics import compute_metrics
from sim.model import estimate_memory, simulate
from sim.scenario import Scenario, ScenarioError, parse_scenario
from sim.store import Store
from sim.training import Training, Worker

SEED = 7


def event(kind: str, **fields: Any) -> dict[str, Any]:
    return {"name": text(f"A {kind}"), "description": text(f"what the {kind} does"), "source": "assumption",
            "kind": kind, **fields}


def quiet_desk(days: int = 3) -> dict[str, Any]:
    """A daily desk that empties before closing (no readers in the last hour): no overtime, so the staff
    cost is exactly the roster's hours times the wage."""
    return {
        "id": "quiet-desk",
        "title": text("Quiet desk"),
        "description": text("for tests of staff absences"),
        "calendar": {"mode": "daily", "open": "10:00", "close": "14:00", "days": days},
        "arrivals": {"per_hour": {"default": [12, 12, 12, 0]}},
        "groups": {"readers": {"name": text("Readers"), "share": 1.0, "purposes": {"lend": 1.0}}},
        "purposes": {"lend": {"name": text("Lend"), "route": ["lending"]}},
        "steps": {"lending": {"name": text("Lending"), "station": "desk", "time": {"dist": "exponential", "mean": 2}}},
        "stations": {"desk": {"name": text("Desk")}},
        "roles": {
            "librarian": {"name": text("Librarian"), "staff": 3, "wage_per_hour": 300, "skills": ["desk"]},
            "manager": {"name": text("Manager"), "staff": 1, "wage_per_hour": 500, "skills": ["desk"]},
        },
    }


def with_defined(data: dict[str, Any], **events: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    out["events"] = events
    return out


def library_events() -> dict[str, Any]:
    """The small library with one event of each kind (none switched on)."""
    return with_defined(
        small_library(days=2),
        sick=event("staff_absence", role="librarian", day=2),
        class_visit=event("group_visit", group="young", day=2, at="11:00", size=25, within_min=15,
                          purposes={"borrow": 1.0}),
        exams=event("rush", from_day=2, to_day=2, factor=1.5, groups=["old"]),
    )


def arrivals(log: EventLog) -> dict[int, tuple[float, int, float]]:
    """Each reader's arrival: (time, group, purpose). The time is rounded to 1e-9 minutes: the clock
    reaches an arrival by steps from the arrival before, so another reader in between moves the last bit."""
    rows = np.nonzero(log.kind == Ev.ARRIVE)[0]
    return {int(log.entity[i]): (round(float(log.t[i]), 9), int(log.group[i]), float(log.value[i])) for i in rows}


def columns(log: EventLog) -> list[np.ndarray]:
    return [log.t, log.kind, log.entity, log.group, log.step, log.station, log.staff, log.value]


# --- a run without events -----------------------------------------------------------------------------


def test_events_defined_but_not_switched_on_change_nothing() -> None:
    plain = simulate(build(small_library(days=2)), SEED, 0)
    defined = simulate(build(library_events()), SEED, 0)
    assert all(np.array_equal(a, b) for a, b in zip(columns(plain), columns(defined), strict=True))


def test_a_round_without_events_runs_the_file_as_it_is() -> None:
    scenario = build(library_events())
    assert for_round(scenario, 1) is scenario
    assert round_events(scenario, 1) == []


# --- staff absence -------------------------------------------------------------------------------------


def test_an_absence_removes_exactly_that_role_days_staff_hours() -> None:
    base = build(with_defined(quiet_desk(), sick=event("staff_absence", role="librarian", day=2),
                              two=event("staff_absence", role="librarian", day=3, count=2)))
    hours = base.calendar.hours_per_day
    wage = base.roles["librarian"].wage_per_hour
    before = compute_metrics(base, simulate(base, SEED, 0)).kpis["staff_cost"]
    one = with_events(base, ["sick"])
    after = compute_metrics(one, simulate(one, SEED, 0)).kpis["staff_cost"]
    assert before == pytest.approx(base.calendar.days * hours * (3 * wage + 500), rel=1e-9)  # no overtime here
    assert before - after == pytest.approx(1 * hours * wage, rel=1e-9)
    both = with_events(base, ["sick", "two"])
    after_both = compute_metrics(both, simulate(both, SEED, 0)).kpis["staff_cost"]
    assert before - after_both == pytest.approx((1 + 2) * hours * wage, rel=1e-9)


def test_an_absence_larger_than_the_role_leaves_nobody_and_no_one_below_zero() -> None:
    base = build(with_defined(quiet_desk(), off=event("staff_absence", role="manager", day=1, count=4)))
    hours = base.calendar.hours_per_day
    before = compute_metrics(base, simulate(base, SEED, 0)).kpis["staff_cost"]
    off = with_events(base, ["off"])
    after = compute_metrics(off, simulate(off, SEED, 0)).kpis["staff_cost"]
    assert before - after == pytest.approx(1 * hours * 500, rel=1e-9)  # the one manager, not four


def test_an_absence_is_that_day_only_and_readers_keep_their_luck() -> None:
    base = build(library_events())
    sick = with_events(base, ["sick"])
    a, b = simulate(base, SEED, 0), simulate(sick, SEED, 0)
    assert arrivals(a) == arrivals(b)  # the same readers come
    librarians = np.nonzero(a.staff_role == list(base.roles).index("librarian"))[0]
    for log, expected_day_two in ((a, [2, 2, 3, 2]), (b, [1, 1, 2, 1])):
        duty = (log.kind == Ev.DUTY) & np.isin(log.staff, librarians)
        for day, roster in ((0, [2, 2, 3, 2]), (1, expected_day_two)):
            # librarian-minutes on duty in each opening hour of the day
            for h, people in enumerate(roster):
                start, end = day * 1440 + 600 + h * 60, day * 1440 + 660 + h * 60
                on = np.clip(np.minimum(log.t[duty], end) - np.maximum(log.t[duty] - log.value[duty], start), 0, None)
                # a member going off duty finishes the reader in hand: up to a few minutes more
                assert people * 60 <= on.sum() < people * 60 + 30, (day, h)


# --- group visit ---------------------------------------------------------------------------------------


def test_a_visit_adds_exactly_its_readers_of_the_group_within_the_window() -> None:
    base = build(library_events())
    visit = with_events(base, ["class_visit"])
    usual, more = arrivals(simulate(base, SEED, 0)), arrivals(simulate(visit, SEED, 0))
    assert len(more) == len(usual) + 25
    # every usual reader keeps its number, arrival, group and purpose (common random numbers)
    assert {n: more[n] for n in usual} == usual
    brought = [more[n] for n in sorted(set(more) - set(usual))]
    start = 1440 + 11 * 60
    young = list(base.groups).index("young")
    borrow = float(list(base.purposes).index("borrow"))
    assert all(start <= t <= start + 15 and g == young and p == borrow for t, g, p in brought)
    assert sorted(set(more) - set(usual)) == list(range(len(usual), len(usual) + 25))  # numbered after the usual


def test_a_visit_with_the_groups_own_purposes_draws_them_from_its_own_stream() -> None:
    data = library_events()
    del data["events"]["class_visit"]["purposes"]
    visit = with_events(build(data), ["class_visit"])
    counts: dict[float, int] = {}
    for replication in range(8):
        log = simulate(visit, SEED, replication)
        got = arrivals(log)
        usual = len(got) - 25
        for n in range(usual, len(got)):
            counts[got[n][2]] = counts.get(got[n][2], 0) + 1
    purposes = list(visit.purposes)
    shares = {purposes.index(p): s for p, s in visit.groups["young"].purposes.items()}
    for index, share in shares.items():  # 200 readers: each share within 4 standard errors
        se = math.sqrt(share * (1 - share) / 200)
        assert abs(counts.get(float(index), 0) / 200 - share) < 4 * se + 1e-9


def test_the_other_readers_are_served_with_the_same_luck() -> None:
    """Each usual reader's service times are its own: the visit's readers take numbers no usual reader has."""
    base = build(library_events())
    visit = with_events(base, ["class_visit"])
    a, b = simulate(base, SEED, 0), simulate(visit, SEED, 0)
    usual = len(arrivals(a))

    def times(log: EventLog) -> dict[tuple[int, int], float]:
        rows = np.nonzero((log.kind == Ev.SERVICE_END) & (log.entity >= 0) & (log.entity < usual))[0]
        return {(int(log.entity[i]), int(log.step[i])): float(log.value[i]) for i in rows}

    ta, tb = times(a), times(b)
    shared = set(ta) & set(tb)
    assert len(shared) > 0.8 * len(ta)  # most readers take the same steps (a few leave, or find another book)
    assert all(ta[k] == tb[k] for k in shared)


# --- rush ----------------------------------------------------------------------------------------------


def test_a_rush_scales_its_groups_arrivals_on_its_days_within_sampling_error() -> None:
    base = build(library_events())
    rush = with_events(base, ["exams"])
    old, young = list(base.groups).index("old"), list(base.groups).index("young")
    expected_old_day2 = sum(base.demand(base.calendar.weekday_of(1))[old])
    extra_old, others_same = [], True
    for replication in range(30):
        a, b = arrivals(simulate(base, SEED, replication)), arrivals(simulate(rush, SEED, replication))
        usual = {n: b[n] for n in a}
        others_same &= usual == a
        brought = [b[n] for n in set(b) - set(a)]
        assert all(g == old and 1440 + 600 <= t <= 1440 + 840 for t, g, _ in brought)
        assert all(g != young for _, g, _ in brought)
        extra_old.append(len(brought))
    assert others_same
    # Poisson: mean (factor - 1) x the group's usual readers that day, variance the same
    want = 0.5 * expected_old_day2
    assert abs(np.mean(extra_old) - want) < 4 * math.sqrt(want / 30)


def test_a_rush_of_every_group_scales_the_days_arrivals() -> None:
    data = library_events()
    data["events"]["exams"] = event("rush", from_day=1, to_day=2, factor=1.2)
    base = build(data)
    rush = with_events(base, ["exams"])
    day = sum(base.arrivals.profile("mon")) * base.calendar.days
    extra = [len(arrivals(simulate(rush, SEED, r))) - len(arrivals(simulate(base, SEED, r))) for r in range(20)]
    want = 0.2 * day
    assert abs(np.mean(extra) - want) < 4 * math.sqrt(want / 20)


def test_events_count_in_the_memory_estimate() -> None:
    base = build(library_events())
    assert estimate_memory(with_events(base, ["class_visit"])).readers == pytest.approx(
        estimate_memory(base).readers + 25)


# --- the checks ----------------------------------------------------------------------------------------


def problems_of(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(ScenarioError) as error:
        parse_scenario(data)
    return [(p.field, p.say("en"), p.say("ru")) for p in error.value.problems]


def test_unknown_names_are_named_with_a_hint_in_both_languages() -> None:
    data = library_events()
    data["events"]["sick"]["role"] = "librarain"
    data["events"]["class_visit"]["group"] = "yuong"
    data["events"]["class_visit"]["purposes"] = {"borow": 1.0}
    data["events"]["exams"]["groups"] = ["odl"]
    data["rounds"] = [{"title": text("R1"), "brief": text("b"), "events": ["sick", "exam", "sick"]}]
    found = {field: (en, ru) for field, en, ru in problems_of(data)}
    assert found["events.sick.role"][0] == "unknown role 'librarain' (did you mean 'librarian'?)"
    assert "librarain" in found["events.sick.role"][1] and "должности" in found["events.sick.role"][1]
    assert found["events.class_visit.group"][0] == "unknown reader group 'yuong' (did you mean 'young'?)"
    assert found["events.class_visit.purposes.borow"][0].startswith("unknown visit purpose 'borow'")
    assert found["events.exams.groups[0]"][0] == "unknown reader group 'odl' (did you mean 'old'?)"
    assert found["rounds[0].events[1]"][0] == "unknown event 'exam' (did you mean 'exams'?)"
    assert found["rounds[0].events[2]"][0] == "event 'sick' is switched on twice here"
    assert all(en != ru for en, ru in found.values())


def test_days_and_hours_outside_the_calendar_are_refused() -> None:
    data = library_events()
    data["events"]["sick"]["day"] = 3
    data["events"]["class_visit"]["at"] = "13:50"  # within 15 minutes: past the 14:00 closing
    data["events"]["exams"]["to_day"] = 9
    found = {field: en for field, en, _ in problems_of(data)}
    assert found["events.sick.day"] == "day 3 is not a day of the run: the calendar has 2 days"
    assert found["events.exams.to_day"] == "day 9 is not a day of the run: the calendar has 2 days"
    assert found["events.class_visit.at"].startswith("the visit arrives from 13:50 over 15 minutes, outside the opening hours 10:00-14:00")
    data["events"] = {"early": event("group_visit", group="young", day=1, at="09:30", size=5)}
    assert [f for f, _, _ in problems_of(data)] == ["events.early.at"]
    data["events"] = {"late": event("group_visit", group="young", day=1, at="25:00", size=5)}
    assert problems_of(data)[0][1] == "'25:00' is not a time of day like 10:00"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("size", 10**9, "must be less than or equal to 1000"),
    ("size", 0, "must be greater than or equal to 1"),
    ("within_min", 10**6, "must be less than or equal to 240"),
])
def test_a_visit_out_of_range_is_refused_at_once(field: str, value: Any, message: str) -> None:
    data = library_events()
    data["events"]["class_visit"][field] = value
    started = time.monotonic()
    found = problems_of(data)
    assert time.monotonic() - started < 5  # refused, not drawn
    assert found[0][0] == f"events.class_visit.{field}" and found[0][1].startswith(message)


@pytest.mark.parametrize(("value", "message"), [
    (1.0, "must be greater than 1"), (0.5, "must be greater than 1"), (1e9, "must be less than or equal to 5"),
])
def test_a_rush_factor_out_of_range_is_refused(value: float, message: str) -> None:
    data = library_events()
    data["events"]["exams"]["factor"] = value
    found = problems_of(data)
    assert found[0][0] == "events.exams.factor" and found[0][1].startswith(message)


def test_fields_of_another_kind_and_missing_fields_are_named() -> None:
    data = library_events()
    data["events"]["exams"]["day"] = 2
    found = {field: (en, ru) for field, en, ru in problems_of(data)}
    assert found["events.exams"][0] == "a rush takes no day (its fields: from_day, to_day, factor, groups)"
    data = library_events()
    del data["events"]["class_visit"]["size"]
    del data["events"]["class_visit"]["at"]
    found = {field: (en, ru) for field, en, ru in problems_of(data)}
    assert found["events.class_visit"] == ("a group visit needs at, size", "для группового посещения нужны поля at, size")
    data = library_events()
    data["events"]["exams"]["from_day"] = 2
    data["events"]["exams"]["to_day"] = 1
    assert problems_of(data)[0][1] == "the rush ends on day 1, before it starts (day 2)"
    data = library_events()
    data["events"]["sick"]["kind"] = "flood"
    assert problems_of(data)[0][0] == "events.sick.kind"


def test_events_need_a_daily_calendar() -> None:
    data = library_events()
    data["calendar"] = {"mode": "continuous", "hours": 8}
    data["arrivals"] = {"per_hour": {"default": [20]}}
    data["roles"]["librarian"]["staff"] = 2
    data["events"] = {"sick": data["events"]["sick"]}
    data["events"]["sick"]["day"] = 1
    found = problems_of(data)
    assert ("events.sick.kind", "events happen on days of the run, so they need a daily calendar (calendar.mode: daily)") in [
        (f, en) for f, en, _ in found]


def test_switching_on_an_unknown_event_is_refused() -> None:
    with pytest.raises(ScenarioError, match="unknown event 'sik'"):
        with_events(build(library_events()), ["sik"])


# --- rounds and the brief ------------------------------------------------------------------------------


def two_rounds() -> Scenario:
    data = library_events()
    data["tools"] = {"quick": {
        "name": text("Quick lending"), "description": text("faster lending"), "waste": "waiting",
        "cost": {"points": 1}, "expect": {"kpi": "wait_mean", "direction": "lower"},
        "effects": [{"op": "scale", "path": "steps.check_out.time.mean", "factor": 0.8}]}}
    data["rounds"] = [
        {"title": text("Round 1"), "brief": text("As it is."), "offer": ["quick"], "budget": 1},
        {"title": text("Round 2"), "brief": text("A busy day."), "budget": 1, "events": ["exams", "class_visit"]},
    ]
    return build(data)


def test_a_round_switches_its_events_on_in_the_scenarios_order() -> None:
    scenario = two_rounds()
    assert round_events(scenario, 2) == ["class_visit", "exams"]
    assert for_round(scenario, 2).events_on == ["class_visit", "exams"]
    assert not same_events(scenario, 1, 2)
    lines = event_lines(scenario, round_events(scenario, 2), "en")
    assert [line.when for line in lines] == [
        "day 2, 11:00: a group of 25 readers (Young) arrives within 15 min", "day 2: 50% more readers (Old)"]
    ru = event_lines(scenario, round_events(scenario, 2), "ru")
    assert ru[0].when == "день 2, 11:00: группа «Young» из 25 читателей приходит за 15 мин"
    assert ru[1].when == "день 2: на 50 % больше читателей, группы: Old"


def runner(scenario: Scenario, seed: int, replications: int) -> Results:
    return run_experiment(scenario, replications, seed, workers=1)


def test_a_rounds_as_is_and_teams_run_with_its_events(tmp_path: Path) -> None:
    scenario = two_rounds()
    service = Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))
    code = service.create_session(scenario, seed=SEED, replications=3)
    service.join(code, "Owls")
    service.open_round(code, 1)
    service.submit(code, "Owls", 1, ["quick"])
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.reveal(code, 1)
    service.open_round(code, 2)
    service.submit(code, "Owls", 2, [])  # keeps its tool: the same tools as in round 1
    service.close_round(code, 2)
    Worker(service, runner).run_once()
    as_is_1, as_is_2 = service.results_of(code, 1, []), service.results_of(code, 2, [])
    owls_1, owls_2 = service.results_of(code, 1, ["quick"]), service.results_of(code, 2, ["quick"])
    assert as_is_1 is not None and as_is_2 is not None and owls_1 is not None and owls_2 is not None
    expected = runner(for_round(scenario, 2), SEED, 3)
    assert as_is_2.kpis["readers_arrived"].mean == expected.kpis["readers_arrived"].mean
    assert as_is_2.kpis["readers_arrived"].mean > as_is_1.kpis["readers_arrived"].mean + 25
    # the same tools with other events are run again, not taken from round 1
    assert owls_2.kpis["readers_arrived"].mean == as_is_2.kpis["readers_arrived"].mean
    assert owls_2.kpis["wait_mean"].mean != owls_1.kpis["wait_mean"].mean
    # the debrief report says which round ran with which events
    from sim.report import session_html

    html = session_html(service, code, "en")
    round_1, round_2 = html.split("<h2>Round 1</h2>")[1].split("<h2>Round 2</h2>")
    assert "Events this round" not in round_1
    assert "<b>Events this round:</b> A group_visit (day 2, 11:00: a group of 25 readers (Young) arrives within 15 min); " \
           "A rush (day 2: 50% more readers (Old))" in round_2


# --- the command line and the Day chart ----------------------------------------------------------------


def test_the_command_line_switches_events_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    path = tmp_path / "library.yaml"
    path.write_text(yaml.safe_dump(library_events(), allow_unicode=True), encoding="utf-8")
    assert cli_main(["run", str(path), "-r", "2", "--workers", "1", "--lang", "en", "--with-events", "class_visit"]) == 0
    out = capsys.readouterr().out
    assert "events switched on: class_visit" in out
    assert cli_main(["run", str(path), "-r", "2", "--workers", "1", "--lang", "en", "--with-events", "clas"]) == 2
    assert "--with-events: unknown event 'clas'; known: class_visit, exams, sick" in capsys.readouterr().err
    assert cli_main(["run", str(path), "-r", "2", "--workers", "1", "--lang", "ru", "--with-events", "clas"]) == 2
    assert "--with-events: в сценарии нет события «clas»" in capsys.readouterr().err
    # a shorter run leaves out the events after its last day (the file stays valid) and says so when asked for one
    assert cli_main(["run", str(path), "-r", "2", "--workers", "1", "--days", "1"]) == 0
    capsys.readouterr()
    assert cli_main(["run", str(path), "-r", "2", "--workers", "1", "--days", "1", "--lang", "en", "--with-events", "sick"]) == 2
    assert "--with-events: event 'sick' happens after the last day of this run (--days 1)" in capsys.readouterr().err
    # one line per problem: a late event did hide an unknown one given with it
    assert cli_main(["run", str(path), "-r", "2", "--workers", "1", "--days", "1", "--lang", "en",
                     "--with-events", "sick,ghost"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "'sick' happens after the last day" in err[0] and "unknown event 'ghost'" in err[1], err
    assert cli_main(["run", str(path), "-r", "2", "--workers", "1", "--days", "1", "--lang", "ru", "--with-events", "sick"]) == 2
    assert "--with-events: событие «sick» наступает после последнего дня этого прогона (--days 1)" in capsys.readouterr().err


def test_a_shortened_run_leaves_out_the_events_after_its_last_day() -> None:
    data = library_events()
    data["events"]["early"] = event("staff_absence", role="keeper", day=1)
    data["events_on"] = ["sick", "early"]
    data["rounds"] = [{"title": text("R"), "brief": text("b"), "events": ["exams", "early"]}]
    cut = drop_events_after(data, 1)
    assert list(cut["events"]) == ["early"] and cut["events_on"] == ["early"] and cut["rounds"][0]["events"] == ["early"]
    assert data["events_on"] == ["sick", "early"]  # the data given is left as it was
    assert drop_events_after(data, 2) is data
    assert round_events(build(changed(cut, "calendar.days", 1)), 1) == ["early"]


def test_the_day_chart_marks_the_events() -> None:
    from dashboard import charts

    base = build(library_events())
    on = with_events(base, ["sick", "class_visit", "exams"])
    results = run_experiment(on, 2, SEED, workers=1)
    plain = charts.day_profile(results, base, "en")
    fig = charts.day_profile(results, on, "en")
    assert len(fig.layout.shapes) == len(plain.layout.shapes) + 3
    texts = [a.text for a in fig.layout.annotations]
    assert "A group_visit, day 2, 11:00" in texts
    assert "A staff_absence, day 2" in texts and "A rush, day 2" in texts
    line = next(s for s in fig.layout.shapes if s.type == "line" and s.yref == "paper")
    assert line.x0 == pytest.approx(results.hours.index(11))  # 11:00, at its hour's tick
    ru = charts.day_profile(results, on, "ru")
    assert "A group_visit, день 2, 11:00" in [a.text for a in ru.layout.annotations]


# --- the Team page -------------------------------------------------------------------------------------


def test_a_team_sees_the_rounds_events_in_its_brief(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from streamlit.testing.v1 import AppTest

    app_environment(tmp_path, monkeypatch)
    data = library_events()
    data["rounds"] = [{"title": text("Round 1"), "brief": text("A busy day."), "events": ["class_visit"]}]
    data["events"]["class_visit"]["description"] = {"ru": "Приходит 3-й класс.", "en": "Form 3 comes in."}
    service = Training(Store(app_database_url(tmp_path)))
    code = service.create_session(build(data), seed=SEED, replications=2)
    service.open_round(code, 1)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("dashboard/pages/team.py")
    at.run()
    at.text_input(key="team.code_input").input(code)
    at.text_input(key="team.name_input").input("Owls")
    next(b for b in at.button if b.label == "Join").click().run()
    assert not at.exception, at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert "**Events this round**" in shown
    assert "**A group_visit** (day 2, 11:00: a group of 25 readers (Young) arrives within 15 min). Form 3 comes in." in shown
    assert any("runs with the same events" in c.value for c in at.caption)
    # the round's results, once revealed, are those of the library with its events
    service.close_round(code, 1)
    Worker(service, runner).run_once()
    service.reveal(code, 1)
    at.run()
    assert not at.exception, at.exception
    assert any(h.value.startswith("Results of round 1") for h in at.subheader)
    shown = service.results_of(code, 1, [])
    assert shown is not None
    assert shown.kpis["readers_arrived"].mean == runner(for_round(build(data), 1), SEED, 2).kpis["readers_arrived"].mean



def _trainer_brief() -> None:
    from test_events import two_rounds  # the script runs apart from this module

    from dashboard.events_view import round_events_brief

    round_events_brief(two_rounds(), 2, "ru", sources=True)


def test_the_trainer_sees_the_events_with_their_sources() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_trainer_brief, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    shown = "\n".join(m.value for m in at.markdown)
    assert "**События этого раунда**" in shown
    assert "**A rush** (день 2: на 50 % больше читателей, группы: Old). what the rush does" in shown
    assert "_Источник: assumption_" in shown
    assert at.caption[0].value.startswith("В этом раунде библиотека «как есть» работает с теми же событиями")


def test_an_events_source_may_be_given_in_both_languages() -> None:
    """The Russian console showed the default scenario's sources in English."""
    from sim.events import event_lines
    from sim.scenario import load_scenario
    from tests.builders import ROOT

    hall = load_scenario(ROOT / "scenarios" / "central-lending-hall.yaml")
    for lang in ("ru", "en"):
        sources = [line.source for line in event_lines(hall, list(hall.events), lang)]
        assert len(sources) == 3
        for source in sources:
            assert source.startswith("допущение" if lang == "ru" else "assumption"), source
    assert event_lines(two_rounds(), ["exams"], "ru")[0].source == "assumption"  # one plain text still works


@pytest.mark.parametrize(("source", "field", "says"), [
    ("{ru: x}", "source.en", "required"),
    ("''", "source", "at least 1 characters"),
    ("'![i](http://127.0.0.1:9/i.png)'", "source", "a link, an image or an HTML tag"),
])
def test_a_bad_source_is_one_problem_of_the_branch_it_was_meant_for(source: str, field: str, says: str,
                                                                     tmp_path: Path) -> None:
    """"One text, or {ru, en}": a mapping was also refused as "not a text", a text as "not a mapping"."""
    from sim.scenario import ScenarioError, load_scenario

    data = (Path(__file__).parents[1] / "scenarios" / "central-lending-hall.yaml").read_text(encoding="utf-8")
    old = ('    source:\n      ru: "допущение (в сессию студентов приходит на 30 % больше)"\n'
           '      en: "assumption: +30% of students in the exam weeks"')
    assert data.count(old) == 1
    with pytest.raises(ScenarioError) as refused:
        path = tmp_path / "hall.yaml"
        path.write_text(data.replace(old, f"    source: {source}"), encoding="utf-8")
        load_scenario(path)
    problems = [p for p in refused.value.problems if "exam_rush" in p.field]
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].field == f"events.exam_rush.{field}" and says in problems[0].say("en"), str(problems[0])
