"""Balance analysis of a scenario's game: can one fixed rule win it, and does the budget force choices?

For each round of the round plan, given what was bought before (the strategy path), every affordable
set of the tools on offer is run (new tools within the round's budget on top of the kept ones, as
`sim.lean.check_choice` allows) and scored with the balanced score against the library as it is.
Every set is run with the same seed and replications (common random numbers), so two sets are
compared replication by replication: set B is *tied* with the best set A when the 95% confidence
interval of the paired score difference B - A includes zero.

The path. The analysis follows the best set of each round into the next (what a team that always
chose the best would keep). Three single-idea strategies each follow their own path, taking in each
round the best affordable set their rule allows; they are defined from the tool data only:

- desk only: tools whose expected figure (`expect.kpi`) is a reader's waiting at the desk or its
  consequence (`DESK_FIGURES`: the waits, the time in the library, readers lost or served within
  15 minutes), for all readers (no `expect.group`), and that are not accessibility tools: the rule
  "buy everything that shortens the desk line";
- back office only: tools whose expected figure is one of the back office's (`BACK_OFFICE_FIGURES`:
  closed-stack orders, reshelving, books not found, the acquisitions flow and its work in process);
- back office first: the best affordable set of back-office tools first, then the best completion
  of the rest of the budget with any tools on offer;
- fairness first: accessibility tools (`aim: accessibility`, or an `expect` for one reader group)
  are bought first, in catalogue order while they fit the budget; the rest of the budget goes to the
  best completion with any tools on offer.

The search. Where a round has at most `max_sets` affordable sets, all are run. Where it has more,
a beam search runs instead: start from buying nothing, add one affordable tool to each of the `beam`
best sets found so far, run every new set, keep the `beam` best, and repeat until nothing more fits.
Every set the search runs counts for ties and warnings; the best set may be missed (the report says
which search each round used).

Reuse. A set's figures depend only on the tools in force, not on the round or the path that led to
it, so runs are cached by the set of tools in force: paths that meet share their runs.

Warnings:
- `budget_not_binding`: in a round, the best set leaves more than 20% of the budget unspent, or all
  of two or more tools that pay on their own (buying one alone is clearly better than buying
  nothing) fit into the budget together, so the budget never forces a choice between good tools;
- `one_rule_dominates`: desk only or back office only is tied with (or is) the round's best while
  the other is clearly below it (the "first" strategies are not fixed rules: they complete with any tool);
- `tool_never_pays`: a tool offered on the path that is in no set tied with the best in any round;
- `tool_never_worse`: over every pair of run sets that differ by this tool alone, adding it never
  makes the score clearly worse (no dilemma: a team can always take it if it has the points).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass, field
from typing import Any, Literal

from .experiment import DEFAULT_SEED, Estimate, default_executor, memory_limit_mb, replicate
from .i18n import counted, num, pick, t
from .lean import apply_tools, check_choice, ordered, tool_points, tool_roubles
from .metrics import RepMetrics
from .model import check_memory
from .scenario import Scenario
from .score import score_one

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
    points: int  # cost of the new tools
    unspent: int  # budget left
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

    def to_json(self) -> dict[str, Any]:
        """Plain data for `json.dumps`."""

        def est(e: Estimate) -> dict[str, Any]:
            return {"mean": _clean(e.mean), "ci95": [_clean(e.ci95[0]), _clean(e.ci95[1])] if e.ci95 else [None, None]}

        def warning(w: BalanceWarning) -> dict[str, Any]:
            return {"kind": w.kind, "round": w.round, **w.params}

        def one_set(s: SetResult) -> dict[str, Any]:
            return {"tools": list(s.tools), "new": list(s.new), "points": s.points, "unspent": s.unspent,
                    "score": est(s.score), "diff_vs_best": est(s.diff), "tied": s.tied, "identical": s.identical}

        return {
            "scenario": self.scenario_id, "seed": self.seed, "replications": self.replications,
            "max_sets": self.max_sets, "beam": self.beam, "runs": self.runs, "strategy_tools": self.classes,
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
        return _table(self, lang, scenario)


def _clean(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


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
        self.kpis: dict[Key, list[dict[str, float | None]]] = {}
        self.scores: dict[Key, list[float]] = {}
        self.weights = scenario.score.model_dump()
        self.memory_limit = memory_limit_mb()

    def ensure(self, sets: Iterable[Key]) -> None:
        """Run every set not run yet, all their replications in one batch."""
        # the library as it is comes first: every score is measured against it
        todo = list(dict.fromkeys(k for k in ((), *sets) if k not in self.kpis))
        if not todo:
            return
        variants = {k: apply_tools(self.scenario, k) for k in todo}
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
        """Paired score difference key - best over replications."""
        return Estimate.of([a - b for a, b in zip(self.scores[key], self.scores[best])])


def _rank(runs: _Runs, keys: Iterable[Key]) -> list[Key]:
    """Best first; ties in the mean broken by fewer tools, then catalogue order (stable, reproducible)."""
    return sorted(keys, key=lambda k: (-runs.mean(k), len(k), k))


# --- the search within one round ---------------------------------------------------------------------


def _count_affordable(costs: Sequence[int], budget: int) -> int:
    """How many subsets of the tools cost at most `budget` (buying nothing included)."""
    ways = [0] * (budget + 1)
    ways[0] = 1
    for c in costs:
        for b in range(budget, c - 1, -1):
            ways[b] += ways[b - c]
    return sum(ways)


def _all_sets(scenario: Scenario, candidates: Sequence[str], budget: int, start: Key) -> list[Key]:
    spare = budget - tool_points(scenario, start)
    out: list[Key] = []
    for size in range(len(candidates) + 1):
        for combo in itertools.combinations(candidates, size):
            if tool_points(scenario, combo) <= spare:
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
    budget = scenario.rounds[round_number - 1].budget
    spare = budget - tool_points(scenario, start)
    pool = [c for c in candidates if c not in start and scenario.tools[c].cost.points <= spare]
    affordable = _count_affordable([scenario.tools[c].cost.points for c in pool], max(spare, 0))

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
            left = budget - tool_points(scenario, new)
            for c in pool:
                if c in new or scenario.tools[c].cost.points > left:
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
    for number, plan in enumerate(scenario.rounds, start=1):
        offered = [tid for r in scenario.rounds[:number] for tid in r.offer]
        on_offer = tuple(ordered(scenario, [tid for tid in offered if tid not in kept]))
        offered_on_path += [tid for tid in on_offer if tid not in offered_on_path]
        found = _search(runs, scenario, number, kept, on_offer, (), max_sets, beam)
        keys = [tuple(check_choice(scenario, number, kept, n)) for n in found.new_sets]
        best = keys[0]
        results = [_set_result(runs, scenario, plan.budget, k, n, best) for k, n in zip(keys, found.new_sets)]
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
        rounds.append(RoundBalance(number, plan.budget, kept, on_offer, found.affordable, len(keys), found.search,
                                   results[:top], len(tied), len(identical), results[0].unspent, strategies, warnings))
        kept = best
    return Balance(scenario.id, runs.seed, runs.replications, max_sets, beam, len(runs.kpis), classes, rounds,
                   _game_warnings(runs, scenario, offered_on_path, in_a_best))


def _set_result(runs: _Runs, scenario: Scenario, budget: int, key: Key, new: Key, best: Key) -> SetResult:
    diff = runs.diff(key, best)
    identical = key != best and all(a == b for a, b in zip(runs.scores[key], runs.scores[best]))
    tied = key != best and not identical and diff.ci95 is not None and diff.ci95[0] <= 0 <= diff.ci95[1]
    points = tool_points(scenario, new)
    return SetResult(key, new, points, budget - points, Estimate.of(list(runs.scores[key])), diff, tied, identical)


def _tied_or_better(diff: Estimate) -> bool:
    return diff.mean == 0 or (diff.ci95 is not None and diff.ci95[1] >= 0)


def _strategy_step(runs: _Runs, scenario: Scenario, number: int, kept: Key, name: str, allowed: list[str],
                   max_sets: int, beam: int) -> tuple[Key, Key]:
    """A single-idea strategy's best set in round `number` on its own path: (tools in force, new tools)."""
    plan = scenario.rounds[number - 1]
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
            if spent + scenario.tools[tid].cost.points <= plan.budget:
                start += (tid,)
                spent += scenario.tools[tid].cost.points
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
    plan = scenario.rounds[number - 1]
    out: list[BalanceWarning] = []
    if plan.budget <= 0 or len(results) < 2:
        return out
    best = results[0]
    if best.points < MIN_SPENT_SHARE * plan.budget:
        out.append(BalanceWarning("budget_not_binding", number, {"reason": "unspent", "unspent": best.unspent,
                                                                  "budget": plan.budget}))
    else:
        paying = [r.new[0] for r in results if len(r.new) == 1 and _clearly_better(runs.diff(r.tools, kept))]
        points = tool_points(scenario, paying)
        if len(paying) >= 2 and points <= plan.budget:
            out.append(BalanceWarning("budget_not_binding", number, {"reason": "all_fit", "tools": paying,
                                                                      "points": points, "budget": plan.budget}))
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
        pairs = [runs.diff(k, tuple(x for x in k if x != tid)) for k in runs.scores
                 if tid in k and tuple(x for x in k if x != tid) in runs.scores]
        if len(pairs) >= 2 and not any(_clearly_worse(d) for d in pairs) and any(_clearly_better(d) for d in pairs):
            out.append(BalanceWarning("tool_never_worse", None, {"tool": tid, "pairs": len(pairs)}))
    return out


