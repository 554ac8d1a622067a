#!/usr/bin/env python3
"""The project's commands, for any machine with Python 3.11+ (Windows, Linux, macOS):

    python tasks.py run       install what the app needs into .venv, then start the dashboard
    python tasks.py test      install what the tests need into .venv, then run the whole test suite
    python tasks.py install   install what the app needs (`install test`: the tests) and stop
    python tasks.py bundle    build an offline bundle in dist/ (a zip to carry on a USB stick)

Only the standard library is used here. Packages come from the lock files in requirements/, so a
new release upstream changes nothing until the locks are renewed (see README, "Dependencies").
When a folder wheelhouse/ lies beside this file (an offline bundle), packages are installed from it
alone, with no network (pip --no-index).

Anything after the command is passed on: `python tasks.py test -k scenario`,
`python tasks.py run -- --server.port 8600` (options of `streamlit run`). `run` also takes
`--room` (listen on the network and print the address for teams) and `--open` (open the browser
once the dashboard answers).

    python tasks.py bundle [--platform PLATFORM] [--python 3.11|3.12|3.13] [--with-tests] [--out DIR]

PLATFORM: win_amd64, manylinux_2_28_x86_64 (Linux with glibc 2.28 or newer), manylinux2014_x86_64,
macosx_12_0_arm64 (or another manylinux_2_NN_x86_64|aarch64, macosx_NN_0_arm64|x86_64); the default
is this machine's platform and Python. --with-tests adds the test packages and tests/, so that
`python tasks.py test` runs from the bundle too.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import venv
import webbrowser
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCKS = {"run": ROOT / "requirements" / "app.lock", "test": ROOT / "requirements" / "test.lock"}
WHEELHOUSE = ROOT / "wheelhouse"
MANIFEST = "wheelhouse.json"
# Downloaded wheels are kept here per target, so that a second bundle needs no download at all.
WHEEL_CACHE = ROOT / "build" / "wheels"
BUNDLE_FILES = ROOT / "bundle"
# The folder inside a bundle's zip: short, because Windows limits a path to 260 characters.
BUNDLE_FOLDER = "lean-trainer"
# What a bundle carries of the project: its source (installed by `tasks.py run` as today).
SOURCE = ["app.py", "tasks.py", "pyproject.toml", "README.md", "CHANGELOG.md", "LICENSE", ".streamlit",
          "sim", "dashboard", "scenarios", "requirements", "docs", "bundle"]
TEST_SOURCE = ["tests", "bench"]
# Never shipped: a trainer's passcode and database, caches.
NEVER_SHIPPED = {"secrets.toml", "__pycache__", ".pytest_cache", ".hypothesis", ".mypy_cache", ".ruff_cache"}


class TaskError(Exception):
    """A problem the user can fix, reported as plain text (never a traceback)."""


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _say(text: str) -> None:
    try:
        print(f"[tasks] {text}", flush=True)
    except UnicodeEncodeError:  # a console or file that cannot show Russian: keep the rest readable
        print(f"[tasks] {text}".encode("ascii", "replace").decode(), flush=True)


# ---------------------------------------------------------------------------------------------
# Lock files and environment markers


@dataclass(frozen=True)
class Requirement:
    """One pinned line of a lock file: `name==version ; marker`."""

    name: str
    version: str
    marker: str
    source: str

    @property
    def key(self) -> str:
        return _normalise(self.name)

    def __str__(self) -> str:
        return f"{self.name}=={self.version}"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_LOCK_LINE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;]+)\s*(?:;\s*(.+))?$")


def read_lock(path: Path) -> list[Requirement]:
    """The pinned requirements of a lock file (uv or pip-compile output without hashes)."""
    found: list[Requirement] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        match = _LOCK_LINE.match(line)
        if not match:
            raise TaskError(f"{path.name}:{number}: not a pinned requirement (name==version ; marker): {raw.strip()}")
        found.append(Requirement(match[1], match[2], (match[3] or "").strip(), f"{path.name}:{number}"))
    return found


_MARKER_TOKEN = re.compile(
    r"\s*(?:(?P<str>'[^']*'|\"[^\"]*\")|(?P<op>===|==|!=|<=|>=|~=|<|>|\(|\))"
    r"|(?P<word>not\s+in\b|[A-Za-z_][A-Za-z0-9_.]*))"
)
_VERSION_VARIABLES = {"python_version", "python_full_version", "implementation_version"}
_STRING_VARIABLES = {"sys_platform", "platform_system", "os_name", "platform_machine", "implementation_name",
                     "platform_python_implementation", "platform_release", "platform_version", "extra"}


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = re.match(r"\d+(?:\.\d+)*", text.strip())
    if not parts:
        raise TaskError(f"not a version: {text!r}")
    return tuple(int(p) for p in parts[0].split("."))


def _compare_versions(left: str, op: str, right: str) -> bool:
    if op in ("==", "!=") and right.endswith(".*"):
        prefix = _version_tuple(right[:-2])
        equal = _version_tuple(left)[: len(prefix)] == prefix
        return equal if op == "==" else not equal
    a, b = _version_tuple(left), _version_tuple(right)
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    if op == "~=":
        return a >= b and a[: len(_version_tuple(right)) - 1] == b[: len(_version_tuple(right)) - 1]
    return {"==": a == b, "===": left == right, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
            ">=": a >= b}[op]


def evaluate_marker(marker: str, environment: dict[str, str]) -> bool:
    """Evaluate a PEP 508 environment marker for `environment` (not necessarily this machine).

    Covers what lock files contain: the standard variables, comparisons (versions compared as
    versions), `in` / `not in`, `and`, `or` and parentheses. Anything else is a TaskError.
    """
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(marker):
        if marker[position:].strip() == "":
            break
        match = _MARKER_TOKEN.match(marker, position)
        if not match:
            raise TaskError(f"cannot read the marker {marker!r} at {marker[position:]!r}")
        kind = match.lastgroup or ""
        tokens.append((kind, re.sub(r"\s+", " ", match[kind])))
        position = match.end()
    index = 0

    def peek() -> str:
        return tokens[index][1] if index < len(tokens) else ""

    def take() -> tuple[str, str]:
        nonlocal index
        if index >= len(tokens):
            raise TaskError(f"the marker {marker!r} ends too early")
        index += 1
        return tokens[index - 1]

    def value() -> tuple[str, bool]:
        kind, text = take()
        if kind == "str":
            return text[1:-1], False
        if kind == "word" and text in _VERSION_VARIABLES | _STRING_VARIABLES:
            return environment.get(text, ""), text in _VERSION_VARIABLES
        raise TaskError(f"unknown name {text!r} in the marker {marker!r}")

    def comparison() -> bool:
        if peek() == "(":
            take()
            result = disjunction()
            if take()[1] != ")":
                raise TaskError(f"unbalanced parentheses in the marker {marker!r}")
            return result
        left, left_is_version = value()
        _, op = take()
        if op not in ("==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in"):
            raise TaskError(f"unknown operator {op!r} in the marker {marker!r}")
        right, right_is_version = value()
        if op == "in":
            return left in right
        if op == "not in":
            return left not in right
        if left_is_version or right_is_version:
            return _compare_versions(left, op, right)
        if op in ("==", "==="):
            return left == right
        if op == "!=":
            return left != right
        raise TaskError(f"{op!r} compares versions, not names, in the marker {marker!r}")

    def conjunction() -> bool:
        result = comparison()
        while peek() == "and":
            take()
            right = comparison()  # evaluated always: a malformed marker is an error either way
            result = result and right
        return result

    def disjunction() -> bool:
        result = conjunction()
        while peek() == "or":
            take()
            right = conjunction()
            result = result or right
        return result

    result = disjunction()
    if index != len(tokens):
        raise TaskError(f"cannot read the marker {marker!r} from {peek()!r}")
    return result


def host_environment() -> dict[str, str]:
    """The marker variables of the Python running this file."""
    return {
        "python_version": "{}.{}".format(*sys.version_info[:2]),
        "python_full_version": platform.python_version(),
        "implementation_version": platform.python_version(),
        "implementation_name": sys.implementation.name,
        "platform_python_implementation": platform.python_implementation(),
        "sys_platform": sys.platform,
        "platform_system": platform.system(),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_version": platform.version(),
        "extra": "",
    }


# ---------------------------------------------------------------------------------------------
# Bundle targets

PLATFORM_EXAMPLES = "win_amd64, manylinux_2_28_x86_64, manylinux2014_x86_64, macosx_12_0_arm64"
PYTHONS = ("3.11", "3.12", "3.13")


@dataclass(frozen=True)
class Target:
    """A platform tag and a Python version a bundle is built for (CPython only)."""

    platform: str
    python: str

    @property
    def name(self) -> str:
        return f"{self.platform}-py{self.python.replace('.', '')}"

    @property
    def system(self) -> str:
        """`sys_platform` on the target."""
        if self.platform.startswith("win"):
            return "win32"
        return "darwin" if self.platform.startswith("macosx") else "linux"

    def environment(self, patch: int = 0) -> dict[str, str]:
        """The marker variables on the target, for Python `python.patch`."""
        machine = re.sub(r"^(win|manylinux_\d+_\d+|manylinux\d+|macosx_\d+_\d+)_", "", self.platform)
        if self.system == "win32":
            machine = machine.upper()  # platform.machine() says AMD64 or ARM64 on Windows
        system = {"win32": "Windows", "darwin": "Darwin", "linux": "Linux"}[self.system]
        return {
            "python_version": self.python,
            "python_full_version": f"{self.python}.{patch}",
            "implementation_version": f"{self.python}.{patch}",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "sys_platform": self.system,
            "platform_system": system,
            "os_name": "nt" if self.system == "win32" else "posix",
            "platform_machine": machine,
            "platform_release": "",
            "platform_version": "",
            "extra": "",
        }

    def pip_platforms(self) -> list[str]:
        """The `--platform` values for pip: every tag this target accepts.

        pip expands macOS tags and the old manylinux2014 alias itself, but not manylinux_2_NN,
        so the glibc versions below the target's are listed here.
        """
        match = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", self.platform)
        if not match:
            return [self.platform]
        newest, arch = int(match[1]), match[2]
        tags = [f"manylinux_2_{minor}_{arch}" for minor in range(newest, 4, -1)]
        legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
        tags += [f"{alias}_{arch}" for minor, alias in legacy.items() if minor <= newest]
        return tags


def default_platform() -> str:
    """This machine's platform as a bundle target."""
    machine = platform.machine().lower()
    if sys.platform == "win32" and machine in ("amd64", "x86_64"):
        return "win_amd64"
    if sys.platform.startswith("linux") and machine in ("x86_64", "aarch64"):
        return f"manylinux_2_28_{machine}"
    if sys.platform == "darwin" and machine in ("arm64", "x86_64"):
        return f"macosx_12_0_{machine}"
    raise TaskError(f"no default bundle platform for {sys.platform} on {machine}: give --platform ({PLATFORM_EXAMPLES})")


