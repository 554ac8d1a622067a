"""Plotly figure builders: pure functions from results to figures, testable without Streamlit.

Colours are the Okabe-Ito palette, safe for colour-blind readers; nothing is told by colour alone
(boxes carry labels, heat-map cells outside the target band carry a mark).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from sim.experiment import Results
from sim.i18n import num, pick, plotly_separators, t
from sim.scenario import Scenario
from sim.vsm import ValueStream, VsmStep

from .event_charts import add_event_marks

BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, GREY = "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#7F7F7F"
VALUE_COLOURS = {"value_added": BLUE, "necessary": ORANGE, "waste": VERMILLION}
BAND_LOW, BAND_HIGH = 0.65, 0.85
FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=15)


def _wrap(text: str, width: int) -> str:
    """Break a label onto lines of about `width` characters (Plotly does not wrap by itself)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def _layout(fig: go.Figure, title: str, lang: str, compact: bool = False, **extra: object) -> go.Figure:
    """Common layout. `compact` is the phone form (under ~500 px): the title wrapped, the legend
    below the plot (never over the title), small margins."""
    settings: dict[str, object] = {
        "title": dict(text=_wrap(title, 30) if compact else title, x=0.0, xanchor="left",
                      font=dict(size=15 if compact else 18)),
        "template": "plotly_white",
        "font": dict(FONT, size=12) if compact else FONT,
        "separators": plotly_separators(lang),
        "margin": dict(l=10, r=10, t=80, b=10) if compact else dict(l=60, r=30, t=90, b=60),
        "legend": (dict(orientation="h", yanchor="top", y=-0.18, xanchor="left", x=0.0) if compact
                   else dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1.0)),
    }
    settings.update(extra)
    fig.update_layout(**settings)
    if compact:
        fig.update_xaxes(automargin=True)
        fig.update_yaxes(automargin=True)
    return fig


def hour_labels(results: Results, scenario: Scenario) -> list[str]:
    if scenario.calendar.mode == "daily":
        return [f"{h:02d}:00" for h in results.hours]
    return [str(h) for h in results.hours]


def _box_stats(values: np.ndarray) -> dict[str, float]:
    q1, median, q3 = (float(x) for x in np.percentile(values, [25, 50, 75]))
    iqr = q3 - q1
    inside = values[(values >= q1 - 1.5 * iqr) & (values <= q3 + 1.5 * iqr)]
    return {
        "q1": q1, "median": median, "q3": q3, "mean": float(values.mean()),
        "lowerfence": float(inside.min()), "upperfence": float(inside.max()),
    }


def _run_names(lang: str, names: tuple[str, str] | None) -> tuple[str, str]:
    """Legend names of the baseline and the variant: "as it is / with tools" unless told otherwise."""
    return names or (t("chart.as_is", lang), t("chart.with_tools", lang))


def wait_distribution(results: Results, scenario: Scenario, lang: str, baseline: Results | None = None, *,
                      names: tuple[str, str] | None = None, compact: bool = False) -> go.Figure:
    """Waiting time per reader group as boxes (quartiles and whiskers, computed here: light to send).

    In the compact form the boxes lie horizontally, group names on the left, one under another."""
    fig = go.Figure()
    base_name, variant_name = _run_names(lang, names)
    runs = [(base_name, baseline, SKY), (variant_name, results, BLUE)] if baseline else [
        (t("chart.this_run", lang), results, BLUE)]
    for label, run, colour in runs:
        assert run is not None
        names: list[str] = []
        stats = []
        for gid, group in scenario.groups.items():
            samples = run.wait_samples.get(gid)
            if samples is None or len(samples) == 0:
                continue
            names.append(pick(group.name, lang))
            stats.append(_box_stats(np.asarray(samples, dtype=float)))
        if not stats:
            continue
        axis = {"y": [_wrap(n, 14) for n in names], "orientation": "h"} if compact else {"x": names}
        fig.add_trace(go.Box(
            name=label, marker_color=colour, boxmean=True, **axis,
            q1=[s["q1"] for s in stats], median=[s["median"] for s in stats], q3=[s["q3"] for s in stats],
            mean=[s["mean"] for s in stats], lowerfence=[s["lowerfence"] for s in stats],
            upperfence=[s["upperfence"] for s in stats],
        ))
    if compact:
        fig.add_vline(x=15, line_dash="dot", line_color=GREY)
        return _layout(fig, t("chart.wait_title", lang), lang, compact, boxmode="group",
                       height=140 + 70 * len(scenario.groups), xaxis_title=t("chart.minutes", lang),
                       yaxis=dict(autorange="reversed"))
    fig.add_hline(y=15, line_dash="dot", line_color=GREY, annotation_text=t("chart.limit_15", lang),
                  annotation_position="top left")
    return _layout(fig, t("chart.wait_title", lang), lang, boxmode="group",
                   yaxis_title=t("chart.minutes", lang), xaxis_title=t("chart.group", lang))


