"""The scenario's schema: a library described as data, as frozen pydantic models.

Every model forbids unknown keys and is strict (YAML's `true` or `"3"` never pass for numbers).
A field check that fails raises `CodedValueError`, so its problem has a code and parameters like
every other (see `sim.scenario.problems`). Checks across fields live in `sim.scenario.checks`.
The base models are in `sim.scenario.base`; the tools, the round plan, money, the score, overtime
pay and the floor plan in `sim.scenario.plan_schema` (the package re-exports all of them).

Units: times in minutes, wages in roubles per hour, rates in readers per hour, distances in metres.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..distributions import Distribution
from .base import _ID, WASTES, Frozen, Named, Text
from .events_schema import MAX_EVENTS, Event
from .plan_schema import Economics, Floor, Overtime, Round, ScoreWeights, Tool
from .problems import CodedValueError, shorten

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Bounds that keep a run finite and an upload harmless. A scenario past them is refused at load.
MAX_HORIZON_HOURS = 24 * 400
MAX_EXPECTED_READERS = 2_000_000
MAX_STAFF_PER_ROLE = 500
MAX_RATE_PER_HOUR = 5_000.0


def _clock(value: str) -> int:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
    if not match or int(match[1]) > 24 or int(match[2]) > 59:
        raise CodedValueError("problem.field.time_of_day", value=shorten(value))
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > 24 * 60:
        raise CodedValueError("problem.field.past_midnight", value=value)
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
                raise CodedValueError("problem.field.hours_in_daily")
            if self.close_min <= self.open_min:
                raise CodedValueError("problem.field.close_before_open")
            if self.close_min - self.open_min < 60 or (self.close_min - self.open_min) % 60:
                raise CodedValueError("problem.field.whole_hours")
        elif self.hours is None:
            raise CodedValueError("problem.field.continuous_hours")
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


def _check_profile(value: dict[str, list[float]]) -> dict[str, list[float]]:
    """An hourly profile has a `default`, weekday keys only, and no empty list."""
    if "default" not in value:
        raise CodedValueError("problem.field.default_profile")
    for key, rates in value.items():
        if key != "default" and key not in WEEKDAYS:
            raise CodedValueError("problem.field.weekday", value=shorten(key), allowed=", ".join(("default", *WEEKDAYS)))
        if not rates:
            raise CodedValueError("problem.field.empty_profile", value=key)
    return value


class Arrivals(Frozen):
    """Readers per hour, one value per opening hour; `default` and optional weekday overrides.

    In continuous mode a profile of one value is a constant rate; a longer one repeats hour by hour.
    """

    per_hour: dict[str, list[float]]
    scale: float = Field(default=1.0, ge=0)

    @field_validator("per_hour")
    @classmethod
    def _profile(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        return _check_profile(value)

    def profile(self, weekday: str) -> list[float]:
        return self.per_hour.get(weekday, self.per_hour["default"])


class GroupProfile(Frozen):
    """A reader group's own shape of the day: relative weights per opening hour (`default` and optional
    weekday overrides). Only the shape counts: the group still brings its `share` of each day's readers."""

    per_hour: dict[str, list[float]]

    @field_validator("per_hour")
    @classmethod
    def _profile(cls, value: dict[str, list[float]]) -> dict[str, list[float]]:
        return _check_profile(value)

    def profile(self, weekday: str) -> list[float]:
        return self.per_hour.get(weekday, self.per_hour["default"])


def group_rates(total: list[float], groups: list[tuple[float, list[float] | None]]) -> list[list[float]]:
    """Each group's readers per hour on one day: its share of the day's readers (the sum of `total`),
    spread by its own shape, or by `total`'s shape for a group without one (so without any shapes
    the groups add up to `total` hour by hour)."""
    day = sum(max(rate, 0.0) for rate in total)
    out = []
    for share, shape in groups:
        weights = [max(w, 0.0) for w in (total if shape is None else shape)]
        whole = sum(weights)
        out.append([share * day * w / whole if whole > 0 else 0.0 for w in weights])
    return out


class ReaderGroup(Named):
    """A group of readers: its share of arrivals, patience, pace and mix of visit purposes.

    With `arrivals`, the group's readers come by its own hourly shape (seniors in the morning,
    pupils after school); its share of each day's readers stays `share`.

    `adoption` gives the share of the group that uses one self-service or online option (a step
    named as another step's `self_service`), instead of `self_service_adoption` (which stays the
    share for the options not listed): a reader uses an option when its one self-service draw is
    below the option's share, so the readers at ease with one option are the ones who use the more
    common ones too. `assistance` maps a step to a service step the group's readers take just before
    it: help from a librarian (finding a book on the open shelves with the reader, showing the
    kiosk), in that station's line and on its staff's time, at the group's pace (`service_factor`).
    `access_needs` marks a group whose access the library must look after (readers with
    disabilities, seniors): their p90 wait (`wait_p90_access_groups`) is a figure of the score's
    accessibility part, so a tool that helps them is rewarded there.
    """

    share: float = Field(ge=0, le=1)
    arrivals: GroupProfile | None = Field(default=None, description="the group's own hourly shape")
    patience: Distribution | None = Field(default=None, description="minutes before leaving a queue; none = waits")
    balk_at_queue: int | None = Field(default=None, ge=0, description="leaves at once if this many wait ahead")
    service_factor: float = Field(default=1.0, gt=0, le=10)
    self_service_adoption: float = Field(default=0.0, ge=0, le=1)
    adoption: dict[str, float] = Field(default_factory=dict, description="self-service step -> the share that uses it")
    assistance: dict[str, str] = Field(default_factory=dict, description="step -> a step taken just before it (help)")
    access_needs: bool = Field(default=False, description="the accessibility part of the score looks after this group")
    purposes: dict[str, float] = Field(min_length=1)


