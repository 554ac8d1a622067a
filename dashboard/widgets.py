"""Small Streamlit pieces shared by pages: the language switch, KPI cards, tool cards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

import streamlit as st

from sim.economics import price_text, running_text
from sim.experiment import Difference, Estimate
from sim.i18n import LANG_NAMES, LANGS, num, pick, t, verdict_word
from sim.kpis import kpi, shown_interval
from sim.kpis import kpi_name as _kpi_name
from sim.scenario import WASTES, Problem, Scenario
from sim.text import markdown_plain

from . import config

MAIN_KPIS = (
    "wait_mean", "wait_p90", "left_unserved_share", "served_within_15_share", "time_in_library_mean",
    "equity_p90_ratio", "wait_p90_worst_group", "wait_p90_access_groups", "wait_p90_group_gap", "books_not_found", "books_not_found_cart", "books_not_found_misshelved",
    "stack_order_lead_time_mean", "reshelve_lead_time_mean", "acquisitions_lead_time_days",
    "acquisitions_requested_lead_time_days", "backoffice_wip_mean", "backoffice_in_process_mean", "pce",
    "reader_value_added_share", "first_pass_yield", "walk_m_per_day", "motion_min_per_day",
    "overprocessing_min_per_day", "overproduction_min_per_day", "staff_cost",
)


def plain(text: str) -> str:
    """Text typed by a participant, safe inside Markdown: no links, images or formatting."""
    return markdown_plain(text)


def problem_markdown(problem: Problem, lang_: str, where: str = "") -> str:
    """A scenario problem as a Markdown list item: its field in a code span (a backtick in a hostile
    key cannot close it) and its message, which quotes the bad value, as plain text: never a link, an
    image or formatting."""
    field = (problem.field or "—").replace("`", "'")
    head = f"- {plain(where)} `{field}`" if where else f"- `{field}`"
    return f"{head}: {plain(problem.say(lang_))}"


def lang() -> str:
    """The language of this browser session (set before any widget is drawn)."""
    if st.session_state.get("lang") not in LANGS:
        st.session_state["lang"] = config.default_lang()
    return str(st.session_state["lang"])


def language_switch() -> str:
    """The sidebar's language radio; `?lang=en` in the address sets it once (the projector has no sidebar)."""
    wanted = st.query_params.get("lang")
    if wanted in LANGS and st.session_state.get("lang.from_url") != wanted:
        st.session_state["lang"] = st.session_state["lang.from_url"] = wanted
    lang()
    st.sidebar.radio(
        t("app.language", st.session_state["lang"]), LANGS, key="lang", format_func=LANG_NAMES.__getitem__,
        horizontal=True,
    )
    return str(st.session_state["lang"])


def kpi_name(kpi_id: str, lang_: str, scenario: Scenario | None = None) -> str:
    """A figure's name (`sim.kpis.kpi_name`: roles named from `scenario`)."""
    return _kpi_name(kpi_id, lang_, scenario)


def fmt(kpi_id: str, value: float | None, lang_: str, signed: bool = False) -> str:
    """A figure with its unit, the way a librarian reads it (a decimal comma in Russian)."""
    if value is None:
        return "—"
    unit = kpi(kpi_id).unit
    if unit == "share":
        digits = 2 if 0 < abs(value) < 0.01 else 1  # small changes (first-pass yield) stay visible
        if not signed:
            return f"{num(100 * value, lang_, digits)}%"
        return f"{num(100 * value, lang_, digits, signed=True)} {t('unit.pp', lang_)}"
    if unit == "RUB":
        return f"{num(value, lang_, 0, signed=signed)} ₽"
    if unit in ("readers", "books", "items"):
        return num(value, lang_, 1, signed=signed)
    text = num(value, lang_, 2, signed=signed)
    return f"{text} {t('unit.' + unit.replace('/', '_per_'), lang_)}".rstrip()


def verdict_text(verdict: str, lang_: str) -> str:
    """A verdict in words (`sim.i18n.verdict_word`, the one source for every page, export and the CLI)."""
    return verdict_word(verdict, lang_)


def compact() -> bool:
    """Whether this browser is a phone: charts then take their compact form (under ~500 px).

    The server cannot see the screen's width; a phone's browser says "Mobi" (or iPhone, Android) in
    its user agent, which is what the compact layouts are for.
    """
    try:
        agent = str(st.context.headers.get("User-Agent") or "")
    except Exception:  # no browser (AppTest): the full form
        return False
    return any(mark in agent for mark in ("Mobi", "iPhone", "Android"))


CARDS_CSS = """<style>
.llt-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem;margin:.5rem 0 1rem}
.llt-card{border:1px solid rgba(49,51,63,.2);border-radius:.5rem;padding:.75rem 1rem;line-height:1.35}
.llt-card .llt-name{font-weight:600}
.llt-card .llt-value{font-size:1.6rem;font-weight:600;margin:.35rem 0}
.llt-card .llt-diff{color:#555}
.llt-card .llt-better{color:#1c5fd4}
.llt-card .llt-worse{color:#b4490b}
.llt-card .llt-ci{color:rgba(49,51,63,.65);font-size:.85rem;margin-top:.3rem}
@media (max-width:520px){.llt-cards{grid-template-columns:repeat(2,minmax(0,1fr));gap:.5rem}
.llt-card{padding:.5rem .6rem;overflow-wrap:anywhere}.llt-card .llt-name{font-size:.88rem}
.llt-card .llt-value{font-size:1.2rem;margin:.2rem 0}.llt-card .llt-ci{font-size:.75rem}}
</style>"""


