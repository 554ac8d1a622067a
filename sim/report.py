"""The debrief report of a training session: one self-contained HTML file, and the figures as XLSX.

The HTML carries plotly.js inline, so it opens and prints with no network; it holds the
leaderboard of every round, the score and the main figures of each team round by round, each
team's decisions and notes (the A3 in miniature), and the debrief questions.
"""

from __future__ import annotations

import html
import time
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from . import pdca
from .events import event_lines, round_events
from .export import to_xlsx
from .i18n import num, pick, plotly_separators, t
from .kpis import display_unit, kpi, kpi_name
from .training import Decision, Training, TrainingError
from .training.observations import is_gemba
from .wastewalk import matches, observation_label, place_label, teams_table

REPORT_KPIS = ("wait_mean", "wait_p90", "left_unserved_share", "served_within_15_worst_group", "equity_p90_ratio",
               "stack_order_lead_time_mean", "reshelve_lead_time_mean", "acquisitions_lead_time_days", "staff_cost")
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def _boards(training: Training, code: str) -> dict[int, list[dict[str, Any]]]:
    boards = {}
    for r in training.rounds(code):
        if r.status == "closed":
            boards[r.number] = training.leaderboard(code, r.number)
    return boards


def _score_figure(boards: dict[int, list[dict[str, Any]]], lang: str) -> go.Figure:
    fig = go.Figure()
    teams = sorted({row["team"] for rows in boards.values() for row in rows})
    for i, team in enumerate(teams):
        xs, ys = [], []
        for number, rows in sorted(boards.items()):
            for row in rows:
                if row["team"] == team:
                    xs.append(t("report.round_n", lang, n=number))
                    ys.append(row["score"])
        fig.add_trace(go.Scatter(x=xs, y=ys, name=html.escape(team), mode="lines+markers",  # never a link in the legend
                                 line=dict(color=PALETTE[i % len(PALETTE)], width=3), marker=dict(size=10, symbol=i % 20)))
    fig.add_hline(y=100, line_dash="dot", annotation_text=t("chart.score_as_is", lang))
    fig.update_layout(title=t("report.score_title", lang), template="plotly_white", height=420,
                      yaxis_title=t("chart.score_title", lang), font=dict(size=14))
    return fig


def _kpi_figure(boards: dict[int, list[dict[str, Any]]], kpi_id: str, lang: str) -> go.Figure:
    fig = go.Figure()
    last = max(boards) if boards else None
    rows = boards.get(last, []) if last else []
    names = [html.escape(row["team"]) for row in rows]  # Plotly renders <a href> in labels: escaped
    values, errors = [], []
    for row in rows:
        e = row["results"].kpis.get(kpi_id)
        mean = _in_unit(kpi_id, e.mean if e else None)  # shares as percent, as the axis says
        high = _in_unit(kpi_id, e.ci95[1]) if e and e.ci95 else None
        values.append(mean)
        errors.append(0.0 if high is None or mean is None else high - mean)
    fig.add_trace(go.Bar(x=names, y=values, marker_color=PALETTE[0], error_y=dict(type="data", array=errors)))
    fig.update_layout(title=f"{kpi_name(kpi_id, lang)} ({t('report.round_n', lang, n=last)})", template="plotly_white",
                      height=340, yaxis_title=display_unit(kpi_id, lang), font=dict(size=13),
                      separators=plotly_separators(lang))
    return fig


def _fmt(x: float | None, lang: str, kpi_id: str | None = None) -> str:
    """A figure as the reader writes it (decimal comma in Russian), a share in percent."""
    if x is None:
        return "—"
    if kpi_id is not None:
        x = _in_unit(kpi_id, x)
        assert x is not None
    digits = 0 if abs(x) >= 1000 else 2 if kpi_id is not None and kpi(kpi_id).unit == "ratio" else 1
    return num(x, lang, digits)


def _header(kpi_id: str, lang: str) -> str:
    """A figure's name with its unit, in the reader's language."""
    unit = display_unit(kpi_id, lang)
    return f"{kpi_name(kpi_id, lang)}, {unit}" if unit else kpi_name(kpi_id, lang)


def _checked(training: Training, code: str, d: Decision) -> pdca.Check | None:
    """A decision's hypothesis checked against its round's results (paired with the team's round before,
    or the library as it is), once the round is computed; None otherwise."""
    if not d.hypothesis:
        return None
    scenario = training.session(code).scenario
    try:
        h = pdca.hypothesis_of(d.hypothesis, scenario)
        _, variant = training.team_results(code, d.team, d.round, trainer=True)
    except (ValueError, TrainingError):
        return None
    if h is None:
        return None
    baseline = None
    if d.round > 1:
        try:
            baseline = training.team_results(code, d.team, d.round - 1, trainer=True)[1]
        except TrainingError:
            baseline = None
    return pdca.check(h, baseline or training.results_of(code, d.round, []) or variant, variant)


