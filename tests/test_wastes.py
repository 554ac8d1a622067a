"""Mechanisms that make every waste visible: arrivals per reader group, overtime at legal rates,
kanban that obeys Little's law, the new figures, and an accessibility figure that cannot mislead."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
from builders import build, mmc, small_library

from sim.eventlog import Ev
from sim.experiment import compare, run_experiment
from sim.lean import apply_tools
from sim.model import simulate
from sim.scenario import ScenarioError, load_scenario, parse_scenario

SEED = 7


def _grouped(days: int = 40) -> dict:
    """The small library with a morning group and an afternoon group."""
    data = small_library(days)
    data["groups"]["young"]["arrivals"] = {"per_hour": {"default": [0, 1, 2, 4]}}
    data["groups"]["old"]["arrivals"] = {"per_hour": {"default": [4, 3, 1, 0], "tue": [1, 1, 1, 1]}}
    return data


# --- 1. arrivals per reader group -------------------------------------------------------------------


def test_per_group_profiles_reproduce_each_groups_hourly_arrivals() -> None:
    scenario = build(_grouped(40))
    log = simulate(scenario, SEED, 0)
    arrive = log.kind == Ev.ARRIVE
    t, g = log.t[arrive], log.group[arrive]
    days = scenario.calendar.days
    for gi, gid in enumerate(scenario.groups):
        observed = np.zeros(4)
        expected = np.zeros(4)
        for d in range(days):
            rates = scenario.demand(scenario.calendar.weekday_of(d))[gi]
            expected += rates
            start = d * 1440.0 + scenario.calendar.open_min
            in_day = (g == gi) & (t >= start) & (t < start + 240)
            observed += np.histogram(t[in_day] - start, bins=[0, 60, 120, 180, 240])[0]
        # Poisson counts: within four standard deviations, hour by hour
        assert np.all(np.abs(observed - expected) <= 4 * np.sqrt(np.maximum(expected, 1.0))), (gid, observed, expected)
    # the shapes are each group's own: the young hardly come in the first hour, the old not in the last
    assert scenario.demand("mon")[0][0] == 0 and scenario.demand("mon")[1][3] == 0
    # shares still hold over the day
    day = scenario.demand("wed")
    total = sum(map(sum, day))
    assert sum(day[0]) / total == pytest.approx(0.6) and sum(day[1]) / total == pytest.approx(0.4)


def test_without_group_profiles_the_groups_add_up_to_the_library_profile() -> None:
    scenario = build(small_library(1))
    by_group = scenario.demand("mon")
    assert [sum(h) for h in zip(*by_group)] == pytest.approx([20, 30, 40, 25])


def test_group_profiles_keep_each_readers_luck_across_variants() -> None:
    """Common random numbers: a change at the desk does not change who arrives when, nor their group."""
    base = _grouped(3)
    faster = copy.deepcopy(base)
    faster["steps"]["check_out"]["time"] = {"dist": "fixed", "value": 0.5}
    a, b = simulate(build(base), SEED, 0), simulate(build(faster), SEED, 0)
    ra, rb = a.kind == Ev.ARRIVE, b.kind == Ev.ARRIVE
    assert np.array_equal(a.t[ra], b.t[rb]) and np.array_equal(a.group[ra], b.group[rb])
    assert np.array_equal(a.value[ra], b.value[rb])  # the purpose of each reader, too


def test_level_staff_follows_the_groups_own_hours() -> None:
    from sim.scenario.effects import apply_effect

    data = _grouped(1)
    data["roles"]["librarian"]["staff"] = [2, 2, 2, 2]
    apply_effect(data, {"op": "level_staff", "path": "roles.librarian"})
    demand = build(_grouped(1)).demand("mon")
    hourly = [sum(h) for h in zip(*demand)]
    assert sum(data["roles"]["librarian"]["staff"]) == 8
    assert data["roles"]["librarian"]["staff"][int(np.argmax(hourly))] == max(data["roles"]["librarian"]["staff"])


@pytest.mark.parametrize(("change", "code"), [
    (lambda d: d["groups"]["old"]["arrivals"]["per_hour"].__setitem__("default", [1, 1]), "problem.check.hours"),
    (lambda d: d["groups"]["old"]["arrivals"]["per_hour"].__setitem__("default", [0, 0, 0, 0]),
     "problem.wastes.group_profile_zero"),
    (lambda d: d["groups"]["old"]["arrivals"]["per_hour"].__setitem__("default", [1, -1, 1, 1]), "problem.wastes.weight"),
    (lambda d: d["groups"]["old"]["arrivals"]["per_hour"].__setitem__("someday", [1, 1, 1, 1]), "problem.field.weekday"),
])
def test_bad_group_profiles_are_refused_with_a_clear_problem(change, code) -> None:
    data = _grouped(1)
    change(data)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert code in [p.code for p in info.value.problems], info.value
    for p in info.value.problems:
        assert p.say("ru") and p.say("en")


def test_group_profiles_need_a_daily_calendar() -> None:
    from builders import mmc

    data = mmc(1, 10, 3, 10)
    data["groups"]["readers"]["arrivals"] = {"per_hour": {"default": [1]}}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert "problem.wastes.group_profile_daily" in [p.code for p in info.value.problems]


def test_a_group_without_readers_may_have_an_empty_shape() -> None:
    data = _grouped(1)
    data["groups"]["old"]["share"] = 0.0
    data["groups"]["young"]["share"] = 1.0
    data["groups"]["old"]["arrivals"]["per_hour"]["default"] = [0, 0, 0, 0]
    assert parse_scenario(data).demand("mon")[1] == [0, 0, 0, 0]


# --- 2. overtime at the legal rates ------------------------------------------------------------------


def _late_desk(rates: dict | None = None) -> dict:
    """One librarian, open 10:00-11:00, readers who need an hour each: she stays well past closing."""
    data = mmc(1, 3.0, 60.0, 1)
    data["calendar"] = {"mode": "daily", "open": "10:00", "close": "11:00", "days": 1}
    data["steps"]["desk_service"]["time"] = {"dist": "fixed", "value": 60}
    if rates is not None:
        data["overtime"] = rates
    return data


def test_overtime_is_paid_at_one_and_a_half_then_double() -> None:
    from sim.metrics import compute_metrics

    for seed in range(50):
        scenario = build(_late_desk())
        log = simulate(scenario, seed, 0)
        last = float(log.t[log.kind == Ev.DEPART].max())
        hours = (last - 11 * 60) / 60.0
        if hours > 2.5:
            break
    else:
        pytest.fail("no seed keeps the librarian past two hours of overtime")
    kpis = compute_metrics(scenario, log).kpis
    wage = 300.0
    # one hour in the day at 1x, then 2 hours at 1.5x and the rest at 2x
    assert kpis["staff_cost"] == pytest.approx(wage * 1.0 + wage * (1.5 * 2 + 2.0 * (hours - 2)))
    assert kpis["overtime_cost"] == pytest.approx(wage * (1.5 * 2 + 2.0 * (hours - 2)))
    flat = compute_metrics(build(_late_desk({"first_rate": 1.0, "later_rate": 1.0})), log).kpis
    assert flat["staff_cost"] == pytest.approx(wage * (1.0 + hours))


def test_overtime_rates_below_the_wage_are_refused() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(_late_desk({"first_rate": 0.5}))
    assert info.value.problems[0].field == "overtime.first_rate"


# --- 3. kanban that obeys Little's law -----------------------------------------------------------------

HALL = Path(__file__).resolve().parents[1] / "scenarios" / "central-lending-hall.yaml"


def _hall(days: int | None = None) -> dict:
    data = load_scenario(HALL).model_dump(exclude_none=True)
    if days is not None:
        data["calendar"]["days"] = days
    return data


def test_a_wip_limit_below_a_neighbouring_batch_is_explained_in_both_languages() -> None:
    data = _hall()
    # the kanban as it used to be: limits of 10 with the batches of 40 and 20 kept
    data["acquisitions"]["route"][1]["wip_limit"] = 10
    data["acquisitions"]["route"][2]["wip_limit"] = 10
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    problems = info.value.problems
    assert {p.field for p in problems} == {"acquisitions.route[1].wip_limit", "acquisitions.route[2].wip_limit"}
    codes = {p.code for p in problems}
    assert codes == {"problem.wastes.wip_below_upstream", "problem.wastes.wip_below_own", "problem.wastes.wip_below_downstream"}
    downstream = next(p for p in problems if p.code == "problem.wastes.wip_below_downstream" and p.path[2] == 2)
    assert "to_hall" in downstream.say("en") and "Little" in downstream.say("en") and "40" in downstream.say("en")
    assert "Литтла" in downstream.say("ru") and "to_hall" in downstream.say("ru")


def test_the_kanban_tool_shortens_receipt_to_shelf_over_twenty_days() -> None:
    scenario = parse_scenario(_hall(20))
    base = run_experiment(scenario, 10, seed=11, workers=1)
    kanban = run_experiment(apply_tools(scenario, ["kanban_processing"]), 10, seed=11, workers=1)
    lead = compare(base, kanban).kpis["acquisitions_lead_time_days"]
    assert lead.real == "better" and lead.verdict == "better", lead
    # and the work in process falls, as the card says
    assert compare(base, kanban).kpis["backoffice_in_process_mean"].verdict == "better"


# --- 4. new figures --------------------------------------------------------------------------------


def _metrics(data: dict, seed: int = SEED):
    from sim.metrics import compute_metrics

    scenario = build(data)
    return compute_metrics(scenario, simulate(scenario, seed, 0)).kpis


def test_books_not_found_split_by_cause_adds_up_and_follows_each_cause() -> None:
    data = small_library(3)
    kpis = _metrics(data)
    assert kpis["books_not_found"] > 0
    assert kpis["books_not_found_cart"] + kpis["books_not_found_misshelved"] == pytest.approx(kpis["books_not_found"])
    assert kpis["books_not_found_cart"] > 0 and kpis["books_not_found_misshelved"] > 0
    no_misshelving = copy.deepcopy(data)
    no_misshelving["reshelving"]["misshelve_rate"] = 0.0
    assert _metrics(no_misshelving)["books_not_found_misshelved"] == 0
    no_cart = copy.deepcopy(data)
    no_cart["reshelving"]["not_found_per_waiting_book"] = 0.0
    only_misshelved = _metrics(no_cart)
    assert only_misshelved["books_not_found_cart"] == pytest.approx(0.0, abs=1e-9)
    assert only_misshelved["books_not_found_misshelved"] == only_misshelved["books_not_found"] > 0


def test_metres_walked_per_role_and_day_count_every_run_and_trip() -> None:
    data = small_library(2)
    data["stacks"]["walk_m_per_run"] = 100.0
    data["steps"]["accession"]["walk_m"] = 7.0
    scenario = build(data)
    log = simulate(scenario, SEED, 0)
    from sim.metrics import compute_metrics

    kpis = compute_metrics(scenario, log).kpis
    walks = log.kind == Ev.WALK
    roles = [log.role_ids[log.staff_role[m]] for m in log.staff[walks]]
    stacks = log.station_ids.index("stacks")
    runs = int((walks & (log.station == stacks)).sum())
    assert runs > 0 and set(log.value[walks & (log.station == stacks)]) == {100.0}
    assert kpis["walk_m_per_day.keeper"] == pytest.approx(100.0 * runs / 2)
    # a back-office step walks per item: 7 m for every item accessioned in a finished batch
    step = log.step_ids.index("accession")
    items = int(((log.kind == Ev.ACQ_STEP_DONE) & (log.step == step)).sum())
    assert float(log.value[walks & (log.step == step)].sum()) == pytest.approx(7.0 * items)
    assert kpis["walk_m_per_day"] == pytest.approx(float(log.value[walks].sum()) / 2)
    assert set(roles) <= {"keeper", "cataloguer"}
    assert kpis["walk_m_per_day.librarian"] == 0


def test_the_shelf_search_never_inflates_pce() -> None:
    data = small_library(2)
    assert data["steps"]["search"]["value"] == "value_added"
    as_value_added = _metrics(data)
    necessary = copy.deepcopy(data)
    necessary["steps"]["search"]["value"] = "necessary"
    as_necessary = _metrics(necessary)
    assert as_value_added["pce"] == pytest.approx(as_necessary["pce"])
    assert 0 < as_value_added["reader_value_added_share"] < 1


def test_requested_items_lead_time_is_in_the_score_and_on_a_card() -> None:
    from dashboard.widgets import MAIN_KPIS
    from sim.score import PARTS

    assert "acquisitions_requested_lead_time_days" in PARTS["efficiency"]
    for kpi_id in ("acquisitions_requested_lead_time_days", "books_not_found_cart", "books_not_found_misshelved",
                   "walk_m_per_day", "backoffice_wip_mean", "backoffice_in_process_mean", "reader_value_added_share"):
        assert kpi_id in MAIN_KPIS


# --- 5. an accessibility figure that cannot mislead ---------------------------------------------------


def test_the_accessibility_part_rises_when_every_group_waits_less() -> None:
    """More staff at the desk shortens every group's waits: the accessibility part must say so."""
    from sim.score import PARTS, balanced_score

    assert "equity_p90_ratio" not in PARTS["accessibility"]
    data = small_library(3)
    more = copy.deepcopy(data)
    more["roles"]["librarian"]["staff"] = [3, 3, 4, 3]
    base = run_experiment(build(data), 10, seed=5, workers=1)
    variant = run_experiment(build(more), 10, seed=5, workers=1)
    diff = compare(base, variant)
    for gid in base.groups:
        assert diff.groups[gid]["wait_p90"].real == "better", gid
    assert diff.kpis["wait_p90_worst_group"].real == "better"
    part = balanced_score(build(data), base, variant).parts["accessibility"]
    assert part.ci95 is not None and part.ci95[0] > 0, part


