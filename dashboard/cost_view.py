"""The money beside a result's score: one-off and running cost of the tools, the yearly saving the
model gives and the payback (`sim.economics`). Draws what `sim` computed and computes nothing else."""

from __future__ import annotations

import streamlit as st

from sim.economics import payback, payback_text, roubles
from sim.experiment import Results
from sim.i18n import t
from sim.lean import money
from sim.scenario import Scenario

from .widgets import plain_cards


def cost_and_payback(scenario: Scenario, as_is: Results, results: Results, tools: list[str], lang: str,
                     spent: float | None = None) -> None:
    """One row of figures: one-off cost, running cost, saving a year, payback (scenarios priced in roubles)."""
    if not tools and not spent:
        return
    p = payback(scenario, as_is, results, tools, spent=spent)
    if p is None:
        return
    plain_cards([("money.one_off", t("money.one_off", lang), roubles(p.one_off, lang)),
                 ("money.running", t("money.running", lang), t("tools.per_day", lang, rub=money(p.running_per_day))),
                 ("money.saving", t("money.saving", lang), roubles(p.yearly_saving, lang)),
                 ("money.payback", t("money.payback", lang), payback_text(p, lang))])
    days = scenario.economics.working_days_per_year
    rate = scenario.economics.reader_hour_roubles
    note = (t("money.saving_staff", lang, days=days) if rate is None
            else t("money.saving_readers", lang, days=days, rate=money(rate)))
    if spent is not None:
        note += " " + t("money.spent_note", lang)
    st.caption(note)
