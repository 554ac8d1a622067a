"""The event log: the typed, column-wise record of one replication; the contract between model and metrics.

Each row: `t` (minutes from the start of day 0), `kind` (an `Ev` code), `entity` (reader, book or
acquisitions item number; -1 for none), `group`, `step`, `station` and `staff` (indices into the
name tables; -1 for none), and `value`, whose meaning the kind gives (below). Rows that close an
interval carry its length in `value`, so the interval is [t - value, t).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import IO

import numpy as np


class Ev(IntEnum):
    ARRIVE = 1  # a reader enters; group, value = purpose index
    SERVICE_START = 2  # service of a step starts; value = minutes waited in this queue
    SERVICE_END = 3  # service of a step ends; value = minutes of service (rework included)
    RENEGE = 4  # a reader gives up waiting; value = minutes waited
    BALK = 5  # a reader sees a long line and leaves at once; value = 0
    REWORK = 6  # an error at a step is redone; value = attempt (1 = first rework)
    NOT_FOUND = 7  # a shelf search fails; value = probability it had
    SELF_END = 8  # a step without a queue (open shelves) ends; value = minutes
    DEPART = 9  # a reader leaves having finished the visit; value = minutes in the library
    STACK_WAIT = 10  # an ordered item reaches the reader; value = minutes waited for the stack run
    STACK_LEAD = 11  # a closed-stack order is in the reader's hands; value = minutes since ordering
    BOOK_SHELVED = 12  # a returned book is back on the shelf; value = minutes since it was returned
    BOOKS_RETURNED = 13  # books put on the reshelving cart; value = count
    ACQ_WAIT = 14  # an acquisitions item starts a step; value = minutes it waited before it
    ACQ_WORK = 15  # an acquisitions item's share of a batch; value = minutes of work
    ACQ_SHELVED = 16  # an acquisitions item is on the shelf; value = minutes since receipt
    ACQ_OPEN = 17  # at the end of the run an item is still in process; value = minutes since receipt
    BUSY = 18  # a staff member finishes a stretch of work at a station; value = minutes busy
    DUTY = 19  # a staff member goes off duty; value = minutes on duty
    LEFT_INSIDE = 20  # the run ends with the reader still inside; value = minutes inside
    QUEUE_AT_CLOSE = 21  # readers inside at a closing time; value = count
    ACQ_STARTED = 22  # work on an acquisitions item starts (its first step); value = minutes since receipt
    ACQ_REQUESTED = 23  # a new item was asked for by a reader (logged at receipt)
    ACQ_STEP_DONE = 24  # an item's batch finishes a step; value = minutes from the batch's start
    WAIT_AT_END = 25  # the run ends with the reader in a queue; value = minutes waited in it so far
    WALK = 26  # a staff member finishes work that walked (a run, a trip to the hall); value = metres
    PART = 27  # a part of a step with parts, right after the step's end (SERVICE_END, SELF_END, ACQ_WORK),
    # one row per part in the step's order; value = minutes of the part (reworks included)
    ACQ_SEED = 28  # an item of the initial WIP that seeds a back-office warm-up; value = its assumed age


@dataclass
class EventLog:
    t: np.ndarray
    kind: np.ndarray
    entity: np.ndarray
    group: np.ndarray
    step: np.ndarray
    station: np.ndarray
    staff: np.ndarray
    value: np.ndarray
    group_ids: list[str]
    purpose_ids: list[str]
    step_ids: list[str]
    station_ids: list[str]
    role_ids: list[str]
    staff_role: np.ndarray  # role index of each staff member
    warmup_min: float
    end_min: float  # when the run stopped
    horizon_min: float  # when arrivals stopped for good
    open_intervals: list[tuple[float, float]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.t)

    def write_csv(self, out: IO[str] | str | Path) -> None:
        """Write the log as CSV with names instead of indices (for spreadsheets)."""
        if isinstance(out, (str, Path)):
            with open(out, "w", newline="", encoding="utf-8") as handle:
                self.write_csv(handle)
            return
        names = {
            "group": self.group_ids,
            "step": self.step_ids,
            "station": self.station_ids,
        }
        writer = csv.writer(out)
        writer.writerow(["t_min", "event", "entity", "group", "step", "station", "staff_role", "staff", "value"])
        for i in range(len(self.t)):
            row: list[object] = [f"{self.t[i]:.4f}", Ev(int(self.kind[i])).name.lower(), int(self.entity[i])]
            for col, table in names.items():
                idx = int(getattr(self, col)[i])
                row.append(table[idx] if idx >= 0 else "")
            member = int(self.staff[i])
            row.append(self.role_ids[int(self.staff_role[member])] if member >= 0 else "")
            row.append(member if member >= 0 else "")
            row.append(f"{self.value[i]:.4f}")
            writer.writerow(row)


class LogBuilder:
    """Collects rows as one flat list (cheap on the model's hot path) and splits it into columns.

    A list of Python floats costs about 115 bytes a row; `compact()`, which the model calls now and
    then, moves the rows collected so far into typed column chunks (35 bytes a row), so a long run's
    log stays small. `columns()` joins the chunks one column at a time.
    """

    __slots__ = ("_chunks", "_compacted", "rows")
    WIDTH = 8  # t, kind, entity, group, step, station, staff, value
    COLUMNS = (("t", np.float64), ("kind", np.int8), ("entity", np.int64), ("group", np.int16),
               ("step", np.int16), ("station", np.int16), ("staff", np.int32), ("value", np.float64))
    BYTES_PER_ROW = sum(np.dtype(dtype).itemsize for _, dtype in COLUMNS)  # once compacted

    def __init__(self) -> None:
        self.rows: list[float] = []  # extended in place: the model holds its bound `extend`
        self._chunks: dict[str, list[np.ndarray]] = {name: [] for name, _ in self.COLUMNS}
        self._compacted = 0

    def __len__(self) -> int:
        return self._compacted + len(self.rows) // self.WIDTH

    def compact(self) -> None:
        """Move the rows collected so far into the column chunks."""
        if not self.rows:
            return
        table = np.asarray(self.rows, dtype=np.float64).reshape(-1, self.WIDTH)
        self.rows.clear()
        for i, (name, dtype) in enumerate(self.COLUMNS):
            self._chunks[name].append(table[:, i].astype(dtype))
        self._compacted += len(table)

    def columns(self) -> dict[str, np.ndarray]:
        """The whole log as typed columns (the builder is empty afterwards)."""
        self.compact()
        out: dict[str, np.ndarray] = {}
        for name, dtype in self.COLUMNS:
            chunks = self._chunks[name]
            out[name] = np.concatenate(chunks) if chunks else np.zeros(0, dtype=dtype)
            chunks.clear()  # frees this column's chunks before the next column is joined
        self._compacted = 0
        return out
