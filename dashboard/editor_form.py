"""The scenario editor's form: the fields trainers change most, written back into the YAML document."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml.comments import CommentedMap

from sim.distributions import Distribution
from sim.editing import get, number, put
from sim.i18n import t

_DIST = TypeAdapter(Distribution)
DIST_FIELDS = {"exponential": ("mean",), "lognormal": ("mean", "sd"), "gamma": ("mean", "sd"),
               "triangular": ("low", "mode", "high"), "uniform": ("low", "high"), "fixed": ("value",)}


def _table(rows: list[dict[str, Any]], key: str, disabled: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    edited = st.data_editor(rows, key=key, hide_index=True, num_rows="fixed", disabled=list(disabled))
    return list(edited)


def _name(table: Any, item_id: str, lang: str) -> str:
    """An item's name in `lang` (a group's, a role's, a tool's), its id when it has none."""
    name = get(table, (item_id, "name", lang), None)
    return str(name) if name else item_id


def _hour_labels(doc: CommentedMap, count: int) -> list[str]:
    """Clock times of the opening hours (10:00, 11:00 ...) for a daily library, else hour numbers."""
    cal = get(doc, ("calendar",), {})
    if get(cal, ("mode",), "daily") == "daily":
        try:
            first = int(str(get(cal, ("open",), "10:00")).split(":")[0])
        except ValueError:
            first = 0
        return [f"{(first + h) % 24:02d}:00" for h in range(count)]
    return [str(h + 1) for h in range(count)]


def _profile_name(profile: str, lang: str) -> str:
    return t(f"editor.profile_{profile}", lang) if profile in PROFILES else profile


PROFILES = ("default", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def texts(doc: CommentedMap, lang: str, key: str) -> None:
    for field in ("title", "description"):
        for language in ("ru", "en"):
            label = f"{t('editor.' + field, lang)} ({language})"
            current = str(get(doc, (field, language), ""))
            widget = st.text_area if field == "description" else st.text_input
            value = widget(label, current, key=f"{key}.{field}.{language}", max_chars=5000)
            if value != current:
                put(doc, (field, language), value)


def calendar(doc: CommentedMap, lang: str, key: str) -> None:
    cal = get(doc, ("calendar",), {})
    if get(cal, ("mode",), "daily") != "daily":
        st.caption(t("editor.continuous", lang))
        return
    c1, c2, c3 = st.columns(3)
    for col, field, default in ((c1, "open", "10:00"), (c2, "close", "20:00")):
        current = str(get(cal, (field,), default))
        value = col.text_input(t(f"editor.{field}s", lang), current, key=f"{key}.{field}", max_chars=5)
        if value != current:
            put(doc, ("calendar", field), value)
    days = int(get(cal, ("days",), 5))
    value = c3.number_input(t("editor.days", lang), 1, 100_000, days, key=f"{key}.days")
    if value != days:
        put(doc, ("calendar", "days"), int(value))


def arrivals(doc: CommentedMap, lang: str, key: str) -> None:
    profiles = get(doc, ("arrivals", "per_hour"), {})
    names = list(profiles)
    label = {n: _profile_name(n, lang) for n in names}
    hours = max((len(v) for v in profiles.values()), default=0)
    clock = _hour_labels(doc, hours)
    rows = [{t("editor.hour", lang): clock[h], **{label[n]: (profiles[n][h] if h < len(profiles[n]) else None) for n in names}}
            for h in range(hours)]
    edited = _table(rows, f"{key}.arrivals", disabled=(t("editor.hour", lang),))
    fig = go.Figure()
    for n in names:
        values = [row.get(label[n]) for row in edited]
        fig.add_trace(go.Scatter(x=clock, y=values, mode="lines+markers", name=label[n]))
        clean = [number(float(v)) for v in values if v is not None]
        if len(clean) == len(profiles[n]) and clean != [number(float(v)) for v in profiles[n]]:
            put(doc, ("arrivals", "per_hour", n), clean)
    fig.update_layout(height=240, margin=dict(l=40, r=10, t=10, b=30), template="plotly_white",
                      xaxis_title=t("editor.hour", lang), yaxis_title=t("editor.per_hour", lang))
    st.plotly_chart(fig, key=f"{key}.arrivals_chart")


def groups(doc: CommentedMap, lang: str, key: str) -> None:
    table = get(doc, ("groups",), {})
    rows = []
    ids = list(table)
    for gid, g in table.items():
        patience = get(g, ("patience",))
        rows.append({t("editor.group", lang): _name(table, gid, lang), t("editor.share", lang): float(get(g, ("share",), 0)),
                     t("editor.patience", lang): None if patience is None else float(get(patience, ("mean",), 0) or 0),
                     t("editor.service_factor", lang): float(get(g, ("service_factor",), 1.0)),
                     t("editor.self_service", lang): float(get(g, ("self_service_adoption",), 0.0))})
    edited = _table(rows, f"{key}.groups", disabled=(t("editor.group", lang),))
    defaults = {"share": 0.0, "service_factor": 1.0, "self_service_adoption": 0.0}
    for gid, row in zip(ids, edited):
        for label, field in ((t("editor.share", lang), "share"), (t("editor.service_factor", lang), "service_factor"),
                             (t("editor.self_service", lang), "self_service_adoption")):
            value = row.get(label)
            current = float(get(table[gid], (field,), defaults[field]))
            if value is not None and float(value) != current:
                put(doc, ("groups", gid, field), number(float(value)))
        patience = get(table[gid], ("patience",))
        value = row.get(t("editor.patience", lang))
        if patience is not None and value is not None and "mean" in patience and float(value) != float(patience["mean"]):
            put(doc, ("groups", gid, "patience", "mean"), number(float(value)))


def staff(doc: CommentedMap, lang: str, key: str) -> None:
    roles = get(doc, ("roles",), {})
    hours = len(next(iter(get(doc, ("arrivals", "per_hour"), {}).values()), []))
    counts = {r: (list(v["staff"]) if isinstance(v["staff"], list) else [v["staff"]] * max(1, hours)) for r, v in roles.items()}
    length = max((len(c) for c in counts.values()), default=0)
    clock = _hour_labels(doc, length)
    label = {r: _name(roles, r, lang) for r in roles}
    rows = [{t("editor.hour", lang): clock[h], **{label[r]: counts[r][h] if h < len(counts[r]) else None for r in roles}}
            for h in range(length)]
    edited = _table(rows, f"{key}.staff", disabled=(t("editor.hour", lang),))
    for r, role in roles.items():
        values = [row.get(label[r]) for row in edited]
        if any(v is None for v in values):
            continue
        new = [int(v) for v in values]
        if isinstance(role["staff"], list):
            if new != list(role["staff"]):
                put(doc, ("roles", r, "staff"), new)
        elif len(set(new)) == 1:
            if new[0] != role["staff"]:
                put(doc, ("roles", r, "staff"), new[0])
        else:
            put(doc, ("roles", r, "staff"), new)


def step_times(doc: CommentedMap, lang: str, key: str) -> None:
    steps = get(doc, ("steps",), {})
    timed = [sid for sid, step in steps.items() if get(step, ("time",)) is not None]
    if not timed:
        return
    sid = st.selectbox(t("editor.step", lang), timed, key=f"{key}.step")
    time_spec = steps[sid]["time"]
    kind = str(time_spec.get("dist"))
    fields = DIST_FIELDS.get(kind, ())
    cols = st.columns(max(1, len(fields)))
    new = {"dist": kind}
    for col, field in zip(cols, fields):
        new[field] = col.number_input(f"{field} ({t('editor.minutes', lang)})", min_value=0.0, max_value=1e6,
                                      value=float(time_spec.get(field, 0)), key=f"{key}.{sid}.{field}", format="%.2f")
    try:
        dist = _DIST.validate_python({k: number(v) if isinstance(v, float) else v for k, v in new.items()})
    except ValidationError as error:
        st.error(t("editor.bad_time", lang, error=error.errors()[0]["msg"]))
        return
    if any(float(time_spec.get(f, -1)) != float(new[f]) for f in fields):
        put(doc, ("steps", sid, "time"), {k: number(v) if isinstance(v, float) else v for k, v in new.items()})
    samples = dist.from_uniform(np.random.default_rng(0).random(2000))
    fig = go.Figure(go.Histogram(x=samples, nbinsx=40, marker_color="#0072B2"))
    fig.update_layout(height=200, margin=dict(l=40, r=10, t=10, b=30), template="plotly_white",
                      xaxis_title=t("editor.minutes", lang), yaxis_visible=False)
    st.plotly_chart(fig, key=f"{key}.preview")
    st.caption(t("editor.time_summary", lang, mean=f"{dist.mean_value():.2f}", sd=f"{dist.sd_value():.2f}"))


def tools(doc: CommentedMap, lang: str, key: str) -> None:
    table = get(doc, ("tools",), {})
    if not table:
        st.caption(t("sandbox.no_tools", lang))
        return
    rows = []
    ids = list(table)
    # a file priced in roubles edits the one-off cost in roubles; an older one its points
    rub_file = any(get(x, ("cost", "one_off_roubles"), None) is not None for x in table.values())
    price, price_label = ("one_off_roubles", t("pricing.one_off_rub", lang)) if rub_file else ("points", t("editor.points", lang))
    for tid, tool in table.items():
        factors = [e.get("factor") for e in tool.get("effects", [])]
        first = next((i for i, f in enumerate(factors) if f is not None), None)
        rows.append({t("editor.tool", lang): _name(table, tid, lang), price_label: float(get(tool, ("cost", price), 0) or 0),
                     t("editor.rub_day", lang): float(get(tool, ("cost", "roubles_per_day"), 0) or 0),
                     t("editor.factor", lang): None if first is None else float(factors[first])})
    edited = _table(rows, f"{key}.tools", disabled=(t("editor.tool", lang),))
    for tid, row in zip(ids, edited):
        tool = table[tid]
        points = row.get(price_label)
        if points is not None and float(points) != float(get(tool, ("cost", price), 0) or 0):
            put(doc, ("tools", tid, "cost", price), number(float(points)) if rub_file else int(points))
        rub = row.get(t("editor.rub_day", lang))
        if rub is not None and float(rub) != float(get(tool, ("cost", "roubles_per_day"), 0) or 0):
            put(doc, ("tools", tid, "cost", "roubles_per_day"), number(float(rub)))
        factor = row.get(t("editor.factor", lang))
        effects = tool.get("effects", [])
        first = next((i for i, e in enumerate(effects) if e.get("factor") is not None), None)
        if first is not None and factor is not None and float(factor) != float(effects[first]["factor"]):
            effects[first]["factor"] = number(float(factor))


def rounds(doc: CommentedMap, lang: str, key: str) -> None:
    plan = get(doc, ("rounds",), [])
    if not plan:
        return
    rub_file = any(get(r, ("budget_roubles",), None) is not None for r in plan)
    field, label = ("budget_roubles", t("pricing.budget_rub", lang)) if rub_file else ("budget", t("editor.budget", lang))
    rows = [{t("report.round", lang): i + 1, t("editor.title", lang): str(get(r, ("title", lang), "")),
             label: float(get(r, (field,), 0) or 0)} for i, r in enumerate(plan)]
    edited = _table(rows, f"{key}.rounds", disabled=(t("report.round", lang), t("editor.title", lang)))
    for i, row in enumerate(edited):
        budget = row.get(label)
        if budget is not None and float(budget) != float(get(plan[i], (field,), 0) or 0):
            put(doc, ("rounds", i, field), number(float(budget)) if rub_file else int(budget))
