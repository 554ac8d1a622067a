"""Figures as CSV and XLSX for download: a run, or a run against its baseline.

Headings, figure, group and role names, units and verdicts come from `sim.kpis` and the locales (the
same words as the command line and the dashboard); values stay raw numbers (shares as shares).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from .experiment import Comparison, Estimate, Results
from .i18n import t, verdict_word
from .kpis import group_name, kpi_name, shown_interval, unit_name
from .scenario import Scenario
from .text import spreadsheet_text

COLUMNS = ("group", "figure", "id", "unit", "baseline", "variant", "difference", "ci_low", "ci_high", "verdict")
RUN_COLUMNS = ("group", "figure", "id", "unit", "mean", "ci_low", "ci_high")


def headers(columns: tuple[str, ...], lang: str) -> list[str]:
    """The column headings in `lang` (`table.*` in the locales)."""
    return [t(f"table.{c}", lang) for c in columns]


def _ci(kpi_id: str, e: Estimate) -> tuple[Any, Any]:
    ci = shown_interval(kpi_id, e.ci95)
    return ci if ci else (None, None)


def run_rows(results: Results, lang: str = "ru", scenario: Scenario | None = None) -> list[list[Any]]:
    """A run's figures, overall then per reader group; names of groups and roles from `scenario` when given."""
    rows: list[list[Any]] = [headers(RUN_COLUMNS, lang)]
    sections: list[tuple[str, dict[str, Estimate]]] = [("", results.kpis), *results.groups.items()]
    for group, figures in sections:
        for k, e in figures.items():
            rows.append([group_name(group, lang, scenario), kpi_name(k, lang, scenario), k, unit_name(k, lang), e.mean,
                         *_ci(k, e)])
    return rows


def comparison_rows(comparison: Comparison, lang: str = "ru", scenario: Scenario | None = None) -> list[list[Any]]:
    """Paired differences with their verdicts, overall then per reader group (names as in `run_rows`)."""
    rows: list[list[Any]] = [headers(COLUMNS, lang)]
    sections = [("", comparison.kpis), *comparison.groups.items()]
    for group, figures in sections:
        for k, d in figures.items():
            lo, hi = d.ci95 if d.ci95 else (None, None)
            rows.append([group_name(group, lang, scenario), kpi_name(k, lang, scenario), k, unit_name(k, lang),
                         d.baseline, d.variant, d.diff, lo, hi, verdict_word(d.verdict, lang)])
    return rows


def to_csv(rows: list[list[Any]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark, so that spreadsheet programs read Cyrillic right."""
    out = io.StringIO()
    csv.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
    return out.getvalue().encode("utf-8-sig")


def _as_text(value: Any) -> Any:
    """A cell: no formula, no character a spreadsheet file cannot hold (`sim.text.spreadsheet_text`)."""
    return spreadsheet_text(value)


def to_xlsx(sheets: dict[str, list[list[Any]]]) -> bytes:
    """One worksheet per entry, header row in bold."""
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(str(spreadsheet_text(title)).strip("'")[:31])
        for row in rows:
            sheet.append([_as_text(v) for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
