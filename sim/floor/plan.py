"""The floor plan: where the entrance, desks, kiosks, shelves, stacks and back office stand, in metres.

See `sim.floor` for how the plan and the model's walking distances relate."""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..i18n import LocalizedError, num
from ..scenario import Scenario
from ..scenario.checks import FLOOR_EXTRA_SPOTS

# reader states in a frame
QUEUE, SERVICE, SELF, STACK_WAIT, HALL = 0, 1, 2, 3, 4
STATE_NAMES = ("queue", "service", "self", "stack_wait", "hall")

# spots besides the stations that a plan may give explicitly
EXTRA_SPOTS = FLOOR_EXTRA_SPOTS  # ("entrance", "hall", "cart", "stack_bench", "stacks_far"); the scenario checks them
MAX_COORD_M = 500.0
MAX_FRAMES = 5000

DESK_SPACING_M = 10.0
PLACE_M = 0.8  # room one reader takes in a line
LINE_COLUMN = 9  # readers per column of a line before it turns (a serpentine line)
SLOT_M = 1.3  # room beside each other at a desk, for staff and the readers they serve


class FloorError(LocalizedError):
    """A floor plan or a window that cannot be drawn, with a message from the locales."""


@dataclass(frozen=True)
class _Point:
    """A position in a message, as the language writes it: `(600.0, 3.5)`, in Russian `(600,0; 3,5)` (the
    decimal comma makes the comma between the numbers a semicolon)."""

    x: float
    y: float

    def say(self, lang: str) -> str:
        def one(v: float) -> str:
            # a large or non-finite one in short form: no hundreds of digits, no thousands separator that
            # would read as the comma between x and y
            text = num(v, lang, 1) if math.isfinite(v) and abs(v) < 1000 else f"{v:.4g}"
            return text.replace(".", ",") if lang == "ru" else text

        return f"({one(self.x)}; {one(self.y)})" if lang == "ru" else f"({one(self.x)}, {one(self.y)})"


@dataclass(frozen=True)
class FloorPlan:
    """Where everything is, in metres: x across the hall, y from the entrance (0) inwards.

    `spots` holds each station's id and the names in `EXTRA_SPOTS`; `line_dir` is the direction a
    station's line runs from its head; `kinds` tells how a station is drawn (desk, kiosk, open,
    back, stacks); `given` lists the spots that came from explicit positions.
    """

    width_m: float
    depth_m: float
    wall_y_m: float
    spots: dict[str, tuple[float, float]]
    kinds: dict[str, str]
    line_dir: dict[str, tuple[float, float]]
    pile_spots: dict[str, tuple[float, float]] = field(default_factory=dict)
    given: tuple[str, ...] = ()


def spot_names(scenario: Scenario) -> list[str]:
    """Names a plan accepts explicit positions for: the stations and the extra spots."""
    return [*scenario.stations, *EXTRA_SPOTS]


def _station_kind(scenario: Scenario, sid: str) -> str:
    st = scenario.stations[sid]
    if scenario.stacks is not None and scenario.stacks.station == sid:
        return "stacks"
    if st.kind == "open":
        return "open"
    if st.kind == "kiosk":
        return "kiosk"
    return "desk" if st.tier == "front" else "back"


def _check_positions(scenario: Scenario, positions: Mapping[str, Any]) -> dict[str, tuple[float, float]]:
    known = spot_names(scenario)
    out: dict[str, tuple[float, float]] = {}
    for name, value in positions.items():
        if name not in known:
            raise FloorError("floor.err.unknown_spot", name=name, known=", ".join(known))
        if isinstance(value, Mapping):
            value = (value.get("x"), value.get("y"))
        try:
            x, y = (float(v) for v in value)
        except (TypeError, ValueError):
            raise FloorError("floor.err.bad_position", name=name, value=repr(value)) from None
        if not (math.isfinite(x) and math.isfinite(y) and 0 <= x <= MAX_COORD_M and 0 <= y <= MAX_COORD_M):
            raise FloorError("floor.err.out_of_range", name=name, value=_Point(x, y), max=int(MAX_COORD_M))
        out[str(name)] = (x, y)
    return out


def floor_plan(scenario: Scenario, positions: Mapping[str, Any] | None = None) -> FloorPlan:
    """The scenario's floor plan: the spots its `floor:` section gives, then explicit `positions`
    (name -> (x, y) or {x, y}, metres; they win over the file's), and an automatic readable layout
    for the rest. Unknown names or bad numbers raise FloorError."""
    placed: dict[str, Any] = {}
    if scenario.floor is not None:
        placed = {name: (spot.x, spot.y) for name, spot in scenario.floor.spots.items()}
    given = _check_positions(scenario, {**placed, **(positions or {})})
    kinds = {sid: _station_kind(scenario, sid) for sid in scenario.stations}
    front = [sid for sid, k in kinds.items() if k in ("desk", "kiosk")]
    opens = [sid for sid, k in kinds.items() if k == "open"]
    backs = [sid for sid, k in kinds.items() if k == "back"]
    stacks = [sid for sid, k in kinds.items() if k == "stacks"]

    width = max(34.0, 14.0 + DESK_SPACING_M * len(front) + 10.0, 10.0 + 11.0 * (len(backs) + len(stacks)))
    hall_depth, wall = 14.0, 15.0
    depth = 23.0
    spots: dict[str, tuple[float, float]] = {}
    for i, sid in enumerate(front):
        spots[sid] = (12.0 + DESK_SPACING_M * i, 11.0)
    for i, sid in enumerate(opens):
        spots[sid] = (3.5, hall_depth - 3.0 - i * (10.0 / max(1, len(opens))))
    for i, sid in enumerate(backs):
        spots[sid] = (6.0 + 11.0 * i, 19.0)
    for sid in stacks:
        spots[sid] = (width - 5.0, 17.0)
    spots["entrance"] = (width / 2.0, 0.0)
    spots["hall"] = (width / 2.0, 2.0)
    desk_x = [spots[s][0] for s in front] or [width / 2.0]
    spots["cart"] = (max(desk_x) + 4.0, 12.5)
    spots["stack_bench"] = (width - 4.0, 5.0)
    spots["stacks_far"] = (width - 5.0, depth - 1.0)
    spots.update(given)
    line_dir = {sid: (0.0, -1.0) for sid in front}
    pile_spots: dict[str, tuple[float, float]] = {}
    if scenario.acquisitions is not None:
        per_station: dict[str, int] = {}
        for a in scenario.acquisitions.route:
            sid = scenario.steps[a.step].station
            j = per_station.get(sid, 0)
            per_station[sid] = j + 1
            x, y = spots[sid]
            pile_spots[a.step] = (x - 2.5 + 2.5 * j, y + 2.5)
    depth = max(depth, *(y + 2.0 for _, y in spots.values()))
    width = max(width, *(x + 2.0 for x, _ in spots.values()))
    return FloorPlan(width, depth, wall, spots, kinds, line_dir, pile_spots, tuple(given))


def plan_distance(plan: FloorPlan, a: str, b: str) -> float:
    """Straight-line distance in metres between two spots of the plan (for checking `walk_m`)."""
    (xa, ya), (xb, yb) = plan.spots[a], plan.spots[b]
    return math.hypot(xa - xb, ya - yb)

