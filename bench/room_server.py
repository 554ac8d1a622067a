"""The app's server for `bench_room.py`, with a log of every script run (when, how long, which page).

    python bench/room_server.py LOG_FILE -- [streamlit run options]

It runs `streamlit run app.py` in this process after wrapping Streamlit's script execution: each run
(a whole page, or one fragment such as the polling watch) appends one JSON line to LOG_FILE with its
wall-clock start and end (`time.time()`, comparable with the browsers' `Date.now()` on the same
machine), the script thread's own CPU time, whether it was a fragment, whether it ended in a rerun
request, and the page's team (from its session state) or `projector`/`trainer`. The benchmark reads
them to split a reveal's latency into the poll's delay, the server's run and the browser's drawing.
Nothing of this is in the app: it exists only in the benchmark's server.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _who(ctx: Any) -> str:
    """The page a run belongs to: the team's name, else the page's script name."""
    try:
        team = ctx.session_state["team"] if "team" in ctx.session_state else None  # noqa: SIM401 (no .get)
    except Exception:  # a session state not readable here: the page's name will do
        team = None
    if team:
        return str(team[1])
    try:
        page = ctx.pages_manager.get_pages().get(ctx.page_script_hash, {})
        return str(page.get("url_pathname") or page.get("page_name") or "?")
    except Exception:  # an unknown page: still logged
        return "?"


def install(log_file: Path) -> None:
    """Wrap Streamlit's script execution so that every run is logged to `log_file`."""
    from streamlit.runtime.scriptrunner import script_runner

    real = script_runner.exec_func_with_error_handling
    lock = threading.Lock()

    def timed(func: Any, ctx: Any) -> Any:
        fragment = bool(ctx.fragment_ids_this_run)
        start, cpu = time.time(), time.thread_time()
        result = real(func, ctx)
        end, cpu = time.time(), time.thread_time() - cpu
        line = {"who": _who(ctx), "session": ctx.session_id[:8], "fragment": fragment, "start": start, "end": end,
                "cpu": round(cpu, 4), "rerun": result[2] is not None}
        with lock, open(log_file, "a", encoding="utf-8") as out:
            out.write(json.dumps(line) + "\n")
        return result

    script_runner.exec_func_with_error_handling = timed


def main() -> None:
    log_file, options = Path(sys.argv[1]), sys.argv[sys.argv.index("--") + 1:]
    install(log_file)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *options]
    cli.main()


if __name__ == "__main__":
    main()
