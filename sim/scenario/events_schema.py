"""Disruption events: scenario data that a round (or a run) may switch on.

An event is one of three kinds, each with its own fields:

- `staff_absence`: `role`, `day`, `count` (default 1): that day the role has `count` fewer people on
  duty every hour (never below 0): a librarian off sick;
- `group_visit`: `group`, `day`, `at` ("HH:MM"), `size` readers, optional `purposes` (shares, as a
  group's; default: the group's own), `within_min` (the arrivals spread over that many minutes
  after `at`, default 10): a school class or an excursion;
- `rush`: `from_day`, `to_day`, `factor` (more than 1) scaling arrivals on those days, only of the
  listed `groups` if given (else of every group): an exam season or the first days of term.

Days are 1-based days of the run (day 1 is the first counted day). Every event has a name and a
description in both languages and a `source` (where its numbers come from, or "assumption").
Checks across fields (known role, group and purposes, days in the calendar, a visit inside the
opening hours) are in `sim.scenario.checks_events`.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints, field_validator, model_validator

from .base import Named, Text, plain_text
from .problems import CodedValueError, shorten

MAX_VISIT_SIZE = 1000  # readers of one group visit: a school class is 25-30, an excursion 50-100
MAX_RUSH_FACTOR = 5.0  # a rush brings at most five times the usual readers
MAX_SPREAD_MIN = 240.0  # a visit's readers arrive within at most four hours
MAX_EVENT_DAY = 100_000  # as `Calendar.days`; the checks hold a day to the calendar
MAX_EVENTS = 50

EVENT_KINDS = ("staff_absence", "group_visit", "rush")
# the fields each kind takes (besides name, description, source and kind) and the ones it needs
FIELDS = {
    "staff_absence": ("role", "day", "count"),
    "group_visit": ("group", "day", "at", "size", "purposes", "within_min"),
    "rush": ("from_day", "to_day", "factor", "groups"),
}
NEEDED = {
    "staff_absence": ("role", "day"),
    "group_visit": ("group", "day", "at", "size"),
    "rush": ("from_day", "to_day", "factor"),
}
DEFAULT_COUNT = 1
DEFAULT_SPREAD_MIN = 10.0


def minutes_of(value: str) -> int:
    """Minutes after midnight of a time of day "HH:MM" (the format `Event.at` was checked for)."""
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


class Event(Named):
    """A disruption that a round may switch on (see the module's docstring for the kinds and fields).

    One model for the three kinds, so a field of another kind is named plainly ("a rush takes no
    'role'") rather than as an unknown key."""

    description: Text
    source: Annotated[str, StringConstraints(min_length=1, max_length=1000), AfterValidator(plain_text)] | Text = Field(description="where the numbers come from, or 'assumption': one text, or "
                                           "{ru, en} where the trainer's console should say it in both languages")
    kind: Literal["staff_absence", "group_visit", "rush"]
    role: str | None = None
    day: int | None = Field(default=None, ge=1, le=MAX_EVENT_DAY, description="day of the run, from 1")
    count: int | None = Field(default=None, ge=1, le=500, description="people off (staff_absence), default 1")
    group: str | None = None
    at: str | None = Field(default=None, description="time of day the visit arrives, HH:MM")
    size: int | None = Field(default=None, ge=1, le=MAX_VISIT_SIZE, description="readers of the visit")
    purposes: dict[str, float] | None = Field(default=None, min_length=1, max_length=100)
    within_min: float | None = Field(default=None, ge=0, le=MAX_SPREAD_MIN, description="minutes the arrivals spread over")
    from_day: int | None = Field(default=None, ge=1, le=MAX_EVENT_DAY)
    to_day: int | None = Field(default=None, ge=1, le=MAX_EVENT_DAY)
    factor: float | None = Field(default=None, gt=1, le=MAX_RUSH_FACTOR, description="arrivals times this")
    groups: list[str] | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("at")
    @classmethod
    def _time_of_day(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise CodedValueError("problem.field.time_of_day", value=shorten(value))
        return value

    @model_validator(mode="after")
    def _fields_of_kind(self) -> Event:
        own = FIELDS[self.kind]
        foreign = [name for kind in EVENT_KINDS for name in FIELDS[kind]
                   if name not in own and getattr(self, name) is not None]
        if foreign:
            raise CodedValueError(f"problem.events.foreign_{self.kind}", fields=", ".join(dict.fromkeys(foreign)),
                                  own=", ".join(own))
        missing = [name for name in NEEDED[self.kind] if getattr(self, name) is None]
        if missing:
            raise CodedValueError(f"problem.events.needs_{self.kind}", fields=", ".join(missing))
        if self.kind == "rush" and self.from_day is not None and self.to_day is not None and self.to_day < self.from_day:
            raise CodedValueError("problem.events.days_order", first=self.from_day, last=self.to_day)
        return self

    # --- the fields with their defaults, for the model ---------------------------------------------

    @property
    def people(self) -> int:
        """People off duty (staff_absence)."""
        return self.count if self.count is not None else DEFAULT_COUNT

    @property
    def spread_min(self) -> float:
        """Minutes over which a visit's readers arrive."""
        return self.within_min if self.within_min is not None else DEFAULT_SPREAD_MIN

    @property
    def at_min(self) -> int:
        """The visit's time of day in minutes after midnight."""
        return minutes_of(self.at or "0:00")

    def days(self) -> range:
        """The 1-based days of the run the event covers."""
        if self.kind == "rush":
            return range(self.from_day or 1, (self.to_day or 0) + 1)
        return range(self.day or 1, (self.day or 0) + 1)
