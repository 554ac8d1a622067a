"""The offline bundle: `tasks.py bundle`, installing from wheelhouse/ with no index, start.bat and start.sh.

The markers of the locks are checked against pip's own copy of `packaging` (a second opinion on
tasks.py's small evaluator, which has to do with the standard library alone).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from pip._vendor.packaging import tags as pip_tags
from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.utils import parse_wheel_filename

ROOT = Path(__file__).resolve().parents[1]
APP_LOCK = ROOT / "requirements" / "app.lock"
TEST_LOCK = ROOT / "requirements" / "test.lock"
README = ROOT / "README.md"


def _load_tasks() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tasks", ROOT / "tasks.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["tasks"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


tasks = _load_tasks()
# Inside an offline bundle built --with-tests there is no package index to download from.
needs_the_index = pytest.mark.skipif((ROOT / "wheelhouse").is_dir(), reason="an offline bundle: no package index")


def _lock_lines(path: Path) -> list[tuple[str, str, str]]:
    """(name, version, marker) of every pinned line, read independently of tasks.py."""
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==(\S+?)\s*(?:;\s*(.+))?$", line.strip())
        if match and not line.startswith(" "):
            found.append((match[1], match[2], match[3] or ""))
    return found


# ------------------------------------------------------------------------------------------------
# markers and targets

MARKERS = sorted({marker for lock in (APP_LOCK, TEST_LOCK) for _, _, marker in _lock_lines(lock) if marker} | {
    "python_version >= '3.12' and (sys_platform == 'win32' or platform_machine == 'arm64')",
    "python_full_version == '3.12.*'",
    "python_version ~= '3.11'",
    "python_full_version ~= '3.11.2'",
    "'linux' in sys_platform",
    "sys_platform not in 'win32 cygwin'",
    "platform_system == \"Windows\" or os_name == 'nt' and implementation_name == 'cpython'",
    "python_version < '3.13' and platform_python_implementation != 'PyPy'",
    "(python_version > '3.11')",
})


@pytest.mark.parametrize("marker", MARKERS)
@pytest.mark.parametrize("target", [("win_amd64", "3.12"), ("manylinux_2_28_x86_64", "3.11"),
                                    ("macosx_12_0_arm64", "3.13"), ("manylinux2014_aarch64", "3.12")])
def test_markers_are_evaluated_for_the_target_as_pip_does(marker: str, target: tuple[str, str]) -> None:
    environment = tasks.Target(*target).environment()
    assert tasks.evaluate_marker(marker, environment) == Marker(marker).evaluate(environment)


def test_the_host_environment_agrees_with_pip() -> None:
    environment = tasks.host_environment()
    for marker in MARKERS:
        assert tasks.evaluate_marker(marker, environment) == Marker(marker).evaluate(), marker


@pytest.mark.parametrize("marker", ["python_version >= '3.12' andd os_name == 'nt'", "pythn_version < '3'",
                                    "(os_name == 'nt'", "os_name <> 'nt'", "sys_platform < 'win32'", "os_name =="])
def test_a_bad_marker_is_a_plain_error(marker: str) -> None:
    with pytest.raises(tasks.TaskError, match="marker"):
        tasks.evaluate_marker(marker, tasks.host_environment())


def test_the_target_environments() -> None:
    windows = tasks.Target("win_amd64", "3.12").environment()
    assert (windows["sys_platform"], windows["platform_machine"], windows["os_name"]) == ("win32", "AMD64", "nt")
    linux = tasks.Target("manylinux_2_28_x86_64", "3.11").environment(3)
    assert (linux["sys_platform"], linux["platform_machine"], linux["python_full_version"]) == ("linux", "x86_64", "3.11.3")
    mac = tasks.Target("macosx_12_0_arm64", "3.13").environment()
    assert (mac["sys_platform"], mac["platform_system"], mac["platform_machine"]) == ("darwin", "Darwin", "arm64")


def test_pip_is_given_every_older_manylinux_tag() -> None:
    platforms = tasks.Target("manylinux_2_28_x86_64", "3.12").pip_platforms()
    assert platforms[0] == "manylinux_2_28_x86_64"
    assert {"manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_5_x86_64", "manylinux1_x86_64"} <= set(platforms)
    assert tasks.Target("win_amd64", "3.12").pip_platforms() == ["win_amd64"]


def test_the_locked_packages_needed_on_each_target() -> None:
    app = tasks.read_lock(APP_LOCK)
    windows = {r.key: r.version for r in tasks.needed_for(app, tasks.Target("win_amd64", "3.12"))}
    assert windows["numpy"] == "2.5.5" and windows["scipy"] == "1.18.1" and "watchdog" in windows
    old = {r.key: r.version for r in tasks.needed_for(app, tasks.Target("win_amd64", "3.11"))}
    assert old["numpy"] == "2.4.6" and old["scipy"] == "1.17.1"
    mac = {r.key for r in tasks.needed_for(app, tasks.Target("macosx_12_0_arm64", "3.12"))}
    assert "watchdog" not in mac  # `sys_platform != 'darwin'` in the lock
    test_on_windows = {r.key for r in tasks.needed_for(tasks.read_lock(TEST_LOCK), tasks.Target("win_amd64", "3.12"))}
    test_on_linux = {r.key for r in tasks.needed_for(tasks.read_lock(TEST_LOCK), tasks.Target("manylinux_2_28_x86_64", "3.12"))}
    assert "colorama" in test_on_windows and "colorama" not in test_on_linux
    assert "psycopg-binary" in test_on_linux


def test_a_marker_on_the_patch_release_is_refused(tmp_path: Path) -> None:
    lock = tmp_path / "app.lock"
    lock.write_text("simpy==4.1.2\nfoo==1.0 ; python_full_version < '3.12.4'\n    # via bar\n")
    with pytest.raises(tasks.TaskError, match=r"app.lock:2: .*patch release of Python 3.12"):
        tasks.needed_for(tasks.read_lock(lock), tasks.Target("win_amd64", "3.12"))
    assert [r.key for r in tasks.needed_for(tasks.read_lock(lock), tasks.Target("win_amd64", "3.13"))] == ["simpy"]


def test_a_lock_line_that_is_not_pinned_names_its_place(tmp_path: Path) -> None:
    lock = tmp_path / "app.lock"
    lock.write_text("# header\nsimpy==4.1.2\nnumpy>=2\n")
    with pytest.raises(tasks.TaskError, match=r"app.lock:3: not a pinned requirement.*numpy>=2"):
        tasks.read_lock(lock)


@pytest.mark.parametrize(("platform_tag", "python", "message"), [
    ("win_arm64", "3.12", "unknown platform 'win_arm64'"),
    ("win_amd64", "3.10", "unsupported Python '3.10'"),
    ("linux", "3.12", "unknown platform 'linux'"),
])
def test_a_bad_target_is_a_plain_error(platform_tag: str, python: str, message: str) -> None:
    with pytest.raises(tasks.TaskError, match=message):
        tasks.parse_target(platform_tag, python)


def test_the_default_target_is_this_machine() -> None:
    target = tasks.parse_target(None, None)
    assert target.python == "{}.{}".format(*sys.version_info[:2])
    assert tasks.evaluate_marker(f"sys_platform == '{target.system}'", tasks.host_environment())


def test_bundle_refuses_a_bad_target_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert tasks.main(["bundle", "--platform", "win_arm64"]) == 2
    assert "unknown platform 'win_arm64'" in capsys.readouterr().err
    assert tasks.main(["install", "everything"]) == 2
    assert "`install test`" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------
# installing from wheelhouse/


def _fake_wheelhouse(folder: Path, lock: Path, manifest: dict[str, str]) -> None:
    folder.mkdir()
    for requirement in tasks.needed_for(tasks.read_lock(lock), tasks.parse_target(None, None)):
        (folder / f"{requirement.name.replace('-', '_')}-{requirement.version}-py3-none-any.whl").write_bytes(b"")
    (folder / tasks.MANIFEST).write_text(json.dumps(manifest))


def test_a_wheelhouse_without_the_test_packages_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = {"python": "{}.{}".format(*sys.version_info[:2]), "sys_platform": sys.platform, "platform": "x"}
    _fake_wheelhouse(tmp_path / "wheelhouse", APP_LOCK, here)
    monkeypatch.setattr(tasks, "WHEELHOUSE", tmp_path / "wheelhouse")
    tasks._check_wheelhouse("run")  # every app package is there
    with pytest.raises(tasks.TaskError, match="built without the tests: build it with --with-tests") as error:
        tasks._check_wheelhouse("test")
    assert "  pytest==" in str(error.value) and "  numpy==" not in str(error.value)


def test_a_wheelhouse_for_another_python_says_which(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_wheelhouse(tmp_path / "wheelhouse", APP_LOCK, {"python": "3.9", "sys_platform": "win32", "platform": "win_amd64"})
    monkeypatch.setattr(tasks, "WHEELHOUSE", tmp_path / "wheelhouse")
    with pytest.raises(tasks.TaskError, match=r"wheelhouse/ is for Python 3.9 on win_amd64; this is Python 3\.\d+"):
        tasks._check_wheelhouse("run")


def test_the_readme_tells_how_to_install_offline_in_both_languages() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Offline installation / Установка без интернета", 1)[1].split("\n## ", 1)[0]
    for needed in ("python tasks.py bundle", "start.bat", "The first start", "Первый запуск", "**140 MB**", "**140 МБ**"):
        assert needed in section, needed
    assert re.search(r"\*\*\d+ s\*\*", section) and re.search(r"\*\*\d+ с\*\*", section)


def test_a_deep_folder_on_windows_gets_a_warning_naming_a_short_one() -> None:
    deep = "C:\\Users\\biblioteka\\Downloads\\lean-library-trainer-0.1.0-win_amd64-py312\\lean-trainer\\.venv\\Lib\\site-packages"
    warning = tasks.windows_path_warning(deep, long_paths_enabled=False)
    assert warning and "260" in warning and "C:\\lean-trainer" in warning and "перенесите" in warning
    assert tasks.windows_path_warning(deep, long_paths_enabled=True) is None
    assert tasks.windows_path_warning("C:\\lean-trainer\\.venv\\Lib\\site-packages", long_paths_enabled=False) is None


def test_the_address_for_teams_is_not_loopback() -> None:
    for address in tasks.lan_addresses():
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", address) and not address.startswith("127.")


# ------------------------------------------------------------------------------------------------
# the zip and the start scripts


@pytest.fixture(scope="module")
def bundle_without_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle for Windows and Python 3.12 with an empty wheelhouse: its layout, at no download."""
    original = tasks.build_wheelhouse
    tasks.build_wheelhouse = lambda locks, target, cache=None: []
    try:
        return tasks.build_bundle(tasks.Target("win_amd64", "3.12"), False, tmp_path_factory.mktemp("dist"))
    finally:
        tasks.build_wheelhouse = original


