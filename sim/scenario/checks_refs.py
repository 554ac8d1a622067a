"""The first group of checks across fields (`STAGES[0]` in `sim.scenario.checks`): ids, shares,
references between the tables (routes, steps and their parts, stations, roles, the floor plan,
groups' self-service options and assistance) and counts in range; and the helpers that name an
unknown reference with the closest known name.

The later groups rely on what these make sure of: a reference that exists, a count in range.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from typing import Any

from .base import _ID
from .problems import MAX_PROBLEMS, Path_, Problem, Term, hint, problem, shorten
from .schema import MAX_RATE_PER_HOUR, MAX_STAFF_PER_ROLE, Scenario, Step


def _close(value: str, names: Any) -> str | None:
    """The one known name closest to `value`, if any is close (skipped for absurdly long values)."""
    if len(value) > 200:
        return None
    found = difflib.get_close_matches(value, list(names), n=1)
    return found[0] if found else None


def _unknown(path: Path_, what: str, value: str, table: Mapping[str, Any]) -> Problem:
    close = _close(value, table)
    return problem(path, "problem.check.unknown", what=Term(what), value=shorten(value),
                   hint=hint(close) if close else hint(None, table))


class _Refs:
    """Collects references to ids that do not exist, with hints (capped: hints cost time)."""

    def __init__(self) -> None:
        self.out: list[Problem] = []

    def __call__(self, path: Path_, value: str | None, table: Mapping[str, Any], what: str) -> None:
        if value is None or value in table:
            return
        if len(self.out) > MAX_PROBLEMS:
            self.out.append(problem(path, "problem.check.unknown", what=Term(what), value=shorten(value), hint=""))
        else:
            self.out.append(_unknown(path, what, value, table))


def _ids(s: Scenario) -> list[Problem]:
    out = []
    for table_name in ("groups", "purposes", "steps", "stations", "roles", "tools"):
        for key in getattr(s, table_name):
            if not re.fullmatch(_ID, key):
                out.append(problem((table_name, key), "problem.check.id"))
    return out


def _shares(s: Scenario) -> list[Problem]:
    out = []
    total = sum(g.share for g in s.groups.values())
    if abs(total - 1) > 1e-6:
        out.append(problem(("groups",), "problem.check.group_shares", total=total))
    for gid, group in s.groups.items():
        mix = sum(group.purposes.values())
        if abs(mix - 1) > 1e-6:
            out.append(problem(("groups", gid, "purposes"), "problem.check.purpose_shares", total=mix))
        for pid, share in group.purposes.items():
            if pid not in s.purposes:
                out.append(_unknown(("groups", gid, "purposes", pid), "purpose", pid, s.purposes))
            if share < 0:
                out.append(problem(("groups", gid, "purposes", pid), "problem.check.negative_share", value=share))
    return out


def _routes_and_steps(s: Scenario) -> list[Problem]:
    ref = _Refs()
    out = ref.out
    for pid, purpose in s.purposes.items():
        for i, sid in enumerate(purpose.route):
            ref(("purposes", pid, "route", i), sid, s.steps, "step")
    for sid, step in s.steps.items():
        ref(("steps", sid, "station"), step.station, s.stations, "station")
        ref(("steps", sid, "self_service"), step.self_service, s.steps, "step")
        ref(("steps", sid, "on_not_found"), step.on_not_found, s.steps, "step")
        if step.kind != "stack_delivery" and step.time is None and not step.parts:
            out.append(problem(("steps", sid, "time"), "problem.check.needs_time"))
        out += _parts(sid, step)
        if step.kind == "stack_delivery" and s.stacks is None:
            out.append(problem(("steps", sid, "kind"), "problem.check.needs_stacks"))
        if step.kind == "shelf_search" and s.reshelving is None:
            out.append(problem(("steps", sid, "kind"), "problem.check.needs_reshelving"))
        alt = s.steps.get(step.self_service) if step.self_service is not None else None
        if alt is not None and alt.self_service is not None:
            out.append(problem(("steps", sid, "self_service"), "problem.check.self_service_nested"))
    for sid, step in s.steps.items():
        if step.on_not_found and step.on_not_found in s.steps and s.steps[step.on_not_found].kind != "service":
            out.append(problem(("steps", sid, "on_not_found"), "problem.check.on_not_found_service"))
    return out


def _access(s: Scenario) -> list[Problem]:
    """Groups' adoption of self-service options and the assistance they need."""
    ref = _Refs()
    out = ref.out
    options = {st.self_service for st in s.steps.values() if st.self_service is not None}
    for gid, group in s.groups.items():
        for sid, share in group.adoption.items():
            ref(("groups", gid, "adoption", sid), sid, s.steps, "step")
            if sid in s.steps and sid not in options:
                out.append(problem(("groups", gid, "adoption", sid), "problem.access.not_option", step=shorten(sid)))
            if not 0 <= share <= 1:
                out.append(problem(("groups", gid, "adoption", sid), "problem.access.share", value=share))
        for sid, helper in group.assistance.items():
            ref(("groups", gid, "assistance", sid), sid, s.steps, "step")
            ref(("groups", gid, "assistance", sid), helper, s.steps, "step")
            h = s.steps.get(helper)
            if h is not None and (h.kind != "service" or s.stations.get(h.station) is None
                                  or s.stations[h.station].kind != "staffed"):
                out.append(problem(("groups", gid, "assistance", sid), "problem.access.not_staffed", step=shorten(helper)))
            if helper == sid or helper in group.assistance:
                out.append(problem(("groups", gid, "assistance", sid), "problem.access.chain", step=shorten(helper)))
    return out


