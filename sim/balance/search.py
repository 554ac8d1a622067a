"""The search of a balance analysis: every affordable set per round, strategies, warnings (see `sim.balance`)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass

from ..events import for_round, round_events
from ..experiment import DEFAULT_SEED, Estimate, default_executor, memory_limit_mb, replicate
from ..lean import apply_tools, check_choice, ordered, priced_in_roubles, round_budget, tool_price, tool_roubles
from ..metrics import RepMetrics
from ..model import check_memory
from ..scenario import Scenario
from ..score import score_one
from .results import (
    BACK_OFFICE_FIGURES,
    DEFAULT_BEAM,
    DEFAULT_MAX_SETS,
    DEFAULT_REPLICATIONS,
    DEFAULT_TOP,
    DESK_FIGURES,
    FIXED_RULES,
    MIN_SPENT_SHARE,
    STRATEGIES,
    Balance,
    BalanceError,
    BalanceWarning,
    Key,
    Progress,
    RoundBalance,
    Search,
    SetResult,
    StrategyResult,
)

# --- the tool classes of the single-idea strategies ------------------------------------------------


def strategy_tools(scenario: Scenario) -> dict[str, list[str]]:
    """The tools each single-idea strategy may buy, from the tool data (see the module's docstring)."""
    desk, back, fair = [], [], []
    for tool_id, tool in scenario.tools.items():
        accessibility = tool.aim == "accessibility" or tool.expect.group is not None
        if accessibility:
            fair.append(tool_id)
        elif tool.expect.kpi in DESK_FIGURES:
            desk.append(tool_id)
        if tool.expect.kpi in BACK_OFFICE_FIGURES and tool.expect.group is None:
            back.append(tool_id)
    return {"desk_only": desk, "back_office_only": back, "back_office_first": list(back), "fairness_first": fair}


# --- runs, cached by the tools in force -------------------------------------------------------------


class _Runs:
    """Runs sets of tools (all replications, the same seed) and keeps each set's per-replication scores."""

    def __init__(self, scenario: Scenario, replications: int, seed: int, executor: Executor | None,
                 progress: Progress | None) -> None:
        self.scenario = scenario
        self.replications = replications
        self.seed = seed
        self.executor = executor
        self.progress = progress
        # a round's disruption events change the library its sets (and the library as it is) run in:
        # the runs are kept per set of events switched on, and scored against that round's as-is
        self.library = scenario
        self.events: tuple[str, ...] = ()
        self.by_events: dict[tuple[str, ...], tuple[dict[Key, list[dict[str, float | None]]], dict[Key, list[float]]]] = {}
        self.kpis, self.scores = self.by_events.setdefault((), ({}, {}))
        self.weights = scenario.score.model_dump()
        self.memory_limit = memory_limit_mb()

    def use_round(self, number: int) -> None:
        """Run and look up sets in round `number`'s library: the scenario with that round's events on."""
        self.events = tuple(round_events(self.scenario, number))
        self.library = for_round(self.scenario, number)
        self.kpis, self.scores = self.by_events.setdefault(self.events, ({}, {}))

    @property
    def distinct_runs(self) -> int:
        """Distinct libraries run: sets of tools, each under each set of events it ran with."""
        return sum(len(kpis) for kpis, _ in self.by_events.values())

    def ensure(self, sets: Iterable[Key]) -> None:
        """Run every set not run yet, all their replications in one batch."""
        # the library as it is comes first: every score is measured against it
        todo = list(dict.fromkeys(k for k in ((), *sets) if k not in self.kpis))
        if not todo:
            return
        variants = {k: apply_tools(self.library, k) for k in todo}
        for variant in variants.values():
            check_memory(variant, self.memory_limit)  # refuse a runaway set before any work starts
        out: dict[Key, list[RepMetrics | None]] = {k: [None] * self.replications for k in todo}
        total = len(todo) * self.replications
        done = 0
        if self.executor is None:
            for k in todo:
                for r in range(self.replications):
                    out[k][r] = replicate(variants[k], self.seed, r, self.memory_limit)
                    done += 1
                    if self.progress:
                        self.progress(done, total)
        else:
            futures = {self.executor.submit(replicate, variants[k], self.seed, r, self.memory_limit): (k, r)
                       for k in todo for r in range(self.replications)}
            for future in as_completed(futures):
                k, r = futures[future]
                out[k][r] = future.result()
                done += 1
                if self.progress:
                    self.progress(done, total)
        for k in todo:
            self.kpis[k] = [rep.kpis for rep in out[k] if rep is not None]
        for k in todo:
            cost = tool_roubles(self.scenario, k)
            self.scores[k] = [score_one(b, v, self.weights, 0.0, cost)[0] for b, v in zip(self.kpis[()], self.kpis[k])]

    def mean(self, key: Key) -> float:
        return sum(self.scores[key]) / len(self.scores[key])

    def diff(self, key: Key, best: Key) -> Estimate:
        """Paired score difference key - best over replications (in the current round's library)."""
        return _paired(self.scores[key], self.scores[best])


def _paired(scores: list[float], other: list[float]) -> Estimate:
    return Estimate.of([a - b for a, b in zip(scores, other)])


def _rank(runs: _Runs, keys: Iterable[Key]) -> list[Key]:
    """Best first; ties in the mean broken by fewer tools, then catalogue order (stable, reproducible)."""
    return sorted(keys, key=lambda k: (-runs.mean(k), len(k), k))


# --- the search within one round ---------------------------------------------------------------------


def _price(scenario: Scenario, tool_ids: Iterable[str]) -> int:
    """The tools' cost in the scenario's budget unit (whole roubles, or points)."""
    return int(tool_price(scenario, tool_ids))


def _budget(scenario: Scenario, round_number: int) -> int:
    return int(round_budget(scenario, round_number))


def _count_affordable(costs: Sequence[int], budget: int) -> int:
    """How many subsets of the tools cost at most `budget` (buying nothing included)."""
    # costs in roubles: count in their greatest common divisor (tens of thousands of roubles, say),
    # so the table stays small
    step = math.gcd(*costs, budget) or 1
    costs, budget = [c // step for c in costs], budget // step
    ways = [0] * (budget + 1)
    ways[0] = 1
    for c in costs:
        for b in range(budget, c - 1, -1):
            ways[b] += ways[b - c]
    return sum(ways)


def _all_sets(scenario: Scenario, candidates: Sequence[str], budget: int, start: Key) -> list[Key]:
    spare = budget - _price(scenario, start)
    out: list[Key] = []
    for size in range(len(candidates) + 1):
        for combo in itertools.combinations(candidates, size):
            if _price(scenario, combo) <= spare:
                out.append(tuple(ordered(scenario, start + combo)))
    return out


@dataclass(frozen=True)
class _Found:
    """The sets of new tools a search ran in one round (each as the new tools), best first."""

    new_sets: list[Key]
    affordable: int
    search: Search


def _search(runs: _Runs, scenario: Scenario, round_number: int, kept: Key, candidates: Sequence[str], start: Key,
            max_sets: int, beam: int) -> _Found:
    """Run the affordable sets of new tools (each containing `start`), exhaustively or by beam search."""
    budget = _budget(scenario, round_number)
    spare = budget - _price(scenario, start)
    pool = [c for c in candidates if c not in start and _price(scenario, [c]) <= spare]
    affordable = _count_affordable([_price(scenario, [c]) for c in pool], max(spare, 0))

    def in_force(new: Key) -> Key:
        return tuple(check_choice(scenario, round_number, kept, new))

    if affordable <= max_sets:
        new_sets = _all_sets(scenario, pool, budget, start)
        runs.ensure(in_force(n) for n in new_sets)
        by_key = {in_force(n): n for n in new_sets}
        return _Found([by_key[k] for k in _rank(runs, by_key)], affordable, "all")
    seen: dict[Key, Key] = {in_force(start): start}
    runs.ensure(seen)
    frontier = [start]
    while frontier:
        children: dict[Key, Key] = {}
        for new in frontier:
            left = budget - _price(scenario, new)
            for c in pool:
                if c in new or _price(scenario, [c]) > left:
                    continue
                child = tuple(ordered(scenario, new + (c,)))
                key = in_force(child)
                if key not in seen and key not in children:
                    children[key] = child
        if not children:
            break
        runs.ensure(children)
        seen.update(children)
        frontier = [children[k] for k in _rank(runs, children)[:beam]]
    return _Found([seen[k] for k in _rank(runs, seen)], affordable, "beam")


# --- the analysis -------------------------------------------------------------------------------------


def analyse(
    scenario: Scenario,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    max_sets: int = DEFAULT_MAX_SETS,
    beam: int = DEFAULT_BEAM,
    top: int = DEFAULT_TOP,
    progress: Progress | None = None,
) -> Balance:
    """The balance analysis of `scenario`'s round plan (see the module's docstring).

    Work goes to `executor` if given; otherwise to a new local process pool of `workers` processes,
    or this process when `workers == 1`.
    """
    if not scenario.rounds:
        raise BalanceError(f"{scenario.id}: rounds: the scenario has no round plan to analyse")
    if replications < 2:
        raise BalanceError(f"replications must be at least 2 for paired intervals (got {replications})")
    if max_sets < 1 or beam < 1 or top < 1:
        raise BalanceError("max_sets, beam and top must be at least 1")
    own = executor is None and workers != 1
    pool = default_executor(workers) if own else executor
    try:
        return _analyse(_Runs(scenario, replications, seed, pool, progress), scenario, max_sets, beam, top)
    finally:
        if own and pool is not None:
            pool.shutdown(cancel_futures=True)


def _analyse(runs: _Runs, scenario: Scenario, max_sets: int, beam: int, top: int) -> Balance:
    classes = strategy_tools(scenario)
    kept: Key = ()
    paths: dict[str, Key] = {name: () for name in STRATEGIES}
    rounds: list[RoundBalance] = []
    offered_on_path: list[str] = []
    in_a_best: set[str] = set()
    for number in range(1, len(scenario.rounds) + 1):
        runs.use_round(number)
        offered = [tid for r in scenario.rounds[:number] for tid in r.offer]
        on_offer = tuple(ordered(scenario, [tid for tid in offered if tid not in kept]))
        offered_on_path += [tid for tid in on_offer if tid not in offered_on_path]
        found = _search(runs, scenario, number, kept, on_offer, (), max_sets, beam)
        keys = [tuple(check_choice(scenario, number, kept, n)) for n in found.new_sets]
        best = keys[0]
        results = [_set_result(runs, scenario, _budget(scenario, number), k, n, best) for k, n in zip(keys, found.new_sets)]
        tied = [r for r in results[1:] if r.tied]
        identical = [r for r in results[1:] if r.identical]
        for r in [results[0], *tied, *identical]:
            in_a_best.update(r.new)
        strategies = []
        for name in STRATEGIES:
            paths[name], new = _strategy_step(runs, scenario, number, paths[name], name, classes[name], max_sets, beam)
            diff = runs.diff(paths[name], best)
            strategies.append(StrategyResult(name, paths[name], new, Estimate.of(list(runs.scores[paths[name]])), diff,
                                             _tied_or_better(diff)))
        warnings = _round_warnings(runs, scenario, number, kept, results, strategies)
        rounds.append(RoundBalance(number, _budget(scenario, number), kept, on_offer, found.affordable, len(keys), found.search,
                                   results[:top], len(tied), len(identical), results[0].unspent, strategies, warnings))
        kept = best
    return Balance(scenario.id, runs.seed, runs.replications, max_sets, beam, runs.distinct_runs, classes, rounds,
                   _game_warnings(runs, scenario, offered_on_path, in_a_best),
                   "RUB" if priced_in_roubles(scenario) else "points")


def _set_result(runs: _Runs, scenario: Scenario, budget: int, key: Key, new: Key, best: Key) -> SetResult:
    diff = runs.diff(key, best)
    identical = key != best and all(a == b for a, b in zip(runs.scores[key], runs.scores[best]))
    tied = key != best and not identical and diff.ci95 is not None and diff.ci95[0] <= 0 <= diff.ci95[1]
    points = _price(scenario, new)
    return SetResult(key, new, points, budget - points, Estimate.of(list(runs.scores[key])), diff, tied, identical)


def _tied_or_better(diff: Estimate) -> bool:
    return diff.mean == 0 or (diff.ci95 is not None and diff.ci95[1] >= 0)


def _strategy_step(runs: _Runs, scenario: Scenario, number: int, kept: Key, name: str, allowed: list[str],
                   max_sets: int, beam: int) -> tuple[Key, Key]:
    """A single-idea strategy's best set in round `number` on its own path: (tools in force, new tools)."""
    on_offer = [tid for r in scenario.rounds[:number] for tid in r.offer if tid not in kept]
    start: Key = ()
    if name == "back_office_first":
        candidates = ordered(scenario, on_offer)
        own = ordered(scenario, [c for c in on_offer if c in allowed])
        start = _search(runs, scenario, number, kept, own, (), max_sets, beam).new_sets[0]
    elif name == "fairness_first":
        candidates = ordered(scenario, on_offer)
        spent = 0
        for tid in ordered(scenario, [c for c in on_offer if c in allowed]):
            if spent + _price(scenario, [tid]) <= _budget(scenario, number):
                start += (tid,)
                spent += _price(scenario, [tid])
    else:
        candidates = ordered(scenario, [c for c in on_offer if c in allowed])
    found = _search(runs, scenario, number, kept, candidates, start, max_sets, beam)
    new = found.new_sets[0]
    return tuple(check_choice(scenario, number, kept, new)), new


def _clearly_better(diff: Estimate) -> bool:
    return diff.ci95 is not None and diff.ci95[0] > 0


def _clearly_worse(diff: Estimate) -> bool:
    return diff.ci95 is not None and diff.ci95[1] < 0


def _round_warnings(runs: _Runs, scenario: Scenario, number: int, kept: Key, results: list[SetResult],
                    strategies: list[StrategyResult]) -> list[BalanceWarning]:
    budget = _budget(scenario, number)
    out: list[BalanceWarning] = []
    if budget <= 0 or len(results) < 2:
        return out
    best = results[0]
    if best.points < MIN_SPENT_SHARE * budget:
        out.append(BalanceWarning("budget_not_binding", number, {"reason": "unspent", "unspent": best.unspent,
                                                                  "budget": budget}))
    else:
        paying = [r.new[0] for r in results if len(r.new) == 1 and _clearly_better(runs.diff(r.tools, kept))]
        points = _price(scenario, paying)
        if len(paying) >= 2 and points <= budget:
            out.append(BalanceWarning("budget_not_binding", number, {"reason": "all_fit", "tools": paying,
                                                                      "points": points, "budget": budget}))
    # the "first" strategies complete their purchase with any tool, so they are not fixed rules
    rules = [s for s in strategies if s.name in FIXED_RULES]
    level = [s for s in rules if s.tied]
    if len(level) == 1 and all(_clearly_worse(runs.diff(s.tools, level[0].tools)) for s in rules if s is not level[0]):
        out.append(BalanceWarning("one_rule_dominates", number, {"strategy": level[0].name}))
    return out


def _game_warnings(runs: _Runs, scenario: Scenario, offered: list[str], in_a_best: set[str]) -> list[BalanceWarning]:
    out: list[BalanceWarning] = []
    for tid in ordered(scenario, offered):
        if tid not in in_a_best:
            out.append(BalanceWarning("tool_never_pays", None, {"tool": tid}))
    for tid in ordered(scenario, offered):
        pairs = [_paired(scores[k], scores[without]) for _, scores in runs.by_events.values()
                 for k in scores if tid in k and (without := tuple(x for x in k if x != tid)) in scores]
        if len(pairs) >= 2 and not any(_clearly_worse(d) for d in pairs) and any(_clearly_better(d) for d in pairs):
            out.append(BalanceWarning("tool_never_worse", None, {"tool": tid, "pairs": len(pairs)}))
    return out
