"""The figure builders of `dashboard/charts.py`, checked against the Results they draw (no Streamlit).

Each builder is a pure function from results to a Plotly figure, so a figure can be checked number by
number: the boxes against the waiting-time samples, the lines against the hourly series, the heat-map
against the utilisation, the bars against the group figures, the dial against the score, and the
value-stream map against `sim.vsm`.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest
from builders import one_day_hall
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard import charts
from sim.experiment import Results, run_experiment
from sim.i18n import LANGS, num, pick, t
from sim.lean import apply_tools
from sim.scenario import Scenario, load_scenario
from sim.score import balanced_score
from sim.vsm import ValueStream, acquisitions_stream, purpose_stream

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SHIPPED = sorted(p.name for p in SCENARIOS.glob("*.yaml"))
SEED = 4242
REPS = 3
TOOL = "five_s_desk"
CYRILLIC = re.compile("[\u0400-\u04ff]")


def floats(values) -> np.ndarray:
    """A sequence with None as NaN, for comparisons with `equal_nan`."""
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


@pytest.fixture(scope="module")
def hall() -> Scenario:
    """The central lending hall, one day long (a quick run)."""
    return one_day_hall()


@pytest.fixture(scope="module")
def runs(hall: Scenario) -> tuple[Scenario, Results, Results]:
    """(the scenario with the tool applied, the as-is run, the run with the tool): same seed and replications."""
    variant_scenario = apply_tools(hall, [TOOL])
    baseline = run_experiment(hall, REPS, SEED, workers=1)
    variant = run_experiment(variant_scenario, REPS, SEED, workers=1)
    return variant_scenario, baseline, variant


def test_the_one_day_runs_are_what_the_charts_expect(hall, runs):
    _, baseline, variant = runs
    assert hall.calendar.days == 1
    assert baseline.replications == variant.replications == REPS
    assert baseline.hours == list(range(10, 22))  # opening hours and two hours of overtime
    assert set(baseline.wait_samples) == set(hall.groups)
    assert all(len(s) > 0 for s in variant.wait_samples.values())


# --- waiting time by group -----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_wait_distribution_with_baseline_has_one_box_trace_per_run_and_one_box_per_group(hall, runs, lang):
    _, baseline, variant = runs
    fig = charts.wait_distribution(variant, hall, lang, baseline)
    assert isinstance(fig, go.Figure)
    assert [tr.type for tr in fig.data] == ["box", "box"]
    assert [tr.name for tr in fig.data] == [t("chart.as_is", lang), t("chart.with_tools", lang)]
    group_names = [pick(g.name, lang) for g in hall.groups.values()]
    for trace, run in zip(fig.data, (baseline, variant)):
        assert list(trace.x) == group_names
        for i, gid in enumerate(hall.groups):
            samples = np.asarray(run.wait_samples[gid], dtype=float)
            q1, median, q3 = np.percentile(samples, [25, 50, 75])
            assert trace.median[i] == pytest.approx(median)
            assert trace.q1[i] == pytest.approx(q1)
            assert trace.q3[i] == pytest.approx(q3)
            assert trace.mean[i] == pytest.approx(samples.mean())
            assert samples.min() <= trace.lowerfence[i] <= trace.q1[i] <= trace.median[i]
            assert trace.median[i] <= trace.q3[i] <= trace.upperfence[i] <= samples.max()
    # the 15-minute regulation is drawn as a horizontal line
    assert any(s.y0 == 15 and s.y1 == 15 for s in fig.layout.shapes)


def test_wait_distribution_of_a_single_run_has_one_box_trace(hall, runs):
    _, _, variant = runs
    fig = charts.wait_distribution(variant, hall, "en")
    assert [tr.type for tr in fig.data] == ["box"]
    assert fig.data[0].name == t("chart.this_run", "en")
    medians = [np.percentile(variant.wait_samples[g], 50) for g in hall.groups]
    np.testing.assert_allclose(fig.data[0].median, medians)


# --- the day hour by hour ------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_day_profile_lines_are_the_hourly_series(runs, lang):
    variant_scenario, _, variant = runs
    fig = charts.day_profile(variant, variant_scenario, lang)
    assert [tr.type for tr in fig.data] == ["bar", "scatter", "scatter"]
    labels = [f"{h}:00" for h in range(10, 22)]
    assert labels[0] == "10:00" and labels[-1] == "21:00"
    for trace in fig.data:
        assert list(trace.x) == labels
    staff_bar, queue, inside = fig.data
    assert queue.name == t("chart.queue_length", lang)
    assert inside.name == t("chart.readers_inside", lang)
    assert staff_bar.name == t("chart.staff_on_duty", lang)
    np.testing.assert_allclose(floats(queue.y), floats(variant.hourly["queue_length"]), equal_nan=True)
    np.testing.assert_allclose(floats(inside.y), floats(variant.hourly["readers_inside"]), equal_nan=True)
    staff = sum(np.nan_to_num(floats(variant.hourly[f"staff_on_duty.{r}"])) for r in variant_scenario.roles)
    np.testing.assert_allclose(floats(staff_bar.y), staff)
    assert staff_bar.yaxis == "y2"  # staff on the right-hand axis


# --- staff utilisation ---------------------------------------------------------------------------


def _check_heatmap(fig: go.Figure, results: Results, scenario: Scenario, lang: str) -> None:
    assert [tr.type for tr in fig.data] == ["heatmap"]
    heat = fig.data[0]
    roles = list(scenario.roles)
    assert list(heat.y) == [pick(scenario.roles[r].name, lang) for r in roles]
    assert len(heat.z) == len(heat.text) == len(roles)
    assert list(heat.x) == [f"{h:02d}:00" for h in results.hours]
    for role_id, z_row, text_row in zip(roles, heat.z, heat.text):
        util = results.hourly[f"utilisation.{role_id}"]
        np.testing.assert_allclose(floats(z_row), 100 * floats(util), equal_nan=True)
        assert len(text_row) == len(util)
        for v, text in zip(util, text_row):
            if v is None:
                assert text == ""
                continue
            assert f"{100 * v:.0f}%" in text
            assert ("▲" in text) == (v > 0.85)
            assert ("▼" in text) == (v < 0.65)


@pytest.mark.parametrize("lang", LANGS)
def test_utilisation_heatmap_has_a_row_per_role_in_percent_with_band_marks(runs, lang):
    variant_scenario, _, variant = runs
    _check_heatmap(charts.utilisation_heatmap(variant, variant_scenario, lang), variant, variant_scenario, lang)


def test_utilisation_heatmap_marks_every_case_of_the_band(runs):
    """Values forced above, inside, on the edges of and below the 65-85% band, and missing."""
    variant_scenario, _, variant = runs
    forced = [0.95, 0.86, 0.85, 0.75, 0.65, 0.64, 0.10, None, 0.0, 1.0, 0.5, 0.8]
    role = next(iter(variant_scenario.roles))
    results = dataclasses.replace(variant, hourly={**variant.hourly, f"utilisation.{role}": forced})
    fig = charts.utilisation_heatmap(results, variant_scenario, "en")
    _check_heatmap(fig, results, variant_scenario, "en")
    row = fig.data[0].text[0]
    assert list(row[:8]) == ["▲ 95%", "▲ 86%", "85%", "75%", "65%", "▼ 64%", "▼ 10%", ""]


# --- left unserved -------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_left_unserved_bars_are_the_group_shares_in_percent(hall, runs, lang):
    _, baseline, variant = runs
    fig = charts.left_unserved(variant, hall, lang, baseline)
    assert [tr.type for tr in fig.data] == ["bar", "bar"]
    assert [tr.name for tr in fig.data] == [t("chart.as_is", lang), t("chart.with_tools", lang)]
    for trace, run in zip(fig.data, (baseline, variant)):
        assert list(trace.x) == [pick(g.name, lang) for g in hall.groups.values()]
        estimates = [run.groups[g]["left_unserved_share"] for g in hall.groups]
        np.testing.assert_allclose(floats(trace.y), [100 * e.mean for e in estimates])
        errors = [100 * (e.ci95[1] - e.mean) if e.ci95 else 0.0 for e in estimates]
        np.testing.assert_allclose(floats(trace.error_y.array), errors, atol=1e-9)
    single = charts.left_unserved(variant, hall, lang)
    assert [tr.name for tr in single.data] == [t("chart.this_run", lang)]


# --- the score dial ------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_score_gauge_shows_the_balanced_score_on_a_0_to_200_dial(hall, runs, lang):
    _, baseline, variant = runs
    score = balanced_score(hall, baseline, variant, (), [TOOL])
    fig = charts.score_gauge(score.total.mean, score.total.ci95, lang)
    assert [tr.type for tr in fig.data] == ["indicator"]
    dial = fig.data[0]
    assert dial.value == pytest.approx(score.total.mean)
    assert 0 <= dial.value <= 200
    assert "gauge" in dial.mode
    assert tuple(dial.gauge.axis.range) == (0, 200)
    assert dial.delta.reference == 100
    assert dial.gauge.threshold.value == 100


def test_score_gauge_without_a_score_shows_100():
    assert charts.score_gauge(None, None, "ru").data[0].value == 100


# --- value-stream maps ---------------------------------------------------------------------------


def _expected_unit(stream: ValueStream, lang: str) -> tuple[float, str]:
    """Minutes, hours past 3 hours of lead time, days past 2 days for the acquisitions stream."""
    lead = sum(s.process_min + s.wait_min for s in stream.steps)
    if stream.kind == "acquisitions" and lead > 2 * 1440:
        return 1440.0, t("chart.days", lang)
    if lead > 180:
        return 60.0, t("chart.hours", lang)
    return 1.0, t("chart.minutes", lang)


def _check_vsm(stream: ValueStream, scenario: Scenario, lang: str) -> None:
    fig = charts.vsm(stream, lang)
    assert isinstance(fig, go.Figure)
    # one box per step of the route
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == len(stream.steps)
    assert all(r.x1 > r.x0 for r in rects)
    assert all(b.x0 > a.x1 for a, b in itertools.pairwise(rects))  # left to right, no overlap
    scale, unit = _expected_unit(stream, lang)
    texts = [(a.text or "").replace("<br>", " ") for a in fig.layout.annotations]
    for step in stream.steps:
        assert any(pick(step.name, lang) in x for x in texts), step.step_id
        assert any(f"{t('vsm.process', lang)}: {num(step.process_min / scale, lang)} {unit}" in x for x in texts)
        assert any(f"{num(step.wait_min / scale, lang)} {unit}" in x and "△" in x for x in texts)
    legend = [tr.name for tr in fig.data if tr.showlegend is not False]
    assert legend == [t(f"vsm.{v}", lang) for v in ("value_added", "necessary", "waste")]
    assert fig.layout.title.text == f"{t('vsm.title', lang)}: {pick(stream.title, lang)}"
    fig.to_json()  # it can be sent to the browser
    # the phone form: the same boxes, one under another, none overlapping
    phone = charts.vsm(stream, lang, compact=True)
    boxes = [s for s in phone.layout.shapes if s.type == "rect"]
    assert len(boxes) == len(stream.steps)
    assert all(b.y1 < a.y0 for a, b in itertools.pairwise(boxes))
    # the summary: lead time = the sum of process and waiting times of the steps
    lead = sum(s.process_min + s.wait_min for s in stream.steps)
    assert stream.lead_time_min == pytest.approx(lead)
    # value-added: a step's value-added parts, or the whole step if it is value-added and has no parts
    va = sum(sum(p.process_min for p in s.parts if p.value == "value_added") if s.parts
             else s.process_min if s.value == "value_added" else 0.0 for s in stream.steps)
    assert stream.value_added_min == pytest.approx(va)
    summary = charts.vsm_summary(stream, lang)
    pce = "—" if lead <= 0 else f"{num(100 * va / lead, lang, 0)}%"
    assert summary == t("vsm.summary", lang, lead=num(lead / scale, lang), unit=unit, va=num(va / scale, lang), pce=pce)
    if lang == "ru":
        assert "." not in summary.split(":", 1)[1].replace("...", ""), summary  # a decimal comma
    assert all(np.isfinite([s.process_min, s.wait_min]).all() and s.process_min >= 0 and s.wait_min >= 0
               for s in stream.steps)
    if stream.pce is not None:
        assert 0.0 <= stream.pce <= 1.0


@pytest.mark.parametrize("lang", LANGS)
def test_vsm_of_the_longest_route_has_a_box_per_step_and_sums_to_the_lead_time(runs, lang):
    variant_scenario, _, variant = runs
    pid = max(variant_scenario.purposes, key=lambda p: len(variant_scenario.purposes[p].route))
    stream = purpose_stream(variant_scenario, variant, pid)
    assert [s.step_id for s in stream.steps] == list(variant_scenario.purposes[pid].route)
    assert len(stream.steps) >= 3
    _check_vsm(stream, variant_scenario, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_vsm_of_acquisitions(runs, lang):
    variant_scenario, _, variant = runs
    stream = acquisitions_stream(variant_scenario, variant)
    assert stream is not None and stream.kind == "acquisitions"
    _check_vsm(stream, variant_scenario, lang)


# --- languages -----------------------------------------------------------------------------------

BUILDERS: dict[str, Callable] = {
    "wait_distribution": lambda s, v, b, lang: charts.wait_distribution(v, s, lang, b),
    "day_profile": lambda s, v, b, lang: charts.day_profile(v, s, lang),
    "utilisation_heatmap": lambda s, v, b, lang: charts.utilisation_heatmap(v, s, lang),
    "left_unserved": lambda s, v, b, lang: charts.left_unserved(v, s, lang, b),
    "score_gauge": lambda s, v, b, lang: charts.score_gauge(105.0, (101.0, 109.0), lang),
    "vsm": lambda s, v, b, lang: charts.vsm(purpose_stream(s, v, "borrow_closed"), lang),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_titles_follow_the_language(runs, name):
    variant_scenario, baseline, variant = runs
    figs = {lang: BUILDERS[name](variant_scenario, variant, baseline, lang) for lang in LANGS}
    titles = {lang: fig.layout.title.text for lang, fig in figs.items()}
    assert all(titles.values()), titles
    assert titles["ru"] != titles["en"]
    assert CYRILLIC.search(titles["ru"])
    # nothing Russian left in the English figure (scenario names come in both languages)
    assert not CYRILLIC.search(figs["en"].to_json()), name


def test_vsm_summary_follows_the_language(runs):
    variant_scenario, _, variant = runs
    stream = purpose_stream(variant_scenario, variant, "borrow_closed")
    ru, en = (charts.vsm_summary(stream, lang) for lang in LANGS)
    assert ru and en and ru != en
    assert not CYRILLIC.search(en)


@pytest.mark.parametrize("lang", LANGS)
def test_axis_titles_and_units(hall, runs, lang):
    variant_scenario, baseline, variant = runs
    wait = charts.wait_distribution(variant, hall, lang, baseline)
    assert wait.layout.yaxis.title.text == t("chart.minutes", lang)
    assert wait.layout.xaxis.title.text == t("chart.group", lang)
    day = charts.day_profile(variant, variant_scenario, lang)
    assert day.layout.xaxis.title.text == t("chart.hour", lang)
    assert day.layout.yaxis.title.text == t("chart.readers", lang)
    assert day.layout.yaxis2.title.text == t("chart.staff", lang)
    heat = charts.utilisation_heatmap(variant, variant_scenario, lang)
    assert heat.layout.xaxis.title.text == t("chart.hour", lang)
    assert heat.data[0].colorbar.title.text == "%"
    assert (heat.data[0].zmin, heat.data[0].zmax) == (0, 100)
    left = charts.left_unserved(variant, hall, lang, baseline)
    assert left.layout.yaxis.title.text == "%"
    assert left.layout.xaxis.title.text == t("chart.group", lang)


# --- every value stream of every shipped scenario ------------------------------------------------


@cache
def _shipped(name: str) -> Scenario:
    return load_scenario(SCENARIOS / name)


@cache
def _shipped_run(name: str, tools: tuple[str, ...] = ()) -> tuple[Scenario, Results]:
    scenario = apply_tools(_shipped(name), tools)
    return scenario, run_experiment(scenario, 1, SEED, workers=1)


def _streams(name: str) -> list[str]:
    scenario = _shipped(name)
    return list(scenario.purposes) + (["__acquisitions__"] if scenario.acquisitions else [])


def _stream(scenario: Scenario, results: Results, choice: str) -> ValueStream:
    if choice == "__acquisitions__":
        stream = acquisitions_stream(scenario, results)
        assert stream is not None
        return stream
    return purpose_stream(scenario, results, choice)


@pytest.mark.parametrize(("name", "choice"), [(n, c) for n in SHIPPED for c in _streams(n)])
def test_vsm_of_every_stream_of_every_shipped_scenario(name, choice):
    scenario, results = _shipped_run(name)
    for lang in LANGS:
        _check_vsm(_stream(scenario, results, choice), scenario, lang)


@settings(max_examples=40)
@given(data=st.data())
def test_vsm_works_for_any_purpose_of_any_shipped_scenario_with_any_tools(data):
    name = data.draw(st.sampled_from(SHIPPED), label="scenario")
    tool_ids = list(_shipped(name).tools)
    tools = data.draw(st.lists(st.sampled_from(tool_ids), unique=True, max_size=3), label="tools") if tool_ids else []
    scenario, results = _shipped_run(name, tuple(sorted(tools)))
    options = list(scenario.purposes) + (["__acquisitions__"] if scenario.acquisitions else [])
    choice = data.draw(st.sampled_from(options), label="stream")
    lang = data.draw(st.sampled_from(LANGS), label="lang")
    _check_vsm(_stream(scenario, results, choice), scenario, lang)


def test_the_dial_of_the_library_as_it_is_shows_no_change() -> None:
    """Round 1's dial showed a stray "-" under 100,0: a delta of nothing."""
    from dashboard.charts import score_gauge

    assert "delta" not in score_gauge(100.0, None, "ru").data[0].mode
    assert "delta" in score_gauge(117.1, (110.0, 124.0), "ru").data[0].mode
