"""Lean tools: declared changes to a scenario, applied before the model runs.

A tool is data in the scenario file (`tools:`): names and a description in both languages, the
waste it attacks (or `aim: accessibility`), its cost, the figure it is expected to move, and a list
of `effects`. Applying tools returns a new, validated scenario; the model knows nothing of tools.

Effects, each on a `path` into the scenario:
- `set` (`value`): replace what is there;
- `scale` (`factor`): multiply a number, every number of a list, or a distribution's time (mean and
  spread together); whole numbers stay whole (and at least 1 if they were);
- `add` (`value`): a new entry of a mapping (the path's last part is its id), a number added to a
  number, or an item appended to a list;
- `remove`: an entry of a mapping, or (`value`) every equal item of a list, or the list items a
  selector picks;
- `variability` (`factor`): the spread of a distribution times `factor`, its mean kept;
- `level_staff`: a role's people per hour re-spread to follow the arrivals, total staff-hours kept.

A path is dotted ids (`steps.checkout.time`); a part in brackets picks many: `steps[*]` every step,
`steps[station=desk]` every step whose station is the desk, `acquisitions.route[step=to_hall]` the
route items of that step. A path that picks nothing is an error of the scenario file.

Order: chosen tools are applied in the order of the scenario's catalogue, whatever order they were
picked in, and each tool's effects in the order listed. So two `scale` effects on one field
multiply, and where two tools `set` one field the one listed later in the catalogue wins.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from .distributions import Distribution, with_spread
from .scenario import Path_, Problem, Scenario, ScenarioError, format_path, parse_scenario

_DIST = TypeAdapter(Distribution)
_PART = re.compile(r"^([A-Za-z0-9_-]+)(?:\[(\*|[A-Za-z_]+=[A-Za-z0-9_.-]+)\])?$")


class EffectError(ValueError):
    """An effect that cannot be applied; the message says why in plain words."""


@dataclass
class _Target:
    container: Any  # the dict or list that holds the value
    key: Any  # its key or index
    path: Path_

    @property
    def value(self) -> Any:
        return self.container[self.key]


def _split(path: str) -> list[tuple[str, str | None]]:
    parts = []
    for raw in path.split("."):
        match = _PART.match(raw)
        if not match:
            raise EffectError(f"'{raw}' is not a valid part of a path (ids, or id[*], id[field=value])")
        parts.append((match[1], match[2]))
    return parts


def _matches(item: Any, selector: str) -> bool:
    if selector == "*":
        return True
    field, wanted = selector.split("=", 1)
    return isinstance(item, dict) and str(item.get(field)) == wanted


def _resolve(data: dict[str, Any], path: str, *, allow_new_last: bool = False) -> list[_Target]:
    """Every place the path picks in plain scenario data."""
    parts = _split(path)
    current: list[_Target] = [_Target({"": data}, "", ())]
    for depth, (name, selector) in enumerate(parts):
        last = depth == len(parts) - 1
        following: list[_Target] = []
        for target in current:
            node = target.value
            if not isinstance(node, dict):
                raise EffectError(f"'{format_path(target.path) or 'the scenario'}' has no part '{name}'")
            if name not in node:
                if last and allow_new_last and selector is None:
                    following.append(_Target(node, name, target.path + (name,)))
                    continue
                known = ", ".join(sorted(node)) or "nothing"
                raise EffectError(f"there is no '{name}' in '{format_path(target.path) or 'the scenario'}' (it has: {known})")
            here = _Target(node, name, target.path + (name,))
            if selector is None:
                following.append(here)
                continue
            inner = here.value
            if isinstance(inner, dict):
                following += [_Target(inner, k, here.path + (k,)) for k, v in inner.items() if _matches(v, selector)]
            elif isinstance(inner, list):
                following += [_Target(inner, i, here.path + (i,)) for i, v in enumerate(inner) if _matches(v, selector)]
            else:
                raise EffectError(f"'{format_path(here.path)}' is not a collection to pick from with [{selector}]")
        current = following
    if not current:
        raise EffectError(f"the path '{path}' picks nothing")
    return current


def _scale_value(value: Any, factor: float, where: Path_) -> Any:
    if isinstance(value, bool) or value is None:
        raise EffectError(f"'{format_path(where)}' is not a number or a time to scale")
    if isinstance(value, int):
        scaled = round(value * factor)
        return max(1, scaled) if value > 0 else scaled
    if isinstance(value, float):
        return value * factor
    if isinstance(value, list):
        return [_scale_value(v, factor, where + (i,)) for i, v in enumerate(value)]
    if isinstance(value, dict) and "dist" in value:
        return _DIST.validate_python(value).scaled(factor).model_dump(mode="json")
    raise EffectError(f"'{format_path(where)}' is not a number or a time to scale")


def _level(scenario_data: dict[str, Any], role: dict[str, Any], where: Path_) -> list[int]:
    """Spread a role's staff-hours over the day in proportion to the arrivals (largest remainder)."""
    staff = role.get("staff")
    rates = scenario_data["arrivals"]["per_hour"]["default"]
    hours = len(rates)
    counts = [staff] * hours if isinstance(staff, int) else list(staff)
    if len(counts) != hours:
        raise EffectError(f"'{format_path(where)}' has {len(counts)} hours, the arrivals {hours}")
    total = sum(counts)
    floor = 1 if total >= hours else 0
    spare = total - floor * hours
    weights = [max(r, 0.0) for r in rates]
    if sum(weights) == 0:
        return counts
    shares = [spare * w / sum(weights) for w in weights]
    out = [floor + math.floor(s) for s in shares]
    left = total - sum(out)
    order = sorted(range(hours), key=lambda i: (-(shares[i] - math.floor(shares[i])), i))
    for i in order[:left]:
        out[i] += 1
    return out


