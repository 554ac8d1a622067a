"""The composition root: builds the parts a scenario has, runs them, returns the event log."""

from __future__ import annotations

import numpy as np

from ..eventlog import EventLog
from ..scenario import Scenario
from .backoffice import BackOffice
from .budget import DEFAULT_LIMIT_MB, Budget, check_memory
from .clock import Clock
from .collection import ClosedStacks, Reshelving
from .context import Context
from .queues import Station, make_station
from .readers import Readers, build_steps
from .staff import Staff


class LibraryModel:
    """One replication of a scenario. Use `simulate()`.

    Parts that every library has: stations (each with its queue policy), staff, readers, the clock.
    Optional sections of the scenario (reshelving, closed stacks, acquisitions) are parts that exist
    or not; they register with the clock and attach themselves to the steps that use them.
    """

    def __init__(self, scenario: Scenario, seed: int, replication: int = 0,
                 memory_limit_mb: int = DEFAULT_LIMIT_MB) -> None:
        self.ctx = ctx = Context(scenario, seed, replication, Budget(scenario, memory_limit_mb))
        gidx = {g: i for i, g in enumerate(scenario.groups)}
        self.stations: dict[str, Station] = {
            sid: make_station(ctx, i, sid, st.kind, st.tier == "front", st.queue == "per_desk", st.capacity,
                              {gidx[g] for g in st.priority_groups})
            for i, (sid, st) in enumerate(scenario.stations.items())
        }
        self.staff = Staff(ctx, self.stations)
        steps = build_steps(ctx, self.stations)
        self.readers = Readers(ctx, steps, self.staff, list(self.stations.values()))
        self.clock = Clock(ctx, self.staff, list(self.stations.values()))
        # hooks in the order the model has always run them at opening and closing
        self.stacks: ClosedStacks | None = None
        self.reshelving: Reshelving | None = None
        self.back_office: BackOffice | None = None
        if scenario.stacks is not None:
            self.stacks = ClosedStacks(ctx, scenario.stacks, self.stations[scenario.stacks.station])
            self.stacks.attach(steps)
            self.clock.open_hooks.append(self.stacks.on_open)
            self.clock.close_hooks.append(self.stacks.on_close)
        if scenario.acquisitions is not None:
            self.back_office = BackOffice(ctx, scenario.acquisitions, steps)
            self.clock.open_hooks.append(self.back_office.on_open)
        if scenario.reshelving is not None:
            self.reshelving = Reshelving(ctx, scenario.reshelving, self.stations[scenario.reshelving.station])
            self.reshelving.attach(steps)
            self.clock.open_hooks.append(self.reshelving.on_open)

    def run(self) -> EventLog:
        """Run to the end of the horizon (and the drain after it) and return the event log."""
        ctx = self.ctx
        env = ctx.env
        check_memory(ctx.scenario, ctx.budget.limit_mb)  # refuse before drawing anything
        times = self.readers.arrival_times(ctx.horizon_min)
        ctx.budget.readers_drawn(ctx.scenario, len(times))
        self.readers.pregenerate(len(times))
        if self.stacks is not None:  # before the clock, which wakes it at the first opening
            self.stacks.start()
        env.process(self.clock.calendar())
        env.process(self.readers.arrivals(times))
        if self.reshelving is not None and self.reshelving.spec.interval_min is not None:
            env.process(self.reshelving.timer())
        if self.back_office is not None:
            self.back_office.start()
        env.run(until=ctx.end_min)
        self.readers.finish()
        self.staff.finish()
        if self.back_office is not None:
            self.back_office.finish()
        s = ctx.scenario
        return EventLog(
            **ctx.log.columns(),
            group_ids=list(s.groups),
            purpose_ids=list(s.purposes),
            step_ids=list(s.steps),
            station_ids=list(s.stations),
            role_ids=list(s.roles),
            staff_role=np.asarray([m.role for m in self.staff.members], dtype=np.int32),
            warmup_min=s.warmup_hours * 60.0,
            end_min=ctx.end_min,
            horizon_min=ctx.horizon_min,
            open_intervals=[(a, b) for a, b in self.clock.open_intervals if b > 0],  # the warm-up's days not shown
        )


def simulate(scenario: Scenario, seed: int, replication: int = 0, *,
             memory_limit_mb: int = DEFAULT_LIMIT_MB) -> EventLog:
    """Run one replication of `scenario` and return its event log.

    Raises `RunawayScenario` if the run would need more than `memory_limit_mb` (estimated before it
    starts, watched while it runs), passes the scenario's `max_events`, or draws too many readers.
    """
    return LibraryModel(scenario, seed, replication, memory_limit_mb).run()