def parse_target(platform_tag: str | None, python: str | None) -> Target:
    """Check --platform and --python; None means this machine's."""
    tag = platform_tag or default_platform()
    if not re.fullmatch(r"win_amd64|manylinux2014_(x86_64|aarch64)|manylinux_2_\d+_(x86_64|aarch64)"
                        r"|macosx_\d+_\d+_(arm64|x86_64)", tag):
        raise TaskError(f"unknown platform {tag!r}: use one of {PLATFORM_EXAMPLES}")
    version = python or "{}.{}".format(*sys.version_info[:2])
    if version not in PYTHONS:
        raise TaskError(f"unsupported Python {version!r}: use one of {', '.join(PYTHONS)}")
    return Target(tag, version)


def needed_for(requirements: list[Requirement], target: Target) -> list[Requirement]:
    """The requirements whose markers hold on the target, one per package.

    A marker that depends on the patch release (3.12.0 against 3.12.99) cannot be decided for a
    bundle meant for any 3.12, and is refused.
    """
    chosen: dict[str, Requirement] = {}
    for requirement in requirements:
        if requirement.marker:
            low = evaluate_marker(requirement.marker, target.environment(0))
            high = evaluate_marker(requirement.marker, target.environment(99))
            if low != high:
                raise TaskError(f"{requirement.source}: the marker {requirement.marker!r} depends on the patch "
                                f"release of Python {target.python}")
            if not low:
                continue
        other = chosen.get(requirement.key)
        if other and other.version != requirement.version:
            raise TaskError(f"{requirement.source}: {requirement} and {other.source}: {other} both hold on {target.name}")
        chosen[requirement.key] = requirement
    return sorted(chosen.values(), key=lambda r: r.key)


