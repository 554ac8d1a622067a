"""Accessibility beyond "slower": assistance a group needs at a step (a librarian's time), and each
self-service or online option adopted by each group at its own share."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from builders import build, small_library

from sim.eventlog import Ev
from sim.model import simulate
from sim.scenario import ScenarioError, parse_scenario

SEED = 7
HELP_MIN = 5.0


def _helped(days: int = 2) -> dict:
    """The small library where the old need a librarian's help (5 minutes at the desk) before the shelf search."""
    data = small_library(days)
    data["steps"]["help"] = {"name": {"ru": "Помощь", "en": "Help"}, "station": "desk",
                             "time": {"dist": "fixed", "value": HELP_MIN}}
    data["groups"]["old"]["assistance"] = {"search": "help"}
    for role in data["roles"].values():
        role["switch_setup_min"] = 0  # no set-up on top: the busy time is the help alone
    return data


def test_an_assistance_step_takes_exactly_the_librarians_time_it_should() -> None:
    scenario = build(_helped())
    log = simulate(scenario, SEED, 0)
    helps = log.step_ids.index("help")
    search = log.step_ids.index("search")
    old = list(scenario.groups).index("old")
    done = (log.kind == Ev.SERVICE_END) & (log.step == helps)
    assert done.sum() > 10
    # only the group that needs it is helped, and every one of its searches was helped first
    assert set(log.group[done].tolist()) == {old}
    searched = (log.kind == Ev.SELF_END) & (log.step == search) & (log.group == old)
    assert set(log.entity[searched].tolist()) <= set(log.entity[done].tolist())
    for n in log.entity[searched].tolist():
        t_help = log.t[done & (log.entity == n)].min()
        t_search = log.t[searched & (log.entity == n)].min()
        assert t_help < t_search  # the help came first
    # the staff's busy time at the help step is exactly 5 minutes a help at the group's pace (a
    # slower reader is helped for longer), and nobody else's
    busy = (log.kind == Ev.BUSY) & (log.step == helps)
    pace = scenario.groups["old"].service_factor
    assert pace != 1.0 and np.allclose(log.value[done], HELP_MIN * pace)
    assert float(log.value[busy].sum()) == pytest.approx(HELP_MIN * pace * int(done.sum()))
    assert set(log.staff_role[log.staff[busy]].tolist()) <= {0, 2}  # librarians, or the cataloguer at the desk
    # the other group never needs it
    young = list(scenario.groups).index("young")
    assert not ((log.group == young) & (log.step == helps)).any()


def test_without_assistance_the_readers_draws_are_unchanged() -> None:
    """Readers of the group that needs no help see the same times with or without the other group's help."""
    a = simulate(build(small_library(2)), SEED, 0)
    b = simulate(build(_helped(2)), SEED, 0)
    arrive_a, arrive_b = a.kind == Ev.ARRIVE, b.kind == Ev.ARRIVE
    assert np.array_equal(a.t[arrive_a], b.t[arrive_b]) and np.array_equal(a.group[arrive_a], b.group[arrive_b])


def test_each_option_has_its_own_adoption_per_group() -> None:
    data = small_library(3)
    data["groups"]["young"]["adoption"] = {"kiosk_out": 0.0}  # the young use no kiosk, whatever their usual share
    base = simulate(build(small_library(3)), SEED, 0)
    log = simulate(build(data), SEED, 0)
    kiosk = log.step_ids.index("kiosk_out")
    young, old = 0, 1

    def users(lg, g):
        rows = (lg.kind == Ev.SERVICE_END) & (lg.step == kiosk) & (lg.group == g)
        return set(lg.entity[rows].tolist())

    assert users(base, young) and not users(log, young)
    # the old keep their share, and the very same readers use the kiosk (one self-service draw each)
    assert users(log, old) == users(base, old) and users(base, old)


@pytest.mark.parametrize(("change", "code"), [
    (lambda d: d["groups"]["old"].__setitem__("adoption", {"check_in": 0.5}), "problem.access.not_option"),
    (lambda d: d["groups"]["old"].__setitem__("adoption", {"kiosk_out": 1.5}), "problem.access.share"),
    (lambda d: d["groups"]["old"].__setitem__("assistance", {"search": "wait_stacks"}), "problem.access.not_staffed"),
    (lambda d: d["groups"]["old"].__setitem__("assistance", {"search": "kiosk_out"}), "problem.access.not_staffed"),
    (lambda d: d["groups"]["old"].__setitem__("assistance", {"search": "help", "help": "check_in"}),
     "problem.access.chain"),
    (lambda d: d["groups"]["old"].__setitem__("assistance", {"search": "helpp"}), None),
])
def test_bad_access_settings_are_refused_with_a_clear_problem(change, code) -> None:
    data = copy.deepcopy(_helped(1))
    change(data)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    problems = info.value.problems
    if code is not None:
        assert code in [p.code for p in problems], info.value
    assert all(p.field.startswith("groups.old.") for p in problems), info.value
    for p in problems:
        assert p.say("ru") and p.say("en") and "{" not in p.say("en") and "{" not in p.say("ru")