def test_the_access_groups_figure_is_the_p90_wait_of_the_marked_groups_together() -> None:
    data = small_library(3)
    from sim.metrics import compute_metrics

    plain = build(data)
    assert compute_metrics(plain, simulate(plain, seed=SEED)).kpis["wait_p90_access_groups"] is None  # none marked
    data["groups"]["old"]["access_needs"] = True
    marked = build(data)
    rep = compute_metrics(marked, simulate(marked, seed=SEED))
    assert rep.kpis["wait_p90_access_groups"] == pytest.approx(rep.groups["old"]["wait_p90"])


def test_worst_group_figures_are_in_minutes_and_the_gap_is_max_minus_min() -> None:
    from sim.metrics import compute_metrics

    scenario = build(small_library(3))
    rep = compute_metrics(scenario, simulate(scenario, SEED, 0))
    p90s = [f["wait_p90"] for f in rep.groups.values() if (f["readers_arrived"] or 0) >= 30]
    assert rep.kpis["wait_p90_worst_group"] == pytest.approx(max(p90s))
    assert rep.kpis["wait_p90_group_gap"] == pytest.approx(max(p90s) - min(p90s))


# --- the fairness debate in the default scenario -------------------------------------------------------


def test_levelling_staff_to_demand_helps_on_average_and_clearly_hurts_a_group() -> None:
    """Heijunka moves librarians from the morning to the evening peak: the average wait falls, but the
    seniors, who come in the morning, clearly wait longer (the trade-off to debate)."""
    hall = load_scenario(HALL)
    base = run_experiment(hall, 20, seed=1, workers=1)
    level = run_experiment(apply_tools(hall, ["heijunka_staffing"]), 20, seed=1, workers=1)
    diff = compare(base, level)
    assert diff.kpis["wait_mean"].real == "better", diff.kpis["wait_mean"]
    worse = [g for g in diff.groups if diff.groups[g]["wait_p90"].verdict == "worse"]
    assert "seniors" in worse, {g: diff.groups[g]["wait_p90"] for g in diff.groups}


