"""The golden (back) test's data: what the model gives today for every shipped scenario.

For each scenario in `scenarios/`, as it is, with each of its tools alone and with all its tools
together: replication 0 at a fixed seed, the event log's row count and a SHA-256 over its columns
(times and values rounded to 1e-6). Besides, the figures of a small multi-replication run of each
scenario as it is, so that a failure says which figure moved.

The stored file changes only through this command, and only with a reason that CHANGELOG.md
repeats word for word (the test checks it):

    python tests/golden/golden.py --why "Stack timer: one per run (was one per opening day)"
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script
    sys.path.insert(0, str(ROOT))

from sim.experiment import run_experiment  # noqa: E402
from sim.lean import apply_tools  # noqa: E402
from sim.model import simulate  # noqa: E402
from sim.scenario import Scenario, load_scenario  # noqa: E402

GOLDEN = Path(__file__).resolve().parent / "golden.json"
SEED = 20261202
FIGURE_REPLICATIONS = 3
COLUMNS = ("t", "kind", "entity", "group", "step", "station", "staff", "value")


def log_digest(scenario: Scenario) -> dict[str, Any]:
    """Row count and a hash over the columns of replication 0 of `scenario` at `SEED`."""
    log = simulate(scenario, SEED, 0)
    digest = hashlib.sha256()
    for name in COLUMNS:
        column = getattr(log, name)
        if column.dtype.kind == "f":
            column = np.round(column, 6) + 0.0  # + 0.0 folds -0.0 into 0.0
            digest.update(np.ascontiguousarray(column, dtype="<f8").tobytes())
        else:
            digest.update(np.ascontiguousarray(column, dtype="<i8").tobytes())
    return {"rows": len(log), "sha256": digest.hexdigest()}


def variants(scenario: Scenario) -> dict[str, list[str]]:
    """The runs kept per scenario: as it is, each tool alone, every tool together."""
    runs: dict[str, list[str]] = {"as-is": []}
    for tool in scenario.tools:
        runs[tool] = [tool]
    if len(scenario.tools) > 1:
        runs["all-tools"] = list(scenario.tools)
    return runs


def figures(scenario: Scenario) -> dict[str, float | None]:
    results = run_experiment(scenario, FIGURE_REPLICATIONS, SEED, workers=1)
    return {k: None if e.mean is None else round(float(e.mean), 9) for k, e in results.kpis.items()}


def scenario_files() -> list[Path]:
    return sorted((ROOT / "scenarios").glob("*.yaml"))


def compute() -> dict[str, Any]:
    out: dict[str, Any] = {"seed": SEED, "logs": {}, "figures": {}}
    for path in scenario_files():
        scenario = load_scenario(path)
        out["logs"][path.name] = {name: log_digest(apply_tools(scenario, tools))
                                  for name, tools in variants(scenario).items()}
        out["figures"][path.name] = figures(scenario)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--why", required=True, help="why the model's output changed (repeated in CHANGELOG.md)")
    args = parser.parse_args(argv)
    why = " ".join(args.why.split())
    if len(why) < 10:
        parser.error("say why the output changed, in a sentence")
    data = compute()
    data["reason"] = why
    GOLDEN.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
    if why not in changelog:
        print(f"now add this line to CHANGELOG.md (the golden test looks for it):\n  - Golden output regenerated: {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
