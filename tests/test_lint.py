"""ruff over the whole project and mypy over `sim/`, inside the test suite so that CI runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# mypy checks the whole of sim/ and the dashboard's figure builders
MYPY_CLEAN = ["sim", "dashboard/floor_charts.py"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    done = run("ruff", "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean_on_the_checked_modules() -> None:
    done = run("mypy", "--follow-imports=silent", *[m for m in MYPY_CLEAN if (ROOT / m).exists()])
    assert done.returncode == 0, done.stdout + done.stderr
