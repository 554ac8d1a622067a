"""Value-stream map data: the steps of a visit purpose, or of the acquisitions flow, with their
process and waiting times, value classes, lead time and process cycle efficiency.

Built from the per-step sums of the event logs of all replications (`Results.steps`): a step's
process time is the mean of its own work (rework included); its waiting time is the mean wait that
went with it (the queue before it, the wait for a stack run, or for a new item the time in the
buffer and in the batch while the other items were worked on). A step split into parts shows each
part's mean minutes (per time the step ran) and value class; its value-added time is its
value-added parts'.
"""

from __future__ import annotations

from dataclasses import dataclass

from .experiment import Results
from .metric_parts import StepStats, part_key
from .scenario import Scenario, StepPart


@dataclass(frozen=True)
class VsmPart:
    """A part of a step's work with its own value class (and the waste it is, if it is one)."""

    part_id: str
    name: dict[str, str]
    value: str  # value_added | necessary | waste
    waste: str | None
    process_min: float


@dataclass(frozen=True)
class VsmStep:
    """A step on the map: its mean process and waiting time, value class, and parts if it has them."""

    step_id: str
    name: dict[str, str]  # {"ru": ..., "en": ...}
    station: str
    value: str  # value_added | necessary | waste
    process_min: float
    wait_min: float
    count: int  # how many times the step ran over all replications
    parts: tuple[VsmPart, ...] = ()

    @property
    def value_added_min(self) -> float:
        """Value-added minutes: the value-added parts, or the whole process time of a value-added step."""
        if self.parts:
            return sum(p.process_min for p in self.parts if p.value == "value_added")
        return self.process_min if self.value == "value_added" else 0.0


@dataclass(frozen=True)
class ValueStream:
    """The steps of one value stream, with its lead time and process cycle efficiency."""

    title: dict[str, str]
    steps: list[VsmStep]
    kind: str  # "visit" (minutes) or "acquisitions" (minutes; shown in hours or days)

    @property
    def lead_time_min(self) -> float:
        return sum(s.process_min + s.wait_min for s in self.steps)

    @property
    def value_added_min(self) -> float:
        return sum(s.value_added_min for s in self.steps)

    @property
    def pce(self) -> float | None:
        lead = self.lead_time_min
        return self.value_added_min / lead if lead > 0 else None


def _steps(scenario: Scenario, results: Results, step_ids: list[str]) -> list[VsmStep]:
    out = []
    for sid in step_ids:
        spec = scenario.steps[sid]
        stats = results.steps.get(sid) or StepStats()
        count = stats.count
        out.append(
            VsmStep(
                step_id=sid,
                name=spec.name.model_dump(),
                station=spec.station,
                # the shelf search is necessary, as in PCE (see sim.metrics)
                value="necessary" if spec.kind == "shelf_search" else spec.value,
                process_min=stats.process_sum / count if count else 0.0,
                wait_min=stats.wait_sum / count if count else 0.0,
                count=count,
                parts=tuple(_part(results, sid, p, count) for p in spec.parts or ()),
            )
        )
    return out


def _part(results: Results, sid: str, part: StepPart, count: int) -> VsmPart:
    stats = results.steps.get(part_key(sid, part.id)) or StepStats()
    return VsmPart(part.id, part.name.model_dump(), part.value, part.waste,
                   stats.process_sum / count if count else 0.0)


def purpose_stream(scenario: Scenario, results: Results, purpose_id: str) -> ValueStream:
    """The value stream of a visit purpose: its route as designed (self-service steps not shown)."""
    purpose = scenario.purposes[purpose_id]
    return ValueStream(purpose.name.model_dump(), _steps(scenario, results, purpose.route), "visit")


def acquisitions_stream(scenario: Scenario, results: Results) -> ValueStream | None:
    """The value stream of a new item from receipt to the shelf, or None without acquisitions."""
    if scenario.acquisitions is None:
        return None
    title = {"ru": "Путь новой книги: от поступления до полки", "en": "A new item's way: from receipt to the shelf"}
    return ValueStream(title, _steps(scenario, results, [a.step for a in scenario.acquisitions.route]), "acquisitions")