def test_the_priority_lane_clearly_raises_accessibility_and_its_groups_figures_at_the_others_cost() -> None:
    """The accessibility tool (internal priority for seniors and readers with disabilities) raises the
    accessibility part of the score and clearly shortens the targeted groups' waits; the others wait
    longer, and the service part says so: the trade-off to debate."""
    from sim.score import balanced_score

    hall = load_scenario(HALL)
    base = run_experiment(hall, 20, seed=1, workers=1)
    lane = run_experiment(apply_tools(hall, ["priority_lane"]), 20, seed=1, workers=1)
    score = balanced_score(hall, base, lane, [], ["priority_lane"])
    access, service = score.parts["accessibility"], score.parts["service"]
    assert access.ci95 is not None and access.ci95[0] > 0, access
    assert service.ci95 is not None and service.ci95[1] < 0, service
    diff = compare(base, lane)
    assert diff.kpis["wait_p90_access_groups"].real == "better", diff.kpis["wait_p90_access_groups"]
    for group in ("seniors", "disabled"):
        assert diff.groups[group]["wait_p90"].real == "better", group
    assert diff.groups["students"]["wait_p90"].real == "worse"


def test_self_service_and_online_forms_show_a_digital_divide() -> None:
    """The kiosk and pre-registration help the groups that use them: students take the kiosk and working
    adults the online form far more often than seniors, and seniors who try the kiosk need a librarian
    first."""
    hall = load_scenario(HALL)
    tools = apply_tools(hall, ["rfid_kiosk", "online_preregistration"])
    log = simulate(tools, seed=3)
    steps = {sid: i for i, sid in enumerate(log.step_ids)}
    groups = {g: i for i, g in enumerate(log.group_ids)}
    done = (log.kind == Ev.SERVICE_END) | (log.kind == Ev.SELF_END)

    def count(step: str, group: str) -> int:
        return int((done & (log.step == steps[step]) & (log.group == groups[group])).sum())

    def share(option: str, desk: str, group: str) -> float:
        used, not_used = count(option, group), count(desk, group)
        return used / (used + not_used)

    assert share("kiosk_checkout", "checkout", "students") > 0.6 > 0.3 > share("kiosk_checkout", "checkout", "seniors")
    # students never register in this library (they come with a student card): working adults do
    assert share("register_prefilled", "register", "adults") > 0.5 > share("register_prefilled", "register", "seniors")
    assert count("kiosk_help", "seniors") > 0 and count("kiosk_help", "students") == 0


