"""Lean tools: the mechanism, the shipped catalogues (each tool does what it promises), rounds and the score."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from builders import SCENARIOS, build, changed, small_library, text, write_one_day_hall
from hypothesis import given
from hypothesis import strategies as st

from sim.cli import main
from sim.distributions import Exponential, LogNormal, Triangular, Uniform, with_spread
from sim.experiment import Results, compare, run_experiment
from sim.lean import ChoiceError, apply_tools, check_choice, ordered
from sim.scenario import Scenario, ScenarioError, load_scenario, parse_scenario, scenario_from_text
from sim.score import PARTS, balanced_score, score_one

SEED = 2024
REPS = 30
SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))


@cache
def _scenario(name: str) -> Scenario:
    return load_scenario(SCENARIOS / name)


@cache
def _run(name: str, tools: tuple[str, ...] = ()) -> Results:
    scenario = apply_tools(_scenario(name), tools)
    return run_experiment(scenario, REPS, seed=SEED, workers=1)


TOOL_CASES = [
    pytest.param(name, tool_id, id=f"{name.removesuffix('.yaml')}:{tool_id}")
    for name in SHIPPED
    for tool_id in load_scenario(SCENARIOS / name).tools
]


def test_every_shipped_scenario_with_tools_has_a_round_plan() -> None:
    with_tools = [name for name in SHIPPED if _scenario(name).tools]
    assert {"central-lending-hall.yaml", "branch-library.yaml", "acquisitions-processing.yaml"} <= set(with_tools)
    assert len(_scenario("central-lending-hall.yaml").tools) >= 15
    assert len(_scenario("central-lending-hall.yaml").rounds) == 5
    for name in with_tools:
        offered = {t for r in _scenario(name).rounds for t in r.offer}
        assert offered == set(_scenario(name).tools), f"{name}: every tool is offered in some round"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "tool_id"), TOOL_CASES)
def test_each_tool_moves_its_expected_figure(name: str, tool_id: str) -> None:
    """Applied alone, a tool moves the figure in its `expect` its way, with a 95% CI clear of zero."""
    tool = _scenario(name).tools[tool_id]
    comparison = compare(_run(name), _run(name, (tool_id,)))
    expect = tool.expect
    d = comparison.groups[expect.group][expect.kpi] if expect.group else comparison.kpis[expect.kpi]
    assert d.ci95 is not None and d.diff is not None
    lo, hi = d.ci95
    moved_down = hi < 0
    moved_up = lo > 0
    assert (moved_down if expect.direction == "lower" else moved_up), (tool_id, d)
    # clearly, not by a hair: the interval's near end is well away from zero
    near = hi if expect.direction == "lower" else lo
    assert abs(near) > 0.25 * abs(d.diff), (tool_id, d)


@pytest.mark.slow
def test_the_kiosk_helps_most_those_who_use_it() -> None:
    """A digital divide: everyone waits less (the desk's line is shorter), but students and working
    adults, who use the kiosk, gain far more than seniors and readers with disabilities, who seldom do
    and who first ask a librarian to show them how; the lease costs money every day."""
    c = compare(_run("central-lending-hall.yaml"), _run("central-lending-hall.yaml", ("rfid_kiosk",)))
    assert c.kpis["wait_mean"].real == "better"
    gain = {g: -c.groups[g]["wait_mean"].diff / c.groups[g]["wait_mean"].baseline for g in c.groups}
    assert min(gain["students"], gain["adults"]) > 2 * max(gain["seniors"], gain["disabled"]), gain
    assert _scenario("central-lending-hall.yaml").tools["rfid_kiosk"].cost.roubles_per_day > 0


@pytest.mark.slow
def test_the_priority_lane_is_a_trade_off_others_pay_for() -> None:
    c = compare(_run("central-lending-hall.yaml"), _run("central-lending-hall.yaml", ("priority_lane",)))
    assert c.groups["disabled"]["wait_mean"].verdict == "better"
    assert c.groups["students"]["wait_mean"].real == "worse"


# --- the mechanism ------------------------------------------------------------------------------------


def test_no_tools_gives_the_scenario_itself() -> None:
    scenario = _scenario("central-lending-hall.yaml")
    assert apply_tools(scenario, []) == scenario
    assert apply_tools(scenario, []).model_dump() == scenario.model_dump()


def test_the_order_of_choosing_does_not_matter() -> None:
    scenario = _scenario("central-lending-hall.yaml")
    a = apply_tools(scenario, ["heijunka_staffing", "rfid_kiosk", "five_s_desk"])
    b = apply_tools(scenario, ["five_s_desk", "rfid_kiosk", "heijunka_staffing"])
    assert a == b
    assert ordered(scenario, ["rfid_kiosk", "five_s_desk"]) == ["five_s_desk", "rfid_kiosk"]


def _with_tools(tools: dict) -> Scenario:
    data = small_library()
    data["tools"] = tools
    return parse_scenario(data)


def _tool(*effects: dict, kpi: str = "wait_mean") -> dict:
    return {"name": text("t"), "description": text("d"), "waste": "waiting", "cost": {"points": 1},
            "expect": {"kpi": kpi, "direction": "lower"}, "effects": list(effects)}


def test_two_tools_on_one_field_combine_in_catalogue_order() -> None:
    scenario = _with_tools({
        "faster": _tool({"op": "scale", "path": "steps.check_in.time", "factor": 0.5}),
        "set_batch": _tool({"op": "set", "path": "reshelving.batch_size", "value": 10}),
        "faster_again": _tool({"op": "scale", "path": "steps.check_in.time", "factor": 0.8}),
        "other_batch": _tool({"op": "set", "path": "reshelving.batch_size", "value": 4}),
    })
    both = apply_tools(scenario, ["faster_again", "faster"])
    assert both.steps["check_in"].time.mean_value() == pytest.approx(1.5 * 0.5 * 0.8)
    # where two tools set one field, the one later in the catalogue wins, whatever the choosing order
    assert apply_tools(scenario, ["other_batch", "set_batch"]).reshelving.batch_size == 4


def test_selectors_pick_many_and_structural_effects_work() -> None:
    scenario = _with_tools({
        "desk_faster": _tool({"op": "scale", "path": "steps[station=desk].time", "factor": 0.5}),
        "no_ask": _tool({"op": "remove", "path": "steps.search.on_not_found"},
                        {"op": "remove", "path": "steps.ask"}),
        "kiosk_more": _tool({"op": "add", "path": "stations.kiosk.capacity", "value": 2}),
        "small_batches": _tool({"op": "set", "path": "acquisitions.route[*].batch", "value": 1}),
        "calm": _tool({"op": "variability", "path": "steps.check_out.time", "factor": 0.5}),
    })
    base = scenario.steps
    faster = apply_tools(scenario, ["desk_faster"]).steps
    for sid, step in base.items():
        ratio = faster[sid].time.mean_value() / step.time.mean_value() if step.time else None
        if step.station == "desk":
            assert ratio == pytest.approx(0.5), sid
        elif ratio is not None:
            assert ratio == pytest.approx(1.0), sid
    assert "ask" not in apply_tools(scenario, ["no_ask"]).steps
    assert apply_tools(scenario, ["kiosk_more"]).stations["kiosk"].capacity == 3
    assert [a.batch for a in apply_tools(scenario, ["small_batches"]).acquisitions.route] == [1, 1]
    calm = apply_tools(scenario, ["calm"]).steps["check_out"].time
    assert calm.mean_value() == pytest.approx(2.0)
    assert calm.sd_value() == pytest.approx(0.5)


def test_level_staff_keeps_staff_hours_and_follows_arrivals() -> None:
    scenario = _scenario("central-lending-hall.yaml")
    levelled = apply_tools(scenario, ["heijunka_staffing"]).roles["librarian"].staff
    before = scenario.roles["librarian"].staff
    assert sum(levelled) == sum(before)
    rates = scenario.arrivals.per_hour["default"]
    assert levelled[rates.index(max(rates))] == max(levelled)
    assert levelled[rates.index(min(rates))] == min(levelled)


@given(st.sampled_from([Exponential(dist="exponential", mean=3), LogNormal(dist="lognormal", mean=4, sd=2),
                        Triangular(dist="triangular", low=1, mode=2, high=6), Uniform(dist="uniform", low=1, high=5)]),
       st.floats(0.05, 1.0))
def test_less_variability_keeps_the_mean(dist, factor: float) -> None:
    calmer = with_spread(dist, factor)
    assert calmer.mean_value() == pytest.approx(dist.mean_value())
    assert calmer.sd_value() == pytest.approx(dist.sd_value() * factor, rel=1e-6)
    u = np.linspace(0.001, 0.999, 999)
    assert np.all(np.diff(calmer.from_uniform(u)) >= 0)


def test_a_tool_naming_a_missing_field_is_an_error_of_the_file(tmp_path: Path) -> None:
    good = (SCENARIOS / "central-lending-hall.yaml").read_text(encoding="utf-8")
    broken = good.replace("path: stacks.run_time, factor: 0.6", "path: stacks.run_tme, factor: 0.6")
    assert broken != good
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(broken, "hall.yaml")
    (problem,) = info.value.problems
    assert problem.field == "tools.five_s_stacks.effects[0].path"
    assert "run_tme" in problem.message
    assert problem.line == broken.splitlines().index(
        next(line for line in broken.splitlines() if "run_tme" in line)) + 1
    path = tmp_path / "hall.yaml"
    path.write_text(broken, encoding="utf-8")
    assert main(["validate", str(path)]) == 2


def test_a_tool_that_breaks_the_scenario_is_an_error_of_the_file() -> None:
    data = small_library()
    data["tools"] = {"bad": _tool({"op": "set", "path": "steps.check_in.station", "value": "nowhere"})}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert any("nowhere" in p.message and p.field.startswith("tools.bad") for p in info.value.problems)


def test_unknown_tools_in_rounds_and_expectations_are_errors() -> None:
    data = small_library()
    data["tools"] = {"t": _tool({"op": "scale", "path": "steps.check_in.time", "factor": 0.5}, kpi="wait_meen")}
    data["rounds"] = [{"title": text("r"), "brief": text("b"), "offer": ["t", "nope"], "budget": 1}]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    fields = {p.field for p in info.value.problems}
    assert {"tools.t.expect.kpi", "rounds[0].offer[1]"} <= fields


# --- rounds and budgets -------------------------------------------------------------------------------


def test_a_budget_overrun_names_the_budget_and_the_cost() -> None:
    scenario = _scenario("central-lending-hall.yaml")
    with pytest.raises(ChoiceError, match="cost 125\u00a0675 RUB but the budget is 100\u00a0000 RUB"):
        check_choice(scenario, 2, [], ["five_s_desk", "standard_work", "visual_management"])


def test_tools_kept_from_earlier_rounds_are_not_charged_again() -> None:
    scenario = _scenario("central-lending-hall.yaml")
    round2 = check_choice(scenario, 2, [], ["five_s_desk", "standard_work"])
    round3 = check_choice(scenario, 3, round2, ["one_piece_reshelving", "vsm_remove_waste"])
    assert round3 == ordered(scenario, round2 + ["one_piece_reshelving", "vsm_remove_waste"])


def test_a_tool_not_offered_yet_is_refused() -> None:
    scenario = _scenario("central-lending-hall.yaml")
    with pytest.raises(ChoiceError, match="does not offer rfid_kiosk"):
        check_choice(scenario, 2, [], ["rfid_kiosk"])
    with pytest.raises(ChoiceError, match="round 9 does not exist"):
        check_choice(scenario, 9, [], [])


# --- the balanced score -------------------------------------------------------------------------------


def test_the_baseline_scores_exactly_100() -> None:
    scenario = _scenario("central-lending-hall.yaml")
    base = _run("central-lending-hall.yaml")
    again = run_experiment(scenario, REPS, seed=SEED, workers=1)
    score = balanced_score(scenario, base, again)
    assert score.total.mean == 100.0
    assert score.total.ci95 == (100.0, 100.0)


def _all_figures(value: float) -> dict[str, float]:
    return {name: value for names in PARTS.values() for name in names if name != "total_cost"} | {"staff_cost": value}


def test_every_figure_better_scores_above_100_and_worse_below() -> None:
    weights = {"service": 1, "accessibility": 1, "efficiency": 1, "cost": 1}
    base = _all_figures(10.0)
    better = {k: (5.0 if k not in ("pce", "first_pass_yield", "served_within_15_worst_group") else 20.0) for k in base}
    worse = {k: (20.0 if k not in ("pce", "first_pass_yield", "served_within_15_worst_group") else 5.0) for k in base}
    assert score_one(base, better, weights)[0] > 100
    assert score_one(base, worse, weights)[0] < 100
    assert score_one(base, base, weights)[0] == 100


@given(st.dictionaries(st.sampled_from(sorted(_all_figures(0))), st.one_of(st.none(), st.floats(0, 1e6)), min_size=1),
       st.dictionaries(st.sampled_from(sorted(_all_figures(0))), st.one_of(st.none(), st.floats(0, 1e6)), min_size=1),
       st.floats(0, 1e5))
def test_the_score_is_bounded_and_safe_with_zeros(base: dict, variant: dict, tool_cost: float) -> None:
    total, _parts = score_one(base, variant, {"service": 1, "accessibility": 2, "efficiency": 1, "cost": 0.5}, 0.0, tool_cost)
    assert 0.0 <= total <= 200.0
    assert not math.isnan(total)
    assert score_one(base, base, {"service": 1, "accessibility": 1, "efficiency": 1, "cost": 1})[0] == 100.0


# --- the command line ---------------------------------------------------------------------------------


def test_cli_tools_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tools", str(SCENARIOS / "central-lending-hall.yaml"), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "rfid_kiosk" in out and "RFID self-service kiosk" in out
    assert main(["tools", str(SCENARIOS / "central-lending-hall.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"id": "priority_lane", "aim": "accessibility"}.items() <= next(t for t in data if t["id"] == "priority_lane").items()


def _small_hall(tmp_path: Path) -> Path:
    return write_one_day_hall(tmp_path / "hall-1-day.yaml")


def test_cli_run_with_tools_reports_tools_and_score(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _small_hall(tmp_path)
    assert main(["run", str(path), "--tools", "rfid_kiosk,five_s_desk", "-r", "3", "--workers", "1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tools"] == ["five_s_desk", "rfid_kiosk"]
    assert data["tool_points"] == 6
    assert set(data["score"]) == {"mean", "ci95", "parts"}
    assert data["score"]["mean"] != 100.0
    assert main(["run", str(path), "-r", "2", "--workers", "1", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["score"]["mean"] == 100.0


def test_cli_compare_with_tools_defaults_to_the_scenario_as_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _small_hall(tmp_path)
    assert main(["compare", str(path), "--tools", "pull_stack_runs", "-r", "3", "--workers", "1", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["baseline_tools"] == [] and data["tools"] == ["pull_stack_runs"]
    assert data["kpis"]["stack_order_lead_time_mean"]["verdict"] == "better"
    args = ["compare", str(path), "--baseline-tools", "pull_stack_runs", "--tools", "pull_stack_runs", "-r", "2",
            "--workers", "1", "--format", "json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["kpis"]["stack_order_lead_time_mean"]["diff"] == 0.0


def test_cli_unknown_tool_or_no_variant_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _small_hall(tmp_path)
    assert main(["run", str(path), "--tools", "magic_wand", "-r", "1", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert "--tools" in err and "magic_wand" in err and "Traceback" not in err
    assert main(["compare", str(path), "-r", "1", "--workers", "1"]) == 2
    assert "--variant" in capsys.readouterr().err


def test_a_wip_limit_below_a_batch_is_refused_and_limits_that_fit_flow() -> None:
    """A limit smaller than a batch next to it is a problem of the file (Little's law); tight limits
    whose batches fit them still flow (no deadlock)."""
    bad = changed(small_library(days=3), "acquisitions.route",
                  [{"step": "accession", "batch": 10, "wip_limit": 4}, {"step": "catalogue", "batch": 6, "wip_limit": 3}])
    with pytest.raises(ScenarioError) as info:
        build(bad)
    assert {p.code for p in info.value.problems} >= {"problem.wastes.wip_below_own", "problem.wastes.wip_below_upstream",
                                                     "problem.wastes.wip_below_downstream"}
    data = changed(small_library(days=3), "acquisitions.route",
                   [{"step": "accession", "batch": 3, "wip_limit": 4}, {"step": "catalogue", "batch": 3, "wip_limit": 3}])
    results = run_experiment(build(data), 2, seed=3, workers=1)
    assert results.kpis["acquisitions_shelved"].mean > 10
