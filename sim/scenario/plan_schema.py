"""The scenario's models of the training around the library: lean tools (their cost, the figure they
should move, their effects), the round plan, how money is counted, the balanced score's weights,
overtime pay and the floor plan of the animated floor. `sim.scenario.schema` puts them in a `Scenario`.

Units as in `sim.scenario.schema`: roubles, staff hours, metres.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from .base import WASTES, Frozen, Named, PlainText, Text
from .problems import CodedValueError


class Cost(Frozen):
    """What a tool costs.

    Priced in roubles (`one_off_roubles` given): a one-off cost in roubles and staff hours to put the
    tool in place, charged against the round's `budget_roubles`, and a running cost in roubles a day
    while it is in force. Priced in points (older files, `points` only): budget points, charged once.
    A scenario uses one way for every tool and round (see `sim.scenario.checks._pricing`); in roubles,
    points are derived for display only (`Economics.roubles_per_point`).
    """

    points: int | None = Field(default=None, ge=0, le=1000, description="budget points, charged once (files priced in points)")
    one_off_roubles: float | None = Field(default=None, ge=0, le=1_000_000_000, description="roubles to put the tool in place")
    one_off_staff_hours: float = Field(default=0.0, ge=0, le=100_000, description="staff hours to put the tool in place")
    roubles_per_day: float = Field(default=0.0, ge=0, le=10_000_000, description="running cost")
    source: PlainText | None = Field(default=None, max_length=1000, description="where the numbers come from, or 'assumption'")


class Economics(Frozen):
    """How a scenario counts money: the value of a staff hour spent putting tools in place, the
    derived points, the year a payback is counted over, and the value of readers' time (if any).

    The yearly saving of a set of tools is what the model gives: the change of staff cost and of the
    tools' running cost over the run, scaled to `working_days_per_year`, plus, only when
    `reader_hour_roubles` is set, the readers' waiting time saved valued at that rate.
    """

    staff_hour_roubles: float | None = Field(default=None, ge=0, le=1_000_000,
                                             description="value of a staff hour; none = the mean wage of the roles")
    roubles_per_point: float = Field(default=10_000.0, gt=0, le=1_000_000_000, description="roubles shown as one point")
    working_days_per_year: int = Field(default=250, ge=1, le=366)
    reader_hour_roubles: float | None = Field(default=None, ge=0, le=1_000_000, description="value of an hour of readers' time")
    source: PlainText | None = Field(default=None, max_length=1000)


class Expect(Frozen):
    """The figure a tool should move, and which way (for one reader group, if `group` is set)."""

    kpi: str
    direction: Literal["lower", "higher"]
    group: str | None = None


class Effect(Frozen):
    """One declared change to the scenario (see sim.lean)."""

    op: Literal["set", "scale", "add", "remove", "variability", "level_staff"]
    path: str = Field(min_length=1, max_length=300)
    value: Any = None
    factor: float | None = Field(default=None, ge=0, le=1000)


class Tool(Named):
    """A lean tool: what it attacks, what it costs, what it should move and its effects."""

    description: Text
    waste: Literal[WASTES] | None = None  # type: ignore[valid-type]
    aim: Literal["accessibility"] | None = None
    cost: Cost
    expect: Expect
    effects: list[Effect] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _waste_or_aim(self) -> Tool:
        if (self.waste is None) == (self.aim is None):
            raise CodedValueError("problem.field.waste_or_aim", wastes=", ".join(WASTES))
        return self


def _whole_roubles(value: float) -> float:
    """A budget in whole roubles (a session saved before this rule has 100000.0: still whole)."""
    if not float(value).is_integer():
        raise CodedValueError("problem.round.whole_roubles", got=value)
    return value


class Round(Frozen):
    """One round of a training: what the teams read, the tools on offer, the budget for new tools."""

    title: Text
    brief: Text
    debrief: list[Text] = Field(default_factory=list)
    offer: list[str] = Field(default_factory=list)
    budget: int = Field(default=0, ge=0, le=10_000, description="budget points (files priced in points)")
    budget_roubles: Annotated[float, AfterValidator(_whole_roubles)] | None = Field(
        default=None, ge=0, le=1_000_000_000, description="whole roubles for new tools")
    gemba: bool = Field(default=False, description="a waste walk: teams watch the floor as it is and record wastes")
    events: list[str] = Field(default_factory=list, max_length=50,
                              description="disruption events switched on for this round's runs (as-is and teams')")


class Spot(Frozen):
    """A point of the floor plan in metres: `x` across the hall, `y` from the entrance inwards."""

    x: float = Field(ge=0, le=500)
    y: float = Field(ge=0, le=500)


class Floor(Frozen):
    """Where the entrance, the stations (desks, kiosks, shelves, stacks, back office) and the other spots
    of the animated floor stand, in metres. Spots not given are laid out automatically (`sim.floor`).

    `distances` says which wins where the plan and the walking distances disagree. `steps` (the one rule
    today): the model walks the scenario's own distances (each step's `walk_m`, the runs'
    `walk_m_per_run`); the plan is a picture of the floor and never changes a run.
    """

    distances: Literal["steps"] = "steps"
    spots: dict[str, Spot] = Field(default_factory=dict, max_length=500)


class ScoreWeights(Frozen):
    """Weights of the balanced score's four parts."""

    service: float = Field(default=1.0, ge=0, le=100)
    accessibility: float = Field(default=1.0, ge=0, le=100)
    efficiency: float = Field(default=1.0, ge=0, le=100)
    cost: float = Field(default=1.0, ge=0, le=100)

    @model_validator(mode="after")
    def _some_weight(self) -> ScoreWeights:
        if self.service + self.accessibility + self.efficiency + self.cost <= 0:
            raise CodedValueError("problem.field.some_weight")
        return self


class Overtime(Frozen):
    """Pay for hours worked after closing, per person and day: `first_rate` times the wage for the
    first `first_hours`, `later_rate` after (Labour Code of the Russian Federation, art. 152: at
    least 1.5 times for the first two hours, at least twice for the following ones)."""

    first_hours: float = Field(default=2.0, ge=0, le=24)
    first_rate: float = Field(default=1.5, ge=1, le=10)
    later_rate: float = Field(default=2.0, ge=1, le=10)
