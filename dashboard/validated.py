"""Scenario texts validated once per content: the editor and the sandbox redraw on every click, and
a big legal file takes seconds to check, so each text is parsed and validated only when it is new.

The cache is keyed by the SHA-256 of the text and the name it is reported under (problems name
their file); it holds the frozen `Scenario` or the `ScenarioError`, and is shared by every page of
this server (a scenario is immutable, so sharing it is safe).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from pathlib import Path

from sim.scenario import Scenario, ScenarioError, read_file, scenario_from_text

KEPT = 64  # texts remembered: every file of both folders, and the editor's last edits
_seen: OrderedDict[tuple[str, str], Scenario | ScenarioError] = OrderedDict()
_lock = threading.Lock()
validations = 0  # texts actually parsed and validated (for tests of the cache)


def scenario_text(text: str, source: str) -> Scenario:
    """`scenario_from_text(text, source)`, validated once per distinct text; raises `ScenarioError`."""
    global validations
    key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), source)
    with _lock:
        found = _seen.get(key)
        if found is not None:
            _seen.move_to_end(key)
    if found is None:
        try:
            found = scenario_from_text(text, source)
        except ScenarioError as error:
            found = error
        with _lock:
            validations += 1
            _seen[key] = found
            while len(_seen) > KEPT:
                _seen.popitem(last=False)
    if isinstance(found, ScenarioError):
        raise _again(found)
    return found


def _again(error: ScenarioError) -> ScenarioError:
    """A fresh exception with the same (already capped) problems: a shared one would carry tracebacks."""
    fresh = Exception.__new__(ScenarioError)
    fresh.problems = error.problems
    fresh.args = error.args
    return fresh


def scenario_file(path: str | Path) -> Scenario:
    """`load_scenario(path)` (a regular file within the size limit), validated once per content."""
    return scenario_text(read_file(path), str(path))
