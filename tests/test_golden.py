"""Golden (back) test: the model's event logs and figures are exactly what they were.

A refactor must leave every log byte-identical. A deliberate change of the model's output is made
by `python tests/golden/golden.py --why "..."`, whose reason CHANGELOG.md must repeat.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "golden"))
import golden

from sim.lean import apply_tools
from sim.scenario import load_scenario

STORED = json.loads(golden.GOLDEN.read_text(encoding="utf-8"))
CASES = [(f, name) for f, runs in STORED["logs"].items() for name in runs]


def test_every_shipped_scenario_is_covered() -> None:
    assert sorted(STORED["logs"]) == [p.name for p in golden.scenario_files()]
    for path in golden.scenario_files():
        assert sorted(STORED["logs"][path.name]) == sorted(golden.variants(load_scenario(path)))


def test_the_reason_for_the_stored_output_is_in_the_changelog() -> None:
    changelog = (golden.ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert STORED["reason"] in changelog, "a regeneration of the golden file needs its reason in CHANGELOG.md"


@pytest.mark.parametrize(("file", "run"), CASES, ids=[f"{f}:{n}" for f, n in CASES])
def test_event_log_is_unchanged(file: str, run: str) -> None:
    scenario = load_scenario(golden.ROOT / "scenarios" / file)
    got = golden.log_digest(apply_tools(scenario, golden.variants(scenario)[run]))
    assert got == STORED["logs"][file][run]


def same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


@pytest.mark.parametrize("file", sorted(STORED["figures"]))
def test_figures_are_unchanged(file: str) -> None:
    got = golden.figures(load_scenario(golden.ROOT / "scenarios" / file))
    want = STORED["figures"][file]
    moved = {k: (want.get(k), got.get(k)) for k in sorted(set(want) | set(got)) if not same(want.get(k), got.get(k))}
    assert not moved, f"figures moved (stored, now): {moved}"
