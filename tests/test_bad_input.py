"""Bad scenario files: each class of bad input is refused with exit status 2 and a message naming the file,
the field and (where YAML gives one) the line; never a traceback.

Every case starts from a valid scenario (scenarios/mmc-desk.yaml, or central-lending-hall.yaml where a
daily calendar is needed) and changes one thing. Each case is checked three ways:

1. `load_scenario(path)` raises ScenarioError, and one of its problems names the expected field, the file
   and the expected line;
2. `lean-sim validate FILE` returns 2 with that problem on stderr and no traceback;
3. `lean-sim run FILE` returns 2 the same way (and writes nothing to stdout).

"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from builders import ROOT, SCENARIOS

from sim.cli import main
from sim.scenario import Problem, ScenarioError, load_scenario

MMC = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8")
HALL = (SCENARIOS / "central-lending-hall.yaml").read_text(encoding="utf-8")

# --- the cases --------------------------------------------------------------------------------------------


def edit(base: str, old: str, new: str) -> str:
    """`base` with its one occurrence of `old` replaced by `new` (fails loudly if the example changes)."""
    assert base.count(old) == 1, f"expected exactly one {old!r} in the example scenario"
    return base.replace(old, new)


def line_of(text: str, marker: str) -> int:
    """1-based number of the line of `text` where `marker` first starts (a leading newline is skipped, so
    "\n  station: stacks" finds that key at that indentation only)."""
    assert marker in text, f"{marker!r} not in the text"
    at = text.index(marker) + (1 if marker.startswith("\n") else 0)
    return text.count("\n", 0, at) + 1


@dataclass
class Case:
    """A broken scenario, and what its problem must say.

    `field`: the dotted field path of the problem ("" for the whole file); a problem whose path goes
    deeper (field + "." or "[") also counts. `says`: words its message must contain (case-insensitive).
    `line_at`: a text on the line the problem must point to, or a tuple of texts when more than one line is
    right (None: no line is meaningful).
    `write`: for cases that are not one text (missing file, folder, bytes); makes and returns the path.
    """

    id: str
    text: str | None
    field: str
    says: list[str]
    line_at: str | tuple[str, ...] | None = None
    write: Callable[[Path], Path] | None = None

    def make(self, tmp_path: Path) -> Path:
        if self.write is not None:
            return self.write(tmp_path)
        path = tmp_path / f"{self.id}.yaml"
        assert self.text is not None
        path.write_text(self.text, encoding="utf-8")
        return path

    @property
    def lines(self) -> set[int]:
        """The lines the problem may point to (empty: none is meaningful)."""
        if self.line_at is None:
            return set()
        assert self.text is not None
        markers = (self.line_at,) if isinstance(self.line_at, str) else self.line_at
        return {line_of(self.text, marker) for marker in markers}


def _case(id: str, text: str | None, field: str, says: list[str], line_at: str | tuple[str, ...] | None = None,
          write: Callable[[Path], Path] | None = None, marks: tuple[pytest.MarkDecorator, ...] = ()) -> object:
    return pytest.param(Case(id, text, field, says, line_at, write), id=id, marks=list(marks))


# "billion laughs": nine levels of nine aliases would be 9^9 strings if anything expanded them
BOMB = (
    "x-bomb:\n"
    '  a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    "  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
    "  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
    "  f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    "  g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
    "  h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
    "  i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]\n"
)
SYNTAX_UNCLOSED = edit(MMC, "default: [40.5]", "default: [40.5")


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "no-such-scenario.yaml"


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "a-folder.yaml"
    folder.mkdir()
    return folder


def _cp1251(tmp_path: Path) -> Path:
    # what a Windows editor may save: the Russian names in cp1251 rather than UTF-8
    path = tmp_path / "cp1251.yaml"
    path.write_bytes(MMC.encode("cp1251"))
    return path


def _too_big(tmp_path: Path) -> Path:
    path = tmp_path / "too-big.yaml"
    path.write_text(MMC + "# " + "x" * (600 * 1024) + "\n", encoding="utf-8")
    return path


CASES = [
    # -- YAML syntax
    _case("syntax-unclosed-bracket", SYNTAX_UNCLOSED, "", ["not valid YAML", "flow sequence"],
          # ruamel reports the place it noticed the bracket was not closed: the next key, 'groups:'
          line_at="groups:"),
    _case("syntax-mapping-value", edit(MMC, "warmup_hours: 8", "warmup_hours: 8: 9"), "", ["not valid YAML"],
          line_at="warmup_hours: 8: 9"),
    _case("syntax-tab-indent", edit(MMC, "warmup_hours: 8", "\twarmup_hours: 8"), "", ["not valid YAML"],
          line_at="\twarmup_hours"),
    _case("syntax-duplicate-key", edit(MMC, "warmup_hours: 8", "warmup_hours: 8\nwarmup_hours: 9"), "",
          ["not valid YAML", "duplicate key", "warmup_hours"], line_at="warmup_hours: 9"),
    # -- scenario texts are plain text: no link, image or HTML a page would fetch, nothing invisible
    _case("text-image", edit(MMC, 'en: "Queueing-theory check: M/M/3"',
                             'en: "![x](http://127.0.0.1:9/x.png) M/M/3"'),
          "title.en", ["a link, an image or an HTML tag", "plain text"], line_at='en: "![x]'),
    _case("text-html", edit(MMC, 'en: "Queueing-theory check: M/M/3"', 'en: "<img src=x onerror=alert(1)>"'),
          "title.en", ["a link, an image or an HTML tag"], line_at='en: "<img'),
    _case("text-right-to-left", edit(MMC, 'en: "Queueing-theory check: M/M/3"', 'en: "M/M/3 \u202eRTL"'),
          "title.en", ["U+202E", "remove it"], line_at='en: "M/M/3 \u202e'),
    # a budget is whole roubles: 99 999,6 was shown as "100 000 ₽" and refused a tool of 100 000 ₽
    _case("budget-fraction", edit(HALL, "budget_roubles: 110000", "budget_roubles: 109999.6"),
          "rounds[2].budget_roubles", ["whole roubles", "109999.6"], line_at="budget_roubles: 109999.6"),
    # -- unknown keys
    _case("unknown-key-top-close", edit(MMC, "warmup_hours: 8", "warmup_hours: 8\nwarmup_hour: 3"), "warmup_hour",
          ["unknown key 'warmup_hour'", "did you mean 'warmup_hours'"], line_at="warmup_hour: 3"),
    _case("unknown-key-top-far", MMC + "zzqq: 1\n", "zzqq", ["unknown key 'zzqq'", "allowed here", "warmup_hours"],
          line_at="zzqq"),
    _case("unknown-key-nested", edit(MMC, '    name: {ru: "Кафедра выдачи", en: "Lending desk"}',
                                     '    name: {ru: "Кафедра выдачи", en: "Lending desk"}\n    queu: single'),
          "stations.desk.queu", ["unknown key 'queu'", "did you mean 'queue'"], line_at="queu: single"),
    _case("missing-key", edit(MMC, "    wage_per_hour: 350\n", ""), "roles.librarian.wage_per_hour",
          ["required"], line_at="librarian:"),
    # -- wrong types
    _case("wrong-type-share", edit(MMC, "share: 1.0", "share: lots"), "groups.readers.share", ["lots"],
          line_at="share: lots"),
    _case("wrong-type-staff", edit(MMC, "staff: 3", "staff: three"), "roles.librarian.staff", ["three"],
          line_at="staff: three"),
    _case("wrong-type-route", edit(MMC, "route: [desk_service]", "route: desk_service"), "purposes.service.route",
          ["list"], line_at="route: desk_service"),
    _case("wrong-type-dist", edit(MMC, "dist: exponential", "dist: expo"), "steps.desk_service.time",
          ["exponential"], line_at="dist: expo"),
    _case("wrong-type-bool-staff", edit(MMC, "staff: 3", "staff: true"), "roles.librarian.staff", ["whole number"],
          line_at="staff: true"),
    # -- negative and absurd numbers
    _case("negative-rate", edit(MMC, "default: [40.5]", "default: [-5]"), "arrivals.per_hour.default[0]", ["-5"],
          line_at="default: [-5]"),
    _case("negative-staff", edit(MMC, "staff: 3", "staff: -3"), "roles.librarian.staff", ["-3"],
          line_at="staff: -3"),
    _case("negative-service-time", edit(MMC, "mean: 4}", "mean: -4}"), "steps.desk_service.time.mean",
          ["greater than 0"], line_at="mean: -4"),
    _case("nan-rate", edit(MMC, "default: [40.5]", "default: [.nan]"), "arrivals.per_hour.default[0]", ["finite"],
          line_at="default: [.nan]"),
    _case("absurd-rate", edit(MMC, "default: [40.5]", "default: [10000000]"), "arrivals.per_hour.default[0]",
          ["10000000", "readers an hour"], line_at="default: [10000000]"),
    _case("absurd-scale", edit(MMC, "    default: [40.5]\n", "    default: [40.5]\n  scale: 1e7\n"), "arrivals",
          ["readers would arrive"], line_at="arrivals:"),
    # -- shares that do not add up to 1
    _case("group-shares", edit(MMC, "share: 1.0", "share: 0.7"), "groups", ["add up to 1", "0.7"],
          line_at="groups:"),
    _case("purpose-mix", edit(MMC, "purposes: {service: 1.0}", "purposes: {service: 0.5}"), "groups.readers.purposes",
          ["add up to 1", "0.5"], line_at="purposes: {service: 0.5}"),
    # -- references to things that do not exist
    _case("unknown-station-in-step", edit(MMC, "station: desk", "station: dsk"), "steps.desk_service.station",
          ["unknown station 'dsk'", "did you mean 'desk'"], line_at="station: dsk"),
    _case("unknown-station-in-role-skills", edit(MMC, "skills: [desk]", "skills: [front]"), "roles.librarian.skills[0]",
          ["unknown station 'front'"], line_at="skills: [front]"),
    _case("unknown-step-in-route", edit(MMC, "route: [desk_service]", "route: [desk_servce]"),
          "purposes.service.route[0]", ["unknown step 'desk_servce'", "did you mean 'desk_service'"],
          line_at="route: [desk_servce]"),
    _case("unknown-purpose-in-mix", edit(MMC, "purposes: {service: 1.0}", "purposes: {servce: 1.0}"),
          "groups.readers.purposes.servce", ["unknown visit purpose 'servce'", "did you mean 'service'"],
          line_at="purposes: {servce: 1.0}"),
    # -- nobody to do the work
    _case("zero-staff", edit(MMC, "staff: 3", "staff: 0"), "steps.desk_service.station",
          ["'desk'", "no staff"], line_at="station: desk"),
    _case("zero-staff-back-office", edit(HALL, "    staff: 1\n    wage_per_hour: 300\n", "    staff: 0\n    wage_per_hour: 300\n"),
          "stacks.station", ["'stacks'", "no staff"], line_at="\n  station: stacks"),
    # -- runs too long or too big
    _case("huge-horizon-continuous", edit(MMC, "hours: 500", "hours: 1000000"), "calendar.hours", ["too long", "9600"],
          line_at="hours: 1000000"),
    _case("huge-horizon-daily", edit(HALL, "\n  days: 5\n", "\n  days: 100000\n"), "calendar.days", ["too long"],
          line_at="days: 100000"),
    _case("infinite-horizon", edit(MMC, "hours: 500", "hours: .inf"), "calendar.hours", ["finite"],
          line_at="hours: .inf"),
    # -- YAML features a scenario must not use
    _case("alias-bomb", MMC + BOMB, "", ["aliases"], line_at="*a"),
    _case("alias-benign", edit(edit(MMC, 'name: {ru: "Читатели", en: "Readers"}', 'name: &who {ru: "Читатели", en: "Readers"}'),
                               'name: {ru: "Обслуживание", en: "Service"}', "name: *who"),
          "", ["aliases"], line_at="name: *who"),
    _case("deep-nesting", edit(MMC, "warmup_hours: 8", "warmup_hours: " + "[" * 60 + "]" * 60), "", ["nested"],
          line_at="warmup_hours: [[["),
    # tags are refused while the file is read, before there are fields: the line says where
    _case("tag-local", edit(MMC, "warmup_hours: 8", "warmup_hours: !foo 8"), "",
          ["tags", "!foo", "not allowed"], line_at="warmup_hours: !foo"),
    _case("tag-python-object", edit(MMC, "warmup_hours: 8", "warmup_hours: !!python/object:os.system 8"),
          "", ["tags", "python/object"], line_at="warmup_hours: !!python"),
    _case("tag-python-object-mapping", edit(MMC, "stations:\n  desk:", "stations:\n  desk: !!python/object:builtins.dict"),
          "", ["tags", "python/object"], line_at="desk: !!python"),
    _case("tag-python-apply", edit(MMC, "warmup_hours: 8", 'warmup_hours: !!python/object/apply:os.system ["true"]'),
          "", ["tags", "python/object"], line_at="warmup_hours: !!python"),
    # -- not a scenario file at all
    _case("empty-file", "", "", ["mapping"], line_at=None),
    _case("comments-only", "# nothing here yet\n", "", ["mapping"], line_at="# nothing"),
    _case("list-not-mapping", "- id: mmc-desk\n- title: x\n", "", ["mapping"], line_at="- id"),
    _case("scalar-not-mapping", "just some words\n", "", ["mapping"], line_at="just some words"),
    _case("not-utf8", None, "", ["not UTF-8"], write=_cp1251),
    _case("missing-file", None, "", ["no such file"], write=_missing),
    _case("directory", None, "", ["folder"], write=_folder),
    _case("too-big", None, "", ["larger than 512 KiB"], write=_too_big),
]


# --- checks -----------------------------------------------------------------------------------------------


def _matches(problem: Problem, case: Case) -> bool:
    if not case.field:
        return problem.field == ""
    return problem.field == case.field or problem.field.startswith((case.field + ".", case.field + "["))


def _the_problem(problems: list[Problem], case: Case) -> Problem:
    found = [p for p in problems if _matches(p, case)]
    assert found, f"no problem at field {case.field!r}; got: " + " | ".join(f"{p.field!r}: {p}" for p in problems)
    return found[0]


def _check_problem(problem: Problem, case: Case, path: Path) -> None:
    text = str(problem)
    assert problem.file == str(path)
    assert text.startswith(str(path) + ":"), text
    if case.field:
        assert f" {case.field}" in text, text
    for word in case.says:
        assert word.lower() in problem.message.lower(), text
    if case.lines:
        assert problem.line in case.lines, f"line {problem.line}, expected {sorted(case.lines)}: {text}"
        assert text.startswith(f"{path}:{problem.line}:"), text
    else:
        # a line must never be made up: an empty file has line 1 at most
        assert problem.line in (None, 1), text


def _check_stderr(err: str, case: Case, path: Path) -> None:
    assert "Traceback" not in err, err
    assert err.strip(), "nothing on stderr"
    # one line per problem, each naming the file
    for line in err.strip().splitlines():
        assert line.startswith(str(path) + ":"), err
    starts = [f"{path}:{n}:" for n in sorted(case.lines)] or [f"{path}:"]
    if case.field:
        starts = [start + f" {case.field}" for start in starts]
    lines = [line for line in err.splitlines() if line.startswith(tuple(starts))]
    assert lines, f"no line starting {' or '.join(starts)!r} in:\n{err}"
    assert any(all(word.lower() in line.lower() for word in case.says) for line in lines), err


@pytest.mark.parametrize("case", CASES)
def test_load_scenario_refuses(case: Case, tmp_path: Path) -> None:
    path = case.make(tmp_path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems, "a ScenarioError with no problems"
    _check_problem(_the_problem(info.value.problems, case), case, path)
    # the exception's text is the problems, one a line
    assert str(info.value) == "\n".join(str(p) for p in info.value.problems)


@pytest.mark.parametrize("case", CASES)
def test_validate_exits_2(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = case.make(tmp_path)
    status = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert status == 2
    _check_stderr(err, case, path)
    assert out == ""


@pytest.mark.parametrize("case", CASES)
def test_run_exits_2(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = case.make(tmp_path)
    status = main(["run", str(path), "-r", "1", "--workers", "1", "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    _check_stderr(err, case, path)


def test_compare_names_the_bad_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(edit(MMC, "hours: 500", "hours: 20"), encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(edit(MMC, "share: 1.0", "share: 0.7"), encoding="utf-8")
    status = main(["compare", str(good), "--variant", str(bad), "-r", "2", "--workers", "1"])
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert "Traceback" not in err
    assert err.startswith(f"{bad}:{line_of(bad.read_text(encoding='utf-8'), 'groups:')}: groups:"), err


def test_validate_reports_every_file_and_every_problem(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    two = tmp_path / "two-problems.yaml"
    two.write_text(edit(edit(MMC, "station: desk", "station: dsk"), "skills: [desk]", "skills: [front]"), encoding="utf-8")
    status = main(["validate", str(SCENARIOS / "mmc-desk.yaml"), str(two)])
    out, err = capsys.readouterr()
    assert status == 2
    assert f"{SCENARIOS / 'mmc-desk.yaml'}: ok" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert any(" steps.desk_service.station: " in line for line in lines)
    assert any(" roles.librarian.skills[0]: " in line for line in lines)


# --- the YAML bomb is refused before anything is built ---------------------------------------------------


def test_alias_bomb_is_refused_quickly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(MMC + BOMB, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ScenarioError):
        load_scenario(path)
    status = main(["run", str(path), "-r", "1", "--workers", "1"])
    elapsed = time.perf_counter() - start
    assert status == 2
    assert "Traceback" not in capsys.readouterr().err
    assert elapsed < 2.0, f"took {elapsed:.2f}s"


def test_python_tag_never_runs_anything(tmp_path: Path) -> None:
    """Whatever the verdict on the file, loading it must not construct Python objects or run commands."""
    marker = tmp_path / "ran"
    text = edit(MMC, "warmup_hours: 8", f'warmup_hours: !!python/object/apply:os.system ["touch {marker}"]')
    path = tmp_path / "apply.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_scenario(path)
    except ScenarioError:
        pass
    assert not marker.exists()


# --- more precise expectations ---------------------------------------------


def test_wrong_type_in_a_union_field_is_one_problem_at_that_field(tmp_path: Path) -> None:
    path = tmp_path / "staff.yaml"
    path.write_text(edit(MMC, "staff: 3", "staff: three"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.field for p in info.value.problems] == ["roles.librarian.staff"]


def test_unclosed_bracket_names_the_line_it_opened_on(tmp_path: Path) -> None:
    path = tmp_path / "unclosed.yaml"
    path.write_text(SYNTAX_UNCLOSED, encoding="utf-8")
    opened = line_of(SYNTAX_UNCLOSED, "default: [40.5")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.line == opened or f"line {opened}" in problem.message, str(problem)


def test_control_character_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bell.yaml"
    path.write_text(edit(MMC, "warmup_hours: 8", "warmup_hours: 8\x07"), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.file == str(path)
    assert "not valid YAML" in problem.message
    assert main(["run", str(path), "-r", "1", "--workers", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:") and "Traceback" not in err


def test_control_character_message_is_one_line_with_the_line_number(tmp_path: Path) -> None:
    text = edit(MMC, "warmup_hours: 8", "warmup_hours: 8\x07")
    path = tmp_path / "bell.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert "\n" not in str(problem)
    assert "<file>" not in problem.message
    assert problem.line == line_of(text, "warmup_hours: 8")


# --- the real command --------------------------------------------------------------------------------------


def _command(*args: str) -> subprocess.CompletedProcess[str]:
    """The real `python -m sim.cli` in a fresh interpreter (the same one that runs the tests)."""
    return subprocess.run(
        [sys.executable, "-m", "sim.cli", *args],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8", timeout=60, check=False,
    )


def test_console_validate_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(SYNTAX_UNCLOSED, encoding="utf-8")
    done = _command("validate", str(path))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"{path}:{line_of(SYNTAX_UNCLOSED, 'groups:')}: not valid YAML"), done.stderr


def test_console_run_broken_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(edit(MMC, "station: desk", "station: dsk"), encoding="utf-8")
    done = _command("run", str(path), "-r", "1", "--workers", "1")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert done.stderr == f"{path}:{line_of(path.read_text(encoding='utf-8'), 'station: dsk')}: steps.desk_service.station: " \
        "unknown station 'dsk' (did you mean 'desk'?)\n"
