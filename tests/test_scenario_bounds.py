"""Every distribution's range is bounded at validation: a time that can exceed a library day, or a number of
books returned at once past `MAX_BOOKS`, is a problem of the file (at the 0.9999 quantile), said in both
languages; the shipped scenarios and their tools stay within the bounds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from builders import SCENARIOS, changed, small_library

from sim.scenario import MAX_BOOKS, MAX_TIME_MIN, QUANTILE, ScenarioError, load_scenario, parse_scenario
from sim.scenario.checks import distributions_of, high_quantile

CYRILLIC = re.compile("[А-Яа-яЁё]")


def _refused(data: dict[str, Any]) -> list:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    return info.value.problems


@pytest.mark.parametrize(("path", "dist"), [
    ("steps.ask.time", {"dist": "lognormal", "mean": 1000, "sd": 20000}),  # draws up to about 1e300 in the far tail
    ("steps.ask.time", {"dist": "uniform", "low": 0, "high": 1e300}),
    ("steps.ask.time", {"dist": "exponential", "mean": 1e6}),
    ("steps.ask.time", {"dist": "fixed", "value": 2000}),
    ("groups.young.patience", {"dist": "gamma", "mean": 600, "sd": 6000}),
    ("reshelving.time_per_book", {"dist": "triangular", "low": 1, "mode": 2, "high": 5000}),
    ("stacks.run_time", {"dist": "exponential", "mean": 200}),
], ids=["lognormal", "uniform-1e300", "exponential-1e6", "fixed-2000", "patience", "reshelving", "stacks"])
def test_a_time_that_can_exceed_a_day_is_refused(path: str, dist: dict[str, Any]) -> None:
    problems = _refused(changed(small_library(days=2), path, dist))
    (problem,) = [p for p in problems if p.field == path]
    assert problem.code == "problem.check.dist_time"
    assert "more than a day of 1440 minutes" in problem.say("en")
    assert CYRILLIC.search(problem.say("ru")) and "больше суток" in problem.say("ru")


@pytest.mark.parametrize("dist", [
    {"dist": "fixed", "value": 1_000_000}, {"dist": "lognormal", "mean": 10, "sd": 200},
    {"dist": "uniform", "low": 1, "high": 1e300},
])
def test_too_many_books_returned_at_once_are_refused(dist: dict[str, Any]) -> None:
    problems = _refused(changed(small_library(days=2), "steps.check_in.returns_books", dist))
    (problem,) = [p for p in problems if p.field == "steps.check_in.returns_books"]
    assert problem.code == "problem.check.dist_books"
    assert f"more than {MAX_BOOKS:g}" in problem.say("en")
    assert "книг" in problem.say("ru")


def test_the_bounds_sit_at_the_high_quantile() -> None:
    # an exponential's 0.9999 quantile is 9.21 means: 150 minutes passes (1382), 160 does not (1474)
    parse_scenario(changed(small_library(days=2), "steps.ask.time", {"dist": "exponential", "mean": 150}))
    _refused(changed(small_library(days=2), "steps.ask.time", {"dist": "exponential", "mean": 160}))
    parse_scenario(changed(small_library(days=2), "steps.check_in.returns_books", {"dist": "fixed", "value": 50}))
    _refused(changed(small_library(days=2), "steps.check_in.returns_books", {"dist": "fixed", "value": 51}))


def test_a_tool_that_stretches_a_time_past_a_day_is_a_problem_of_the_tool() -> None:
    data = small_library(days=2)
    data["tools"] = {"slow": {
        "name": {"ru": "Медленно", "en": "Slow"}, "description": {"ru": "Медленно", "en": "Slow"}, "waste": "waiting",
        "cost": {"points": 1}, "expect": {"kpi": "wait_mean", "direction": "lower"},
        "effects": [{"op": "scale", "path": "steps.ask.time", "factor": 1000}],
    }}
    problems = _refused(data)
    assert [p.field for p in problems] == ["tools.slow.effects"]
    assert "after applying slow" in problems[0].say("en") and "steps.ask.time" in problems[0].say("en")
    assert "после применения slow" in problems[0].say("ru") and "больше суток" in problems[0].say("ru")


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_shipped_scenarios_are_within_the_bounds(path: Any) -> None:
    scenario = load_scenario(path)  # their tools too: loading tries each
    for _, dist, draws in distributions_of(scenario):
        assert high_quantile(dist, QUANTILE) <= (MAX_TIME_MIN if draws == "time" else MAX_BOOKS)
