"""The SimPy model of a library: readers, desks, staff, reshelving, closed stacks and the back office.

`simulate(scenario, seed, replication)` runs one replication and returns its `EventLog`. The model
never reads files or the clock, and knows nothing of lean tools: a tool is a changed scenario.

The model is a package of parts behind a small shared context (`context.Context`: the SimPy
environment, the scenario, the random streams, the event log, open or closed, readers inside):

- `records`: typed runtime records (a job at a station, a staff member, a step, a reader group);
- `queues`: queue policies as station classes (one line for all desks, a line per desk, a kiosk bank);
- `staff`: work sharing (members pull the next job; front desks before the back office);
- `readers`: arrivals and each reader's visit along its route;
- `collection`: the reshelving cart and shelf searches, the closed stacks and their runs;
- `backoffice`: acquisitions through their steps in batches with WIP limits;
- `clock`: opening, closing and the hourly roster;
- `budget`: the memory budget of a replication (estimated before the run, watched during it);
- `root`: `LibraryModel`, which builds only the parts a scenario has, and `simulate`.
"""

from __future__ import annotations

from .budget import DEFAULT_LIMIT_MB, MemoryEstimate, RunawayScenario, check_memory, estimate_memory
from .context import DRAIN_MIN, MAX_READERS
from .records import VISITS_PER_STEP
from .root import LibraryModel, simulate

__all__ = [
    "DEFAULT_LIMIT_MB", "DRAIN_MIN", "MAX_READERS", "VISITS_PER_STEP", "LibraryModel", "MemoryEstimate",
    "RunawayScenario", "check_memory", "estimate_memory", "simulate",
]
