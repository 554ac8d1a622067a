"""Frames of the floor's animation, sampled from one replication's event log (see `sim.floor`)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..eventlog import Ev, EventLog
from ..scenario import Scenario
from .plan import (
    HALL,
    LINE_COLUMN,
    MAX_FRAMES,
    PLACE_M,
    QUEUE,
    SELF,
    SERVICE,
    SLOT_M,
    STACK_WAIT,
    FloorError,
    FloorPlan,
)

# --- frames -----------------------------------------------------------------------------------------


@dataclass
class FloorFrames:
    """Positions at each frame time. Row arrays of `readers` and `staff` belong to frame `frame`.

    readers: frame, reader, group, purpose, state (QUEUE...), station (-1 for none), x, y, wait
    (minutes queued so far in the visit); staff: frame, member, role, station, busy, x, y;
    books: `cart_books` on the cart at the desk and `run_books` out on a reshelving run (their sum is
    the books waiting to be reshelved), the run cart's position; piles: per acquisitions step,
    items waiting before it and items in work at it.
    """

    times: np.ndarray
    plan: FloorPlan
    readers: dict[str, np.ndarray]
    staff: dict[str, np.ndarray]
    cart_books: np.ndarray
    run_books: np.ndarray
    run_xy: np.ndarray
    pile_steps: list[str]
    pile_waiting: np.ndarray  # (steps, frames)
    pile_in_work: np.ndarray  # (steps, frames)
    group_ids: list[str]
    purpose_ids: list[str]
    station_ids: list[str]
    role_ids: list[str]
    day: int | None = None


def frame_times(start: float, end: float, step_min: float) -> np.ndarray:
    """Frame times from `start` to `end` (inclusive when it falls on a step), `step_min` apart."""
    if not (math.isfinite(start) and math.isfinite(end) and end > start):
        raise FloorError("floor.err.window", start=start, end=end)
    if not (math.isfinite(step_min) and step_min > 0):
        raise FloorError("floor.err.step", step=step_min)
    n = math.floor((end - start) / step_min + 1e-9) + 1
    if n > MAX_FRAMES:
        raise FloorError("floor.err.too_many", n=n, max=MAX_FRAMES)
    return start + step_min * np.arange(n, dtype=np.float64)


def _expand(times: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(frame index, interval index) for every frame time T with starts[i] <= T < ends[i]."""
    lo = np.searchsorted(times, starts, side="left")
    hi = np.searchsorted(times, ends, side="left")
    counts = np.maximum(hi - lo, 0)
    idx = np.repeat(np.arange(len(starts)), counts)
    offsets = np.arange(len(idx)) - np.repeat(np.cumsum(counts) - counts, counts)
    return lo[idx] + offsets, idx


def _rank(keys: np.ndarray, order_by: np.ndarray) -> np.ndarray:
    """Position of each row within rows of the same key, ordered by `order_by` (0 for the first)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((order_by, keys))
    sorted_keys = keys[order]
    first = np.r_[True, sorted_keys[1:] != sorted_keys[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order)) - group_start
    return rank


def _reader_intervals(log: EventLog) -> dict[str, np.ndarray]:
    """Every reader's activities as intervals: reader, state, station, start, end."""
    k, t, ent, val, st = log.kind, log.t, log.entity, log.value, log.station
    reader = (log.group >= 0) & (ent >= 0)
    parts: list[tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]] = []

    queue = reader & ((k == Ev.SERVICE_START) | (k == Ev.RENEGE))
    parts.append((ent[queue], QUEUE, st[queue], t[queue] - val[queue], t[queue]))

    # service: each start pairs with the same reader's next end (a reader does one step at a time)
    starts = np.nonzero(reader & (k == Ev.SERVICE_START))[0]
    ends = np.nonzero(reader & (k == Ev.SERVICE_END))[0]
    s_rank = _rank(ent[starts], t[starts])
    e_rank = _rank(ent[ends], t[ends])
    n_readers = int(ent[reader].max()) + 1 if reader.any() else 0
    width = int(max(s_rank.max(initial=0), e_rank.max(initial=0))) + 1
    end_at = np.full(n_readers * width, np.inf)
    end_at[ent[ends] * width + e_rank] = t[ends]
    s_end = end_at[ent[starts] * width + s_rank]
    s_end = np.where(np.isfinite(s_end), s_end, log.end_min)
    parts.append((ent[starts], SERVICE, st[starts], t[starts], s_end))

    own = reader & (k == Ev.SELF_END)
    parts.append((ent[own], SELF, st[own], t[own] - val[own], t[own]))
    stack = reader & (k == Ev.STACK_WAIT)
    parts.append((ent[stack], STACK_WAIT, st[stack], t[stack] - val[stack], t[stack]))
    return {
        "reader": np.concatenate([p[0] for p in parts]).astype(np.int64),
        "state": np.concatenate([np.full(len(p[0]), p[1], dtype=np.int8) for p in parts]),
        "station": np.concatenate([p[2] for p in parts]).astype(np.int16),
        "start": np.concatenate([p[3] for p in parts]),
        "end": np.concatenate([p[4] for p in parts]),
    }


