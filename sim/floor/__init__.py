"""The library floor: a plan in metres and the frames of an animation, from one replication's event log.

`floor_plan(scenario, positions)` lays the stations out on a plan: the entrance at the bottom, the
front desks and kiosks in a row across the hall with their lines running towards the entrance, the
open shelves along the left wall, the back office and the closed stacks behind a wall at the top.
Any spot can be given explicitly: in the scenario file's `floor:` section (`floor.spots`, metres),
or as a plain dict of name -> (x, y) passed here (see `spot_names`); the rest is placed automatically.

Which distances win. The scenario file says it (`floor.distances`), and today the one rule is
`steps`: the model's walking is each step's `walk_m` (added to the step's time at the scenario's
walking speed) and the runs' `walk_m_per_run`; the plan does not change a run. The plan is a
picture: its distances are not fed back into the model, so where they disagree the scenario's
distances are what the figures (waiting, lead times, metres walked in the waste walk) are computed
from. `plan_distance` gives the
plan's straight-line distance between two spots, for a trainer who wants to check the two agree.

`build_frames(scenario, log, plan, start, end, step_min)` samples the log at frame times: who is
where (a reader queueing, being served, at the shelves, waiting for the stack run), which staff are
on duty and where they work, the books waiting to be reshelved (on the cart at the desk and on a
run), and the back-office piles. Everything is taken from the log's intervals with the same
conventions as `sim.metrics`: an interval [t - value, t) covers a frame time T when
t - value <= T < t. The module computes positions only; drawing is the dashboard's job.
"""

from .frames import FloorFrames, build_frames, frame_times
from .plan import (
    DESK_SPACING_M,
    EXTRA_SPOTS,
    HALL,
    LINE_COLUMN,
    MAX_COORD_M,
    MAX_FRAMES,
    PLACE_M,
    QUEUE,
    SELF,
    SERVICE,
    SLOT_M,
    STACK_WAIT,
    STATE_NAMES,
    FloorError,
    FloorPlan,
    floor_plan,
    plan_distance,
    spot_names,
)
from .windows import day_window, hour_window, peak_hours

__all__ = ['DESK_SPACING_M', 'EXTRA_SPOTS', 'HALL', 'LINE_COLUMN', 'MAX_COORD_M', 'MAX_FRAMES', 'PLACE_M', 'QUEUE', 'SELF', 'SERVICE', 'SLOT_M', 'STACK_WAIT', 'STATE_NAMES', 'FloorError', 'FloorFrames', 'FloorPlan', 'build_frames', 'day_window', 'floor_plan', 'frame_times', 'hour_window', 'peak_hours', 'plan_distance', 'spot_names']
