"""One study: a scenario with lean tools against a baseline, run with the same readers, paired and scored.

Every comparison the project makes has this shape: the CLI's `run` and `compare`, the sandbox, a
team's round, the training worker and the leaderboard, the run history and the trainer's team
comparison. `Study` holds what determines it (the library as it is, the tools of the variant and of
the baseline, the seed and the number of replications) and gives

- `run()`: both runs (the second skipped when both sides are the same library), with any
  `concurrent.futures.Executor`, a progress callback counting the replications of both runs, and an
  optional results cache (`RunCache`) or runner (the dashboard's supervised pool);
- `judge(baseline, variant)`: the paired comparison and the balanced score of results that already
  exist (stored by the training worker, kept in a browser session's history).

The balanced score is always measured against the library as it is (`scenario`), with its weights; each
side's tools are priced in the library they apply to (the variant's in `other` when it is given), as
`sim.score.balanced_score` defines.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol

from .experiment import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    Comparison,
    Progress,
    Results,
    compare,
    run_experiment,
)
from .lean import apply_tools, ordered
from .scenario import Scenario
from .score import Score, balanced_score

Runner = Callable[[Scenario, int, int, Progress | None], Results]


class RunCache(Protocol):
    """Results kept by what determines them: a scenario's content (tools applied), seed and replications."""

    def get(self, scenario: Scenario, seed: int, replications: int) -> Results | None:
        """The kept results of this run, or None."""
        ...

    def put(self, scenario: Scenario, seed: int, replications: int, results: Results) -> None:
        """Keep the results of this run."""
        ...


@dataclass(frozen=True, eq=False)
class StudyResults:
    """A study's two runs, with the balanced score of the variant; the paired comparison on demand."""

    study: Study
    baseline: Results
    variant: Results
    score: Score

    @cached_property
    def comparison(self) -> Comparison:
        """Variant minus baseline, figure by figure, paired by replication (computed once, when asked)."""
        return compare(self.baseline, self.variant)

    @property
    def tools(self) -> list[str]:
        """The variant's tools, in catalogue order."""
        return self.study.tools

    @property
    def baseline_tools(self) -> list[str]:
        """The baseline's tools, in catalogue order."""
        return self.study.baseline_tools


@dataclass(frozen=True, init=False, eq=False)
class Study:
    """A scenario with `tools` against the same scenario with `baseline_tools` (the library as it is by
    default), `replications` replications from `seed`.

    `other` replaces the library of the variant (the CLI's `compare --variant OTHER.yaml`): `tools`
    are then looked up in, applied to and priced in its catalogue (a tool only `other` has is fine).
    Tool lists are validated and put in catalogue order on creation (an unknown id raises
    `ScenarioError`, as `sim.lean.ordered` does).
    """

    scenario: Scenario
    tools: list[str] = field(default_factory=list)
    baseline_tools: list[str] = field(default_factory=list)
    seed: int = DEFAULT_SEED
    replications: int = DEFAULT_REPLICATIONS
    other: Scenario | None = None

    def __init__(self, scenario: Scenario, tools: Iterable[str] = (), baseline_tools: Iterable[str] = (),
                 seed: int = DEFAULT_SEED, replications: int = DEFAULT_REPLICATIONS, *,
                 other: Scenario | None = None) -> None:
        object.__setattr__(self, "scenario", scenario)
        object.__setattr__(self, "tools", ordered(other or scenario, list(tools)))
        object.__setattr__(self, "baseline_tools", ordered(scenario, list(baseline_tools)))
        object.__setattr__(self, "seed", int(seed))
        object.__setattr__(self, "replications", int(replications))
        object.__setattr__(self, "other", other)

    # --- the two libraries --------------------------------------------------------------------------------

    @cached_property
    def baseline_scenario(self) -> Scenario:
        """The library the variant is measured against: `scenario` with `baseline_tools` applied."""
        return apply_tools(self.scenario, self.baseline_tools) if self.baseline_tools else self.scenario

    @cached_property
    def variant_scenario(self) -> Scenario:
        """The library being tried: `scenario` (or `other`) with `tools` applied."""
        base = self.other or self.scenario
        return apply_tools(base, self.tools) if self.tools else base

    @property
    def same_library(self) -> bool:
        """True when baseline and variant are one library (no tools, or the same on both sides): one run."""
        return self.other is None and self.tools == self.baseline_tools

    @property
    def scenarios(self) -> list[Scenario]:
        """The libraries `run` runs, baseline first (one when both sides are the same)."""
        if self.same_library:
            return [self.baseline_scenario]
        return [self.baseline_scenario, self.variant_scenario]

    # --- running ------------------------------------------------------------------------------------------

    def run(self, *, executor: Executor | None = None, workers: int | None = None, progress: Progress | None = None,
            cache: RunCache | None = None, runner: Runner | None = None) -> StudyResults:
        """Run the baseline and the variant (each unless `cache` has it) and judge them.

        Replications go to `runner(scenario, seed, replications, progress)` when given (the dashboard's
        pool), otherwise to `sim.experiment.run_experiment` with `executor` or `workers`.
        `progress(done, total)` counts the replications of both runs together.
        """
        scenarios = self.scenarios
        total = len(scenarios) * self.replications
        found: list[Results] = []
        for i, scenario in enumerate(scenarios):
            results = cache.get(scenario, self.seed, self.replications) if cache is not None else None
            if results is None:
                step = _offset(progress, i * self.replications, total)
                if runner is not None:
                    results = runner(scenario, self.seed, self.replications, step)
                else:
                    results = run_experiment(scenario, self.replications, self.seed, executor=executor,
                                             workers=workers, progress=step)
                if cache is not None:
                    cache.put(scenario, self.seed, self.replications, results)
            elif progress is not None:
                progress((i + 1) * self.replications, total)
            found.append(results)
        return self.judge(found[0], found[-1])

    def cached(self, cache: RunCache) -> StudyResults | None:
        """The study from `cache` alone, or None when a run is missing (nothing is computed)."""
        found = [cache.get(s, self.seed, self.replications) for s in self.scenarios]
        if any(r is None for r in found):
            return None
        runs = [r for r in found if r is not None]
        return self.judge(runs[0], runs[-1])

    # --- judging results that exist -------------------------------------------------------------------------

    def judge(self, baseline: Results, variant: Results) -> StudyResults:
        """The balanced score of `variant` against `baseline` (both run with the same seed and replications),
        with the paired comparison on demand."""
        score = balanced_score(self.scenario, baseline, variant, self.baseline_tools, self.tools,
                               variant_scenario=self.other)
        return StudyResults(self, baseline, variant, score)

    @staticmethod
    def compare(baseline: Results, variant: Results) -> Comparison:
        """The paired comparison of two runs made with the same seed and replications (any two libraries:
        two teams, two rounds, two runs of a history)."""
        return compare(baseline, variant)


def _offset(progress: Progress | None, before: int, total: int) -> Progress | None:
    """A run's own progress callback, counted on from the `before` replications of the runs before it."""
    if progress is None:
        return None
    return lambda done, _n: progress(before + done, total)


def variant_scenarios(scenario: Scenario, decisions: Sequence[Iterable[str]]) -> list[Scenario]:
    """The library with each set of tools applied (a round's distinct decisions, run together)."""
    return [Study(scenario, tools).variant_scenario for tools in decisions]
