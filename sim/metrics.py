"""Figures of one replication, computed from its event log.

Definitions (the README's KPI table says the same):
- a reader's *wait* is the total time spent in queues during the visit, at every step, including
  the time until they gave up if they left unserved (or until the run ended, if still in a queue);
  waiting for a closed-stack run is not in it (it is in `stack_order_lead_time_mean`);
- reader figures count only readers who arrived after the warm-up;
- `readers_served` counts readers who finished their visit (a book not found still ends a visit);
- `pce` is value-added time over time in the library, summed over served readers; the shelf
  search counts as necessary whatever its step says (the value is the book in hand);
  `reader_value_added_share` is the same share reader by reader, averaged;
- `books_not_found_cart` and `books_not_found_misshelved` split the failed searches by cause, in
  proportion to each cause's part of the chance of failing at that moment;
- `walk_m_per_day` (and `.<role>`) is the metres staff walk on runs and trips (`walk_m` of a
  back-office step per item, `walk_m_per_run` of reshelving and stack runs) per opening day;
- `equity_p90_ratio` is the worst group's p90 wait over the overall p90, over groups with at least
  30 readers; waits under one minute count as one minute, so a library with hardly any queue is not
  judged by seconds;
- `staff_cost` pays duty hours at the wage, and hours after closing at the overtime rates of the
  scenario (by default 1.5 times for a person's first two hours a day, twice after: Labour Code
  art. 152); `overtime_cost` is what those hours cost in all;
- `wait_p90_worst_group` is the largest p90 wait of a group (minutes) and `wait_p90_group_gap` the
  difference between the largest and the smallest, over groups with at least 30 readers: unlike
  `equity_p90_ratio` they do not get worse when every group waits less;
- `wait_p90_access_groups` is the p90 wait of the readers of the groups marked `access_needs`
  (together, when at least 30 arrived; None in a scenario that marks none);
- a step split into parts (`steps.*.parts`) counts each part by its own value class in `pce` and
  `reader_value_added_share`; `motion_min_per_day` and `overprocessing_min_per_day` are the minutes
  of parts named as those wastes (readers after the warm-up, back-office items worked after it) per
  opening day (None in a scenario without parts; 0 when no part is named so);
- acquisitions lead times count items shelved after the warm-up; with a back-office warm-up
  (`acquisitions.warmup_days`) the run starts that many days before day 0, and the items of the
  initial WIP that seed it are left out (their receipt time is assumed);
- `overproduction_min_per_day` is the back-office work done on items nobody asked for while an
  item a reader asked for waited at the same step (`sim.wastewalk`), per opening day;
- `first_pass_yield` is the share of operations (readers' steps and new items' steps) done right
  the first time, with no rework.

The per-step and per-part sums, the log's part rows, overproduction and overtime hours are worked out
in `sim.metric_parts`; this module assembles the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .eventlog import Ev, EventLog
from .metric_parts import StepStats, _overtime_hours, _part_stats, _step_stats, overproduction_by_step, step_parts
from .scenario import Scenario

MIN_GROUP_READERS = 30
EQUITY_FLOOR_MIN = 1.0
WITHIN_MIN = 15.0


@dataclass
class RepMetrics:
    """Everything one replication contributes to the results."""

    kpis: dict[str, float | None]
    groups: dict[str, dict[str, float | None]]
    hours: list[int]  # labels of the hourly series: hour of day (daily) or hour from the start
    hourly: dict[str, list[float | None]]
    wait_samples: dict[str, np.ndarray]
    steps: dict[str, StepStats] = field(default_factory=dict)


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def _p90(values: np.ndarray) -> float | None:
    return float(np.percentile(values, 90)) if len(values) else None


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def integrate(starts: np.ndarray, ends: np.ndarray, edges: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """For each bin [edges[i], edges[i+1]): the integral over time of how many intervals cover t.

    Intervals are [starts[j], ends[j]); with `weights`, each counts that much. O((n + bins) log n).
    """
    if weights is None:
        weights = np.ones(len(starts))

    def area(points: np.ndarray, at: np.ndarray) -> np.ndarray:
        order = np.argsort(points)
        p, w = points[order], weights[order]
        cum_w = np.concatenate(([0.0], np.cumsum(w)))
        cum_wp = np.concatenate(([0.0], np.cumsum(w * p)))
        k = np.searchsorted(p, at, side="right")
        return cum_w[k] * at - cum_wp[k]

    total = area(starts, edges) - area(ends, edges)
    return np.diff(total)


def compute_metrics(scenario: Scenario, log: EventLog) -> RepMetrics:
    """All figures of one replication (see the module docstring for definitions)."""
    k, t, ent, grp, step, val = log.kind, log.t, log.entity, log.group, log.step, log.value
    warm = log.warmup_min
    groups = log.group_ids

    # --- readers ------------------------------------------------------------------------------
    arr = k == Ev.ARRIVE
    n_readers = int(ent[arr].max()) + 1 if arr.any() else 0
    arrival = np.full(n_readers, np.inf)
    arrival[ent[arr]] = t[arr]
    group_of = np.full(n_readers, -1, dtype=np.int64)
    group_of[ent[arr]] = grp[arr]
    counted = arrival >= warm

    reader_row = ent >= 0
    queue_rows = ((k == Ev.SERVICE_START) | (k == Ev.RENEGE) | (k == Ev.WAIT_AT_END)) & (grp >= 0)
    wait = np.bincount(ent[queue_rows], weights=val[queue_rows], minlength=n_readers)

    def flag(kinds: tuple[Ev, ...]) -> np.ndarray:
        rows = np.isin(k, kinds) & reader_row & (grp >= 0)
        out = np.zeros(n_readers, dtype=bool)
        out[ent[rows]] = True
        return out

    served = flag((Ev.DEPART,)) & counted
    left = flag((Ev.RENEGE, Ev.BALK)) & counted
    dep = k == Ev.DEPART
    time_inside = np.zeros(n_readers)
    time_inside[ent[dep]] = val[dep]

    # value-added time of each reader
    # the shelf search is necessary, whatever the step says: the value is the book in the reader's
    # hands, and counting the search would inflate PCE with the very time that misshelving and the
    # cart make longer
    # a step split into parts counts by its parts' value classes, not by its own
    va_steps = np.array([scenario.steps[s].value == "value_added" and scenario.steps[s].kind != "shelf_search"
                         and not scenario.steps[s].parts for s in log.step_ids] + [False])
    done_rows = ((k == Ev.SERVICE_END) | (k == Ev.SELF_END)) & (grp >= 0)
    va_rows = done_rows & va_steps[step]
    va_time = np.bincount(ent[va_rows], weights=val[va_rows], minlength=n_readers)
    part_rows, part_specs = step_parts(scenario, log)
    if len(part_rows):
        va_part = np.array([p.value == "value_added" for p in part_specs], dtype=bool)
        rows = part_rows[va_part & (grp[part_rows] >= 0)]
        va_time += np.bincount(ent[rows], weights=val[rows], minlength=n_readers)

    def reader_figures(mask: np.ndarray) -> dict[str, float | None]:
        arrived = int(mask.sum())
        s_mask, l_mask = served & mask, left & mask
        waits = wait[mask]
        within = int((s_mask & (wait <= WITHIN_MIN)).sum())
        return {
            "wait_mean": _mean(waits),
            "wait_p90": _p90(waits),
            "time_in_library_mean": _mean(time_inside[s_mask]),
            "readers_arrived": float(arrived),
            "readers_served": float(s_mask.sum()),
            "readers_left_unserved": float(l_mask.sum()),
            "left_unserved_share": _share(float(l_mask.sum()), arrived),
            "served_within_15_share": _share(within, arrived),
        }

    kpis = reader_figures(counted)
    group_figs = {g: reader_figures(counted & (group_of == i)) for i, g in enumerate(groups)}
    wait_samples = {g: wait[counted & (group_of == i)] for i, g in enumerate(groups)}

    overall_p90 = kpis["wait_p90"]
    big = [f for f in group_figs.values() if (f["readers_arrived"] or 0) >= MIN_GROUP_READERS]
    if overall_p90 is not None and big:
        worst = max(max(f["wait_p90"] or 0.0, EQUITY_FLOOR_MIN) for f in big)
        kpis["equity_p90_ratio"] = worst / max(overall_p90, EQUITY_FLOOR_MIN)
    else:
        kpis["equity_p90_ratio"] = None
    within = [f["served_within_15_share"] for f in big if f["served_within_15_share"] is not None]
    kpis["served_within_15_worst_group"] = min(within) if within else None
    # in minutes, not as a ratio to everyone's: these fall when every group's waits fall
    p90s = [f["wait_p90"] for f in big if f["wait_p90"] is not None]
    kpis["wait_p90_worst_group"] = max(p90s) if p90s else None
    kpis["wait_p90_group_gap"] = max(p90s) - min(p90s) if p90s else None
    needs = [i for i, g in enumerate(groups) if scenario.groups[g].access_needs]
    access = counted & np.isin(group_of, needs)
    kpis["wait_p90_access_groups"] = _p90(wait[access]) if needs and access.sum() >= MIN_GROUP_READERS else None

    va_total = float(va_time[served].sum())
    inside_total = float(time_inside[served].sum())
    kpis["pce"] = _share(va_total, inside_total)
    # the typical reader's share (a mean of shares), where PCE pools all readers' minutes
    shares = va_time[served & (time_inside > 0)] / time_inside[served & (time_inside > 0)]
    kpis["reader_value_added_share"] = _mean(shares)

    open_hours = sum(max(0.0, b - max(a, warm)) for a, b in log.open_intervals) / 60.0
    kpis["throughput_per_hour"] = _share(float(served.sum()), open_hours)

    # --- shelves and stacks -------------------------------------------------------------------
    def reader_counted(rows: np.ndarray) -> np.ndarray:
        """Indices of `rows` that belong to readers who arrived after the warm-up."""
        return rows.nonzero()[0][counted[ent[rows]]]

    nf_rows = reader_counted((k == Ev.NOT_FOUND) & reader_row)
    shelf_steps = np.array([scenario.steps[s].kind == "shelf_search" for s in log.step_ids] + [False])
    search_rows = reader_counted((k == Ev.SELF_END) & reader_row & shelf_steps[step])
    kpis["books_not_found"] = float(len(nf_rows)) if scenario.reshelving is not None else None
    kpis["books_not_found_share"] = _share(float(len(nf_rows)), float(len(search_rows)))
    # the cause of each failed search, split by the parts of its chance at that moment (the value
    # logged): the misshelving rate, and the rest from books waiting on the cart or out on a run
    if scenario.reshelving is not None:
        chance = val[nf_rows]
        misshelved = np.minimum(scenario.reshelving.misshelve_rate, chance) / np.maximum(chance, 1e-12)
        kpis["books_not_found_misshelved"] = float(misshelved.sum())
        kpis["books_not_found_cart"] = float(len(nf_rows) - misshelved.sum())
    else:
        kpis["books_not_found_misshelved"] = kpis["books_not_found_cart"] = None
    lead_rows = reader_counted((k == Ev.STACK_LEAD) & reader_row)
    kpis["stack_order_lead_time_mean"] = _mean(val[lead_rows])
    shelved = (k == Ev.BOOK_SHELVED) & (t - val >= warm)
    kpis["reshelve_lead_time_mean"] = _mean(val[shelved] / 60.0)

    # --- back office --------------------------------------------------------------------------
    acq_done = (k == Ev.ACQ_SHELVED) & (t >= warm)
    seeds = k == Ev.ACQ_SEED
    if seeds.any():  # the warm-up's seed items: their receipt time is an assumption, not a result
        acq_done &= ~np.isin(ent, ent[seeds])
    kpis["acquisitions_lead_time_days"] = _mean(val[acq_done] / 1440.0)
    requested = np.zeros(int(ent[k == Ev.ACQ_REQUESTED].max()) + 1 if (k == Ev.ACQ_REQUESTED).any() else 0, dtype=bool)
    requested[ent[k == Ev.ACQ_REQUESTED]] = True
    acq_requested_done = acq_done & (ent < len(requested))
    acq_requested_done[acq_requested_done] = requested[ent[acq_requested_done]]
    kpis["acquisitions_requested_lead_time_days"] = _mean(val[acq_requested_done] / 1440.0)
    kpis["acquisitions_shelved"] = float(acq_done.sum()) if scenario.acquisitions is not None else None
    window = np.array([warm, log.end_min])
    if scenario.acquisitions is not None:
        items = (k == Ev.ACQ_SHELVED) | (k == Ev.ACQ_OPEN)
        area = integrate(t[items] - val[items], t[items], window)
        kpis["backoffice_wip_mean"] = float(area[0] / (window[1] - window[0]))
        # in process: from the start of an item's first step to the shelf (or the end of the run)
        started = k == Ev.ACQ_STARTED
        n_items = int(ent[items].max()) + 1 if items.any() else 0
        start_t = np.full(n_items, np.nan)
        start_t[ent[started]] = t[started]
        end_t = np.full(n_items, np.nan)
        end_t[ent[items]] = t[items]
        ok = ~np.isnan(start_t) & ~np.isnan(end_t)
        area = integrate(start_t[ok], end_t[ok], window)
        kpis["backoffice_in_process_mean"] = float(area[0] / (window[1] - window[0]))
    else:
        kpis["backoffice_wip_mean"] = None
        kpis["backoffice_in_process_mean"] = None

    ops = len(reader_counted(((k == Ev.SERVICE_END) | (k == Ev.SELF_END)) & reader_row & (grp >= 0)))
    ops += int(((k == Ev.ACQ_WORK) & (t >= warm)).sum())
    first_rework = (k == Ev.REWORK) & (val == 1.0)
    reworked = len(reader_counted(first_rework & reader_row & (grp >= 0)))
    reworked += int((first_rework & (grp < 0) & (t >= warm)).sum())
    kpis["first_pass_yield"] = 1.0 - reworked / ops if ops else None

    # --- staff --------------------------------------------------------------------------------
    member_role = log.staff_role
    busy = k == Ev.BUSY
    duty = k == Ev.DUTY
    cost = 0.0
    overtime = _overtime_hours(scenario, log)
    premium = 0.0
    ot = scenario.overtime
    for r, role_id in enumerate(log.role_ids):
        b_rows = busy & (member_role[np.maximum(log.staff, 0)] == r)
        d_rows = duty & (member_role[np.maximum(log.staff, 0)] == r)
        busy_min = integrate(t[b_rows] - val[b_rows], t[b_rows], window)[0]
        duty_min = integrate(t[d_rows] - val[d_rows], t[d_rows], window)[0]
        kpis[f"utilisation.{role_id}"] = _share(busy_min, duty_min)
        wage = scenario.roles[role_id].wage_per_hour
        cost += duty_min / 60.0 * wage
        for (member, _day), late in overtime.items():
            if member_role[member] == r:
                # the hours are in the duty time already at 1x: add what the law pays on top
                first = min(late, ot.first_hours)
                premium += wage * (first * (ot.first_rate - 1.0) + (late - first) * (ot.later_rate - 1.0))
    kpis["staff_cost"] = cost + premium
    # metres walked by staff (runs, trips to the hall), per opening day after the warm-up
    walk = (k == Ev.WALK) & (t >= warm) & (log.staff >= 0)
    if scenario.calendar.mode == "daily":
        days = float(sum(1 for _a, b in log.open_intervals if b > warm))
    else:
        days = (window[1] - window[0]) / 1440.0
    for r, role_id in enumerate(log.role_ids):
        rows = walk & (member_role[np.maximum(log.staff, 0)] == r)
        kpis[f"walk_m_per_day.{role_id}"] = _share(float(val[rows].sum()), days)
    kpis["walk_m_per_day"] = _share(float(val[walk].sum()), days)
    # overproduction: back-office minutes spent on items nobody asked for while an item a reader asked
    # for waited at the same step (the waste walk's measure), per opening day
    if scenario.acquisitions is not None and scenario.acquisitions.requested_share > 0:
        ahead = sum(minutes for _, minutes, _ in overproduction_by_step(log, warm, log.end_min))
        kpis["overproduction_min_per_day"] = _share(ahead, days)
    else:
        kpis["overproduction_min_per_day"] = None
    # minutes of work that is a named waste inside a step (parts), per opening day
    for waste in ("motion", "overprocessing"):
        named = [i for i, p in enumerate(part_specs) if p.waste == waste]
        if not any(sp.parts for sp in scenario.steps.values()):
            kpis[f"{waste}_min_per_day"] = None
            continue
        rows = part_rows[named]
        is_reader = grp[rows] >= 0
        keep = t[rows] >= warm
        keep[is_reader] = counted[ent[rows][is_reader]] if n_readers else False
        kpis[f"{waste}_min_per_day"] = _share(float(val[rows[keep]].sum()), days)
    kpis["overtime_cost"] = sum(scenario.roles[log.role_ids[member_role[m]]].wage_per_hour * h
                                for (m, _d), h in overtime.items()) + premium

    hours, hourly = _hourly(scenario, log, arrival, served, left)
    steps = _step_stats(log, counted, n_readers)
    steps.update(_part_stats(scenario, log, part_rows, part_specs, counted))
    kpis = {key: (None if v is None or (isinstance(v, float) and math.isnan(v)) else v) for key, v in kpis.items()}
    return RepMetrics(kpis, group_figs, hours, hourly, wait_samples, steps)


def _hourly(scenario: Scenario, log: EventLog, arrival: np.ndarray, served: np.ndarray, left: np.ndarray
            ) -> tuple[list[int], dict[str, list[float | None]]]:
    """Series by hour: queue length, readers inside, arrivals, staff on duty and utilisation per role."""
    k, t, val = log.kind, log.t, log.value
    edges = np.arange(0.0, log.end_min + 60.0, 60.0)
    nb = len(edges) - 1
    series: dict[str, np.ndarray] = {}
    q = ((k == Ev.SERVICE_START) | (k == Ev.RENEGE)) & (log.group >= 0)
    series["queue_length"] = integrate(t[q] - val[q], t[q], edges) / 60.0
    inside_end = np.full(len(arrival), np.nan)
    for kind in (Ev.DEPART, Ev.RENEGE, Ev.BALK, Ev.LEFT_INSIDE):
        rows = (k == kind) & (log.entity >= 0) & (log.group >= 0)
        inside_end[log.entity[rows]] = t[rows]
    ok = np.isfinite(inside_end) & np.isfinite(arrival)
    series["readers_inside"] = integrate(arrival[ok], inside_end[ok], edges) / 60.0
    finite_arrivals = arrival[np.isfinite(arrival)]
    series["arrivals"] = np.histogram(finite_arrivals, bins=edges)[0].astype(float)
    busy_by_role, duty_by_role = {}, {}
    for r, role_id in enumerate(log.role_ids):
        member_is = log.staff_role[np.maximum(log.staff, 0)] == r
        b = (k == Ev.BUSY) & member_is & (log.staff >= 0)
        d = (k == Ev.DUTY) & member_is & (log.staff >= 0)
        busy_by_role[role_id] = integrate(t[b] - val[b], t[b], edges)
        duty_by_role[role_id] = integrate(t[d] - val[d], t[d], edges)
        series[f"staff_on_duty.{role_id}"] = duty_by_role[role_id] / 60.0

    keep = edges[:-1] >= log.warmup_min - 1e-9
    if scenario.calendar.mode == "daily":
        hod = (np.arange(nb) % 24)
        # the same hours in every replication: opening hours and the two after closing (overtime)
        cal = scenario.calendar
        labels = list(range(cal.open_min // 60, min(24, -(-cal.close_min // 60) + 2)))
        out: dict[str, list[float | None]] = {}
        for name, values in series.items():
            out[name] = [float(values[keep & (hod == h)].mean()) for h in labels]
        for role_id in log.role_ids:
            out[f"utilisation.{role_id}"] = [
                _share(float(busy_by_role[role_id][keep & (hod == h)].sum()), float(duty_by_role[role_id][keep & (hod == h)].sum()))
                for h in labels
            ]
        return labels, out
    idx = np.nonzero(keep)[0]
    out = {name: [float(v) for v in values[idx]] for name, values in series.items()}
    for role_id in log.role_ids:
        out[f"utilisation.{role_id}"] = [
            _share(float(busy_by_role[role_id][i]), float(duty_by_role[role_id][i])) for i in idx
        ]
    return [int(i) for i in idx], out
