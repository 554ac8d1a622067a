"""What `lean-sim run` and `compare` print: plain-text tables in the reader's language, CSV and the
score as JSON (the CLI's commands are in `sim.cli`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from .experiment import Comparison, Results
from .i18n import counted, num, short_number, t, verdict_word
from .kpis import display_unit, kpi, kpi_name, shown_interval
from .scenario import Scenario
from .score import Score


def score_json(score: Score) -> dict[str, Any]:
    """The balanced score and its parts, each a mean with its 95% interval."""
    def est(e: Any) -> dict[str, Any]:
        ci = [e.ci95[0], e.ci95[1]] if e.ci95 else [None, None]
        return {"mean": e.mean, "ci95": ci}

    return {**est(score.total), "parts": {p: est(e) for p, e in score.parts.items()}}


def table(rows: list[list[str]]) -> str:
    """Rows as aligned columns, a rule of dashes under the heading row."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _interval(ci: tuple[float, float] | None, lang: str, kpi_id: str | None = None) -> str:
    if not ci:
        return "-"
    low, high = (_cell(kpi_id, x, lang) for x in ci) if kpi_id else (short_number(x, lang) for x in ci)
    return t("table.interval", lang, low=low, high=high)


def _cell(kpi_id: str, value: float | None, lang: str) -> str:
    """A figure in a table as the unit column says it: a share in percent, a count of readers, books
    or items whole when it is whole (a mean over replications may not be)."""
    if value is None:
        return "-"
    unit = kpi(kpi_id).unit
    if unit == "share":
        value = 100.0 * value
    elif unit in ("readers", "books", "items") and abs(value) < 1000:
        return num(value, lang, 0 if value == round(value) else 1)
    return short_number(value, lang)


def _score_line(score: Score, lang: str) -> str:
    e = score.total
    ci = ""
    if e.ci95:
        ci = " (" + t("table.score_ci", lang, low=short_number(e.ci95[0], lang), high=short_number(e.ci95[1], lang)) + ")"
    return f"{t('table.score', lang)}: {short_number(e.mean, lang)}{ci}\n"


def run_table(results: Results, lang: str, tools: list[str], score: Score, scenario: Scenario) -> str:
    rows = [[t(f"table.{c}", lang) for c in ("figure", "id", "mean", "ci95", "unit")]]
    for k, e in results.kpis.items():
        rows.append([kpi_name(k, lang, scenario), k, _cell(k, e.mean, lang), _interval(shown_interval(k, e.ci95), lang, k),
                     display_unit(k, lang)])
    # the first line is the run's identity: id, seed, replications
    title = t("table.run_title", lang, scenario=results.scenario_id, seed=results.seed,
              replications=counted("table.replications", results.replications, lang)) + "\n"
    if tools:
        title += t("table.tools", lang, tools=", ".join(tools)) + "\n"
    return title + _events_line(scenario, lang) + _score_line(score, lang) + "\n" + table(rows)


def _events_line(scenario: Scenario, lang: str) -> str:
    """The events switched on, by id, on a line of their own (nothing without events)."""
    return t("events.cli_on", lang, names=", ".join(scenario.events_on)) + "\n" if scenario.events_on else ""


def run_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "kpi", "mean", "ci_low", "ci_high", "unit", "better"])
    data = results.to_json()
    sections: list[tuple[str, dict[str, Any]]] = [("", data["kpis"])] + list(data["groups"].items())
    for group, figs in sections:
        for k, e in figs.items():
            writer.writerow([group, k, e["mean"], e["ci95"][0], e["ci95"][1], e["unit"], e["better"]])
    return out.getvalue()



def compare_table(c: Comparison, lang: str, score: Score, scenario: Scenario) -> str:
    rows = [[t(f"table.{col}", lang) for col in ("figure", "baseline", "variant", "diff", "ci95", "unit", "verdict")]]
    for k, d in c.kpis.items():
        unit = display_unit(k, lang)
        rows.append([kpi_name(k, lang, scenario), _cell(k, d.baseline, lang), _cell(k, d.variant, lang),
                     _cell(k, d.diff, lang), _interval(d.ci95, lang, k),
                     f"% / {t('unit.pp', lang)}" if unit == "%" else unit, verdict_word(d.verdict, lang)])
    title = t("table.compare_title", lang, baseline=c.baseline.scenario_id, variant=c.variant.scenario_id,
              seed=c.baseline.seed, replications=counted("table.replications", c.baseline.replications, lang)) + "\n"
    return title + _events_line(scenario, lang) + _score_line(score, lang) + "\n" + table(rows)


def compare_csv(c: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "kpi", "baseline", "variant", "diff", "ci_low", "ci_high", "verdict"])
    data = c.to_json()
    sections: list[tuple[str, dict[str, Any]]] = [("", data["kpis"])] + list(data["groups"].items())
    for group, figs in sections:
        for k, d in figs.items():
            writer.writerow([group, k, d["baseline"], d["variant"], d["diff"], d["ci95"][0], d["ci95"][1], d["verdict"]])
    return out.getvalue()
