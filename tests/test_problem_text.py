"""Problems of scenario files carry a code and parameters, and their text in both languages comes from
the locale files: every problem the validator reports about the test corpora is said in Russian, the
Russian text holds no English words from the YAML parser, and every code used in sim/ has a text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from builders import ROOT, small_library

from sim.i18n import LANGS, MissingTranslation, catalogue
from sim.scenario import Problem, ScenarioError, load_scenario, parse_scenario, scenario_from_text

CORPUS = sorted((ROOT / "tests" / "bad_scenarios").glob("*.yaml"))
CYRILLIC = re.compile("[А-Яа-яЁё]")
MMC = (ROOT / "scenarios" / "mmc-desk.yaml").read_text(encoding="utf-8")


def _problems(path: Path) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value.problems


def _russian_is_russian(problem: Problem) -> None:
    russian = problem.say("ru")
    assert CYRILLIC.search(russian), russian
    assert problem.text("ru").endswith(russian)
    assert problem.text("en") == str(problem)
    assert problem.code.startswith("problem.") and problem.code in catalogue("ru")
    if problem.detail:  # words from elsewhere (parser, OS) are for English only
        assert problem.detail not in russian


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_each_problem_of_the_corpus_has_a_russian_text(path: Path) -> None:
    for problem in _problems(path):
        _russian_is_russian(problem)


EDGE_CASES = [
    ("stations.office.queue", "per_desk"), ("stacks.station", "kiosk"), ("stacks.interval_min", 1e-7),
    ("steps.ask.time", {"dist": "gamma", "mean": 1, "sd": 1e-200}), ("steps.search.on_not_found", "search"),
    ("warmup_hours", 40), ("calendar.open", "25:00"), ("calendar.close", "09:00"), ("steps.ask.time", {"dist": "uniform", "low": 3, "high": 1}),
    ("groups.young.purposes", {"return": 0.5, "borrow": 0.5, "nope": 0.0}), ("roles.keeper.skills", ["shelves"]),
    ("acquisitions.initial_wip", {"shelving": 3}), ("arrivals.per_hour", {"default": [1, 2, 3, 4], "funday": [1, 2, 3, 4]}),
    ("steps.ask.time", {"dist": "lognormal", "mean": 1000, "sd": 20000}), ("steps.ask.time", {"dist": "uniform", "low": 0, "high": 1e300}),
    ("title", {"ru": "", "en": "x"}), ("id", "Not An Id"), ("calendar.mode", "weekly"), ("purposes.borrow.route", []),
]


@pytest.mark.parametrize(("path", "value"), EDGE_CASES, ids=[f"{p}-{i}" for i, (p, _) in enumerate(EDGE_CASES)])
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
        _russian_is_russian(problem)
        assert problem.code != "problem.field.invalid", problem  # a pydantic error type we have no code for


SYNTAX = [
    MMC.replace("default: [40.5]", "default: [40.5"), MMC.replace("warmup_hours: 8", "warmup_hours: 8: 9"),
    MMC.replace("warmup_hours: 8", "\twarmup_hours: 8"), MMC.replace("warmup_hours: 8", "warmup_hours: 8\nwarmup_hours: 9"),
    MMC.replace("warmup_hours: 8", "warmup_hours: 8\x07"), "a: {b: 1\nc: 2\n", 'a: "abc\n', "a: b\nc\nd: e\n",
    "a:\n  - b\n c: d\n", "- a\nb: c\n", "a: 'x\n", "a: @b\n",
]


@pytest.mark.parametrize("text", SYNTAX, ids=[f"syntax-{i}" for i in range(len(SYNTAX))])
def test_yaml_errors_are_said_in_russian_without_the_parsers_english(text: str) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "x.yaml")
    (problem,) = info.value.problems
    assert problem.code.startswith("problem.yaml.")
    english, russian = problem.say("en"), problem.say("ru")
    assert english.startswith("not valid YAML") or "YAML" in english
    assert CYRILLIC.search(russian), russian
    # no run of three English words (the parser's phrases) inside the Russian text
    assert not re.search(r"[A-Za-z]+ [A-Za-z]+ [A-Za-z]+", russian), russian


def test_every_problem_code_in_the_code_has_a_text_in_both_languages() -> None:
    used: set[str] = set()
    for path in [*(ROOT / "sim").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]:
        used |= set(re.findall(r"\"(problem\.[a-z0-9_]+\.[a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    assert len(used) > 80
    for lang in LANGS:
        assert sorted(used - set(catalogue(lang))) == [], lang


def test_numbers_take_the_russian_decimal_comma() -> None:
    data = small_library(days=2)
    data["groups"]["young"]["share"] = 0.25
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    (problem,) = [p for p in info.value.problems if p.field == "groups"]
    assert "(they add up to 0.65)" in problem.say("en")
    assert "(сейчас 0,65)" in problem.say("ru")


def test_an_unknown_code_is_an_error_not_a_silent_english_text() -> None:
    with pytest.raises(MissingTranslation):
        Problem((), "problem.nobody.wrote_this").say("ru")


def test_a_value_is_shown_as_yaml_writes_it() -> None:
    data = small_library(days=2)
    data["roles"]["keeper"]["staff"] = True
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    (problem,) = info.value.problems
    assert problem.say("en") == "must be a whole number or a list of them (got true)"
    assert problem.say("ru") == "должно быть целым числом или списком целых чисел (получено true)"
