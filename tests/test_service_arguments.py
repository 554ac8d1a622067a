"""The service's boundary: an argument of the wrong type (a round number "1", a tool list given as one
string) is refused with a message naming the method, the argument and the type it needs, before anything
is read or stored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from builders import one_day_hall

from sim.store import Store
from sim.training import Training, TrainingError


@pytest.fixture
def service(tmp_path: Path) -> Training:
    return Training(Store(f"sqlite:///{tmp_path / 'training.db'}"))


CASES: list[tuple[str, Callable[[Training, str], Any], str, str]] = [
    ("open_round", lambda s, code: s.open_round(code, "1"), "number", "int"),
    ("open_round", lambda s, code: s.open_round(code, True), "number", "int"),
    ("open_round", lambda s, code: s.open_round(code, 1, minutes="5"), "minutes", "float | None"),
    ("round", lambda s, code: s.round(code, 1.0), "number", "int"),
    ("join", lambda s, code: s.join(code, 42), "name", "str"),
    ("session", lambda s, code: s.session(None), "code", "str"),
    ("submit", lambda s, code: s.submit(code, "Owls", 1, "five_s_desk"), "new_tools", "list[str]"),
    ("submit", lambda s, code: s.submit(code, "Owls", 1, [1]), "new_tools", "list[str]"),
    ("submit", lambda s, code: s.submit(code, "Owls", 1, [], notes=["a"]), "notes", "dict[str, str] | None"),
    ("record_observation", lambda s, code: s.record_observation(code, "Owls", "1", "waiting", "desk"), "number",
     "int"),
    ("walk_scores", lambda s, code: s.walk_scores(code, 1, top_n="5"), "top_n", "int"),
    ("import_session", lambda s, code: s.import_session("{}"), "data", "dict[str, Any]"),
]


@pytest.mark.parametrize(("method", "call", "name", "expected"), CASES,
                         ids=[f"{c[0]}-{c[2]}-{i}" for i, c in enumerate(CASES)])
def test_a_wrong_argument_type_is_refused_naming_it(service: Training, method: str, call: Callable[[Training, str], Any],
                                                    name: str, expected: str) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    stamp = service.change_stamp(code)
    with pytest.raises(TrainingError) as refused:
        call(service, code)
    assert refused.value.key == "training.err.argument"
    assert refused.value.params["method"] == method and refused.value.params["name"] == name
    assert f"{method}: " in refused.value.text("ru") and f" {name} " in refused.value.text("ru")
    assert f"type {expected}, not" in refused.value.text("en")
    assert service.change_stamp(code) == stamp  # nothing was done
    assert service.round(code, 1).status == "pending"


def test_right_types_pass(service: Training) -> None:
    code = service.create_session(one_day_hall(), seed=3, replications=2, rounds_count=2)
    service.join(code, "Owls")
    service.open_round(code, 1, minutes=5)  # an int where a float is asked for is fine
    service.submit(code, "Owls", 1, (), {"problem": "queues"})  # a tuple for a list is fine
    decision = service.decision(code, "Owls", 1)
    assert decision is not None and decision.tools == [] and decision.notes == {"problem": "queues"}


def test_a_numpy_integer_is_refused_as_the_store_cannot_keep_it(service: Training) -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(TrainingError) as refused:  # it was a TypeError from the JSON encoder
        service.create_session(one_day_hall(), seed=np.int64(3), replications=2)
    assert refused.value.params["name"] == "seed"
