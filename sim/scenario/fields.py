"""Problems of field types and field checks, from pydantic's errors: each with a code and parameters.

pydantic says what is wrong in English; we keep its error type and its context (the limit, the
length, the pattern) and say it from the locales. A refusal of one of our own field checks carries
its code (`CodedValueError`, or a distribution's error). An error type we do not know keeps
pydantic's English words as the English-only detail.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from .problems import MAX_PROBLEMS, Path_, Problem, got, hint, said, shorten
from .schema import Scenario

_DIST_TAGS = {"exponential", "lognormal", "gamma", "triangular", "uniform", "fixed"}
# pydantic names the members of a union ("int", "list[int]") in the location: they are not fields
_TYPE_LABEL = re.compile(r"^(int|float|str|bool|list\[.*\]|dict\[.*\]|function-.*|constrained-.*)$")
# pydantic's type -> our code; the value shown as "(got ...)" where it is a plain value
_TYPES = {
    "int_type": "problem.field.int", "float_type": "problem.field.number", "string_type": "problem.field.text", "bool_type": "problem.field.bool",
    "list_type": "problem.field.list", "dict_type": "problem.field.mapping", "model_type": "problem.field.mapping",
    "model_attributes_type": "problem.field.mapping", "finite_number": "problem.field.finite",
}
# pydantic's type -> (our code, the context value it needs)
_LIMITS = {
    "greater_than": ("problem.field.gt", "gt"), "greater_than_equal": ("problem.field.ge", "ge"),
    "less_than": ("problem.field.lt", "lt"), "less_than_equal": ("problem.field.le", "le"),
    "string_too_short": ("problem.field.text_short", "min_length"), "string_too_long": ("problem.field.text_long", "max_length"),
    "string_pattern_mismatch": ("problem.field.pattern", "pattern"),
}


def known_keys(model: type[BaseModel], path: Path_) -> list[str]:
    """Field names allowed at `path` inside `model`, for 'did you mean' hints."""
    current: Any = model
    for part in path:
        if isinstance(part, int) or current is None:
            continue
        fields = getattr(current, "model_fields", None)
        if fields is None or part not in fields:
            # a mapping keyed by ids: the value type is the next model
            current = _value_model(current)
            if current is None:
                return []
            fields = current.model_fields
            if part not in fields:
                continue
        current = _value_model(fields[part].annotation)
    return list(getattr(current, "model_fields", {}) or {})


def _value_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _value_model(arg)
        if found is not None:
            return found
    return None


def _limit(value: Any) -> Any:
    return float(value) if isinstance(value, float) else value


def field_problems(error: ValidationError) -> list[Problem]:
    """One problem per field that pydantic refused (at most a few more than `MAX_PROBLEMS`)."""
    problems: list[Problem] = []
    seen: set[Path_] = set()
    items = error.errors(include_url=False)
    unions = _text_unions(items)
    for item in items:
        if len(problems) > MAX_PROBLEMS:
            # enough to show: the rest are only counted (see `capped`), so no hints are worked out
            problems.append(Problem(tuple(item["loc"]), "problem.field.invalid"))
            continue
        if _other_branch(item, unions):
            continue
        loc = tuple(
            part for part in item["loc"]
            if not (isinstance(part, str) and (part in _DIST_TAGS or _TYPE_LABEL.match(part) or part == "Text"))
        )
        kind = item["type"]
        if loc in seen and kind not in ("extra_forbidden", "missing"):
            continue  # one message per field, even when several types were allowed
        seen.add(loc)
        problems.append(_one(item, loc, kind))
    return problems


def _text_unions(items: list[Any]) -> set[tuple[Any, ...]]:
    """Where a field is "one text, or {ru, en}" (an event's source): the paths before its branches."""
    return {tuple(item["loc"][:item["loc"].index("Text")]) for item in items if "Text" in item["loc"]}


def _other_branch(item: Any, unions: set[tuple[Any, ...]]) -> bool:
    """An error of the branch of "one text, or {ru, en}" that the value is not: a mapping is said as a
    text in both languages, a plain text as one text, not as both."""
    loc = tuple(item["loc"])
    for at in unions:
        if loc[:len(at)] == at and len(loc) > len(at):
            if loc[len(at)] == "Text":
                return len(loc) == len(at) + 1 and isinstance(item.get("input"), str)
            return isinstance(item.get("input"), dict)
    return False


def _one(item: Any, loc: Path_, kind: str) -> Problem:
    ctx = item.get("ctx") or {}
    shown = item.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        known = known_keys(Scenario, loc[:-1])
        close = difflib.get_close_matches(key, known, n=1) if len(key) <= 200 else []
        if close:
            return Problem(loc, "problem.field.unknown_key", {"name": shorten(key), "hint": hint(close[0])})
        allowed = said("problem.hint.allowed", names=", ".join(sorted(known))) if known else ""
        return Problem(loc, "problem.field.unknown_key", {"name": shorten(key), "hint": allowed})
    if kind == "missing":
        return Problem(loc, "problem.field.missing")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return Problem(loc, "problem.field.dist_kind", {"kinds": ", ".join(sorted(_DIST_TAGS, key=_DIST_ORDER.index))})
    if kind in _TYPES:
        code = _TYPES[kind]
        if any(isinstance(p, str) and _TYPE_LABEL.match(p) for p in item["loc"]) and "int" in str(item["loc"]):
            code = "problem.field.int_or_list"
        return Problem(loc, code, {"got": got(shown)})
    if kind in _LIMITS:
        code, name = _LIMITS[kind]
        return Problem(loc, code, {"limit": _limit(ctx.get(name)), "got": got(shown)})
    if kind in ("too_short", "too_long"):
        code = "problem.field.few_items" if kind == "too_short" else "problem.field.many_items"
        limit = ctx.get("min_length" if kind == "too_short" else "max_length")
        actual = ctx.get("actual_length")
        if actual is None and isinstance(item.get("input"), dict | list):  # pydantic leaves it out for mappings
            actual = len(item["input"])
        return Problem(loc, code, {"limit": limit, "n": actual if actual is not None else "?"})
    if kind in ("literal_error", "enum"):
        return Problem(loc, "problem.field.one_of", {"allowed": shorten(ctx.get("expected", "?"), 300), "got": got(shown)})
    coded = ctx.get("error")
    coded_as, params = getattr(coded, "code", None), getattr(coded, "params", None)
    if kind in ("value_error", "assertion_error") and isinstance(coded_as, str) and isinstance(params, dict):
        return Problem(loc, coded_as, dict(params))
    message = str(item["msg"]).removeprefix("Value error, ")
    return Problem(loc, "problem.field.invalid", {"got": got(shown)}, detail=shorten(message, 300))


_DIST_ORDER = ["exponential", "lognormal", "gamma", "triangular", "uniform", "fixed"]
