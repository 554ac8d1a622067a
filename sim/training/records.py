"""What the training service hands out: refusals, plain records of sessions, rounds, teams and decisions,
and the stored form of a round's results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..experiment import Results, aggregate
from ..i18n import LocalizedError
from ..metrics import RepMetrics, StepStats
from ..scenario import Scenario

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I, O, 0, 1: easy to read off a projector
CODE_LENGTH = 6
REJOIN_LENGTH = 6  # about 10^9 codes; guesses are slowed down and locked out (sim.guard)
MAX_TEAM_NAME = 60
MAX_NOTE = 2000
MAX_TEAMS = 40
MAX_TITLE = 120
MAX_REPLICATIONS = 200
Runner = Callable[[Scenario, int, int], Results]
# scenarios, seed, replications, progress(done, total) -> results of each scenario, in order
BatchRunner = Callable[[list[Scenario], int, int, Callable[[int, int], None] | None], list[Results]]


class TrainingError(LocalizedError):
    """A request the rules refuse; nothing was stored."""


@dataclass(frozen=True)
class SessionInfo:
    """A session: its code, title, frozen scenario, root seed, replications and number of rounds."""

    id: int
    code: str
    title: str
    scenario: Scenario
    seed: int
    replications: int
    rounds: int
    created_at: float


@dataclass(frozen=True)
class RoundInfo:
    """A round's state (see `sim.training.states`), reveal flag, countdown and computation error."""

    number: int
    status: str  # pending | open | closing | closed
    revealed: bool
    deadline: float | None
    error: str | None
    enforced: bool = False  # the countdown closes the round (otherwise it only advises)


@dataclass(frozen=True)
class TeamInfo:
    """A team of a session.

    `token` is the long random secret of the device that just joined (kept in its page address);
    `rejoin_code` is set only when the team was just created or its code was just used to join.
    """

    id: int
    name: str
    token: str = ""
    rejoin_code: str | None = None


@dataclass(frozen=True)
class Decision:
    """A team's tools for a round (all in force, and those new this round) and its notes."""

    team: str
    round: int
    tools: list[str]
    new_tools: list[str]
    notes: dict[str, str]
    submitted_at: float
    dropped: list[str] = field(default_factory=list)  # tools in force before that the team took out (sim.pdca)
    hypothesis: dict[str, Any] | None = None  # the figure it expects to move (sim.pdca.Hypothesis as data)


def results_to_payload(r: Results) -> dict[str, Any]:
    """Everything needed to rebuild the Results exactly (per-replication figures)."""
    return {
        "scenario": r.scenario_id, "seed": r.seed,
        "replications": [
            {
                "kpis": rep.kpis, "groups": rep.groups, "hours": rep.hours, "hourly": rep.hourly,
                "wait_samples": {g: np.round(v, 4).tolist() for g, v in rep.wait_samples.items()},
                "steps": {s: [st.count, st.process_sum, st.wait_sum] for s, st in rep.steps.items()},
            }
            for rep in r.per_replication
        ],
    }


def payload_to_results(data: dict[str, Any]) -> Results:
    """The Results a stored payload describes."""
    reps = [
        RepMetrics(
            kpis=rep["kpis"], groups=rep["groups"], hours=rep["hours"], hourly=rep["hourly"],
            wait_samples={g: np.asarray(v, dtype=float) for g, v in rep["wait_samples"].items()},
            steps={s: StepStats(int(v[0]), float(v[1]), float(v[2])) for s, v in rep["steps"].items()},
        )
        for rep in data["replications"]
    ]
    return aggregate(data["scenario"], int(data["seed"]), reps)


def tools_key(tool_ids: list[str]) -> str:
    """The key under which the results of these tools (in catalogue order) are stored."""
    return ",".join(tool_ids)
