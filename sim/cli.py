"""The `lean-sim` command: validate scenarios, run them, compare two of them.

Bad input of any kind ends with one line per problem on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .experiment import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    MAX_REPLICATIONS,
    Comparison,
    Results,
    compare,
    run_experiment,
)
from .kpis import kpi
from .model import RunawayScenario, simulate
from .scenario import Problem, Scenario, ScenarioError, load_scenario, parse_scenario

EXIT_BAD_INPUT = 2


class CliError(Exception):
    """Bad input found by the command itself; its lines go to stderr."""

    def __init__(self, *lines: str):
        self.lines = lines
        super().__init__("\n".join(lines))


def _replications(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_REPLICATIONS:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_REPLICATIONS} (got {value})")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2^63-1 (got {value})")
    return value


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= 365:
        raise argparse.ArgumentTypeError(f"must be between 1 and 365 (got {value})")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lean-sim",
        description="Lean Library Trainer: simulate a library's service processes and measure them.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check scenario files", description="Check scenario files; exit 0 if all are valid, 2 otherwise.")
    p.add_argument("files", nargs="+", metavar="FILE")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML)")
        p.add_argument("--replications", "-r", type=_replications, default=DEFAULT_REPLICATIONS,
                       help=f"replications to run (default {DEFAULT_REPLICATIONS})")
        p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
        p.add_argument("--days", type=_days, help="run this many days instead of the scenario's (daily scenarios)")
        p.add_argument("--format", choices=("table", "json", "csv"), default="table")
        p.add_argument("--out", metavar="FILE", help="write the output to FILE instead of the screen")
        p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the table (default ru)")
        p.add_argument("--workers", type=int, default=None, help="processes to use (default: all cores)")

    p = sub.add_parser("run", help="run a scenario", description="Run a scenario's replications and report every figure with its 95%% CI.")
    common(p)
    p.add_argument("--events", metavar="FILE", help="also write replication 1's event log as CSV")

    p = sub.add_parser("compare", help="compare two scenarios (paired)",
                       description="Run a baseline and a variant with the same readers and report paired differences.")
    common(p)
    p.add_argument("--variant", required=True, metavar="OTHER", help="the variant scenario file")
    return parser


def _load(path: str, days: int | None = None) -> Scenario:
    scenario = load_scenario(path)
    if days is None:
        return scenario
    if scenario.calendar.mode != "daily":
        raise CliError(f"{path}: calendar.mode: --days applies to daily scenarios; this one is continuous")
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["calendar"]["days"] = days
    return parse_scenario(data, file=path)


def _write(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CliError(f"{out}: cannot write: {error.strerror}") from None


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.3g}" if abs(x) < 1 else f"{x:.2f}"


def _name(kpi_id: str, lang: str) -> str:
    info = kpi(kpi_id)
    return info.ru if lang == "ru" else info.en


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _run_table(results: Results, lang: str) -> str:
    head = ["показатель" if lang == "ru" else "figure", "id", "mean", "95% CI", "unit"]
    rows = [head]
    for k, e in results.kpis.items():
        ci = f"{_fmt(e.ci95[0])} .. {_fmt(e.ci95[1])}" if e.ci95 else "-"
        rows.append([_name(k, lang), k, _fmt(e.mean), ci, kpi(k).unit])
    title = f"{results.scenario_id}: seed {results.seed}, {results.replications} replications\n\n"
    return title + _table(rows)


def _run_csv(results: Results) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "kpi", "mean", "ci_low", "ci_high", "unit", "better"])
    data = results.to_json()
    sections: list[tuple[str, dict[str, Any]]] = [("", data["kpis"])] + list(data["groups"].items())
    for group, figs in sections:
        for k, e in figs.items():
            writer.writerow([group, k, e["mean"], e["ci95"][0], e["ci95"][1], e["unit"], e["better"]])
    return out.getvalue()


_VERDICT = {
    "ru": {"better": "лучше", "worse": "хуже", "no_clear_change": "нет явного изменения (может быть случайностью)"},
    "en": {"better": "better", "worse": "worse", "no_clear_change": "no clear change (could be chance)"},
}


def _compare_table(c: Comparison, lang: str) -> str:
    head = ["показатель" if lang == "ru" else "figure", "baseline", "variant", "diff", "95% CI", "verdict"]
    rows = [head]
    for k, d in c.kpis.items():
        ci = f"{_fmt(d.ci95[0])} .. {_fmt(d.ci95[1])}" if d.ci95 else "-"
        rows.append([_name(k, lang), _fmt(d.baseline), _fmt(d.variant), _fmt(d.diff), ci, _VERDICT[lang][d.verdict]])
    title = f"{c.baseline.scenario_id} -> {c.variant.scenario_id}: seed {c.baseline.seed}, {c.baseline.replications} replications (paired)\n\n"
    return title + _table(rows)


def _compare_csv(c: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", "kpi", "baseline", "variant", "diff", "ci_low", "ci_high", "verdict"])
    data = c.to_json()
    sections: list[tuple[str, dict[str, Any]]] = [("", data["kpis"])] + list(data["groups"].items())
    for group, figs in sections:
        for k, d in figs.items():
            writer.writerow([group, k, d["baseline"], d["variant"], d["diff"], d["ci95"][0], d["ci95"][1], d["verdict"]])
    return out.getvalue()


def _progress(stream: Any) -> Any:
    if not getattr(stream, "isatty", lambda: False)():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\r{done}/{total} replications")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def _cmd_validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    for name in args.files:
        try:
            load_scenario(name)
        except ScenarioError as error:
            problems += error.problems
        else:
            print(f"{name}: ok")
    for problem in problems:
        print(problem, file=sys.stderr)
    return EXIT_BAD_INPUT if problems else 0


def _cmd_run(args: argparse.Namespace) -> int:
    scenario = _load(args.scenario, args.days)
    results = run_experiment(scenario, args.replications, args.seed, workers=args.workers, progress=_progress(sys.stderr))
    if args.events:
        try:
            simulate(scenario, args.seed, 0).write_csv(args.events)
        except OSError as error:
            raise CliError(f"{args.events}: cannot write: {error.strerror}") from None
    if args.format == "json":
        text = json.dumps(results.to_json(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = _run_csv(results)
    else:
        text = _run_table(results, args.lang)
    _write(text, args.out)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    baseline = _load(args.scenario, args.days)
    variant = _load(args.variant, args.days)
    progress = _progress(sys.stderr)
    base_results = run_experiment(baseline, args.replications, args.seed, workers=args.workers, progress=progress)
    var_results = run_experiment(variant, args.replications, args.seed, workers=args.workers, progress=progress)
    comparison = compare(base_results, var_results)
    if args.format == "json":
        text = json.dumps(comparison.to_json(), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = _compare_csv(comparison)
    else:
        text = _compare_table(comparison, args.lang)
    _write(text, args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        workers = getattr(args, "workers", None)
        if workers is not None and not 1 <= workers <= 256:
            raise CliError(f"--workers must be between 1 and 256 (got {workers})")
        return {"validate": _cmd_validate, "run": _cmd_run, "compare": _cmd_compare}[args.command](args)
    except ScenarioError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
    except CliError as error:
        for line in error.lines:
            print(line, file=sys.stderr)
    except RunawayScenario as error:
        print(f"{getattr(args, 'scenario', '')}: {error}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
