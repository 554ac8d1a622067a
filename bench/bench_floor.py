"""Benchmark: building the animated floor of one day, against vidigi 2 on the same day.

Run from the project root:

    python bench/bench_floor.py                                  # ours, and vidigi if it can be found
    python bench/bench_floor.py --vidigi-python /tmp/bench-venv/bin/python
    python bench/bench_floor.py --skip-vidigi --repeats 3
    python bench/bench_floor.py --json

The day: replication 1 of the default scenario (`scenarios/central-lending-hall.yaml`, seed
20241115), day 1 from opening until the last reader has left, every reader, frames 1, 2 and 5
minutes apart. Everything runs on one core (the process and its children are pinned to one CPU).

Ours is timed in three parts, each with `time.process_time()` (CPU of this process), the median
of `--repeats`: `sim.floor.build_frames` (positions from the event log), `floor_figure` (the
Plotly figure), and serialisation as Streamlit does it (`fig.to_dict()` and `plotly.io.to_json`).
The payload is the size of that JSON: what the browser receives. The simulation itself is timed
separately and is not part of the build.

vidigi needs packages the app does not (`requirements/bench.in`): it runs in the benchmark's own
environment, given by `--vidigi-python` (or found in this interpreter). The script writes the same
day as a vidigi event log (per reader: arrival, each queue, each service, the shelves, the wait for
the stack run, departure; every state as a vidigi `queue` event, positioned at its station) and
times `vidigi.animate_activity_log(...)` at the same frame steps, plus its serialisation, in that
environment. vidigi draws a different picture (no staff, cart or piles); the comparison is of
building one day's animation of every reader.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VENV_PYTHON = Path("/tmp/bench-venv/bin/python")
STEPS = (1.0, 2.0, 5.0)
SEED = 20241115


def _one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


# --- ours ------------------------------------------------------------------------------------------


def ours(repeats: int) -> tuple[dict[str, Any], Any, Any]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import plotly.io as pio

    from dashboard.floor_charts import floor_figure
    from sim.eventlog import Ev
    from sim.floor import build_frames, day_window, floor_plan
    from sim.model import simulate
    from sim.scenario import load_scenario

    scenario = load_scenario(ROOT / "scenarios" / "central-lending-hall.yaml")
    gc.collect()
    t0 = time.process_time()
    log = simulate(scenario, SEED, 0)
    sim_s = time.process_time() - t0
    window = day_window(scenario, log, 0)
    plan = floor_plan(scenario)
    arrive = (log.kind == Ev.ARRIVE) & (log.t >= window[0]) & (log.t < window[1])
    out: dict[str, Any] = {"readers": int(arrive.sum()), "window_min": list(window), "simulate_s": sim_s, "steps": {}}
    for step in STEPS:
        samples: dict[str, list[float]] = {"frames": [], "figure": [], "serialise": [], "total": []}
        payload = 0
        for _ in range(repeats):
            gc.collect()
            a = time.process_time()
            fr = build_frames(scenario, log, plan, *window, step)
            b = time.process_time()
            fig = floor_figure([("as is", scenario, fr)], "en")
            c = time.process_time()
            text = pio.to_json(fig.to_dict(), validate=False)
            d = time.process_time()
            payload = len(text.encode("utf-8"))
            samples["frames"].append(b - a)
            samples["figure"].append(c - b)
            samples["serialise"].append(d - c)
            samples["total"].append(d - a)
        out["steps"][str(step)] = {
            "frames": len(fr.times),
            **{f"{name}_s": statistics.median(v) for name, v in samples.items()},
            "payload_bytes": payload,
            "total_samples_s": samples["total"],
        }
    return out, scenario, log


def vidigi_log(scenario: Any, log: Any, window: list[float], path: Path) -> None:
    """The day's readers as a vidigi event log (CSV) and their positions (JSON beside it)."""
    from sim.eventlog import Ev

    k, t, ent, val, st = log.kind, log.t, log.entity, log.value, log.station
    reader = (log.group >= 0) & (ent >= 0)
    arrivals = reader & (k == Ev.ARRIVE) & (t >= window[0]) & (t < window[1])
    chosen = set(ent[arrivals].tolist())
    rows: list[tuple[int, str, str, float]] = []
    for i in range(len(t)):
        n = int(ent[i])
        if not reader[i] or n not in chosen:
            continue
        kind = int(k[i])
        if kind == Ev.ARRIVE:
            rows.append((n, "arrival_departure", "arrival", float(t[i])))
        elif kind in (Ev.SERVICE_START, Ev.RENEGE):
            rows.append((n, "queue", f"wait_{log.station_ids[st[i]]}", float(t[i] - val[i])))
            if kind == Ev.SERVICE_START:
                rows.append((n, "queue", f"served_{log.station_ids[st[i]]}", float(t[i])))
        elif kind in (Ev.SELF_END, Ev.STACK_WAIT):
            rows.append((n, "queue", f"at_{log.station_ids[st[i]]}", float(t[i] - val[i])))
        elif kind in (Ev.DEPART, Ev.RENEGE, Ev.BALK, Ev.LEFT_INSIDE):
            rows.append((n, "arrival_departure", "depart", float(t[i])))
    rows.sort(key=lambda r: (r[3], r[0]))
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["entity_id", "event_type", "event", "time"])
        writer.writerows((n, et, ev, f"{tt - window[0]:.4f}") for n, et, ev, tt in rows)
    events = sorted({r[2] for r in rows if r[1] == "queue"})
    positions = [{"event": "arrival", "x": 50, "y": 450, "label": "arrival"}]
    positions += [{"event": e, "x": 200 + 160 * (i % 6), "y": 150 + 120 * (i // 6), "label": e} for i, e in enumerate(events)]
    positions.append({"event": "exit", "x": 1100, "y": 50, "label": "exit"})
    path.with_suffix(".json").write_text(json.dumps(positions))


def run_vidigi(python: str, csv_path: Path, repeats: int, limit: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for step in STEPS:
        done = subprocess.run(
            [python, str(Path(__file__).resolve()), "--vidigi-worker", str(csv_path), "--every", str(int(step)),
             "--repeats", str(repeats), "--limit", str(int(limit))],
            capture_output=True, text=True, timeout=3600,
        )
        if done.returncode != 0:
            raise RuntimeError(f"vidigi run failed:\n{done.stderr[-3000:]}")
        out[str(step)] = json.loads(done.stdout.strip().splitlines()[-1])
    return out


def vidigi_worker(csv_path: str, every: int, repeats: int, limit: int) -> None:
    """Inside the benchmark environment: time vidigi on the exported day, print one JSON line."""
    import warnings
    from importlib.metadata import version

    import pandas as pd
    import plotly
    import plotly.io as pio
    from vidigi.animation import animate_activity_log

    warnings.simplefilter("ignore")
    _one_core()
    event_log = pd.read_csv(csv_path)
    positions = pd.DataFrame(json.loads(Path(csv_path).with_suffix(".json").read_text()))
    build, serialise, payload = [], [], 0
    for _ in range(repeats):
        gc.collect()
        a = time.process_time()
        fig = animate_activity_log(event_log, positions, every_x_time_units=every, limit_duration=limit,
                                   step_snapshot_max=200, setup_mode=False, debug_mode=False)
        b = time.process_time()
        text = pio.to_json(fig.to_dict(), validate=False)
        c = time.process_time()
        payload = len(text.encode("utf-8"))
        build.append(b - a)
        serialise.append(c - b)
    print(json.dumps({
        "vidigi": version("vidigi"), "plotly": plotly.__version__, "pandas": pd.__version__,
        "entities": int(event_log["entity_id"].nunique()), "frames": len(fig.frames),
        "build_s": statistics.median(build), "serialise_s": statistics.median(serialise),
        "total_s": statistics.median(b_ + s_ for b_, s_ in zip(build, serialise, strict=True)),
        "build_samples_s": build, "payload_bytes": payload,
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--vidigi-repeats", type=int, default=3)
    parser.add_argument("--vidigi-python", default=None, help="Python of the environment with vidigi installed")
    parser.add_argument("--skip-vidigi", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--vidigi-worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--every", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.vidigi_worker:
        vidigi_worker(args.vidigi_worker, args.every, args.repeats, args.limit)
        return
    _one_core()
    mine, scenario, log = ours(args.repeats)
    result: dict[str, Any] = {"ours": mine}
    python = args.vidigi_python
    if python is None and not args.skip_vidigi:
        try:
            import vidigi  # noqa: F401

            python = sys.executable
        except ImportError:
            python = str(DEFAULT_VENV_PYTHON) if DEFAULT_VENV_PYTHON.exists() else None
    if not args.skip_vidigi:
        if python is None:
            print("vidigi not found: install requirements/bench.lock in a venv and pass --vidigi-python", file=sys.stderr)
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "day.csv"
                vidigi_log(scenario, log, mine["window_min"], path)
                span = mine["window_min"][1] - mine["window_min"][0]
                result["vidigi"] = run_vidigi(python, path, args.vidigi_repeats, span)

    start, end = (int(x) % 1440 for x in mine["window_min"])
    print(f"One day of the default scenario: {mine['readers']} readers, {start // 60:02d}:{start % 60:02d} to "
          f"{end // 60:02d}:{end % 60:02d}; the simulation itself: {mine['simulate_s']:.3f} s CPU")
    if "vidigi" in result:
        first = next(iter(result["vidigi"].values()))
        print(f"vidigi {first['vidigi']} (plotly {first['plotly']}, pandas {first['pandas']}), {first['entities']} readers")
    print("| frames every | frames | ours: frames + figure + JSON (s) | ours payload (MB) | vidigi build + JSON (s) | vidigi payload (MB) | vidigi / ours |")
    print("|---|---|---|---|---|---|---|")
    for step in STEPS:
        o = mine["steps"][str(step)]
        v = result.get("vidigi", {}).get(str(step))
        vt = f"{v['build_s']:.2f} + {v['serialise_s']:.2f}" if v else "—"
        vp = f"{v['payload_bytes'] / 1e6:.2f}" if v else "—"
        ratio = f"{v['total_s'] / o['total_s']:.0f}x" if v else "—"
        print(f"| {step:.0f} min | {o['frames']} | {o['frames_s']:.3f} + {o['figure_s']:.3f} + {o['serialise_s']:.3f} "
              f"= {o['total_s']:.3f} | {o['payload_bytes'] / 1e6:.2f} | {vt} | {vp} | {ratio} |")
    if args.json:
        print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