def _presence(log: EventLog) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per reader: arrival, leaving time (end of the run if still inside), group and purpose."""
    k, t, ent = log.kind, log.t, log.entity
    arr = (k == Ev.ARRIVE) & (ent >= 0)
    n = int(ent[arr].max()) + 1 if arr.any() else 0
    arrival = np.full(n, np.inf)
    arrival[ent[arr]] = t[arr]
    group = np.zeros(n, dtype=np.int16)
    group[ent[arr]] = log.group[arr]
    purpose = np.zeros(n, dtype=np.int16)
    purpose[ent[arr]] = log.value[arr].astype(np.int16)
    leave = np.full(n, log.end_min)
    for kind in (Ev.DEPART, Ev.RENEGE, Ev.BALK, Ev.LEFT_INSIDE):
        rows = (k == kind) & (ent >= 0) & (log.group >= 0)
        leave[ent[rows]] = t[rows]
    return arrival, leave, group, purpose


def _line_xy(plan: FloorPlan, sid: str, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Places in a station's line: from its head towards the entrance, turning every LINE_COLUMN."""
    x0, y0 = plan.spots[sid]
    dx, dy = plan.line_dir.get(sid, (0.0, -1.0))
    col, row = np.divmod(rank, LINE_COLUMN)
    row = np.where(col % 2 == 0, row, LINE_COLUMN - 1 - row)  # serpentine: the line turns back
    along = 1.6 + PLACE_M * row
    side = 0.9 * col
    return x0 + dx * along - dy * side, y0 + dy * along + dx * side


