"""The balance analysis (sim.balance), where the work runs (sim.executors), and `lean-sim balance`."""

from __future__ import annotations

import itertools
import json
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.balance import Balance, BalanceError, analyse, strategy_tools
from sim.executors import ExecutorError, executor_for
from sim.experiment import run_experiment
from sim.lean import apply_tools, tool_points
from sim.scenario import Scenario
from sim.score import balanced_score
from tests.builders import ROOT, build, small_library, text

SEED = 7
REPS = 8


def tool(name: str, points: int, kpi: str, effects: list[dict[str, Any]], *, waste: str | None = "waiting",
         group: str | None = None) -> dict[str, Any]:
    expect: dict[str, Any] = {"kpi": kpi, "direction": "higher" if kpi == "first_pass_yield" else "lower"}
    if group:
        expect["group"] = group
    data: dict[str, Any] = {"name": text(name), "description": text("a tool for tests"), "cost": {"points": points},
                            "expect": expect, "effects": effects}
    if waste:
        data["waste"] = waste
    else:
        data["aim"] = "accessibility"
    return data


def game(budgets: tuple[int, int] = (3, 2), days: int = 2) -> dict[str, Any]:
    """The small library with five tools and three rounds: one desk tool, two back-office tools, one
    accessibility tool, and one that promises fewer errors but slows every desk step by half."""
    data = small_library(days)
    data["tools"] = {
        "desk_fast": tool("desk_fast", 2, "wait_mean", [{"op": "scale", "path": "steps[station=desk].time", "factor": 0.6}], waste="motion"),
        "stacks_fast": tool("stacks_fast", 1, "stack_order_lead_time_mean", [{"op": "scale", "path": "stacks.run_time", "factor": 0.5}]),
        "errors": tool("errors", 1, "first_pass_yield", [{"op": "scale", "path": "steps[station=desk].time", "factor": 1.5}],
                       waste="defects"),
        "small_batches": tool("small_batches", 2, "reshelve_lead_time_mean", [{"op": "set", "path": "reshelving.batch_size", "value": 5}],
                              waste="inventory"),
        "priority_old": tool("priority_old", 1, "wait_mean", [{"op": "set", "path": "stations.desk.priority_groups", "value": ["old"]}],
                             waste=None, group="old"),
    }
    plan = {"title": text("Round"), "brief": text("Choose.")}
    data["rounds"] = [
        {**plan, "offer": [], "budget": 0},
        {**plan, "offer": ["desk_fast", "stacks_fast", "errors"], "budget": budgets[0]},
        {**plan, "offer": ["small_batches", "priority_old"], "budget": budgets[1]},
    ]
    return data


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return build(game())


@pytest.fixture(scope="module")
def balance(scenario: Scenario) -> Balance:
    return analyse(scenario, REPS, SEED, workers=1, top=1000)


def affordable(scenario: Scenario, on_offer: tuple[str, ...], budget: int) -> int:
    return sum(1 for n in range(len(on_offer) + 1) for combo in itertools.combinations(on_offer, n)
               if tool_points(scenario, combo) <= budget)


def test_every_affordable_set_is_run_once_per_round(scenario: Scenario, balance: Balance) -> None:
    r1, r2, r3 = balance.rounds
    assert (r1.affordable, r1.evaluated, r1.search) == (1, 1, "all")
    assert r1.best[0].new == () and r1.best[0].score.mean == 100.0
    assert r2.on_offer == ("desk_fast", "stacks_fast", "errors")
    # costs 2, 1, 1 within 3 points: nothing, three singles, three pairs (all three cost 4)
    assert r2.affordable == r2.evaluated == 7 == len(r2.best)
    assert r3.kept == r2.best[0].tools
    assert r3.on_offer == tuple(t for t in scenario.tools if t not in r3.kept)
    assert r3.affordable == r3.evaluated == affordable(scenario, r3.on_offer, 2) == len(r3.best)
    for r in balance.rounds:
        assert len({s.tools for s in r.best}) == len(r.best)  # distinct sets
        for s in r.best:
            assert s.points == tool_points(scenario, s.new) <= r.budget
            assert s.unspent == r.budget - s.points
            assert set(r.kept) <= set(s.tools)
        assert r.unspent == r.best[0].unspent
        means = [s.score.mean for s in r.best]
        assert means == sorted(means, reverse=True)  # type: ignore[type-var]