def wheel_files(folder: Path) -> dict[tuple[str, str], Path]:
    """Wheels in a folder by (normalised name, version)."""
    found: dict[tuple[str, str], Path] = {}
    for path in sorted(folder.glob("*.whl")) if folder.is_dir() else []:
        parts = path.name[:-4].split("-")
        if len(parts) >= 5:
            found.setdefault((_normalise(parts[0]), parts[1].lower()), path)
    return found


def _missing(requirements: list[Requirement], folder: Path) -> list[Requirement]:
    present = wheel_files(folder)
    return [r for r in requirements if (r.key, r.version.lower()) not in present]


def _pip_command() -> list[str]:
    """A pip to download with: this Python's, or the one in .venv (created bare if needed)."""
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    return [str(_ensure_venv()), "-m", "pip", "--disable-pip-version-check"]


def _pip_download(requirements: list[Requirement], target: Target, folder: Path) -> tuple[set[str], str]:
    """Download wheels for the target; return the packages pip found none of, and pip's last error line.

    pip stops at the first package it cannot find, so that one is set aside and the rest asked
    for again, until all are in or one fails for another reason (no network: its error is returned).
    """
    command = [*_pip_command(), "download", "--quiet", "--only-binary=:all:", "--no-deps", "--dest", str(folder),
               "--implementation", "cp", "--python-version", target.python]
    for tag in target.pip_platforms():
        command += ["--platform", tag]
    unavailable: set[str] = set()
    todo = list(requirements)
    while todo:
        done = subprocess.run(command + [str(r) for r in todo], capture_output=True, text=True)
        if done.returncode == 0:
            return unavailable, ""
        found = re.search(r"No matching distribution found for ([A-Za-z0-9._-]+)", done.stderr)
        if not found:
            return unavailable, (done.stderr.strip().splitlines() or [""])[-1]
        unavailable.add(_normalise(found[1]))
        todo = [r for r in todo if r.key not in unavailable]
    return unavailable, ""