def _reader_positions(plan: FloorPlan, sids: list[str], state: np.ndarray, station: np.ndarray,
                      frame: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """x, y of each drawn reader; `order` sorts readers within a line or a group of seats."""
    x = np.zeros(len(state), dtype=np.float64)
    y = np.zeros(len(state), dtype=np.float64)
    n_st = len(sids) + 1
    key = (frame.astype(np.int64) * 8 + state) * n_st + station + 1
    rank = _rank(key, order)
    for s_idx, sid in enumerate(sids):
        at = station == s_idx
        if not at.any():
            continue
        x0, y0 = plan.spots[sid]
        q = at & (state == QUEUE)
        if q.any():
            x[q], y[q] = _line_xy(plan, sid, rank[q])
        sv = at & (state == SERVICE)
        x[sv] = x0 + SLOT_M * rank[sv]
        y[sv] = y0 - 0.9
        own = at & (state == SELF)
        cols = 4
        x[own] = x0 + 1.2 + 1.0 * (rank[own] % cols)
        y[own] = y0 - 2.5 + 1.0 * (rank[own] // cols)
    bench = state == STACK_WAIT
    bx, by = plan.spots["stack_bench"]
    x[bench] = bx - 2.0 + 0.9 * (rank[bench] % 5)
    y[bench] = by + 0.9 * (rank[bench] // 5)
    hall = state == HALL
    hx, hy = plan.spots["hall"]
    x[hall] = hx - 2.0 + 0.8 * (rank[hall] % 6)
    y[hall] = hy + 0.8 * (rank[hall] // 6)
    return x, y


def _readers(log: EventLog, plan: FloorPlan, times: np.ndarray) -> dict[str, np.ndarray]:
    arrival, leave, group, purpose = _presence(log)
    all_iv = _reader_intervals(log)
    iv = all_iv
    keep = (iv["end"] > iv["start"]) & (iv["end"] > times[0]) & (iv["start"] <= times[-1])
    iv = {name: col[keep] for name, col in iv.items()}
    # the wait so far: queue time of the reader's earlier intervals (cumulated per reader)
    order = np.lexsort((iv["start"], iv["reader"]))
    qlen = np.where(iv["state"] == QUEUE, iv["end"] - iv["start"], 0.0)[order]
    cum = np.cumsum(qlen) - qlen
    first = np.r_[True, iv["reader"][order][1:] != iv["reader"][order][:-1]]
    base = np.maximum.accumulate(np.where(first, np.arange(len(order)), 0))
    prior = np.empty(len(order))
    prior[order] = cum - cum[base] if len(order) else cum
    # a reader's queues before the window count too
    before = (all_iv["state"] == QUEUE) & (all_iv["end"] <= times[0])
    n = len(arrival)
    wait_before = np.bincount(all_iv["reader"][before], weights=(all_iv["end"] - all_iv["start"])[before], minlength=n)
    frame, i = _expand(times, iv["start"], iv["end"])
    rdr = iv["reader"][i]
    state = iv["state"][i]
    station = iv["station"][i].astype(np.int64)
    wait = prior[i] + wait_before[rdr] + np.where(state == QUEUE, times[frame] - iv["start"][i], 0.0)
    order_by = np.where(state == QUEUE, iv["start"][i], rdr.astype(np.float64))

    # present but in none of the logged activities (e.g. still queueing when the run ended): the hall
    live = np.isfinite(arrival) & (leave > arrival)
    pf, pr = _expand(times, arrival[live], leave[live])
    readers_live = np.nonzero(live)[0][pr]
    span = max(n, 1)
    seen = frame.astype(np.int64) * span + rdr
    hall = ~np.isin(pf.astype(np.int64) * span + readers_live, seen)
    hf, hr = pf[hall], readers_live[hall]
    frame = np.concatenate([frame, hf])
    rdr = np.concatenate([rdr, hr])
    state = np.concatenate([state, np.full(len(hf), HALL, dtype=np.int8)])
    station = np.concatenate([station, np.full(len(hf), -1, dtype=np.int64)])
    wait = np.concatenate([wait, _prior_wait_at(all_iv, hr, times[hf])])
    order_by = np.concatenate([order_by, hr.astype(np.float64)])
    x, y = _reader_positions(plan, log.station_ids, state, station, frame, order_by)
    sort = np.lexsort((rdr, frame))
    return {
        "frame": frame[sort].astype(np.int32),
        "reader": rdr[sort],
        "group": group[rdr[sort]],
        "purpose": purpose[rdr[sort]],
        "state": state[sort],
        "station": station[sort].astype(np.int16),
        "x": x[sort].astype(np.float32),
        "y": y[sort].astype(np.float32),
        "wait": wait[sort].astype(np.float32),
    }


def _prior_wait_at(iv: dict[str, np.ndarray], readers: np.ndarray, at: np.ndarray) -> np.ndarray:
    """Minutes each reader had queued before `at` (for readers outside any logged activity)."""
    if len(readers) == 0:
        return np.zeros(0)
    q = (iv["state"] == QUEUE) & np.isin(iv["reader"], readers)
    out = np.zeros(len(readers))
    for r_start, r_end, r in zip(iv["start"][q], iv["end"][q], iv["reader"][q], strict=True):
        hit = readers == r
        if hit.any():
            out[hit] += np.clip(at[hit] - r_start, 0.0, r_end - r_start)
    return out


def _runs(log: EventLog, station: int) -> list[tuple[float, float]]:
    """(start, end) of each job at `station`, joining stretches split by closing time."""
    rows = np.nonzero((log.kind == Ev.BUSY) & (log.station == station) & (log.staff >= 0))[0]
    shelved = set(log.t[(log.kind == Ev.BOOK_SHELVED) & (log.station == station)].tolist())
    out: list[tuple[float, float]] = []
    chain: float | None = None
    for r in rows:
        start = float(log.t[r] - log.value[r])
        chain = start if chain is None else chain
        if float(log.t[r]) in shelved:
            out.append((chain, float(log.t[r])))
            chain = None
    return out


def _books(scenario: Scenario, log: EventLog, plan: FloorPlan, times: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Books waiting on the cart at the desk, books out on a run, and the run cart's position."""
    nf = len(times)
    if scenario.reshelving is None:
        return np.zeros(nf, dtype=np.int32), np.zeros(nf, dtype=np.int32), np.tile(plan.spots["cart"], (nf, 1))
    k, t = log.kind, log.t
    ret = k == Ev.BOOKS_RETURNED
    shelf = k == Ev.BOOK_SHELVED
    ret_t, ret_n = t[ret], log.value[ret]
    cum_ret = np.concatenate(([0.0], np.cumsum(ret_n)))
    returned = cum_ret[np.searchsorted(ret_t, times, side="right")]
    shelved = np.searchsorted(np.sort(t[shelf]), times, side="right")
    waiting = (returned - shelved).astype(np.int32)
    station = log.station_ids.index(scenario.reshelving.station)
    on_run = np.zeros(nf, dtype=np.int32)
    xy = np.tile(np.asarray(plan.spots["cart"], dtype=np.float64), (nf, 1))
    shelf_t = t[shelf]
    opens = [sid for sid, kind in plan.kinds.items() if kind == "open"]
    far = np.asarray(plan.spots[opens[0]] if opens else plan.spots["hall"], dtype=np.float64)
    home = np.asarray(plan.spots["cart"], dtype=np.float64)
    for start, end in _runs(log, station):
        books = int(np.count_nonzero(shelf_t == end))
        inside = (times >= start) & (times < end)
        on_run[inside] += books
        phase = (times[inside] - start) / max(end - start, 1e-9)
        reach = np.minimum(1.0, 1.0 - np.abs(2.0 * phase - 1.0) + 0.6)  # out, along the shelves, back
        xy[inside] = home + (far - home) * reach[:, None]
    return waiting - on_run, on_run, xy


def _staff(scenario: Scenario, log: EventLog, plan: FloorPlan, times: np.ndarray) -> dict[str, np.ndarray]:
    k, t, val = log.kind, log.t, log.value
    duty = (k == Ev.DUTY) & (log.staff >= 0)
    frame, i = _expand(times, (t - val)[duty], t[duty])
    member = log.staff[duty][i].astype(np.int64)
    role = log.staff_role[member]
    # home: the first station of the role's skills; where it works: the station of its busy stretch
    roles = list(scenario.roles.values())
    home = np.asarray([log.station_ids.index(r.skills[0]) if r.skills else 0 for r in roles] or [0], dtype=np.int64)
    station = home[role] if len(role) else np.zeros(0, dtype=np.int64)
    busy_flag = np.zeros(len(member), dtype=bool)
    phase = np.full(len(member), -1.0)
    b = (k == Ev.BUSY) & (log.staff >= 0)
    bf, bi = _expand(times, (t - val)[b], t[b])
    if len(bf):
        n_members = len(log.staff_role)
        key_duty = frame.astype(np.int64) * n_members + member
        key_busy = bf.astype(np.int64) * n_members + log.staff[b][bi]
        by_key = np.argsort(key_duty, kind="stable")
        at = np.minimum(np.searchsorted(key_duty[by_key], key_busy), len(by_key) - 1)
        hit = np.where(key_duty[by_key][at] == key_busy, by_key[at], -1) if len(by_key) else np.full(len(key_busy), -1)
        ok = hit >= 0
        station[hit[ok]] = log.station[b][bi[ok]]
        busy_flag[hit[ok]] = True
        start, end = (t - val)[b][bi[ok]], t[b][bi[ok]]
        phase[hit[ok]] = (times[bf[ok]] - start) / np.maximum(end - start, 1e-9)
    x = np.zeros(len(member))
    y = np.zeros(len(member))
    rank = _rank(frame.astype(np.int64) * (len(log.station_ids) + 1) + station, member.astype(np.float64))
    walks = {}
    if scenario.stacks is not None:
        walks[log.station_ids.index(scenario.stacks.station)] = plan.spots["stacks_far"]
    if scenario.reshelving is not None:
        opens = [sid for sid, kind in plan.kinds.items() if kind == "open"]
        walks[log.station_ids.index(scenario.reshelving.station)] = plan.spots[opens[0]] if opens else plan.spots["hall"]
    for s_idx, sid in enumerate(log.station_ids):
        at = station == s_idx
        if not at.any():
            continue
        x0, y0 = plan.spots[sid]
        x[at] = x0 + SLOT_M * rank[at]
        y[at] = y0 + (0.9 if plan.kinds[sid] in ("desk", "kiosk") else 0.0)
        if s_idx in walks:  # a stack run or a reshelving run: out and back
            if sid == (scenario.reshelving.station if scenario.reshelving else None):
                x0, y0 = plan.spots["cart"]
            moving = at & busy_flag
            reach = np.minimum(1.0, 1.0 - np.abs(2.0 * phase[moving] - 1.0) + 0.6)
            fx, fy = walks[s_idx]
            x[moving] = x0 + (fx - x0) * reach
            y[moving] = y0 + (fy - y0) * reach
    sort = np.lexsort((member, frame))
    return {
        "frame": frame[sort].astype(np.int32),
        "member": member[sort],
        "role": role[sort].astype(np.int16),
        "station": station[sort].astype(np.int16),
        "busy": busy_flag[sort],
        "x": x[sort].astype(np.float32),
        "y": y[sort].astype(np.float32),
    }


def _piles(scenario: Scenario, log: EventLog, times: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Per acquisitions step: items waiting before it and items in work at it, at each frame."""
    acq = scenario.acquisitions
    if acq is None:
        return [], np.zeros((0, len(times)), dtype=np.int32), np.zeros((0, len(times)), dtype=np.int32)
    route = [a.step for a in acq.route]
    step_idx = [log.step_ids.index(s) for s in route]
    pos = {s: j for j, s in enumerate(step_idx)}
    k, t, ent, val, step = log.kind, log.t, log.entity, log.value, log.step
    nf = len(times)
    waiting = np.zeros((len(route), nf), dtype=np.int32)
    in_work = np.zeros((len(route), nf), dtype=np.int32)

    def add(target: np.ndarray, j: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        frame, i = _expand(times, starts, ends)
        np.add.at(target, (j[i], frame), 1)

    w = k == Ev.ACQ_WAIT
    w_pos = np.asarray([pos[int(s)] for s in step[w]], dtype=np.int64)
    add(waiting, w_pos, t[w] - val[w], t[w])
    done = k == Ev.ACQ_STEP_DONE
    done_at = {(int(e), int(s)): float(tt) for e, s, tt in zip(ent[done], step[done], t[done], strict=True)}
    w_end = np.asarray([done_at.get((int(e), int(s)), log.end_min) for e, s in zip(ent[w], step[w], strict=True)])
    add(in_work, w_pos, t[w], w_end)
    # items still waiting when the run stopped: after their last finished step, or never started
    open_rows = k == Ev.ACQ_OPEN
    waited = {(int(e), int(s)) for e, s in zip(ent[w], step[w], strict=True)}
    initial: list[int] = []
    for j, a in enumerate(acq.route):
        initial += [j] * acq.initial_wip.get(a.step, 0)
    last_done: dict[int, tuple[int, float]] = {}
    for e, s, tt in zip(ent[done], step[done], t[done], strict=True):
        j = pos[int(s)]
        if int(e) not in last_done or j > last_done[int(e)][0]:
            last_done[int(e)] = (j, float(tt))
    tail_pos, tail_start = [], []
    for e, tt, v in zip(ent[open_rows], t[open_rows], val[open_rows], strict=True):
        item = int(e)
        if item in last_done:
            j, since = last_done[item][0] + 1, last_done[item][1]
        else:
            j, since = (initial[item] if item < len(initial) else 0), max(float(tt - v), 0.0)
        if j < len(route) and (item, step_idx[j]) not in waited:
            tail_pos.append(j)
            tail_start.append(since)
    if tail_pos:
        add(waiting, np.asarray(tail_pos, dtype=np.int64), np.asarray(tail_start), np.full(len(tail_pos), log.end_min))
    return route, waiting, in_work


def build_frames(scenario: Scenario, log: EventLog, plan: FloorPlan, start: float, end: float,
                 step_min: float = 1.0) -> FloorFrames:
    """The floor at each frame time from `start` to `end` (minutes since the start of day 0)."""
    times = frame_times(start, end, step_min)
    cart, run, run_xy = _books(scenario, log, plan, times)
    steps, waiting, in_work = _piles(scenario, log, times)
    day = int(start // 1440) if scenario.calendar.mode == "daily" else None
    return FloorFrames(
        times=times, plan=plan, readers=_readers(log, plan, times), staff=_staff(scenario, log, plan, times),
        cart_books=cart, run_books=run, run_xy=run_xy, pile_steps=steps, pile_waiting=waiting,
        pile_in_work=in_work, group_ids=list(log.group_ids), purpose_ids=list(log.purpose_ids),
        station_ids=list(log.station_ids), role_ids=list(log.role_ids), day=day,
    )


# --- windows ----------------------------------------------------------------------------------------
