"""Leaderboard places: overlapping intervals are ties; a team that sent nothing is not first."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sim.ranking import Entry, rank


def test_overlapping_intervals_share_a_place() -> None:
    placed = rank([Entry("A", 110.0, (108.0, 112.0)), Entry("B", 109.0, (107.0, 111.0)), Entry("C", 100.0, (99.0, 101.0))])
    assert [(p.entry.team, p.place, p.tied) for p in placed] == [("A", 1, True), ("B", 1, True), ("C", 3, False)]


def test_round_1_every_team_ties_and_those_who_decided_come_first() -> None:
    entries = [Entry("Late", 100.0, (100.0, 100.0), submitted=False), Entry("Owls", 100.0, (100.0, 100.0))]
    placed = rank(entries)
    assert [p.entry.team for p in placed] == ["Owls", "Late"]
    assert {p.place for p in placed} == {1} and all(p.tied for p in placed)


@given(st.lists(st.tuples(st.floats(0, 200), st.floats(0, 10)), min_size=1, max_size=12))
def test_a_team_is_never_placed_behind_one_it_is_clearly_ahead_of(scores: list[tuple[float, float]]) -> None:
    entries = [Entry(f"T{i}", m, (m - h, m + h)) for i, (m, h) in enumerate(scores)]
    placed = rank(entries)
    for a in placed:
        for b in placed:
            assert a.entry.ci95 is not None and b.entry.ci95 is not None
            if a.entry.ci95[0] > b.entry.ci95[1]:
                assert a.place < b.place
    assert min(p.place for p in placed) == 1


def test_a_team_alone_at_its_place_is_not_marked_as_tied() -> None:
    """The projector showed a lone «2=. Late»: its interval overlapped a team at place 1 only."""
    placed = rank([Entry("A", 130.0, (128.0, 132.0)), Entry("C", 125.0, (120.0, 129.0)),
                   Entry("Late", 121.0, (119.0, 123.0))])
    assert [(p.entry.team, p.place, p.tied) for p in placed] == [("A", 1, True), ("C", 1, True), ("Late", 2, False)]
