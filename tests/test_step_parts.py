"""Work content with value classes inside a step: a step's time as parts, each with its own value
class; the model logs them, PCE and the value-stream map count them, a tool scales or removes one."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from builders import build, small_library

from sim.eventlog import Ev
from sim.experiment import run_experiment
from sim.metrics import compute_metrics
from sim.model import simulate
from sim.scenario import ScenarioError, parse_scenario
from sim.scenario.effects import apply_effect
from sim.vsm import acquisitions_stream, purpose_stream

SEED = 7


def _parted(days: int = 2) -> dict:
    """The small library with check-out split into issuing (value-added) and finding the form (motion),
    and accession into the record (necessary) and a second paper record (over-processing)."""
    data = small_library(days)
    out = data["steps"]["check_out"]
    del out["time"]
    out["error_rate"] = 0.2
    out["parts"] = [
        {"id": "issue", "name": {"ru": "Выдача", "en": "Issue"}, "time": {"dist": "lognormal", "mean": 1.5, "sd": 0.6},
         "value": "value_added"},
        {"id": "find_form", "name": {"ru": "Поиск формуляра", "en": "Find the form"},
         "time": {"dist": "triangular", "low": 0.2, "mode": 0.5, "high": 1}, "value": "waste", "waste": "motion"},
    ]
    acc = data["steps"]["accession"]
    del acc["time"]
    acc["parts"] = [
        {"id": "record", "name": {"ru": "Запись", "en": "Record"}, "time": {"dist": "fixed", "value": 2}},
        {"id": "paper", "name": {"ru": "Бумажная книга", "en": "Paper book"}, "time": {"dist": "fixed", "value": 1.5},
         "value": "waste", "waste": "overprocessing"},
    ]
    return data


def _part_rows(log, step_id: str) -> np.ndarray:
    return (log.kind == Ev.PART) & (log.step == log.step_ids.index(step_id))


def test_parts_add_up_to_the_step_and_follow_each_visit() -> None:
    scenario = build(_parted())
    log = simulate(scenario, SEED, 0)
    step = log.step_ids.index("check_out")
    ends = np.nonzero(((log.kind == Ev.SERVICE_END) | (log.kind == Ev.SELF_END)) & (log.step == step))[0]
    assert len(ends) > 20
    # the parts follow their step's end, in order, one row each, for the same reader
    rows = np.nonzero(_part_rows(log, "check_out"))[0]
    assert len(rows) == 2 * len(ends)
    issue, find = rows[0::2], rows[1::2]
    assert np.array_equal(log.entity[issue], log.entity[ends]) and np.array_equal(log.entity[find], log.entity[ends])
    # they add up to the step's time, reworks included (a rework redoes every part); no walking here
    assert ((log.kind == Ev.REWORK) & (log.step == step)).any()
    assert np.allclose(log.value[issue] + log.value[find], log.value[ends])
    # the back office logs its parts per item too: 2 + 1.5 minutes, fixed
    acc = _part_rows(log, "accession")
    assert acc.any() and set(np.round(log.value[acc], 9)) == {2.0, 1.5}


def test_a_step_without_parts_draws_what_it_drew_before() -> None:
    """Splitting one step into parts changes no other step's draws (common random numbers)."""
    plain, parted = small_library(2), _parted(2)
    parted["steps"]["accession"] = plain["steps"]["accession"]
    parted["steps"]["check_out"]["error_rate"] = plain["steps"]["check_out"].get("error_rate", 0.0)
    a, b = simulate(build(plain), SEED, 0), simulate(build(parted), SEED, 0)
    for log in (a, b):
        assert log.step_ids.index("check_in") == a.step_ids.index("check_in")
    step = a.step_ids.index("check_in")
    ends_a = (a.kind == Ev.SERVICE_END) & (a.step == step)
    ends_b = (b.kind == Ev.SERVICE_END) & (b.step == step)
    # the same readers check in with the same times (the queue may differ, the draws do not)
    by_reader_a = dict(zip(a.entity[ends_a].tolist(), a.value[ends_a].tolist(), strict=True))
    by_reader_b = dict(zip(b.entity[ends_b].tolist(), b.value[ends_b].tolist(), strict=True))
    common = set(by_reader_a) & set(by_reader_b)
    assert len(common) > 20 and all(by_reader_a[n] == by_reader_b[n] for n in common)