def test_ties_are_paired_intervals_that_include_zero(balance: Balance) -> None:
    for r in balance.rounds:
        assert not r.best[0].tied and r.best[0].diff.mean == 0
        for s in r.best[1:]:
            lo, hi = s.diff.ci95 or (1.0, 1.0)
            assert s.tied == (not s.identical and lo <= 0 <= hi)
        assert r.tied == sum(s.tied for s in r.best[1:])
        assert r.identical == sum(s.identical for s in r.best[1:])


def test_a_sets_score_is_the_balanced_score_of_its_runs(scenario: Scenario, balance: Balance) -> None:
    best = balance.rounds[1].best[0]
    as_is = run_experiment(scenario, REPS, SEED, workers=1)
    variant = run_experiment(apply_tools(scenario, best.tools), REPS, SEED, workers=1)
    score = balanced_score(scenario, as_is, variant, (), best.tools)
    assert best.score.mean == pytest.approx(score.total.mean, abs=1e-9)
    assert best.score.ci95 == pytest.approx(score.total.ci95, abs=1e-9)


def test_a_round_with_events_runs_and_scores_its_sets_with_them() -> None:
    """Round 3 switches a librarian's absence on: its sets and its as-is library run with it, and a set's
    score there is the balanced score against the as-is library of that round, as a session computes."""
    from sim.events import for_round

    data = game()
    data["events"] = {"sick": {"name": text("Sick"), "description": text("One librarian off."), "source": "assumption",
                               "kind": "staff_absence", "role": "librarian", "day": 1, "count": 1}}
    data["rounds"][2]["events"] = ["sick"]
    with_event = build(data)
    found = analyse(with_event, REPS, SEED, workers=1, top=1000)
    plain = analyse(build(game()), REPS, SEED, workers=1, top=1000)
    assert found.rounds[1].best[0].score == plain.rounds[1].best[0].score  # round 2 has no events
    assert found.rounds[2].best[0].score != plain.rounds[2].best[0].score
    assert found.runs > plain.runs  # the kept set and the as-is library again, with the absence

    library = for_round(with_event, 3)
    best = found.rounds[2].best[0]
    as_is = run_experiment(library, REPS, SEED, workers=1)
    variant = run_experiment(apply_tools(library, best.tools), REPS, SEED, workers=1)
    assert best.score.mean == pytest.approx(balanced_score(library, as_is, variant, (), best.tools).total.mean, abs=1e-9)


def test_strategy_classes_come_from_the_tool_data(scenario: Scenario, balance: Balance) -> None:
    assert strategy_tools(scenario) == {"desk_only": ["desk_fast"], "back_office_only": ["stacks_fast", "small_batches"],
                                        "back_office_first": ["stacks_fast", "small_batches"],
                                        "fairness_first": ["priority_old"]}
    last = {s.name: s for s in balance.rounds[-1].strategies}
    assert set(last["desk_only"].tools) <= {"desk_fast"}
    assert set(last["back_office_only"].tools) <= {"stacks_fast", "small_batches"}
    assert "priority_old" in last["fairness_first"].tools  # bought first, and it fits the budget of round 3
    assert "small_batches" in last["back_office_first"].tools  # the best back-office purchase of round 3


def test_a_tool_that_only_adds_errors_never_pays(balance: Balance) -> None:
    never = {w.params["tool"] for w in balance.warnings if w.kind == "tool_never_pays"}
    assert "errors" in never
    assert "desk_fast" not in never


