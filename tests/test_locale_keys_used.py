"""Every text in the locale files is used by the code: a key no code asks for is a text nobody reads, and
one that a translator may keep correcting for nothing (the report's old unit words, the balance table's
texts from before the budgets had units)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sim.i18n import catalogue

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.glob("sim/**/*.py"), *ROOT.glob("dashboard/**/*.py"), ROOT / "app.py"]
PLURAL = re.compile(r"_(one|few|many)$")


def _asked_for() -> tuple[set[str], set[str]]:
    """The string literals of the code (whole keys) and the beginnings of keys it builds
    (`f"verdict.{v}"`, `"waste." + w`, `f"tools.points_{form}"`)."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals.add(node.value)
            elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefixes.add(str(node.values[0].value))
            elif isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) and isinstance(node.left.value, str):
                prefixes.add(node.left.value)
    return literals, {p for p in prefixes if len(p) > 3 and p.endswith((".", "_"))}


def test_every_locale_key_is_asked_for_by_the_code() -> None:
    literals, prefixes = _asked_for()
    unused = sorted(key for key in catalogue("en")
                    if key not in literals and PLURAL.sub("", key) not in literals
                    and not any(key.startswith(p) for p in prefixes))
    assert unused == []


def test_the_scan_sees_literal_built_and_plural_keys() -> None:
    literals, prefixes = _asked_for()
    assert "report.unit" in literals and "gemba_round.at_most" in literals
    assert "verdict." in prefixes and "balance.strategy_" in prefixes
