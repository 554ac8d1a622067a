"""The study object: a scenario with tools against a baseline, paired and scored, in one place.

Its figures must equal the comparison assembled by hand (run both, `compare`, `balanced_score`), its
cache hook must spare a second computation, and no caller may assemble a study by hand again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from builders import ROOT, SCENARIOS, one_day_hall

from sim.experiment import Progress, Results, compare, run_experiment
from sim.lean import apply_tools, offered_tools
from sim.scenario import Scenario, ScenarioError, load_scenario
from sim.score import balanced_score
from sim.study import Study, variant_scenarios

REPS, SEED = 2, 11


@pytest.fixture(scope="module")
def hall() -> Scenario:
    return one_day_hall()


class Counting:
    """A runner that counts its runs and a cache that keeps them (the dashboard's hooks in small)."""

    def __init__(self) -> None:
        self.runs: list[str] = []
        self.kept: dict[tuple[str, int, int], Results] = {}

    def __call__(self, scenario: Scenario, seed: int, replications: int, progress: Progress | None) -> Results:
        self.runs.append(scenario.model_dump_json())
        return run_experiment(scenario, replications, seed, workers=1, progress=progress)

    def get(self, scenario: Scenario, seed: int, replications: int) -> Results | None:
        return self.kept.get((scenario.model_dump_json(), seed, replications))

    def put(self, scenario: Scenario, seed: int, replications: int, results: Results) -> None:
        self.kept[(scenario.model_dump_json(), seed, replications)] = results


def _same(a: Results, b: Results) -> None:
    assert a.kpis == b.kpis and a.groups == b.groups and a.seed == b.seed and a.replications == b.replications


def test_a_study_equals_the_comparison_assembled_by_hand(hall: Scenario) -> None:
    base_tools, tools = ["five_s_desk"], ["five_s_desk", "pull_stack_runs"]
    by_hand_base = run_experiment(apply_tools(hall, base_tools), REPS, SEED, workers=1)
    by_hand_var = run_experiment(apply_tools(hall, tools), REPS, SEED, workers=1)
    by_hand = compare(by_hand_base, by_hand_var)
    score = balanced_score(hall, by_hand_base, by_hand_var, base_tools, tools)

    done = Study(hall, tools, base_tools, SEED, REPS).run(workers=1)
    _same(done.baseline, by_hand_base)
    _same(done.variant, by_hand_var)
    assert done.comparison.kpis == by_hand.kpis and done.comparison.groups == by_hand.groups
    assert done.score == score
    assert done.tools == tools and done.baseline_tools == base_tools


def test_the_same_library_on_both_sides_is_run_once(hall: Scenario) -> None:
    counting = Counting()
    seen: list[tuple[int, int]] = []
    done = Study(hall, seed=SEED, replications=REPS).run(runner=counting, progress=lambda d, n: seen.append((d, n)))
    assert len(counting.runs) == 1
    assert done.baseline is done.variant
    assert done.score.total.mean == 100.0
    assert seen[-1] == (REPS, REPS)
    same_tools = Study(hall, ["five_s_desk"], ["five_s_desk"], SEED, REPS)
    assert same_tools.same_library and len(same_tools.scenarios) == 1


def test_progress_counts_both_runs_and_the_cache_spares_a_second_computation(hall: Scenario) -> None:
    counting = Counting()
    study = Study(hall, ["rfid_kiosk"], seed=SEED, replications=REPS)
    assert study.cached(counting) is None  # nothing kept yet: nothing computed either
    assert counting.runs == []
    seen: list[tuple[int, int]] = []
    first = study.run(runner=counting, cache=counting, progress=lambda d, n: seen.append((d, n)))
    assert len(counting.runs) == 2
    assert seen[-1] == (2 * REPS, 2 * REPS) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    again = study.run(runner=counting, cache=counting)
    assert len(counting.runs) == 2, "a study run again is answered from the cache"
    kept = study.cached(counting)
    assert kept is not None and kept.score == first.score == again.score
    assert kept.variant is first.variant


def test_another_library_as_the_variant_is_scored_against_the_first(hall: Scenario) -> None:
    data = hall.model_dump(mode="json", exclude_none=True)
    data["roles"]["librarian"]["staff"] = 4 if isinstance(data["roles"]["librarian"]["staff"], int) else [
        x + 1 for x in data["roles"]["librarian"]["staff"]]
    other = Scenario.model_validate(data)
    done = Study(hall, seed=SEED, replications=REPS, other=other).run(workers=1)
    assert done.baseline is not done.variant
    assert done.score == balanced_score(hall, done.baseline, done.variant)
    assert done.comparison.kpis["staff_cost"].diff is not None and done.comparison.kpis["staff_cost"].diff > 0


def test_an_unknown_tool_is_refused_when_the_study_is_made(hall: Scenario) -> None:
    with pytest.raises(ScenarioError):
        Study(hall, ["magic_wand"])


def test_judge_needs_runs_with_the_same_seed(hall: Scenario) -> None:
    a = run_experiment(hall, REPS, SEED, workers=1)
    b = run_experiment(hall, REPS, SEED + 1, workers=1)
    with pytest.raises(ValueError, match="same seed"):
        Study(hall, seed=SEED, replications=REPS).judge(a, b)


def test_variant_scenarios_apply_each_decision() -> None:
    hall = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    decisions = [[], ["rfid_kiosk"], ["pull_stack_runs", "five_s_desk"]]
    assert variant_scenarios(hall, decisions) == [apply_tools(hall, d) for d in decisions]


# --- which tools a round offers ------------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_offered_tools_are_every_offer_so_far_without_the_kept_ones(path: Path) -> None:
    scenario = load_scenario(path)
    for number in range(1, len(scenario.rounds) + 1):
        so_far = [x for r in scenario.rounds[:number] for x in r.offer]
        assert offered_tools(scenario, number) == so_far
        kept = so_far[:1]
        assert offered_tools(scenario, number, kept) == [x for x in so_far if x not in kept]


# --- no caller assembles a study by hand -------------------------------------------------------------------

CALLERS = ["sim/cli.py", "sim/training/compute.py", "dashboard/pages/sandbox.py", "dashboard/history.py",
           "dashboard/team_view.py", "dashboard/trainer_view.py"]
BY_HAND = {"balanced_score", "run_experiment", "apply_tools", "compare"}


@pytest.mark.parametrize("name", CALLERS)
def test_callers_use_the_study_object(name: str) -> None:
    tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
    called = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called.append(func.id if isinstance(func, ast.Name) else "")
    assert sorted(set(called) & BY_HAND) == [], f"{name} assembles a comparison by hand; use sim.study.Study"
    offers = [n for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "offer"]
    assert offers == [], f"{name} works out the round's offer itself; use sim.lean.offered_tools"


def test_the_variant_tools_are_priced_in_the_variant_library(hall: Scenario) -> None:
    """With `other`, the variant's tools come from its catalogue: a tool the baseline's library lacks is
    accepted and its running cost counted (same results on both sides, so only the price moves the score)."""
    branch = load_scenario(SCENARIOS / "branch-library.yaml")
    assert "rfid_kiosk" not in branch.tools and hall.tools["rfid_kiosk"].cost.roubles_per_day > 0
    runs = run_experiment(hall, REPS, SEED, workers=1)
    free = Study(branch, [], other=hall, seed=SEED, replications=REPS).judge(runs, runs)
    kiosk = Study(branch, ["rfid_kiosk"], other=hall, seed=SEED, replications=REPS).judge(runs, runs)
    assert free.score.parts["cost"].mean == 0
    assert kiosk.score.parts["cost"].mean < 0
