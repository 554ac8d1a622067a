"""Settings of the dashboard, from environment variables (and Streamlit secrets where set).

- LEAN_TRAINER_LANG: the default language, `ru` (the default) or `en`;
- LEAN_TRAINER_WORKERS: processes for replications (default: all cores; 1 runs them in the app's process);
- LEAN_TRAINER_SCENARIOS: the folder of shipped scenario files (default: `scenarios/` of the project);
- LEAN_TRAINER_USER_SCENARIOS: the folder of the trainers' own scenarios (default: `data/scenarios/`);
- LEAN_TRAINER_DB_URL: the training database (default: SQLite in `data/training.db` of the project;
  any SQLAlchemy URL, e.g. `postgresql+psycopg://user:password@host/dbname`);
- LEAN_TRAINER_PASSCODE (or `trainer_passcode` in Streamlit secrets): the trainer's passcode;
- LEAN_TRAINER_PUBLIC_URL: the address teams type to reach this server (e.g. `http://192.168.1.20:8501`);
  by default the projector shows the address it was opened with, a local one replaced by this
  computer's address in the room's network;
- LEAN_TRAINER_DASK (or `dask_scheduler` in Streamlit secrets): a Dask scheduler (`tcp://HOST:8786`) for
  the editor's balance analysis; by default the local process pool.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.i18n import DEFAULT_LANG, LANGS

ROOT = Path(__file__).resolve().parents[1]


def _secret(name: str) -> str | None:
    try:
        import streamlit as st

        value = st.secrets.get(name)
    except Exception:  # no secrets file: that is the usual case
        return None
    return None if value is None else str(value)


def default_lang() -> str:
    lang = os.environ.get("LEAN_TRAINER_LANG") or _secret("default_language") or DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def workers() -> int | None:
    raw = os.environ.get("LEAN_TRAINER_WORKERS")
    if raw and raw.isdigit() and int(raw) >= 1:
        return int(raw)
    return None


def scenarios_dir() -> Path:
    return Path(os.environ.get("LEAN_TRAINER_SCENARIOS") or ROOT / "scenarios")


def database_url() -> str:
    url = os.environ.get("LEAN_TRAINER_DB_URL") or _secret("database_url")
    if url:
        return url
    data = ROOT / "data"
    data.mkdir(exist_ok=True)
    return f"sqlite:///{data / 'training.db'}"


def passcode() -> str | None:
    """The trainer's passcode, or None when none is configured."""
    value = os.environ.get("LEAN_TRAINER_PASSCODE") or _secret("trainer_passcode")
    return value or None


def user_scenarios_dir() -> Path:
    raw = os.environ.get("LEAN_TRAINER_USER_SCENARIOS")
    return Path(raw) if raw else ROOT / "data" / "scenarios"


def public_url() -> str | None:
    """The address teams use, when the trainer set it (no trailing slash)."""
    value = os.environ.get("LEAN_TRAINER_PUBLIC_URL") or _secret("public_url")
    return value.rstrip("/") if value else None


def dask_address() -> str | None:
    """The Dask scheduler the editor's balance analysis sends replications to, if one is set."""
    value = (os.environ.get("LEAN_TRAINER_DASK") or _secret("dask_scheduler") or "").strip()
    return value or None
