"""Plotly figure builders: pure functions from results to figures, testable without Streamlit.

Colours are the Okabe-Ito palette, safe for colour-blind readers; nothing is told by colour alone
(boxes carry labels, heat-map cells outside the target band carry a mark).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from sim.experiment import Results
from sim.i18n import pick, t
from sim.scenario import Scenario
from sim.vsm import ValueStream

BLUE, ORANGE, SKY, GREEN, VERMILLION, PURPLE, GREY = "#0072B2", "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#CC79A7", "#7F7F7F"
VALUE_COLOURS = {"value_added": BLUE, "necessary": ORANGE, "waste": VERMILLION}
BAND_LOW, BAND_HIGH = 0.65, 0.85
FONT = dict(family="DejaVu Sans, Arial, sans-serif", size=15)


def _layout(fig: go.Figure, title: str, **extra: object) -> go.Figure:
    settings: dict[str, object] = {
        "title": dict(text=title, x=0.0, xanchor="left"),
        "template": "plotly_white",
        "font": FONT,
        "margin": dict(l=60, r=30, t=70, b=60),
        "legend": dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1.0),
    }
    settings.update(extra)
    fig.update_layout(**settings)
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


def wait_distribution(results: Results, scenario: Scenario, lang: str, baseline: Results | None = None) -> go.Figure:
    """Waiting time per reader group as boxes (quartiles and whiskers, computed here: light to send)."""
    fig = go.Figure()
    runs = [(t("chart.as_is", lang), baseline, SKY), (t("chart.with_tools", lang), results, BLUE)] if baseline else [
        (t("chart.this_run", lang), results, BLUE)]
    for label, run, colour in runs:
        assert run is not None
        names, stats = [], []
        for gid, group in scenario.groups.items():
            samples = run.wait_samples.get(gid)
            if samples is None or len(samples) == 0:
                continue
            names.append(pick(group.name, lang))
            stats.append(_box_stats(np.asarray(samples, dtype=float)))
        if not stats:
            continue
        fig.add_trace(go.Box(
            name=label, x=names, marker_color=colour, boxmean=True,
            q1=[s["q1"] for s in stats], median=[s["median"] for s in stats], q3=[s["q3"] for s in stats],
            mean=[s["mean"] for s in stats], lowerfence=[s["lowerfence"] for s in stats],
            upperfence=[s["upperfence"] for s in stats],
        ))
    fig.add_hline(y=15, line_dash="dot", line_color=GREY, annotation_text=t("chart.limit_15", lang),
                  annotation_position="top left")
    return _layout(fig, t("chart.wait_title", lang), boxmode="group",
                   yaxis_title=t("chart.minutes", lang), xaxis_title=t("chart.group", lang))


def day_profile(results: Results, scenario: Scenario, lang: str) -> go.Figure:
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
    return _layout(
        fig, t("chart.day_title", lang),
        xaxis_title=t("chart.hour", lang), yaxis=dict(title=t("chart.readers", lang), rangemode="tozero"),
        yaxis2=dict(title=t("chart.staff", lang), overlaying="y", side="right", range=[0, max(1.0, float(staff.max())) * 1.15],
                    dtick=1, tickformat=".0f", showgrid=False),
    )


def utilisation_heatmap(results: Results, scenario: Scenario, lang: str) -> go.Figure:
    """Staff utilisation, role x hour; cells above or below the 65-85% band carry a mark."""
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
                marks.append(f"▲ {100 * v:.0f}%")
            elif v < BAND_LOW:
                marks.append(f"▼ {100 * v:.0f}%")
            else:
                marks.append(f"{100 * v:.0f}%")
        text.append(marks)
    names = [pick(scenario.roles[r].name, lang) for r in roles]
    fig = go.Figure(go.Heatmap(
        z=z, x=x, y=names, text=text, texttemplate="%{text}", colorscale="Cividis", zmin=0, zmax=100,
        colorbar=dict(title="%", tickvals=[0, 65, 85, 100], ticktext=["0", "65", "85", "100"]),
        hovertemplate="%{y}, %{x}: %{z:.0f}%<extra></extra>",
    ))
    return _layout(fig, t("chart.util_title", lang), xaxis_title=t("chart.hour", lang))


def left_unserved(results: Results, scenario: Scenario, lang: str, baseline: Results | None = None) -> go.Figure:
    """Share of each group's readers who left unserved (with the baseline beside it)."""
    names = [pick(g.name, lang) for g in scenario.groups.values()]
    fig = go.Figure()
    runs = [(t("chart.as_is", lang), baseline, SKY, "/"), (t("chart.with_tools", lang), results, BLUE, "")] if baseline else [
        (t("chart.this_run", lang), results, BLUE, "")]
    for label, run, colour, pattern in runs:
        assert run is not None
        values, errors = [], []
        for gid in scenario.groups:
            e = run.groups.get(gid, {}).get("left_unserved_share")
            mean = e.mean if e and e.mean is not None else None
            values.append(None if mean is None else 100.0 * mean)
            errors.append(0.0 if not e or not e.ci95 or mean is None else 100.0 * (e.ci95[1] - mean))
        fig.add_trace(go.Bar(x=names, y=values, name=label, marker_color=colour, marker_pattern_shape=pattern,
                             error_y=dict(type="data", array=errors, visible=True),
                             texttemplate="%{y:.1f}%", textposition="outside"))
    return _layout(fig, t("chart.left_title", lang), barmode="group", yaxis_title="%", xaxis_title=t("chart.group", lang))


