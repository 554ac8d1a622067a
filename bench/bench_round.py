"""Benchmark: a training round's distinct decisions computed one after another, and together.

Run from the project root:

    python bench/bench_round.py                  # 8 decisions, 20 replications (the session default), 3 repeats
    python bench/bench_round.py --decisions 4 --replications 5 --repeats 1   # a smoke run

Eight distinct decisions of the default scenario (`scenarios/central-lending-hall.yaml`: the tools
offered in round 2, alone and in pairs, within its budget) at the trainer console's default number
of replications. *One after another* is what the worker did before: each decision's replications
over the pool, waiting for the last one before the next decision starts. *Together* submits every
replication of every decision at once (`sim.pool.run_batch`), so no process idles at the tail of a
decision. Both use the same warmed-up pool of `--workers` processes (all cores by default) and give
identical figures (checked). Wall-clock `time.perf_counter()`; the median of the repeats is shown.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.experiment import run_experiment
from sim.lean import apply_tools, check_choice
from sim.pool import SupervisedPool, run_batch
from sim.scenario import load_scenario

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "central-lending-hall.yaml"


def decisions(count: int) -> list[list[str]]:
    """`count` distinct choices of round 2 that fit its budget."""
    scenario = load_scenario(SCENARIO)
    offer = scenario.rounds[1].offer
    out: list[list[str]] = []
    for size in (1, 2, 3):
        for combo in combinations(offer, size):
            try:
                out.append(check_choice(scenario, 2, [], list(combo)))
            except ValueError:
                continue
            if len(out) == count:
                return out
    raise SystemExit(f"only {len(out)} distinct decisions fit round 2's budget")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=8)
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=20241115)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    base = load_scenario(SCENARIO)
    scenarios = [apply_tools(base, tools) for tools in decisions(args.decisions)]
    pool = SupervisedPool(args.workers)
    run_batch(pool, scenarios[:1], args.seed, min(args.workers, args.replications))  # start and warm the processes
    serial, together = [], []
    for _ in range(args.repeats):
        start = time.perf_counter()
        one_by_one = [pool.run(lambda ex, s=s: run_experiment(s, args.replications, args.seed, executor=ex))
                      for s in scenarios]
        serial.append(time.perf_counter() - start)
        start = time.perf_counter()
        at_once = run_batch(pool, scenarios, args.seed, args.replications)
        together.append(time.perf_counter() - start)
        assert [r.to_json() for r in one_by_one] == [r.to_json() for r in at_once], "the two ways differ"
    pool.shutdown()
    figures = {"decisions": args.decisions, "replications": args.replications, "workers": args.workers,
               "one_after_another_s": statistics.median(serial), "together_s": statistics.median(together),
               "repeats": {"one_after_another": serial, "together": together}}
    print(f"{args.decisions} decisions x {args.replications} replications on {args.workers} processes: "
          f"one after another {figures['one_after_another_s']:.2f} s, together {figures['together_s']:.2f} s "
          f"({figures['one_after_another_s'] / figures['together_s']:.2f}x)")
    if args.json:
        print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