# --- the wastes of the library as it is, each seen in a figure and moved by its tool -----------------

# (waste, a figure that shows it in the as-is hall, the tool that attacks it): all seven wastes.
# Motion shows twice: at the desk (parts of the desk's steps) and in the stacks (the stack keeper's walk).
SEEN = [
    ("waiting", "stack_order_lead_time_mean", "pull_stack_runs"),
    ("inventory", "books_not_found_cart", "one_piece_reshelving"),
    ("defects", "books_not_found_misshelved", "poka_yoke"),
    ("motion", "motion_min_per_day", "five_s_desk"),
    ("motion", "walk_m_per_day.stack_keeper", "five_s_stacks"),
    ("transport", "walk_m_per_day.cataloguer", "vsm_remove_waste"),
    ("overproduction", "overproduction_min_per_day", "pull_requested_first"),
    ("overprocessing", "overprocessing_min_per_day", "vsm_remove_waste"),
]
# the value-stream tool is filed under over-processing; its description says it removes transport too
ALSO_ATTACKS = {"vsm_remove_waste": "transport"}


def test_all_seven_wastes_are_seen() -> None:
    from sim.scenario import WASTES

    assert {waste for waste, _, _ in SEEN} == set(WASTES) - {"talent"}


def test_each_seen_waste_has_a_figure_with_a_ci_and_its_tool_moves_it() -> None:
    hall = load_scenario(HALL)
    base = run_experiment(hall, 10, seed=3, workers=1)
    for waste, figure, tool in SEEN:
        assert waste in (hall.tools[tool].waste, ALSO_ATTACKS.get(tool)), (waste, tool)
        estimate = base.kpis[figure]
        assert estimate.ci95 is not None and estimate.ci95[0] > 0, (waste, figure, estimate)
        variant = run_experiment(apply_tools(hall, [tool]), 10, seed=3, workers=1)
        moved = compare(base, variant).kpis[figure]
        assert moved.real == "better", (waste, figure, tool, moved)
