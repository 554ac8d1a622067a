"""Checks across fields that the field types alone cannot make, as named stages.

`STAGES` is a list of groups of named checks. Every check of a group runs; if any of them found a
problem the later groups do not run, since they rely on what the earlier ones made sure of (a
reference that exists, a count in range); the first group's checks are in `sim.scenario.checks_refs`. Each check takes a schema-valid `Scenario` and returns
its problems, each with a code and parameters (see `sim.scenario.problems`).

Bounds of distributions (`distributions` stage): a time drawn from a distribution must fit in a
library day: its `QUANTILE` quantile must be at most `MAX_TIME_MIN` minutes (service and search
times, patience, reshelving and stack runs); books returned at one step, at most `MAX_BOOKS` at the
same quantile. A distribution past these would let one draw hold a reader, a desk or the memory of
a run for longer than any library is open.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

import numpy as np

from ..distributions import Distribution
from ..kpis import KPIS
from .checks_events import event_problems

# FLOOR_EXTRA_SPOTS stays importable from here, where the floor plan and its editor import it
from .checks_refs import FLOOR_EXTRA_SPOTS as FLOOR_EXTRA_SPOTS
from .checks_refs import _access, _counts, _floor, _ids, _Refs, _roles, _routes_and_steps, _shares, _stations, _unknown
from .problems import Count, Path_, Problem, Term, problem, shorten
from .schema import MAX_EXPECTED_READERS, MAX_HORIZON_HOURS, MAX_RATE_PER_HOUR, Scenario

QUANTILE = 0.9999
MAX_TIME_MIN = 24 * 60.0  # a day, in minutes
MAX_BOOKS = 50.0
MAX_NEW_ITEMS = 200_000
MAX_INITIAL_WIP = 100_000

Check = Callable[[Scenario], list[Problem]]


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
     ("pricing", _pricing), ("events", event_problems)],
    [("staffing", _staffing)],
]


def scenario_problems(s: Scenario) -> list[Problem]:
    """Every problem the stages find, group by group (later groups only when earlier ones pass)."""
    for group in STAGES:
        out = [p for _, check in group for p in check(s)]
        if out:
            return out
    return []
