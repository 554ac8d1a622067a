"""The training service of this server (one store, one supervised background worker) and sign-in helpers.

The service starts when this module is imported by the app: `app.py` imports it, so the worker
runs (and finishes rounds left computing by a restart) from the app's first run on, whichever page
is opened, and `python -m dashboard.serve` starts it before the web server takes any request. A database that
cannot be opened is logged here and shown by the pages that need it.
"""

from __future__ import annotations

import hmac
import logging
import threading

from sim.guard import AttemptGuard
from sim.store import Store, StoreError
from sim.training import Training, TrainingError, Worker

from . import config, runner

log = logging.getLogger(__name__)
_LOCK = threading.Lock()
_SERVICE: dict[str, tuple[Training, Worker]] = {}  # one per process, whatever clears Streamlit's caches


def _service(url: str) -> tuple[Training, Worker]:
    with _LOCK:
        found = _SERVICE.get(url)
        if found is not None and found[1].alive():
            return found
        for old_url, (old, worker) in list(_SERVICE.items()):  # one database per server: the last one asked for
            worker.stop()
            old.store.close()
            del _SERVICE[old_url]
        training = Training(Store(url))
        # the worker finishes rounds left "closing" by a crash or restart, then any closed later
        worker = Worker(training, runner.background_runner(), interval=1.0, batch=runner.background_batch()).start()
        _SERVICE[url] = (training, worker)
        return training, worker


def training() -> Training:
    """This server's training service (raises `StoreError` when the database cannot be used)."""
    return _service(config.database_url())[0]


def start() -> None:
    """Start the service and its worker now (logs, does not raise, when the database cannot be used)."""
    try:
        _service(config.database_url())
    except StoreError as error:
        log.error("the training service could not start: %s", error)


def check_passcode(given: str) -> bool:
    """Constant-time comparison with the configured passcode (False when none is configured)."""
    expected = config.passcode()
    if not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


PASSCODE_GUARD = AttemptGuard()  # wrong trainer passcodes of this server, per client and overall


def sign_in(given: str, client: str) -> TrainingError | None:
    """None when the passcode is right; else the refusal to show (wrong, or wait after too many wrong ones)."""
    wait = PASSCODE_GUARD.wait(client)
    if wait > 0:
        return TrainingError("training.refused.slow_down", seconds=max(1, round(wait)))
    if check_passcode(given):
        PASSCODE_GUARD.succeeded(client)
        return None
    PASSCODE_GUARD.failed(client)
    return TrainingError("trainer.wrong_passcode")


def client_key() -> str:
    """Whom wrong attempts of this browser session count against: its network address, else the session."""
    try:
        import streamlit as st
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        address = st.context.ip_address
        if address:
            return f"ip:{address}"
        ctx = get_script_run_ctx()
        return f"session:{ctx.session_id}" if ctx else "unknown"
    except Exception:  # outside a page run
        return "unknown"


def _inside_the_app() -> bool:
    try:
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        return get_script_run_ctx(suppress_warning=True) is not None
    except Exception:
        return False


if _inside_the_app():  # imported by app.py's first run; a plain import (tests, tools) starts nothing
    start()
