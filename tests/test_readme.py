"""The README's examples run: every `lean-sim` command in its code blocks exits 0, and the JSON shapes
it shows are those of the real output.

Commands run in a scratch folder (with the project's `scenarios/` beside them and `my-library.yaml`,
the reader's own file in the examples, as a copy of the default scenario), each with 2 replications,
one day of a daily scenario unless the example says how many, and one process. Examples that need a
Dask scheduler are left to `tests/test_balance.py`, which starts a local cluster.
"""

from __future__ import annotations

import glob
import json
import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
from builders import ROOT

from sim.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
SIMULATING = {"run", "compare", "balance"}
NEEDS_CLUSTER = "--dask"


def _blocks(text: str) -> list[tuple[str, str, str]]:
    """Fenced code blocks as (language, body, the paragraph just before the block)."""
    out = []
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S):
        before = text[: match.start()].rstrip("\n").rsplit("\n\n", 1)[-1]
        out.append((match.group(1), match.group(2), before))
    return out


def _commands() -> list[str]:
    lines = []
    for lang, body, _ in _blocks(README):
        if lang in ("", "sh", "bash", "console"):
            # a command starts its line (an indented mention, as in the layout, is prose)
            lines += [line.strip() for line in body.splitlines() if line.startswith("lean-sim ")]
    return lines


COMMANDS = _commands()


def _quick(argv: list[str]) -> list[str]:
    """The example with 2 replications (the fewest balance accepts), one day unless it says, one process."""
    command = argv[0]
    if command not in SIMULATING:
        return argv
    out: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--replications", "-r", "--workers"):
            skip = True
            continue
        out.append(arg)
    out += ["--replications", "2", "--workers", "1"]
    if "--days" not in argv:
        out += ["--days", "1"]
    return out


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios", target_is_directory=True)
    shutil.copy(ROOT / "scenarios" / "central-lending-hall.yaml", tmp_path / "my-library.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_has_the_examples_this_test_runs() -> None:
    assert len(COMMANDS) >= 10
    assert {shlex.split(c)[1] for c in COMMANDS} >= {"validate", "tools", "run", "compare", "balance"}


@pytest.mark.parametrize("line", COMMANDS, ids=range(len(COMMANDS)))
def test_a_readme_command_runs(line: str, scratch: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = shlex.split(line)[1:]
    if NEEDS_CLUSTER in argv:
        pytest.skip("needs a Dask scheduler: tests/test_balance.py runs --dask on a local cluster")
    expanded = [match for arg in argv for match in (sorted(glob.glob(arg)) if "*" in arg else [arg])]
    status = main(_quick(expanded))
    out, err = capsys.readouterr()
    assert status == 0, f"{line}\n{err}"
    assert "Traceback" not in err
    if "--out" in argv:
        written = scratch / argv[argv.index("--out") + 1]
        assert written.is_file() and written.stat().st_size > 0
        if written.suffix == ".json":
            json.loads(written.read_text(encoding="utf-8"))
    elif "--format" in argv and argv[argv.index("--format") + 1] == "json":
        json.loads(out)
    else:
        assert out.strip()


# --- the JSON shapes --------------------------------------------------------------------------------------

MAPS = {"kpis", "groups", "parts"}  # keyed by figure, group or part: the README shows some of the keys


def _shape_differences(shown: Any, real: Any, where: str, keyed: bool = False) -> list[str]:
    """Where the README's example differs in shape from the real output (keys, nesting, value kinds)."""
    if isinstance(shown, dict):
        if not isinstance(real, dict):
            return [f"{where}: an object in the README, {type(real).__name__} in the output"]
        problems = []
        if keyed:
            problems += [f"{where}.{k}: shown in the README, not in the output" for k in shown if k not in real]
        elif set(shown) != set(real):
            problems.append(f"{where}: README keys {sorted(shown)}, output keys {sorted(real)}")
        for key in shown:
            if key in real:
                inner_keyed = key in MAPS or (where.endswith("groups") and keyed)
                problems += _shape_differences(shown[key], real[key], f"{where}.{key}", inner_keyed)
        return problems
    if isinstance(shown, list):
        if not isinstance(real, list):
            return [f"{where}: a list in the README, {type(real).__name__} in the output"]
        if where.endswith("ci95") and len(shown) != len(real):
            return [f"{where}: {len(shown)} items in the README, {len(real)} in the output"]
        return [p for a, b in zip(shown, real) for p in _shape_differences(a, b, where + "[]")]
    number = (int, float)
    if shown is None or real is None or (isinstance(shown, number) and isinstance(real, number)):
        return []
    if type(shown) is not type(real):
        return [f"{where}: {type(shown).__name__} in the README, {type(real).__name__} in the output"]
    if isinstance(shown, str) and where.endswith((".unit", ".better")) and shown != real:
        return [f"{where}: {shown!r} in the README, {real!r} in the output"]
    return []


def _shown(command: str) -> Any:
    found = [body for lang, body, before in _blocks(README) if lang == "json" and f"JSON of `{command}`" in before]
    assert len(found) == 1, f"the README shows the JSON of {command} once"
    return json.loads(found[0])


@pytest.mark.parametrize(("command", "extra"), [
    ("run", ["--tools", "five_s_desk,pull_stack_runs"]),
    ("compare", ["--tools", "pull_stack_runs"]),
])
def test_the_readme_json_has_the_shape_of_the_output(command: str, extra: list[str], scratch: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    shown = _shown(command)
    status = main([command, "scenarios/central-lending-hall.yaml", *extra, "--days", "1", "--replications", "2",
                   "--workers", "1", "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    real = json.loads(out)
    assert _shape_differences(shown, real, command) == []
    # the README's examples name figures and groups that exist, with the tools it ran
    assert shown["tools"] == real["tools"]


def test_the_shape_check_finds_a_wrong_readme() -> None:
    real = {"kpis": {"wait_mean": {"mean": 1.0, "ci95": [0.5, 1.5], "unit": "min"}}, "seed": 1}
    assert _shape_differences({"kpis": {"wait_mean": {"mean": 1.0, "ci95": [0, 1], "unit": "min"}}, "seed": 2},
                              real, "x") == []
    assert _shape_differences({"kpis": {"wait_mean": {"mean": 1.0, "ci95": [0, 1]}}, "seed": 2}, real, "x")
    assert _shape_differences({"kpis": {"nope": {}}, "seed": 2}, real, "x")
    assert _shape_differences({"kpis": {}, "seed": 2, "extra": 1}, real, "x")
    assert _shape_differences({"kpis": {"wait_mean": {"mean": 1.0, "ci95": [0], "unit": "min"}}, "seed": 2},
                              real, "x")
    assert _shape_differences({"kpis": {"wait_mean": {"mean": 1.0, "ci95": [0, 1], "unit": "h"}}, "seed": 2},
                              real, "x")
