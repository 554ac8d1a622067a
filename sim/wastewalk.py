"""The waste walk: the largest wastes of a replication, measured from its event log, and a team's
observations scored against them.

`measure_wastes(scenario, log, start, end)` lists every waste the log can show, each as a `Waste`:
which of the eight wastes (GOST R 56908's seven plus unused talent; `sim.scenario.WASTES`), where
(a station or a step), how much in its own unit, and a `size` for ranking. `ground_truth(...)` is
the list sorted by size. What is measured, over the window [start, end):

- waiting: reader-minutes queued at each station (the queue intervals the metrics use), and
  reader-minutes waiting for the closed-stack run (at its step);
- inventory: book-hours on the reshelving cart (returned, not yet on the shelf) and item-hours of
  new acquisitions waiting before each back-office step;
- transport: metres walked in steps with a walking distance (`walk_m`, counted each time the step
  runs) and staff-minutes of closed-stack runs;
- defects: minutes of rework at each step (reworks times the step's time without rework times its
  rework factor), and minutes of the steps readers take after a failed shelf search;
- motion: staff-minutes of set-up when a member switches between stations (finding the place
  again after an interruption);
- over-processing: minutes of other steps the scenario marks as waste;
- overproduction: minutes of back-office work done on items nobody asked for while an item a
  reader asked for waited at the same step (items processed before the requested ones).

Sizes on one scale: a person's minute (a reader's or a staff member's) counts 1, and so does an
item's or a book's hour (a book on the cart for an hour weighs as a reader waiting a minute); metres
count as the minutes it takes to walk them. This is a convention for ranking, stated here so that a
trainer can explain it; each waste also carries its amount in its own unit.

`score_observations(truth, observations, top_n)` compares a team's observations (waste, where) with
the top-N wastes: which it found, which it missed, which of its observations were real but smaller,
and a score (the share of the top N found, 0-100). An observation matches a waste of the same kind at
the same place; a station matches a step at that station and a step matches its station.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .eventlog import Ev, EventLog
from .i18n import pick, plural, t
from .metrics import integrate
from .scenario import WASTES, Scenario

DEFAULT_TOP_N = 5


@dataclass(frozen=True)
class Waste:
    """One waste seen in the log: kind, where (`station` or `step` and its id), amount and size."""

    waste: str
    where_kind: str  # "station" or "step"
    where: str
    amount: float
    unit: str  # reader_min, staff_min, book_hours, item_hours, metres, min
    size: float
    count: int = 0  # how many times it happened (readers, reworks, runs...), where it makes sense

    @property
    def key(self) -> tuple[str, str]:
        return (self.waste, self.where)


@dataclass(frozen=True)
class Observation:
    """What a team saw: which waste, where (a station or step id), and in its own words."""

    waste: str
    where: str
    note: str = ""


@dataclass
class WalkScore:
    """A team's observations against the top-N truth."""

    top: list[Waste]
    found: list[Waste] = field(default_factory=list)
    missed: list[Waste] = field(default_factory=list)
    smaller: list[Observation] = field(default_factory=list)  # real wastes, but not in the top N
    unseen: list[Observation] = field(default_factory=list)  # not in the log's wastes at all
    score: float = 0.0  # share of the top N found, 0-100


def _clip(starts: np.ndarray, ends: np.ndarray, start: float, end: float) -> float:
    if len(starts) == 0:
        return 0.0
    return float(integrate(starts, ends, np.array([start, end]))[0])


def _in(t: np.ndarray, start: float, end: float) -> np.ndarray:
    return (t >= start) & (t < end)


