"""The catalogue of figures (KPIs): id, unit, which direction is better, names in both languages, and the
smallest change worth reporting.

A difference can be real (its 95% CI clear of zero) and still too small to matter to a reader or a
manager: 4 seconds less waiting, 0.03 percentage points fewer readers lost. `matters` is the smallest
absolute change, in the figure's unit, that a team should take as a result; the reasons are in
`MATTERS_WHY`, and the README's KPI table repeats them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from .i18n import pick, t


class Scenario(Protocol):
    """What naming needs of a scenario (`sim.scenario.Scenario` has it): roles and reader groups, each with
    a `name` in both languages. A protocol, because the scenario package imports this catalogue."""

    @property
    def roles(self) -> Mapping[str, Any]: ...

    @property
    def groups(self) -> Mapping[str, Any]: ...


@dataclass(frozen=True)
class Kpi:
    id: str
    unit: str
    better: Literal["lower", "higher"]
    ru: str
    en: str
    per_group: bool = False
    matters: float = 0.0  # the smallest change worth reporting, in `unit` (see MATTERS_WHY)


_CATALOGUE = [
    Kpi("wait_mean", "min", "lower", "Среднее время ожидания", "Mean waiting time", True, matters=0.5),
    Kpi("wait_p90", "min", "lower", "Время ожидания, 90-й процентиль", "Waiting time, 90th percentile", True, matters=1.0),
    Kpi("time_in_library_mean", "min", "lower", "Среднее время в библиотеке", "Mean time in the library", True, matters=1.0),
    Kpi("readers_arrived", "readers", "higher", "Пришло читателей", "Readers arrived", True, matters=10),
    Kpi("readers_served", "readers", "higher", "Обслужено читателей", "Readers served", True, matters=10),
    Kpi("readers_left_unserved", "readers", "lower", "Ушли необслуженными", "Readers who left unserved", True, matters=10),
    Kpi("left_unserved_share", "share", "lower", "Доля ушедших необслуженными", "Share who left unserved", True, matters=0.005),
    Kpi("served_within_15_share", "share", "higher", "Доля ждавших не больше 15 минут", "Share served within 15 min of waiting", True, matters=0.01),
    Kpi("served_within_15_worst_group", "share", "higher", "Ждали не больше 15 минут: худшая группа", "Served within 15 min: worst-off group", matters=0.01),
    Kpi("wait_p90_worst_group", "min", "lower", "Ожидание, 90-й процентиль: худшая группа", "Waiting time, 90th percentile: worst-off group", matters=1.0),
    Kpi("wait_p90_access_groups", "min", "lower", "Время ожидания, 90-й процентиль: маломобильные группы", "Waiting time, 90th percentile: groups with access needs", matters=1.0),
    Kpi("wait_p90_group_gap", "min", "lower", "Разрыв между группами (90-й процентиль ожидания)", "Gap between groups (90th percentile wait)", matters=1.0),
    Kpi("books_not_found", "books", "lower", "Не найдено книг на полке", "Books not found on the shelf", matters=5),
    Kpi("books_not_found_share", "share", "lower", "Доля поисков без результата", "Share of shelf searches that failed", matters=0.01),
    Kpi("books_not_found_cart", "books", "lower", "Книга не найдена: ждёт на тележке", "Books not found: waiting on the cart", matters=5),
    Kpi("books_not_found_misshelved", "books", "lower", "Книга не найдена: стоит не на своём месте", "Books not found: misshelved", matters=5),
    Kpi("stack_order_lead_time_mean", "min", "lower", "Время выполнения заказа из книгохранилища", "Lead time of closed-stack orders", matters=2.0),
    Kpi("reshelve_lead_time_mean", "h", "lower", "Время от возврата до полки", "Lead time from return to shelf", matters=0.25),
    Kpi("acquisitions_lead_time_days", "days", "lower", "Время от поступления до полки (новые книги)", "Acquisitions lead time, receipt to shelf", matters=0.5),
    Kpi("acquisitions_requested_lead_time_days", "days", "lower", "Время до полки для книг, заказанных читателями", "Lead time to the shelf of items readers asked for", matters=0.5),
    Kpi("acquisitions_shelved", "items", "higher", "Новых книг поставлено на полку", "New items shelved", matters=5),
    Kpi("backoffice_wip_mean", "items", "lower", "Незавершённое производство (новые книги в обработке)", "Work in progress in the back office", matters=2.0),
    Kpi("backoffice_in_process_mean", "items", "lower", "Новые книги в работе (начатые, но не законченные)", "New items in process (started, not finished)", matters=2.0),
    Kpi("throughput_per_hour", "readers/h", "higher", "Производительность: обслужено читателей за час работы", "Throughput: readers served per opening hour", matters=0.5),
    Kpi("pce", "share", "higher", "Эффективность цикла процесса (доля времени, добавляющего ценность)", "Process cycle efficiency (value-added share of time)", matters=0.01),
    Kpi("reader_value_added_share", "share", "higher", "Доля времени читателя, добавляющего ценность", "Reader's value-added share of the visit", matters=0.01),
    Kpi("walk_m_per_day", "m", "lower", "Пройдено персоналом за день", "Metres walked by staff a day", matters=100.0),
    Kpi("first_pass_yield", "share", "higher", "Выход годных с первого раза", "First-pass yield", matters=0.005),
    Kpi("staff_cost", "RUB", "lower", "Затраты на персонал", "Staff cost", matters=1000.0),
    Kpi("overtime_cost", "RUB", "lower", "Затраты на сверхурочную работу", "Overtime cost", matters=500.0),
    Kpi("equity_p90_ratio", "ratio", "lower", "Неравенство: 90-й процентиль ожидания худшей группы к общему", "Equity: worst group's p90 wait over overall p90", matters=0.05),
    Kpi("motion_min_per_day", "min", "lower", "Перемещения на рабочем месте (поиск, лишние движения): минут за день", "Motion at the workplace (searching, reaching): minutes a day", matters=5.0),
    Kpi("overprocessing_min_per_day", "min", "lower", "Дополнительная обработка: минут за день", "Over-processing: minutes a day", matters=5.0),
    Kpi("overproduction_min_per_day", "min", "lower", "Перепроизводство: минут за день на незаказанные книги, пока заказанные ждут", "Overproduction: minutes a day on items nobody asked for while requested ones wait", matters=5.0),
]

KPIS: dict[str, Kpi] = {k.id: k for k in _CATALOGUE}

MATTERS_WHY: dict[str, str] = {
    "wait_mean": "half a minute: less than that a reader at the desk does not notice (assumption)",
    "wait_p90": "one minute at the slow end of the queue (assumption)",
    "time_in_library_mean": "one minute of a visit (assumption)",
    "readers_arrived": "ten readers over the whole run: about one an opening day (assumption)",
    "readers_served": "ten readers over the whole run: about one an opening day (assumption)",
    "readers_left_unserved": "ten readers over the whole run: about one an opening day (assumption)",
    "left_unserved_share": "half a percentage point of readers lost (assumption)",
    "served_within_15_share": "one percentage point of readers (assumption)",
    "served_within_15_worst_group": "one percentage point of the worst-off group (assumption)",
    "wait_p90_worst_group": "one minute at the slow end of the worst-off group's queue (assumption)",
    "wait_p90_access_groups": "one minute at the slow end of the queue of the groups with access needs (assumption)",
    "wait_p90_group_gap": "one minute between the best- and the worst-off group (assumption)",
    "books_not_found": "five failed searches over the run: about one an opening day (assumption)",
    "books_not_found_share": "one percentage point of searches (assumption)",
    "books_not_found_cart": "five failed searches over the run: about one an opening day (assumption)",
    "books_not_found_misshelved": "five failed searches over the run: about one an opening day (assumption)",
    "reader_value_added_share": "one percentage point of a reader's visit (assumption)",
    "walk_m_per_day": "100 metres a day: a stack run's walk or two trips to the hall (assumption)",
    "stack_order_lead_time_mean": "two minutes of waiting for a closed-stack order (assumption)",
    "reshelve_lead_time_mean": "a quarter of an hour from return to shelf (assumption)",
    "acquisitions_lead_time_days": "half a working day from receipt to shelf (assumption)",
    "acquisitions_requested_lead_time_days": "half a working day for an item a reader asked for (assumption)",
    "acquisitions_shelved": "five new items on the shelf over the run (assumption)",
    "backoffice_wip_mean": "two items in process: under one cataloguing batch (assumption)",
    "backoffice_in_process_mean": "two items in process: under one cataloguing batch (assumption)",
    "throughput_per_hour": "half a reader an opening hour (assumption)",
    "pce": "one percentage point of value-added time (assumption)",
    "first_pass_yield": "half a percentage point of operations done right first time (assumption)",
    "staff_cost": "1,000 roubles over the run: about two staff-hours (reference/service-times.md wages)",
    "overtime_cost": "500 roubles over the run: about one overtime hour at the legal rate (reference/service-times.md wages)",
    "equity_p90_ratio": "five hundredths of the ratio (assumption)",
    "utilisation": "two percentage points of a role's time (assumption)",
    "motion_min_per_day": "five minutes of staff time a day (assumption)",
    "overprocessing_min_per_day": "five minutes of staff time a day (assumption)",
    "overproduction_min_per_day": "five minutes of staff time a day (assumption)",
}


def kpi(kpi_id: str) -> Kpi:
    """The catalogue entry of a figure; `utilisation.<role>` figures are made on the fly."""
    if kpi_id in KPIS:
        return KPIS[kpi_id]
    if kpi_id.startswith("utilisation."):
        role = kpi_id.split(".", 1)[1]
        # neither direction is simply better; the 65-85% band is the target. Lower counts as better
        # for verdicts, so that relieving overloaded staff reads as an improvement.
        return Kpi(kpi_id, "share", "lower", t("kpi.utilisation", "ru", role=role), t("kpi.utilisation", "en", role=role),
                   matters=0.02)
    if kpi_id.startswith("walk_m_per_day."):
        role = kpi_id.split(".", 1)[1]
        return Kpi(kpi_id, "m", "lower", t("kpi.walk_m_per_day", "ru", role=role), t("kpi.walk_m_per_day", "en", role=role),
                   matters=100.0)
    raise KeyError(kpi_id)


# --- names in a reader's language: the one place every table, chart and export takes them from --------

_PER_ROLE = ("utilisation", "walk_m_per_day")


def role_name(role_id: str, lang: str, scenario: Scenario | None = None) -> str:
    """A staff role's name from the scenario in `lang`; its id when the scenario is not known or lacks it."""
    if scenario is not None and role_id in scenario.roles:
        return pick(scenario.roles[role_id].name, lang)
    return role_id