# --- the table -----------------------------------------------------------------------------------------


def _tool_names(ids: Sequence[str], lang: str, scenario: Scenario | None) -> str:
    if not ids:
        return t("balance.nothing", lang)
    if scenario is None:
        return ", ".join(ids)
    return ", ".join(pick(scenario.tools[i].name, lang) if i in scenario.tools else i for i in ids)


def _ci(e: Estimate, lang: str, *, signed: bool = False) -> str:
    if e.ci95 is None:
        return "-"
    return f"{num(e.ci95[0], lang, 1, signed=signed)} .. {num(e.ci95[1], lang, 1, signed=signed)}"


def _mean(e: Estimate, lang: str, *, signed: bool = False) -> str:
    return "-" if e.mean is None else num(e.mean, lang, 1, signed=signed)


def _grid(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def warning_text(w: BalanceWarning, lang: str, scenario: Scenario | None = None) -> str:
    """One warning as a sentence in `lang`."""
    p = w.params
    if w.kind == "budget_not_binding":
        if p["reason"] == "unspent":
            return t("balance.warn_unspent", lang, unspent=p["unspent"], budget=p["budget"])
        return t("balance.warn_all_fit", lang, tools=_tool_names(p["tools"], lang, scenario), points=p["points"],
                 budget=p["budget"])
    if w.kind == "one_rule_dominates":
        return t("balance.warn_one_rule", lang, strategy=t(f"balance.strategy_{p['strategy']}", lang))
    if w.kind == "tool_never_pays":
        return t("balance.warn_never_pays", lang, tool=_tool_names([p["tool"]], lang, scenario))
    return t("balance.warn_never_worse", lang, tool=_tool_names([p["tool"]], lang, scenario),
             pairs=counted("balance.pairs", p["pairs"], lang))


def _table(b: Balance, lang: str, scenario: Scenario | None) -> str:
    lines = [t("balance.title", lang, scenario=b.scenario_id, seed=b.seed,
               replications=counted("balance.replications", b.replications, lang),
               runs=counted("balance.sets", b.runs, lang))]
    for name in STRATEGIES:
        lines.append(f"  {t(f'balance.strategy_{name}', lang)}: {_tool_names(b.classes[name], lang, scenario)}")
    for r in b.rounds:
        lines += ["", t("balance.round", lang, n=r.number, budget=counted("tools.points", r.budget, lang))]
        lines.append("  " + t("balance.kept", lang, tools=_tool_names(r.kept, lang, scenario)))
        lines.append("  " + t("balance.on_offer", lang, tools=_tool_names(r.on_offer, lang, scenario)))
        search = t(f"balance.search_{r.search}", lang, beam=b.beam)
        lines.append("  " + t("balance.searched", lang, affordable=counted("balance.sets", r.affordable, lang),
                              evaluated=r.evaluated, search=search))
        head = [t("balance.col_rank", lang), t("balance.col_new", lang), t("balance.col_points", lang),
                t("balance.col_score", lang), t("balance.col_ci", lang), t("balance.col_diff", lang), t("balance.col_verdict", lang)]
        rows = [head]
        for i, s in enumerate(r.best, start=1):
            verdict = ("" if i == 1 else t("balance.tied", lang) if s.tied else t("balance.identical", lang)
                       if s.identical else t("balance.below", lang))
            rows.append([str(i), _tool_names(s.new, lang, scenario), str(s.points), _mean(s.score, lang),
                         _ci(s.score, lang), "" if i == 1 else f"{_mean(s.diff, lang, signed=True)} ({_ci(s.diff, lang, signed=True)})",
                         verdict])
        lines += ["  " + line for line in _grid(rows)]
        lines.append("  " + t("balance.ties", lang, tied=counted("balance.sets", r.tied, lang), identical=r.identical))
        lines.append("  " + t("balance.unspent", lang, unspent=r.unspent, budget=r.budget))
        lines.append("  " + t("balance.strategies", lang))
        for st in r.strategies:
            verdict = t("balance.tied", lang) if st.tied else t("balance.below", lang)
            lines.append("    " + t("balance.strategy_line", lang, name=t(f"balance.strategy_{st.name}", lang),
                                    score=_mean(st.score, lang), ci=_ci(st.score, lang),
                                    diff=_mean(st.diff, lang, signed=True), verdict=verdict,
                                    new=_tool_names(st.new, lang, scenario)))
        for w in r.warnings:
            lines.append("  ! " + warning_text(w, lang, scenario))
    lines += ["", t("balance.game_warnings", lang)]
    lines += ["  ! " + warning_text(w, lang, scenario) for w in b.warnings] or ["  " + t("balance.no_warnings", lang)]
    return "\n".join(lines) + "\n"