def test_a_loose_budget_and_a_dominating_rule_are_warned(scenario: Scenario) -> None:
    loose = build(game(budgets=(9, 9)))
    result = analyse(loose, REPS, SEED, workers=1)
    for r in result.rounds[1:]:
        kinds = {w.kind for w in r.warnings}
        assert "budget_not_binding" in kinds, r.warnings
    assert result.rounds[1].unspent >= 5  # everything on offer costs 4 of 9 points
    never_worse = {w.params["tool"] for w in result.warnings if w.kind == "tool_never_worse"}
    assert "desk_fast" in never_worse and "errors" not in never_worse
    # a round that offers only the desk tool: desk only is the best, back office only buys nothing
    data = game()
    data["rounds"] = [{**data["rounds"][1], "offer": ["desk_fast"], "budget": 2}]
    only_desk = analyse(build(data), REPS, SEED, workers=1)
    assert [w.params for w in only_desk.rounds[0].warnings if w.kind == "one_rule_dominates"] == [{"strategy": "desk_only"}]


def test_the_beam_search_runs_fewer_sets_within_the_budget(scenario: Scenario, balance: Balance) -> None:
    beam = analyse(scenario, REPS, SEED, workers=1, max_sets=3, beam=1, top=1000)
    r2 = beam.rounds[1]
    assert r2.search == "beam" and r2.affordable == 7
    # nothing, then the three singles, then the two pairs that extend the best single
    assert r2.evaluated == 1 + 3 + 2
    assert all(s.points <= r2.budget for s in r2.best)
    # a set's figures do not depend on the search that found it
    full = {s.tools: s.score.mean for s in balance.rounds[1].best}
    assert all(full[s.tools] == s.score.mean for s in r2.best)


def test_each_set_of_tools_in_force_is_run_once(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.balance.search

    calls: list[tuple[str, int]] = []
    real = sim.balance.search.replicate

    def counting(variant: Scenario, seed: int, replication: int, memory_limit: int) -> Any:
        calls.append((variant.model_dump_json(), replication))
        return real(variant, seed, replication, memory_limit)

    monkeypatch.setattr(sim.balance.search, "replicate", counting)
    result = analyse(scenario, 2, SEED, workers=1)
    assert len(calls) == len(set(calls)) == 2 * result.runs
    # rounds and strategies meet on the same sets: fewer runs than sets looked at
    looked_at = sum(r.evaluated for r in result.rounds)
    assert result.runs < looked_at


def test_no_round_plan_and_one_replication_are_refused() -> None:
    with pytest.raises(BalanceError, match="no round plan"):
        analyse(build(small_library()), REPS, SEED, workers=1)
    with pytest.raises(BalanceError, match="at least 2"):
        analyse(build(game()), 1, SEED, workers=1)


def test_json_and_tables_in_both_languages(scenario: Scenario, balance: Balance) -> None:
    data = json.loads(json.dumps(balance.to_json()))
    assert [r["round"] for r in data["rounds"]] == [1, 2, 3]
    assert data["rounds"][1]["affordable"] == 7
    assert {"kind": "tool_never_pays", "round": None, "tool": "errors"} in data["warnings"]
    en = balance.table("en", scenario)
    ru = balance.table("ru", scenario)
    assert "Round 2, budget 3 points" in en and "Раунд 2, бюджет 3 балла" in ru
    assert "A tool never pays: errors" in en
    assert "Инструмент ни разу не вошёл в число лучших" in ru
    # decimal comma in the scores, and the interval as the CLI's and the dashboard's Russian say it
    assert re.search(r"от 1\d\d,\d до 1\d\d,\d", ru) and "95% ДИ" in ru and ".." not in ru
    assert re.search(r"1\d\d\.\d \.\. 1\d\d\.\d", en)


# --- where the work runs ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_scheduler_is_one_plain_error() -> None:
    port = _free_port()
    with pytest.raises(ExecutorError, match="cannot reach the Dask scheduler"), executor_for(f"tcp://127.0.0.1:{port}"):
        pass
    with pytest.raises(ExecutorError, match="not a scheduler address") as refused, executor_for("my laptop"):
        pass
    # said in the run's language (it was English under --lang ru)
    assert refused.value.text("ru").startswith("--dask my laptop: это не адрес планировщика")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120, cwd=ROOT)