def session_html(training: Training, code: str, lang: str = "ru") -> str:
    """The debrief report as one HTML document (works offline, prints well)."""
    s = training.session(code)
    boards = _boards(training, code)
    e = html.escape
    parts: list[str] = []
    parts.append(f"<h1>{e(t('report.title', lang))}: {e(s.title)}</h1>")
    parts.append(f"<p>{e(t('report.meta', lang, code=s.code, scenario=pick(s.scenario.title, lang), seed=s.seed, n=s.replications))}</p>")
    parts.append(f"<p class='small'>{e(t('report.generated', lang, when=time.strftime('%Y-%m-%d %H:%M')))}</p>")
    figures: list[go.Figure] = []
    if boards:
        figures.append(_score_figure(boards, lang))
        figures += [_kpi_figure(boards, k, lang) for k in ("wait_mean", "left_unserved_share", "staff_cost")]
    for i, fig in enumerate(figures):
        parts.append(f"<div class='figure'>{fig.to_html(full_html=False, include_plotlyjs=False, div_id=f'fig{i}')}</div>")
    for number in range(1, s.rounds + 1):
        plan = s.scenario.rounds[number - 1]
        parts.append(f"<h2>{e(pick(plan.title, lang))}</h2>")
        events = event_lines(s.scenario, round_events(s.scenario, number), lang)
        if events:  # the round's library as it is and every team ran with them
            parts.append(f"<p><b>{e(t('events.title', lang))}:</b> "
                         + "; ".join(e(f"{line.name} ({line.when})") for line in events) + "</p>")
        rows = boards.get(number)
        if rows:
            head = "".join(f"<th>{e(h)}</th>" for h in [t("report.team", lang), t("report.tools", lang), t("chart.score_title", lang)]
                           + [_header(k, lang) for k in REPORT_KPIS])
            body = []
            for row in rows:
                tools = ", ".join(pick(s.scenario.tools[x].name, lang) for x in row["tools"]) or t("history.as_is", lang)
                cells = [e(row["team"]), e(tools), _fmt(row["score"], lang)]
                for k in REPORT_KPIS:
                    est = row["results"].kpis.get(k)
                    cells.append(_fmt(est.mean if est else None, lang, k))
                body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")
        else:
            parts.append(f"<p>{e(t('report.not_played', lang))}</p>")
        notes = [d for d in training.decisions(code, number) if d.notes or d.dropped or d.hypothesis]
        if notes:
            parts.append(f"<h3>{e(t('report.notes', lang))}</h3><ul>")
            for d in notes:
                said = pdca.summary(s.scenario, d.notes, d.dropped, d.hypothesis, lang, _checked(training, code, d))
                text = "; ".join(f"{e(label)}: {e(v)}" for label, v in said)
                parts.append(f"<li><b>{e(d.team)}</b>: {text}</li>")
            parts.append("</ul>")
        if plan.debrief:
            parts.append(f"<h3>{e(t('report.debrief', lang))}</h3><ol>")
            parts += [f"<li>{e(pick(q, lang))}</li>" for q in plan.debrief]
            parts.append("</ol>")
    parts += walk_html(training, code, lang)
    style = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:2em;color:#1a1a1a;max-width:1200px}
