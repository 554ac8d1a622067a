"""The training service of this server (one store, one background worker) and sign-in helpers."""

from __future__ import annotations

import hmac

import streamlit as st

from sim.store import Store
from sim.training import Training, Worker

from . import config, runner

_WORKERS: dict[str, Worker] = {}  # one per database and process, whatever clears Streamlit's caches


@st.cache_resource(show_spinner=False)
def _service(url: str) -> tuple[Training, Worker]:
    training = Training(Store(url))
    old = _WORKERS.pop(url, None)
    if old is not None:
        old.stop()
    # the worker finishes rounds left "closing" by a crash or restart, then any closed later
    worker = _WORKERS[url] = Worker(training, runner.background_runner(), interval=1.0).start()
    return training, worker


def training() -> Training:
    return _service(config.database_url())[0]


def check_passcode(given: str) -> bool:
    """Constant-time comparison with the configured passcode (False when none is configured)."""
    expected = config.passcode()
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
