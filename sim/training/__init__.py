"""Training sessions: teams play rounds of one library; the trainer opens, closes and reveals them.

A session holds a frozen copy of its scenario, one root seed (every round and every team sees the
same readers: common random numbers) and the scenario's round plan. A team's decision for a round
is the tools it adds (within the round's budget) on top of those it chose before, and a few lines
of notes (the wastes it saw, why each tool). Closing a round marks it `closing`; a `Worker`
computes the results of every distinct decision once (teams that chose the same tools share the
computation), stores them and marks the round `closed`. After a crash, a round left `closing` is
finished when the worker starts again. Teams see results only once the trainer reveals them.

Refusals raise `TrainingError`, whose `key` and `params` give the message in either language
(`error.text(lang)`); `str(error)` is the English text.

The package's parts: `records` (what it hands out), `states` (round states and transitions, one
table), `queries` (the queries every part needs), `base` (the store and the parsed-scenario cache),
`rounds`, `teams`, `decisions`, `compute` (results), `archive`, `service` (`Training`) and `worker`.
"""

from .records import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_NOTE,
    MAX_TEAM_NAME,
    MAX_TEAMS,
    BatchRunner,
    Decision,
    RoundInfo,
    Runner,
    SessionInfo,
    TeamInfo,
    TrainingError,
    payload_to_results,
    results_to_payload,
    tools_key,
)
from .service import Training
from .worker import Worker

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_NOTE",
    "MAX_TEAMS",
    "MAX_TEAM_NAME",
    "BatchRunner",
    "Decision",
    "RoundInfo",
    "Runner",
    "SessionInfo",
    "TeamInfo",
    "Training",
    "TrainingError",
    "Worker",
    "payload_to_results",
    "results_to_payload",
    "tools_key",
]