def test_a_tool_removes_one_part_and_keeps_the_others_draws() -> None:
    data = _parted()
    gone = copy.deepcopy(data)
    apply_effect(gone, {"op": "scale", "path": "steps[id=check_out].parts[id=find_form].time", "factor": 0})
    assert gone["steps"]["check_out"]["parts"][1]["time"] == {"dist": "fixed", "value": 0.0}
    a, b = simulate(build(data), SEED, 0), simulate(build(gone), SEED, 0)
    ra, rb = np.nonzero(_part_rows(a, "check_out"))[0], np.nonzero(_part_rows(b, "check_out"))[0]
    issue_a = dict(zip(a.entity[ra[0::2]].tolist(), a.value[ra[0::2]].tolist(), strict=True))
    issue_b = dict(zip(b.entity[rb[0::2]].tolist(), b.value[rb[0::2]].tolist(), strict=True))
    common = set(issue_a) & set(issue_b)
    assert len(common) > 20 and all(issue_a[n] == issue_b[n] for n in common)
    assert float(b.value[rb[1::2]].sum()) == 0.0 < float(a.value[ra[1::2]].sum())
    ka = compute_metrics(build(data), a).kpis
    kb = compute_metrics(build(gone), b).kpis
    assert ka["motion_min_per_day"] > 0 and kb["motion_min_per_day"] == 0
    # removing a part by its id works as well
    removed = copy.deepcopy(data)
    apply_effect(removed, {"op": "remove", "path": "steps.accession.parts[id=paper]"})
    assert [p["id"] for p in removed["steps"]["accession"]["parts"]] == ["record"]
    kr = compute_metrics(build(removed), simulate(build(removed), SEED, 0)).kpis
    assert ka["overprocessing_min_per_day"] > 0 and kr["overprocessing_min_per_day"] == 0


def test_waste_minutes_per_day_are_the_parts_minutes() -> None:
    scenario = build(_parted(3))
    log = simulate(scenario, SEED, 0)
    kpis = compute_metrics(scenario, log).kpis
    rows = np.nonzero(_part_rows(log, "check_out"))[0][1::2]
    assert kpis["motion_min_per_day"] == pytest.approx(float(log.value[rows].sum()) / 3)
    acc = np.nonzero(_part_rows(log, "accession"))[0][1::2]
    assert kpis["overprocessing_min_per_day"] == pytest.approx(1.5 * len(acc) / 3)
    # a scenario without parts has no such figures
    assert compute_metrics(build(small_library(1)), simulate(build(small_library(1)), SEED, 0)).kpis[
        "motion_min_per_day"] is None


def test_pce_and_the_value_stream_count_the_parts_value_classes() -> None:
    data = _parted(3)
    data["steps"]["check_out"]["value"] = "waste"  # the step's own label does not count: its parts do
    results = run_experiment(build(data), 3, seed=2, workers=1)
    stream = purpose_stream(build(data), results, "borrow")
    out = next(s for s in stream.steps if s.step_id == "check_out")
    assert [p.part_id for p in out.parts] == ["issue", "find_form"]
    assert out.parts[1].waste == "motion" and out.parts[0].value == "value_added"
    assert sum(p.process_min for p in out.parts) == pytest.approx(out.process_min)
    assert out.parts[0].process_min > 0 and out.value_added_min == pytest.approx(out.parts[0].process_min)
    assert stream.value_added_min == pytest.approx(out.parts[0].process_min)  # the search is necessary
    acq = acquisitions_stream(build(data), results)
    assert acq is not None
    accession = acq.steps[0]
    assert [p.process_min for p in accession.parts] == pytest.approx([2.0, 1.5])
    # the readers' PCE counts the issuing part as value-added: it rises with the step labelled waste
    whole = copy.deepcopy(data)
    whole["steps"]["check_out"] = small_library(3)["steps"]["check_out"]
    whole["steps"]["check_out"]["value"] = "waste"
    pce_parts = results.kpis["pce"].mean
    pce_whole = run_experiment(build(whole), 3, seed=2, workers=1).kpis["pce"].mean
    assert pce_parts is not None and pce_whole is not None and pce_parts > pce_whole


