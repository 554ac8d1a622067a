"""Checks of the disruption events across fields (a stage of `sim.scenario.checks`): the role, group and
purposes an event names exist, its days are days of the calendar, a visit comes within the opening
hours, a round switches on only events that exist, and the readers the events bring stay within a
run's bounds. Each problem has a code under `problem.events` and its parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .base import _ID
from .checks_refs import _close
from .events_schema import Event
from .problems import Count, Path_, Problem, hint, problem, shorten
from .schema import MAX_EXPECTED_READERS, Scenario


def unknown_ref(path: Path_, code: str, value: str, known: Iterable[str]) -> Problem:
    """An unknown id with the closest known one as a hint (or the known ones)."""
    names = list(known)
    close = _close(value, names)
    return problem(path, code, value=shorten(value), hint=hint(close) if close else hint(None, names))


def rush_readers(s: Scenario, event: Event) -> float:
    """The mean number of readers a rush adds over its days (its groups' usual readers x (factor - 1))."""
    cal = s.calendar
    if event.kind != "rush" or cal.mode != "daily":
        return 0.0
    chosen = set(event.groups or s.groups)
    extra = 0.0
    for day in event.days():
        if day > cal.days:
            continue
        rates = s.demand(cal.weekday_of(day - 1))
        extra += sum(sum(r) for gid, r in zip(s.groups, rates, strict=True) if gid in chosen)
    return extra * ((event.factor or 1.0) - 1.0)


def event_readers(s: Scenario, ids: Iterable[str]) -> float:
    """The mean number of readers the events `ids` add to a run (visits' sizes and rushes' extra readers)."""
    total = 0.0
    for eid in ids:
        event = s.events.get(eid)
        if event is None:
            continue
        if event.kind == "group_visit":
            total += event.size or 0
        elif event.kind == "rush":
            total += rush_readers(s, event)
    return total


def _day(out: list[Problem], s: Scenario, path: Path_, day: int | None) -> None:
    if day is not None and day > s.calendar.days:
        out.append(problem(path, "problem.events.day_outside", day=day, days=s.calendar.days))


def _one(s: Scenario, eid: str, event: Event) -> list[Problem]:
    where: Path_ = ("events", eid)
    out: list[Problem] = []
    if not re.fullmatch(_ID, eid):
        out.append(problem(where, "problem.check.id"))
    if s.calendar.mode != "daily":
        return [*out, problem((*where, "kind"), "problem.events.daily_only")]
    cal = s.calendar
    if event.kind == "staff_absence":
        if event.role is not None and event.role not in s.roles:
            out.append(unknown_ref((*where, "role"), "problem.events.unknown_role", event.role, s.roles))
        _day(out, s, (*where, "day"), event.day)
    elif event.kind == "group_visit":
        if event.group is not None and event.group not in s.groups:
            out.append(unknown_ref((*where, "group"), "problem.events.unknown_group", event.group, s.groups))
        _day(out, s, (*where, "day"), event.day)
        start, end = event.at_min, event.at_min + event.spread_min
        if start < cal.open_min or end > cal.close_min:
            out.append(problem((*where, "at"), "problem.events.outside_hours", at=event.at or "", spread=event.spread_min,
                               open=cal.open, close=cal.close))
        if event.purposes is not None:
            for pid, share in event.purposes.items():
                if pid not in s.purposes:
                    out.append(unknown_ref((*where, "purposes", pid), "problem.events.unknown_purpose", pid, s.purposes))
                if not 0 <= share <= 1:
                    out.append(problem((*where, "purposes", pid), "problem.events.share", value=float(share)))
            total = sum(event.purposes.values())
            if abs(total - 1) > 1e-6:
                out.append(problem((*where, "purposes"), "problem.check.purpose_shares", total=float(total)))
    else:
        _day(out, s, (*where, "from_day"), event.from_day)
        _day(out, s, (*where, "to_day"), event.to_day)
        for i, gid in enumerate(event.groups or ()):
            if gid not in s.groups:
                out.append(unknown_ref((*where, "groups", i), "problem.events.unknown_group", gid, s.groups))
    return out


def _switched(out: list[Problem], s: Scenario, path: Path_, ids: list[str]) -> None:
    seen: set[str] = set()
    for i, eid in enumerate(ids):
        if eid not in s.events:
            out.append(unknown_ref((*path, i), "problem.events.unknown_event", eid, s.events))
        elif eid in seen:
            out.append(problem((*path, i), "problem.events.twice", event=eid))
        seen.add(eid)


def event_problems(s: Scenario) -> list[Problem]:
    """Every problem of the events and of the places that switch them on (a round, `events_on`)."""
    out: list[Problem] = []
    for eid, event in s.events.items():
        out += _one(s, eid, event)
    _switched(out, s, ("events_on",), s.events_on)
    for r, plan in enumerate(s.rounds):
        _switched(out, s, ("rounds", r, "events"), plan.events)
    if out or not s.events:
        return out
    # the most readers a run can get: the file's own, and every event at once on top
    from .checks import expected_readers  # the stage's own module imports this one

    most = expected_readers(s) + event_readers(s, s.events)
    if most > MAX_EXPECTED_READERS:
        out.append(problem(("events",), "problem.events.readers", n=Count(round(most)), max=Count(MAX_EXPECTED_READERS)))
    return out
