"""Results beside the as-is baseline: score, KPI cards, charts, value-stream maps, downloads.

Shared by the sandbox and (later) the team view; it draws what `sim` computed and computes nothing.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import plotly.graph_objects as go
import streamlit as st

from sim.experiment import Comparison, Results, compare
from sim.export import comparison_rows, run_rows, to_csv, to_xlsx
from sim.i18n import counted, num, pick, t, verdict_word
from sim.scenario import Scenario
from sim.score import Score
from sim.vsm import acquisitions_stream, purpose_stream

from . import charts, runner
from .widgets import compact, kpi_cards

PLOT_CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
FIGURES_KEPT = 256  # built figures kept for every page of this server (a room's reveal shares them)
_figures: OrderedDict[Hashable, go.Figure] = OrderedDict()
_figures_lock = threading.Lock()
figure_builds = 0  # how many figures were built rather than reused (for tests of the cache)


def fingerprint(results: Results) -> Hashable:
    """What identifies a run's figures: its seed, replications and every estimate (cheap to take)."""
    return (results.scenario_id, results.seed, results.replications, len(results.hours),
            tuple((k, e.mean, e.ci95) for k, e in sorted(results.kpis.items())))


def cached_figure(key: Hashable, build: Callable[[], go.Figure]) -> go.Figure:
    """A figure built once per server for `key`: when a round is revealed a dozen pages show the same
    figures within a second, so they are built by the first and reused (st.plotly_chart only reads
    them). One lock: figure building holds the interpreter anyway, and a page that waits gets the
    figure the one before it built."""
    global figure_builds
    with _figures_lock:
        found = _figures.get(key)
        if found is not None:
            _figures.move_to_end(key)
            return found
        figure = build()
        figure_builds += 1
        _figures[key] = figure
        while len(_figures) > FIGURES_KEPT:
            _figures.popitem(last=False)
        return figure


def show_results(scenario: Scenario, variant_scenario: Scenario, baseline: Results, variant: Results,
                 score: Score, tools: list[str], lang: str, key: str, *, against: bool | None = None,
                 downloads: bool = True, baseline_round: int | None = None, variant_round: int | None = None,
                 lazy: bool = False) -> Comparison | None:
    """Everything a librarian needs to read one run against a baseline (by default: the library as
    it is, compared when tools were applied).

    `baseline_round` names the baseline when it is the team's own earlier round rather than the
    library as it is (cards, legends and captions then say so); the score is always against as-is.
    With `lazy` (the Team page) only the open tab is drawn, in a fragment of its own: opening another
    tab redraws just that part, and a reveal sends each page two charts instead of six.
    """
    against = bool(tools) if against is None else against
    comparison = compare(baseline, variant) if against else None
    phone = compact()
    if baseline_round is None:
        against_text = t("compare.against_as_is", lang)
        names = None
    else:
        against_text = t("compare.against_round", lang, n=baseline_round)
        names = (t("compare.round_n", lang, n=baseline_round), t("compare.round_n", lang, n=variant_round or baseline_round + 1))
    # the figures of these runs, in this language and layout, are the same on every page that shows them
    ident = (scenario.id, variant_scenario.id, tuple(tools), fingerprint(baseline), fingerprint(variant), against,
             names, lang, phone)
    left, right = (st.container(), st.container()) if phone else st.columns([2, 3])
    with left:
        gauge = cached_figure(("score", ident, score.total.mean, score.total.ci95),
                              lambda: charts.score_gauge(score.total.mean, score.total.ci95, lang, compact=phone))
        st.plotly_chart(gauge, config=PLOT_CONFIG, key=f"{key}.score")
        ci = score.total.ci95
        st.caption(t("chart.score_ci", lang, low=num(ci[0], lang), high=num(ci[1], lang)) if ci and tools
                   else t("chart.score_as_is", lang))
        if baseline_round is not None:  # the cards compare with the team's round before; the score never does
            st.caption(t("score_note.against_round", lang, n=baseline_round))
        if tools:
            score_parts(scenario, score, lang)
    with right:
        if tools:
            st.markdown(t("results.with_tools", lang, tools=", ".join(pick(scenario.tools[x].name, lang) for x in tools),
                          against=against_text))
        else:
            st.markdown(t("results.as_is", lang))
        # the verdicts are explained only where there are differences to judge
        st.caption(t("results.how_to_read" if against else "score_note.how_to_read_as_is", lang,
                     runs=counted("compare.replications", variant.replications, lang), seed=variant.seed))
    kpi_cards(variant.kpis, comparison.kpis if comparison else None, lang, against=against_text)
    view = _Tabs(scenario, variant_scenario, baseline if against else None, variant, comparison, names, ident, lang,
                 key, phone, downloads)
    if lazy:
        st.fragment(view.draw_lazily)()
    else:
        view.draw()
    return comparison