@pytest.mark.parametrize(("change", "code", "field"), [
    (lambda s: s["check_out"].__setitem__("time", {"dist": "fixed", "value": 1}), "problem.parts.time_and_parts",
     "steps.check_out.parts"),
    (lambda s: s["check_out"]["parts"][1].__setitem__("id", "issue"), "problem.parts.duplicate",
     "steps.check_out.parts[1].id"),
    (lambda s: s["check_out"]["parts"][0].__setitem__("waste", "motion"), "problem.parts.waste_not_waste", None),
    (lambda s: s["wait_stacks"].__setitem__("parts", copy.deepcopy(s["check_out"]["parts"])),
     "problem.parts.stack_delivery", "steps.wait_stacks.parts"),
    (lambda s: s["check_out"].__setitem__("parts", []), None, "steps.check_out.parts"),
])
def test_bad_parts_are_refused_with_a_clear_problem(change, code, field) -> None:
    data = _parted(1)
    change(data["steps"])
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    problems = info.value.problems
    if code is not None:
        assert code in [p.code for p in problems], info.value
    if field is not None:
        assert field in [p.field for p in problems], info.value
    for p in problems:
        assert p.say("ru") and p.say("en") and "{" not in p.say("ru") and "{" not in p.say("en")


def test_a_selector_passes_over_steps_without_the_rest_of_the_path() -> None:
    data = _parted(1)
    apply_effect(data, {"op": "scale", "path": "steps[station=desk].time", "factor": 0.5})
    assert data["steps"]["check_in"]["time"]["mean"] == pytest.approx(0.75)  # check-out has parts, no time
    apply_effect(data, {"op": "scale", "path": "steps[station=desk].parts[waste=motion].time", "factor": 0})
    assert data["steps"]["check_out"]["parts"][1]["time"]["value"] == 0
    from sim.scenario.effects import EffectError

    with pytest.raises(EffectError) as info:
        apply_effect(data, {"op": "scale", "path": "steps[station=desk].tme", "factor": 0.5})
    assert info.value.code == "problem.effect.picks_nothing"


def test_the_waste_walk_finds_the_wastes_parts_name() -> None:
    from sim.wastewalk import measure_wastes

    scenario = build(_parted(3))
    log = simulate(scenario, SEED, 0)
    found = {(w.waste, w.where): w for w in measure_wastes(scenario, log)}
    motion = found[("motion", "check_out")]
    rows = np.nonzero(_part_rows(log, "check_out"))[0][1::2]
    assert motion.amount == pytest.approx(float(log.value[rows].sum())) and motion.count == len(rows)
    assert ("overprocessing", "accession") in found


def test_the_value_stream_map_names_each_part() -> None:
    from dashboard.charts import vsm

    data = _parted(2)
    scenario = build(data)
    results = run_experiment(scenario, 2, seed=2, workers=1)
    for lang, words in (("en", ("Find the form", "Motion")), ("ru", ("Поиск формуляра", "Перемещения"))):
        for compact in (False, True):
            fig = vsm(purpose_stream(scenario, results, "borrow"), lang, compact=compact)
            text = " ".join(a.text for a in fig.layout.annotations)
            assert all(w in text for w in words), (lang, compact, text)