def day_profile(results: Results, scenario: Scenario, lang: str, *, compact: bool = False) -> go.Figure:
    """Queue length and readers inside (lines) and staff on duty (bars) hour by hour."""
    x = hour_labels(results, scenario)
    staff = np.zeros(len(x))
    for role_id in scenario.roles:
        values = results.hourly.get(f"staff_on_duty.{role_id}")
        if values:
            staff += np.array([v or 0.0 for v in values])
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=staff, name=t("chart.staff_on_duty", lang), marker_color=SKY, opacity=0.55, yaxis="y2"))
    fig.add_trace(go.Scatter(x=x, y=results.hourly.get("queue_length"), name=t("chart.queue_length", lang),
                             mode="lines+markers", line=dict(color=VERMILLION, width=3), marker_symbol="circle"))
    fig.add_trace(go.Scatter(x=x, y=results.hourly.get("readers_inside"), name=t("chart.readers_inside", lang),
                             mode="lines+markers", line=dict(color=BLUE, width=2, dash="dash"), marker_symbol="square"))
    if scenario.calendar.mode == "daily":
        add_event_marks(fig, scenario, results.hours, lang)  # the disruption events of this run, if any
    return _layout(
        fig, t("chart.day_title", lang), lang, compact,
        xaxis=dict(title=t("chart.hour", lang), nticks=6 if compact else None),
        yaxis=dict(title=None if compact else t("chart.readers", lang), rangemode="tozero"),
        yaxis2=dict(title=None if compact else t("chart.staff", lang), overlaying="y", side="right",
                    range=[0, max(1.0, float(staff.max())) * 1.15], dtick=1, tickformat=".0f", showgrid=False),
    )


def utilisation_heatmap(results: Results, scenario: Scenario, lang: str, *, compact: bool = False) -> go.Figure:
    """Staff utilisation, role x hour; cells above or below the 65-85% band carry a mark.

    The compact form turns it round (hours down, roles across) so that it is tall enough to read on a phone."""
    x = hour_labels(results, scenario)
    roles = list(scenario.roles)
    z, text = [], []
    for role_id in roles:
        row = results.hourly.get(f"utilisation.{role_id}") or [None] * len(x)
        z.append([None if v is None else 100.0 * v for v in row])
        marks = []
        for v in row:
            if v is None:
                marks.append("")
            elif v > BAND_HIGH:
                marks.append(f"▲ {num(100 * v, lang, 0)}%")
            elif v < BAND_LOW:
                marks.append(f"▼ {num(100 * v, lang, 0)}%")
            else:
                marks.append(f"{num(100 * v, lang, 0)}%")
        text.append(marks)
    names = [pick(scenario.roles[r].name, lang) for r in roles]
    colorbar = dict(title="%", tickvals=[0, 65, 85, 100], ticktext=["0", "65", "85", "100"])
    if compact:
        fig = go.Figure(go.Heatmap(
            z=[list(col) for col in zip(*z)], y=x, x=[_wrap(n, 10) for n in names], text=[list(col) for col in zip(*text)],
            texttemplate="%{text}", colorscale="Cividis", zmin=0, zmax=100, showscale=False,
            hovertemplate="%{x}, %{y}: %{z:.0f}%<extra></extra>",
        ))
        return _layout(fig, t("chart.util_title", lang), lang, compact, height=140 + 30 * len(x),
                       yaxis=dict(autorange="reversed", title=t("chart.hour", lang)), xaxis=dict(side="top"))
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=names, text=text, texttemplate="%{text}", colorscale="Cividis", zmin=0, zmax=100,
        colorbar=colorbar, hovertemplate="%{y}, %{x}: %{z:.0f}%<extra></extra>",
    ))
    return _layout(fig, t("chart.util_title", lang), lang, xaxis_title=t("chart.hour", lang),
                   height=max(320, 160 + 60 * len(roles)))


