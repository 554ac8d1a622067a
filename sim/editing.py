"""Editing a scenario's YAML in place: change values, keep the comments and the key order.

The editor's form reads fields from, and writes fields into, the round-trip document (ruamel.yaml),
so that a trainer's edits through the form leave the rest of the file (comments, order, quoting)
as it was. Nothing here validates: the result goes through `sim.scenario.scenario_from_text`.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from .scenario import Problem, ScenarioError, read_document


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str, file: str = "<editor>") -> CommentedMap:
    """The round-trip document of `text` (refusing aliases, tags and deep nesting first)."""
    doc = read_document(text, file, _yaml())
    if not isinstance(doc, CommentedMap):
        raise ScenarioError([Problem((), "problem.file.not_mapping", file=file, line=1)])
    return doc


def dump(doc: CommentedMap) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def get(doc: Any, path: tuple[Any, ...], default: Any = None) -> Any:
    node = doc
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return default
    return node


def put(doc: CommentedMap, path: tuple[Any, ...], value: Any) -> None:
    """Set a value, keeping the comments around it; a changed list keeps its flow or block style."""
    node = doc
    for part in path[:-1]:
        node = node[part]
    last = path[-1]
    old = node.get(last) if isinstance(node, dict) else node[last]
    if isinstance(value, list) and isinstance(old, CommentedSeq):
        seq = CommentedSeq(value)
        if old.fa.flow_style():
            seq.fa.set_flow_style()
        node[last] = seq
    elif isinstance(value, dict) and not isinstance(value, CommentedMap):
        mapping = CommentedMap(value)
        if (isinstance(old, CommentedMap) and old.fa.flow_style()) or not isinstance(old, CommentedMap):
            mapping.fa.set_flow_style()
        node[last] = mapping
    else:
        node[last] = value


def number(value: Any) -> Any:
    """Whole numbers as int, others as float (YAML reads back what it wrote)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
