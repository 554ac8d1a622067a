"""The `lean-sim` command: validate scenarios, run them, compare two of them.

Bad input of any kind ends with one line per problem on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from . import cli_balance
from .cli_args import argparse_language, unwritable, wanted_lang, whole
from .cli_tables import compare_csv, compare_table, run_csv, run_table, score_json, table
from .events import drop_events_after, with_events
from .executors import ExecutorError, cluster_executor
from .experiment import (
    DEFAULT_REPLICATIONS,
    DEFAULT_SEED,
    MAX_REPLICATIONS,
    memory_limit_mb,
)
from .i18n import LocalizedError, short_number, t
from .lean import ordered, tool_points
from .model import RunawayScenario, simulate
from .scenario import Problem, Scenario, ScenarioError, load_scenario, parse_scenario
from .study import Study

EXIT_BAD_INPUT = 2


class _Message(Protocol):
    def text(self, lang: str) -> str: ...


@dataclass(frozen=True)
class _Where:
    """A message said after where it happened ("FILE: --tools: ...")."""

    where: str
    message: _Message

    def text(self, lang: str) -> str:
        said = self.message.say(lang) if isinstance(self.message, Problem) else self.message.text(lang)
        return f"{self.where}: {said}"


class CliError(Exception):
    """Bad input found by the command itself; its lines go to stderr, each in the command's language
    (a line is plain text already said in it, or a message with `text(lang)`: `_said`, `_Where`)."""

    def __init__(self, *lines: str | _Message):
        self.lines = lines
        super().__init__("\n".join(line if isinstance(line, str) else line.text("en") for line in lines))

    def said(self, lang: str) -> list[str]:
        """The lines in `lang`."""
        return [line if isinstance(line, str) else line.text(lang) for line in self.lines]


def _said(key: str, **params: Any) -> LocalizedError:
    """A message of the CLI (`cli_error.<key>` in the locales)."""
    return LocalizedError(f"cli_error.{key}", **params)


_replications = whole(1, MAX_REPLICATIONS)
_seed = whole(0, 2**63 - 1, "2^63-1")
_days = whole(1, 365)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lean-sim",
        description="Lean Library Trainer: simulate a library's service processes and measure them.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check scenario files", description="Check scenario files; exit 0 if all are valid, 2 otherwise.")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--lang", choices=("ru", "en"), default="en", help="language of the messages (default en)")

    p = sub.add_parser("report", help="a training session's debrief report",
                       description="Write the debrief report of a training session: HTML (one file, offline) or XLSX.")
    p.add_argument("database", metavar="SESSION_DB", help="the training database: a SQLite file or a database URL")
    p.add_argument("--session", required=True, metavar="CODE", help="the session's join code")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.html or FILE.xlsx")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")

    p = sub.add_parser("tools", help="list a scenario's lean tools", description="List the lean tools a scenario offers.")
    p.add_argument("scenario", metavar="SCENARIO")
    p.add_argument("--lang", choices=("ru", "en"), default="ru")
    p.add_argument("--format", choices=("table", "json"), default="table")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML)")
        p.add_argument("--tools", default="", metavar="A,B", help="lean tools to apply (ids, comma-separated)")
        p.add_argument("--replications", "-r", type=_replications, default=DEFAULT_REPLICATIONS,
                       help=f"replications to run (default {DEFAULT_REPLICATIONS})")
        p.add_argument("--seed", type=_seed, default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
        p.add_argument("--days", type=_days, help="run this many days instead of the scenario's (daily scenarios; "
                       "events after the last day are left out)")
        p.add_argument("--with-events", default="", metavar="A,B",
                       help="disruption events to switch on (ids of the scenario's events:), on both sides of a comparison")
        p.add_argument("--format", choices=("table", "json", "csv"), default="table")
        p.add_argument("--out", metavar="FILE", help="write the output to FILE instead of the screen")
        p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the table (default ru)")
        p.add_argument("--workers", type=whole(1, 256), default=None, help="processes to use (default: all cores)")
        cli_balance.add_dask_option(p)

    p = sub.add_parser("run", help="run a scenario", description="Run a scenario's replications and report every figure with its 95%% CI.")
    common(p)
    p.add_argument("--events", metavar="FILE", help="also write replication 1's event log as CSV")

    p = sub.add_parser("compare", help="compare two scenarios (paired)",
                       description="Run a baseline and a variant with the same readers and report paired differences.")
    common(p)
    p.add_argument("--variant", metavar="OTHER", help="the variant scenario file (default: SCENARIO with --tools)")
    p.add_argument("--baseline-tools", default="", metavar="A,B", help="lean tools applied to the baseline")
    cli_balance.add_parser(sub)
    return parser


def _load(path: str, days: int | None = None) -> Scenario:
    scenario = load_scenario(path)
    if days is None:
        return scenario
    if scenario.calendar.mode != "daily":
        raise CliError(_said("days_continuous", path=path))
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["calendar"]["days"] = days
    return parse_scenario(drop_events_after(data, days), file=path, check_tools=False)


def _with_events(scenario: Scenario, text: str, path: str, lang: str) -> Scenario:
    """`scenario` with the events named in `--with-events` switched on (an unknown id is a CLI error,
    said in the run's language)."""
    ids = [e.strip() for e in text.split(",") if e.strip()]
    if not ids:
        return scenario
    try:
        return with_events(scenario, ids)
    except ScenarioError as error:
        whole = load_scenario(path)  # an event `--days` left out is not an unknown one: say so
        lines = []
        for problem in error.problems:  # one per id, in the order given (`with_events`)
            event = ids[int(problem.path[1])] if len(problem.path) > 1 and isinstance(problem.path[1], int) else ""
            said = t("events.cli_after", lang, event=event, days=scenario.calendar.days) if event in whole.events \
                else problem.say(lang)
            lines.append(f"{path}: --with-events: {said}")
        raise CliError(*lines) from None


def _tool_list(scenario: Scenario, text: str, path: str, option: str) -> list[str]:
    ids = [t.strip() for t in text.split(",") if t.strip()]
    try:
        return ordered(scenario, ids)
    except ScenarioError as error:
        raise CliError(*(_Where(f"{path}: {option}", p) for p in error.problems)) from None


def _stdout(text: str) -> None:
    """Write to standard output; a full disk or a closed pipe is bad output, not a traceback."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except OSError as error:
        _drop_stdout()
        raise CliError(_said("stdout", reason=error.strerror or str(error))) from None


def _drop_stdout() -> None:
    """Point standard output at the null device, so that Python's flush at exit does not fail again."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):
        pass  # stdout is not a real file (a test's capture): nothing will flush it at exit


def _write(text: str, out: str | None) -> None:
    if out is None:
        _stdout(text)
        return
    try:
        Path(out).write_text(text, encoding="utf-8")
    except OSError as error:
        raise CliError(_said("cannot_write", path=out, reason=error.strerror)) from None


def _progress(stream: Any) -> Any:
    if not getattr(stream, "isatty", lambda: False)():
        return None

    def show(done: int, total: int) -> None:
        stream.write(f"\r{done}/{total} replications")
        if done == total:
            stream.write("\n")
        stream.flush()

    return show


def _check_outputs(args: argparse.Namespace) -> None:
    """`--out` and `--events` can be written: said before the run, not after it."""
    for path in (getattr(args, "out", None), getattr(args, "events", None)):
        if path and (reason := unwritable(path)) is not None:
            raise CliError(_said("cannot_write", path=path, reason=reason))


def _cmd_validate(args: argparse.Namespace) -> int:
    problems: list[Problem] = []
    for name in args.files:
        try:
            load_scenario(name)
        except ScenarioError as error:
            problems += error.problems
        else:
            _stdout(f"{name}: ok\n")
    for problem in problems:
        print(problem.text(args.lang), file=sys.stderr)
    return EXIT_BAD_INPUT if problems else 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import session_html, session_xlsx
    from .store import Store, StoreError
    from .training import Training, TrainingError

    database = args.database
    if "://" not in database:
        path = Path(database)
        if not path.is_file():
            raise CliError(_said("no_database", path=database))
        database = f"sqlite:///{path.resolve()}"
    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm", ".xlsx"):
        raise CliError(_said("report_suffix", path=args.out))
    from sqlalchemy.exc import ArgumentError

    try:
        store = Store(database)
    except (ArgumentError, ValueError):
        raise CliError(_said("not_database", path=args.database)) from None
    except StoreError as error:
        raise CliError(_said("database_failed", path=args.database, error=str(error))) from None
    try:
        training = Training(store)
        training.session(args.session)
        if out.suffix.lower() == ".xlsx":
            data = session_xlsx(training, args.session, args.lang)
        else:
            data = session_html(training, args.session, args.lang).encode("utf-8")
    except (StoreError, TrainingError) as error:
        raise CliError(_Where(args.database, error) if isinstance(error, LocalizedError)
                       else f"{args.database}: {error}") from None
    try:
        out.write_bytes(data)
    except OSError as error:
        raise CliError(_said("cannot_write", path=args.out, reason=error.strerror)) from None
    _stdout(f"{args.out}: written\n")
    return 0


def _cmd_tools(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    if args.format == "json":
        data = [
            {"id": t, "name": tool.name.model_dump()[args.lang], "waste": tool.waste, "aim": tool.aim,
             "points": tool_points(scenario, [t]), "one_off_roubles": tool.cost.one_off_roubles,
             "one_off_staff_hours": tool.cost.one_off_staff_hours, "roubles_per_day": tool.cost.roubles_per_day,
             "expect": tool.expect.model_dump(exclude_none=True)}
            for t, tool in scenario.tools.items()
        ]
        _stdout(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return 0
    rows = [[t(f"table.{c}", args.lang) for c in ("id", "tool", "waste", "points", "roubles_per_day")]]
    for tid, tool in scenario.tools.items():
        aim = tool.waste or tool.aim
        rows.append([tid, tool.name.model_dump()[args.lang], t(f"waste.{aim}", args.lang) if aim else "",
                     str(tool_points(scenario, [tid])), short_number(tool.cost.roubles_per_day, args.lang)])
    if len(rows) == 1:
        _stdout(t("table.no_tools", args.lang) + "\n")
        return 0
    _stdout(table(rows))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    _check_outputs(args)
    as_is = _with_events(_load(args.scenario, args.days), args.with_events, args.scenario, args.lang)
    tools = _tool_list(as_is, args.tools, args.scenario, "--tools")
    study = Study(as_is, tools, seed=args.seed, replications=args.replications)
    done = study.run(executor=args.executor, workers=args.workers, progress=_progress(sys.stderr))
    results, score = done.variant, done.score
    if args.events:
        try:
            simulate(study.variant_scenario, args.seed, 0, memory_limit_mb=memory_limit_mb()).write_csv(args.events)
        except OSError as error:
            raise CliError(_said("cannot_write", path=args.events, reason=error.strerror)) from None
    if args.format == "json":
        data = results.to_json()
        data["tools"] = tools
        data["events"] = as_is.events_on
        data["tool_points"] = tool_points(as_is, tools)
        data["score"] = score_json(score)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = run_csv(results)
    else:
        text = run_table(results, args.lang, tools, score, as_is)
    _write(text, args.out)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    _check_outputs(args)
    as_is = _with_events(_load(args.scenario, args.days), args.with_events, args.scenario, args.lang)
    base_tools = _tool_list(as_is, args.baseline_tools, args.scenario, "--baseline-tools")
    other = None
    if args.variant:
        other = _with_events(_load(args.variant, args.days), args.with_events, args.variant, args.lang)
        var_tools = _tool_list(other, args.tools, args.variant, "--tools")
    elif args.tools:
        var_tools = _tool_list(as_is, args.tools, args.scenario, "--tools")
    else:
        raise CliError(_said("compare_needs"))
    study = Study(as_is, var_tools, base_tools, args.seed, args.replications, other=other)
    done = study.run(executor=args.executor, workers=args.workers, progress=_progress(sys.stderr))
    comparison, score = done.comparison, done.score
    if args.format == "json":
        data = comparison.to_json()
        data["baseline_tools"] = base_tools
        data["tools"] = var_tools
        data["events"] = as_is.events_on
        data["score"] = score_json(score)
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif args.format == "csv":
        text = compare_csv(comparison)
    else:
        text = compare_table(comparison, args.lang, score, as_is)
    _write(text, args.out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else list(argv)
    with argparse_language(wanted_lang(given)):  # its messages about the command line in the language asked for
        args = _parser().parse_args(given)
    lang = wanted_lang(given)  # as argparse's messages: English unless --lang names another
    try:
        commands = {"validate": _cmd_validate, "tools": _cmd_tools, "run": _cmd_run, "compare": _cmd_compare,
                    "report": _cmd_report, "balance": cli_balance.run}
        with cluster_executor(getattr(args, "dask", None)) as args.executor:
            return commands[args.command](args)
    except ExecutorError as error:
        print(error.text(lang), file=sys.stderr)
    except ScenarioError as error:
        for problem in error.problems:
            print(problem.text(lang), file=sys.stderr)
    except CliError as error:
        for line in error.said(lang):
            print(line, file=sys.stderr)
    except RunawayScenario as error:
        print(f"{getattr(args, 'scenario', '')}: {error.text(lang)}", file=sys.stderr)
    except KeyboardInterrupt:
        print(t("cli_error.interrupted", lang), file=sys.stderr)
        return 130
    return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