def left_unserved(results: Results, scenario: Scenario, lang: str, baseline: Results | None = None, *,
                  names: tuple[str, str] | None = None, compact: bool = False) -> go.Figure:
    """Share of each group's readers who left unserved (with the baseline beside it); horizontal bars
    in the compact form."""
    groups = [pick(g.name, lang) for g in scenario.groups.values()]
    fig = go.Figure()
    base_name, variant_name = _run_names(lang, names)
    runs = [(base_name, baseline, SKY, "/"), (variant_name, results, BLUE, "")] if baseline else [
        (t("chart.this_run", lang), results, BLUE, "")]
    for label, run, colour, pattern in runs:
        assert run is not None
        values, errors = [], []
        for gid in scenario.groups:
            e = run.groups.get(gid, {}).get("left_unserved_share")
            mean = e.mean if e and e.mean is not None else None
            values.append(None if mean is None else 100.0 * mean)
            errors.append(0.0 if not e or not e.ci95 or mean is None else 100.0 * (e.ci95[1] - mean))
        if compact:
            fig.add_trace(go.Bar(y=[_wrap(g, 14) for g in groups], x=values, name=label, orientation="h",
                                 marker_color=colour, marker_pattern_shape=pattern,
                                 error_x=dict(type="data", array=errors, visible=True),
                                 texttemplate="%{x:.1f}%", textposition="outside", cliponaxis=False))
        else:
            fig.add_trace(go.Bar(x=groups, y=values, name=label, marker_color=colour, marker_pattern_shape=pattern,
                                 error_y=dict(type="data", array=errors, visible=True),
                                 texttemplate="%{y:.1f}%", textposition="outside"))
    if compact:
        return _layout(fig, t("chart.left_title", lang), lang, compact, barmode="group", xaxis_title="%",
                       height=140 + 70 * len(groups), yaxis=dict(autorange="reversed"))
    return _layout(fig, t("chart.left_title", lang), lang, barmode="group", yaxis_title="%",
                   xaxis_title=t("chart.group", lang))


def score_gauge(mean: float | None, ci: tuple[float, float] | None, lang: str, *, compact: bool = False) -> go.Figure:
    """The balanced score on a 0-200 dial, 100 = as it is."""
    value = 100.0 if mean is None else mean
    fig = go.Figure(go.Indicator(
        # a phone: no room for the delta; as it is (exactly 100): no change to show (Plotly drew a "-")
        mode="gauge+number" if compact or value == 100.0 else "gauge+number+delta", value=value,
        number=dict(valueformat=".1f"),
        delta=dict(reference=100, valueformat=".1f", increasing=dict(color=BLUE, symbol="▲ "),
                   decreasing=dict(color=VERMILLION, symbol="▼ ")),
        gauge=dict(
            axis=dict(range=[0, 200], tickvals=[0, 50, 100, 150, 200]),
            bar=dict(color=BLUE),
            steps=[dict(range=[0, 100], color="#F2F2F2"), dict(range=[100, 200], color="#DCEBF5")],
            threshold=dict(line=dict(color="black", width=3), value=100),
        ),
    ))
    return _layout(fig, t("chart.score_title", lang), lang, compact, height=260 if compact else 300,
                   margin=dict(l=40, r=40, t=60, b=10))  # room for the dial's "200"


def _time_unit(stream: ValueStream, lang: str) -> tuple[float, str]:
    lead = stream.lead_time_min
    if stream.kind == "acquisitions" and lead > 2 * 1440:
        return 1440.0, t("chart.days", lang)
    if lead > 180:
        return 60.0, t("chart.hours", lang)
    return 1.0, t("chart.minutes", lang)


def vsm_summary(stream: ValueStream, lang: str) -> str:
    """Lead time, value-added time and PCE of a stream, in words."""
    scale, unit = _time_unit(stream, lang)
    pce = stream.pce
    return t("vsm.summary", lang, lead=num(stream.lead_time_min / scale, lang), unit=unit,
             va=num(stream.value_added_min / scale, lang), pce="—" if pce is None else f"{num(100 * pce, lang, 0)}%")


def _parts_label(step: VsmStep, scale: float, unit: str, lang: str) -> str:
    """A line per part of a step split into parts: its name, minutes and value class (or waste)."""
    return "".join(
        f"<br>· {_wrap(pick(p.name, lang), 30)}: {num(p.process_min / scale, lang)} {unit} "
        f"({t('waste.' + p.waste, lang) if p.waste else t('vsm.' + p.value, lang)})" for p in step.parts)