def test_the_bundle_holds_the_project_the_scenarios_and_the_start_scripts(bundle_without_wheels: Path) -> None:
    assert bundle_without_wheels.name == "lean-library-trainer-0.1.0-win_amd64-py312.zip"
    with zipfile.ZipFile(bundle_without_wheels) as bundle:
        assert {n.split("/", 1)[0] for n in bundle.namelist()} == {"lean-trainer"}  # short, for Windows' path limit
        names = {n.split("/", 1)[1] for n in bundle.namelist()}
        manifest = json.loads(bundle.read("lean-trainer/wheelhouse/wheelhouse.json"))
        modes = {i.filename.split("/", 1)[1]: i.external_attr >> 16 for i in bundle.infolist()}
    shipped = {f"scenarios/{p.name}" for p in (ROOT / "scenarios").glob("*.yaml")}
    assert shipped and shipped <= names
    assert {"tasks.py", "app.py", "pyproject.toml", "requirements/app.lock", "sim/model/__init__.py", "start.bat", "start.sh",
            "README-OFFLINE.txt", ".streamlit/config.toml", "bundle/start.bat"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(("secrets.toml", ".pyc")) or n.startswith("tests/")]
    assert modes["start.sh"] & 0o111 and modes["tasks.py"] & 0o111
    assert manifest == {"platform": "win_amd64", "python": "3.12", "sys_platform": "win32", "locks": ["app.lock"],
                        "wheels": []}