def apply_effect(data: dict[str, Any], effect: dict[str, Any]) -> None:
    """Apply one effect to plain scenario data, in place."""
    op = effect["op"]
    path = effect["path"]
    value = effect.get("value")
    factor = effect.get("factor")
    if op in ("scale", "variability") and (factor is None or not math.isfinite(factor) or factor < 0):
        raise EffectError(f"'{op}' needs a 'factor' of 0 or more")
    if op in ("set", "add") and "value" not in effect:
        raise EffectError(f"'{op}' needs a 'value'")
    targets = _resolve(data, path, allow_new_last=(op == "add"))
    for target in targets:
        exists = target.key in target.container if isinstance(target.container, dict) else True
        if op == "set":
            target.container[target.key] = copy.deepcopy(value)
        elif op == "scale":
            target.container[target.key] = _scale_value(target.value, factor, target.path)
        elif op == "variability":
            current = target.value
            if not (isinstance(current, dict) and "dist" in current):
                raise EffectError(f"'{format_path(target.path)}' is not a distribution")
            target.container[target.key] = with_spread(_DIST.validate_python(current), factor).model_dump(mode="json")
        elif op == "add":
            if not exists:
                target.container[target.key] = copy.deepcopy(value)
            elif isinstance(target.value, list):
                if value not in target.value:
                    target.value.append(copy.deepcopy(value))
            elif isinstance(target.value, (int, float)) and not isinstance(target.value, bool):
                target.container[target.key] = target.value + value
            else:
                raise EffectError(f"'{format_path(target.path)}' exists already; use 'set' to replace it")
        elif op == "remove":
            if isinstance(target.container, list):
                target.container[target.key] = _REMOVED
            elif value is not None and isinstance(target.value, list):
                if value not in target.value and len(targets) == 1:
                    raise EffectError(f"'{format_path(target.path)}' has no '{value}' to remove")
                target.container[target.key] = [v for v in target.value if v != value]
            else:
                del target.container[target.key]
        elif op == "level_staff":
            role = target.value
            if not (isinstance(role, dict) and "staff" in role):
                raise EffectError(f"'{format_path(target.path)}' is not a staff role")
            role["staff"] = _level(data, role, target.path)
        else:
            raise EffectError(f"unknown operation '{op}'")
    _drop_removed(data)


