"""Plan-Do-Check-Act in a round: the team's hypothesis, its small A3, dropped tools, and the check.

Plan: before submitting, a team names the figure it expects its tools to move and which way (the
hypothesis; a tool's `expect` is the natural first guess) and fills a small A3: the problem, the
wastes it saw, the root cause, the countermeasure, the expected effect and (after a reveal) the
result. Do: the round runs. Check: after the reveal the hypothesis stands beside the paired
difference of that figure. Act: in a later round the team may keep, add or drop tools.

All of it is stored in a decision's JSON columns, without a schema change: the A3's texts are the
notes' keys, and the notes' `pdca` entry holds the tools dropped in that round and the hypothesis.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from .experiment import Difference, Results, compare
from .i18n import num, t
from .kpis import KPIS, display_unit, kpi, kpi_name
from .scenario import Scenario
from .text import clean_block, clean_line

A3_FIELDS = ("problem", "wastes", "root_cause", "countermeasure", "expected", "result")
PDCA_KEY = "pdca"  # the notes' entry that holds `dropped` and `hypothesis`
MAX_HYPOTHESIS_TEXT = 500


@dataclass(frozen=True)
class Hypothesis:
    """The figure a team expects to move (for one reader group, if `group`), which way, and why."""

    kpi: str
    direction: Literal["lower", "higher"]
    group: str | None = None
    tool: str | None = None  # the tool whose `expect` it started from, if any
    text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"kpi": self.kpi, "direction": self.direction, "group": self.group, "tool": self.tool, "text": self.text}


def known_kpis(scenario: Scenario) -> set[str]:
    """The figures a hypothesis may name (those a tool's `expect` may name)."""
    return set(KPIS) | {f"utilisation.{r}" for r in scenario.roles} | {f"walk_m_per_day.{r}" for r in scenario.roles}


def hypothesis_of(data: object, scenario: Scenario) -> Hypothesis | None:
    """A hypothesis from plain data (a form, a stored decision, an archive), or None if there is none.

    Raises ValueError naming the part that is wrong: an unknown figure, direction, group or tool.
    """
    if data is None or data == {}:
        return None
    if not isinstance(data, dict):
        raise ValueError("the hypothesis is not a mapping")
    kpi = str(data.get("kpi") or "")
    if kpi not in known_kpis(scenario):
        raise ValueError(f"the hypothesis names an unknown figure '{clean_line(kpi, 60)}'")
    direction = data.get("direction")
    if direction not in ("lower", "higher"):
        raise ValueError("the hypothesis's direction is neither 'lower' nor 'higher'")
    group = data.get("group") or None
    if group is not None and group not in scenario.groups:
        raise ValueError(f"the hypothesis names an unknown reader group '{clean_line(str(group), 60)}'")
    tool = data.get("tool") or None
    if tool is not None and tool not in scenario.tools:
        raise ValueError(f"the hypothesis names an unknown tool '{clean_line(str(tool), 60)}'")
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        raise ValueError("the hypothesis's text is not text")
    return Hypothesis(kpi, direction, group, tool, clean_block(text, MAX_HYPOTHESIS_TEXT))


def prefilled(scenario: Scenario, tool_ids: list[str]) -> Hypothesis | None:
    """The first guess: the `expect` of the first of `tool_ids` (in catalogue order)."""
    for tid in scenario.tools:
        if tid in tool_ids:
            e = scenario.tools[tid].expect
            return Hypothesis(e.kpi, e.direction, e.group, tid)
    return None


def notes_json(notes: dict[str, str], dropped: list[str], hypothesis: Hypothesis | None) -> str:
    """The notes column of a decision: the A3's texts, and the `pdca` entry when there is something in it."""
    data: dict[str, Any] = {k: v for k, v in notes.items() if k != PDCA_KEY}
    if dropped or hypothesis is not None:
        data[PDCA_KEY] = {"dropped": list(dropped), "hypothesis": hypothesis.to_json() if hypothesis else None}
    return json.dumps(data, ensure_ascii=False)


def split_notes(text: str) -> tuple[dict[str, str], list[str], dict[str, Any] | None]:
    """A stored notes column as (A3 texts, tools dropped, hypothesis as plain data)."""
    data = json.loads(text or "{}")
    if not isinstance(data, dict):
        return {}, [], None
    pdca = data.pop(PDCA_KEY, None)
    notes = {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
    if not isinstance(pdca, dict):
        return notes, [], None
    dropped = [str(x) for x in pdca.get("dropped") or [] if isinstance(x, str)]
    hypothesis = pdca.get("hypothesis") if isinstance(pdca.get("hypothesis"), dict) else None
    return notes, dropped, hypothesis


@dataclass(frozen=True)
class Check:
    """The hypothesis beside the result: the figure's paired difference and whether it moved as expected.

    `met` is True when the figure really moved the expected way, False when it really moved the other
    way, None when the change could be chance (or the figure is undefined)."""

    hypothesis: Hypothesis
    difference: Difference | None
    met: bool | None


def check(hypothesis: Hypothesis, baseline: Results, variant: Results) -> Check:
    """Compare the hypothesis with a round's result against `baseline` (paired, same readers)."""
    comparison = compare(baseline, variant)
    if hypothesis.group is not None:
        d = comparison.groups.get(hypothesis.group, {}).get(hypothesis.kpi)
    else:
        d = comparison.kpis.get(hypothesis.kpi)
    if d is None or d.diff is None or d.ci95 is None:
        return Check(hypothesis, d, None)
    low, high = d.ci95
    if low <= 0 <= high:
        return Check(hypothesis, d, None)
    moved_lower = high < 0
    return Check(hypothesis, d, moved_lower == (hypothesis.direction == "lower"))


def figure_name(scenario: Scenario, h: Hypothesis, lang: str) -> str:
    """The hypothesis's figure by name, with its reader group if it has one."""
    from .i18n import pick

    name = kpi_name(h.kpi, lang, scenario)
    return name + (f" ({pick(scenario.groups[h.group].name, lang)})" if h.group in scenario.groups else "")


def signed_change(kpi_id: str, value: float, lang: str) -> str:
    """A paired change with its unit, as the cards say it: a share's in percentage points."""
    if kpi(kpi_id).unit == "share":
        return f"{num(100.0 * value, lang, 2 if 0 < abs(value) < 0.01 else 1, signed=True)} {t('unit.pp', lang)}"
    unit = display_unit(kpi_id, lang)
    return f"{num(value, lang, 2, signed=True)} {unit}".rstrip()


def summary(scenario: Scenario, notes: dict[str, str], dropped: list[str], hypothesis: dict[str, Any] | None,
            lang: str, checked: Check | None = None) -> list[tuple[str, str]]:
    """A decision's PDCA in words, as (label, text): dropped tools, the hypothesis (with its check when
    given), the A3's filled parts and notes written before the A3 (for the report and the console)."""
    from .i18n import pick, t

    out: list[tuple[str, str]] = []
    if dropped:
        out.append((t("pdca.dropped", lang), ", ".join(pick(scenario.tools[x].name, lang) for x in dropped if x in scenario.tools)))
    try:
        h = hypothesis_of(hypothesis, scenario)
    except ValueError:  # the scenario no longer has the figure: leave it out
        h = None
    if h is not None:
        line = f"{figure_name(scenario, h, lang)}: {t(f'pdca.{h.direction}', lang)}"
        if checked is not None:
            d = checked.difference
            change = "—" if d is None or d.diff is None else signed_change(h.kpi, d.diff, lang)
            verdict = "pdca.unclear" if checked.met is None else "pdca.met" if checked.met else "pdca.not_met"
            line = t("pdca.check_after", lang, hypothesis=line, change=change, verdict=t(verdict, lang))
        out.append((t("pdca.hypothesis", lang), line))
    for note in A3_FIELDS:
        if (notes.get(note) or "").strip():
            out.append((t(f"pdca.a3_{note}", lang), notes[note].strip()))
    for note in notes:
        if note not in A3_FIELDS and (notes.get(note) or "").strip():
            label = t("team.why", lang) if note == "why" else note
            out.append((label, notes[note].strip()))
    return out
