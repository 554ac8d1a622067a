"""The scenario package's structure, the scale of validation, and the command line's file reading.

- `sim/` has no import circle, and `sim.scenario` depends on nothing above it (not on `sim.lean`);
  every name other modules imported from `sim.scenario` is still there.
- Checking tools grows linearly with their number; problems are capped with a count; long keys and
  values are cut short (a hostile file cannot produce megabytes of messages).
- `lean-sim` reads only regular files as scenarios (a device, a FIFO or a folder is a one-line error,
  exit 2, at once), and neither a full disk on stdout nor an unknown database URL gives a traceback.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from builders import ROOT, SCENARIOS

import sim.scenario
from sim.scenario import MAX_PROBLEMS, ScenarioError, load_scenario

MMC = (SCENARIOS / "mmc-desk.yaml").read_text(encoding="utf-8")

# --- structure ------------------------------------------------------------------------------------


def _sim_imports(path: Path) -> set[str]:
    """The sim modules a file imports, anywhere in it (inside functions too), as dotted names."""
    module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    package = package.removesuffix(".__init__")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("sim"):
                found.add(target)
                # `from . import x` / `from .pkg import module` may name modules
                for alias in node.names:
                    if (ROOT / Path(*target.split("."), f"{alias.name}.py")).exists():
                        found.add(f"{target}.{alias.name}")
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("sim")}
    return found - {module}


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in sorted((ROOT / "sim").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[module] = _sim_imports(path)
    return graph


def _owner(module: str, graph: dict[str, set[str]]) -> str:
    """The top-level unit a module belongs to: `sim.scenario.checks` -> `sim.scenario`."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def test_sim_has_no_import_circle_between_its_modules() -> None:
    graph = _graph()
    units: dict[str, set[str]] = {}
    for module, targets in graph.items():
        unit = _owner(module, graph)
        units.setdefault(unit, set()).update(_owner(t, graph) for t in targets if _owner(t, graph) != unit)
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(unit: str, path: list[str]) -> None:
        if seen.get(unit) == 2:
            return
        assert seen.get(unit) != 1, "import circle: " + " -> ".join([*path, unit])
        seen[unit] = 1
        for target in sorted(units.get(unit, ())):
            visit(target, [*path, unit])
        seen[unit] = 2

    for unit in sorted(units):
        visit(unit, [])


def test_the_scenario_package_depends_on_nothing_above_it() -> None:
    allowed = {"sim.scenario", "sim.distributions", "sim.i18n", "sim.kpis"}
    graph = _graph()
    for module, targets in graph.items():
        if module.startswith("sim.scenario"):
            above = {t for t in targets if _owner(t, graph) not in allowed}
            assert above == set(), module
    assert "sim.scenario" in {_owner(t, graph) for t in graph["sim.lean"]}