def build_wheelhouse(locks: list[Path], target: Target, cache: Path | None = None) -> list[Path]:
    """Download a wheel of every package the locks need on the target; return their paths.

    Wheels already in the cache folder are not downloaded again. Raises TaskError listing every
    package that has no wheel for the target.
    """
    requirements = needed_for([r for lock in locks for r in read_lock(lock)], target)
    folder = cache or WHEEL_CACHE / target.name
    folder.mkdir(parents=True, exist_ok=True)
    todo = _missing(requirements, folder)
    if todo:
        _say(f"downloading {len(todo)} wheels for {target.name} into {_shown(folder)}")
        _, error = _pip_download(todo, target, folder)
        if error:
            raise TaskError(f"pip could not download the wheels for {target.name}: {error}")
    missing = _missing(requirements, folder)
    if missing:
        lines = "\n".join(f"  {r}  ({r.source})" for r in missing)
        raise TaskError(f"no wheel for {target.platform}, Python {target.python}, of these locked packages:\n"
                        f"{lines}\nNo bundle was made.")
    present = wheel_files(folder)
    return [present[(r.key, r.version.lower())] for r in requirements]


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _source_files(names: list[str]) -> list[Path]:
    files: list[Path] = []
    for name in names:
        path = ROOT / name
        if not path.exists():
            continue
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in candidates:
            relative = file.relative_to(ROOT)
            if NEVER_SHIPPED.intersection(relative.parts) or file.suffix == ".pyc":
                continue
            files.append(file)
    return files


