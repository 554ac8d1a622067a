"""The base of the scenario's models: frozen, strict models with texts in both languages, the id
pattern and the names of the wastes (`sim.scenario.schema` and `sim.scenario.plan_schema` build on it).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from .problems import CodedValueError

_ID = r"^[a-z][a-z0-9_-]{0,63}$"


class Frozen(BaseModel):
    """The base of every scenario model: frozen, strict, unknown keys refused."""

    # strict: YAML's true/false or "3" never pass for numbers; no infinities or NaN either
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


# what a page would act on rather than show: a link or an image (Markdown), an HTML tag
_MARKUP = re.compile(r"\]\(|<[A-Za-z/!?]")
_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def plain_text(value: str) -> str:
    """A scenario's text is shown as it is written on every page, table and report: no control
    characters (a line break and a tab aside), no right-to-left overrides (they reverse what follows),
    no Markdown links or images and no HTML tags (a page would fetch or follow them)."""
    for ch in value:
        if ch in _BIDI or (unicodedata.category(ch) == "Cc" and ch not in "\n\t\r"):
            raise CodedValueError("problem.text.invisible", char=f"U+{ord(ch):04X}")
    found = _MARKUP.search(value)
    if found:
        raise CodedValueError("problem.text.markup", found=value[found.start():found.start() + 12])
    return value


PlainText = Annotated[str, AfterValidator(plain_text)]


class Text(Frozen):
    """A user-facing text in both languages (`plain_text`)."""

    ru: PlainText = Field(min_length=1, max_length=5000)
    en: PlainText = Field(min_length=1, max_length=5000)


class Named(Frozen):
    """A part of the scenario with a name in both languages."""

    name: Text


WASTES = ("overproduction", "inventory", "transport", "waiting", "overprocessing", "motion", "defects", "talent")