def _parts(sid: str, step: Step) -> list[Problem]:
    """A step's time is `time` or `parts`, never both; part ids are unique; a stack delivery takes no time."""
    if not step.parts:
        return []
    out = []
    if step.time is not None:
        out.append(problem(("steps", sid, "parts"), "problem.parts.time_and_parts"))
    if step.kind == "stack_delivery":
        out.append(problem(("steps", sid, "parts"), "problem.parts.stack_delivery"))
    seen: set[str] = set()
    for i, part in enumerate(step.parts):
        if part.id in seen:
            out.append(problem(("steps", sid, "parts", i, "id"), "problem.parts.duplicate", id=part.id))
        seen.add(part.id)
    return out


def _stations(s: Scenario) -> list[Problem]:
    ref = _Refs()
    out = ref.out
    for stid, station in s.stations.items():
        if station.queue == "per_desk" and (station.kind != "staffed" or station.tier != "front"):
            out.append(problem(("stations", stid, "queue"), "problem.check.per_desk"))
        if station.kind == "kiosk" and station.capacity is None:
            out.append(problem(("stations", stid, "capacity"), "problem.check.kiosk_capacity"))
        for i, gid in enumerate(station.priority_groups):
            ref(("stations", stid, "priority_groups", i), gid, s.groups, "group")
    return out


FLOOR_EXTRA_SPOTS = ("entrance", "hall", "cart", "stack_bench", "stacks_far")  # as `sim.floor.EXTRA_SPOTS`
FLOOR_MIN_APART_M = 1.0  # two stations closer than this would be drawn on top of each other


def _floor(s: Scenario) -> list[Problem]:
    """The floor plan names stations and spots that exist, and keeps them apart (a station or an extra spot
    such as the entrance or the cart drawn on top of another hides one of them)."""
    if s.floor is None:
        return []
    known = {**{sid: None for sid in s.stations}, **{name: None for name in FLOOR_EXTRA_SPOTS}}
    ref = _Refs()
    out = ref.out
    for name in s.floor.spots:
        ref(("floor", "spots", name), name, known, "spot")
    placed = [(name, spot) for name, spot in s.floor.spots.items() if name in known]
    for i, (a, pa) in enumerate(placed):
        for b, pb in placed[i + 1:]:
            if math.hypot(pa.x - pb.x, pa.y - pb.y) < FLOOR_MIN_APART_M:
                code = ("problem.check.floor_overlap" if a in s.stations and b in s.stations
                        else "problem.check.floor_spot_overlap")
                out.append(problem(("floor", "spots", b), code, other=a, metres=FLOOR_MIN_APART_M))
    return out


def _roles(s: Scenario) -> list[Problem]:
    ref = _Refs()
    out = ref.out
    hours = s.calendar.hours_per_day
    for rid, role in s.roles.items():
        for i, stid in enumerate(role.skills):
            ref(("roles", rid, "skills", i), stid, s.stations, "station")
            if stid in s.stations and s.stations[stid].kind != "staffed":
                out.append(problem(("roles", rid, "skills", i), "problem.check.skill_not_staffed", station=stid,
                                   kind=s.stations[stid].kind))
        if role.assist is not None:
            ref(("roles", rid, "assist", "station"), role.assist.station, s.stations, "station")
        if isinstance(role.staff, list) and s.calendar.mode == "daily" and len(role.staff) != hours:
            out.append(problem(("roles", rid, "staff"), "problem.check.hours", n=len(role.staff), hours=hours))
    return out


def _counts(s: Scenario) -> list[Problem]:
    out = []
    for key, rates in s.arrivals.per_hour.items():
        for i, rate in enumerate(rates):
            if not 0 <= rate <= MAX_RATE_PER_HOUR:
                out.append(problem(("arrivals", "per_hour", key, i), "problem.check.rate", value=float(rate),
                                   max=MAX_RATE_PER_HOUR))
    for rid, role in s.roles.items():
        counts = role.staff if isinstance(role.staff, list) else [role.staff]
        for i, count in enumerate(counts):
            if not 0 <= count <= MAX_STAFF_PER_ROLE:
                path: Path_ = ("roles", rid, "staff", i) if isinstance(role.staff, list) else ("roles", rid, "staff")
                out.append(problem(path, "problem.check.people", value=count, max=MAX_STAFF_PER_ROLE))
    return out
