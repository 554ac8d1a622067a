"""The scenario: a library described as data, read from YAML and validated with clear problems.

A scenario is a frozen pydantic model. Build one only through `parse_scenario` (from plain data),
`scenario_from_text` (YAML text) or `load_scenario` (a file): each runs the schema, then the checks
across fields, then tries every lean tool, and raises `ScenarioError` with one `Problem` per thing
that is wrong, each naming the field path and, for a file, the line; its words come from the locale
files in either language.

The parts, each depending only on those above it:
- `problems`: `Problem` (a code and parameters, said from the locales) and `ScenarioError`;
- `base`: the base models; `plan_schema`: tools, the round plan, money, the score and the floor plan;
- `schema`: the pydantic models of the library and the bounds of a run;
- `fields`: pydantic's errors as problems; `checks`: the checks across fields, as named stages
  (`checks_refs`: the first stage, ids and references between tables);
- `validate`: plain data to a Scenario (schema, then checks);
- `effects`: lean tools' effects applied to a scenario (`sim.lean` adds the round plan's rules);
- `reading`: files and YAML text, before anything is built; `loading`: all of it in order.
"""

from __future__ import annotations

from .base import _ID, WASTES, Frozen, Named, Text
from .checks import MAX_BOOKS, MAX_TIME_MIN, QUANTILE, expected_readers
from .loading import load_scenario, parse_scenario, scenario_from_text
from .plan_schema import Cost, Economics, Effect, Expect, Overtime, Round, ScoreWeights, Tool
from .problems import MAX_PROBLEMS, CodedValueError, Path_, Problem, ScenarioError, Term, format_path
from .reading import MAX_FILE_BYTES, MAX_NESTING, LineMap, read_document, read_file
from .schema import (
    MAX_EXPECTED_READERS,
    MAX_HORIZON_HOURS,
    MAX_RATE_PER_HOUR,
    MAX_STAFF_PER_ROLE,
    WEEKDAYS,
    Acquisitions,
    AcquisitionStep,
    Arrivals,
    Assist,
    Calendar,
    GroupProfile,
    Purpose,
    ReaderGroup,
    Reshelving,
    Role,
    Scenario,
    Stacks,
    Station,
    Step,
    StepPart,
)

__all__ = [
    "MAX_BOOKS",
    "MAX_EXPECTED_READERS",
    "MAX_FILE_BYTES",
    "MAX_HORIZON_HOURS",
    "MAX_NESTING",
    "MAX_PROBLEMS",
    "MAX_RATE_PER_HOUR",
    "MAX_STAFF_PER_ROLE",
    "MAX_TIME_MIN",
    "QUANTILE",
    "WASTES",
    "WEEKDAYS",
    "_ID",
    "AcquisitionStep",
    "Acquisitions",
    "Arrivals",
    "Assist",
    "Calendar",
    "CodedValueError",
    "Cost",
    "Economics",
    "Effect",
    "Expect",
    "Frozen",
    "GroupProfile",
    "LineMap",
    "Named",
    "Overtime",
    "Path_",
    "Problem",
    "Purpose",
    "ReaderGroup",
    "Reshelving",
    "Role",
    "Round",
    "Scenario",
    "ScenarioError",
    "ScoreWeights",
    "Stacks",
    "Station",
    "Step",
    "StepPart",
    "Term",
    "Text",
    "Tool",
    "expected_readers",
    "format_path",
    "load_scenario",
    "parse_scenario",
    "read_document",
    "read_file",
    "scenario_from_text",
]
