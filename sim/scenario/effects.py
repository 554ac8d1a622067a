"""Lean tools' effects: declared changes to a scenario, applied to its plain data and re-validated.

A tool is data in the scenario file (`tools:`); its `effects` each change one `path` of the scenario:
- `set` (`value`): replace what is there;
- `scale` (`factor`): multiply a number, every number of a list, or a distribution's time (mean and
  spread together); whole numbers stay whole (and at least 1 if they were);
- `add` (`value`): a new entry of a mapping (the path's last part is its id), a number added to a
  number, or an item appended to a list;
- `remove`: an entry of a mapping, or (`value`) every equal item of a list, or the list items a
  selector picks;
- `variability` (`factor`): the spread of a distribution times `factor`, its mean kept;
- `level_staff`: a role's people per hour re-spread to follow the arrivals (every group's, by its own
  hourly shape where it has one), total staff-hours kept.

A path is dotted ids (`steps.checkout.time`); a part in brackets picks many: `steps[*]` every step,
`steps[station=desk]` every step whose station is the desk, `acquisitions.route[step=to_hall]` the
route items of that step, `steps[id=checkout].parts[id=find_form]` one part of a step (`id` of an
entry of a mapping is its key). After a bracket, entries that lack the rest of the path are passed
over (`steps[station=desk].time` is the time of every desk step that has one; steps split into
parts have none). A path that picks nothing is an error of the scenario file.

Scaling a distribution by 0 makes it a fixed 0 (a part of a step that a tool removes from the work).

Order: chosen tools are applied in the order of the scenario's catalogue, whatever order they were
picked in, and each tool's effects in the order listed. So two `scale` effects on one field
multiply, and where two tools `set` one field the one listed later in the catalogue wins.

The mechanism lives with the scenario (a file is checked by trying each of its tools); `sim.lean`
offers it together with the round plan's rules. Tools are applied to the library without its tool
catalogue and round plan (unless an effect changes those), so checking n tools costs n small
validations, not n validations of a file that holds all n.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..distributions import Distribution, with_spread
from .checks import _plan
from .problems import Path_, Problem, ScenarioError, Term, format_path, shorten
from .schema import Scenario, group_rates
from .validate import validate

_DIST = TypeAdapter(Distribution)
_PART = re.compile(r"^([A-Za-z0-9_-]+)(?:\[(\*|[A-Za-z_]+=[A-Za-z0-9_.-]+)\])?$")
_CATALOGUE = ("tools", "rounds")  # the parts of a scenario that are about tools, not the library


class EffectError(ValueError):
    """An effect that cannot be applied; `code` and `params` say why (locales' `problem.<code>`)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(Problem((), code, params).message)

    def problem(self, path: Path_) -> Problem:
        """This refusal as a problem at `path`."""
        return Problem(path, self.code, self.params)


def _where(path: Path_) -> Any:
    return shorten(format_path(path), 200) if path else Term("scenario")


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
            raise EffectError("problem.effect.bad_part", part=shorten(raw))
        parts.append((match[1], match[2]))
    return parts


def _matches(item: Any, selector: str, key: Any = None) -> bool:
    if selector == "*":
        return True
    field, wanted = selector.split("=", 1)
    if field == "id" and key is not None and not (isinstance(item, dict) and "id" in item):
        return str(key) == wanted  # an entry of a mapping: its id is its key
    return isinstance(item, dict) and str(item.get(field)) == wanted


def _resolve(data: dict[str, Any], path: str, *, allow_new_last: bool = False, skip_empty: bool = False) -> list[_Target]:
    """Every place the path picks in plain scenario data (`skip_empty`: after a bracket, an empty
    field at the end is passed over, as a missing one is: there is nothing to scale)."""
    parts = _split(path)
    current: list[_Target] = [_Target({"": data}, "", ())]
    picked = False  # a selector picked (possibly) many: those without the rest of the path are passed over
    for depth, (name, selector) in enumerate(parts):
        last = depth == len(parts) - 1
        following: list[_Target] = []
        for target in current:
            node = target.value
            if not isinstance(node, dict):
                if picked:
                    continue
                raise EffectError("problem.effect.no_part", where=_where(target.path), name=name)
            if name not in node or (picked and node[name] is None and (not last or skip_empty)):
                if last and allow_new_last and selector is None:
                    following.append(_Target(node, name, target.path + (name,)))
                    continue
                if picked:
                    continue
                known = ", ".join(shorten(k) for k in sorted(node)[:30]) or "—"
                raise EffectError("problem.effect.missing", name=name, where=_where(target.path), known=known)
            here = _Target(node, name, target.path + (name,))
            if selector is None:
                following.append(here)
                continue
            inner = here.value
            if isinstance(inner, dict):
                following += [_Target(inner, k, here.path + (k,)) for k, v in inner.items() if _matches(v, selector, k)]
            elif isinstance(inner, list):
                following += [_Target(inner, i, here.path + (i,)) for i, v in enumerate(inner) if _matches(v, selector)]
            else:
                raise EffectError("problem.effect.not_collection", where=_where(here.path), selector=selector)
        if selector is not None:
            picked = True
        current = following
    if not current:
        raise EffectError("problem.effect.picks_nothing", path=path)
    return current


def _distribution(value: dict[str, Any], change: Any, where: Path_) -> dict[str, Any]:
    try:
        result: dict[str, Any] = change(_DIST.validate_python(value)).model_dump(mode="json")
    except (ValidationError, ValueError):
        raise EffectError("problem.effect.bad_distribution", where=_where(where)) from None
    return result


def _scale_value(value: Any, factor: float, where: Path_) -> Any:
    if isinstance(value, bool) or value is None:
        raise EffectError("problem.effect.not_scalable", where=_where(where))
    if isinstance(value, int):
        scaled = round(value * factor)
        return max(1, scaled) if value > 0 else scaled
    if isinstance(value, float):
        return value * factor
    if isinstance(value, list):
        return [_scale_value(v, factor, where + (i,)) for i, v in enumerate(value)]
    if isinstance(value, dict) and "dist" in value:
        if factor == 0:  # a time scaled to nothing: the work is gone (no distribution has a mean of 0)
            return _distribution({"dist": "fixed", "value": 0.0}, lambda d: d, where)
        return _distribution(value, lambda d: d.scaled(factor), where)
    raise EffectError("problem.effect.not_scalable", where=_where(where))


def _level(scenario_data: dict[str, Any], role: dict[str, Any], where: Path_) -> list[int]:
    """Spread a role's staff-hours over the day in proportion to the arrivals (largest remainder)."""
    staff = role.get("staff")
    arrivals = scenario_data["arrivals"]["per_hour"]["default"]
    # the demand the staff meet: every group's readers, each group by its own hourly shape if it has one
    groups = [(float(g.get("share", 0.0)), (g.get("arrivals") or {}).get("per_hour", {}).get("default"))
              for g in (scenario_data.get("groups") or {}).values() if isinstance(g, dict)]
    rates = arrivals
    if any(shape is not None for _, shape in groups):
        by_group = group_rates(list(arrivals), groups)
        if all(len(r) == len(arrivals) for r in by_group):
            rates = [sum(hour) for hour in zip(*by_group)]
    hours = len(rates)
    counts = [staff] * hours if isinstance(staff, int) else list(staff or [])
    if len(counts) != hours:
        raise EffectError("problem.effect.level_hours", where=_where(where), n=len(counts), hours=hours)
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
    given = effect.get("factor")
    if op in ("scale", "variability") and (given is None or not math.isfinite(given) or given < 0):
        raise EffectError("problem.effect.needs_factor", op=op)
    factor = float(given) if given is not None else 0.0
    if op in ("set", "add") and "value" not in effect:
        raise EffectError("problem.effect.needs_value", op=op)
    targets = _resolve(data, path, allow_new_last=(op == "add"), skip_empty=op in ("scale", "variability"))
    for target in targets:
        exists = target.key in target.container if isinstance(target.container, dict) else True
        if op == "set":
            target.container[target.key] = copy.deepcopy(value)
        elif op == "scale":
            target.container[target.key] = _scale_value(target.value, factor, target.path)
        elif op == "variability":
            current = target.value
            if not (isinstance(current, dict) and "dist" in current):
                raise EffectError("problem.effect.not_distribution", where=_where(target.path))
            target.container[target.key] = _distribution(current, lambda d: with_spread(d, factor), target.path)
        elif op == "add":
            if not exists:
                target.container[target.key] = copy.deepcopy(value)
            elif isinstance(target.value, list):
                if value not in target.value:
                    target.value.append(copy.deepcopy(value))
            elif isinstance(target.value, (int, float)) and not isinstance(target.value, bool) \
                    and isinstance(value, (int, float)) and not isinstance(value, bool):
                target.container[target.key] = target.value + value
            else:
                raise EffectError("problem.effect.exists", where=_where(target.path))
        elif op == "remove":
            if isinstance(target.container, list):
                target.container[target.key] = _REMOVED
            elif value is not None and isinstance(target.value, list):
                if value not in target.value and len(targets) == 1:
                    raise EffectError("problem.effect.nothing_to_remove", where=_where(target.path), value=shorten(value))
                target.container[target.key] = [v for v in target.value if v != value]
            else:
                del target.container[target.key]
        elif op == "level_staff":
            role = target.value
            if not (isinstance(role, dict) and "staff" in role):
                raise EffectError("problem.effect.not_role", where=_where(target.path))
            role["staff"] = _level(data, role, target.path)
        else:
            raise EffectError("problem.effect.unknown_op", op=shorten(op))
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
        known = ", ".join(list(scenario.tools)[:30]) or "—"
        if len(scenario.tools) > 30:
            known += f", … (+{len(scenario.tools) - 30})"
        raise ScenarioError([Problem(("tools",), "problem.tool.unknown", {"tool": shorten(u), "known": known}) for u in unknown])
    return [t for t in scenario.tools if t in chosen]


def _first_part(path: str) -> str:
    return path.split(".", 1)[0].split("[", 1)[0]


def _strip_none(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip_none(v) for k, v in node.items() if v is not None}
    if isinstance(node, list):
        return [_strip_none(v) for v in node]
    return node


def _same_library(a: Scenario, b: Scenario) -> bool:
    """Whether two scenarios describe the same library (their tools and round plans aside)."""
    return all(getattr(a, name) == getattr(b, name) for name in Scenario.model_fields if name not in _CATALOGUE)


def apply_tools(scenario: Scenario, tool_ids: Iterable[str]) -> Scenario:
    """A new scenario with the chosen tools' effects applied, validated like a file."""
    ids = ordered(scenario, tool_ids)
    if not ids:
        return scenario
    # the library alone, unless an effect reaches into the catalogue or the plan themselves
    alone = not any(_first_part(e.path) in _CATALOGUE for t in ids for e in scenario.tools[t].effects)
    data = scenario.model_dump(mode="json", exclude=set(_CATALOGUE) if alone else None)
    for tool_id in ids:
        for i, effect in enumerate(scenario.tools[tool_id].effects):
            try:
                apply_effect(data, effect.model_dump(mode="json", exclude_unset=True))
            except EffectError as error:
                raise ScenarioError([error.problem(("tools", tool_id, "effects", i, "path"))]) from None
    try:
        result = validate(_strip_none(data))
        if alone:
            result = result.model_copy(update={name: getattr(scenario, name) for name in _CATALOGUE})
            if set(result.groups) != set(scenario.groups) or set(result.roles) != set(scenario.roles):
                # the tools' expectations name groups and roles: check them against the changed library
                problems = _plan(result)
                if problems:
                    raise ScenarioError(problems)
    except ScenarioError as error:
        where = ", ".join(ids)
        raise ScenarioError(
            [Problem(p.path, "problem.tool.after", {"tools": shorten(where, 200), "inner": p.within(())})
             for p in error.problems]
        ) from None
    return result


def tool_problems(scenario: Scenario) -> list[Problem]:
    """Check every tool alone, and each round's whole offer together, against the scenario."""
    out: list[Problem] = []
    for tool_id in scenario.tools:
        try:
            changed = apply_tools(scenario, [tool_id])
        except ScenarioError as error:
            out += [_in_tool(p, tool_id) for p in error.problems]
            continue
        if _same_library(changed, scenario):
            out.append(Problem(("tools", tool_id, "effects"), "problem.tool.no_change"))
    if out:
        return out
    offered: list[str] = []
    for r, plan in enumerate(scenario.rounds):
        offered += plan.offer
        try:
            apply_tools(scenario, offered)
        except ScenarioError as error:
            out += [Problem(("rounds", r, "offer"), "problem.tool.together", {"inner": p.within(())}) for p in error.problems]
    return out


def _in_tool(problem: Problem, tool_id: str) -> Problem:
    if problem.path[:2] == ("tools", tool_id):
        return problem
    return Problem(("tools", tool_id, "effects"), "problem.tool.inner", {"field": shorten(format_path(problem.path), 200),
                                                                 "inner": problem.within(())})