def measure_wastes(scenario: Scenario, log: EventLog, start: float | None = None, end: float | None = None) -> list[Waste]:
    """Every waste the log shows in [start, end) (default: after the warm-up to the end of the run)."""
    lo = log.warmup_min if start is None else float(start)
    hi = log.end_min if end is None else float(end)
    k, t, val, ent, step, st = log.kind, log.t, log.value, log.entity, log.step, log.station
    reader = (log.group >= 0) & (ent >= 0)
    out: list[Waste] = []
    speed = scenario.walk_speed_m_per_min

    # waiting: readers in lines, per station; readers waiting for the stack run
    q = reader & ((k == Ev.SERVICE_START) | (k == Ev.RENEGE))
    for s_idx, sid in enumerate(log.station_ids):
        rows = q & (st == s_idx)
        minutes = _clip(t[rows] - val[rows], t[rows], lo, hi)
        if minutes > 0:
            n = int((rows & _in(t, lo, hi)).sum())
            out.append(Waste("waiting", "station", sid, minutes, "reader_min", minutes, n))
    sw = reader & (k == Ev.STACK_WAIT)
    for s_idx in np.unique(step[sw]):
        rows = sw & (step == s_idx)
        minutes = _clip(t[rows] - val[rows], t[rows], lo, hi)
        if minutes > 0:
            out.append(Waste("waiting", "step", log.step_ids[int(s_idx)], minutes, "reader_min", minutes,
                             int((rows & _in(t, lo, hi)).sum())))

    # inventory: books on the cart, items before each back-office step
    if scenario.reshelving is not None:
        ret = k == Ev.BOOKS_RETURNED
        shelved = k == Ev.BOOK_SHELVED
        starts = list(t[shelved] - val[shelved])
        ends = list(t[shelved])
        never = int(val[ret].sum()) - int(shelved.sum())  # the last books returned are still waiting
        if never > 0:
            times = np.repeat(t[ret], val[ret].astype(int))[-never:]
            starts += times.tolist()
            ends += [log.end_min] * never
        book_min = _clip(np.asarray(starts), np.asarray(ends), lo, hi)
        if book_min > 0:
            out.append(Waste("inventory", "station", scenario.reshelving.station, book_min / 60.0, "book_hours",
                             book_min / 60.0))
    aw = k == Ev.ACQ_WAIT
    for s_idx in np.unique(step[aw]):
        rows = aw & (step == s_idx)
        item_min = _clip(t[rows] - val[rows], t[rows], lo, hi)
        if item_min > 0:
            out.append(Waste("inventory", "step", log.step_ids[int(s_idx)], item_min / 60.0, "item_hours",
                             item_min / 60.0, int((rows & _in(t, lo, hi)).sum())))

    # transport: walking in steps, stack runs
    done = (((k == Ev.SERVICE_END) | (k == Ev.SELF_END)) & reader) | (k == Ev.ACQ_WORK)
    done &= _in(t, lo, hi)
    for sid, spec in scenario.steps.items():
        if spec.walk_m <= 0 or sid not in log.step_ids:
            continue
        n = int((done & (step == log.step_ids.index(sid))).sum())
        if n:
            metres = n * spec.walk_m
            out.append(Waste("transport", "step", sid, metres, "metres", metres / speed, n))
    busy = (k == Ev.BUSY) & (log.staff >= 0)
    if scenario.stacks is not None:
        s_idx = log.station_ids.index(scenario.stacks.station)
        rows = busy & (st == s_idx)
        minutes = _clip(t[rows] - val[rows], t[rows], lo, hi)
        if minutes > 0:
            out.append(Waste("transport", "station", scenario.stacks.station, minutes, "staff_min", minutes,
                             int((rows & _in(t, lo, hi)).sum())))

    # defects: rework, and what readers do after a failed shelf search
    rework = (k == Ev.REWORK) & _in(t, lo, hi)
    reworked = set(zip(ent[k == Ev.REWORK].tolist(), step[k == Ev.REWORK].tolist(), strict=True))
    all_done = (((k == Ev.SERVICE_END) | (k == Ev.SELF_END)) & reader) | (k == Ev.ACQ_WORK)
    after_not_found = {spec.on_not_found for spec in scenario.steps.values() if spec.on_not_found}
    for s_idx in np.unique(step[rework]):
        sid = log.step_ids[int(s_idx)]
        n = int((rework & (step == s_idx)).sum())
        rows = np.nonzero(all_done & (step == s_idx))[0]
        clean = [val[r] for r in rows if (int(ent[r]), int(s_idx)) not in reworked]
        base = float(np.mean(clean)) if clean else float(np.mean(val[rows])) if len(rows) else 0.0
        minutes = n * base * scenario.steps[sid].rework_factor
        if minutes > 0:
            out.append(Waste("defects", "step", sid, minutes, "min", minutes, n))
    for sid, spec in scenario.steps.items():
        if sid not in log.step_ids or spec.value != "waste":
            continue
        s_idx = log.step_ids.index(sid)
        rows = done & (step == s_idx)
        minutes = float(val[rows].sum())
        if minutes <= 0:
            continue
        if sid in after_not_found:
            out.append(Waste("defects", "step", sid, minutes, "min", minutes, int(rows.sum())))
        elif spec.walk_m <= 0 and spec.kind == "service":
            out.append(Waste("overprocessing", "step", sid, minutes, "min", minutes, int(rows.sum())))

    # motion: set-up on switching stations
    out += _switching(scenario, log, lo, hi)
    # overproduction: work on items nobody asked for while a requested item waited at that step
    out += _ahead_of_requested(log, lo, hi)
    return [w for w in out if w.waste in WASTES]


