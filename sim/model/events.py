"""Disruption events switched on in a run (`Scenario.events_on`), as the model sees them.

- Staff absences: people of a role off duty on one day (`absences`, read by the hourly roster).
- Readers that events bring (a group visit, a rush): drawn here, before the run, each event from its
  own random streams (`event.<id>.arrivals`, `event.<id>.purpose`). They take the reader numbers after
  the last usual reader, so every usual reader keeps its number and therefore its luck in every other
  stream (common random numbers); a run without events draws nothing here and is the run it was.

Days are 1-based in the scenario and 0-based in the model (day 1 starts at minute 0).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..rng import Streams
from ..scenario import Scenario
from ..scenario.events_schema import Event


@dataclass
class EventReaders:
    """Readers brought by events, in reader-number order: arrival time, group index, purpose index."""

    times: list[float] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    purposes: list[int] = field(default_factory=list)

    def add(self, times: np.ndarray, group: int, purposes: list[int]) -> None:
        self.times += times.tolist()
        self.groups += [group] * len(times)
        self.purposes += purposes


def switched_on(scenario: Scenario) -> list[tuple[str, Event]]:
    """The events switched on, in the order of the scenario's `events` (not the order they were listed)."""
    on = set(scenario.events_on)
    return [(eid, event) for eid, event in scenario.events.items() if eid in on]


def absences(scenario: Scenario) -> dict[tuple[int, int], int]:
    """People off duty by (0-based day, role index), from the staff absences switched on."""
    roles = {rid: i for i, rid in enumerate(scenario.roles)}
    out: dict[tuple[int, int], int] = {}
    for _eid, event in switched_on(scenario):
        if event.kind == "staff_absence" and event.role in roles and event.day is not None:
            key = (event.day - 1, roles[event.role])
            out[key] = out.get(key, 0) + event.people
    return out


def _pick(u: float, cum: list[float]) -> int:
    k = 0
    while k < len(cum) - 1 and u >= cum[k]:
        k += 1
    return k


def _mix(scenario: Scenario, shares: dict[str, float]) -> tuple[list[int], list[float]]:
    """Purpose indices and their cumulative shares (shares of 0 left out, as for a group's mix)."""
    pidx = {p: i for i, p in enumerate(scenario.purposes)}
    mix = [(pidx[p], share) for p, share in shares.items() if share > 0]
    return [p for p, _ in mix], np.cumsum([share for _, share in mix]).tolist()


def draw_event_readers(scenario: Scenario, rng: Streams) -> EventReaders:
    """Every reader the events switched on bring, event by event (group visits and rushes)."""
    out = EventReaders()
    cal = scenario.calendar
    if cal.mode != "daily":
        return out
    gidx = {g: i for i, g in enumerate(scenario.groups)}
    for eid, event in switched_on(scenario):
        if event.kind == "staff_absence":
            continue
        gen = rng.generator(f"event.{eid}.arrivals")
        u_purpose = rng.uniform(f"event.{eid}.purpose")
        drawn = len(out.times)
        if event.kind == "group_visit":
            assert event.group is not None and event.day is not None and event.size is not None
            group = scenario.groups[event.group]
            purposes, cum = _mix(scenario, event.purposes or group.purposes)
            start = (event.day - 1) * 1440.0 + event.at_min
            times = np.sort(start + gen.uniform(0.0, 1.0, size=event.size) * event.spread_min)
            out.add(times, gidx[event.group], [purposes[_pick(u_purpose[k], cum)] for k in range(event.size)])
            continue
        chosen = set(event.groups or scenario.groups)
        factor = (event.factor or 1.0) - 1.0
        mixes = {gid: _mix(scenario, g.purposes) for gid, g in scenario.groups.items()}
        for day in event.days():
            d = day - 1
            if d >= cal.days:
                continue
            start = d * 1440.0 + cal.open_min
            for gid, rates in zip(scenario.groups, scenario.demand(cal.weekday_of(d)), strict=True):
                if gid not in chosen:
                    continue
                purposes, cum = mixes[gid]
                for h, rate in enumerate(rates):
                    if rate <= 0:
                        continue
                    count = int(gen.poisson(rate * factor))
                    times = np.sort(gen.uniform(start + h * 60.0, start + (h + 1) * 60.0, size=count))
                    first = len(out.times) - drawn
                    out.add(times, gidx[gid], [purposes[_pick(u_purpose[first + k], cum)] for k in range(count)])
    return out
