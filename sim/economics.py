"""Money: what a team's tools cost, said in either language, and how soon they pay back.

A scenario priced in roubles (see `sim.lean`) gives each tool a one-off cost (roubles and staff
hours) and a running cost a day. The payback of a set of tools is its one-off cost divided by the
yearly saving the model gives: the change of staff cost plus the tools' running cost, and, only
when the scenario sets `economics.reader_hour_roubles`, the readers' waiting time saved valued at
that rate; a day's saving is scaled to `economics.working_days_per_year`. A saving of zero or less
never pays back (`Payback.years` is None). A scenario priced in points has no payback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .experiment import Results
from .i18n import plural, t
from .lean import budget_points, money, one_off_roubles, priced_in_roubles, round_budget, tool_points, tool_roubles
from .scenario import Scenario


def _points(n: int, lang: str) -> str:
    return t(f"tools.points_{plural(n, lang)}", lang, n=n)


def roubles(value: float, lang: str) -> str:
    """A sum of money: "150 000 ₽" / "150 000 RUB"."""
    return f"{money(value)}\u00a0{t('money.currency', lang)}"


def price_text(scenario: Scenario, tool_ids: Iterable[str], lang: str) -> str:
    """What the tools cost against a budget: "49 650 ₽ (2 points)", or "2 points" in a file priced in points."""
    ids = list(tool_ids)
    points = _points(tool_points(scenario, ids), lang)
    if not priced_in_roubles(scenario):
        return points
    return f"{roubles(one_off_roubles(scenario, ids), lang)} ({points})"


def budget_text(scenario: Scenario, round_number: int, lang: str) -> str:
    """A round's budget for new tools, in roubles with its points, or in points."""
    points = _points(budget_points(scenario, round_number), lang)
    if not priced_in_roubles(scenario):
        return points
    return f"{roubles(round_budget(scenario, round_number), lang)} ({points})"


def running_text(scenario: Scenario, tool_ids: Iterable[str], lang: str) -> str:
    """The running cost a day of the tools ("600 ₽ a day")."""
    per_day = sum(scenario.tools[x].cost.roubles_per_day for x in tool_ids)
    return t("tools.per_day", lang, rub=money(per_day))


@dataclass(frozen=True)
class Payback:
    """The money side of a result: roubles spent once, running cost, the yearly saving and its parts,
    and the years the one-off cost takes to pay back (None: it never does at this saving)."""

    one_off: float
    running_per_day: float
    staff_saving_per_day: float  # staff cost and running cost, the baseline's minus the variant's
    reader_saving_per_day: float | None  # None: the scenario puts no value on readers' time
    yearly_saving: float
    years: float | None

    @property
    def within_year(self) -> bool:
        """Whether the one-off cost pays back within one year."""
        return self.years is not None and self.years <= 1.0


def _days(scenario: Scenario) -> float:
    cal = scenario.calendar
    return float(cal.days) if cal.mode == "daily" else (cal.hours or 0.0) / 24.0


def _mean(results: Results, kpi_id: str) -> float | None:
    estimate = results.kpis.get(kpi_id)
    return None if estimate is None else estimate.mean


def payback(scenario: Scenario, baseline: Results, variant: Results, tools: Iterable[str],
            baseline_tools: Iterable[str] = (), spent: float | None = None) -> Payback | None:
    """The payback of `tools` (run as `variant`) against `baseline` (normally the library as it is).

    `spent` is the one-off money a team has spent so far (tools it dropped included: that money is
    not returned); by default the one-off cost of `tools`. None for a scenario priced in points.
    """
    if not priced_in_roubles(scenario):
        return None
    ids = list(tools)
    days = _days(scenario) or 1.0
    staff_b, staff_v = _mean(baseline, "staff_cost"), _mean(variant, "staff_cost")
    staff = 0.0
    if staff_b is not None and staff_v is not None:
        staff = ((staff_b + tool_roubles(scenario, baseline_tools)) - (staff_v + tool_roubles(scenario, ids))) / days
    reader: float | None = None
    rate = scenario.economics.reader_hour_roubles
    if rate is not None:
        wait_b, wait_v, readers = _mean(baseline, "wait_mean"), _mean(variant, "wait_mean"), _mean(variant, "readers_arrived")
        reader = 0.0
        if wait_b is not None and wait_v is not None and readers is not None:
            reader = (wait_b - wait_v) / 60.0 * readers / days * rate
    yearly = (staff + (reader or 0.0)) * scenario.economics.working_days_per_year
    one_off = one_off_roubles(scenario, ids) if spent is None else spent
    years = None if yearly <= 0 else one_off / yearly
    return Payback(one_off, sum(scenario.tools[x].cost.roubles_per_day for x in ids), staff, reader, yearly, years)


def payback_text(p: Payback, lang: str) -> str:
    """The payback in words: "in 0,4 years (within a year)", "never at this saving"."""
    if p.years is None:
        return t("money.never", lang)
    years = f"{p.years:.1f}".replace(".", "," if lang == "ru" else ".")
    return t("money.years_within" if p.within_year else "money.years", lang, years=years)
