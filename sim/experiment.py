"""Replications, confidence intervals and paired comparisons.

Replication r of a run with root seed S draws every stream from (S, r, stream name), so two
scenarios run with the same S see the same readers in replication r (common random numbers), and
their difference is measured replication by replication (a paired comparison).
"""

from __future__ import annotations

import math
import multiprocessing
import os
import warnings
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy import special

from .kpis import kpi
from .metrics import RepMetrics, StepStats, compute_metrics
from .model import DEFAULT_LIMIT_MB, check_memory, simulate
from .scenario import Scenario

DEFAULT_SEED = 20241115
DEFAULT_REPLICATIONS = 30
MAX_REPLICATIONS = 1000
MEMORY_ENV = "LEAN_SIM_MEMORY_MB"  # memory limit of one replication, in MB (default 1024)
MEMORY_RANGE_MB = (128, 1_048_576)

# better / worse: a real change (95% CI clear of zero) at least as large as the figure's `matters`;
# too_small: real but smaller than that; no_clear_change: could be chance; unchanged: exactly the same
# in every replication (nothing to judge).
Verdict = Literal["better", "worse", "no_clear_change", "too_small", "unchanged"]
Progress = Callable[[int, int], None]


def _t975(df: int) -> float:
    """The 97.5% quantile of Student's t with `df` degrees of freedom (two-sided 95% intervals)."""
    return float(special.stdtrit(df, 0.975))


@dataclass(frozen=True)
class Estimate:
    """Mean over replications with its 95% confidence interval (t distribution); None if undefined."""

    mean: float | None
    ci95: tuple[float, float] | None
    n: int

    @staticmethod
    def of(values: list[float | None]) -> Estimate:
        xs = np.array([v for v in values if v is not None], dtype=float)
        if len(xs) == 0:
            return Estimate(None, None, 0)
        mean = float(xs.mean())
        if len(xs) < 2:
            return Estimate(mean, None, len(xs))
        half = float(_t975(len(xs) - 1) * xs.std(ddof=1) / math.sqrt(len(xs)))
        return Estimate(mean, (mean - half, mean + half), len(xs))


@dataclass(frozen=True)
class Difference:
    """Variant minus baseline, paired by replication, with its 95% CI and a plain verdict."""

    baseline: float | None
    variant: float | None
    diff: float | None
    ci95: tuple[float, float] | None
    verdict: Verdict
    real: Literal["better", "worse"] | None = None  # the direction of a real change, whether or not it matters


@dataclass
class Results:
    """What a run of R replications gives: the dashboard and the CLI draw from this."""

    scenario_id: str
    seed: int
    replications: int
    kpis: dict[str, Estimate]
    groups: dict[str, dict[str, Estimate]]
    per_replication: list[RepMetrics] = field(repr=False)
    hours: list[int]
    hourly: dict[str, list[float | None]]
    wait_samples: dict[str, np.ndarray] = field(repr=False)
    steps: dict[str, StepStats]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario_id,
            "seed": self.seed,
            "replications": self.replications,
            "kpis": {k: _estimate_json(k, e) for k, e in self.kpis.items()},
            "groups": {g: {k: _estimate_json(k, e) for k, e in figs.items()} for g, figs in self.groups.items()},
        }


@dataclass
class Comparison:
    baseline: Results
    variant: Results
    kpis: dict[str, Difference]
    groups: dict[str, dict[str, Difference]]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.baseline.scenario_id,
            "variant": self.variant.scenario_id,
            "seed": self.baseline.seed,
            "replications": self.baseline.replications,
            "kpis": {k: _difference_json(d) for k, d in self.kpis.items()},
            "groups": {g: {k: _difference_json(d) for k, d in figs.items()} for g, figs in self.groups.items()},
        }