class _Removed:
    pass


_REMOVED = _Removed()


def _drop_removed(node: Any) -> None:
    if isinstance(node, dict):
        for v in node.values():
            _drop_removed(v)
    elif isinstance(node, list):
        node[:] = [v for v in node if v is not _REMOVED]
        for v in node:
            _drop_removed(v)


def ordered(scenario: Scenario, tool_ids: Iterable[str]) -> list[str]:
    """The chosen tools in catalogue order (the order they are applied in), each once."""
    chosen = set(tool_ids)
    unknown = sorted(chosen - set(scenario.tools))
    if unknown:
        known = ", ".join(scenario.tools) or "none"
        raise ScenarioError([Problem(("tools",), f"unknown tool '{u}' (this scenario has: {known})") for u in unknown])
    return [t for t in scenario.tools if t in chosen]


def apply_tools(scenario: Scenario, tool_ids: Iterable[str]) -> Scenario:
    """A new scenario with the chosen tools' effects applied, validated like a file."""
    ids = ordered(scenario, tool_ids)
    if not ids:
        return scenario
    data = scenario.model_dump(mode="json")
    for tool_id in ids:
        for i, effect in enumerate(scenario.tools[tool_id].effects):
            try:
                apply_effect(data, effect.model_dump(mode="json", exclude_unset=True))
            except EffectError as error:
                raise ScenarioError([Problem(("tools", tool_id, "effects", i, "path"), str(error))]) from None
    try:
        return parse_scenario(_strip_none(data), check_tools=False)
    except ScenarioError as error:
        where = ", ".join(ids)
        raise ScenarioError(
            [Problem(p.path, f"after applying {where}: {p.message}") for p in error.problems]
        ) from None


def _strip_none(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_none(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_strip_none(v) for v in node]
    return node


def tool_problems(scenario: Scenario) -> list[Problem]:
    """Check every tool alone, and each round's whole offer together, against the scenario."""
    out: list[Problem] = []
    for tool_id in scenario.tools:
        try:
            changed = apply_tools(scenario, [tool_id])
        except ScenarioError as error:
            out += [_in_tool(p, tool_id) for p in error.problems]
            continue
        if changed == scenario:
            out.append(Problem(("tools", tool_id, "effects"), "applied to this scenario, the tool changes nothing"))
    if out:
        return out
    offered: list[str] = []
    for r, plan in enumerate(scenario.rounds):
        offered += plan.offer
        try:
            apply_tools(scenario, offered)
        except ScenarioError as error:
            out += [Problem(("rounds", r, "offer"), f"the tools offered up to this round do not work together: {p.message}")
                    for p in error.problems]
    return out


def _in_tool(problem: Problem, tool_id: str) -> Problem:
    if problem.path[:2] == ("tools", tool_id):
        return problem
    return Problem(("tools", tool_id, "effects"), f"{format_path(problem.path)}: {problem.message}")


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
    return sum(scenario.tools[t].cost.points for t in ordered(scenario, tool_ids))


def tool_roubles(scenario: Scenario, tool_ids: Iterable[str]) -> float:
    """Running cost of the tools over the whole run (roubles a day x days)."""
    cal = scenario.calendar
    days = cal.days if cal.mode == "daily" else (cal.hours or 0) / 24.0
    return sum(scenario.tools[t].cost.roubles_per_day for t in ordered(scenario, tool_ids)) * days


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
    offered = {t for r in scenario.rounds[:round_number] for t in r.offer}
    not_offered = [t for t in new_ids if t not in offered]
    if not_offered:
        raise ChoiceError("not_offered", f"round {round_number} does not offer {', '.join(not_offered)}",
                          n=round_number, tools=", ".join(not_offered))
    cost = tool_points(scenario, new_ids)
    if cost > plan.budget:
        raise ChoiceError("budget", f"round {round_number}: the new tools cost {cost} points but the budget is {plan.budget}",
                          n=round_number, cost=cost, budget=plan.budget)
    return ordered(scenario, kept_ids + new_ids)
