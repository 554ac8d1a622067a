"""Marks of the disruption events on the Day chart: a dashed line at a group visit's time, a light band
over the opening hours for a staff absence or a rush (the chart is an average day, so each mark names
the day of its event). Pure functions on Plotly figures, testable without Streamlit."""

from __future__ import annotations

import plotly.graph_objects as go

from sim.events import event_lines
from sim.i18n import t
from sim.scenario import Scenario

MARK_COLOUR = "#000000"  # black: apart from the Okabe-Ito colours of the chart's own lines and bars
BAND_FILL = "rgba(0, 0, 0, 0.05)"  # a light band: the bars and lines stay readable through it
LABEL_STEP = 0.07  # paper height between two labels, so marks of several events do not overwrite each other


def _position(hours: list[int], minute_of_day: float) -> float | None:
    """The x of a time of day on a category axis of whole hours: an hour's tick (where its figures are
    drawn) is its start, as its label says, so 15:20 is a third of the way from 15:00 to 16:00."""
    hour = int(minute_of_day // 60)
    if hour not in hours:
        return None
    return hours.index(hour) + (minute_of_day - hour * 60) / 60.0


def add_event_marks(fig: go.Figure, scenario: Scenario, hours: list[int], lang: str) -> int:
    """Mark the events switched on in `scenario` on a day chart whose x axis is `hours` (hours of day);
    returns how many marks were drawn."""
    cal = scenario.calendar
    if cal.mode != "daily" or not scenario.events_on:
        return 0
    drawn = 0
    for line in event_lines(scenario, scenario.events_on, lang):
        event = scenario.events[line.id]
        y = 1.0 - LABEL_STEP * drawn
        if event.kind == "group_visit":
            x = _position(hours, event.at_min)
            if x is None:
                continue
            label = f"{line.name}, {t('events.chart_day', lang, day=event.day)}, {event.at}"
            fig.add_shape(type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
                          line=dict(color=MARK_COLOUR, width=2, dash="dash"))
            fig.add_annotation(x=x, y=y, xref="x", yref="paper", text=label, showarrow=False, xanchor="left",
                               yanchor="top", bgcolor="rgba(255,255,255,0.8)", font=dict(size=12))
        else:
            start = _position(hours, cal.open_min)
            end = _position(hours, cal.close_min - 60)  # the last opening hour's tick
            if start is None or end is None:
                continue
            if event.kind == "staff_absence" or event.from_day == event.to_day:
                day = t("events.chart_day", lang, day=event.day if event.kind == "staff_absence" else event.from_day)
            else:
                day = t("events.chart_days", lang, first=event.from_day, last=event.to_day)
            fig.add_shape(type="rect", xref="x", yref="paper", x0=start - 0.5, x1=end + 0.5, y0=0, y1=1, line_width=0,
                          fillcolor=BAND_FILL, layer="below")
            fig.add_annotation(x=start - 0.5, y=y, xref="x", yref="paper", text=f"{line.name}, {day}", showarrow=False,
                               xanchor="left", yanchor="top", bgcolor="rgba(255,255,255,0.8)", font=dict(size=12))
        drawn += 1
    return drawn
