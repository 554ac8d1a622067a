"""ruff over the whole project and mypy over `sim/`, inside the test suite so that CI runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# modules of sim/ that mypy already finds clean; every module is to join this list
MYPY_CLEAN = [
    "sim/cli.py", "sim/editing.py", "sim/eventlog.py", "sim/i18n.py", "sim/library.py", "sim/metrics.py",
    "sim/rng.py", "sim/store.py", "sim/scenario/__init__.py", "sim/scenario/checks.py", "sim/scenario/effects.py",
    "sim/scenario/fields.py", "sim/scenario/loading.py", "sim/scenario/problems.py", "sim/scenario/reading.py",
    "sim/scenario/schema.py", "sim/scenario/validate.py", "sim/lean.py", "sim/distributions.py", "sim/floor.py", "sim/wastewalk.py",
    "dashboard/floor_charts.py", "sim/pool.py", "sim/text.py", "sim/guard.py", "sim/training/", "sim/ranking.py",
    "sim/kpis.py", "sim/experiment.py", "sim/report.py", "sim/export.py",
    "sim/model/__init__.py", "sim/model/backoffice.py", "sim/model/budget.py", "sim/model/clock.py",
    "sim/model/collection.py", "sim/model/context.py", "sim/model/queues.py", "sim/model/readers.py",
    "sim/model/records.py", "sim/model/root.py", "sim/model/staff.py",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    done = run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_the_checked_modules() -> None:
    done = run("mypy", "--follow-imports=silent", *[m for m in MYPY_CLEAN if (ROOT / m).exists()])
    assert done.returncode == 0, done.stdout + done.stderr
