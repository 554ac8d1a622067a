"""The base of the scenario's models: frozen, strict models with texts in both languages, the id
pattern and the names of the wastes (`sim.scenario.schema` and `sim.scenario.plan_schema` build on it).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

_ID = r"^[a-z][a-z0-9_-]{0,63}$"


class Frozen(BaseModel):
    """The base of every scenario model: frozen, strict, unknown keys refused."""

    # strict: YAML's true/false or "3" never pass for numbers; no infinities or NaN either
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Text(Frozen):
    """A user-facing text in both languages."""

    ru: str = Field(min_length=1, max_length=5000)
    en: str = Field(min_length=1, max_length=5000)


class Named(Frozen):
    """A part of the scenario with a name in both languages."""

    name: Text


WASTES = ("overproduction", "inventory", "transport", "waiting", "overprocessing", "motion", "defects", "talent")
