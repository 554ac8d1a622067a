"""The catalogue of figures (KPIs): id, unit, which direction is better, names in both languages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Kpi:
    id: str
    unit: str
    better: Literal["lower", "higher"]
    ru: str
    en: str
    per_group: bool = False


_CATALOGUE = [
    Kpi("wait_mean", "min", "lower", "Среднее время ожидания", "Mean waiting time", True),
    Kpi("wait_p90", "min", "lower", "Время ожидания, 90-й процентиль", "Waiting time, 90th percentile", True),
    Kpi("time_in_library_mean", "min", "lower", "Среднее время в библиотеке", "Mean time in the library", True),
    Kpi("readers_arrived", "readers", "higher", "Пришло читателей", "Readers arrived", True),
    Kpi("readers_served", "readers", "higher", "Обслужено читателей", "Readers served", True),
    Kpi("readers_left_unserved", "readers", "lower", "Ушли необслуженными", "Readers who left unserved", True),
    Kpi("left_unserved_share", "share", "lower", "Доля ушедших необслуженными", "Share who left unserved", True),
    Kpi("served_within_15_share", "share", "higher", "Доля обслуженных с ожиданием до 15 минут", "Share served within 15 min of waiting", True),
    Kpi("served_within_15_worst_group", "share", "higher", "Обслужены за 15 минут: худшая группа", "Served within 15 min: worst-off group"),
    Kpi("books_not_found", "books", "lower", "Книга не найдена на полке", "Books not found on the shelf"),
    Kpi("books_not_found_share", "share", "lower", "Доля поисков без результата", "Share of shelf searches that failed"),
    Kpi("stack_order_lead_time_mean", "min", "lower", "Время выполнения заказа из хранения", "Lead time of closed-stack orders"),
    Kpi("reshelve_lead_time_mean", "h", "lower", "Время от возврата до полки", "Lead time from return to shelf"),
    Kpi("acquisitions_lead_time_days", "days", "lower", "Время от поступления до полки (новые книги)", "Acquisitions lead time, receipt to shelf"),
    Kpi("acquisitions_requested_lead_time_days", "days", "lower", "Время до полки для книг, заказанных читателями", "Lead time to the shelf of items readers asked for"),
    Kpi("acquisitions_shelved", "items", "higher", "Новых книг поставлено на полку", "New items shelved"),
    Kpi("backoffice_wip_mean", "items", "lower", "Незавершённое производство (новые книги в обработке)", "Work in progress in the back office"),
    Kpi("backoffice_in_process_mean", "items", "lower", "Новые книги в работе (начатые, но не законченные)", "New items in process (started, not finished)"),
    Kpi("throughput_per_hour", "readers/h", "higher", "Производительность: обслужено за час работы", "Throughput: readers served per opening hour"),
    Kpi("pce", "share", "higher", "Эффективность цикла процесса (доля времени, добавляющего ценность)", "Process cycle efficiency (value-added share of time)"),
    Kpi("first_pass_yield", "share", "higher", "Выход годных с первого раза", "First-pass yield"),
    Kpi("staff_cost", "RUB", "lower", "Затраты на персонал", "Staff cost"),
    Kpi("equity_p90_ratio", "ratio", "lower", "Равенство: p90 ожидания худшей группы к общему", "Equity: worst group's p90 wait over overall p90"),
]

KPIS: dict[str, Kpi] = {k.id: k for k in _CATALOGUE}


def kpi(kpi_id: str) -> Kpi:
    """The catalogue entry of a figure; `utilisation.<role>` figures are made on the fly."""
    if kpi_id in KPIS:
        return KPIS[kpi_id]
    if kpi_id.startswith("utilisation."):
        role = kpi_id.split(".", 1)[1]
        # neither direction is simply better; the 65-85% band is the target. Lower counts as better
        # for verdicts, so that relieving overloaded staff reads as an improvement.
        return Kpi(kpi_id, "share", "lower", f"Загрузка персонала: {role}", f"Staff utilisation: {role}")
    raise KeyError(kpi_id)
