"""Each label defined once: figure names and units, verdict words, role and group names, numbers.

A figure without a name or unit in either language, a verdict said differently by the command line,
the exports and the dashboard, a role id shown where its name belongs, or a Russian table with a
decimal point fails here.
"""

from __future__ import annotations

import ast
import re
from typing import get_args

import pytest
from builders import ROOT, SCENARIOS, write_one_day_hall

from sim import cli, cli_tables
from sim.experiment import Comparison, Difference, Estimate, Results, Verdict
from sim.export import comparison_rows, run_rows
from sim.i18n import LANGS, catalogue, short_number, t, verdict_word
from sim.kpis import KPIS, display_unit, group_name, kpi, kpi_name, role_name, unit_name
from sim.scenario import Scenario, load_scenario
from sim.score import Score

CYRILLIC = re.compile("[А-Яа-яЁё]")
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))
VERDICTS: tuple[str, ...] = get_args(Verdict)


@pytest.fixture(scope="module")
def hall() -> Scenario:
    return load_scenario(SCENARIOS / "central-lending-hall.yaml")


def _every_kpi_id() -> list[str]:
    """The catalogue's figures and every per-role figure of every shipped scenario."""
    ids = list(KPIS)
    for path in SHIPPED:
        roles = load_scenario(path).roles
        ids += [f"{base}.{r}" for base in ("utilisation", "walk_m_per_day") for r in roles]
    return ids


# --- figures: a name and a unit in both languages ------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_every_figure_has_a_name_and_a_unit_in_both_languages(lang: str) -> None:
    scenarios = {p.stem: load_scenario(p) for p in SHIPPED}
    missing = []
    for kpi_id in _every_kpi_id():
        for scenario in (None, *scenarios.values()):
            try:
                name, unit = kpi_name(kpi_id, lang, scenario), unit_name(kpi_id, lang)
                display_unit(kpi_id, lang)  # beside a value on a card or in the report (a ratio has none)
            except KeyError as error:
                missing.append(f"{kpi_id}: {error}")
                continue
            if not name.strip() or not unit.strip():
                missing.append(kpi_id)
            if lang == "ru" and not CYRILLIC.search(name):
                missing.append(f"{kpi_id}: not Russian: {name}")
    assert missing == []


def test_every_unit_of_the_catalogue_has_a_name_in_both_languages() -> None:
    units = {k.unit.replace("/", "_per_") for k in KPIS.values()}
    for lang in LANGS:
        assert sorted(u for u in units if f"unit_name.{u}" not in catalogue(lang)) == [], lang


def test_a_per_role_figure_says_the_roles_name_from_the_scenario(hall: Scenario) -> None:
    assert kpi_name("utilisation.stack_keeper", "ru", hall) == t(
        "kpi.utilisation", "ru", role=hall.roles["stack_keeper"].name.ru)
    assert "stack_keeper" not in kpi_name("utilisation.stack_keeper", "ru", hall)
    assert kpi_name("walk_m_per_day.librarian", "en", hall) == t("kpi.walk_m_per_day", "en",
                                                                 role=hall.roles["librarian"].name.en)
    # without a scenario (or a role it lacks) the id is all there is
    assert kpi_name("utilisation.stack_keeper", "ru").endswith("stack_keeper")
    assert role_name("nobody", "ru", hall) == "nobody" and group_name("nobody", "en", hall) == "nobody"
    with pytest.raises(KeyError):
        kpi_name("no_such_figure", "ru")


def test_kpi_names_are_looked_up_in_one_place() -> None:
    """No module but `sim.kpis` picks a figure's `.ru` / `.en` name itself."""
    found = []
    for path in [*(ROOT / "sim").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]:
        if path.name == "kpis.py":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"info\.ru if|\.ru if lang", text) and "kpi(" in text:
            found.append(str(path.relative_to(ROOT)))
    assert found == []


# --- verdict words: one function, the same words everywhere ------------------------------------------------


def _comparison() -> Comparison:
    """A comparison whose figures carry every verdict once."""
    empty = Results("x", 1, 2, {}, {}, [], [], {}, {}, {})
    ids = list(KPIS)[: len(VERDICTS)]
    kpis = {k: Difference(1.0, 2.0, 1.0, (0.5, 1.5), v) for k, v in zip(ids, VERDICTS)}  # type: ignore[arg-type]
    return Comparison(empty, empty, kpis, {})


@pytest.mark.parametrize("lang", LANGS)
def test_a_verdict_reads_the_same_in_the_cli_the_exports_and_the_dashboard(lang: str) -> None:
    from dashboard.widgets import verdict_text

    comparison = _comparison()
    score = Score(Estimate(100.0, None, 2), {})
    table = cli_tables.compare_table(comparison, lang, score, load_scenario(SCENARIOS / "mmc-desk.yaml"))
    rows = comparison_rows(comparison, lang)
    for kpi_id, d in comparison.kpis.items():
        word = verdict_word(d.verdict, lang)
        assert word == t(f"verdict.{d.verdict}", lang)
        line = next(x for x in table.splitlines() if x.startswith(kpi_name(kpi_id, lang)))
        assert line.rstrip().endswith(word), (kpi_id, line)
        assert next(r for r in rows if r[2] == kpi_id)[-1] == word
        assert verdict_text(d.verdict, lang) == word
    words = [verdict_word(v, lang) for v in VERDICTS]
    assert len(set(words)) == len(words)