class _Tabs:
    """The results' tabs: the waiting, the day, the staff, the readers lost, the value streams, the
    groups (and the data to download)."""

    def __init__(self, scenario: Scenario, variant_scenario: Scenario, base: Results | None, variant: Results,
                 comparison: Comparison | None, names: tuple[str, str] | None, ident: Hashable, lang: str, key: str,
                 phone: bool, downloads: bool) -> None:
        self.scenario, self.variant_scenario, self.base, self.variant = scenario, variant_scenario, base, variant
        self.comparison, self.names, self.ident, self.lang, self.key = comparison, names, ident, lang, key
        self.phone, self.downloads = phone, downloads
        self.names_shown = [t("tab.waiting", lang), t("tab.day", lang), t("tab.staff", lang), t("tab.left", lang),
                            t("tab.vsm", lang), t("tab.groups", lang)] + ([t("tab.data", lang)] if downloads else [])

    def draw(self) -> None:
        """Every tab drawn (the sandbox: one reader, its downloads ready)."""
        for number, tab in enumerate(st.tabs(self.names_shown)):
            with tab:
                self._tab(number)

    def draw_lazily(self) -> None:
        """Only the open tab drawn; another tab is drawn when it is opened."""
        tabs = st.tabs(self.names_shown, key=f"{self.key}.tabs.{self.lang}", on_change="rerun")
        for number, tab in enumerate(tabs):
            if tab.open is not False:
                with tab:
                    self._tab(number)

    def _chart(self, name: str, build: Callable[[], go.Figure]) -> None:
        st.plotly_chart(cached_figure((name, self.ident), build), config=PLOT_CONFIG, key=f"{self.key}.{name}")

    def _tab(self, number: int) -> None:
        s, vs, lang, phone, names = self.scenario, self.variant_scenario, self.lang, self.phone, self.names
        if number == 0:
            self._chart("wait", lambda: charts.wait_distribution(self.variant, s, lang, self.base, names=names,
                                                                 compact=phone))
        elif number == 1:
            self._chart("day", lambda: charts.day_profile(self.variant, vs, lang, compact=phone))
            if vs.events_on:
                st.caption(t("events.chart_note", lang))
        elif number == 2:
            self._chart("util", lambda: charts.utilisation_heatmap(self.variant, vs, lang, compact=phone))
            st.caption(t("chart.band_note", lang))
        elif number == 3:
            self._chart("left", lambda: charts.left_unserved(self.variant, s, lang, self.base, names=names,
                                                             compact=phone))
        elif number == 4:
            _vsm(vs, self.variant, lang, self.key, phone, self.ident)
        elif number == 5:
            _groups(s, self.variant, self.comparison, lang)
        else:
            _downloads(vs, self.variant, self.comparison, lang, self.key)


def score_parts(scenario: Scenario, score: Score, lang: str) -> None:
    """The four parts of the balanced score, each on the same 100 = as-is scale, with its weight."""
    weights = scenario.score.model_dump()
    lines = [f"**{t('score_part.title', lang)}**"]
    for part, estimate in score.parts.items():
        if estimate.mean is None:
            continue
        name = f"{t('score_part.' + part, lang)} ({t('score_part.weight', lang, w=num(weights.get(part, 0.0), lang, 2))})"
        value = num(100.0 * (1.0 + estimate.mean), lang)
        if estimate.ci95:
            lo, hi = (num(100.0 * (1.0 + x), lang) for x in estimate.ci95)
            lines.append("- " + t("score_part.line_ci", lang, part=name, value=value, low=lo, high=hi))
        else:
            lines.append(f"- {name}: {value}")
    st.markdown("\n".join(lines))


def _vsm(scenario: Scenario, results: Results, lang: str, key: str, phone: bool, ident: Hashable) -> None:
    options = list(scenario.purposes) + (["__acquisitions__"] if scenario.acquisitions else [])
    # open on the longest route: the most to see
    longest = max(range(len(scenario.purposes)), key=lambda i: len(scenario.purposes[options[i]].route))
    choice = st.selectbox(
        t("vsm.choose", lang), options, index=longest, key=f"{key}.vsm_choice",
        format_func=lambda p: t("vsm.acquisitions", lang) if p == "__acquisitions__" else pick(scenario.purposes[p].name, lang),
    )
    stream = acquisitions_stream(scenario, results) if choice == "__acquisitions__" else purpose_stream(scenario, results, choice)
    if stream is not None:
        st.markdown(charts.vsm_summary(stream, lang))
        figure = cached_figure(("vsm", choice, ident), lambda: charts.vsm(stream, lang, compact=phone))
        st.plotly_chart(figure, config=PLOT_CONFIG, key=f"{key}.vsm")
        st.caption(t("vsm.note", lang))


def _groups(scenario: Scenario, results: Results, comparison: Comparison | None, lang: str) -> None:
    rows = []
    for gid, group in scenario.groups.items():
        figures = results.groups.get(gid, {})
        row = {t("chart.group", lang): pick(group.name, lang)}
        for kpi_id in ("wait_mean", "wait_p90", "left_unserved_share", "served_within_15_share"):
            e = figures.get(kpi_id)
            value = None if e is None or e.mean is None else e.mean
            label = t(f"groups.{kpi_id}", lang)
            row[label] = None if value is None else (round(100 * value, 1) if "share" in kpi_id else round(value, 2))
            if comparison and gid in comparison.groups and kpi_id in comparison.groups[gid]:
                d = comparison.groups[gid][kpi_id]
                row[label + " · " + t("groups.verdict", lang)] = verdict_word(d.verdict, lang)
        rows.append(row)
    st.dataframe(rows, hide_index=True)


def _downloads(scenario: Scenario, results: Results, comparison: Comparison | None, lang: str, key: str) -> None:
    rows = comparison_rows(comparison, lang, scenario) if comparison else run_rows(results, lang, scenario)
    sheets = {t("download.sheet_figures", lang): rows}
    if comparison:
        sheets[t("download.sheet_run", lang)] = run_rows(results, lang, scenario)
    name = f"{scenario.id}-seed{results.seed}-r{results.replications}"
    c1, c2, c3 = st.columns(3)
    c1.download_button(t("download.csv", lang), to_csv(rows), f"{name}.csv", "text/csv", key=f"{key}.csv")
    c2.download_button(t("download.xlsx", lang), to_xlsx(sheets), f"{name}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}.xlsx")
    c3.download_button(t("download.events", lang), runner.event_log_csv(scenario.model_dump_json(), results.seed),
                       f"{name}-events.csv", "text/csv", key=f"{key}.events")