def _value_legend(fig: go.Figure, lang: str) -> None:
    for value, colour in VALUE_COLOURS.items():  # a legend of the value classes
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(symbol="square", size=14, color=colour),
                                 name=t("vsm." + value, lang)))


def vsm(stream: ValueStream, lang: str, *, compact: bool = False) -> go.Figure:
    """A value-stream map: a box per step (coloured and labelled by value class), the waiting
    before each step, and the time ladder below (up: waiting, down: work).

    The compact form (phones) puts the steps one under another, each with its waiting above it."""
    if compact:
        return _vsm_compact(stream, lang)
    scale, unit = _time_unit(stream, lang)
    fig = go.Figure()
    width, gap = 2.6, 1.0
    ladder_x: list[float] = []
    ladder_y: list[float] = []
    for i, step in enumerate(stream.steps):
        x0 = i * (width + gap)
        colour = VALUE_COLOURS[step.value]
        fig.add_shape(type="rect", x0=x0, x1=x0 + width, y0=1.0, y1=2.3, line=dict(color=colour, width=3),
                      fillcolor=colour, opacity=0.15)
        label = (f"<b>{_wrap(pick(step.name, lang), 26)}</b><br><i>{t('vsm.' + step.value, lang)}</i>"
                 f"<br>{t('vsm.process', lang)}: {num(step.process_min / scale, lang)} {unit}"
                 f"{_parts_label(step, scale, unit, lang)}")
        fig.add_annotation(x=x0 + width / 2, y=1.65, text=label, showarrow=False, font=dict(size=13, color="black"))
        fig.add_annotation(x=x0 - gap / 2, y=0.85, showarrow=False, font=dict(size=13, color=VERMILLION),
                           text=f"△<br>{num(step.wait_min / scale, lang)} {unit}")
        ladder_x += [x0 - gap, x0, x0, x0 + width, x0 + width]
        ladder_y += [0.35, 0.35, 0.05, 0.05, 0.35]
    fig.add_trace(go.Scatter(x=ladder_x, y=ladder_y, mode="lines", line=dict(color="black", width=2),
                             hoverinfo="skip", showlegend=False))
    _value_legend(fig, lang)
    fig.update_xaxes(visible=False, range=[-gap - 0.2, max(1, len(stream.steps)) * (width + gap)])
    fig.update_yaxes(visible=False, range=[-0.1, 2.5])
    title = f"{t('vsm.title', lang)}: {pick(stream.title, lang)}"
    return _layout(fig, title, lang, height=380, margin=dict(l=20, r=20, t=90, b=20))


def _vsm_compact(stream: ValueStream, lang: str) -> go.Figure:
    scale, unit = _time_unit(stream, lang)
    fig = go.Figure()
    row = 1.0  # each step takes a row of this height, its waiting a strip of half of it above
    for i, step in enumerate(stream.steps):
        top = -i * 1.6 * row
        colour = VALUE_COLOURS[step.value]
        fig.add_annotation(x=0.5, y=top + 0.3, showarrow=False, font=dict(size=12, color=VERMILLION),
                           text=f"△ {t('vsm.wait', lang)}: {num(step.wait_min / scale, lang)} {unit}")
        fig.add_shape(type="rect", x0=0.0, x1=1.0, y0=top - row, y1=top, line=dict(color=colour, width=3),
                      fillcolor=colour, opacity=0.15)
        label = (f"<b>{_wrap(pick(step.name, lang), 28)}</b><br><i>{t('vsm.' + step.value, lang)}</i> · "
                 f"{t('vsm.process', lang)}: {num(step.process_min / scale, lang)} {unit}"
                 f"{_parts_label(step, scale, unit, lang)}")
        fig.add_annotation(x=0.5, y=top - row / 2, text=label, showarrow=False, font=dict(size=12, color="black"))
    _value_legend(fig, lang)
    bottom = -(len(stream.steps) - 1) * 1.6 * row - row
    fig.update_xaxes(visible=False, range=[0.0, 1.0])
    fig.update_yaxes(visible=False, range=[bottom - 0.1, 0.6])
    title = f"{t('vsm.title', lang)}: {pick(stream.title, lang)}"
    return _layout(fig, title, lang, True, height=150 + 95 * len(stream.steps))
