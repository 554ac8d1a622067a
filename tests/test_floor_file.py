"""The scenario file's `floor:` section: validated with coded problems in both languages, used by the floor
plan instead of the automatic layout, editable in the Editor's table (with the gemba rounds)."""

from __future__ import annotations

from typing import Any

import pytest
from builders import SCENARIOS

from sim.editing import dump, load
from sim.floor import EXTRA_SPOTS, floor_plan
from sim.scenario import ScenarioError, load_scenario, scenario_from_text

HALL = (SCENARIOS / "central-lending-hall.yaml").read_text(encoding="utf-8")


def with_floor(block: str) -> str:
    head = HALL[: HALL.index("\nfloor:")]
    return head + "\n" + block


def problems_of(text: str) -> list[Any]:
    with pytest.raises(ScenarioError) as info:
        scenario_from_text(text, "hall.yaml")
    return info.value.problems


def test_the_default_scenario_places_its_spots_from_the_file() -> None:
    scenario = load_scenario(SCENARIOS / "central-lending-hall.yaml")
    assert scenario.floor is not None and scenario.floor.distances == "steps"
    plan = floor_plan(scenario)
    for name, spot in scenario.floor.spots.items():
        assert plan.spots[name] == (spot.x, spot.y)
    assert set(plan.given) == set(scenario.floor.spots)
    assert plan.spots["entrance"] == (20.0, 0.0)
    # spots the file leaves out are still laid out, and explicit positions passed in win over the file
    assert "cart" in plan.spots and "cart" not in plan.given
    moved = floor_plan(scenario, {"desk": (30, 12)})
    assert moved.spots["desk"] == (30.0, 12.0) and moved.spots["stacks"] == (49.0, 17.0)
    # without the section, the automatic layout (the entrance in the middle of the hall's width)
    bare = scenario.model_copy(update={"floor": None})
    auto = floor_plan(bare)
    assert auto.given == () and auto.spots["entrance"] == (auto.width_m / 2.0, 0.0)


def test_an_unknown_spot_is_a_problem_with_a_hint_in_both_languages() -> None:
    found = problems_of(with_floor("floor:\n  spots:\n    dsk: {x: 1, y: 1}\n"))
    assert [(p.code, p.field) for p in found] == [("problem.check.unknown", "floor.spots.dsk")]
    assert "'desk'" in found[0].say("en") and "spot of the floor plan" in found[0].say("en")
    assert "точки плана зала «dsk»" in found[0].say("ru") and "desk" in found[0].say("ru")


def test_two_stations_on_one_spot_are_a_problem() -> None:
    found = problems_of(with_floor("floor:\n  spots:\n    desk: {x: 10, y: 10}\n    reference_desk: {x: 10.5, y: 10}\n"))
    assert [(p.code, p.field) for p in found] == [("problem.check.floor_overlap", "floor.spots.reference_desk")]
    assert "less than 1 m from 'desk'" in found[0].say("en")
    assert "меньше чем в 1 м от «desk»" in found[0].say("ru")


@pytest.mark.parametrize(("block", "field", "other"), [
    ("floor:\n  spots:\n    entrance: {x: 20, y: 0}\n    cart: {x: 20.5, y: 0.5}\n", "floor.spots.cart", "entrance"),
    ("floor:\n  spots:\n    desk: {x: 12, y: 11}\n    cart: {x: 12, y: 11}\n", "floor.spots.cart", "desk"),
    ("floor:\n  spots:\n    hall: {x: 3, y: 3}\n    shelves: {x: 3, y: 3.2}\n", "floor.spots.shelves", "hall"),
])
def test_an_extra_spot_on_top_of_another_spot_is_a_problem(block: str, field: str, other: str) -> None:
    """The entrance, the hall, the cart and the other extra spots are kept apart too, not only stations."""
    found = problems_of(with_floor(block))
    assert [(p.code, p.field) for p in found] == [("problem.check.floor_spot_overlap", field)]
    assert f"less than 1 m from '{other}'" in found[0].say("en") and "spots on the floor plan" in found[0].say("en")
    assert f"меньше чем в 1 м от «{other}»" in found[0].say("ru") and "двух точек" in found[0].say("ru")


def test_extra_spots_apart_are_no_problem() -> None:
    scenario = scenario_from_text(with_floor("floor:\n  spots:\n    entrance: {x: 20, y: 0}\n    hall: {x: 20, y: 1}\n"),
                                  "hall.yaml")
    assert scenario.floor is not None and set(scenario.floor.spots) == {"entrance", "hall"}


