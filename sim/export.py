"""Figures as CSV and XLSX for download: a run, or a run against its baseline."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from .experiment import Comparison, Estimate, Results
from .i18n import t
from .kpis import kpi
from .text import spreadsheet_text

HEADERS = {
    "ru": ["группа", "показатель", "id", "единица", "как есть", "вариант", "разница", "95% ДИ от", "95% ДИ до", "вывод"],
    "en": ["group", "figure", "id", "unit", "baseline", "variant", "difference", "95% CI low", "95% CI high", "verdict"],
}
RUN_HEADERS = {
    "ru": ["группа", "показатель", "id", "единица", "среднее", "95% ДИ от", "95% ДИ до"],
    "en": ["group", "figure", "id", "unit", "mean", "95% CI low", "95% CI high"],
}

def _name(kpi_id: str, lang: str) -> str:
    info = kpi(kpi_id)
    return info.ru if lang == "ru" else info.en


def _ci(e: Estimate) -> tuple[Any, Any]:
    return (e.ci95[0], e.ci95[1]) if e.ci95 else (None, None)


def run_rows(results: Results, lang: str = "ru") -> list[list[Any]]:
    rows: list[list[Any]] = [RUN_HEADERS[lang]]
    sections: list[tuple[str, dict[str, Estimate]]] = [("", results.kpis), *results.groups.items()]
    for group, figures in sections:
        for k, e in figures.items():
            rows.append([group, _name(k, lang), k, kpi(k).unit, e.mean, *_ci(e)])
    return rows


def comparison_rows(comparison: Comparison, lang: str = "ru") -> list[list[Any]]:
    rows: list[list[Any]] = [HEADERS[lang]]
    sections = [("", comparison.kpis), *comparison.groups.items()]
    for group, figures in sections:
        for k, d in figures.items():
            lo, hi = d.ci95 if d.ci95 else (None, None)
            rows.append([group, _name(k, lang), k, kpi(k).unit, d.baseline, d.variant, d.diff, lo, hi,
                         t(f"verdict.{d.verdict}", lang)])
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
