"""Lean tools: declared changes to a scenario, applied before the model runs, and the round plan's rules.

A tool is data in the scenario file (`tools:`): names and a description in both languages, the
waste it attacks (or `aim: accessibility`), its cost, the figure it is expected to move, and a list
of `effects`. Applying tools returns a new, validated scenario; the model knows nothing of tools.
The effects and how they are applied are described in `sim.scenario.effects` (a scenario file is
checked by trying each of its tools, so the mechanism lives with the scenario and is offered here).

Here: which tools a team may choose in a round, and what they cost.
"""

from __future__ import annotations

from collections.abc import Iterable

from .scenario import Scenario
from .scenario.effects import EffectError, apply_effect, apply_tools, ordered, tool_problems

__all__ = ["ChoiceError", "EffectError", "apply_effect", "apply_tools", "check_choice", "offered_tools", "ordered",
           "tool_points", "tool_problems", "tool_roubles"]


# --- rounds and budgets --------------------------------------------------------------------------


class ChoiceError(ValueError):
    """A team's choice of tools that the round plan does not allow.

    `kind` (`no_round`, `not_offered`, `budget`) and `params` let callers say it in any language.
    """

    def __init__(self, kind: str, message: str, **params: object) -> None:
        self.kind = kind
        self.params = params
        super().__init__(message)


def tool_points(scenario: Scenario, tool_ids: Iterable[str]) -> int:
    """Budget points of the chosen tools."""
    return sum(scenario.tools[t].cost.points for t in ordered(scenario, tool_ids))


def tool_roubles(scenario: Scenario, tool_ids: Iterable[str]) -> float:
    """Running cost of the tools over the whole run (roubles a day x days)."""
    cal = scenario.calendar
    days = cal.days if cal.mode == "daily" else (cal.hours or 0) / 24.0
    return sum(scenario.tools[t].cost.roubles_per_day for t in ordered(scenario, tool_ids)) * days


def offered_tools(scenario: Scenario, round_number: int, kept: Iterable[str] = ()) -> list[str]:
    """The tools a team may still choose in round `round_number` (1-based): every tool offered in this
    round or an earlier one (an offer stands once made), without the `kept` ones chosen before, in the
    order the round plan offers them."""
    held = set(kept)
    seen: set[str] = set()
    out: list[str] = []
    for plan in scenario.rounds[:round_number]:
        for tool_id in plan.offer:
            if tool_id not in held and tool_id not in seen:
                seen.add(tool_id)
                out.append(tool_id)
    return out


def check_choice(scenario: Scenario, round_number: int, kept: Iterable[str], new: Iterable[str]) -> list[str]:
    """Validate a choice for round `round_number` (1-based); return every tool in force, in order.

    `kept` are tools chosen in earlier rounds: they stay in place and are not charged again.
    `new` must be offered in this round or an earlier one, and cost at most the round's budget.
    """
    if not 1 <= round_number <= len(scenario.rounds):
        raise ChoiceError("no_round", f"round {round_number} does not exist (the plan has {len(scenario.rounds)} rounds)",
                          n=round_number)
    plan = scenario.rounds[round_number - 1]
    kept_ids = ordered(scenario, kept)
    new_ids = [t for t in ordered(scenario, new) if t not in kept_ids]
    offered = set(offered_tools(scenario, round_number))
    not_offered = [t for t in new_ids if t not in offered]
    if not_offered:
        raise ChoiceError("not_offered", f"round {round_number} does not offer {', '.join(not_offered)}",
                          n=round_number, tools=", ".join(not_offered))
    cost = tool_points(scenario, new_ids)
    if cost > plan.budget:
        raise ChoiceError("budget", f"round {round_number}: the new tools cost {cost} points but the budget is {plan.budget}",
                          n=round_number, cost=cost, budget=plan.budget)
    return ordered(scenario, kept_ids + new_ids)