def _project_version() -> str:
    match = re.search(r'^version\s*=\s*"([^"]+)"', (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.M)
    return match[1] if match else "0"


def build_bundle(target: Target, with_tests: bool, out: Path) -> Path:
    """Write the offline bundle zip for the target into `out` and return its path."""
    locks = [LOCKS["run"]] + ([LOCKS["test"]] if with_tests else [])
    wheels = build_wheelhouse(locks, target)
    name = f"lean-library-trainer-{_project_version()}-{target.name}{'-with-tests' if with_tests else ''}"
    out.mkdir(parents=True, exist_ok=True)
    archive = out / f"{name}.zip"
    partial = archive.with_suffix(".zip.partial")
    manifest = {"platform": target.platform, "python": target.python, "sys_platform": target.system,
                "locks": [lock.name for lock in locks], "wheels": [w.name for w in wheels]}
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as bundle:
        def add(data: bytes, where: str, executable: bool = False, compress: bool = True) -> None:
            info = zipfile.ZipInfo(f"{BUNDLE_FOLDER}/{where}", date_time=time.localtime()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = (0o755 if executable else 0o644) << 16
            bundle.writestr(info, data)

        for file in _source_files(SOURCE + (TEST_SOURCE if with_tests else [])):
            where = file.relative_to(ROOT).as_posix()
            add(file.read_bytes(), where, executable=where == "tasks.py")
        for wheel in wheels:
            add(wheel.read_bytes(), f"wheelhouse/{wheel.name}", compress=False)  # wheels are zips already
        add(json.dumps(manifest, indent=2).encode(), f"wheelhouse/{MANIFEST}")
        for file in sorted(BUNDLE_FILES.iterdir()):
            text = file.read_text(encoding="utf-8").replace("@PYTHON@", target.python)
            if file.suffix in (".bat", ".txt"):
                text = text.replace("\r\n", "\n").replace("\n", "\r\n")  # cmd.exe and Notepad expect CRLF
            add(text.encode("utf-8"), file.name, executable=file.suffix == ".sh")
    partial.replace(archive)
    return archive


def bundle(extra: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tasks.py bundle", description="Build an offline bundle (a zip) in dist/.")
    parser.add_argument("--platform", help=f"the target platform ({PLATFORM_EXAMPLES}); default: this machine's")
    parser.add_argument("--python", help=f"the target Python ({', '.join(PYTHONS)}); default: this one")
    parser.add_argument("--with-tests", action="store_true", help="add the test packages and tests/")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where to write the zip (default dist/)")
    options = parser.parse_args(extra)
    target = parse_target(options.platform, options.python)
    started = time.monotonic()
    archive = build_bundle(target, options.with_tests, options.out)
    size = archive.stat().st_size / 1_000_000
    _say(f"bundle for {target.platform}, Python {target.python}: {archive} ({size:.0f} MB, "
         f"{time.monotonic() - started:.0f} s)")
    return 0


# ---------------------------------------------------------------------------------------------
# Installing and running


def _ensure_venv() -> Path:
    """Create .venv (with pip, from Python's own copy: no network) if it does not exist."""
    if sys.version_info < (3, 11):
        raise TaskError(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    python = _python()
    if not python.exists():
        if importlib.util.find_spec("ensurepip") is None:
            raise TaskError("this Python cannot create virtual environments: on Debian or Ubuntu install the "
                            "package python3-venv (apt-get install python3-venv), then try again")
        _say(f"creating the virtual environment in {VENV.name}/")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    return python


def _check_wheelhouse(kind: str) -> None:
    """Refuse early, in plain words, when wheelhouse/ cannot provide what `kind` needs here."""
    manifest_path = WHEELHOUSE / MANIFEST
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        here = "{}.{}".format(*sys.version_info[:2])
        if manifest.get("python") != here or manifest.get("sys_platform") != sys.platform:
            raise TaskError(f"wheelhouse/ is for Python {manifest.get('python')} on {manifest.get('platform')}; this "
                            f"is Python {here} on {sys.platform}. Start it with Python {manifest.get('python')} "
                            "or build a bundle for this computer (python tasks.py bundle).")
    locks = [LOCKS["run"]] + ([LOCKS["test"]] if kind == "test" else [])
    requirements = [r for lock in locks for r in read_lock(lock)]
    environment = host_environment()
    wanted = [r for r in requirements if not r.marker or evaluate_marker(r.marker, environment)]
    missing = _missing(wanted, WHEELHOUSE)
    if missing:
        hint = " (this bundle was built without the tests: build it with --with-tests)" if kind == "test" else ""
        listed = "\n".join(f"  {r}" for r in missing)
        raise TaskError(f"wheelhouse/ has no wheel of{hint}:\n{listed}")


# Windows refuses paths over 260 characters unless long paths are enabled; the deepest file the
# locked packages install lies about 150 characters below site-packages (streamlit's templates).
WINDOWS_PATH_LIMIT = 260
DEEPEST_INSTALLED = 150


def windows_path_warning(site_packages: str, long_paths_enabled: bool) -> str | None:
    """A warning when packages installed under `site_packages` would pass Windows' path limit."""
    if long_paths_enabled or len(site_packages) + 1 + DEEPEST_INSTALLED < WINDOWS_PATH_LIMIT:
        return None
    return (f"this folder lies deep ({len(site_packages)} characters to .venv's packages): Windows refuses paths "
            f"over {WINDOWS_PATH_LIMIT} characters, so the installation may fail. If it does, move the folder near "
            r"the top of the disk (e.g. C:\lean-trainer), delete .venv and start again. "
            "/ Папка лежит слишком глубоко: если установка не удастся, перенесите её ближе к корню диска "
            r"(например, C:\lean-trainer), удалите .venv и запустите снова.")


def _long_paths_enabled() -> bool:
    try:
        import winreg  # Windows only

        with winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, r"SYSTEM\CurrentControlSet\Control\FileSystem") as key:
            return bool(winreg.QueryValueEx(key, "LongPathsEnabled")[0] == 1)
    except (ImportError, OSError):
        return False


def _ensure_env(kind: str) -> Path:
    """Create .venv if needed and install the lock file for `kind` unless it is installed already."""
    python = _ensure_venv()
    lock = LOCKS[kind]
    digest = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{kind}"
    if stamp.exists() and stamp.read_text() == digest:
        return python
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    if os.name == "nt":
        warning = windows_path_warning(str(VENV / "Lib" / "site-packages"), _long_paths_enabled())
        if warning:
            _say(f"warning: {warning}")
    if WHEELHOUSE.is_dir():
        _check_wheelhouse(kind)
        _say(f"installing packages from {lock.relative_to(ROOT)} out of wheelhouse/, with no network "
             "(the first start takes a few minutes)")
        # --isolated: no pip configuration or PIP_* variable may add an index or another source.
        pip += ["--isolated", "--no-index", "--find-links", str(WHEELHOUSE)]
    else:
        _say(f"installing packages from {lock.relative_to(ROOT)}")
    try:
        subprocess.run(pip + ["-r", str(lock)], check=True)
        subprocess.run(pip + ["--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    except subprocess.CalledProcessError as error:
        if WHEELHOUSE.is_dir():
            raise TaskError("pip could not install from wheelhouse/ (see its message above): a wheel may be "
                            "missing or built for another computer") from error
        raise
    stamp.write_text(digest)
    return python


def _option(args: list[str], name: str) -> str | None:
    for i, arg in enumerate(args):
        if arg == name and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    return None


def lan_addresses() -> list[str]:
    """This computer's IPv4 addresses on the local network (not loopback), best guess first."""
    found: list[str] = []
    try:
        # A UDP "connect" sends nothing: the system only picks the interface that would route there.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1 (RFC 5737): never a real host
            found.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(str(info[4][0]))
    except OSError:
        pass
    return [a for i, a in enumerate(found) if not a.startswith(("127.", "0.")) and a not in found[:i]]


def _announce(port: str, address: str | None, room: bool, open_browser: bool, server: subprocess.Popen[bytes]) -> None:
    """Once the dashboard answers: print where to open it, and open the browser if asked."""
    local = f"http://localhost:{port}"
    for _ in range(600):
        if server.poll() is not None:
            return
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    break
        except OSError:
            pass
        time.sleep(0.5)
    else:
        return
    _say(f"the dashboard is ready on this computer: {local}")
    if room:
        addresses = [address] if address not in (None, "", "0.0.0.0", "::") else lan_addresses()
        if addresses:
            for address in addresses:
                _say(f"teams open: http://{address}:{port}  /  командам открыть: http://{address}:{port}")
        else:
            _say("no network address found: connect to the room's Wi-Fi, then find the address with "
                 "ipconfig (Windows) or ip addr (Linux)")
    if open_browser:
        webbrowser.open(local)


def run(extra: list[str]) -> int:
    room, open_browser = "--room" in extra, "--open" in extra
    args = [a for a in extra if a not in ("--", "--room", "--open")]
    python = _ensure_env("run")
    if room and _option(args, "--server.address") is None:
        args += ["--server.address", "0.0.0.0"]
    if (room or open_browser) and _option(args, "--server.headless") is None:
        # headless: Streamlit neither asks for an e-mail on the console nor opens a browser itself
        args += ["--server.headless", "true"]
    command = [str(python), "-m", "dashboard.serve", *args]  # `streamlit run app.py`, with the training worker started first
    _say("starting the dashboard: open the address shown below in a browser (Ctrl+C stops it)")
    if not (room or open_browser):
        return subprocess.call(command, cwd=ROOT)
    server = subprocess.Popen(command, cwd=ROOT)
    port = _option(args, "--server.port") or "8501"
    address = _option(args, "--server.address")
    threading.Thread(target=_announce, args=(port, address, room, open_browser, server), daemon=True).start()
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        server.wait()
        raise


def test(extra: list[str]) -> int:
    python = _ensure_env("test")
    env = dict(os.environ)
    command = [str(python), "-m", "pytest", *[a for a in extra if a != "--"]]
    _say(" ".join(command[1:]))
    return subprocess.call(command, cwd=ROOT, env=env)


def install(extra: list[str]) -> int:
    kind = extra[0] if extra else "run"
    if kind not in LOCKS:
        raise TaskError(f"install what? `install` (the app) or `install test`, not {kind!r}")
    _ensure_env(kind)
    _say(f"installed: {'the app' if kind == 'run' else 'the app and the tests'}")
    return 0


def main(argv: list[str]) -> int:
    commands = {"run": run, "test": test, "install": install, "bundle": bundle}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    try:
        return commands[argv[0]](argv[1:])
    except TaskError as error:
        print(f"[tasks] {error}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"[tasks] failed: {' '.join(map(str, error.cmd))} (exit {error.returncode})", file=sys.stderr)
        return error.returncode or 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
