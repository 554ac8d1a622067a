"""The disruption events a round switches on, as its brief lists them (the Team page and the trainer console)."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.events import event_lines, round_events
from sim.i18n import t
from sim.scenario import Scenario


def round_events_brief(scenario: Scenario, number: int, lang: str, *, sources: bool = False, where: Any = None) -> None:
    """The round's events (name, when, description) under its brief; nothing when it has none.

    `sources` adds where each event's numbers come from (for the trainer); `where` is the container
    to write in (the page by default)."""
    lines = event_lines(scenario, round_events(scenario, number), lang)
    if not lines:
        return
    out = where if where is not None else st
    text = [f"**{t('events.title', lang)}**"]
    for line in lines:
        text.append(f"- **{line.name}** ({line.when}). {line.description}")
        if sources:
            text.append(f"  \n  _{t('events.source', lang, source=line.source)}_")
    out.markdown("\n".join(text))
    out.caption(t("events.note", lang))
