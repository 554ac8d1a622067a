"""Translations: every user-facing string of ours, in Russian and in English.

The texts live in `sim/locales/<lang>.toml`, in tables that make dotted keys (`[sandbox]` +
`title = "..."` is `sandbox.title`). `t(key, lang, **values)` formats one. A key missing in a
language is an error (`MissingTranslation`), never a silent fallback: the tests check that both
files have the same keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("ru", "en")
DEFAULT_LANG = "ru"
LANG_NAMES = {"ru": "Русский", "en": "English"}
_DIR = Path(__file__).resolve().parent / "locales"


class MissingTranslation(KeyError):
    pass


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        else:
            out[name] = str(value)
    return out


@cache
def catalogue(lang: str) -> dict[str, str]:
    """All texts of one language, by dotted key."""
    if lang not in LANGS:
        raise MissingTranslation(f"unknown language '{lang}'")
    with open(_DIR / f"{lang}.toml", "rb") as handle:
        return _flatten(tomllib.load(handle))


def t(key: str, lang: str, **values: Any) -> str:
    """The text of `key` in `lang`, with `{name}` fields filled from `values`."""
    try:
        text = catalogue(lang)[key]
    except KeyError:
        raise MissingTranslation(f"no '{key}' in {lang}.toml") from None
    return text.format(**values) if values else text


class LocalizedError(ValueError):
    """An error whose message comes from the locale files: `key` and `params`; `str()` is the English text.

    A parameter that is itself a `LocalizedError` (the cause of a refusal), or has a `say(lang)` method (a
    number written as the language writes it), is said in the same language."""

    def __init__(self, key: str, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(self.text("en"))

    def text(self, lang: str) -> str:
        """The message in `lang`."""
        return t(self.key, lang, **{k: _said(v, lang) for k, v in self.params.items()})


def _said(value: Any, lang: str) -> Any:
    """A message's parameter as `lang` says it (see `LocalizedError`)."""
    if isinstance(value, LocalizedError):
        return value.text(lang)
    say = getattr(value, "say", None)
    return say(lang) if callable(say) else value


def num(value: float, lang: str, digits: int = 1, *, signed: bool = False) -> str:
    """A number as a reader of `lang` writes it: `1 234,5` in Russian (decimal comma, a no-break space
    between thousands), `1,234.5` in English; `signed` puts `+` before a positive value."""
    rounded = round(float(value), digits)
    if rounded == 0:
        rounded = 0.0  # no "-0,0"
    text = f"{rounded:+,.{digits}f}" if signed and rounded != 0 else f"{rounded:,.{digits}f}"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def plotly_separators(lang: str) -> str:
    """Plotly's `separators` (decimal, then thousands) for `lang`."""
    return ", " if lang == "ru" else ".,"


def plural(n: int, lang: str) -> str:
    """The plural form a count takes: `one`, `few` or `many` (Russian has all three)."""
    if lang == "ru":
        if n % 10 == 1 and n % 100 != 11:
            return "one"
        if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
            return "few"
        return "many"
    return "one" if n == 1 else "many"


def counted(key: str, n: int, lang: str) -> str:
    """`{key}_one`, `_few` or `_many`, as the count `n` needs, filled with `n`."""
    return t(f"{key}_{plural(n, lang)}", lang, n=n)


@dataclass(frozen=True)
class Phrase:
    """A locale text as a `LocalizedError`'s parameter (a round's state, an action), said in the
    message's language rather than as its id."""

    key: str

    def say(self, lang: str) -> str:
        """The text of `key` in `lang`."""
        return t(self.key, lang)


@dataclass(frozen=True)
class Counted:
    """A count said with its noun in the form the count needs (`counted`), for a `LocalizedError`'s
    parameter: the form is chosen per language (21 takes `one` in Russian, `many` in English)."""

    key: str
    n: int

    def say(self, lang: str) -> str:
        """The count and its noun in `lang`."""
        return counted(self.key, self.n, lang)


def pick(texts: Any, lang: str) -> str:
    """The `lang` member of a scenario's {ru, en} text (a pydantic Text or a plain dict)."""
    if isinstance(texts, dict):
        return str(texts[lang])
    return str(getattr(texts, lang))


def verdict_word(verdict: str, lang: str) -> str:
    """The words of a paired comparison's verdict (`better`, `worse`, `too_small`, `no_clear_change`,
    `unchanged`): the CLI, the exports, the report and the dashboard all say it with this function."""
    return t(f"verdict.{verdict}", lang)


def short_number(value: float | None, lang: str) -> str:
    """A figure in a plain-text table: whole above 1,000, three significant digits below 1, two decimals
    between; `-` when undefined. Russian gets the decimal comma and a no-break space between thousands."""
    if value is None:
        return "-"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    else:
        text = f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if lang == "ru":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text