def _switching(scenario: Scenario, log: EventLog, lo: float, hi: float) -> list[Waste]:
    """Set-up minutes from consecutive busy stretches of a member at different stations, counted at
    the station switched to (where the member finds the place again)."""
    setup = np.asarray([role.switch_setup_min for role in scenario.roles.values()] or [0.0])
    busy = np.nonzero((log.kind == Ev.BUSY) & (log.staff >= 0))[0]
    starts = log.t[busy] - log.value[busy]
    order = np.lexsort((starts, log.staff[busy]))
    rows, starts = busy[order], starts[order]
    member, station = log.staff[rows], log.station[rows]
    switch = np.r_[False, (member[1:] == member[:-1]) & (station[1:] != station[:-1])] & (starts >= lo) & (starts < hi)
    cost = setup[log.staff_role[member]] if len(member) else np.zeros(0)
    out = []
    for s_idx, sid in enumerate(log.station_ids):
        hit = switch & (station == s_idx) & (cost > 0)
        if hit.any():
            minutes = float(cost[hit].sum())
            out.append(Waste("motion", "station", sid, minutes, "staff_min", minutes, int(hit.sum())))
    return out


def _ahead_of_requested(log: EventLog, lo: float, hi: float) -> list[Waste]:
    k, t, val, ent, step = log.kind, log.t, log.value, log.entity, log.step
    req_rows = k == Ev.ACQ_REQUESTED
    requested = set(ent[req_rows].tolist())
    if not requested:
        return []
    waits = np.nonzero(k == Ev.ACQ_WAIT)[0]
    req_wait = np.asarray([r for r in waits if int(ent[r]) in requested], dtype=np.int64)
    out = []
    work = np.nonzero((k == Ev.ACQ_WORK) & _in(t, lo, hi))[0]
    for s_idx in np.unique(step[work]):
        w_rows = [r for r in work if step[r] == s_idx and int(ent[r]) not in requested]
        rq = req_wait[step[req_wait] == s_idx] if len(req_wait) else req_wait
        if not w_rows or not len(rq):
            continue
        r_start, r_end = t[rq] - val[rq], t[rq]
        minutes, n = 0.0, 0
        for r in w_rows:
            # the batch started at t[r]; a requested item still waiting then was passed over
            if np.any((r_start <= t[r]) & (t[r] < r_end)):
                minutes += float(val[r])
                n += 1
        if n:
            out.append(Waste("overproduction", "step", log.step_ids[int(s_idx)], minutes, "min", minutes, n))
    return out


def ground_truth(scenario: Scenario, log: EventLog, start: float | None = None, end: float | None = None) -> list[Waste]:
    """The wastes of the window, largest first (ties broken by kind and place, so the order is stable)."""
    return sorted(measure_wastes(scenario, log, start, end), key=lambda w: (-w.size, w.waste, w.where))


