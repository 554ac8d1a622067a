"""Reading scenario files: bytes from a regular file, YAML text checked before it is built, field lines.

Nothing here knows the schema. `read_file` refuses what is not a regular file or is too big before
reading a byte (a device such as /dev/zero or a FIFO would never end); `read_document` refuses
aliases (the "billion laughs"), tags and deep nesting before anything is built; `LineMap` finds the
line of a field path for messages. YAML's own errors become problems with a code per kind, so that
their Russian text is Russian; the parser's English words are kept as the English-only detail.
"""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from ruamel.yaml.reader import ReaderError

from .problems import Path_, Problem, ScenarioError, shorten

MAX_FILE_BYTES = 512 * 1024
MAX_NESTING = 40


class LineMap:
    """Finds the line of a field path in a document read by ruamel.yaml's round-trip loader."""

    def __init__(self, root: Any):
        self.root = root

    def line_of(self, path: Path_) -> int | None:
        """The 1-based line where `path` (or the deepest part of it that exists) is written."""
        node, line = self.root, 1 if self.root is not None else None
        for part in path:
            lc = getattr(node, "lc", None)
            try:
                if lc is not None:
                    if isinstance(part, int):
                        line = lc.item(part)[0] + 1
                    elif part in node:
                        line = lc.key(part)[0] + 1
                node = node[part]
            except (KeyError, IndexError, TypeError, AttributeError):
                break
        return line


def _yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    return yaml


def _file_problem(file: str, code: str, line: int | None = None, detail: str = "", **params: Any) -> Problem:
    return Problem((), code, params, file, line, detail)


def _precheck(text: str, file: str) -> list[Problem]:
    """Refuse what could make loading slow or unsafe before anything is built: aliases (the
    "billion laughs"), explicit tags (!!python/object and the like), deep nesting."""
    depth = 0
    try:
        for event in _yaml().parse(io.StringIO(text)):
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, AliasEvent):
                return [_file_problem(file, "problem.yaml.alias", line)]
            tag = getattr(event, "tag", None)
            if tag:
                shown = str(tag).replace("tag:yaml.org,2002:", "!!")
                return [_file_problem(file, "problem.yaml.tag", line, tag=shorten(shown))]
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                depth += 1
                if depth > MAX_NESTING:
                    return [_file_problem(file, "problem.yaml.nesting", line, n=MAX_NESTING)]
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                depth -= 1
    except YAMLError as error:
        return [yaml_problem(error, file, text)]
    return []


# the parser's words (context, problem) -> our code; the first that matches wins
_KINDS = [
    ("flow sequence", "", "problem.yaml.unclosed_list"),
    ("flow mapping", "", "problem.yaml.unclosed_mapping"),
    ("quoted scalar", "", "problem.yaml.unclosed_quote"),
    ("", "duplicate key", "problem.yaml.duplicate_key"),
    ("", "mapping values are not allowed", "problem.yaml.colon"),
    ("", "'\\t'", "problem.yaml.tab"),
    ("simple key", "", "problem.yaml.no_colon"),
    ("block", "", "problem.yaml.indent"),
]


def yaml_problem(error: YAMLError, file: str, text: str) -> Problem:
    """One problem naming where YAML could not go on, what kind of mistake it is, and where the
    unfinished part started."""
    if isinstance(error, ReaderError):
        line = text[: error.position].count("\n") + 1 if error.position is not None else None
        if isinstance(error.character, int):
            return _file_problem(file, "problem.yaml.bad_char", line, char=f"#x{error.character:04x}")
        return _file_problem(file, "problem.yaml.other", line, " ".join(str(error.reason).split()))
    if not isinstance(error, MarkedYAMLError):
        return _file_problem(file, "problem.yaml.other", None, shorten(" ".join(str(error).split()), 300))
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else None
    start = error.context_mark.line + 1 if error.context_mark is not None else line
    context, what = str(error.context or ""), str(error.problem or "")
    words = shorten(" ".join(" ".join(part for part in (context, what) if part).split()), 300)
    for in_context, in_problem, code in _KINDS:
        if (in_context and in_context in context) or (in_problem and in_problem in what):
            params: dict[str, Any] = {"start": start if start is not None else "?"}
            if code == "problem.yaml.duplicate_key":
                key = what.split('"')[1] if what.count('"') >= 2 else "?"
                return _file_problem(file, code, line, name=shorten(key))
            return _file_problem(file, code, line, **params)
    return _file_problem(file, "problem.yaml.other", line, words)


def plain(node: Any) -> Any:
    """Round-trip containers to plain dicts and lists, scalars to plain Python values."""
    if isinstance(node, Mapping):
        return {str(k) if not isinstance(k, (int, float)) else k: plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if type(node).__module__.startswith("ruamel"):
        if isinstance(node, bool):
            return bool(node)
        if isinstance(node, int):
            return int(node)
        if isinstance(node, float):
            return float(node)
        return str(node)
    return node


def read_document(text: str, file: str = "<text>", yaml: YAML | None = None) -> Any:
    """The round-trip YAML document of `text`, after refusing what is too big, deep or unsafe."""
    if len(text.encode("utf-8", "replace")) > MAX_FILE_BYTES:
        raise ScenarioError([_file_problem(file, "problem.file.too_big", kib=MAX_FILE_BYTES // 1024)])
    problems = _precheck(text, file)
    if problems:
        raise ScenarioError(problems)
    try:
        return (yaml or _yaml()).load(io.StringIO(text))
    except YAMLError as error:
        raise ScenarioError([yaml_problem(error, file, text)]) from None


def read_file(path: str | Path, limit: int = MAX_FILE_BYTES) -> str:
    """The text of a scenario file: a regular file of at most `limit` bytes, in UTF-8.

    The kind and size are checked on the open file before anything is read, so a device (/dev/zero),
    a FIFO or a folder is refused at once instead of read without end or waited on.
    """
    name = str(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait; a regular file ignores it
        handle = os.open(name, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ScenarioError([_file_problem(name, "problem.file.missing")]) from None
    except IsADirectoryError:
        raise ScenarioError([_file_problem(name, "problem.file.folder")]) from None
    except OSError as error:
        raise ScenarioError([_file_problem(name, "problem.file.unreadable", detail=str(error.strerror))]) from None
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError([_file_problem(name, "problem.file.folder")])
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError([_file_problem(name, "problem.file.not_regular")])
        if info.st_size > limit:
            raise ScenarioError([_file_problem(name, "problem.file.too_big", kib=limit // 1024)])
        with os.fdopen(os.dup(handle), "rb") as stream:
            raw = stream.read(limit + 1)  # a file that grew since fstat is still cut at the limit
    except OSError as error:
        raise ScenarioError([_file_problem(name, "problem.file.unreadable", detail=str(error.strerror))]) from None
    finally:
        os.close(handle)
    if len(raw) > limit:
        raise ScenarioError([_file_problem(name, "problem.file.too_big", kib=limit // 1024)])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError([_file_problem(name, "problem.file.not_utf8", byte=error.start)]) from None
