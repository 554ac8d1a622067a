"""Round states and the trainer's (and the worker's) transitions between them, as one table.

    pending --open_round--> open --close_round--> closing --finish_round--> closed
                              ^                     |  retry_round (clears the error)        |
                              +-------------------- reopen_round --------------------------+
    reveal: closed -> closed, with the results shown to the teams

Each transition also names the rules it needs about the *other* rounds of the session; they are
checked on the statuses read inside the transition's own write transaction (see `rounds.py`), so two
trainers acting at the same moment cannot both pass them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..i18n import Phrase
from .records import TrainingError

STATES = ("pending", "open", "closing", "closed")
RUNNING = ("open", "closing")


def _previous_closed(statuses: Mapping[int, str], number: int) -> None:
    if number > 1 and statuses.get(number - 1) != "closed":
        raise TrainingError("training.err.previous_open", n=number - 1)


def _no_other_running(statuses: Mapping[int, str], number: int) -> None:
    others = [n for n, s in sorted(statuses.items()) if s in RUNNING and n != number]
    if others:
        raise TrainingError("training.err.other_open", n=others[0])


def _no_later_started(statuses: Mapping[int, str], number: int) -> None:
    later = [n for n, s in sorted(statuses.items()) if n > number and s != "pending"]
    if later:
        raise TrainingError("training.err.later_started", n=later[0])


Rule = Callable[[Mapping[int, str], int], None]


@dataclass(frozen=True)
class Transition:
    """From which states an action may start, the state it leads to, and its rules on other rounds."""

    allowed: tuple[str, ...]
    to: str
    rules: tuple[Rule, ...] = ()


TRANSITIONS: dict[str, Transition] = {
    "open_round": Transition(("pending",), "open", (_previous_closed, _no_other_running)),
    "close_round": Transition(("open",), "closing"),
    "retry_round": Transition(("closing",), "closing"),
    "finish_round": Transition(("closing",), "closed"),
    "reopen_round": Transition(("closed",), "open", (_no_later_started, _no_other_running)),
    "reveal": Transition(("closed",), "closed"),
}


def check(action: str, statuses: Mapping[int, str], number: int) -> Transition:
    """The transition of `action` on round `number`, if the round's state and the other rounds allow it."""
    step = TRANSITIONS[action]
    if number not in statuses:
        raise TrainingError("training.err.no_round", n=number)
    if statuses[number] not in step.allowed:
        raise TrainingError("training.err.round_state", n=number, status=Phrase(f"round.status_{statuses[number]}"),
                            action=Phrase(f"round_action.{action}"))
    for rule in step.rules:
        rule(statuses, number)
    return step