class Purpose(Named):
    """A reason to visit: the route of steps a reader takes."""

    route: list[str] = Field(min_length=1, max_length=30)


class StepPart(Named):
    """A part of a step's work with its own value class: lending = scan and issue (value-added) +
    looking for the form and reaching for it (waste: motion). A step with parts takes their sum;
    a tool may scale or remove one part (5S removes the motion, not a share of the whole step)."""

    id: str = Field(pattern=_ID)
    time: Distribution
    value: Literal["value_added", "necessary", "waste"] = "necessary"
    waste: Literal[WASTES] | None = Field(default=None, description="which waste, for a part of value `waste`")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _waste_is_waste(self) -> StepPart:
        if self.waste is not None and self.value != "waste":
            raise CodedValueError("problem.parts.waste_not_waste", waste=self.waste, value=self.value)
        return self


class Step(Named):
    """One step of a visit (or of the back office) at a station.

    kind `service`: queue at the station, then its time (staff, kiosk, or alone at an open station);
    `shelf_search`: the reader looks for the book and may not find it (see reshelving);
    `stack_delivery`: the reader waits for the closed-stack run to bring the ordered item.

    The time is `time`, or the sum of `parts`, each with its own value class (then the step's own
    `value` is only its label on the value-stream map: the parts' classes count).
    """

    station: str
    kind: Literal["service", "shelf_search", "stack_delivery"] = "service"
    time: Distribution | None = None
    parts: list[StepPart] | None = Field(default=None, min_length=1, max_length=12,
                                         description="the time as parts with their own value classes, instead of `time`")
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
    """A station a role also works when more than `queue_above` readers wait there."""

    station: str
    queue_above: int = Field(ge=0)


class Role(Named):
    """Staff of one kind: people on duty, wage, the stations they work."""

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
            raise CodedValueError("problem.field.one_hour")
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
    walk_m_per_run: float = Field(default=0.0, ge=0, le=100_000, description="metres a run walks")


class Stacks(Frozen):
    """Closed stacks: orders wait for a run (`interval` every `interval_min`, or `on_demand`)."""

    station: str
    mode: Literal["interval", "on_demand"] = "interval"
    interval_min: float = Field(default=60.0, ge=1, le=100_000)
    run_time: Distribution
    time_per_item: Distribution
    walk_m_per_run: float = Field(default=0.0, ge=0, le=100_000, description="metres a run walks")


class AcquisitionStep(Frozen):
    """One back-office step of new items, with its batch size and WIP limit."""

    step: str
    batch: int = Field(default=1, ge=1, le=10_000)
    wip_limit: int | None = Field(default=None, ge=1, le=100_000)


class Acquisitions(Frozen):
    """New items arrive in shipments and pass the back-office steps to the shelf.

    `warmup_days` (daily calendars): the whole library (readers, staff, the back office, shipments on
    their schedule extended backwards) runs that many days before day 0, and no figure counts them.
    The back office then starts the counted days in the state its own flow makes, and `initial_wip`
    only seeds the warm-up: its items, whose receipt (`initial_age_days`) is an assumption, are left
    out of the lead-time figures."""

    shipment_every_days: float = Field(ge=0.05, le=3650)
    shipment_size: int = Field(ge=1, le=10_000)
    first_shipment_day: float = Field(default=0.0, ge=0)
    requested_share: float = Field(default=0.0, ge=0, le=1)
    requested_first: bool = False
    route: list[AcquisitionStep] = Field(min_length=1, max_length=20)
    initial_wip: dict[str, int] = Field(default_factory=dict)
    initial_age_days: float = Field(default=0.0, ge=0, le=3650)
    warmup_days: int = Field(default=0, ge=0, le=60, description="days the library runs before day 0, not counted")


class Scenario(Frozen):
    """One library for a number of days (or a continuous period), with its tools and round plan."""

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
    overtime: Overtime = Field(default_factory=Overtime)
    economics: Economics = Field(default_factory=Economics)
    floor: Floor | None = Field(default=None, description="the floor plan of the animated floor (optional)")
    events: dict[str, Event] = Field(default_factory=dict, max_length=MAX_EVENTS,
                                     description="disruption events a round may switch on (see sim.scenario.events_schema)")
    events_on: list[str] = Field(default_factory=list, max_length=MAX_EVENTS,
                                 description="events switched on in every run of this scenario (a round adds its own)")
    max_events: int = Field(default=20_000_000, ge=1000, le=200_000_000)

    @property
    def group_profiles(self) -> bool:
        """Whether some reader group comes by its own hourly shape."""
        return any(g.arrivals is not None for g in self.groups.values())

    def demand(self, weekday: str) -> list[list[float]]:
        """Each group's readers per hour on a weekday (daily calendar), in the order of `groups`."""
        total = [r * self.arrivals.scale for r in self.arrivals.profile(weekday)]
        return group_rates(total, [(g.share, g.arrivals.profile(weekday) if g.arrivals else None)
                                   for g in self.groups.values()])
