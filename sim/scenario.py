"""The scenario: a library described as data, its schema, and loading it from YAML with clear errors.

A scenario is a frozen pydantic model. Build one only through `parse_scenario` (from plain data) or
`load_scenario` (from a file): both run the schema and then the cross-reference checks, and raise
`ScenarioError` with one `Problem` per thing that is wrong, each naming the field path and, for a
file, the line.

Units: times in minutes, wages in roubles per hour, rates in readers per hour, distances in metres.
"""

from __future__ import annotations

import difflib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from ruamel.yaml.reader import ReaderError

from .distributions import Distribution

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Bounds that keep a run finite and an upload harmless. A scenario past them is refused at load.
MAX_FILE_BYTES = 512 * 1024
MAX_NESTING = 40
MAX_HORIZON_HOURS = 24 * 400
MAX_EXPECTED_READERS = 2_000_000
MAX_STAFF_PER_ROLE = 500
MAX_RATE_PER_HOUR = 5_000.0

_ID = r"^[a-z][a-z0-9_-]{0,63}$"


class Frozen(BaseModel):
    # strict: YAML's true/false or "3" never pass for numbers; no infinities or NaN either
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Text(Frozen):
    """A user-facing text in both languages."""

    ru: str = Field(min_length=1, max_length=5000)
    en: str = Field(min_length=1, max_length=5000)


class Named(Frozen):
    name: Text


def _clock(value: str) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        raise ValueError(f"'{value}' is not a time of day like 10:00")
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > 24 * 60:
        raise ValueError(f"'{value}' is past midnight")
    return minutes


