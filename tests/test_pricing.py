"""Tools priced in roubles: one-off and running costs, round budgets in roubles, derived points, the
rule that keeps files priced in points valid, coded problems for mixed files, and the payback."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.economics import budget_text, payback, payback_text, price_text
from sim.experiment import aggregate
from sim.lean import (
    ChoiceError,
    budget_points,
    check_choice,
    money,
    one_off_roubles,
    priced_in_roubles,
    round_budget,
    tool_points,
    tool_price,
)
from sim.metrics import RepMetrics
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from tests.builders import small_library, text

SCENARIOS = Path(__file__).parents[1] / "scenarios"


def _tool(cost: dict[str, Any]) -> dict[str, Any]:
    return {"name": text("t"), "description": text("d"), "waste": "waiting", "cost": cost,
            "expect": {"kpi": "wait_mean", "direction": "lower"},
            "effects": [{"op": "scale", "path": "steps.check_in.time", "factor": 0.5}]}


def _with(tools: dict[str, dict[str, Any]], rounds: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data = small_library()
    data["tools"] = {tid: _tool(cost) for tid, cost in tools.items()}
    data["rounds"] = [{"title": text("r"), "brief": text("b"), **r} for r in rounds]
    data.update(extra)
    return data


def _codes(data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    return {p.field: p.code for p in info.value.problems}


def test_every_shipped_scenario_with_tools_is_priced_in_roubles_with_sources() -> None:
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path)
        if not scenario.tools:
            continue
        assert priced_in_roubles(scenario), path.name
        for tid, tool in scenario.tools.items():
            assert tool.cost.one_off_roubles is not None, (path.name, tid)
            assert tool.cost.source and ("assumption" in tool.cost.source or "reference/" in tool.cost.source), (path.name, tid)
        assert all(r.budget_roubles is not None for r in scenario.rounds), path.name
        assert scenario.economics.source, path.name


def test_derived_points_of_the_default_scenario() -> None:
    # the points shown beside roubles: a cost in 25 000 RUB to the nearest point (at least one), a
    # budget's to the nearest point too
    scenario = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    points = {"five_s_desk": 2, "five_s_stacks": 1, "standard_work": 1, "visual_management": 2, "one_piece_reshelving": 2,
              "kanban_processing": 1, "shield_interruptions": 1, "vsm_remove_waste": 2, "pull_stack_runs": 2,
              "pull_requested_first": 1, "rfid_kiosk": 4, "heijunka_staffing": 1, "priority_lane": 1,
              "online_preregistration": 2, "poka_yoke": 1}
    assert {tid: tool_points(scenario, [tid]) for tid in scenario.tools} == points
    assert [budget_points(scenario, n) for n in range(1, 6)] == [0, 4, 4, 4, 4]


def test_a_set_within_the_budget_in_roubles_is_within_it_in_points() -> None:
    """A room saw "98 862 ₽ (5 баллов) из 100 000 ₽ (4 балла)": every tool's points were rounded up
    and added. Every affordable set of every round is checked."""
    from itertools import combinations

    scenario = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    for number, plan in enumerate(scenario.rounds, start=1):
        offer = list(plan.offer)
        for size in range(1, len(offer) + 1):
            for chosen in combinations(offer, size):
                if tool_price(scenario, chosen) <= round_budget(scenario, number):
                    assert tool_points(scenario, chosen) <= budget_points(scenario, number), (number, chosen)


def test_one_off_cost_counts_staff_hours_at_the_mean_wage() -> None:
    data = _with({"a": {"one_off_roubles": 1000, "one_off_staff_hours": 10, "roubles_per_day": 50}},
                 [{"offer": ["a"], "budget_roubles": 5000}])
    scenario = parse_scenario(data)
    wages = [r["wage_per_hour"] for r in data["roles"].values()]
    assert one_off_roubles(scenario, ["a"]) == pytest.approx(1000 + 10 * sum(wages) / len(wages))
    valued = parse_scenario({**data, "economics": {"staff_hour_roubles": 100}})
    assert one_off_roubles(valued, ["a"]) == 2000
    assert tool_price(valued, ["a"]) == 2000 and round_budget(valued, 1) == 5000


def test_a_round_budget_in_roubles_binds_and_says_so_in_both_languages() -> None:
    data = _with({"a": {"one_off_roubles": 3000}, "b": {"one_off_roubles": 2500}},
                 [{"offer": ["a", "b"], "budget_roubles": 5000}], economics={"roubles_per_point": 1000})
    scenario = parse_scenario(data)
    assert check_choice(scenario, 1, [], ["a"]) == ["a"]
    with pytest.raises(ChoiceError) as info:
        check_choice(scenario, 1, [], ["a", "b"])
    assert info.value.kind == "budget_roubles"
    from sim.i18n import t
    assert t("training.err.budget_roubles", "ru", **info.value.params) == \
        "Раунд 1: новые инструменты стоят 5\u00a0500 ₽, а бюджет раунда — 5\u00a0000 ₽."
    assert price_text(scenario, ["a"], "en") == "3\u00a0000\u00a0RUB (3 points)"
    assert budget_text(scenario, 1, "ru") == "5\u00a0000\u00a0₽ (5 баллов)"


def test_a_file_priced_in_points_stays_valid_and_its_budget_is_in_points() -> None:
    data = _with({"a": {"points": 2}, "b": {"points": 2}}, [{"offer": ["a", "b"], "budget": 3}])
    scenario = parse_scenario(data)
    assert not priced_in_roubles(scenario)
    assert tool_price(scenario, ["a"]) == 2 and round_budget(scenario, 1) == 3
    assert price_text(scenario, ["a"], "en") == "2 points"
    with pytest.raises(ChoiceError, match="cost 4 points but the budget is 3") as info:
        check_choice(scenario, 1, [], ["a", "b"])
    assert info.value.kind == "budget"


def test_mixed_pricing_is_refused_with_coded_problems() -> None:
    mixed = _with({"a": {"one_off_roubles": 100}, "b": {"points": 1}}, [{"offer": ["a", "b"], "budget": 2}])
    codes = _codes(mixed)
    assert codes["tools.b.cost.one_off_roubles"] == "problem.cost.no_one_off"
    assert codes["tools.b.cost.points"] == "problem.cost.points_in_roubles"
    assert codes["rounds[0].budget_roubles"] == "problem.cost.no_round_budget"
    assert codes["rounds[0].budget"] == "problem.cost.budget_points_in_roubles"
    no_points = _with({"a": {}}, [{"offer": ["a"], "budget": 1}])
    assert _codes(no_points)["tools.a.cost.points"] == "problem.cost.no_points"
    hours = _with({"a": {"points": 1, "one_off_staff_hours": 3}}, [{"offer": ["a"], "budget": 1}])
    assert _codes(hours)["tools.a.cost.one_off_staff_hours"] == "problem.cost.hours_in_points"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(mixed)
    for problem in info.value.problems:
        assert problem.say("ru") != problem.say("en")


def _results(staff: float, wait: float, readers: float, seed: int = 1) -> Any:
    kpis = {"staff_cost": staff, "wait_mean": wait, "readers_arrived": readers}
    reps = [RepMetrics(kpis=dict(kpis), groups={}, hours=[], hourly={}, wait_samples={"all": np.zeros(1)}, steps={})
            for _ in range(2)]
    return aggregate("x", seed, reps)


def test_payback_is_one_off_over_the_yearly_saving_the_model_gives() -> None:
    data = _with({"a": {"one_off_roubles": 10_000, "roubles_per_day": 100}}, [{"offer": ["a"], "budget_roubles": 10_000}],
                 economics={"working_days_per_year": 200})
    scenario = parse_scenario(data)  # two days
    as_is, variant = _results(10_000, 6.0, 400), _results(8_000, 6.0, 400)
    p = payback(scenario, as_is, variant, ["a"])
    assert p is not None and p.reader_saving_per_day is None
    # staff 2 000 less over 2 days, the tool's running cost 100 a day: 900 a day, 180 000 a year
    assert p.staff_saving_per_day == pytest.approx(900) and p.yearly_saving == pytest.approx(180_000)
    assert p.years == pytest.approx(10_000 / 180_000) and p.within_year
    assert payback_text(p, "ru") == "окупается за 0,1 года (в пределах года)"
    with_readers = parse_scenario(copy.deepcopy({**data, "economics": {"working_days_per_year": 200, "reader_hour_roubles": 60}}))
    q = payback(with_readers, as_is, _results(10_000, 3.0, 400), ["a"], spent=50_000)
    # 3 minutes less for 200 readers a day at 60 RUB an hour: 600 a day; minus the running cost 100
    assert q is not None and q.reader_saving_per_day == pytest.approx(600)
    assert q.yearly_saving == pytest.approx(500 * 200) and q.years == pytest.approx(0.5) and q.one_off == 50_000
    never = payback(scenario, as_is, _results(10_500, 6.0, 400), ["a"])
    assert never is not None and never.years is None and payback_text(never, "en") == "does not pay back at this saving"


def test_a_scenario_priced_in_points_has_no_payback() -> None:
    scenario: Scenario = parse_scenario(_with({"a": {"points": 1}}, [{"offer": ["a"], "budget": 1}]))
    assert payback(scenario, _results(1, 1, 1), _results(1, 1, 1), ["a"]) is None


def test_a_sets_price_is_the_sum_of_the_prices_its_tools_show() -> None:
    """Each tool's price was rounded on its card and the set's sum rounded apart (a rouble off); now sums add up."""
    from sim.economics import price_text

    scenario = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    ids = list(scenario.tools)
    for a in ids:
        for b in ids:
            if a < b:
                parts = one_off_roubles(scenario, [a]) + one_off_roubles(scenario, [b])
                assert one_off_roubles(scenario, [a, b]) == parts
                assert price_text(scenario, [a, b], "ru").startswith(money(parts))
    for tid in ids:
        assert one_off_roubles(scenario, [tid]) == round(one_off_roubles(scenario, [tid]))


def test_a_budget_saved_as_a_whole_float_still_loads() -> None:
    """Sessions and archives saved before budgets had to be whole roubles hold 100000.0."""
    data = load_scenario(SCENARIOS / "central-lending-hall.yaml").model_dump(mode="json", exclude_none=True)
    data["rounds"][1]["budget_roubles"] = 100000.0
    assert round_budget(parse_scenario(data), 2) == 100000
