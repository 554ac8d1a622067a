"""Lean tools: declared changes to a scenario, applied before the model runs, and the round plan's rules.

A tool is data in the scenario file (`tools:`): names and a description in both languages, the
waste it attacks (or `aim: accessibility`), its cost, the figure it is expected to move, and a list
of `effects`. Applying tools returns a new, validated scenario; the model knows nothing of tools.
The effects and how they are applied are described in `sim.scenario.effects` (a scenario file is
checked by trying each of its tools, so the mechanism lives with the scenario and is offered here).

Here: which tools a team may choose in a round, and what they cost.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from .scenario import Scenario
from .scenario.checks import priced_in_roubles
from .scenario.effects import EffectError, apply_effect, apply_tools, ordered, tool_problems

__all__ = ["ChoiceError", "EffectError", "apply_effect", "apply_tools", "budget_points", "check_choice", "money",
           "offered_tools", "one_off_roubles", "ordered", "priced_in_roubles", "round_budget", "staff_hour_value", "tool_points",
           "tool_price", "tool_problems", "tool_roubles"]


# --- prices ----------------------------------------------------------------------------------------
#
# A scenario prices its tools either in roubles (one-off cost in roubles and staff hours, a round's
# budget in roubles; points derived for display) or, as files written before roubles did, in budget
# points. `sim.scenario.checks._pricing` makes sure a file uses one way throughout; `tool_price` and
# `round_budget` give the figures in the scenario's own budget unit, so the rules below need not care.


def money(value: float) -> str:
    """Whole roubles grouped by thousands with a no-break space (150 000): read the same in both languages."""
    return f"{round(value):,}".replace(",", "\u00a0")


def staff_hour_value(scenario: Scenario) -> float:
    """Roubles an hour of staff time costs: `economics.staff_hour_roubles`, else the roles' mean wage."""
    if scenario.economics.staff_hour_roubles is not None:
        return scenario.economics.staff_hour_roubles
    wages = [role.wage_per_hour for role in scenario.roles.values()]
    return sum(wages) / len(wages) if wages else 0.0


def one_off_roubles(scenario: Scenario, tool_ids: Iterable[str]) -> float:
    """One-off cost of putting the tools in place: roubles plus staff hours at `staff_hour_value`, each
    tool's cost in whole roubles (so a set's price is the sum of the prices its tools' cards show)."""
    hour = staff_hour_value(scenario)
    return float(sum(round((scenario.tools[t].cost.one_off_roubles or 0.0) + scenario.tools[t].cost.one_off_staff_hours * hour)
                     for t in ordered(scenario, tool_ids)))


def tool_price(scenario: Scenario, tool_ids: Iterable[str]) -> float:
    """What the tools cost against a round's budget, in the scenario's budget unit (roubles or points)."""
    if priced_in_roubles(scenario):
        return float(round(one_off_roubles(scenario, tool_ids)))
    return float(sum(scenario.tools[t].cost.points or 0 for t in ordered(scenario, tool_ids)))


def round_budget(scenario: Scenario, round_number: int) -> float:
    """A round's budget for new tools (1-based), in the scenario's budget unit."""
    plan = scenario.rounds[round_number - 1]
    if priced_in_roubles(scenario):
        return float(plan.budget_roubles or 0.0)
    return float(plan.budget)


def _nearest_points(roubles: float, per: float) -> int:
    return math.floor(roubles / per + 0.5 + 1e-9)


def tool_points(scenario: Scenario, tool_ids: Iterable[str]) -> int:
    """Budget points of the chosen tools; in a scenario priced in roubles, derived for display: their
    one-off cost together in `economics.roubles_per_point`, to the nearest point and at least one for a
    cost (rounded like the budget, so a set within the budget in roubles is within it in points too)."""
    if priced_in_roubles(scenario):
        roubles = one_off_roubles(scenario, tool_ids)
        return max(1, _nearest_points(roubles, scenario.economics.roubles_per_point)) if roubles > 0 else 0
    return sum(scenario.tools[t].cost.points or 0 for t in ordered(scenario, tool_ids))


def budget_points(scenario: Scenario, round_number: int) -> int:
    """A round's budget in points (derived, to the nearest point, in a scenario priced in roubles)."""
    if priced_in_roubles(scenario):
        return _nearest_points(round_budget(scenario, round_number), scenario.economics.roubles_per_point)
    return scenario.rounds[round_number - 1].budget


# --- rounds and budgets --------------------------------------------------------------------------


class ChoiceError(ValueError):
    """A team's choice of tools that the round plan does not allow.

    `kind` (`no_round`, `not_offered`, `budget`) and `params` let callers say it in any language.
    """

    def __init__(self, kind: str, message: str, **params: object) -> None:
        self.kind = kind
        self.params = params
        super().__init__(message)


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


def check_choice(scenario: Scenario, round_number: int, kept: Iterable[str], new: Iterable[str],
                 dropped: Iterable[str] = ()) -> list[str]:
    """Validate a choice for round `round_number` (1-based); return every tool in force, in order.

    `kept` are tools chosen in earlier rounds: they stay in place and are not charged again, except
    those in `dropped`, which the team takes out (Plan-Do-Check-Act: the money spent is not returned,
    the running cost stops). `new` must be offered in this round or an earlier one, and cost at most
    the round's budget (a dropped tool taken again is a new purchase).
    """
    if not 1 <= round_number <= len(scenario.rounds):
        raise ChoiceError("no_round", f"round {round_number} does not exist (the plan has {len(scenario.rounds)} rounds)",
                          n=round_number)
    kept_ids = ordered(scenario, kept)
    dropped_ids = ordered(scenario, dropped)
    not_kept = [t for t in dropped_ids if t not in kept_ids]
    if not_kept:
        raise ChoiceError("not_kept", f"round {round_number}: {', '.join(not_kept)} is not in force, so it cannot be dropped",
                          n=round_number, tools=", ".join(not_kept))
    kept_ids = [t for t in kept_ids if t not in dropped_ids]
    new_ids = [t for t in ordered(scenario, new) if t not in kept_ids]
    offered = set(offered_tools(scenario, round_number))
    not_offered = [t for t in new_ids if t not in offered]
    if not_offered:
        raise ChoiceError("not_offered", f"round {round_number} does not offer {', '.join(not_offered)}",
                          n=round_number, tools=", ".join(not_offered))
    cost = tool_price(scenario, new_ids)
    budget = round_budget(scenario, round_number)
    if cost > budget + 1e-6:
        if priced_in_roubles(scenario):
            raise ChoiceError("budget_roubles", f"round {round_number}: the new tools cost {money(cost)} RUB but the "
                              f"budget is {money(budget)} RUB", n=round_number, cost=money(cost), budget=money(budget))
        raise ChoiceError("budget", f"round {round_number}: the new tools cost {cost:g} points but the budget is {budget:g}",
                          n=round_number, cost=int(cost), budget=int(budget))
    return ordered(scenario, kept_ids + new_ids)
