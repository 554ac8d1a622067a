"""Checks across fields that the field types alone cannot make, as named stages.

`STAGES` is a list of groups of named checks. Every check of a group runs; if any of them found a
problem the later groups do not run, since they rely on what the earlier ones made sure of (a
reference that exists, a count in range). Each check takes a schema-valid `Scenario` and returns
its problems, each with a code and parameters (see `sim.scenario.problems`).

Bounds of distributions (`distributions` stage): a time drawn from a distribution must fit in a
library day: its `QUANTILE` quantile must be at most `MAX_TIME_MIN` minutes (service and search
times, patience, reshelving and stack runs); books returned at one step, at most `MAX_BOOKS` at the
same quantile. A distribution past these would let one draw hold a reader, a desk or the memory of
a run for longer than any library is open.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import numpy as np

from ..distributions import Distribution
from ..kpis import KPIS
from .problems import MAX_PROBLEMS, Count, Path_, Problem, Term, hint, problem, shorten
from .schema import _ID, MAX_EXPECTED_READERS, MAX_HORIZON_HOURS, MAX_RATE_PER_HOUR, MAX_STAFF_PER_ROLE, Scenario, Step

QUANTILE = 0.9999
MAX_TIME_MIN = 24 * 60.0  # a day, in minutes
MAX_BOOKS = 50.0
MAX_NEW_ITEMS = 200_000
MAX_INITIAL_WIP = 100_000

Check = Callable[[Scenario], list[Problem]]


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
    """The floor plan names stations and spots that exist, and keeps stations apart."""
    if s.floor is None:
        return []
    known = {**{sid: None for sid in s.stations}, **{name: None for name in FLOOR_EXTRA_SPOTS}}
    ref = _Refs()
    out = ref.out
    for name in s.floor.spots:
        ref(("floor", "spots", name), name, known, "spot")
    placed = [(sid, spot) for sid, spot in s.floor.spots.items() if sid in s.stations]
    for i, (a, pa) in enumerate(placed):
        for b, pb in placed[i + 1:]:
            if math.hypot(pa.x - pb.x, pa.y - pb.y) < FLOOR_MIN_APART_M:
                out.append(problem(("floor", "spots", b), "problem.check.floor_overlap", other=a,
                                   metres=FLOOR_MIN_APART_M))
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


def _profile_hours(s: Scenario) -> list[Problem]:
    out = []
    if s.calendar.mode == "daily":
        hours = s.calendar.hours_per_day
        for key, rates in s.arrivals.per_hour.items():
            if len(rates) != hours:
                out.append(problem(("arrivals", "per_hour", key), "problem.check.hours", n=len(rates), hours=hours))
        for gid, group in s.groups.items():
            if group.arrivals is None:
                continue
            for key, weights in group.arrivals.per_hour.items():
                if len(weights) != hours:
                    out.append(problem(("groups", gid, "arrivals", "per_hour", key), "problem.check.hours",
                                       n=len(weights), hours=hours))
    return out


def _group_profiles(s: Scenario) -> list[Problem]:
    """A group's own hourly shape: daily calendars only, weights not negative, not all zero when the
    group has readers to bring (they would silently not come)."""
    out = []
    for gid, group in s.groups.items():
        if group.arrivals is None:
            continue
        where: Path_ = ("groups", gid, "arrivals")
        if s.calendar.mode != "daily":
            out.append(problem(where, "problem.wastes.group_profile_daily"))
            continue
        for key, weights in group.arrivals.per_hour.items():
            for i, w in enumerate(weights):
                if not 0 <= w <= MAX_RATE_PER_HOUR:
                    out.append(problem((*where, "per_hour", key, i), "problem.wastes.weight", value=float(w),
                                       max=MAX_RATE_PER_HOUR))
            if group.share > 0 and not any(w > 0 for w in weights):
                out.append(problem((*where, "per_hour", key), "problem.wastes.group_profile_zero"))
    return out


def _horizon(s: Scenario) -> list[Problem]:
    out = []
    cal = s.calendar
    last_close = ((cal.days - 1) * 24 + cal.close_min / 60) if cal.mode == "daily" else cal.horizon_hours
    if s.warmup_hours >= last_close:
        out.append(problem(("warmup_hours",), "problem.check.warmup"))
    if cal.horizon_hours > MAX_HORIZON_HOURS:
        field = "days" if cal.mode == "daily" else "hours"
        out.append(problem(("calendar", field), "problem.check.horizon", hours=float(cal.horizon_hours), max=MAX_HORIZON_HOURS))
    else:
        expected = expected_readers(s)
        if expected > MAX_EXPECTED_READERS:
            out.append(problem(("arrivals",), "problem.check.readers", n=Count(round(expected)),
                               max=Count(MAX_EXPECTED_READERS)))
    return out


def _sections(s: Scenario) -> list[Problem]:
    ref = _Refs()
    out = ref.out

    def staffed(path: Path_, station: str | None) -> None:
        if station in s.stations and s.stations[station].kind != "staffed":
            out.append(problem(path, "problem.check.must_be_staffed", station=station))

    if s.reshelving is not None:
        ref(("reshelving", "station"), s.reshelving.station, s.stations, "station")
        staffed(("reshelving", "station"), s.reshelving.station)
    if s.stacks is not None:
        ref(("stacks", "station"), s.stacks.station, s.stations, "station")
        staffed(("stacks", "station"), s.stacks.station)
    if s.acquisitions is not None:
        acq = s.acquisitions
        route_steps = {a.step for a in acq.route}
        for i, a in enumerate(acq.route):
            ref(("acquisitions", "route", i, "step"), a.step, s.steps, "step")
            if a.step in s.steps:
                staffed(("acquisitions", "route", i, "step"), s.steps[a.step].station)
        if acq.warmup_days and s.calendar.mode != "daily":
            out.append(problem(("acquisitions", "warmup_days"), "problem.warmup.daily_only"))
        shipments = (s.calendar.horizon_hours / 24.0 + acq.warmup_days) / acq.shipment_every_days + 1
        items = shipments * acq.shipment_size + sum(acq.initial_wip.values())
        if items > MAX_NEW_ITEMS:
            out.append(problem(("acquisitions", "shipment_every_days"), "problem.check.new_items", n=Count(round(items)),
                               max=Count(MAX_NEW_ITEMS)))
        for i, a in enumerate(acq.route):
            # Little's law: a limit helps only if the batches next to it fit inside it
            if a.wip_limit is None:
                continue
            for j in (i - 1, i, i + 1):
                if 0 <= j < len(acq.route) and acq.route[j].batch > a.wip_limit:
                    side = "upstream" if j < i else "own" if j == i else "downstream"
                    out.append(problem(("acquisitions", "route", i, "wip_limit"), f"problem.wastes.wip_below_{side}",
                                       limit=a.wip_limit, step=shorten(acq.route[j].step), batch=acq.route[j].batch))
        for key, count in acq.initial_wip.items():
            if key not in route_steps:
                out.append(problem(("acquisitions", "initial_wip", key), "problem.check.not_acquisition_step", value=shorten(key)))
            if count < 0 or count > MAX_INITIAL_WIP:
                out.append(problem(("acquisitions", "initial_wip", key), "problem.check.wip_items", value=count,
                                   max=MAX_INITIAL_WIP))
    return out


def distributions_of(s: Scenario) -> Iterator[tuple[Path_, Distribution, str]]:
    """Every distribution of the scenario, with its field path and what it draws (`time` or `books`)."""
    for gid, group in s.groups.items():
        if group.patience is not None:
            yield ("groups", gid, "patience"), group.patience, "time"
    for sid, step in s.steps.items():
        if step.time is not None:
            yield ("steps", sid, "time"), step.time, "time"
        for i, part in enumerate(step.parts or ()):
            yield ("steps", sid, "parts", i, "time"), part.time, "time"
        if step.returns_books is not None:
            yield ("steps", sid, "returns_books"), step.returns_books, "books"
    if s.reshelving is not None:
        if s.reshelving.run_setup is not None:
            yield ("reshelving", "run_setup"), s.reshelving.run_setup, "time"
        yield ("reshelving", "time_per_book"), s.reshelving.time_per_book, "time"
    if s.stacks is not None:
        yield ("stacks", "run_time"), s.stacks.run_time, "time"
        yield ("stacks", "time_per_item"), s.stacks.time_per_item, "time"


def high_quantile(dist: Distribution, q: float = QUANTILE) -> float:
    """The `q` quantile of a distribution (infinity if it cannot be computed)."""
    with np.errstate(all="ignore"):
        value = float(dist.from_uniform(np.array([q]))[0])
    return value if math.isfinite(value) else math.inf


def _distributions(s: Scenario) -> list[Problem]:
    out = []
    for path, dist, draws in distributions_of(s):
        value = high_quantile(dist)
        limit = MAX_TIME_MIN if draws == "time" else MAX_BOOKS
        if value > limit:
            code = "problem.check.dist_time" if draws == "time" else "problem.check.dist_books"
            shown = float(f"{value:.3g}") if math.isfinite(value) else "∞"
            out.append(problem(path, code, value=shown, limit=limit, q=QUANTILE * 100))
    return out


def _plan(s: Scenario) -> list[Problem]:
    """Tools' expectations and the round plan refer to things that exist."""
    out: list[Problem] = []
    known_kpis = set(KPIS) | {f"utilisation.{r}" for r in s.roles} | {f"walk_m_per_day.{r}" for r in s.roles}
    for tid, tool in s.tools.items():
        if tool.expect.kpi not in known_kpis:
            out.append(_unknown(("tools", tid, "expect", "kpi"), "figure", tool.expect.kpi, dict.fromkeys(sorted(known_kpis))))
        if tool.expect.group is not None and tool.expect.group not in s.groups:
            out.append(problem(("tools", tid, "expect", "group"), "problem.check.unknown", what=Term("group"),
                               value=shorten(tool.expect.group), hint=""))
    seen: set[str] = set()
    ref = _Refs()
    for r, plan in enumerate(s.rounds):
        for i, tid in enumerate(plan.offer):
            if tid not in s.tools:
                ref(("rounds", r, "offer", i), tid, s.tools, "tool")
            elif tid in seen:
                out.append(problem(("rounds", r, "offer", i), "problem.check.offered_twice", tool=tid))
            seen.add(tid)
    return out + ref.out