h1{font-size:1.8em}h2{margin-top:1.6em;border-bottom:2px solid #0072B2}
table{border-collapse:collapse;width:100%;font-size:.9em}th,td{border:1px solid #bbb;padding:4px 6px;text-align:left}
th{background:#eef4f8}.small{color:#666;font-size:.85em}.figure{page-break-inside:avoid;margin:1em 0}
@media print{body{margin:0}.figure{break-inside:avoid}}
"""
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{e(s.title)}</title>"
            f"<style>{style}</style><script type='text/javascript'>{get_plotlyjs()}</script></head>"
            f"<body>{''.join(parts)}</body></html>")


def _walk_rounds(training: Training, code: str) -> list[int]:
    """The session's gemba rounds that are closed (their waste walk can be scored)."""
    s = training.session(code)
    return [r.number for r in training.rounds(code) if r.status == "closed" and is_gemba(s.scenario, r.number)]


def walk_html(training: Training, code: str, lang: str) -> list[str]:
    """The waste walk's own section: per gemba round, the top wastes the log measured, which team found
    each, the teams' observation scores, and every observation in the team's words."""
    s = training.session(code)
    e = html.escape
    parts: list[str] = []
    for number in _walk_rounds(training, code):
        scores = training.walk_scores(code, number, trainer=True)
        parts.append(f"<h2>{e(t('gemba_round.report_title', lang, round=pick(s.scenario.rounds[number - 1].title, lang)))}</h2>")
        parts.append(f"<p>{e(t('gemba_round.report_intro', lang))}</p>")
        rows = teams_table(s.scenario, scores, lang)
        if rows:
            head = "".join(f"<th>{e(h)}</th>" for h in rows[0])
            body = "".join("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row.values()) + "</tr>" for row in rows)
            parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        seen = training.observations(code, number)
        if seen:
            parts.append(f"<h3>{e(t('gemba_round.report_observations', lang))}</h3><ul>")
            for o in seen:
                note = f": {e(o.note)}" if o.note else ""
                parts.append(f"<li><b>{e(o.team)}</b> · {e(observation_label(s.scenario, o.plain(), lang))}{note}</li>")
            parts.append("</ul>")
        else:
            parts.append(f"<p>{e(t('gemba_round.none_recorded', lang))}</p>")
    return parts


def walk_sheet(training: Training, code: str, lang: str) -> dict[str, list[list[Any]]]:
    """A sheet of every observation with whether it matched one of the top wastes (none without a gemba round)."""
    s = training.session(code)
    numbers = _walk_rounds(training, code)
    if not numbers:
        return {}
    rows: list[list[Any]] = [[t("report.round", lang), t("report.team", lang), t("gemba.col_waste", lang),
                              t("gemba.col_where", lang), t("gemba_round.col_note", lang), t("gemba_round.col_top", lang)]]
    for number in numbers:
        top = training.walk_scores(code, number, trainer=True)
        for o in training.observations(code, number):
            score = top.get(o.team)
            in_top = score is not None and any(matches(s.scenario, o.plain(), w) for w in score.top)
            rows.append([number, o.team, t(f"waste.{o.waste}", lang), place_label(s.scenario, o.where, lang), o.note,
                         t("report.yes" if in_top else "report.no", lang)])
    return {t("gemba_round.sheet", lang): rows}


def _in_unit(kpi_id: str, value: float | None) -> float | None:
    """Shares as percentages, the way the sheet's unit column says."""
    if value is None:
        return None
    return 100.0 * value if kpi(kpi_id).unit == "share" else value


def session_xlsx(training: Training, code: str, lang: str = "ru") -> bytes:
    """Teams, rounds, decisions and every figure with its CI, one sheet each, in the reader's language:
    tool names (not ids), round states and yes/no in words, shares in percent, units spelled out."""
    s = training.session(code)
    boards = _boards(training, code)

    def tool_names(ids: list[str]) -> str:
        return ", ".join(pick(s.scenario.tools[x].name, lang) if x in s.scenario.tools else x for x in ids)

    yes_no = {True: t("report.yes", lang), False: t("report.no", lang)}
    teams: list[list[Any]] = [[t("report.team", lang)]] + [[tm.name] for tm in training.teams(code)]
    round_rows: list[list[Any]] = [[t("report.round", lang), t("report.status", lang), t("report.revealed", lang)]]
    round_rows += [[r.number, t("round.status_" + r.status, lang), yes_no[r.revealed]] for r in training.rounds(code)]
    decision_rows: list[list[Any]] = [[t("report.round", lang), t("report.team", lang), t("report.tools", lang),
                                       t("report.new_tools", lang), t("report.notes", lang)]]
    for number in range(1, s.rounds + 1):
        for d in training.decisions(code, number):
            decision_rows.append([number, d.team, tool_names(d.tools), tool_names(d.new_tools),
                                  "; ".join(f"{label}: {v}" for label, v in
                                            pdca.summary(s.scenario, d.notes, d.dropped, d.hypothesis, lang,
                                                         _checked(training, code, d)))])
    figure_rows: list[list[Any]] = [[t("report.round", lang), t("report.team", lang), t("report.tools", lang), "id",
                                     t("history.figure", lang), t("report.mean", lang), t("report.ci_low", lang),
                                     t("report.ci_high", lang), t("report.unit", lang)]]
    score_rows: list[list[Any]] = [[t("report.round", lang), t("report.team", lang), t("chart.score_title", lang),
                                    t("report.ci_low", lang), t("report.ci_high", lang)]]
    for number, rows in sorted(boards.items()):
        for row in rows:
            ci = row["score_ci"] or (None, None)
            score_rows.append([number, row["team"], row["score"], ci[0], ci[1]])
            for k, est in row["results"].kpis.items():
                lo, hi = est.ci95 if est.ci95 else (None, None)
                figure_rows.append([number, row["team"], tool_names(row["tools"]), k, kpi_name(k, lang, s.scenario),
                                    _in_unit(k, est.mean), _in_unit(k, lo), _in_unit(k, hi), display_unit(k, lang)])
    return to_xlsx({
        t("report.sheet_teams", lang): teams, t("report.sheet_rounds", lang): round_rows,
        t("report.sheet_decisions", lang): decision_rows, t("report.sheet_score", lang): score_rows,
        t("report.sheet_figures", lang): figure_rows,
        **walk_sheet(training, code, lang),
    })


def session_downloads(training: Training, code: str, lang: str = "ru") -> dict[str, bytes]:
    """The report (`html`), the figures (`xlsx`) and the archive (`json`: gzip-compressed JSON), all made
    or none (an error)."""
    from .training.archive_check import pack_archive

    return {
        "html": session_html(training, code, lang).encode("utf-8"),
        "xlsx": session_xlsx(training, code, lang),
        "json": pack_archive(training.export_session(code)),
    }
