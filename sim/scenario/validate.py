"""Plain data to a `Scenario`: the schema, then the checks across fields; lean tools are not tried here
(see `sim.scenario.loading`, which also tries every tool)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from pydantic import ValidationError

from .checks import scenario_problems
from .fields import field_problems
from .problems import Path_, Problem, ScenarioError
from .schema import Scenario


class Lines(Protocol):
    """Where a field path is written in a file (see `sim.scenario.reading.LineMap`)."""

    def line_of(self, path: Path_) -> int | None: ...


def problems_of(data: Any) -> tuple[Scenario | None, list[Problem]]:
    """The scenario built from `data` and no problems, or None and every problem found."""
    if not isinstance(data, Mapping):
        return None, [Problem((), "problem.file.not_mapping", line=1)]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        return None, field_problems(error)
    problems = scenario_problems(scenario)
    return (None, problems) if problems else (scenario, [])


def placed(problems: list[Problem], file: str | None, lines: Lines | None) -> list[Problem]:
    """The problems with the file and, where a line map is given, the line of each field."""
    if lines is not None:
        return [p.at(file, lines.line_of(p.path) or p.line) for p in problems]
    if file is not None:
        return [p.at(file, p.line) for p in problems]
    return problems


def validate(data: Any, *, file: str | None = None, lines: Lines | None = None) -> Scenario:
    """A Scenario from plain data (schema and checks, no tools tried), or raise ScenarioError."""
    scenario, problems = problems_of(data)
    if scenario is None:
        raise ScenarioError(placed(problems, file, lines))
    return scenario