def change_arrow(diff: float, shown: str) -> str:
    """▲ or ▼ as the change goes, "=" when the number shown rounds to zero (a "▼ 0,00" read as a fall)."""
    if not any(ch in "123456789" for ch in shown):
        return "="
    return "▲" if diff > 0 else "▼"


def kpi_cards_html(kpis: dict[str, Estimate], diffs: dict[str, Difference] | None, lang_: str,
                   ids: Iterable[str] = MAIN_KPIS, against: str | None = None) -> str:
    """The cards as one HTML block: the value, the change against the baseline with its CI, and the
    verdict (in words and with an arrow, never by colour alone). Each card is `<div class="llt-card"
    data-kpi="ID">`; the grid takes as many columns as fit, two on a phone (half the scrolling to the
    charts)."""
    cards = []
    for kpi_id in ids:
        estimate = kpis.get(kpi_id)
        if estimate is None or estimate.mean is None:
            continue
        lines = [f'<div class="llt-name">{escape(kpi_name(kpi_id, lang_))}</div>',
                 f'<div class="llt-value">{escape(fmt(kpi_id, estimate.mean, lang_))}</div>']
        d = diffs.get(kpi_id) if diffs else None
        if d is not None and d.diff is not None:
            change = fmt(kpi_id, d.diff, lang_, signed=True)
            arrow = change_arrow(d.diff, change)
            tone = {"better": " llt-better", "worse": " llt-worse"}.get(d.verdict, "")
            lines.append(f'<div class="llt-diff{tone}">{arrow} {escape(change)} · '
                         f'<b>{escape(verdict_text(d.verdict, lang_))}</b></div>')
            if d.ci95:
                lines.append('<div class="llt-ci">' + escape(t(
                    "card.diff_ci", lang_, low=fmt(kpi_id, d.ci95[0], lang_, signed=True),
                    high=fmt(kpi_id, d.ci95[1], lang_, signed=True),
                    against=against or t("compare.against_as_is", lang_))) + "</div>")
        elif (ci := shown_interval(kpi_id, estimate.ci95)) is not None:
            lines.append('<div class="llt-ci">' + escape(t("card.ci", lang_, low=fmt(kpi_id, ci[0], lang_),
                                                            high=fmt(kpi_id, ci[1], lang_))) + "</div>")
        else:
            lines.append(f'<div class="llt-ci">{escape(t("card.no_ci", lang_))}</div>')
        cards.append(f'<div class="llt-card" data-kpi="{kpi_id}">' + "".join(lines) + "</div>")
    return CARDS_CSS + '<div class="llt-cards">' + "".join(cards) + "</div>"


def plain_cards(items: list[tuple[str, str, str]]) -> None:
    """Cards of (id, label, value) in the KPI cards' grid: a long value ("pays back in 0.4 years
    (within a year)") wraps instead of being cut, as a metric's was."""
    cards = "".join(f'<div class="llt-card" data-kpi="{escape(key)}"><div class="llt-name">{escape(label)}</div>'
                    f'<div class="llt-value">{escape(value)}</div></div>' for key, label, value in items)
    st.html(CARDS_CSS + f'<div class="llt-cards">{cards}</div>')


def kpi_cards(kpis: dict[str, Estimate], diffs: dict[str, Difference] | None, lang_: str,
              ids: Iterable[str] = MAIN_KPIS, against: str | None = None) -> None:
    """A card per figure (`kpi_cards_html`), drawn as one element: a results page has some 25 cards,
    and one HTML block costs the browser a fraction of a hundred Markdown elements when a round is
    revealed to a room of pages at once."""
    st.html(kpi_cards_html(kpis, diffs, lang_, ids, against))


def tool_picker(scenario: Scenario, lang_: str, key_prefix: str, offered: Iterable[str] | None = None,
                disabled: Iterable[str] = (), on_change: Callable[..., None] | None = None,
                args: tuple[Any, ...] = ()) -> list[str]:
    """Tool cards grouped by the waste they attack; returns the ids ticked (`on_change(*args)` after a
    tick: the Team page keeps its draft)."""
    offered_ids = list(offered) if offered is not None else list(scenario.tools)
    locked = set(disabled)
    chosen: list[str] = []
    groups: dict[str, list[str]] = {}
    for tid in offered_ids:
        tool = scenario.tools[tid]
        groups.setdefault(tool.waste or tool.aim or "", []).append(tid)
    order = [w for w in (*WASTES, "accessibility") if w in groups]
    cols = st.columns(2)
    for i, waste in enumerate(order):
        with cols[i % 2]:
            st.markdown(f"**{t('waste.' + waste, lang_)}**")
            for tid in groups[waste]:
                tool = scenario.tools[tid]
                cost = price_text(scenario, [tid], lang_)
                if tool.cost.roubles_per_day:
                    cost += " · " + running_text(scenario, [tid], lang_)
                with st.container(border=True):
                    name = pick(tool.name, lang_)
                    if tid in locked:  # chosen in an earlier round: stays in place
                        ticked = st.checkbox(name, value=True, disabled=True, key=f"{key_prefix}.{tid}.kept",
                                             help=t("tools.kept_help", lang_))
                        st.caption(t("tools.kept", lang_))
                    else:
                        ticked = st.checkbox(name, key=f"{key_prefix}.{tid}", on_change=on_change, args=args)
                    with st.expander(f"{cost} · {t('tools.more', lang_)}"):
                        st.write(pick(tool.description, lang_))
                if ticked or tid in locked:
                    chosen.append(tid)
    return chosen
