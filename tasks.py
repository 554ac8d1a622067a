#!/usr/bin/env python3
"""The project's two commands, for any machine with Python 3.11+ (Windows, Linux, macOS):

    python tasks.py run     install what the app needs into .venv, then start the dashboard
    python tasks.py test    install what the tests need into .venv, then run the whole test suite

Only the standard library is used here. Packages come from the lock files in requirements/, so a
new release upstream changes nothing until the locks are renewed (see README, "Dependencies").
Anything after the command is passed on: `python tasks.py test -k scenario`,
`python tasks.py run -- --server.port 8600` (options of `streamlit run`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCKS = {"run": ROOT / "requirements" / "app.lock", "test": ROOT / "requirements" / "test.lock"}


def _python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _say(text: str) -> None:
    print(f"[tasks] {text}", flush=True)


def _ensure_env(kind: str) -> Path:
    """Create .venv if needed and install the lock file for `kind` unless it is installed already."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]})")
    python = _python()
    if not python.exists():
        _say(f"creating the virtual environment in {VENV.name}/")
        venv.EnvBuilder(with_pip=True, clear=VENV.exists()).create(VENV)
    lock = LOCKS[kind]
    digest = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".installed-{kind}"
    if stamp.exists() and stamp.read_text() == digest:
        return python
    _say(f"installing packages from {lock.relative_to(ROOT)}")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet"]
    subprocess.run(pip + ["-r", str(lock)], check=True)
    subprocess.run(pip + ["--no-deps", "--no-build-isolation", "-e", str(ROOT)], check=True)
    stamp.write_text(digest)
    return python


def run(extra: list[str]) -> int:
    python = _ensure_env("run")
    args = [a for a in extra if a != "--"]
    command = [str(python), "-m", "dashboard.serve", *args]  # `streamlit run app.py`, with the training worker started first
    _say("starting the dashboard: open the address shown below in a browser (Ctrl+C stops it)")
    return subprocess.call(command, cwd=ROOT)


def test(extra: list[str]) -> int:
    python = _ensure_env("test")
    env = dict(os.environ)
    command = [str(python), "-m", "pytest", *[a for a in extra if a != "--"]]
    _say(" ".join(command[1:]))
    return subprocess.call(command, cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    try:
        return {"run": run, "test": test}[argv[0]](argv[1:])
    except subprocess.CalledProcessError as error:
        print(f"[tasks] failed: {' '.join(map(str, error.cmd))} (exit {error.returncode})", file=sys.stderr)
        return error.returncode or 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
