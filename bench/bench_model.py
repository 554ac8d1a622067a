"""Benchmark: the library model against bare SimPy, and 30 replications on one core and on all cores.

Run from the project root:

    python bench/bench_model.py              # 5 interleaved repeats (under a minute)
    python bench/bench_model.py --quick      # a smoke run: 1 repeat, 8 replications
    python bench/bench_model.py --json       # also print the figures as JSON

Part 1, CPU per reader. In one process and one run, the same M/M/3 queue (40.5 arrivals an hour,
exponential service with a mean of 4 minutes, three servers: rho = 0.9) is run twice:

- *bare SimPy*: the idiomatic minimal model (a `simpy.Resource(capacity=3)`, a source process, one
  process per customer that requests, times out and releases), with its random numbers pre-drawn
  from numpy Generators and each customer's wait appended to a list;
- *ours*: `simulate(load_scenario("scenarios/mmc-desk.yaml"), seed, 0)`, and separately
  `simulate` + `compute_metrics`.

Both serve the same number of readers (counted from our event log: rows of kind `Ev.ARRIVE`). CPU
time is `time.process_time()`; the runs are interleaved, with the order rotated each repeat (bare,
ours, ours+metrics; ours, ours+metrics, bare; ...), and the median of each is taken, to damp the
noise of a shared machine. The headline figure is CPU per reader of `simulate` alone over that of
bare SimPy; the target is <= 1.5 (a target for the benchmark, not a test).

Part 2, wall-clock (`time.perf_counter()`) of `run_experiment` on the default scenario
(`scenarios/central-lending-hall.yaml`), 30 replications, with `workers=1` (in this process) and
with `workers=os.cpu_count()` (a fresh `spawn` process pool per run, so the pool's start-up, which
a user also pays, is included). For scale it also times an empty pool of as many workers (start,
import `sim`, run no-op tasks, shut down), and checks that both ways give the same results.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so that `import sim` works without installing the project

import numpy as np
import simpy

from sim.eventlog import Ev
from sim.experiment import DEFAULT_SEED, default_executor, run_experiment
from sim.metrics import compute_metrics
from sim.model import simulate
from sim.scenario import load_scenario

MMC_SCENARIO = ROOT / "scenarios" / "mmc-desk.yaml"
DEFAULT_SCENARIO = ROOT / "scenarios" / "central-lending-hall.yaml"

ARRIVALS_PER_HOUR = 40.5
SERVICE_MEAN_MIN = 4.0
SERVERS = 3
TARGET_RATIO = 1.5


# --- the bare SimPy baseline ------------------------------------------------------------------------


def bare_mmc(n_customers: int, seed: int) -> list[float]:
    """The idiomatic minimal M/M/3 in SimPy; returns each customer's wait in line (minutes).

    Random numbers: pre-drawn arrays, not one draw at a time. Our model pre-draws its uniforms in
    blocks of 2048 per stream (sim.rng.Stream) and turns them into Python floats with `.tolist()`,
    so the like-for-like baseline also draws its interarrival and service times up front, one
    vectorised call per numpy Generator, and indexes Python lists. The drawing is inside the timed
    region, as it is for our model.
    """
    arrivals_ss, service_ss = np.random.SeedSequence(seed).spawn(2)
    interarrival = np.random.default_rng(arrivals_ss).exponential(60.0 / ARRIVALS_PER_HOUR, n_customers).tolist()
    service = np.random.default_rng(service_ss).exponential(SERVICE_MEAN_MIN, n_customers).tolist()

    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=SERVERS)
    waits: list[float] = []  # the minimal event log: one wait per customer

    def customer(i: int):
        arrived = env.now
        with desk.request() as req:
            yield req
            waits.append(env.now - arrived)
            yield env.timeout(service[i])

    def source():
        for i in range(n_customers):
            yield env.timeout(interarrival[i])
            env.process(customer(i))

    env.process(source())
    env.run()  # until every customer has been served, as our model drains its line after the horizon
    return waits


def erlang_c_wait(lam_per_min: float, mean_service: float, c: int) -> float:
    """Mean wait in line of an M/M/c queue (Erlang C), for the sanity line."""
    a = lam_per_min * mean_service
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait * mean_service / (c - a)


# --- timing helpers ---------------------------------------------------------------------------------


def cpu(fn, *args):
    """(CPU seconds, result) of one call, after a full garbage collection outside the timed region."""
    gc.collect()
    t0 = time.process_time()
    result = fn(*args)
    return time.process_time() - t0, result


def wall(fn, *args, **kwargs):
    gc.collect()
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - t0, result


def _ping(_: int) -> int:
    """A no-op task for the pool start-up measurement (the worker has imported `sim` by then)."""
    import sim.experiment  # noqa: F401  (what a replication task needs)

    return os.getpid()


def pool_startup(workers: int) -> int:
    """Start the same spawn pool as run_experiment, make every worker run one no-op task, shut it down."""
    with default_executor(workers) as pool:
        return len(set(pool.map(_ping, range(4 * workers))))


def ours_simulate(scenario, seed):
    return simulate(scenario, seed, 0)


def ours_with_metrics(scenario, seed):
    return compute_metrics(scenario, simulate(scenario, seed, 0))


# --- the two parts ----------------------------------------------------------------------------------


def bench_per_reader(repeats: int, seed: int) -> dict:
    scenario = load_scenario(MMC_SCENARIO)  # loading and validation are not timed
    log = simulate(scenario, seed, 0)  # also the warm-up run of our model
    readers = int(np.count_nonzero(log.kind == Ev.ARRIVE))
    ours_wait = float(log.value[log.kind == Ev.SERVICE_START].mean())
    events = len(log)
    del log
    bare_wait = float(np.mean(bare_mmc(readers, seed)))  # warm-up of the baseline

    runs = {
        "bare": (bare_mmc, readers, seed),
        "ours": (ours_simulate, scenario, seed),
        "ours_metrics": (ours_with_metrics, scenario, seed),
    }
    names = list(runs)
    samples: dict[str, list[float]] = {k: [] for k in names}
    for r in range(repeats):
        # interleaved, and the order rotated each repeat (A B C, B C A, C A B, ...): whichever run
        # comes straight after another pays for the other's leftovers (freed memory, cold caches),
        # so no side should always be in the same position
        for name in names[r % 3 :] + names[: r % 3]:
            t, _ = cpu(*runs[name])
            samples[name].append(t)
        print(
            f"  repeat {r + 1}/{repeats}: bare {samples['bare'][-1]:.3f} s, ours {samples['ours'][-1]:.3f} s, "
            f"ours+metrics {samples['ours_metrics'][-1]:.3f} s CPU",
            flush=True,
        )

    med = {k: statistics.median(v) for k, v in samples.items()}
    us = {k: v / readers * 1e6 for k, v in med.items()}
    return {
        "readers": readers,
        "events_in_log": events,
        "repeats": repeats,
        "seed": seed,
        "cpu_s_median": med,
        "cpu_s_samples": samples,
        "cpu_us_per_reader": us,
        "ratio_simulate": us["ours"] / us["bare"],
        "ratio_simulate_metrics": us["ours_metrics"] / us["bare"],
        "target": TARGET_RATIO,
        "meets_target": us["ours"] / us["bare"] <= TARGET_RATIO,
        "mean_wait_min": {
            "bare": bare_wait,
            "ours": ours_wait,
            "erlang_c": erlang_c_wait(ARRIVALS_PER_HOUR / 60.0, SERVICE_MEAN_MIN, SERVERS),
        },
    }


def bench_experiment(replications: int, repeats: int, seed: int, workers_all: int) -> dict:
    scenario = load_scenario(DEFAULT_SCENARIO)
    run_experiment(scenario, 1, seed, workers=1)  # warm-up (imports, first-call costs), not timed
    samples = {"one_core": [], "all_cores": [], "pool_startup": []}
    results = {}
    for r in range(repeats):  # interleaved, as above
        t, results["one_core"] = wall(run_experiment, scenario, replications, seed, workers=1)
        samples["one_core"].append(t)
        t, results["all_cores"] = wall(run_experiment, scenario, replications, seed, workers=workers_all)
        samples["all_cores"].append(t)
        t, _ = wall(pool_startup, workers_all)
        samples["pool_startup"].append(t)
        print(
            f"  repeat {r + 1}/{repeats}: 1 worker {samples['one_core'][-1]:.2f} s, "
            f"{workers_all} workers {samples['all_cores'][-1]:.2f} s, "
            f"empty pool {samples['pool_startup'][-1]:.2f} s wall",
            flush=True,
        )
    a, b = results["one_core"].to_json(), results["all_cores"].to_json()
    med = {k: statistics.median(v) for k, v in samples.items()}
    return {
        "scenario": scenario.id,
        "replications": replications,
        "repeats": repeats,
        "workers_all": workers_all,
        "wall_s_median": med,
        "wall_s_samples": samples,
        "speedup": med["one_core"] / med["all_cores"],
        "same_results": a == b,  # replications are seeded by index, so the pool must not change them
    }


# --- the report -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--repeats", type=int, default=None, help="interleaved repeats of each measurement (default 5; 1 with --quick)"
    )
    p.add_argument("--quick", action="store_true", help="smoke run: 1 repeat and 8 replications")
    p.add_argument("--replications", type=int, default=None, help="replications of the default scenario (default 30)")
    p.add_argument("--workers", type=int, default=None, help="workers for the all-cores run (default os.cpu_count())")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED)
    p.add_argument("--skip-experiment", action="store_true", help="only the CPU-per-reader part")
    p.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = p.parse_args(argv)
    repeats = args.repeats or (1 if args.quick else 5)
    replications = args.replications or (8 if args.quick else 30)
    workers_all = args.workers or os.cpu_count() or 1

    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    env_info = {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "simpy": simpy.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "usable_cpus": affinity,
    }
    print(
        f"Python {env_info['python']} ({env_info['implementation']}), SimPy {env_info['simpy']}, "
        f"numpy {env_info['numpy']}, {env_info['machine']}, os.cpu_count() = {env_info['cpu_count']}"
        + (f", usable by this process = {affinity}" if affinity is not None else "")
    )

    print(f"\n[1] CPU per reader: bare SimPy M/M/3 vs simulate(mmc-desk.yaml), {repeats} interleaved repeats")
    pr = bench_per_reader(repeats, args.seed)
    us = pr["cpu_us_per_reader"]
    w = pr["mean_wait_min"]
    print(f"  readers per run:          {pr['readers']:,} (our event log: {pr['events_in_log']:,} rows)")
    print(
        f"  mean wait in line, min:   bare {w['bare']:.2f}, ours {w['ours']:.2f}, Erlang C {w['erlang_c']:.2f} "
        "(one run each, warm-up included: a sanity check that both do the same work)"
    )
    print(f"  bare SimPy:               {us['bare']:7.2f} us CPU per reader (median)")
    print(f"  ours, simulate:           {us['ours']:7.2f} us CPU per reader (median)")
    print(f"  ours, simulate+metrics:   {us['ours_metrics']:7.2f} us CPU per reader (median)")
    verdict = "meets" if pr["meets_target"] else "MISSES"
    print(f"  ratio, simulate / bare:          {pr['ratio_simulate']:.2f}  ({verdict} the target <= {TARGET_RATIO})")
    print(f"  ratio, simulate+metrics / bare:  {pr['ratio_simulate_metrics']:.2f}")

    ex = None
    if not args.skip_experiment:
        print(
            f"\n[2] run_experiment, {replications} replications of {DEFAULT_SCENARIO.name}, "
            f"{repeats} interleaved repeats"
        )
        ex = bench_experiment(replications, repeats, args.seed, workers_all)
        m = ex["wall_s_median"]
        print(f"  workers=1:                {m['one_core']:.2f} s wall (median)")
        print(f"  workers={workers_all}:                {m['all_cores']:.2f} s wall (median, pool start-up included)")
        print(f"  speed-up:                 {ex['speedup']:.2f}x on {workers_all} workers")
        print(
            f"  empty pool, for scale:    {m['pool_startup']:.2f} s (spawn {workers_all} workers, import sim, "
            "no-op tasks, shut down)"
        )
        print(f"  per replication, 1 core:  {m['one_core'] / replications * 1000:.0f} ms")
        print(f"  same results both ways:   {ex['same_results']}")

    print("\nSummary (for the README)")
    print("| Measure | Result |")
    print("|---|---|")
    print(f"| Bare SimPy M/M/3, CPU per reader | {us['bare']:.1f} us |")
    print(f"| Our model on mmc-desk, CPU per reader (simulate) | {us['ours']:.1f} us |")
    print(f"| Our model on mmc-desk, CPU per reader (simulate + metrics) | {us['ours_metrics']:.1f} us |")
    met = "met" if pr["meets_target"] else "not met"
    print(f"| Ratio ours / bare SimPy (simulate; target <= {TARGET_RATIO}) | {pr['ratio_simulate']:.2f} ({met}) |")
    print(f"| Ratio ours / bare SimPy (simulate + metrics) | {pr['ratio_simulate_metrics']:.2f} |")
    if ex is not None:
        m = ex["wall_s_median"]
        print(f"| {ex['replications']} replications of the default scenario, 1 core | {m['one_core']:.2f} s |")
        print(
            f"| {ex['replications']} replications of the default scenario, {workers_all} cores | "
            f"{m['all_cores']:.2f} s ({ex['speedup']:.2f}x; an empty pool alone takes {m['pool_startup']:.2f} s) |"
        )
    print(
        f"\n({pr['readers']:,} readers per M/M/3 run, median of {repeats} interleaved repeats, "
        f"Python {env_info['python']}, SimPy {env_info['simpy']}, {env_info['cpu_count']} CPUs)"
    )

    if args.json:
        print(json.dumps({"environment": env_info, "per_reader": pr, "experiment": ex}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