def priced_in_roubles(s: Scenario) -> bool:
    """Whether the scenario prices its tools in roubles (some tool has a one-off cost in roubles, or
    some round a budget in roubles); otherwise it prices them in budget points, as older files do."""
    return (any(tool.cost.one_off_roubles is not None for tool in s.tools.values())
            or any(plan.budget_roubles is not None for plan in s.rounds))


def _pricing(s: Scenario) -> list[Problem]:
    """One way of pricing for the whole file: roubles everywhere (points derived for display), or
    points everywhere (a file written before roubles). Mixed files are refused, so a budget is never
    compared with a cost in another unit."""
    out: list[Problem] = []
    if priced_in_roubles(s):
        for tid, tool in s.tools.items():
            if tool.cost.one_off_roubles is None:
                out.append(problem(("tools", tid, "cost", "one_off_roubles"), "problem.cost.no_one_off"))
            if tool.cost.points is not None:
                out.append(problem(("tools", tid, "cost", "points"), "problem.cost.points_in_roubles"))
        for r, plan in enumerate(s.rounds):
            if plan.budget_roubles is None:
                out.append(problem(("rounds", r, "budget_roubles"), "problem.cost.no_round_budget"))
            if plan.budget:
                out.append(problem(("rounds", r, "budget"), "problem.cost.budget_points_in_roubles"))
        hours = any(tool.cost.one_off_staff_hours > 0 for tool in s.tools.values())
        if hours and s.economics.staff_hour_roubles is None and not s.roles:
            out.append(problem(("economics", "staff_hour_roubles"), "problem.cost.no_staff_hour_value"))
    else:
        for tid, tool in s.tools.items():
            if tool.cost.points is None:
                out.append(problem(("tools", tid, "cost", "points"), "problem.cost.no_points"))
            if tool.cost.one_off_staff_hours > 0:
                out.append(problem(("tools", tid, "cost", "one_off_staff_hours"), "problem.cost.hours_in_points"))
    return out


