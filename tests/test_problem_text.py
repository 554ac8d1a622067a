"""Every problem the validator can report about the test corpora is said in Russian as well."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import ROOT, small_library

from sim.problem_text import translate
from sim.scenario import ScenarioError, load_scenario, parse_scenario

CORPUS = sorted((ROOT / "tests" / "bad_scenarios").glob("*.yaml"))
CYRILLIC = re.compile("[А-Яа-яЁё]")


def _problems(path: Path) -> list:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_problem_of_the_corpus_has_a_russian_text(path: Path) -> None:
    for problem in _problems(path):
        russian = translate(problem.message, "ru")
        assert russian is not None, problem.message
        assert CYRILLIC.search(russian), russian
        assert problem.text("ru").endswith(russian)
        assert problem.text("en") == str(problem)


EDGE_CASES = [
    ("stations.office.queue", "per_desk"), ("stacks.station", "kiosk"), ("stacks.interval_min", 1e-7),
    ("steps.ask.time", {"dist": "gamma", "mean": 1, "sd": 1e-200}), ("steps.search.on_not_found", "search"),
    ("warmup_hours", 40), ("calendar.open", "25:00"), ("calendar.close", "09:00"), ("steps.ask.time", {"dist": "uniform", "low": 3, "high": 1}),
    ("groups.young.purposes", {"return": 0.5, "borrow": 0.5, "nope": 0.0}), ("roles.keeper.skills", ["shelves"]),
    ("acquisitions.initial_wip", {"shelving": 3}), ("arrivals.per_hour", {"default": [1, 2, 3, 4], "funday": [1, 2, 3, 4]}),
]


@pytest.mark.parametrize(("path", "value"), EDGE_CASES, ids=[p for p, _ in EDGE_CASES])
def test_each_edge_case_problem_has_a_russian_text(path: str, value: object) -> None:
    data = small_library(days=2)
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[part]
    node[parts[-1]] = value
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    for problem in info.value.problems:
        russian = translate(problem.message, "ru")
        assert russian is not None and CYRILLIC.search(russian), problem.message


def test_an_unknown_message_is_not_invented() -> None:
    assert translate("something nobody wrote a rule for", "ru") is None
    assert translate("anything", "en") == "anything"
