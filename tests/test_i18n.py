"""Translations: both catalogues complete and consistent, every key the code uses present, the Learn
texts parallel, the KPI names in both languages, and Russian plurals right."""

from __future__ import annotations

import ast
import re
import string
import tomllib
from pathlib import Path
from typing import get_args

import pytest

from dashboard.charts import VALUE_COLOURS
from dashboard.content import sections
from sim.experiment import Verdict
from sim.i18n import LANGS, MissingTranslation, catalogue, plural, t
from sim.kpis import KPIS, kpi
from sim.scenario import WASTES
from sim.score import PARTS

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "sim" / "locales"
CONTENT = ROOT / "dashboard" / "content"
CYRILLIC = re.compile("[\u0400-\u04ff]")
INTENTIONALLY_EMPTY = {"unit.ratio"}  # a ratio has no unit: "1.21", not "1.21 something"


def _flat(table: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _raw(lang: str) -> dict[str, object]:
    """The catalogue read straight from the TOML file (not through sim.i18n)."""
    with open(LOCALES / f"{lang}.toml", "rb") as handle:
        return _flat(tomllib.load(handle))


def _fields(text: str) -> set[str]:
    """The names of the `{name}` / `{name:.1f}` fields of a format string."""
    return {field.split(".")[0].split("[")[0] for _, field, _, _ in string.Formatter().parse(text) if field is not None}


# --- the catalogues ------------------------------------------------------------------------------


def test_both_locale_files_have_exactly_the_same_keys():
    ru, en = _raw("ru"), _raw("en")
    assert sorted(set(ru) - set(en)) == [], "keys only in ru.toml"
    assert sorted(set(en) - set(ru)) == [], "keys only in en.toml"
    assert len(ru) > 100
    assert catalogue("ru").keys() == catalogue("en").keys() == ru.keys()


@pytest.mark.parametrize("lang", LANGS)
def test_every_value_is_a_non_empty_string(lang):
    raw = _raw(lang)
    assert all(isinstance(v, str) for v in raw.values())
    empty = sorted(k for k, v in raw.items() if not str(v).strip())
    assert empty == sorted(INTENTIONALLY_EMPTY)


def test_placeholders_are_the_same_in_both_languages():
    ru, en = catalogue("ru"), catalogue("en")
    different = {k: (_fields(ru[k]), _fields(en[k])) for k in ru if _fields(ru[k]) != _fields(en[k])}
    assert different == {}


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_formats_with_its_placeholders(lang):
    for key, text in catalogue(lang).items():
        values = {name: 1 for name in _fields(text)}
        assert isinstance(t(key, lang, **values), str), key


def test_english_texts_have_no_cyrillic_and_russian_texts_are_russian():
    en, ru = catalogue("en"), catalogue("ru")
    assert {k: v for k, v in en.items() if CYRILLIC.search(v)} == {}
    # a Russian text with letters is Russian (units like "%" or "" aside)
    latin_only = {k: v for k, v in ru.items() if re.search("[A-Za-z]", v) and not CYRILLIC.search(v)}
    assert latin_only == {}


# --- every key the code uses exists --------------------------------------------------------------


def _sources() -> list[Path]:
    files = [ROOT / "app.py", *sorted((ROOT / "dashboard").rglob("*.py")), *sorted((ROOT / "sim").rglob("*.py"))]
    return [f for f in files if f.is_file()]


def _key_of(node: ast.expr) -> tuple[list[str], list[str]] | None:
    """(literal keys, key prefixes) a `t(...)` first argument can take; None if it cannot be read."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value], []
    if isinstance(node, ast.JoinedStr):  # f"verdict.{x}": the text before the first field
        prefix = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                prefix += str(part.value)
            else:
                return [], [prefix]
        return [prefix], []
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "waste." + waste
        left = _key_of(node.left)
        if left and left[0] and not left[1]:
            return [], left[0]
        return None
    if isinstance(node, ast.IfExp):  # "a" if x else "b"
        body, orelse = _key_of(node.body), _key_of(node.orelse)
        if body and orelse:
            return body[0] + orelse[0], body[1] + orelse[1]
    return None


KEY_LIKE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\.?$")


def _carries_key(node: ast.Call) -> bool:
    """`t(key, ...)`, or an error raised with a catalogue key (`TrainingError("training.err.x", ...)`)."""
    name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr if isinstance(node.func, ast.Attribute) else ""
    if name == "t":
        return True
    if name.endswith("Error") and node.args:
        found = _key_of(node.args[0])
        return bool(found) and all(KEY_LIKE.match(k) for k in found[0] + found[1])
    return False


def _calls() -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """Keys and key prefixes used in calls `t(...)` (and errors carrying a key), each with where; and
    calls whose key cannot be read. `t(key, ...)` with a variable passes on a key checked where it is made."""
    keys: dict[str, list[str]] = {}
    prefixes: dict[str, list[str]] = {}
    unreadable: list[str] = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _carries_key(node)):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if node.args and isinstance(node.args[0], (ast.Name, ast.Attribute)):
                continue  # a key passed on
            found = _key_of(node.args[0]) if node.args else None
            if found is None:
                unreadable.append(where)
                continue
            for key in found[0]:
                keys.setdefault(key, []).append(where)
            for prefix in found[1]:
                prefixes.setdefault(prefix, []).append(where)
    return keys, prefixes, unreadable


def test_the_key_scanner_finds_the_calls():
    keys, prefixes, unreadable = _calls()
    assert unreadable == [], "t() calls whose key the test cannot read; give them a literal or an f-string key"
    assert len(keys) > 80
    for expected in ("app.title", "sandbox.run", "tab.waiting", "history.paired", "history.unpaired", "vsm.summary"):
        assert expected in keys
    for expected in ("verdict.", "tools.points_", "waste.", "vsm.", "unit.", "groups."):
        assert expected in prefixes


@pytest.mark.parametrize("lang", LANGS)
def test_every_literal_key_used_in_the_code_exists(lang):
    keys, _, _ = _calls()
    missing = {k: where for k, where in keys.items() if k not in catalogue(lang)}
    assert missing == {}


@pytest.mark.parametrize("lang", LANGS)
def test_every_key_prefix_used_in_the_code_has_keys(lang):
    _, prefixes, _ = _calls()
    missing = {p: where for p, where in prefixes.items() if not any(k.startswith(p) for k in catalogue(lang))}
    assert missing == {}


@pytest.mark.parametrize("lang", LANGS)
def test_dynamic_keys_cover_every_value_they_can_take(lang):
    texts = catalogue(lang)
    wanted = [f"verdict.{v}" for v in get_args(Verdict)]
    wanted += [f"{key}_{plural(n, language)}" for key in ("tools.points", "compare.replications", "projector.of_teams")
               for language in LANGS for n in range(0, 130)]
    wanted += [f"score_part.{p}" for p in PARTS]
    wanted += [f"waste.{w}" for w in (*WASTES, "accessibility")]
    wanted += [f"vsm.{v}" for v in VALUE_COLOURS]
    # units the KPI cards spell out (shares, roubles and counts are formatted without a text)
    spelled = {k.unit for k in KPIS.values()} - {"share", "RUB", "readers", "books", "items"}
    wanted += [f"unit.{u.replace('/', '_per_')}" for u in spelled]
    wanted += [f"groups.{k}" for k in ("wait_mean", "wait_p90", "left_unserved_share", "served_within_15_share")]
    assert sorted({k for k in wanted if k not in texts}) == []


# --- the Learn page ------------------------------------------------------------------------------


def test_learn_content_has_the_same_sections_in_the_same_order():
    ids = {lang: [sid for sid, _ in sections(lang)] for lang in LANGS}
    assert ids["ru"] == ids["en"]
    assert len(ids["ru"]) >= 5
    assert len(set(ids["ru"])) == len(ids["ru"]), "section ids are unique"
    # the markers in the files are all found (none mistyped)
    for lang in LANGS:
        text = (CONTENT / f"learn.{lang}.md").read_text(encoding="utf-8")
        assert text.count("<!-- section:") == len(ids[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_learn_sections_are_not_empty_and_in_their_language(lang):
    for sid, body in sections(lang):
        assert body.strip(), sid
        assert body.lstrip().startswith("#"), f"section {sid} starts with a heading"
        if lang == "en":
            assert not CYRILLIC.search(body), sid
        else:
            assert CYRILLIC.search(body), sid


# --- the KPI catalogue ---------------------------------------------------------------------------


def test_every_kpi_has_names_in_both_languages():
    assert len(KPIS) >= 20
    for kpi_id, info in KPIS.items():
        assert info.id == kpi_id
        assert info.ru.strip() and info.en.strip(), kpi_id
        assert info.ru != info.en, kpi_id
        assert CYRILLIC.search(info.ru), kpi_id
        assert not CYRILLIC.search(info.en), kpi_id
    ru_names = [k.ru for k in KPIS.values()]
    en_names = [k.en for k in KPIS.values()]
    assert len(set(ru_names)) == len(ru_names) and len(set(en_names)) == len(en_names)


def test_utilisation_figures_are_named_on_the_fly():
    info = kpi("utilisation.librarian")
    assert info.ru and info.en and "librarian" in info.en


# --- t and plural --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_an_unknown_key_raises_missing_translation(lang):
    with pytest.raises(MissingTranslation):
        t("no.such.key", lang)
    with pytest.raises(KeyError):  # MissingTranslation is a KeyError
        t("sandbox", lang)  # a table, not a text


def test_an_unknown_language_raises_missing_translation():
    with pytest.raises(MissingTranslation):
        t("app.title", "de")


def test_t_fills_placeholders():
    assert t("sandbox.results", "en", title="X") == "Results: X"
    assert t("sandbox.results", "ru", title="X") == "Результаты: X"


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "1 балл"), (2, "2 балла"), (5, "5 баллов"), (11, "11 баллов"), (21, "21 балл"), (22, "22 балла"),
     (0, "0 баллов"), (3, "3 балла"), (4, "4 балла"), (12, "12 баллов"), (14, "14 баллов"), (25, "25 баллов"),
     (101, "101 балл"), (104, "104 балла"), (111, "111 баллов"), (112, "112 баллов")],
)
def test_russian_plurals_of_points(n, text):
    assert t(f"tools.points_{plural(n, 'ru')}", "ru", n=n) == text


@pytest.mark.parametrize(("n", "text"), [(0, "0 points"), (1, "1 point"), (2, "2 points"), (21, "21 points")])
def test_english_plurals_of_points(n, text):
    assert t(f"tools.points_{plural(n, 'en')}", "en", n=n) == text


def test_plural_forms():
    assert [plural(n, "ru") for n in (1, 2, 5, 11, 21, 22)] == ["one", "few", "many", "many", "one", "few"]
    assert {plural(n, "ru") for n in range(200)} == {"one", "few", "many"}
    assert {plural(n, "en") for n in range(200)} == {"one", "many"}
