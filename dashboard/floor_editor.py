"""The scenario editor's floor plan: a table of the spots (entrance, stations, cart...) with their x and y
in metres, written back into the YAML document's `floor:` section; an empty cell leaves the spot to
the automatic layout; and which rounds are waste walks (gemba rounds), ticked in the round plan."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st
from ruamel.yaml.comments import CommentedMap

from sim.editing import get, number, put
from sim.i18n import t
from sim.scenario.checks import FLOOR_EXTRA_SPOTS


def _spot_label(doc: CommentedMap, name: str, lang: str) -> str:
    station = get(doc, ("stations", name, "name", lang), None)
    return f"{station} ({name})" if station else t(f"floor_editor.spot_{name}", lang)


def _value(row: dict[str, Any], column: str) -> float | None:
    value = row.get(column)
    if value is None or value == "":
        return None
    try:
        number_ = float(value)
    except (TypeError, ValueError):
        return None
    return number_ if math.isfinite(number_) else None


def floor_and_walks(doc: CommentedMap, lang: str, key: str) -> None:
    """The editor's section: the floor plan's table, then the rounds that are waste walks."""
    floor(doc, lang, key)
    gemba_rounds(doc, lang, key)


def gemba_rounds(doc: CommentedMap, lang: str, key: str) -> None:
    """Tick the rounds that are waste walks (`rounds[i].gemba`)."""
    plan = get(doc, ("rounds",), []) or []
    if not plan:
        return
    col_round, col_title, col_gemba = t("report.round", lang), t("editor.title", lang), t("floor_editor.gemba", lang)
    rows = [{col_round: i + 1, col_title: str(get(r, ("title", lang), "")), col_gemba: bool(get(r, ("gemba",), False))}
            for i, r in enumerate(plan)]
    edited = list(st.data_editor(rows, key=f"{key}.gemba", hide_index=True, num_rows="fixed",
                                 disabled=[col_round, col_title]))
    for i, row in enumerate(edited):
        wanted = bool(row.get(col_gemba))
        if wanted != bool(get(plan[i], ("gemba",), False)):
            if wanted:
                put(doc, ("rounds", i, "gemba"), True)
            else:
                del plan[i]["gemba"]


def floor(doc: CommentedMap, lang: str, key: str) -> None:
    """Spot, x, y: edits go to `floor.spots`; a spot with both cells empty is laid out automatically."""
    names = [*get(doc, ("stations",), {}), *FLOOR_EXTRA_SPOTS]
    spots = get(doc, ("floor", "spots"), {}) or {}
    col_spot, col_x, col_y = t("floor_editor.spot", lang), t("floor_editor.x", lang), t("floor_editor.y", lang)
    rows = [{col_spot: _spot_label(doc, name, lang), col_x: get(spots, (name, "x"), None),
             col_y: get(spots, (name, "y"), None)} for name in names]
    st.caption(t("floor_editor.help", lang))
    edited = list(st.data_editor(rows, key=f"{key}.floor", hide_index=True, num_rows="fixed", disabled=[col_spot],
                                 column_config={col_x: st.column_config.NumberColumn(min_value=0.0, max_value=500.0),
                                                col_y: st.column_config.NumberColumn(min_value=0.0, max_value=500.0)}))
    # only the rows the trainer changed are written: a spot the table cannot show (NaN, a list) stays as
    # the file has it, so the validator reports it instead of the form silently deleting it
    changed = {name: (_value(new, col_x), _value(new, col_y))
               for name, old, new in zip(names, rows, edited, strict=True)
               if (_value(old, col_x), _value(old, col_y)) != (_value(new, col_x), _value(new, col_y))}
    if not changed:
        return
    if "floor" not in doc:
        doc["floor"] = CommentedMap({"distances": "steps", "spots": CommentedMap()})
    if get(doc, ("floor", "spots"), None) is None:
        doc["floor"]["spots"] = CommentedMap()
    for name, (x, y) in changed.items():
        if x is not None and y is not None:
            put(doc, ("floor", "spots", name), {"x": number(x), "y": number(y)})
        elif x is None and y is None and name in doc["floor"]["spots"]:  # emptied: back to the automatic layout
            del doc["floor"]["spots"][name]