def group_name(group_id: str, lang: str, scenario: Scenario | None = None) -> str:
    """A reader group's name from the scenario in `lang`; its id when the scenario is not known or lacks it."""
    if scenario is not None and group_id in scenario.groups:
        return pick(scenario.groups[group_id].name, lang)
    return group_id


def kpi_name(kpi_id: str, lang: str, scenario: Scenario | None = None) -> str:
    """A figure's name in `lang`; a per-role figure (`utilisation.<role>`, `walk_m_per_day.<role>`) says
    the role's name from `scenario` (its id without one)."""
    base, _, role = kpi_id.partition(".")
    if role and base in _PER_ROLE:
        kpi(kpi_id)  # an unknown id raises KeyError here too
        key = "kpi.utilisation" if base == "utilisation" else "kpi.walk_m_per_day"
        return t(key, lang, role=role_name(role, lang, scenario))
    info = kpi(kpi_id)
    return info.ru if lang == "ru" else info.en


def unit_name(kpi_id: str, lang: str) -> str:
    """The name of a figure's unit in `lang`, as a table of raw values shows it (shares as shares)."""
    return t("unit_name." + kpi(kpi_id).unit.replace("/", "_per_"), lang)


def display_unit(kpi_id: str, lang: str) -> str:
    """The unit beside a figure as people read it: shares in percent (`%`), roubles as `₽`, counts and
    times in words of `lang` (the dashboard's cards and the report's sheets)."""
    unit = kpi(kpi_id).unit
    if unit == "share":
        return "%"
    if unit == "RUB":
        return "₽"
    if unit in ("readers", "books", "items"):
        return unit_name(kpi_id, lang)
    return t("unit." + unit.replace("/", "_per_"), lang)


def shown_interval(kpi_id: str, ci: tuple[float, float] | None) -> tuple[float, float] | None:
    """A figure's 95% interval as shown to people: cut to the values the figure can take (a share
    between 0 and 1, every other figure of the catalogue not below 0). With few replications the t
    interval can reach past them ("from -0.5%"), which a librarian rightly reads as nonsense; the
    estimate itself is unchanged. Differences are not cut: they can be negative; figures outside the
    catalogue are left as they are."""
    if ci is None or (kpi_id not in KPIS and not kpi_id.startswith(_PER_ROLE)):
        return ci
    low, high = ci
    if kpi(kpi_id).unit == "share" and not kpi_id.startswith("utilisation."):  # work past closing time can
        return max(low, 0.0), min(high, 1.0)  # make a role's utilisation exceed 1
    return max(low, 0.0), high