def used_stations(s: Scenario) -> dict[str, Path_]:
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


def _staffing(s: Scenario) -> list[Problem]:
    out = []
    for stid, path in used_stations(s).items():
        if s.stations[stid].kind != "staffed":
            continue
        staffed = any(
            (stid in role.skills or (role.assist is not None and role.assist.station == stid))
            and max(role.staff if isinstance(role.staff, list) else [role.staff]) > 0
            for role in s.roles.values()
        )
        if not staffed:
            out.append(problem(path, "problem.check.no_staff", station=stid))
    return out


def expected_readers(s: Scenario) -> float:
    """Mean number of readers the arrival profile brings over the whole run."""
    cal = s.calendar
    if cal.mode == "daily":
        first = -s.acquisitions.warmup_days if s.acquisitions is not None else 0  # the warm-up's readers too
        return sum(sum(s.arrivals.profile(cal.weekday_of(d))) for d in range(first, cal.days)) * s.arrivals.scale
    profile = s.arrivals.per_hour["default"]
    hours = cal.hours or 0
    full, rest = divmod(hours, 1)
    total = sum(profile[h % len(profile)] for h in range(int(full)))
    total += rest * profile[int(full) % len(profile)]
    return total * s.arrivals.scale


STAGES: list[list[tuple[str, Check]]] = [
    [("ids", _ids), ("shares", _shares), ("routes_and_steps", _routes_and_steps), ("stations", _stations),
     ("roles", _roles), ("counts", _counts), ("floor", _floor), ("access", _access)],
    [("profile_hours", _profile_hours), ("horizon", _horizon), ("sections", _sections),
     ("distributions", _distributions), ("plan", _plan), ("group_profiles", _group_profiles),
     ("pricing", _pricing)],
    [("staffing", _staffing)],
]


def scenario_problems(s: Scenario) -> list[Problem]:
    """Every problem the stages find, group by group (later groups only when earlier ones pass)."""
    for group in STAGES:
        out = [p for _, check in group for p in check(s)]
        if out:
            return out
    return []
