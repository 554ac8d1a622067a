"""Problems of a scenario: a code and parameters, said in either language from the locale files.

A `Problem` names where (file, line, field path) and what (`code` + `params`); its text comes from
`sim/locales/<lang>.toml` under `problem.<code>`, as `TrainingError` does for training refusals, so
nothing is translated from English after the fact. A parameter may itself be something said (a
`Said`, a hint, a nested problem) or a `Term` (a word the locales give, such as "station"); numbers
take the language's decimal mark. `detail` carries words from elsewhere that have no translation
(the YAML parser's or the operating system's): they are shown in English only.

Long values are cut short (`MAX_SHOWN` characters) and a list of problems is capped at
`MAX_PROBLEMS`, the rest counted in one last problem, so a hostile file cannot produce megabytes of
messages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..i18n import MissingTranslation, catalogue, t

Path_ = tuple[str | int, ...]

MAX_PROBLEMS = 100  # problems kept of one file; the rest are counted
MAX_SHOWN = 80  # characters of a value or key shown in a message


class Sayable(Protocol):
    """Anything that can be said in a language (a message, a hint, a problem)."""

    def say(self, lang: str) -> str: ...


@dataclass(frozen=True)
class Term:
    """A word the locales give (`problem.term.<key>`), used inside another message."""

    key: str

    def say(self, lang: str) -> str:
        return t(f"problem.term.{self.key}", lang)


@dataclass(frozen=True)
class Count:
    """A large whole number, grouped by thousands as the language writes it (2,000,000 / 2 000 000)."""

    value: int

    def say(self, lang: str) -> str:
        text = f"{self.value:,}"
        return text.replace(",", "\u00a0") if lang == "ru" else text


def shorten(value: object, limit: int = MAX_SHOWN) -> str:
    """`value` as text, cut to `limit` characters with the number of characters left out."""
    text = str(value)
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…(+{len(text) - limit})"


def _number(value: float, lang: str) -> str:
    text = f"{value:.12g}"
    return text.replace(".", ",") if lang == "ru" else text


def _render(value: Any, lang: str) -> Any:
    if hasattr(value, "say"):
        return value.say(lang)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return _number(value, lang)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(_render(v, lang)) for v in value)
    return value


@dataclass(frozen=True)
class Said:
    """Something said: a locale code under `problem.` and its parameters."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    detail: str = ""

    def say(self, lang: str) -> str:
        # not t(): a parameter may be called `key`, which is t's own first argument
        try:
            template = catalogue(lang)[self.code]
        except KeyError:
            raise MissingTranslation(f"no '{self.code}' in {lang}.toml") from None
        text = template.format(**{k: _render(v, lang) for k, v in self.params.items()})
        if self.detail and lang == "en":
            text += f": {self.detail}"
        return text


def said(code: str, **params: Any) -> Said:
    """A message by code, for a parameter of another message (a hint, a nested reason)."""
    return Said(code, params)


def hint(name: str | None, known: Iterable[str] | None = None) -> Said | str:
    """The "did you mean" part of a message, or the known names, or nothing."""
    if name is not None:
        return said("problem.hint.did_you_mean", name=shorten(name))
    if known is not None:
        names = sorted(known)
        shown = ", ".join(shorten(n) for n in names[:30]) + (f", … (+{len(names) - 30})" if len(names) > 30 else "")
        return said("problem.hint.known", names=shown) if names else said("problem.hint.known_none")
    return ""


def got(value: Any) -> Said | str:
    """The "(got ...)" part of a message for a plain value (nothing for mappings and lists)."""
    if isinstance(value, (dict, list)):
        return ""
    shown = str(value).lower() if isinstance(value, bool) else repr(value)  # as YAML writes it: true, not True
    return said("problem.hint.got", value=shorten(shown))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (file, line, field path) and what (a code and parameters)."""

    path: Path_
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    detail: str = ""

    @property
    def field(self) -> str:
        """The field path, dotted (`steps.desk.time`)."""
        return format_path(self.path)

    @property
    def message(self) -> str:
        """What is wrong, in English (without file, line or field)."""
        return self.say("en")

    def say(self, lang: str) -> str:
        """What is wrong, in `lang` (ru or en), without file, line or field."""
        return Said(self.code, self.params, self.detail).say(lang)

    def text(self, lang: str) -> str:
        """One line: file, line, field and what is wrong, in `lang` (ru or en)."""
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        field_ = f" {shorten(self.field, 300)}:" if self.path else ""
        return f"{where}:{field_} {self.say(lang)}"

    def __str__(self) -> str:
        return self.text("en")

    def at(self, file: str | None, line: int | None) -> Problem:
        """The same problem, placed in a file and line."""
        return dataclasses.replace(self, file=file, line=line)

    def within(self, path: Path_) -> Problem:
        """The same problem at another field path."""
        return dataclasses.replace(self, path=path)


def problem(path: Path_, code: str, **params: Any) -> Problem:
    """A problem at `path` with a code and parameters."""
    return Problem(path, code, params)


def capped(problems: list[Problem]) -> list[Problem]:
    """At most `MAX_PROBLEMS` problems, the rest counted in a last one."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    first = problems[0]
    rest = len(problems) - MAX_PROBLEMS
    return problems[:MAX_PROBLEMS] + [Problem((), "problem.file.more", {"n": rest}, first.file, None)]


class ScenarioError(Exception):
    """A scenario that cannot be used, with every problem found (at most `MAX_PROBLEMS` and a count)."""

    def __init__(self, problems: list[Problem]):
        self.problems = capped(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CodedValueError(ValueError):
    """A field check's refusal with a code and parameters (raised inside pydantic validators)."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(Said(code, params).say("en"))


def format_path(path: Path_) -> str:
    """A field path as text: `steps.desk.time`, `purposes.visit.route[0]`."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
