"""Benchmark: what open pages cost the server while a room waits, and how fast a reveal reaches them.

Run from the project root (needs Chromium, as the browser tests do):

    python bench/bench_room.py                 # 12 team pages and a projector, 20 s idle window
    python bench/bench_room.py --teams 6 --idle 10 --json

It starts the app (`streamlit run app.py`) on a free local port with its own database, creates a
session of the default scenario (2 replications a round, so the computation is short), joins N
teams and opens a page for each in headless Chromium, plus the projector. Then:

1. *Idle*: nothing happens for `--idle` seconds; the server process's CPU time over that window
   (user + system, `psutil`) divided by the window is the cores it spent on polling pages. Target:
   under 0.15 of a core with 12 pages.
2. *Reveal*: round 1 is closed and, once computed, revealed (through the store, as the trainer's
   click does); the time from the reveal until every page shows its results (the team pages their
   "Results of round 1", the projector its leaderboard). Target: under 3 s on every page.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _free_port

from sim.scenario import load_scenario
from sim.store import Store
from sim.training import Training


def _start(folder: Path, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LEAN_TRAINER_LANG": "en", "LEAN_TRAINER_PASSCODE": "bench",
           "LEAN_TRAINER_DB_URL": f"sqlite:///{folder / 'training.db'}"}
    return subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_health(url: str) -> None:
    import urllib.request

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the app did not start")


def _cpu(process: psutil.Process) -> float:
    total = process.cpu_times().user + process.cpu_times().system
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total


# in the page: the moment its text first shows (a serial check from here would add the other pages' delays)
WATCH_JS = """(text) => {
  window.__benchSeen = null;
  const check = () => {
    if (!window.__benchSeen && document.body.textContent.includes(text)) window.__benchSeen = Date.now();
  };
  check();
  new MutationObserver(check).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def _spy(pid: int, prefix: str | None, phase: str, seconds: float) -> subprocess.Popen[bytes] | None:
    """A py-spy sampling of the server for `seconds` (where its CPU goes), when asked for."""
    if not prefix:
        return None
    return subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds)), "--format", "raw",
                             "--output", f"{prefix}-{phase}.txt", "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--teams", type=int, default=12)
    parser.add_argument("--idle", type=float, default=20.0)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--profile", metavar="PREFIX",
                        help="sample the server with py-spy (on PATH) in both phases: PREFIX-idle.txt, PREFIX-reveal.txt")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-room-"))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = _start(folder, port)
    try:
        _wait_health(url)
        service = Training(Store(f"sqlite:///{folder / 'training.db'}"))
        scenario = load_scenario(ROOT / "scenarios" / "central-lending-hall.yaml")
        code = service.create_session(scenario, seed=1, replications=2, rounds_count=2)
        names = [f"Team {i + 1}" for i in range(args.teams)]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            pages = []
            for name in names:
                page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
                page.set_default_timeout(120_000)
                page.goto(f"{url}/team?code={code}")
                page.get_by_text("English", exact=True).click()
                page.get_by_label("Team name").fill(name)
                page.get_by_role("button", name="Join").click()
                page.get_by_text(f'Team "{name}"', exact=False).wait_for()
                pages.append(page)
            projector = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            projector.goto(f"{url}/projector?code={code}&lang=en")
            projector.get_by_text(f"Session code: {code}").wait_for()
            service.open_round(code, 1)
            for page in pages:
                page.get_by_role("heading", name="The library as it is").wait_for()  # the page has settled
                page.get_by_role("button", name="Submit the decision").click()
                page.get_by_text("Decision received", exact=False).wait_for()
            time.sleep(5)  # let the last reruns settle
            proc = psutil.Process(server.pid)
            spy = _spy(server.pid, args.profile, "idle", args.idle)
            before, start = _cpu(proc), time.monotonic()
            time.sleep(args.idle)
            idle_cores = (_cpu(proc) - before) / (time.monotonic() - start)
            if spy is not None:
                spy.wait()

            service.close_round(code, 1)
            while service.round(code, 1).status != "closed":
                time.sleep(0.1)
            watched = {**{n: (pg, "Results of round 1") for n, pg in zip(names, pages)},
                       "projector": (projector, "1=. ")}
            for page, text in watched.values():  # each page notes when it shows its results (its own clock)
                page.evaluate(WATCH_JS, text)
            spy = _spy(server.pid, args.profile, "reveal", 20)
            reveal_cpu = _cpu(proc)
            revealed = time.time()
            service.reveal(code, 1)
            seen: dict[str, float] = {}
            while len(seen) < len(watched) and time.time() - revealed < 60:
                for name, (page, _) in watched.items():
                    if name not in seen:
                        at = page.evaluate("() => window.__benchSeen || null")
                        if at:
                            seen[name] = at / 1000 - revealed
                time.sleep(0.2)
            reveal_cpu = _cpu(proc) - reveal_cpu
            if spy is not None:
                spy.wait()
            browser.close()
        figures = {"pages": len(watched), "idle_window_s": args.idle, "idle_cores": round(idle_cores, 3),
                   "reveal_to_all_pages_s": round(max(seen.values()), 2) if len(seen) == len(watched) else None,
                   "reveal_median_s": round(sorted(seen.values())[len(seen) // 2], 2) if seen else None,
                   "pages_that_saw_it": len(seen), "reveal_server_cpu_s": round(reveal_cpu, 2)}
        print(f"{args.teams} team pages + a projector: idle server CPU {figures['idle_cores']} cores "
              f"(target < 0.15); reveal to results on every page {figures['reveal_to_all_pages_s']} s "
              f"(target < 3 s; median {figures['reveal_median_s']} s)")
        if args.json:
            print(json.dumps(figures))
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
