"""The balance analysis as a picture: each run set of tools by its one-off cost and its score, per
round, with the frontier (the best score for at most that cost). Pure: returns a Plotly figure."""

from __future__ import annotations

import plotly.graph_objects as go

from sim.balance import Balance
from sim.i18n import pick, plotly_separators, t
from sim.lean import one_off_roubles, priced_in_roubles, tool_points
from sim.scenario import Scenario

from .charts import BLUE, FONT, GREEN, ORANGE, PURPLE, SKY, VERMILLION

ROUND_COLOURS = (BLUE, ORANGE, GREEN, VERMILLION, PURPLE, SKY)  # colour-blind safe; symbols differ too
SYMBOLS = ("circle", "square", "diamond", "triangle-up", "cross", "x")


def set_cost(scenario: Scenario, tools: tuple[str, ...] | list[str]) -> float:
    """What a set of tools in force cost to put in place: roubles, or points in a file priced in points."""
    return one_off_roubles(scenario, tools) if priced_in_roubles(scenario) else float(tool_points(scenario, tools))


def frontier(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other beats on both counts (cheaper or as cheap, and a higher score), by cost."""
    out: list[tuple[float, float]] = []
    for cost, score in sorted(points, key=lambda p: (p[0], -p[1])):
        if not out or score > out[-1][1]:
            out.append((cost, score))
    return out


def balance_frontier(balance: Balance, scenario: Scenario, lang: str) -> go.Figure:
    """Score (100 = as it is) against the one-off cost of the tools in force, one colour and symbol per round."""
    fig = go.Figure()
    for i, r in enumerate(balance.rounds):
        if not r.best:
            continue
        colour, symbol = ROUND_COLOURS[i % len(ROUND_COLOURS)], SYMBOLS[i % len(SYMBOLS)]
        xs = [set_cost(scenario, s.tools) for s in r.best]
        ys = [s.score.mean if s.score.mean is not None else 100.0 for s in r.best]
        names = [", ".join(pick(scenario.tools[x].name, lang) for x in s.tools) or t("history.as_is", lang) for s in r.best]
        errors = [((s.score.ci95[1] - s.score.ci95[0]) / 2) if s.score.ci95 else 0.0 for s in r.best]
        label = t("balance_tab.round", lang, n=r.number)
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="markers", name=label, text=names, legendgroup=label,
                                 marker={"color": colour, "symbol": symbol, "size": 10},
                                 error_y={"type": "data", "array": errors, "visible": True, "color": colour},
                                 hovertemplate="%{text}<br>%{x:,.0f}: %{y:.1f}<extra></extra>"))
        edge = frontier(list(zip(xs, ys)))
        fig.add_trace(go.Scatter(x=[p[0] for p in edge], y=[p[1] for p in edge], mode="lines", showlegend=False,
                                 legendgroup=label, line={"color": colour, "dash": "dot"}, hoverinfo="skip"))
    unit = "balance_tab.cost_rub" if priced_in_roubles(scenario) else "balance_tab.cost_points"
    fig.update_layout(title=t("balance_tab.chart_title", lang), xaxis_title=t(unit, lang),
                      yaxis_title=t("chart.score_title", lang), font=FONT, separators=plotly_separators(lang),
                      template="plotly_white", legend={"orientation": "h"}, margin={"t": 60, "b": 40})
    fig.add_hline(y=100, line={"color": "#888", "dash": "dash"})
    return fig