def _clean(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _estimate_json(kpi_id: str, e: Estimate) -> dict[str, Any]:
    info = kpi(kpi_id)
    ci = [_clean(e.ci95[0]), _clean(e.ci95[1])] if e.ci95 else [None, None]
    return {"mean": _clean(e.mean), "ci95": ci, "unit": info.unit, "better": info.better}


def _difference_json(d: Difference) -> dict[str, Any]:
    ci = [_clean(d.ci95[0]), _clean(d.ci95[1])] if d.ci95 else [None, None]
    return {
        "baseline": _clean(d.baseline),
        "variant": _clean(d.variant),
        "diff": _clean(d.diff),
        "ci95": ci,
        "verdict": d.verdict,
    }


def memory_limit_mb(environ: dict[str, str] | None = None) -> int:
    """The memory limit of one replication: `LEAN_SIM_MEMORY_MB` if set, else 1024 MB.

    A value that is not a whole number of megabytes between 128 and 1,048,576 is ignored with a warning.
    """
    raw = (os.environ if environ is None else environ).get(MEMORY_ENV, "").strip()
    if not raw:
        return DEFAULT_LIMIT_MB
    low, high = MEMORY_RANGE_MB
    if not raw.isdigit() or not low <= int(raw) <= high:
        warnings.warn(f"{MEMORY_ENV}={raw!r} is not a whole number of MB between {low} and {high:,}; "
                      f"using {DEFAULT_LIMIT_MB} MB", stacklevel=2)
        return DEFAULT_LIMIT_MB
    return int(raw)


def replicate(scenario: Scenario, seed: int, replication: int, memory_limit: int = DEFAULT_LIMIT_MB) -> RepMetrics:
    """One replication: simulate and measure (the unit of work sent to executors)."""
    return compute_metrics(scenario, simulate(scenario, seed, replication, memory_limit_mb=memory_limit))


def default_executor(workers: int | None = None) -> Executor:
    """A process pool started with `spawn`, safe inside a threaded server such as Streamlit's."""
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn"))


def run_experiment(
    scenario: Scenario,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int = DEFAULT_SEED,
    *,
    executor: Executor | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    memory_limit: int | None = None,
) -> Results:
    """Run `replications` replications and aggregate them.

    Work goes to `executor` if given; otherwise to a new process pool of `workers` processes
    (all cores by default), or runs in this process when `workers == 1` or there is one replication.
    Each replication may use `memory_limit` MB (default: `memory_limit_mb()`); a scenario estimated to
    need more is refused with `RunawayScenario` before any work starts.
    """
    if not 1 <= replications <= MAX_REPLICATIONS:
        raise ValueError(f"replications must be between 1 and {MAX_REPLICATIONS} (got {replications})")
    limit = memory_limit if memory_limit is not None else memory_limit_mb()
    check_memory(scenario, limit)
    reps: list[RepMetrics | None] = [None] * replications
    done = 0
    if executor is None and (replications == 1 or workers == 1):
        for r in range(replications):
            reps[r] = replicate(scenario, seed, r, limit)
            done += 1
            if progress:
                progress(done, replications)
    else:
        own = executor is None
        pool = executor or default_executor(workers)
        try:
            futures = {pool.submit(replicate, scenario, seed, r, limit): r for r in range(replications)}
            for future in as_completed(futures):
                reps[futures[future]] = future.result()
                done += 1
                if progress:
                    progress(done, replications)
        finally:
            if own:
                pool.shutdown(cancel_futures=True)
    return aggregate(scenario.id, seed, [r for r in reps if r is not None])


def aggregate(scenario_id: str, seed: int, reps: list[RepMetrics]) -> Results:
    kpi_ids = list(dict.fromkeys(k for r in reps for k in r.kpis))
    kpis = {k: Estimate.of([r.kpis.get(k) for r in reps]) for k in kpi_ids}
    group_ids = list(dict.fromkeys(g for r in reps for g in r.groups))
    groups = {
        g: {k: Estimate.of([r.groups[g].get(k) for r in reps]) for k in reps[0].groups[g]} for g in group_ids
    }
    hours = reps[0].hours
    hourly: dict[str, list[float | None]] = {}
    if any(r.hours != hours for r in reps):
        raise ValueError("replications of one run must report the same hours")
    if reps:
        for name in reps[0].hourly:
            columns = zip(*(r.hourly[name] for r in reps))
            hourly[name] = [Estimate.of(list(col)).mean for col in columns]
    samples = {g: np.concatenate([r.wait_samples[g] for r in reps]) for g in group_ids}
    steps: dict[str, StepStats] = {}
    for r in reps:
        for sid, st in r.steps.items():
            steps.setdefault(sid, StepStats()).add(st)
    return Results(scenario_id, seed, len(reps), kpis, groups, reps, hours, hourly, samples, steps)


def paired(baseline: list[float | None], variant: list[float | None], better: str, matters: float = 0.0) -> Difference:
    """Paired difference (variant - baseline) over replications where both are defined.

    The verdict says whether the change is real (its 95% CI clear of zero) and whether it matters
    (its mean at least `matters` in size); a difference of exactly zero everywhere is `unchanged`.
    """
    pairs = [(b, v) for b, v in zip(baseline, variant) if b is not None and v is not None]
    base_mean = Estimate.of(baseline).mean
    var_mean = Estimate.of(variant).mean
    if not pairs:
        return Difference(base_mean, var_mean, None, None, "no_clear_change")
    diffs = np.array([v - b for b, v in pairs])
    mean = float(diffs.mean())
    if not diffs.any():
        return Difference(base_mean, var_mean, 0.0, (0.0, 0.0) if len(diffs) > 1 else None, "unchanged")
    if len(diffs) < 2:
        return Difference(base_mean, var_mean, mean, None, "no_clear_change")
    sd = float(diffs.std(ddof=1))
    half = float(_t975(len(diffs) - 1) * sd / math.sqrt(len(diffs))) if sd > 0 else 0.0
    lo, hi = mean - half, mean + half
    verdict: Verdict = "no_clear_change"
    real: Literal["better", "worse"] | None = None
    if lo > 0 or hi < 0:
        real = "better" if (lo > 0) == (better == "higher") else "worse"
        verdict = "too_small" if abs(mean) < matters else real
    return Difference(base_mean, var_mean, mean, (lo, hi), verdict, real)


def compare(baseline: Results, variant: Results) -> Comparison:
    """Paired comparison of two runs made with the same seed and number of replications."""
    if baseline.seed != variant.seed or baseline.replications != variant.replications:
        raise ValueError("a paired comparison needs the same seed and number of replications on both sides")
    b_reps, v_reps = baseline.per_replication, variant.per_replication
    kpi_ids = [k for k in baseline.kpis if k in variant.kpis]
    kpis = {
        k: paired([r.kpis.get(k) for r in b_reps], [r.kpis.get(k) for r in v_reps], kpi(k).better, kpi(k).matters)
        for k in kpi_ids
    }
    groups = {}
    for g in baseline.groups:
        if g not in variant.groups:
            continue
        groups[g] = {
            k: paired([r.groups[g].get(k) for r in b_reps], [r.groups[g].get(k) for r in v_reps], kpi(k).better,
                      kpi(k).matters)
            for k in baseline.groups[g]
        }
    return Comparison(baseline, variant, kpis, groups)
