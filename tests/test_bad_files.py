"""A corpus of malformed and hostile scenario files (tests/bad_scenarios/), fed to the validator, the
command line and the scenario library's upload: each gets a clear message, nothing hangs, and no
existing scenario file changes.

Each file's first line says which field its problem must name (`# expect: FIELD`, `-` for the
file as a whole); files without that line (YAML syntax errors) must only be refused clearly.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from builders import ROOT, SCENARIOS

from sim.cli import main
from sim.library import ConflictError, LibraryError, ScenarioLibrary, digest
from sim.scenario import ScenarioError, load_scenario

CORPUS = sorted((ROOT / "tests" / "bad_scenarios").glob("*.yaml"))


def expected_field(path: Path) -> str | None:
    first = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    if first.startswith("# expect: "):
        field = first.removeprefix("# expect: ").strip()
        return "" if field == "-" else field
    return None


def _names_field(fields: list[str], field: str | None) -> bool:
    if field is None:
        return True
    return any(f == field or f.startswith((field + ".", field + "[")) for f in fields)


def _snapshot(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for folder in folders if folder.is_dir()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 30


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_the_validator_refuses_each_file_clearly(path: Path) -> None:
    start = time.perf_counter()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert time.perf_counter() - start < 5
    problems = info.value.problems
    assert problems and all(p.message and "\n" not in str(p) for p in problems)
    assert all(str(p).startswith(str(path)) for p in problems)
    assert _names_field([p.field for p in problems], expected_field(path)), [str(p) for p in problems]


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_the_command_line_refuses_each_file_with_exit_2(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.strip() and "Traceback" not in err
    field = expected_field(path)
    if field:
        assert f" {field}" in err, err


@pytest.mark.parametrize("path", CORPUS, ids=[p.stem for p in CORPUS])
def test_an_upload_of_each_file_is_refused_and_changes_nothing(path: Path, tmp_path: Path) -> None:
    user = tmp_path / "user"
    library = ScenarioLibrary(SCENARIOS, user)
    good = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8")
    library.save(good, "Anna", base=None, new=True)
    before = _snapshot(SCENARIOS, user)
    with pytest.raises(LibraryError) as info:
        library.import_upload(f"../../etc/{path.name}", path.read_bytes(), "Anna")
    assert str(info.value).startswith(path.name)  # the name only: the path in it was dropped
    assert _names_field([p.field for p in info.value.problems], expected_field(path)) or not info.value.problems
    assert _snapshot(SCENARIOS, user) == before


# --- the library: saving never destroys anything ------------------------------------------------------


def test_saving_keeps_every_version_and_restores_one(tmp_path: Path) -> None:
    library = ScenarioLibrary(SCENARIOS, tmp_path)
    text = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8")
    library.save(text, "Anna", base=None, new=True)
    first, base = library.read("mmc-desk")
    changed = first.replace("staff: 3", "staff: 4")
    library.save(changed, "Boris", base=base)
    assert library.read("mmc-desk")[0] == changed
    versions = library.history("mmc-desk")
    assert [v.author for v in versions] == ["Anna", "Boris"]
    assert versions[0].path.read_text(encoding="utf-8") == text
    library.restore("mmc-desk", versions[0], "Anna")
    assert library.read("mmc-desk")[0] == text
    assert (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8") == text  # shipped file untouched


def test_a_second_save_from_an_old_version_is_refused_with_a_diff(tmp_path: Path) -> None:
    library = ScenarioLibrary(SCENARIOS, tmp_path)
    library.save((SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8"), "Anna", base=None, new=True)
    text, base = library.read("mmc-desk")
    library.save(text.replace("staff: 3", "staff: 4"), "Anna", base=base)  # Anna saves first
    with pytest.raises(ConflictError) as info:  # Boris edited the same version
        library.save(text.replace("staff: 3", "staff: 5"), "Boris", base=base)
    assert "-    staff: 4" in info.value.diff and "+    staff: 5" in info.value.diff
    assert "staff: 4" in library.read("mmc-desk")[0]


def test_an_invalid_scenario_is_never_saved(tmp_path: Path) -> None:
    library = ScenarioLibrary(SCENARIOS, tmp_path)
    with pytest.raises(LibraryError) as info:
        library.save("id: x\n", "Anna", base=None, new=True)
    assert info.value.problems
    assert not any(tmp_path.glob("*.yaml"))


def test_comments_and_key_order_survive_a_save(tmp_path: Path) -> None:
    library = ScenarioLibrary(SCENARIOS, tmp_path)
    text = (SCENARIOS / "central-lending-hall.yaml").read_text(encoding="utf-8")
    library.save(text, "Anna", base=None, new=True)
    assert library.read("central-lending-hall")[0] == text
    assert digest(library.read("central-lending-hall")[0]) == digest(text)


@pytest.mark.parametrize("bad_id", ["../escape", "/etc/passwd", "a/b", "", "UPPER"])
def test_file_names_come_from_ids_only(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(LibraryError):
        ScenarioLibrary(SCENARIOS, tmp_path).path_of(bad_id)
