"""What a balance analysis finds, round by round, and its JSON form (see `sim.balance`)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from ..experiment import Estimate
from ..scenario import Scenario

DEFAULT_REPLICATIONS = 10
DEFAULT_MAX_SETS = 200
DEFAULT_BEAM = 3
DEFAULT_TOP = 5
MIN_SPENT_SHARE = 0.8  # a best set spending less than this share of the budget: the budget does not bind

DESK_FIGURES = frozenset({
    "wait_mean", "wait_p90", "time_in_library_mean", "left_unserved_share", "readers_left_unserved",
    "served_within_15_share",
})
BACK_OFFICE_FIGURES = frozenset({
    "stack_order_lead_time_mean", "reshelve_lead_time_mean", "books_not_found", "books_not_found_share",
    "acquisitions_lead_time_days", "acquisitions_requested_lead_time_days", "acquisitions_shelved",
    "backoffice_wip_mean", "backoffice_in_process_mean",
})
STRATEGIES = ("desk_only", "back_office_only", "back_office_first", "fairness_first")
FIXED_RULES = ("desk_only", "back_office_only")  # strategies that buy only their own kind of tool
Search = Literal["all", "beam"]
WarningKind = Literal["budget_not_binding", "one_rule_dominates", "tool_never_pays", "tool_never_worse"]
Progress = Callable[[int, int], None]
Key = tuple[str, ...]  # tools in force, catalogue order


class BalanceError(ValueError):
    """A scenario or setting the analysis cannot use; the message names what is wrong."""


@dataclass(frozen=True)
class SetResult:
    """One set of tools in force at the end of a round, its score, and how it stands against the best."""

    tools: Key  # every tool in force
    new: Key  # bought in this round
    points: int  # cost of the new tools, in the budget's unit (`Balance.unit`: whole roubles or points)
    unspent: int  # budget left, in the same unit
    score: Estimate
    diff: Estimate  # paired score difference against the round's best (this minus best)
    tied: bool  # the difference's 95% CI includes zero (and the results are not identical)
    identical: bool  # the same score as the best in every replication


@dataclass(frozen=True)
class StrategyResult:
    """A single-idea strategy's set at the end of a round (on its own path) against the round's best."""

    name: str
    tools: Key
    new: Key
    score: Estimate
    diff: Estimate
    tied: bool  # tied with, identical to, or better than the best


@dataclass(frozen=True)
class BalanceWarning:
    """A sign that the game can be solved by a rule; `round` is None for the whole game."""

    kind: WarningKind
    round: int | None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundBalance:
    """What the analysis found in one round."""

    number: int
    budget: int
    kept: Key
    on_offer: Key  # offered up to this round and not kept
    affordable: int  # how many affordable sets there are (buying nothing included)
    evaluated: int
    search: Search
    best: list[SetResult]  # the best sets, best first
    tied: int  # other sets statistically tied with the best
    identical: int  # other sets with exactly the best's results
    unspent: int  # budget the best set leaves
    strategies: list[StrategyResult]
    warnings: list[BalanceWarning]


@dataclass
class Balance:
    """The whole analysis: per round, and warnings over the game."""

    scenario_id: str
    seed: int
    replications: int
    max_sets: int
    beam: int
    runs: int  # distinct sets of tools run
    classes: dict[str, list[str]]  # the tools each single-idea strategy may buy
    rounds: list[RoundBalance]
    warnings: list[BalanceWarning]
    unit: str = "points"  # of budgets and costs: "RUB" (a scenario priced in roubles) or "points"

    def to_json(self) -> dict[str, Any]:
        """Plain data for `json.dumps`."""

        def est(e: Estimate) -> dict[str, Any]:
            return {"mean": _clean(e.mean), "ci95": [_clean(e.ci95[0]), _clean(e.ci95[1])] if e.ci95 else [None, None]}

        def warning(w: BalanceWarning) -> dict[str, Any]:
            return {"kind": w.kind, "round": w.round, **w.params}

        def one_set(s: SetResult) -> dict[str, Any]:
            return {"tools": list(s.tools), "new": list(s.new), "cost": s.points, "unspent": s.unspent,
                    "score": est(s.score), "diff_vs_best": est(s.diff), "tied": s.tied, "identical": s.identical}

        return {
            "scenario": self.scenario_id, "seed": self.seed, "replications": self.replications,
            "max_sets": self.max_sets, "beam": self.beam, "unit": self.unit, "runs": self.runs, "strategy_tools": self.classes,
            "rounds": [
                {
                    "round": r.number, "budget": r.budget, "kept": list(r.kept), "on_offer": list(r.on_offer),
                    "affordable": r.affordable, "evaluated": r.evaluated, "search": r.search,
                    "best": [one_set(s) for s in r.best], "tied_with_best": r.tied, "identical_to_best": r.identical,
                    "unspent": r.unspent,
                    "strategies": [
                        {"name": s.name, "tools": list(s.tools), "new": list(s.new), "score": est(s.score),
                         "diff_vs_best": est(s.diff), "tied": s.tied}
                        for s in r.strategies
                    ],
                    "warnings": [warning(w) for w in r.warnings],
                }
                for r in self.rounds
            ],
            "warnings": [warning(w) for w in self.warnings],
        }

    def table(self, lang: str, scenario: Scenario | None = None) -> str:
        """The analysis as plain text in `lang`; tool names from `scenario` if given, else ids."""
        from .table import balance_table

        return balance_table(self, lang, scenario)


def _clean(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)