def test_no_module_says_a_verdict_itself() -> None:
    """Every verdict word goes through `sim.i18n.verdict_word` (no `t(f"verdict.{...}")` elsewhere)."""
    found = []
    for path in [*(ROOT / "sim").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]:
        if path.relative_to(ROOT).as_posix() == "sim/i18n.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant) \
                    and str(node.values[0].value).startswith("verdict."):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []


# --- role and group names in exports and tables -------------------------------------------------------------


@pytest.fixture(scope="module")
def hall_run(hall: Scenario) -> Results:
    from sim.experiment import run_experiment

    data = hall.model_dump(mode="json", exclude_none=True)
    data["calendar"]["days"] = 1
    return run_experiment(Scenario.model_validate(data), 1, 3, workers=1)


@pytest.mark.parametrize("lang", LANGS)
def test_the_export_names_roles_and_groups_in_the_readers_language(hall: Scenario, hall_run: Results, lang: str) -> None:
    rows = run_rows(hall_run, lang, hall)
    assert rows[0] == [t(f"table.{c}", lang) for c in ("group", "figure", "id", "unit", "mean", "ci_low", "ci_high")]
    names = {r[2]: r[1] for r in rows[1:] if r[0] == ""}
    for role_id, role in hall.roles.items():
        assert names[f"utilisation.{role_id}"] == t("kpi.utilisation", lang, role=getattr(role.name, lang))
        assert f": {role_id}" not in names[f"utilisation.{role_id}"]
    groups = {r[0] for r in rows[1:] if r[0]}
    assert groups == {getattr(g.name, lang) for g in hall.groups.values()}
    assert {r[3] for r in rows[1:]} <= {unit_name(k, lang) for k in (*KPIS, "utilisation.x")}


def test_the_report_names_figures_with_the_catalogue_function() -> None:
    tree = ast.parse((ROOT / "sim" / "report.py").read_text(encoding="utf-8"))
    defined = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    assert "_kpi_name" not in defined


# --- the Russian command-line table ---------------------------------------------------------------------------


def test_short_numbers_take_the_decimal_comma_in_russian() -> None:
    assert short_number(None, "ru") == "-"
    assert [short_number(x, "en") for x in (0.1234, 12.345, 12345.6)] == ["0.123", "12.35", "12,346"]
    assert [short_number(x, "ru") for x in (0.1234, 12.345, 12345.6)] == ["0,123", "12,35", "12\u00a0346"]
    assert short_number(-0.5, "ru") == "-0,5"


@pytest.fixture(scope="module")
def one_day(tmp_path_factory: pytest.TempPathFactory) -> str:
    return str(write_one_day_hall(tmp_path_factory.mktemp("hall") / "hall.yaml"))


def _decimal_points(line: str) -> list[str]:
    return re.findall(r"\d\.\d", line)


@pytest.mark.parametrize("command", ["run", "compare"])
def test_the_russian_table_has_russian_headings_and_decimal_commas(one_day: str, command: str,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    hall = load_scenario(one_day)
    assert cli.main([command, one_day, "--tools", "pull_stack_runs", "-r", "2", "--workers", "1", "--lang", "ru"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    columns = ("figure", "id", "mean", "ci95", "unit") if command == "run" else (
        "figure", "baseline", "variant", "diff", "ci95", "unit", "verdict")
    head = next(i for i, line in enumerate(lines) if line.startswith(t("table.figure", "ru")))
    assert re.split(r"\s{2,}", lines[head].strip()) == [t(f"table.{c}", "ru") for c in columns]
    assert lines[head - 2].startswith(t("table.score", "ru") + ": ")
    body = lines[head + 2:]
    assert body and all(not _decimal_points(line) for line in body), [x for x in body if _decimal_points(x)][:3]
    assert any(re.search(r"\d,\d", line) for line in body)
    assert not _decimal_points(lines[head - 2])
    figure_names = [re.split(r"\s{2,}", line)[0] for line in body]
    assert kpi_name("utilisation.stack_keeper", "ru", hall) in figure_names
    assert not any("stack_keeper" in name for name in figure_names)
    if command == "run":
        assert lines[1] == t("table.tools", "ru", tools="pull_stack_runs")
        units = {cells[-1] for line in body if not (cells := re.split(r"\s{2,}", line))[-1].startswith("от ")}
        assert units <= {display_unit(k, "ru") for k in (*KPIS, "utilisation.x")}  # a ratio has none
        assert "share" not in units and "доля" not in units and "%" in units
    else:
        verdicts = {verdict_word(v, "ru") for v in VERDICTS}
        assert all(any(line.rstrip().endswith(v) for v in verdicts) for line in body)


def test_the_russian_tools_table_is_in_russian(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["tools", str(SCENARIOS / "central-lending-hall.yaml"), "--lang", "ru"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert re.split(r"\s{2,}", lines[0].strip()) == [t(f"table.{c}", "ru") for c in
                                                     ("id", "tool", "waste", "points", "roubles_per_day")]
    scenario = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    wastes = {t(f"waste.{tool.waste or tool.aim}", "ru") for tool in scenario.tools.values()}
    assert all(any(w in line for w in wastes) for line in lines[2:])


def test_kpi_catalogue_entry_of_a_role_figure_is_made_from_the_locales() -> None:
    info = kpi("walk_m_per_day.librarian")
    assert (info.ru, info.en) == (t("kpi.walk_m_per_day", "ru", role="librarian"),
                                  t("kpi.walk_m_per_day", "en", role="librarian"))