def test_every_name_other_modules_import_from_sim_scenario_is_there() -> None:
    names: set[str] = set()
    for path in [*ROOT.glob("*.py"), *(ROOT / "sim").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py"),
                 *(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module == "sim.scenario"
                                                     or (node.level == 1 and node.module == "scenario")):
                names |= {a.name for a in node.names}
    assert {"Scenario", "ScenarioError", "Problem", "load_scenario", "parse_scenario", "WASTES", "_ID"} <= names
    assert sorted(n for n in names if not hasattr(sim.scenario, n)) == []


# --- the scale of validation ----------------------------------------------------------------------


def _tools_file(n: int, bad_last: bool = False) -> str:
    lines = [MMC, "tools:"]
    for i in range(n):
        path = "steps.nowhere.time" if bad_last and i == n - 1 else "steps.desk_service.time"
        lines.append(
            f"  t{i:05d}:\n"
            f"    name: {{ru: \"Инструмент {i}\", en: \"Tool {i}\"}}\n"
            f"    description: {{ru: \"Описание {i}\", en: \"Description {i}\"}}\n"
            "    waste: waiting\n    cost: {points: 1}\n    expect: {kpi: wait_mean, direction: lower}\n"
            f"    effects:\n      - {{op: scale, path: {path}, factor: {0.5 + i / (4 * n):.6f}}}"
        )
    offer = ", ".join(f"t{i:05d}" for i in range(min(n, 200)))
    lines.append(f"rounds:\n  - title: {{ru: \"Раунд\", en: \"Round\"}}\n    brief: {{ru: \"Бриф\", en: \"Brief\"}}\n"
                 f"    offer: [{offer}]\n    budget: 10")
    return "\n".join(lines) + "\n"


def test_a_file_with_1500_tools_is_checked_in_linear_time(tmp_path: Path) -> None:
    path = tmp_path / "many-tools.yaml"
    path.write_text(_tools_file(1500), encoding="utf-8")
    assert path.stat().st_size > 350_000
    start = time.process_time()  # CPU time of this process: the machine may be busy with others
    scenario = load_scenario(path)
    elapsed = time.process_time() - start
    assert len(scenario.tools) == 1500
    assert elapsed < 45, f"took {elapsed:.1f}s of CPU"  # minutes when each tool re-validated the whole file


def test_every_one_of_many_tools_is_still_tried(tmp_path: Path) -> None:
    path = tmp_path / "one-bad-tool.yaml"
    path.write_text(_tools_file(300, bad_last=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [p.field for p in info.value.problems] == ["tools.t00299.effects[0].path"]
    assert "nowhere" in info.value.problems[0].message


def test_twenty_thousand_unknown_keys_give_a_capped_list_with_a_count(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(MMC + "".join(f"zz{i:05d}: 1\n" for i in range(20_000)), encoding="utf-8")
    start = time.process_time()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert time.process_time() - start < 45
    problems = info.value.problems
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1].say("en") == "and 19900 more problems not shown"
    assert "19900" in problems[-1].say("ru")
    assert len(str(info.value)) < 100_000  # was 6.2 MB


@pytest.mark.parametrize("text", [
    MMC + "? " + "k" * 400_000 + "\n: 1\n",  # an explicit key of 400,000 characters
    MMC.replace("staff: 3", "staff: " + "x" * 400_000),  # a value as long
    MMC + "k" * 400_000 + ": 1\n",
], ids=["long-key", "long-value", "long-plain-key"])
def test_a_huge_key_or_value_gives_a_short_line(text: str, tmp_path: Path) -> None:
    path = tmp_path / "long.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    for problem in info.value.problems:
        for lang in ("en", "ru"):
            assert len(problem.text(lang)) < 1000, problem.text(lang)[:200]


# --- the command line reads regular files only ------------------------------------------------------


def _cli(*args: str, stdout: int | None = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], cwd=ROOT, env=env, stdout=stdout,
                          stderr=subprocess.PIPE, text=True, encoding="utf-8", timeout=120, check=False)


def _one_clean_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("command", ["validate", "run", "tools"])
def test_a_device_is_refused_at_once(device: str, command: str) -> None:
    if not Path(device).exists():
        pytest.skip(f"{device} does not exist here")
    line = _one_clean_line(_cli(command, device))  # a read without end would pass the timeout
    assert line == f"{device}: is not a regular file (a device, a pipe or a socket): a scenario is read from a file only"


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    line = _one_clean_line(_cli("validate", "--lang", "ru", str(fifo)))
    assert line.startswith(f"{fifo}: это не обычный файл")


def test_a_folder_is_refused(tmp_path: Path) -> None:
    line = _one_clean_line(_cli("run", str(tmp_path)))
    assert line == f"{tmp_path}: is a folder, not a scenario file"


def test_a_file_past_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:  # a sparse file of 4 GiB: reading it would take the memory
        handle.truncate(4 * 1024**3)
    start = time.process_time()
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert time.process_time() - start < 5
    assert info.value.problems[0].message == "the file is larger than 512 KiB"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
@pytest.mark.parametrize("args", [("validate", "scenarios/mmc-desk.yaml"), ("tools", "scenarios/central-lending-hall.yaml"),
                                  ("tools", "scenarios/central-lending-hall.yaml", "--format", "json")])
def test_standard_output_to_a_full_disk_is_one_line_not_a_traceback(args: tuple[str, ...]) -> None:
    with open("/dev/full", "w") as full:
        done = _cli(*args, stdout=full.fileno())
    assert _one_clean_line(done).startswith("standard output: cannot write:")


@pytest.mark.parametrize("url", ["foo://x", "://", "nosuchdriver+bar://host/db"])
def test_report_with_an_unknown_database_url_is_one_line(url: str, tmp_path: Path) -> None:
    line = _one_clean_line(_cli("report", url, "--session", "ABCD", "--out", str(tmp_path / "r.html")))
    assert line.startswith(f"{url}: not a database this command can open")