def _bundled_text(archive: Path, name: str) -> bytes:
    with zipfile.ZipFile(archive) as bundle:
        return bundle.read(f"lean-trainer/{name}")


def test_start_bat_asks_the_py_launcher_for_the_bundles_python(bundle_without_wheels: Path) -> None:
    raw = _bundled_text(bundle_without_wheels, "start.bat")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")  # cmd.exe mis-reads labels in LF-only files
    text = raw.decode("utf-8")
    lines = text.splitlines()
    assert 'set "PYVER=3.12"' in lines and "@PYTHON@" not in text
    assert "py -%PYVER% tasks.py run --room --open" in lines
    assert 'py -%PYVER% -c "import sys; sys.exit(sys.version_info < (3, 11))" >nul 2>&1' in lines
    assert "python-%PYVER%.x-amd64.exe" in text and "Не найден Python" in text and "was not found" in text
    # the Russian text comes after the switch to UTF-8; labels jumped to exist
    chcp = lines.index("chcp 65001 >nul")
    assert all(line.isascii() for line in lines[:chcp])
    labels = {line[1:] for line in lines if line.startswith(":")}
    assert {m for line in lines for m in re.findall(r"goto (\w+)", line)} <= labels
    # cmd treats these as redirections or command separators in an echo line
    assert not [line for line in lines if line.startswith("echo") and re.search(r"[<>|&^%]", line.replace("%PYVER%", "")
                                                                                     .replace("%INSTALLER%", ""))]


