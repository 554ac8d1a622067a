"""Reading a session archive (JSON, plain or gzip) within limits, and checking it against the rules of play.

An archive is refused, with a message naming what is wrong, when it is too large (compressed or
not), nests too deep, or holds anything live play could not have produced: more teams than a
session takes, a decision over budget or with tools not offered, rounds in states no sequence of
trainer actions reaches, results of the wrong shape or for rounds that do not exist.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import re
from typing import Any

from ..i18n import Counted
from ..lean import ordered
from ..scenario import Scenario
from ..text import clean_line
from . import states
from .observations import MAX_OBSERVATIONS, check_observation, is_gemba
from .queries import name_key
from .records import MAX_TEAM_NAME, TrainingError

MAX_ARCHIVE_MB = 64  # as uploaded: a 40-team, 5-round, 30-replication session is 15 MB gzipped (52 MB plain JSON)
MAX_UNPACKED_MB = 256  # what a gzip archive may expand to
MAX_DEPTH = 32  # a real archive nests 7 levels


def read_archive(raw: bytes) -> dict[str, Any]:
    """The archive document from an upload (gzip or plain JSON), or `TrainingError`."""
    if len(raw) > MAX_ARCHIVE_MB * 1024 * 1024:
        raise TrainingError("training.refused.archive_too_large", mb=MAX_ARCHIVE_MB)
    if raw[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(raw)) as unpacked:
                raw = unpacked.read(MAX_UNPACKED_MB * 1024 * 1024 + 1)
        except (OSError, EOFError) as error:
            raise TrainingError("training.refused.archive_unreadable", detail=str(error)[:200]) from None
        if len(raw) > MAX_UNPACKED_MB * 1024 * 1024:
            raise TrainingError("training.refused.archive_too_large", mb=MAX_UNPACKED_MB)
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        raise TrainingError("training.refused.archive_too_deep", n=MAX_DEPTH) from None
    except (UnicodeDecodeError, ValueError) as error:
        raise TrainingError("training.refused.archive_unreadable", detail=str(error)[:200]) from None
    check_depth(data)
    if not isinstance(data, dict):
        raise TrainingError("training.err.archive_format")
    return data


def pack_archive(data: dict[str, Any]) -> bytes:
    """An archive document as gzip-compressed JSON (about a third of the plain size... or less)."""
    return gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8"), compresslevel=6)


def check_depth(data: Any) -> None:
    """Refuse documents nested deeper than `MAX_DEPTH` (walked without recursion)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TrainingError("training.refused.archive_too_deep", n=MAX_DEPTH)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def round_states(data: Any, rounds: int) -> dict[int, tuple[str, bool]]:
    """The archive's round states, if a sequence of trainer actions can reach them."""
    if not isinstance(data, list) or len(data) != rounds:
        raise TrainingError("training.refused.archive_states", detail=f"{rounds} rounds expected")
    found: dict[int, tuple[str, bool]] = {}
    for state in data:
        number, status = int(state["number"]), str(state["status"])
        if not 1 <= number <= rounds or number in found:
            raise TrainingError("training.refused.archive_round", n=number, rounds=rounds)
        if status not in states.STATES:
            raise TrainingError("training.refused.archive_states", detail=f"round {number}: {status!r}")
        found[number] = (status, bool(state.get("revealed")) and status == "closed")
    # play goes round by round: closed ones, at most one running, then pending ones
    sequence = "".join({"closed": "c", "open": "r", "closing": "r", "pending": "p"}[found[n][0]] for n in sorted(found))
    if not re.fullmatch(r"c*r?p*", sequence):
        raise TrainingError("training.refused.archive_states", detail=", ".join(found[n][0] for n in sorted(found)))
    return found


def _number(x: Any, where: str, optional: bool = False) -> None:
    if x is None and optional:
        return
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        raise ValueError(f"{where}: not a number")