class Calendar(Frozen):
    """`daily`: a library that opens and closes; `continuous`: one long period (validation runs)."""

    mode: Literal["daily", "continuous"] = "daily"
    open: str = "10:00"
    close: str = "20:00"
    days: int = Field(default=5, ge=1, le=100_000)
    first_weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    hours: float | None = Field(default=None, gt=0, le=10_000_000, description="length of a continuous period")

    @field_validator("open", "close")
    @classmethod
    def _time_of_day(cls, value: str) -> str:
        _clock(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Calendar:
        if self.mode == "daily":
            if self.hours is not None:
                raise ValueError("'hours' belongs to mode: continuous; a daily calendar uses open, close and days")
            if self.close_min <= self.open_min:
                raise ValueError("close must be later than open")
            if self.close_min - self.open_min < 60 or (self.close_min - self.open_min) % 60:
                raise ValueError("opening hours must be whole hours (e.g. 10:00 to 20:00)")
        elif self.hours is None:
            raise ValueError("a continuous calendar needs 'hours'")
        return self

    @property
    def open_min(self) -> int:
        return _clock(self.open)

    @property
    def close_min(self) -> int:
        return _clock(self.close)

    @property
    def hours_per_day(self) -> int:
        """Opening hours a day (daily), or hours of the whole period rounded up (continuous)."""
        if self.mode == "daily":
            return (self.close_min - self.open_min) // 60
        return math.ceil(self.hours or 0)

    @property
    def horizon_hours(self) -> float:
        if self.mode == "daily":
            return self.days * 24.0
        return float(self.hours or 0)

    def weekday_of(self, day: int) -> str:
        return WEEKDAYS[(WEEKDAYS.index(self.first_weekday) + day) % 7]


class Arrivals(Frozen):
    """Readers per hour, one value per opening hour; `default` and optional weekday overrides.

    In continuous mode a profile of one value is a constant rate; a longer one repeats hour by hour.
    """

    per_hour: dict[str, list[float]]
    scale: float = Field(default=1.0, ge=0)

    @field_validator("per_hour")
    @classmethod
    def _profile(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        if "default" not in value:
            raise ValueError("needs a 'default' profile (and, if you wish, mon..sun overrides)")
        for key, rates in value.items():
            if key != "default" and key not in WEEKDAYS:
                raise ValueError(f"'{key}' is not a weekday; use default, {', '.join(WEEKDAYS)}")
            if not rates:
                raise ValueError(f"profile '{key}' is empty")
        return value

    def profile(self, weekday: str) -> list[float]:
        return self.per_hour.get(weekday, self.per_hour["default"])


class ReaderGroup(Named):
    share: float = Field(ge=0, le=1)
    patience: Distribution | None = Field(default=None, description="minutes before leaving a queue; none = waits")
    balk_at_queue: int | None = Field(default=None, ge=0, description="leaves at once if this many wait ahead")
    service_factor: float = Field(default=1.0, gt=0, le=10)
    self_service_adoption: float = Field(default=0.0, ge=0, le=1)
    purposes: dict[str, float] = Field(min_length=1)


class Purpose(Named):
    route: list[str] = Field(min_length=1, max_length=30)


class Step(Named):
    """One step of a visit (or of the back office) at a station.

    kind `service`: queue at the station, then its time (staff, kiosk, or alone at an open station);
    `shelf_search`: the reader looks for the book and may not find it (see reshelving);
    `stack_delivery`: the reader waits for the closed-stack run to bring the ordered item.
    """

    station: str
    kind: Literal["service", "shelf_search", "stack_delivery"] = "service"
    time: Distribution | None = None
    value: Literal["value_added", "necessary", "waste"] = "necessary"
    error_rate: float = Field(default=0.0, ge=0, le=0.9)
    rework_factor: float = Field(default=1.0, gt=0, le=5)
    walk_m: float = Field(default=0.0, ge=0, le=5000)
    returns_books: Distribution | None = Field(default=None, description="books put on the cart when done")
    self_service: str | None = Field(default=None, description="step used instead by self-service readers")
    on_not_found: str | None = Field(default=None, description="step taken after a failed shelf search")


class Station(Named):
    """Where work happens. `staffed`: staff with the skill serve it; `kiosk`: `capacity` machines;
    `open`: no queue (open shelves, the reading room)."""

    kind: Literal["staffed", "kiosk", "open"] = "staffed"
    tier: Literal["front", "back"] = "front"
    queue: Literal["single", "per_desk"] = "single"
    capacity: int | None = Field(default=None, ge=1, le=1000)
    priority_groups: list[str] = Field(default_factory=list)


class Assist(Frozen):
    station: str
    queue_above: int = Field(ge=0)


class Role(Named):
    staff: int | list[int] = Field(description="people on duty: one number, or one per opening hour")
    wage_per_hour: float = Field(ge=0, le=1_000_000)
    skills: list[str] = Field(description="stations this role works, in order of preference")
    assist: Assist | None = Field(default=None, description="also works a station when its line is long")
    interruptible: bool = Field(default=False, description="front-desk readers interrupt its back-office work")
    switch_setup_min: float = Field(default=0.0, ge=0, le=120)

    @field_validator("staff")
    @classmethod
    def _staff(cls, value: int | list[int]) -> int | list[int]:
        if isinstance(value, list) and not value:
            raise ValueError("needs at least one hour")
        return value

    def staff_at(self, hour_index: int) -> int:
        if isinstance(self.staff, int):
            return self.staff
        return self.staff[min(hour_index, len(self.staff) - 1)]


class Reshelving(Frozen):
    """Returned books wait on a cart; a run starts when `batch_size` books wait or `interval_min` passes."""

    station: str
    batch_size: int = Field(ge=1, le=10_000)
    interval_min: float | None = Field(default=None, ge=1, le=100_000)
    run_setup: Distribution | None = Field(default=None, description="minutes a run takes besides the books")
    time_per_book: Distribution
    misshelve_rate: float = Field(default=0.0, ge=0, le=1)
    not_found_per_waiting_book: float = Field(default=0.0, ge=0, le=1)
    not_found_max: float = Field(default=0.5, ge=0, le=1)


class Stacks(Frozen):
    """Closed stacks: orders wait for a run (`interval` every `interval_min`, or `on_demand`)."""

    station: str
    mode: Literal["interval", "on_demand"] = "interval"
    interval_min: float = Field(default=60.0, ge=1, le=100_000)
    run_time: Distribution
    time_per_item: Distribution


class AcquisitionStep(Frozen):
    step: str
    batch: int = Field(default=1, ge=1, le=10_000)
    wip_limit: int | None = Field(default=None, ge=1, le=100_000)


class Acquisitions(Frozen):
    """New items arrive in shipments and pass the back-office steps to the shelf."""

    shipment_every_days: float = Field(ge=0.05, le=3650)
    shipment_size: int = Field(ge=1, le=10_000)
    first_shipment_day: float = Field(default=0.0, ge=0)
    requested_share: float = Field(default=0.0, ge=0, le=1)
    requested_first: bool = False
    route: list[AcquisitionStep] = Field(min_length=1, max_length=20)
    initial_wip: dict[str, int] = Field(default_factory=dict)
    initial_age_days: float = Field(default=0.0, ge=0, le=3650)


WASTES = ("overproduction", "inventory", "transport", "waiting", "overprocessing", "motion", "defects", "talent")


class Cost(Frozen):
    points: int = Field(ge=0, le=1000, description="budget points, charged once")
    roubles_per_day: float = Field(default=0.0, ge=0, le=10_000_000, description="running cost")


class Expect(Frozen):
    """The figure a tool should move, and which way (for one reader group, if `group` is set)."""

    kpi: str
    direction: Literal["lower", "higher"]
    group: str | None = None


class Effect(Frozen):
    """One declared change to the scenario (see sim.lean)."""

    op: Literal["set", "scale", "add", "remove", "variability", "level_staff"]
    path: str = Field(min_length=1, max_length=300)
    value: Any = None
    factor: float | None = Field(default=None, ge=0, le=1000)


class Tool(Named):
    description: Text
    waste: Literal[WASTES] | None = None  # type: ignore[valid-type]
    aim: Literal["accessibility"] | None = None
    cost: Cost
    expect: Expect
    effects: list[Effect] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _waste_or_aim(self) -> Tool:
        if (self.waste is None) == (self.aim is None):
            raise ValueError(f"a tool names either the 'waste' it attacks ({', '.join(WASTES)}) or 'aim: accessibility'")
        return self


class Round(Frozen):
    """One round of a training: what the teams read, the tools on offer, the budget for new tools."""

    title: Text
    brief: Text
    debrief: list[Text] = Field(default_factory=list)
    offer: list[str] = Field(default_factory=list)
    budget: int = Field(default=0, ge=0, le=10_000)


class ScoreWeights(Frozen):
    """Weights of the balanced score's four parts."""

    service: float = Field(default=1.0, ge=0, le=100)
    accessibility: float = Field(default=1.0, ge=0, le=100)
    efficiency: float = Field(default=1.0, ge=0, le=100)
    cost: float = Field(default=1.0, ge=0, le=100)

    @model_validator(mode="after")
    def _some_weight(self) -> ScoreWeights:
        if self.service + self.accessibility + self.efficiency + self.cost <= 0:
            raise ValueError("at least one weight must be above 0")
        return self


class Scenario(Frozen):
    id: str = Field(pattern=_ID)
    title: Text
    description: Text
    calendar: Calendar
    warmup_hours: float = Field(default=0.0, ge=0)
    walk_speed_m_per_min: float = Field(default=60.0, gt=0)
    arrivals: Arrivals
    groups: dict[str, ReaderGroup] = Field(min_length=1)
    purposes: dict[str, Purpose] = Field(min_length=1)
    steps: dict[str, Step] = Field(min_length=1)
    stations: dict[str, Station] = Field(min_length=1)
    roles: dict[str, Role] = Field(default_factory=dict)
    reshelving: Reshelving | None = None
    stacks: Stacks | None = None
    acquisitions: Acquisitions | None = None
    tools: dict[str, Tool] = Field(default_factory=dict)
    rounds: list[Round] = Field(default_factory=list, max_length=20)
    score: ScoreWeights = Field(default_factory=ScoreWeights)
    max_events: int = Field(default=20_000_000, ge=1000, le=200_000_000)


# --- problems and errors -------------------------------------------------------------------------

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (file, line, field path) and what, in plain words."""

    path: Path_
    message: str
    file: str | None = None
    line: int | None = None

    @property
    def field(self) -> str:
        return format_path(self.path)

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str) -> str:
        """One line: file, line, field and what is wrong, in `lang` (ru or en)."""
        from .problem_text import say

        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.field}:" if self.path else ""
        return f"{where}:{field} {say(self.message, lang)}"


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_path(path: Path_) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _known_keys(model: type[BaseModel], path: Path_) -> list[str]:
    """Field names allowed at `path` inside `model`, for 'did you mean' hints."""
    current: Any = model
    for part in path:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            # a mapping keyed by ids: the value type is the next model
            current = _value_model(current)
            if current is None:
                return []
            fields = current.model_fields
            if part not in fields:
                continue
        current = _value_model(fields[part].annotation)
    return list(getattr(current, "model_fields", {}) or {})


def _value_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _value_model(arg)
        if found is not None:
            return found
    return None


def _pydantic_problems(error: ValidationError) -> list[Problem]:
    problems = []
    seen: set[Path_] = set()
    for item in error.errors(include_url=False):
        loc = tuple(
            part for part in item["loc"]
            if not (isinstance(part, str) and (part in _DIST_TAGS or _TYPE_LABEL.match(part)))
        )
        kind = item["type"]
        if loc in seen and kind not in ("extra_forbidden", "missing"):
            continue  # one message per field, even when several types were allowed
        seen.add(loc)
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else "?"
            known = _known_keys(Scenario, loc[:-1])
            hint = difflib.get_close_matches(key, known, n=1)
            message = f"unknown key '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else "")
            if known and not hint:
                message += f"; allowed here: {', '.join(sorted(known))}"
        elif kind == "missing":
            message = "is required but missing"
        elif kind == "union_tag_invalid" or kind == "union_tag_not_found":
            message = "'dist' must be one of: exponential, lognormal, gamma, triangular, uniform, fixed"
        elif kind in _TYPE_WORDS:
            message = _TYPE_WORDS[kind]
            if any(isinstance(p, str) and _TYPE_LABEL.match(p) for p in item["loc"]):
                message = "must be a whole number or a list of them" if "int" in str(item["loc"]) else message
            shown = item.get("input")
            if not isinstance(shown, (dict, list)):
                message += f" (got {shown!r})"
        else:
            message = item["msg"]
            message = message.removeprefix("Value error, ")
            shown = item.get("input")
            if kind not in ("value_error", "assertion_error") and not isinstance(shown, (dict, list)):
                message += f" (got {shown!r})"
        problems.append(Problem(loc, message))
    return problems


_DIST_TAGS = {"exponential", "lognormal", "gamma", "triangular", "uniform", "fixed"}
# pydantic names the members of a union ("int", "list[int]") in the location: they are not fields
_TYPE_LABEL = re.compile(r"^(int|float|str|bool|list\[.*\]|dict\[.*\]|function-.*|constrained-.*)$")
_TYPE_WORDS = {
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys",
    "model_type": "must be a mapping of keys",
    "finite_number": "must be a finite number",
}


def _semantic_problems(s: Scenario) -> list[Problem]:
    """Cross-references and sums that the field types alone cannot check."""
    out: list[Problem] = []

    def ref(path: Path_, value: str | None, table: Mapping[str, Any], what: str) -> None:
        if value is not None and value not in table:
            hint = difflib.get_close_matches(value, list(table), n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else f"; known: {', '.join(sorted(table)) or 'none'}"
            out.append(Problem(path, f"unknown {what} '{value}'{extra}"))

    for table_name in ("groups", "purposes", "steps", "stations", "roles", "tools"):
        for key in getattr(s, table_name):
            if not re.fullmatch(_ID, key):
                out.append(Problem((table_name, key), "an id must be lower-case letters, digits, '_' or '-'"))

    total = sum(g.share for g in s.groups.values())
    if abs(total - 1) > 1e-6:
        out.append(Problem(("groups",), f"reader group shares must add up to 1 (they add up to {total:g})"))
    for gid, group in s.groups.items():
        mix = sum(group.purposes.values())
        if abs(mix - 1) > 1e-6:
            out.append(Problem(("groups", gid, "purposes"), f"purpose shares must add up to 1 (they add up to {mix:g})"))
        for pid, share in group.purposes.items():
            ref(("groups", gid, "purposes", pid), pid, s.purposes, "visit purpose")
            if share < 0:
                out.append(Problem(("groups", gid, "purposes", pid), f"a share cannot be negative (got {share:g})"))

    for pid, purpose in s.purposes.items():
        for i, sid in enumerate(purpose.route):
            ref(("purposes", pid, "route", i), sid, s.steps, "step")

    for sid, step in s.steps.items():
        ref(("steps", sid, "station"), step.station, s.stations, "station")
        ref(("steps", sid, "self_service"), step.self_service, s.steps, "step")
        ref(("steps", sid, "on_not_found"), step.on_not_found, s.steps, "step")
        if step.kind != "stack_delivery" and step.time is None:
            out.append(Problem(("steps", sid, "time"), "needs a time distribution"))
        if step.kind == "stack_delivery" and s.stacks is None:
            out.append(Problem(("steps", sid, "kind"), "a stack_delivery step needs a 'stacks' section"))
        if step.kind == "shelf_search" and s.reshelving is None:
            out.append(Problem(("steps", sid, "kind"), "a shelf_search step needs a 'reshelving' section"))
        if step.self_service is not None and step.self_service in s.steps:
            alt = s.steps[step.self_service]
            if alt.self_service is not None:
                out.append(Problem(("steps", sid, "self_service"), "the self-service step must not have its own self_service"))

    for sid, step in s.steps.items():
        if step.on_not_found and step.on_not_found in s.steps and s.steps[step.on_not_found].kind != "service":
            out.append(Problem(("steps", sid, "on_not_found"), "must name a service step (asking at a desk), not a search"))
    for stid, station in s.stations.items():
        if station.queue == "per_desk" and (station.kind != "staffed" or station.tier != "front"):
            out.append(Problem(("stations", stid, "queue"), "a line per desk is for staffed front-desk stations only"))
        if station.kind == "kiosk" and station.capacity is None:
            out.append(Problem(("stations", stid, "capacity"), "a kiosk station needs 'capacity' (how many machines)"))
        for i, gid in enumerate(station.priority_groups):
            ref(("stations", stid, "priority_groups", i), gid, s.groups, "reader group")

    hours = s.calendar.hours_per_day
    for rid, role in s.roles.items():
        for i, stid in enumerate(role.skills):
            ref(("roles", rid, "skills", i), stid, s.stations, "station")
            if stid in s.stations and s.stations[stid].kind != "staffed":
                out.append(Problem(("roles", rid, "skills", i), f"station '{stid}' is not staffed ({s.stations[stid].kind})"))
        if role.assist is not None:
            ref(("roles", rid, "assist", "station"), role.assist.station, s.stations, "station")
        if isinstance(role.staff, list) and s.calendar.mode == "daily" and len(role.staff) != hours:
            out.append(
                Problem(("roles", rid, "staff"), f"has {len(role.staff)} hours but the library is open {hours} hours a day")
            )

    for key, rates in s.arrivals.per_hour.items():
        for i, rate in enumerate(rates):
            if not 0 <= rate <= MAX_RATE_PER_HOUR:
                out.append(Problem(("arrivals", "per_hour", key, i),
                                   f"{rate:.12g} readers an hour is outside 0..{MAX_RATE_PER_HOUR:g}"))
    for rid, role in s.roles.items():
        counts = role.staff if isinstance(role.staff, list) else [role.staff]
        for i, count in enumerate(counts):
            if not 0 <= count <= MAX_STAFF_PER_ROLE:
                path: Path_ = ("roles", rid, "staff", i) if isinstance(role.staff, list) else ("roles", rid, "staff")
                out.append(Problem(path, f"{count} people is outside 0..{MAX_STAFF_PER_ROLE}"))
    if out:
        return out
    if s.calendar.mode == "daily":
        for key, rates in s.arrivals.per_hour.items():
            if len(rates) != hours:
                out.append(
                    Problem(("arrivals", "per_hour", key), f"has {len(rates)} hours but the library is open {hours} hours a day")
                )
    last_close = ((s.calendar.days - 1) * 24 + s.calendar.close_min / 60) if s.calendar.mode == "daily" else s.calendar.horizon_hours
    if s.warmup_hours >= last_close:
        out.append(Problem(("warmup_hours",), "the warm-up must end before the run does"))
    if s.calendar.horizon_hours > MAX_HORIZON_HOURS:
        field = "days" if s.calendar.mode == "daily" else "hours"
        out.append(Problem(("calendar", field),
                           f"a run of {s.calendar.horizon_hours:g} hours is too long (at most {MAX_HORIZON_HOURS})"))
    else:
        expected = expected_readers(s)
        if expected > MAX_EXPECTED_READERS:
            out.append(
                Problem(("arrivals",), f"about {expected:,.0f} readers would arrive; at most {MAX_EXPECTED_READERS:,} per run")
            )

    def staffed(path: Path_, station: str | None) -> None:
        if station in s.stations and s.stations[station].kind != "staffed":
            out.append(Problem(path, f"station '{station}' must be staffed: this work is done by staff"))

    if s.reshelving is not None:
        ref(("reshelving", "station"), s.reshelving.station, s.stations, "station")
        staffed(("reshelving", "station"), s.reshelving.station)
    if s.stacks is not None:
        ref(("stacks", "station"), s.stacks.station, s.stations, "station")
        staffed(("stacks", "station"), s.stacks.station)
    if s.acquisitions is not None:
        route_steps = [a.step for a in s.acquisitions.route]
        for i, a in enumerate(s.acquisitions.route):
            ref(("acquisitions", "route", i, "step"), a.step, s.steps, "step")
            if a.step in s.steps:
                staffed(("acquisitions", "route", i, "step"), s.steps[a.step].station)
        shipments = s.calendar.horizon_hours / 24.0 / s.acquisitions.shipment_every_days + 1
        items = shipments * s.acquisitions.shipment_size + sum(s.acquisitions.initial_wip.values())
        if items > 200_000:
            out.append(Problem(("acquisitions", "shipment_every_days"), f"about {items:,.0f} new items would arrive; at most 200,000 per run"))
        for key, count in s.acquisitions.initial_wip.items():
            if key not in route_steps:
                out.append(Problem(("acquisitions", "initial_wip", key), f"'{key}' is not a step of the acquisitions route"))
            if count < 0 or count > 100_000:
                out.append(Problem(("acquisitions", "initial_wip", key), f"{count} items is outside 0..100000"))

    out += _plan_problems(s)
    if out:
        return out
    return _staffing_problems(s)


def _plan_problems(s: Scenario) -> list[Problem]:
    """Tools' expectations and the round plan refer to things that exist."""
    from .kpis import KPIS

    out: list[Problem] = []
    known_kpis = set(KPIS) | {f"utilisation.{r}" for r in s.roles}
    for tid, tool in s.tools.items():
        if tool.expect.kpi not in known_kpis:
            hint = difflib.get_close_matches(tool.expect.kpi, sorted(known_kpis), n=1)
            extra = f" (did you mean '{hint[0]}'?)" if hint else ""
            out.append(Problem(("tools", tid, "expect", "kpi"), f"unknown figure '{tool.expect.kpi}'{extra}"))
        if tool.expect.group is not None and tool.expect.group not in s.groups:
            out.append(Problem(("tools", tid, "expect", "group"), f"unknown reader group '{tool.expect.group}'"))
    seen: set[str] = set()
    for r, plan in enumerate(s.rounds):
        for i, tid in enumerate(plan.offer):
            if tid not in s.tools:
                hint = difflib.get_close_matches(tid, list(s.tools), n=1)
                extra = f" (did you mean '{hint[0]}'?)" if hint else ""
                out.append(Problem(("rounds", r, "offer", i), f"unknown tool '{tid}'{extra}"))
            elif tid in seen:
                out.append(Problem(("rounds", r, "offer", i), f"tool '{tid}' is offered in an earlier round already"))
            seen.add(tid)
    return out


def _used_stations(s: Scenario) -> dict[str, Path_]:
    """Stations that get work, with the place that sends it there."""
    used: dict[str, Path_] = {}
    reachable: set[str] = set()
    for group in s.groups.values():
        for pid, share in group.purposes.items():
            if share > 0 and s.arrivals.scale > 0:
                reachable.update(s.purposes[pid].route)
    for sid in list(reachable):
        step = s.steps[sid]
        for extra in (step.self_service, step.on_not_found):
            if extra:
                reachable.add(extra)
    for sid in sorted(reachable):
        step = s.steps[sid]
        if step.kind == "service":
            used.setdefault(step.station, ("steps", sid, "station"))
        if step.kind == "stack_delivery" and s.stacks is not None:
            used.setdefault(s.stacks.station, ("stacks", "station"))
        if step.returns_books is not None and s.reshelving is not None:
            used.setdefault(s.reshelving.station, ("reshelving", "station"))
    if s.acquisitions is not None:
        for i, a in enumerate(s.acquisitions.route):
            used.setdefault(s.steps[a.step].station, ("acquisitions", "route", i, "step"))
    return used


def _staffing_problems(s: Scenario) -> list[Problem]:
    out = []
    for stid, path in _used_stations(s).items():
        station = s.stations[stid]
        if station.kind != "staffed":
            continue
        staffed = any(
            (stid in role.skills or (role.assist and role.assist.station == stid))
            and max(role.staff if isinstance(role.staff, list) else [role.staff]) > 0
            for role in s.roles.values()
        )
        if not staffed:
            out.append(Problem(path, f"station '{stid}' has work but no staff: give some role the skill and people on duty"))
    return out


def expected_readers(s: Scenario) -> float:
    """Mean number of readers the arrival profile brings over the whole run."""
    cal = s.calendar
    if cal.mode == "daily":
        return sum(sum(s.arrivals.profile(cal.weekday_of(d))) for d in range(cal.days)) * s.arrivals.scale
    profile = s.arrivals.per_hour["default"]
    hours = cal.hours or 0
    full, rest = divmod(hours, 1)
    total = sum(profile[h % len(profile)] for h in range(int(full)))
    total += rest * profile[int(full) % len(profile)]
    return total * s.arrivals.scale


# --- building and loading ------------------------------------------------------------------------


def parse_scenario(data: Any, *, file: str | None = None, lines: LineMap | None = None,
                   check_tools: bool = True) -> Scenario:
    """Validate plain data (as read from YAML) into a Scenario, or raise ScenarioError.

    With `check_tools`, every lean tool is also applied alone (and each round's offer together) to
    make sure its effects name fields that exist and give a valid scenario.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError([Problem((), "a scenario must be a mapping of keys (id, title, ...) at the top level", file, 1)])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as error:
        problems = _pydantic_problems(error)
    else:
        problems = _semantic_problems(scenario)
        if not problems and check_tools and scenario.tools:
            from .lean import tool_problems

            problems = tool_problems(scenario)
        if not problems:
            return scenario
    if lines is not None:
        problems = [Problem(p.path, p.message, file, lines.line_of(p.path)) for p in problems]
    elif file is not None:
        problems = [Problem(p.path, p.message, file, p.line) for p in problems]
    raise ScenarioError(problems)


class LineMap:
    """Finds the line of a field path in a document read by ruamel.yaml's round-trip loader."""

    def __init__(self, root: Any):
        self.root = root

    def line_of(self, path: Path_) -> int | None:
        node, line = self.root, 1 if self.root is not None else None
        for part in path:
            lc = getattr(node, "lc", None)
            try:
                if lc is not None:
                    if isinstance(part, int):
                        line = lc.item(part)[0] + 1
                    elif part in node:
                        line = lc.key(part)[0] + 1
                node = node[part]
            except (KeyError, IndexError, TypeError, AttributeError):
                break
        return line


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    return yaml


def _precheck(text: str, file: str) -> list[Problem]:
    """Refuse what could make loading slow or unsafe before anything is built: aliases (the
    "billion laughs"), explicit tags (!!python/object and the like), deep nesting."""
    depth = 0
    try:
        for event in _yaml().parse(io.StringIO(text)):
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, AliasEvent):
                return [Problem((), "YAML anchors and aliases (&name, *name) are not allowed in scenario files", file, line)]
            tag = getattr(event, "tag", None)
            if tag:
                shown = str(tag).replace("tag:yaml.org,2002:", "!!")
                return [Problem((), f"YAML tags such as '{shown}' are not allowed in scenario files", file, line)]
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    return [Problem((), f"the file is nested more than {MAX_NESTING} levels deep", file, line)]
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                depth -= 1
    except YAMLError as error:
        return [_yaml_problem(error, file, text)]
    return []


def _yaml_problem(error: YAMLError, file: str, text: str) -> Problem:
    """One line naming where YAML could not go on, and where the unfinished part started."""
    line: int | None = None
    if isinstance(error, MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        what = " ".join(part for part in (error.context, error.problem) if part)
        start = error.context_mark
        if start is not None and line is not None and start.line + 1 != line:
            what += f" (it starts at line {start.line + 1})"
    elif isinstance(error, ReaderError):
        line = text[: error.position].count("\n") + 1 if error.position is not None else None
        what = f"character #x{error.character:04x} is not allowed" if isinstance(error.character, int) else str(error.reason)
    else:
        what = str(error)
    return Problem((), "not valid YAML: " + " ".join(what.split()), file, line)


def _plain(node: Any) -> Any:
    """Round-trip containers to plain dicts and lists (ruamel's types confuse nothing, but be plain)."""
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, (int, float)) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if type(node).__module__.startswith("ruamel"):
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        if isinstance(node, str):
            return str(node)
        return str(node)
    return node


def read_document(text: str, file: str = "<text>", yaml: YAML | None = None) -> Any:
    """The round-trip YAML document of `text`, after refusing what is too big, deep or unsafe."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise ScenarioError([Problem((), f"the file is larger than {MAX_FILE_BYTES // 1024} KiB", file)])
    problems = _precheck(text, file)
    if problems:
        raise ScenarioError(problems)
    try:
        return (yaml or _yaml()).load(io.StringIO(text))
    except YAMLError as error:
        raise ScenarioError([_yaml_problem(error, file, text)]) from None


def scenario_from_text(text: str, file: str = "<text>") -> Scenario:
    """Parse YAML text into a Scenario, or raise ScenarioError naming file, line and field."""
    root = read_document(text, file)
    return parse_scenario(_plain(root), file=file, lines=LineMap(root))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file, or raise ScenarioError naming file, line and field."""
    path = Path(path)
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ScenarioError([Problem((), f"the file is larger than {MAX_FILE_BYTES // 1024} KiB", name)])
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem((), "no such file", name)]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem((), "is a folder, not a scenario file", name)]) from None
    except OSError as error:
        raise ScenarioError([Problem((), f"cannot be read: {error.strerror}", name)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError([Problem((), f"is not UTF-8 text (byte {error.start})", name)]) from None
    return scenario_from_text(text, name)