def test_start_bat_in_the_repository_falls_back_to_any_python_3(bundle_without_wheels: Path) -> None:
    text = (ROOT / "bundle" / "start.bat").read_text(encoding="utf-8")
    assert 'set "PYVER=@PYTHON@"' in text and 'if "%PYVER:~0,1%"=="@" set "PYVER=3"' in text


def test_start_sh_picks_the_bundles_python(bundle_without_wheels: Path, tmp_path: Path) -> None:
    text = _bundled_text(bundle_without_wheels, "start.sh").decode("utf-8")
    assert 'PYVER="3.12"' in text and 'exec "$candidate" tasks.py run --room --open "$@"' in text
    # with no python3.12 and a python3 of another version, it refuses in both languages
    (tmp_path / "start.sh").write_text(text)
    (tmp_path / "bin").mkdir()
    fake = tmp_path / "bin" / "python3"
    fake.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import sys; sys.exit(1)' \"$@\"\n")
    fake.chmod(0o755)
    (tmp_path / "bin" / "dirname").symlink_to(shutil.which("dirname") or "/usr/bin/dirname")
    done = subprocess.run(["/bin/sh", str(tmp_path / "start.sh")], capture_output=True, text=True, timeout=30,
                          env={"PATH": str(tmp_path / "bin")})
    assert done.returncode == 1
    assert "Не найден Python 3.12" in done.stdout and "Python 3.12 was not found" in done.stdout


@needs_the_index
def test_bundle_refuses_with_a_list_of_packages_that_have_no_wheel(tmp_path: Path) -> None:
    lock = tmp_path / "app.lock"
    # docopt 0.6.2 exists only as source; simpy has a wheel
    lock.write_text("docopt==0.6.2\nsimpy==4.1.2\nwatchdog==7.1.0 ; sys_platform == 'darwin'\n")
    with pytest.raises(tasks.TaskError) as error:
        tasks.build_wheelhouse([lock], tasks.Target("win_amd64", "3.12"), tmp_path / "wheels")
    assert "no wheel for win_amd64, Python 3.12" in str(error.value)
    assert "  docopt==0.6.2  (app.lock:1)" in str(error.value) and "simpy" not in str(error.value)
    assert [p.name for p in (tmp_path / "wheels").iterdir()] == ["simpy-4.1.2-py3-none-any.whl"]


# ------------------------------------------------------------------------------------------------
# the real thing: a Windows wheelhouse, and a bundle for this machine installed with no network


