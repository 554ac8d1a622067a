"""Disruption events: switching them on for a round or a run, and saying them in a round's brief.

An event is scenario data (`events:` in the file, see `sim.scenario.events_schema`): a librarian off
sick on a given day, a school class arriving at a set time, a seasonal rush. A round of the round
plan switches events on (`rounds[].events`); then the library as it is and every team's variant of
that round run with them, so the comparison of a team with the library as it is still isolates its
tools. A scenario with events switched on is the same scenario with `events_on` set: the model reads
that field and nothing else about rounds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .i18n import counted, num, pick, t
from .scenario import Scenario, ScenarioError
from .scenario.checks_events import unknown_ref
from .scenario.events_schema import Event

__all__ = ["EventLine", "drop_events_after", "event_lines", "for_round", "round_events", "same_events", "with_events"]


def round_events(scenario: Scenario, number: int) -> list[str]:
    """The events switched on in round `number` (1-based): the file's own `events_on` and the round's,
    in the order of the scenario's `events`. A number outside the plan has the file's own only."""
    ids = set(scenario.events_on)
    if 1 <= number <= len(scenario.rounds):
        ids.update(scenario.rounds[number - 1].events)
    return [eid for eid in scenario.events if eid in ids]


def with_events(scenario: Scenario, ids: Iterable[str]) -> Scenario:
    """`scenario` with the events `ids` switched on as well (unknown ids raise `ScenarioError`).

    The events were checked with the file (every event, whether switched on or not), so switching
    them on needs no new validation."""
    wanted = list(ids)
    unknown = [(i, e) for i, e in enumerate(wanted) if e not in scenario.events]
    if unknown:
        raise ScenarioError([unknown_ref(("events_on", i), "problem.events.unknown_event", e, scenario.events)
                             for i, e in unknown])
    on = set(scenario.events_on) | set(wanted)
    ordered = [eid for eid in scenario.events if eid in on]
    if ordered == scenario.events_on:
        return scenario
    return scenario.model_copy(update={"events_on": ordered})


def drop_events_after(data: dict[str, Any], days: int) -> dict[str, Any]:
    """Scenario data (as read from YAML) cut to `days` days: the events that reach past the last day
    are left out, and so are their ids where a round or `events_on` switches them on (a shortened run,
    the command line's `--days`, cannot have them). `data` itself is not changed."""
    events = data.get("events")
    if not isinstance(events, dict):
        return data

    def last_day(event: Any) -> int:
        if not isinstance(event, dict):
            return 0
        day = event.get("to_day", event.get("day", 0))
        return day if isinstance(day, int) else 0

    gone = {eid for eid, event in events.items() if last_day(event) > days}
    if not gone:
        return data
    out = dict(data, events={eid: e for eid, e in events.items() if eid not in gone})
    if isinstance(data.get("events_on"), list):
        out["events_on"] = [e for e in data["events_on"] if e not in gone]
    if isinstance(data.get("rounds"), list):
        out["rounds"] = [dict(r, events=[e for e in r["events"] if e not in gone])
                         if isinstance(r, dict) and isinstance(r.get("events"), list) else r for r in data["rounds"]]
    return out


def for_round(scenario: Scenario, number: int) -> Scenario:
    """The library of round `number` (1-based): `scenario` with the round's events switched on."""
    return with_events(scenario, round_events(scenario, number))


def same_events(scenario: Scenario, first: int, second: int) -> bool:
    """Whether two rounds run with the same events (only then is one round's result a fair baseline
    for the other's, and one's results reusable for the other)."""
    return round_events(scenario, first) == round_events(scenario, second)


@dataclass(frozen=True)
class EventLine:
    """An event as a brief says it: its name, when and how much, its description and its source."""

    id: str
    kind: str
    name: str
    when: str
    description: str
    source: str


def _when(scenario: Scenario, event: Event, lang: str) -> str:
    if event.kind == "staff_absence":
        role = scenario.roles.get(event.role or "")
        name = pick(role.name, lang) if role is not None else str(event.role)
        return t("events.absence", lang, day=event.day, count=event.people, role=name)
    if event.kind == "group_visit":
        group = scenario.groups.get(event.group or "")
        name = pick(group.name, lang) if group is not None else str(event.group)
        return t("events.visit", lang, day=event.day, at=event.at, group=name,
                 readers=counted("events.readers", event.size or 0, lang), spread=num(event.spread_min, lang, 0))
    groups = ", ".join(pick(scenario.groups[g].name, lang) for g in event.groups if g in scenario.groups) \
        if event.groups else t("events.all_groups", lang)
    percent = num(100.0 * ((event.factor or 1.0) - 1.0), lang, 0)
    if event.from_day == event.to_day:
        return t("events.rush_day", lang, day=event.from_day, percent=percent, groups=groups)
    return t("events.rush", lang, first=event.from_day, last=event.to_day, percent=percent, groups=groups)


def event_lines(scenario: Scenario, ids: Iterable[str], lang: str) -> list[EventLine]:
    """The events `ids` as a round's brief lists them, in the order of the scenario's `events`."""
    wanted = set(ids)
    return [EventLine(eid, e.kind, pick(e.name, lang), _when(scenario, e, lang), pick(e.description, lang),
                      e.source if isinstance(e.source, str) else pick(e.source, lang))
            for eid, e in scenario.events.items() if eid in wanted]