@pytest.mark.parametrize(("block", "field"), [
    ("floor:\n  spots:\n    desk: {x: -1, y: 1}\n", "floor.spots.desk.x"),
    ("floor:\n  spots:\n    desk: {x: 1, y: 501}\n", "floor.spots.desk.y"),
    ("floor:\n  spots:\n    desk: {x: 1}\n", "floor.spots.desk.y"),
    ("floor:\n  spots:\n    desk: {x: 1, y: 1, z: 2}\n", "floor.spots.desk.z"),
    ("floor:\n  distances: plan\n", "floor.distances"),
])
def test_bad_positions_and_rules_name_the_field(block: str, field: str) -> None:
    found = problems_of(with_floor(block))
    assert [p.field for p in found] == [field]
    assert found[0].say("ru") and found[0].say("en")


def test_the_editor_table_writes_spots_and_gemba_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    import streamlit as st

    from dashboard import floor_editor

    doc = load(with_floor(""))  # no floor section at all
    stations = list(doc["stations"])
    names = [*stations, *EXTRA_SPOTS]
    edits: dict[str, Any] = {}

    def data_editor(rows: list[dict[str, Any]], key: str, **_: Any) -> list[dict[str, Any]]:
        return edits.get(key.rsplit(".", 1)[-1], rows)

    monkeypatch.setattr(st, "data_editor", data_editor)
    floor_editor.floor_and_walks(doc, "en", "k")
    assert "floor" not in doc  # nothing typed: nothing written
    rows = [{"Spot": n, "x, m": None, "y, m": None} for n in names]
    rows[names.index("entrance")] = {"Spot": "Entrance", "x, m": 15.0, "y, m": 0.0}
    rows[0] = {"Spot": stations[0], "x, m": 8.5, "y, m": 11.0}
    edits["floor"] = rows
    gemba = [{"Round": i + 1, "Title": "", "Waste walk (gemba round)": i in (0, 1)} for i in range(len(doc["rounds"]))]
    edits["gemba"] = gemba
    floor_editor.floor_and_walks(doc, "en", "k")
    scenario = scenario_from_text(dump(doc), "edited.yaml")
    assert scenario.floor is not None
    assert {n: (s.x, s.y) for n, s in scenario.floor.spots.items()} == {"entrance": (15.0, 0.0), stations[0]: (8.5, 11.0)}
    assert [r.gemba for r in scenario.rounds][:3] == [True, True, False]
    # emptied cells send a spot back to the automatic layout; an unticked round is no walk any more
    rows[0] = {"Spot": stations[0], "x, m": None, "y, m": None}
    gemba[1]["Waste walk (gemba round)"] = False
    floor_editor.floor_and_walks(doc, "en", "k")
    scenario = scenario_from_text(dump(doc), "edited.yaml")
    assert list(scenario.floor.spots) == ["entrance"]  # type: ignore[union-attr]
    assert [r.gemba for r in scenario.rounds][:2] == [True, False]


@pytest.mark.parametrize("spot", ["{x: .nan, y: 11}", "[1, 2]"])
def test_the_editor_table_leaves_a_spot_it_cannot_show_to_the_validator(monkeypatch: pytest.MonkeyPatch, spot: str) -> None:
    import streamlit as st

    from dashboard import floor_editor

    stations = list(load(with_floor(""))["stations"])
    text = with_floor(f"floor:\n  distances: steps\n  spots:\n    {stations[0]}: {spot}\n")
    doc = load(text)

    def data_editor(rows: list[dict[str, Any]], key: str, **_: Any) -> list[dict[str, Any]]:
        # the table shows what it can (an empty cell for a NaN or a list) and the trainer types nothing
        def shown(v: Any) -> Any:
            return v if isinstance(v, str) or (isinstance(v, int | float) and v == v) else None

        return [{k: shown(v) for k, v in row.items()} for row in rows]

    monkeypatch.setattr(st, "data_editor", data_editor)
    floor_editor.floor_and_walks(doc, "en", "k")
    assert dump(doc) == dump(load(text))  # the spot was deleted and the file called valid
    assert problems_of(dump(doc))


def test_too_many_spots_says_how_many() -> None:
    spots = "\n".join(f"    s{i}: {{x: 1, y: 1}}" for i in range(600))
    found = problems_of(with_floor("floor:\n  distances: steps\n  spots:\n" + spots + "\n"))
    assert any("has 600" in p.text("en") for p in found), [p.text("en") for p in found]  # was "has None"