def _station_of(scenario: Scenario, where: str) -> str:
    step = scenario.steps.get(where)
    return step.station if step is not None else where


def matches(scenario: Scenario, observation: Observation, waste: Waste) -> bool:
    """Same kind of waste at the same place (a station matches the steps at it, and back)."""
    if observation.waste != waste.waste:
        return False
    if observation.where == waste.where:
        return True
    return _station_of(scenario, observation.where) == _station_of(scenario, waste.where)


def score_observations(scenario: Scenario, truth: list[Waste], observations: Iterable[Observation],
                       top_n: int = DEFAULT_TOP_N) -> WalkScore:
    """Which of the top-N wastes the observations found and missed, and the score (0-100)."""
    if top_n < 1:
        raise ValueError(f"top_n must be at least 1, not {top_n}")
    obs = list(observations)
    for o in obs:
        if o.waste not in WASTES:
            raise ValueError(f"'{o.waste}' is not a waste; use one of {', '.join(WASTES)}")
    top = truth[:top_n]
    result = WalkScore(top=top)
    for w in top:
        (result.found if any(matches(scenario, o, w) for o in obs) else result.missed).append(w)
    for o in obs:
        if any(matches(scenario, o, w) for w in top):
            continue
        (result.smaller if any(matches(scenario, o, w) for w in truth) else result.unseen).append(o)
    result.score = 100.0 * len(result.found) / len(top) if top else 0.0
    return result


def places(scenario: Scenario) -> list[str]:
    """Where an observation can point: every station, then every step."""
    return [*scenario.stations, *scenario.steps]


# --- labels and tables, in either language (the dashboard and the debrief report share them) -------


def place_label(scenario: Scenario, where: str, lang: str) -> str:
    """A station's or a step's name (a station first; a step is marked as one, since the two may share a name)."""
    if where in scenario.stations:
        return pick(scenario.stations[where].name, lang)
    if where in scenario.steps:
        return t("gemba.step_place", lang, name=pick(scenario.steps[where].name, lang))
    return where


def amount_label(amount: float, unit: str, lang: str) -> str:
    """An amount in its unit, rounded to a whole number, with the plural form the number takes."""
    n = round(amount)
    number = f"{n:,}".replace(",", "\u00a0")
    return t(f"wastewalk.unit.{unit}_{plural(n, lang)}", lang, n=number)


def observation_label(scenario: Scenario, observation: Observation, lang: str) -> str:
    """'Waste · where' of an observation."""
    return f"{t('waste.' + observation.waste, lang)} · {place_label(scenario, observation.where, lang)}"


def teams_table(scenario: Scenario, scores: dict[str, WalkScore], lang: str) -> list[dict[str, str]]:
    """The top wastes, one row each, with a column per team saying found or missed, and a last row of
    the teams' scores. Every score must be against the same top wastes (one round's ground truth)."""
    if not scores:
        return []
    top = next(iter(scores.values())).top
    rows: list[dict[str, str]] = []
    for rank, w in enumerate(top, start=1):
        row = {
            t("gemba.col_rank", lang): str(rank),
            t("gemba.col_waste", lang): t(f"waste.{w.waste}", lang),
            t("gemba.col_where", lang): place_label(scenario, w.where, lang),
            t("gemba.col_amount", lang): amount_label(w.amount, w.unit, lang),
        }
        for team, score in scores.items():
            row[team] = t("gemba.yes" if any(f.key == w.key for f in score.found) else "gemba.no", lang)
        rows.append(row)
    last = {t("gemba.col_rank", lang): "", t("gemba.col_waste", lang): t("gemba_round.score_row", lang),
            t("gemba.col_where", lang): "", t("gemba.col_amount", lang): ""}
    for team, score in scores.items():
        last[team] = f"{len(score.found)}/{len(score.top)} · {score.score:.0f}"
    rows.append(last)
    return rows
