"""`lean-sim balance SCENARIO`: the balance analysis of a scenario's game (see `sim.balance`).

Registered by `sim.cli`; bad input ends with one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

from .balance import DEFAULT_BEAM, DEFAULT_MAX_SETS, DEFAULT_REPLICATIONS, DEFAULT_TOP, BalanceError, analyse
from .cli_args import unwritable, whole
from .events import drop_events_after
from .executors import executor_for
from .experiment import DEFAULT_SEED, MAX_REPLICATIONS
from .i18n import LocalizedError
from .model import RunawayScenario
from .scenario import Scenario, ScenarioError, load_scenario, parse_scenario

EXIT_BAD_INPUT = 2


def add_dask_option(parser: argparse.ArgumentParser) -> None:
    """`--dask tcp://HOST:8786`: send the replications to a Dask cluster (for run, compare and balance)."""
    parser.add_argument("--dask", metavar="tcp://HOST:8786", default=None,
                        help="run the replications on the Dask cluster whose scheduler listens here")


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the `balance` subcommand to `lean-sim`'s subparsers."""
    p: argparse.ArgumentParser = subparsers.add_parser(
        "balance", help="balance analysis of a scenario's game",
        description="For each round of the scenario's round plan, run every affordable set of the tools on offer "
                    "(paired, common random numbers) and report the best sets, ties, unspent budget, single-idea "
                    "strategies and warnings.")
    p.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML) with a round plan")
    p.add_argument("--replications", "-r", type=whole(2, MAX_REPLICATIONS), default=DEFAULT_REPLICATIONS,
                   help=f"replications of every set (default {DEFAULT_REPLICATIONS})")
    p.add_argument("--seed", type=whole(0, 2**63 - 1), default=DEFAULT_SEED, help=f"root seed (default {DEFAULT_SEED})")
    p.add_argument("--days", type=whole(1, 365), help="run this many days instead of the scenario's (daily scenarios)")
    p.add_argument("--max-sets", type=whole(1, 100_000), default=DEFAULT_MAX_SETS,
                   help=f"run every set when a round has at most this many, else a beam search (default {DEFAULT_MAX_SETS})")
    p.add_argument("--beam", type=whole(1, 100), default=DEFAULT_BEAM,
                   help=f"sets kept at each step of the beam search (default {DEFAULT_BEAM})")
    p.add_argument("--top", type=whole(1, 1000), default=DEFAULT_TOP, help=f"best sets shown per round (default {DEFAULT_TOP})")
    p.add_argument("--format", choices=("table", "json"), default="table")
    p.add_argument("--out", metavar="FILE", help="write the output to FILE instead of the screen")
    p.add_argument("--lang", choices=("ru", "en"), default="ru", help="language of the table (default ru)")
    p.add_argument("--workers", type=whole(1, 256), default=None, help="local processes to use (default: all cores)")
    add_dask_option(p)
    return p


def _load(path: str, days: int | None) -> Scenario:
    scenario = load_scenario(path)
    if days is None:
        return scenario
    if scenario.calendar.mode != "daily":
        raise LocalizedError("cli_error.days_continuous", path=path)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["calendar"]["days"] = days
    # as `lean-sim run --days`: the events past the last day are left out, and so is their round's use of them
    return parse_scenario(drop_events_after(data, days), file=path, check_tools=False)


def _progress(done: int, total: int) -> None:
    sys.stderr.write(f"\r{done}/{total} replications")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    """Run `lean-sim balance`; an executor set by the caller (`args.executor`, a Dask cluster) is used
    as it is, otherwise the one `--dask` / `--workers` name."""
    try:
        if args.out and (reason := unwritable(args.out)) is not None:
            raise LocalizedError("cli_error.cannot_write", path=args.out, reason=reason)
        scenario = _load(args.scenario, args.days)
        if not scenario.rounds:
            raise LocalizedError("cli_error.no_rounds", path=args.scenario)
        given: Executor | None = getattr(args, "executor", None)
        progress = _progress if sys.stderr.isatty() else None
        options = {"max_sets": args.max_sets, "beam": args.beam, "top": args.top, "progress": progress}
        if given is not None:
            balance = analyse(scenario, args.replications, args.seed, executor=given, **options)
        else:
            with executor_for(args.dask, args.workers) as executor:
                balance = analyse(scenario, args.replications, args.seed, executor=executor,
                                  workers=1 if executor is None else None, **options)
        if args.format == "json":
            text = json.dumps(balance.to_json(), ensure_ascii=False, indent=2) + "\n"
        else:
            text = balance.table(args.lang, scenario)
        if args.out:
            try:
                Path(args.out).write_text(text, encoding="utf-8")
            except OSError as error:
                raise LocalizedError("cli_error.cannot_write", path=args.out, reason=error.strerror) from None
        else:
            sys.stdout.write(text)
        return 0
    except ScenarioError as error:
        for problem in error.problems:
            print(problem.text(args.lang), file=sys.stderr)
    except LocalizedError as error:  # an ExecutorError too
        print(error.text(args.lang), file=sys.stderr)
    except BalanceError as error:
        print(error, file=sys.stderr)
    except RunawayScenario as error:
        print(f"{args.scenario}: {error.text(args.lang)}", file=sys.stderr)
    return EXIT_BAD_INPUT