def score_gauge(mean: float | None, ci: tuple[float, float] | None, lang: str) -> go.Figure:
    """The balanced score on a 0-200 dial, 100 = as it is."""
    value = 100.0 if mean is None else mean
    fig = go.Figure(go.Indicator(
        mode="gauge+number+delta", value=value,
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
    return _layout(fig, t("chart.score_title", lang), height=300, margin=dict(l=30, r=30, t=60, b=10))


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
    return t("vsm.summary", lang, lead=f"{stream.lead_time_min / scale:.1f}", unit=unit,
             va=f"{stream.value_added_min / scale:.1f}", pce="—" if pce is None else f"{100 * pce:.0f}%")


def vsm(stream: ValueStream, lang: str) -> go.Figure:
    """A value-stream map: a box per step (coloured and labelled by value class), the waiting
    before each step, and the time ladder below (up: waiting, down: work)."""
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
        name = pick(step.name, lang)
        if len(name) > 26:  # wrap long step names onto two lines
            cut = name.rfind(" ", 0, 26)
            name = name[:cut] + "<br>" + name[cut + 1:] if cut > 0 else name
        label = (f"<b>{name}</b><br><i>{t('vsm.' + step.value, lang)}</i>"
                 f"<br>{t('vsm.process', lang)}: {step.process_min / scale:.1f} {unit}")
        fig.add_annotation(x=x0 + width / 2, y=1.65, text=label, showarrow=False, font=dict(size=13, color="black"))
        fig.add_annotation(x=x0 - gap / 2, y=0.85, showarrow=False, font=dict(size=13, color=VERMILLION),
                           text=f"△<br>{step.wait_min / scale:.1f} {unit}")
        ladder_x += [x0 - gap, x0, x0, x0 + width, x0 + width]
        ladder_y += [0.35, 0.35, 0.05, 0.05, 0.35]
    fig.add_trace(go.Scatter(x=ladder_x, y=ladder_y, mode="lines", line=dict(color="black", width=2),
                             hoverinfo="skip", showlegend=False))
    for value, colour in VALUE_COLOURS.items():  # a legend of the value classes
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", marker=dict(symbol="square", size=14, color=colour),
                                 name=t("vsm." + value, lang)))
    fig.update_xaxes(visible=False, range=[-gap - 0.2, max(1, len(stream.steps)) * (width + gap)])
    fig.update_yaxes(visible=False, range=[-0.1, 2.5])
    title = f"{t('vsm.title', lang)}: {pick(stream.title, lang)}"
    return _layout(fig, title, height=380, margin=dict(l=20, r=20, t=90, b=20))
