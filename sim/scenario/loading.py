"""Loading a scenario: read the file, parse the YAML, validate the data, then try every lean tool.

The one way in for files and plain data alike: `load_scenario` (a file), `scenario_from_text` (YAML
text) and `parse_scenario` (plain data). Each raises `ScenarioError` with every problem found, each
naming the file, the line and the field path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .effects import tool_problems
from .problems import ScenarioError
from .reading import LineMap, plain, read_document, read_file
from .schema import Scenario
from .validate import Lines, placed, problems_of


def parse_scenario(data: Any, *, file: str | None = None, lines: Lines | None = None,
                   check_tools: bool = True) -> Scenario:
    """Validate plain data (as read from YAML) into a Scenario, or raise ScenarioError.

    With `check_tools`, every lean tool is also applied alone (and each round's offer together) to
    make sure its effects name fields that exist and give a valid scenario.
    """
    scenario, problems = problems_of(data)
    if scenario is not None and check_tools and scenario.tools:
        problems = tool_problems(scenario)
    if scenario is not None and not problems:
        return scenario
    raise ScenarioError(placed(problems, file, lines))


def scenario_from_text(text: str, file: str = "<text>") -> Scenario:
    """Parse YAML text into a Scenario, or raise ScenarioError naming file, line and field."""
    root = read_document(text, file)
    return parse_scenario(plain(root), file=file, lines=LineMap(root))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file, or raise ScenarioError naming file, line and field.

    Only a regular file of at most `MAX_FILE_BYTES` is read (see `read_file`).
    """
    return scenario_from_text(read_file(path), str(path))