def check_payload(payload: Any, replications: int, seed: int) -> None:
    """A stored round result of the right shape, for this session's seed and replications."""
    if not isinstance(payload, dict) or set(payload) != {"scenario", "seed", "replications"}:
        raise ValueError("not a result")
    if payload["seed"] != seed or not isinstance(payload["scenario"], str):
        raise ValueError("another session's seed")
    reps = payload["replications"]
    if not isinstance(reps, list) or len(reps) != replications:
        raise ValueError(f"{replications} replications expected")
    for i, rep in enumerate(reps):
        if not isinstance(rep, dict) or set(rep) != {"kpis", "groups", "hours", "hourly", "wait_samples", "steps"}:
            raise ValueError(f"replication {i}: not a replication")
        for k, v in _dict(rep["kpis"], "kpis").items():
            _number(v, f"kpis.{k}", optional=True)
        for g, figures in _dict(rep["groups"], "groups").items():
            for k, v in _dict(figures, f"groups.{g}").items():
                _number(v, f"groups.{g}.{k}", optional=True)
        hours = rep["hours"]
        if not isinstance(hours, list) or not all(isinstance(h, int) and not isinstance(h, bool) for h in hours):
            raise ValueError("hours")
        for name, values in _dict(rep["hourly"], "hourly").items():
            if not isinstance(values, list) or len(values) != len(hours):
                raise ValueError(f"hourly.{name}")
            for v in values:
                _number(v, f"hourly.{name}", optional=True)
        for g, samples in _dict(rep["wait_samples"], "wait_samples").items():
            if not isinstance(samples, list):
                raise ValueError(f"wait_samples.{g}")
            for v in samples:
                _number(v, f"wait_samples.{g}")
        for s, v in _dict(rep["steps"], "steps").items():
            if not isinstance(v, list) or len(v) != 3:
                raise ValueError(f"steps.{s}")
            for x in v:
                _number(x, f"steps.{s}")


def _dict(x: Any, where: str) -> dict[str, Any]:
    if not isinstance(x, dict):
        raise ValueError(f"{where}: not a mapping")
    return x


def tools_of_key(scenario: Scenario, key: str) -> list[str]:
    """The tools a stored results key names (in catalogue order, known to the scenario)."""
    tools = [x for x in key.split(",") if x] if key else []
    if ordered(scenario, tools) != tools:
        raise ValueError(f"tools {key!r} not in catalogue order")
    return tools


def observation_rows(scenario: Scenario, rows: Any, teams: set[str],
                     played: dict[int, tuple[str, bool]]) -> list[dict[str, Any]]:
    """The archive's waste-walk observations, each as live play records it, cleaned; [] for an archive
    without any (older ones). `teams` holds the imported teams' name keys.

    Each must name a known team, a gemba round that was played, a known waste and place, and a note
    within its length; a team may have at most `MAX_OBSERVATIONS` in a round.
    """
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise TrainingError("gemba_round.refused.archive", detail="observations: not a list")
    out: list[dict[str, Any]] = []
    counts: dict[tuple[str, int], int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise TrainingError("gemba_round.refused.archive", detail=f"observation {i + 1}: not a mapping")
        # matched whole, as a team name is (a cut name would miss a team whose stored name is as long)
        team, number = str(row.get("team", "")), row.get("round")
        if name_key(team) not in teams:
            raise TrainingError("training.err.no_team", name=clean_line(team, MAX_TEAM_NAME))
        if isinstance(number, bool) or not isinstance(number, int) or number not in played \
                or played[number][0] == "pending" or not is_gemba(scenario, number):
            raise TrainingError("gemba_round.refused.archive", detail=f"observation {i + 1}: round {str(number)[:10]}")
        try:
            waste, where, note = check_observation(scenario, str(row.get("waste")), str(row.get("where")),
                                                   row.get("note"))
        except TrainingError as error:
            # the cause stays an error, so that it is said in the language of the page showing the refusal
            raise TrainingError("gemba_round.refused.observation", n=i + 1, reason=error) from None
        counts[(name_key(team), number)] = counts.get((name_key(team), number), 0) + 1
        if counts[(name_key(team), number)] > MAX_OBSERVATIONS:
            too_many = TrainingError("gemba_round.refused.too_many", team=clean_line(team, MAX_TEAM_NAME), round=number,
                                     limit=Counted("gemba_round.at_most", MAX_OBSERVATIONS))
            raise TrainingError("gemba_round.refused.archive", detail=too_many)
        at = row.get("recorded_at")
        # an integer too large for a float (10**400) counts as no time, like a non-finite one
        when = float(at) if isinstance(at, int | float) and not isinstance(at, bool) and abs(at) < 1e18 \
            and math.isfinite(at) else 0.0
        out.append({"team": team, "round": number, "waste": waste, "where": where, "note": note, "recorded_at": when})
    return out