@needs_the_index
@pytest.mark.slow
def test_the_windows_wheelhouse_has_every_locked_package() -> None:
    wheels = tasks.build_wheelhouse([APP_LOCK], tasks.Target("win_amd64", "3.12"))
    supported = {*pip_tags.cpython_tags((3, 12), platforms=["win_amd64"]),
                 *pip_tags.compatible_tags((3, 12), "cp312", ["win_amd64"])}
    by_name = {}
    for wheel in wheels:
        name, version, _, wheel_tags = parse_wheel_filename(wheel.name)
        assert wheel_tags & supported, f"{wheel.name} does not install on Windows with Python 3.12"
        by_name[str(name)] = str(version)
    windows = {"python_version": "3.12", "python_full_version": "3.12.8", "sys_platform": "win32",
               "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64",
               "implementation_name": "cpython", "platform_python_implementation": "CPython"}
    needed = {(re.sub(r"[-_.]+", "-", n).lower(), v) for n, v, m in _lock_lines(APP_LOCK) if not m or Marker(m).evaluate(windows)}
    assert len(needed) >= 45
    assert needed == set(by_name.items())
    # the README's figure for the Windows bundle stays near the truth when the locks are renewed
    documented = re.search(r"Windows bundle for Python 3\.12 is \*\*(\d+) MB\*\*", README.read_text(encoding="utf-8"))
    assert documented, "README: the size of the Windows bundle"
    actual = sum(w.stat().st_size for w in wheels) / 1_000_000
    assert abs(actual - int(documented[1])) < 0.2 * actual, f"README says {documented[1]} MB, the wheels take {actual:.0f} MB"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _offline_environment() -> dict[str, str]:
    """This environment with no package index and no project code from the outside."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # the Python that runs the tests comes first, as python3.X, for start.sh
    env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull, BROWSER="true",
               PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}")
    return env


def _no_network_prefix() -> list[str]:
    """`unshare -n`: a network namespace with no interface up, where it may be made (root on Linux)."""
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0:
        return ["unshare", "-n"]
    return []


@needs_the_index
@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="start.sh and process groups: Linux and macOS")
def test_a_bundle_for_this_machine_installs_and_runs_with_no_network(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, str(ROOT / "tasks.py"), "bundle", "--out", str(tmp_path / "dist")],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr
    archive = next((tmp_path / "dist").glob("*.zip"))
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(tmp_path / "unpacked")
    folder = tmp_path / "unpacked" / "lean-trainer"
    assert len(list((folder / "wheelhouse").glob("*.whl"))) >= 45
    env = _offline_environment()

    installed = subprocess.run([*_no_network_prefix(), sys.executable, "tasks.py", "install"], cwd=folder, env=env,
                               capture_output=True, text=True, timeout=600)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "out of wheelhouse/, with no network" in installed.stdout
    assert (folder / ".venv" / ".installed-run").exists()

    port = _free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(["/bin/sh", "start.sh", "--server.port", str(port), "--server.address", "127.0.0.1"],
                              cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        answer = b""
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and answer != b"ok" and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                    answer = response.read().strip()
            except OSError:
                time.sleep(0.5)
        assert answer == b"ok", (tmp_path / "server.log").read_text()
        time.sleep(1)
        printed = (tmp_path / "server.log").read_text()
        assert "installing packages" not in printed  # the stamp says it is installed already
        assert f"teams open: http://127.0.0.1:{port}" in printed

        lean_sim = folder / ".venv" / "bin" / "lean-sim"
        done = subprocess.run([str(lean_sim), "run", "scenarios/central-lending-hall.yaml", "--replications", "3",
                               "--workers", "1", "--format", "json"], cwd=folder, env=env, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        assert result["scenario"] == "central-lending-hall" and result["kpis"]["wait_mean"]["mean"] > 0
        # the code that ran is the bundle's own, not the checkout's
        where = subprocess.run([str(folder / ".venv" / "bin" / "python"), "-c", "import sim; print(sim.__file__)"],
                               cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert Path(where.stdout.strip()).resolve().is_relative_to(folder.resolve())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()
