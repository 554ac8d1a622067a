"""Places on a leaderboard that do not claim more than the data show.

A team's place is one more than the number of teams that are *clearly* ahead of it: whose score's
95% interval lies wholly above its own. Teams whose intervals overlap share a place (a tie), and a
team that sent no decision in a round is listed after those that did, with no place of its own
ahead of them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One team's score in a round (its mean and 95% interval) and whether it decided anything."""

    team: str
    score: float | None
    ci95: tuple[float, float] | None
    submitted: bool = True


@dataclass(frozen=True)
class Placed:
    entry: Entry
    place: int
    tied: bool  # another team has the same place


def _clearly_above(a: Entry, b: Entry) -> bool:
    if a.score is None or b.score is None:
        return a.score is not None and b.score is None
    if a.ci95 is None or b.ci95 is None:
        return a.score > b.score
    return a.ci95[0] > b.ci95[1]


def rank(entries: Sequence[Entry]) -> list[Placed]:
    """Entries ordered by score (teams that decided first among equals), each with its place."""
    ordered = sorted(entries, key=lambda e: (-(e.score if e.score is not None else float("-inf")), not e.submitted))
    places = [1 + sum(_clearly_above(other, e) for other in ordered if other is not e) for e in ordered]
    counts = {p: places.count(p) for p in places}
    # "=" where another team has the same place: a team whose interval overlaps only teams placed
    # elsewhere (a chain A > B, A ~ C ~ B) has no one to share "2=" with
    return [Placed(e, p, counts[p] > 1) for e, p in zip(ordered, places)]