def test_cli_balance_json_and_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "game.yaml"
    path.write_text(json.dumps(game()), encoding="utf-8")  # JSON is YAML
    done = _cli("balance", str(path), "-r", "2", "--seed", "3", "--workers", "1", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["replications"] == 2 and len(data["rounds"]) == 3
    table = _cli("balance", str(path), "-r", "2", "--workers", "1", "--lang", "en")
    assert table.returncode == 0 and "Round 3, budget 2 points" in table.stdout
    bad_cases = [
        ("balance", str(ROOT / "scenarios" / "mmc-desk.yaml"), "-r", "2"),
        ("balance", str(path), "-r", "2", "--dask", f"tcp://127.0.0.1:{_free_port()}"),
        ("run", str(path), "-r", "2", "--dask", f"tcp://127.0.0.1:{_free_port()}"),
        ("compare", str(path), "-r", "2", "--tools", "desk_fast", "--dask", "nowhere"),
    ]
    for case in bad_cases:
        bad = _cli(*case)
        assert bad.returncode == 2, (case, bad.stderr)
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr, bad.stderr


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None,
                                  silence_logs=40) as local:
        yield local.scheduler_address


def test_a_dask_cluster_gives_the_local_pools_figures(cluster: str, scenario: Scenario) -> None:
    with executor_for(None, 2) as pool:
        local = run_experiment(scenario, 6, SEED, executor=pool)
    with executor_for(cluster) as remote:
        on_cluster = run_experiment(scenario, 6, SEED, executor=remote)
    assert on_cluster.to_json() == local.to_json()
    assert [r.kpis for r in on_cluster.per_replication] == [r.kpis for r in local.per_replication]


def test_a_balance_on_a_dask_cluster_equals_the_local_pools(cluster: str, scenario: Scenario) -> None:
    with executor_for(None, 2) as pool:
        local = analyse(scenario, 3, SEED, executor=pool)
    with executor_for(cluster) as remote:
        on_cluster = analyse(scenario, 3, SEED, executor=remote)
    assert on_cluster.to_json() == local.to_json()
    in_process = analyse(scenario, 3, SEED, workers=1)
    assert in_process.to_json() == local.to_json()


def test_cli_run_with_dask_equals_the_local_run(cluster: str, tmp_path: Path) -> None:
    path = tmp_path / "game.yaml"
    path.write_text(json.dumps(game()), encoding="utf-8")
    args = ("run", str(path), "-r", "3", "--tools", "desk_fast", "--format", "json")
    local = _cli(*args, "--workers", "1")
    remote = _cli(*args, "--dask", cluster)
    assert local.returncode == remote.returncode == 0, remote.stderr
    assert json.loads(remote.stdout) == json.loads(local.stdout)


def test_an_output_that_cannot_be_written_is_said_before_the_analysis(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """`--out` into a missing folder was found only after the whole analysis had run (minutes)."""
    import time

    from sim.cli import main

    started = time.monotonic()
    status = main(["balance", str(ROOT / "scenarios" / "central-lending-hall.yaml"), "--out", str(tmp_path / "no" / "x.txt"),
                   "--lang", "ru"])
    assert status == 2 and time.monotonic() - started < 20  # nothing was run
    assert capsys.readouterr().err == f"{tmp_path / 'no' / 'x.txt'}: запись невозможна: такой папки нет\n"
    assert main(["balance", str(ROOT / "scenarios" / "mmc-desk.yaml"), "--lang", "ru"]) == 2
    assert "в сценарии нет плана раундов" in capsys.readouterr().err
