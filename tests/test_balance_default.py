"""The default scenario's game is balanced: no fixed rule wins it (the balance issue's criteria).

On the README's run of `lean-sim balance scenarios/central-lending-hall.yaml` (10 replications, its
seed, every affordable set in every round), for every round with tools on offer:

- other sets are statistically tied with the best (95% paired interval of the score difference
  includes zero), so a team has a real choice: at least two;
- the best set spends at least 80% of the round's budget, so the budget binds;

and over the game:

- every tool on offer is in a set tied with the best in some round (none is never worth taking);
- at the end, a fairness-first strategy and a back-office-first one are tied with the best.

The full run's table is in the README ("The default scenario today").
"""

from __future__ import annotations

import pytest

from sim.balance import Balance, analyse
from sim.balance.results import RoundBalance
from sim.scenario import Scenario, load_scenario
from tests.builders import ROOT

SEED = 20241115
REPLICATIONS = 10  # the README's run, so the test checks the table it shows


@pytest.fixture(scope="module")
def hall() -> Scenario:
    return load_scenario(ROOT / "scenarios" / "central-lending-hall.yaml")


@pytest.fixture(scope="module")
def balance(hall: Scenario) -> Balance:
    return analyse(hall, REPLICATIONS, SEED, workers=2, top=1000)


def playing_rounds(balance: Balance) -> list[RoundBalance]:
    return [r for r in balance.rounds if r.on_offer]


def test_every_round_offers_a_real_choice(balance: Balance) -> None:
    rounds = playing_rounds(balance)
    assert len(rounds) == 4
    for r in rounds:
        assert r.search == "all", f"round {r.number}: every affordable set should be run"
        assert r.tied >= 2, f"round {r.number}: only {r.tied} sets tied with the best {r.best[0].new}"


def test_the_budget_binds(balance: Balance) -> None:
    for r in playing_rounds(balance):
        spent = r.budget - r.unspent
        assert spent >= 0.8 * r.budget, f"round {r.number}: the best set spends {spent} of {r.budget}"


def test_no_tool_is_never_worth_taking(hall: Scenario, balance: Balance) -> None:
    offered = {t for r in balance.rounds for t in r.on_offer} | {t for r in balance.rounds for t in r.kept}
    worth = {t for r in balance.rounds for s in r.best if s.tied or s.identical or s is r.best[0] for t in s.new}
    assert offered == set(hall.tools)
    assert offered - worth == set()
    assert not [w for w in balance.warnings if w.kind == "tool_never_pays"]


@pytest.mark.parametrize("strategy", ["fairness_first", "back_office_first"])
def test_single_idea_strategies_keep_up_at_the_end(balance: Balance, strategy: str) -> None:
    result = next(s for s in balance.rounds[-1].strategies if s.name == strategy)
    assert result.tied, f"{strategy}: {result.diff.mean:+.1f} ({result.diff.ci95}) against the best"
