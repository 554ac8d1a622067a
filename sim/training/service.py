"""`Training`: the one service object pages, the CLI and the worker use, composed of its parts."""

from __future__ import annotations

import functools
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

from .archive import ArchiveMixin
from .compute import ResultsMixin
from .decisions import DecisionsMixin
from .observations import ObservationsMixin
from .records import TrainingError
from .teams import TeamsMixin

Check = Callable[[Any], bool]
Cls = TypeVar("Cls", bound=type)


def _check_of(hint: Any) -> Check | None:
    """A test of a value against a type hint, or None where the hint asks for nothing a test can check."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return None
    if origin in (typing.Union, types.UnionType):
        parts = [_check_of(a) for a in args]
        if any(p is None for p in parts):
            return None
        return lambda v: any(p(v) for p in parts if p is not None)
    if hint is type(None):
        return lambda v: v is None
    if hint is bool:
        return lambda v: isinstance(v, bool)
    if hint is int:  # a round number "1" or True is not a number (bool is an int to Python); numpy's
        # integers are not ints either, and the store's JSON cannot hold them
        return lambda v: isinstance(v, int) and not isinstance(v, bool)
    if hint is float:
        return lambda v: isinstance(v, int | float) and not isinstance(v, bool)
    if origin in (list, tuple) or hint in (list, tuple):
        item = _check_of(args[0]) if origin is list and args else None
        return lambda v: isinstance(v, list | tuple) and (item is None or all(item(x) for x in v))
    if origin is dict or hint is dict:
        # the values are checked where they are used: a note that is not text is refused naming its field
        key = _check_of(args[0]) if args else None
        return lambda v: isinstance(v, dict) and (key is None or all(key(k) for k in v))
    if origin is not None and getattr(origin, "__name__", "") == "Callable":
        return callable
    if isinstance(hint, type):
        return lambda v: isinstance(v, hint)
    return None


def _checked(method: Callable[..., Any]) -> Callable[..., Any]:
    """`method` refusing arguments of the wrong type with `training.err.argument` before it does anything."""
    signature = inspect.signature(method)
    hints = typing.get_type_hints(method)
    checks = {name: (check, str(method.__annotations__[name])) for name in signature.parameters
              if name in hints and (check := _check_of(hints[name])) is not None}
    if not checks:
        return method

    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:
            return method(*args, **kwargs)  # a wrong call says so itself
        for name, value in bound.arguments.items():
            found = checks.get(name)
            if found is not None and not found[0](value):
                raise TrainingError("training.err.argument", method=method.__name__, name=name, expected=found[1],
                                    got=type(value).__name__, value=repr(value)[:40])
        return method(*args, **kwargs)

    return call


def checked_arguments(cls: Cls) -> Cls:
    """Every public method of `cls` and its parts checks the types of its arguments against its annotations:
    pages, the CLI and the worker call it with plain values, and a wrong one (a round number "1") would
    otherwise be refused far inside, or not at all, with a message that names something else."""
    for name in dir(cls):
        if name.startswith("_"):
            continue
        found = inspect.getattr_static(cls, name)
        if isinstance(found, types.FunctionType):
            setattr(cls, name, _checked(found))
    return cls


@checked_arguments
class Training(ArchiveMixin, TeamsMixin, DecisionsMixin, ResultsMixin, ObservationsMixin):
    """Sessions, teams, rounds, decisions and results over a `Store`.

    Each part lives in its own module (`rounds`, `teams`, `decisions`, `compute`, `archive`, `observations`); they
    share the store and the per-session scenario cache of `TrainingBase`. Arguments of the wrong type are
    refused at this boundary (`checked_arguments`).
    """
