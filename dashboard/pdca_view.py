"""Plan-Do-Check-Act on the Team page and in the trainer's console (`sim.pdca`).

The decision form: the tools in force (each may be dropped), the tools on offer within the round's
budget, the hypothesis (the figure the team expects to move, prefilled from the first chosen tool's
`expect`) and a small A3. After the reveal: the hypothesis beside the figure's paired difference.
For the trainer: each team's A3, dropped tools and hypothesis with its check.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim import pdca
from sim.economics import budget_text, price_text
from sim.experiment import Results
from sim.i18n import pick, t
from sim.lean import offered_tools, round_budget, tool_price
from sim.pdca import A3_FIELDS, Check, Hypothesis, check, hypothesis_of, known_kpis, prefilled
from sim.scenario import Scenario
from sim.store import StoreError
from sim.training import Decision, SessionInfo, Training, TrainingError

from . import integrity_view
from .widgets import fmt, kpi_name, plain, tool_picker

SUBMITTED = "team.submit_outcome"
OWN = "-"  # the "no group" choice of the hypothesis's group


def _key(part: str, code: str, number: int) -> str:
    return f"team.{part}.{code}.{number}"


def _prefill(key: str, value: Any) -> None:
    if key not in st.session_state:  # after a reload or a rejoin: what the team sent is back
        st.session_state[key] = value


def decision_form(service: Training, info: SessionInfo, code: str, name: str, number: int, lang: str) -> None:
    """Tools in force (drop any), new tools within the budget, the hypothesis, the A3, Submit."""
    scenario = info.scenario
    kept = service.kept_tools(code, name, number)
    mine = service.decision(code, name, number)
    offered = offered_tools(scenario, number, kept)
    # what the team sent, else what it had ticked and typed before a reload (its draft)
    draft = _draft(service, code, name, number) if mine is None else None
    sent_new = mine.new_tools if mine else (draft or {}).get("new", [])
    sent_dropped = mine.dropped if mine else (draft or {}).get("dropped", [])
    keep_draft: dict[str, Any] = {"on_change": _save_draft, "args": (service, code, name, number, offered, kept)}
    dropped: list[str] = []
    if kept:
        st.markdown(f"**{t('pdca.in_force', lang)}**")
        st.caption(t("pdca.drop_help", lang))
        for tid in kept:
            key = f"team.{code}.{number}.drop.{tid}"
            _prefill(key, tid in sent_dropped)
            if st.checkbox(t("pdca.drop", lang, tool=pick(scenario.tools[tid].name, lang)), key=key, **keep_draft):
                dropped.append(tid)
    over = False
    new: list[str] = []
    if offered:
        for tid in offered:
            _prefill(f"team.{code}.{number}.{tid}", tid in sent_new)
        new = tool_picker(scenario, lang, key_prefix=f"team.{code}.{number}", offered=offered, **keep_draft)
        over = tool_price(scenario, new) > round_budget(scenario, number)
        line = t("team.budget", lang, used=price_text(scenario, new, lang), budget=budget_text(scenario, number, lang))
        (st.error(t("team.over_budget", lang, line=line)) if over else st.info(line))
    elif not kept:
        st.caption(t("team.no_tools_round", lang))
    in_force = [x for x in kept if x not in dropped] + new
    if in_force or dropped:
        hypothesis_form(scenario, code, number, new or in_force, mine, lang)
    a3_form(code, number, mine, lang, draft, keep_draft)
    integrity_view.team_note(service, code, lang)
    st.button(t("team.submit", lang), type="primary", key=f"team.submit.{code}.{number}", disabled=over,
              on_click=_submit, args=(service, scenario, code, name, number, offered, kept))
    outcome = st.session_state.pop(SUBMITTED, None)
    if outcome is not None:
        ok, say = outcome
        (st.success if ok else st.error)(say(lang))
    elif mine is not None:
        st.success(t("team.already", lang, tools=", ".join(pick(scenario.tools[x].name, lang) for x in mine.tools)
                     or t("history.as_is", lang)))


def hypothesis_form(scenario: Scenario, code: str, number: int, tools: list[str], mine: Decision | None, lang: str) -> None:
    """The figure the team expects to move, which way, for whom; prefilled from the first tool's `expect`
    (a different first tool starts a fresh guess), or from what the team sent."""
    saved = hypothesis_of(mine.hypothesis, scenario) if mine is not None and mine.hypothesis else None
    guess = saved or prefilled(scenario, tools)
    figures = sorted(known_kpis(scenario))
    suffix = "saved" if saved else (guess.tool if guess else "none")
    st.markdown(f"**{t('pdca.hypothesis', lang)}**")
    st.caption(t("pdca.hypothesis_help", lang))
    c1, c2, c3 = st.columns([3, 2, 2])
    kpi = guess.kpi if guess else "wait_mean"
    c1.selectbox(t("pdca.figure", lang), figures, index=figures.index(kpi) if kpi in figures else 0,
                 key=_key(f"hyp_kpi.{suffix}", code, number), format_func=lambda k: kpi_name(k, lang))
    c2.radio(t("pdca.direction", lang), ["lower", "higher"], index=0 if not guess or guess.direction == "lower" else 1,
             key=_key(f"hyp_dir.{suffix}", code, number), format_func=lambda d: t(f"pdca.{d}", lang), horizontal=True)
    groups = [OWN, *scenario.groups]
    group = guess.group if guess and guess.group else OWN
    c3.selectbox(t("pdca.group", lang), groups, index=groups.index(group), key=_key(f"hyp_group.{suffix}", code, number),
                 format_func=lambda g: t("pdca.all_readers", lang) if g == OWN else pick(scenario.groups[g].name, lang))
    st.session_state[_key("hyp_suffix", code, number)] = (suffix, guess.tool if guess else None)


def a3_form(code: str, number: int, mine: Decision | None, lang: str, draft: dict[str, Any] | None = None,
            keep_draft: dict[str, Any] | None = None) -> None:
    """The small A3: problem, wastes seen, root cause, countermeasure, expected effect, result (what
    the team sent, else its draft)."""
    notes = mine.notes if mine is not None else (draft or {}).get("notes") or {}
    with st.expander(t("pdca.a3", lang), expanded=True):
        st.caption(t("pdca.a3_help", lang))
        for note in A3_FIELDS:
            _prefill(_key(note, code, number), str(notes.get(note, "")))
            st.text_area(t(f"pdca.a3_{note}", lang), max_chars=1000, key=_key(note, code, number), height=68,
                         **(keep_draft or {}))


def _draft(service: Training, code: str, name: str, number: int) -> dict[str, Any] | None:
    try:
        return service.draft(code, name, number)
    except (StoreError, TrainingError):  # no draft is no loss: the form starts empty, as before
        return None


def _save_draft(service: Training, code: str, name: str, number: int, offered: list[str], kept: list[str]) -> None:
    """On every tick and every note left: the form as it stands, kept for a reload before Submit."""
    state = st.session_state
    new = [x for x in offered if state.get(f"team.{code}.{number}.{x}")]
    dropped = [x for x in kept if state.get(f"team.{code}.{number}.drop.{x}")]
    notes = {note: str(state.get(_key(note, code, number)) or "") for note in A3_FIELDS}
    try:
        service.save_draft(code, name, number, new, dropped, notes)
    except (StoreError, TrainingError):  # a draft that cannot be kept must not stop the team typing
        pass


def _hypothesis_from_state(code: str, number: int) -> dict[str, Any] | None:
    state = st.session_state
    marker = state.get(_key("hyp_suffix", code, number))
    if not marker:
        return None
    suffix, tool = marker
    kpi = state.get(_key(f"hyp_kpi.{suffix}", code, number))
    if not kpi:
        return None
    group = state.get(_key(f"hyp_group.{suffix}", code, number))
    return {"kpi": kpi, "direction": state.get(_key(f"hyp_dir.{suffix}", code, number)) or "lower",
            "group": None if group in (None, OWN) else group, "tool": tool}


def _submit(service: Training, scenario: Scenario, code: str, name: str, number: int, offered: list[str],
            kept: list[str]) -> None:
    """Submit in the button's callback, from the widgets' values at the click (a page redrawn by polling
    at that moment cannot swallow it)."""
    state = st.session_state
    new = [x for x in offered if state.get(f"team.{code}.{number}.{x}")]
    dropped = [x for x in kept if state.get(f"team.{code}.{number}.drop.{x}")]
    notes = {note: str(state.get(_key(note, code, number)) or "") for note in A3_FIELDS}
    in_force = [x for x in kept if x not in dropped] + new
    hypothesis = _hypothesis_from_state(code, number) if in_force or dropped else None
    try:
        service.submit(code, name, number, new, notes, dropped=dropped, hypothesis=hypothesis)
        state[SUBMITTED] = (True, lambda lang: t("team.submitted", lang))
    except TrainingError as error:
        state[SUBMITTED] = (False, error.text)
    except StoreError as error:
        detail = str(error)
        state[SUBMITTED] = (False, lambda lang: t("trainer.store_error", lang, error=detail))


def hypothesis_text(scenario: Scenario, h: Hypothesis, lang: str) -> str:
    """"Mean waiting time (seniors): lower"."""
    figure = kpi_name(h.kpi, lang) + (f" ({pick(scenario.groups[h.group].name, lang)})" if h.group else "")
    return f"{figure}: {t(f'pdca.{h.direction}', lang)}"


def check_text(scenario: Scenario, c: Check, lang: str) -> str:
    """The hypothesis beside its result, in one sentence."""
    d = c.difference
    change = "—" if d is None or d.diff is None else fmt(c.hypothesis.kpi, d.diff, lang, signed=True)
    verdict = "pdca.unclear" if c.met is None else "pdca.met" if c.met else "pdca.not_met"
    return t("pdca.check_line", lang, hypothesis=hypothesis_text(scenario, c.hypothesis, lang), change=change,
             verdict=t(verdict, lang))


def show_check(scenario: Scenario, decision: Decision | None, baseline: Results, results: Results, lang: str) -> None:
    """After the reveal: the team's hypothesis beside the figure's paired change (against `baseline`)."""
    if decision is None or not decision.hypothesis:
        return
    try:
        h = hypothesis_of(decision.hypothesis, scenario)
    except ValueError:
        return
    if h is None:
        return
    c = check(h, baseline, results)
    (st.success if c.met else st.warning if c.met is False else st.info)(check_text(scenario, c, lang))


def a3_lines(decision: Decision, scenario: Scenario, lang: str) -> list[tuple[str, str]]:
    """The dropped tools and the A3's filled parts as (label, text) (the hypothesis is shown apart)."""
    return [(label, text) for label, text in pdca.summary(scenario, decision.notes, decision.dropped, None, lang)]


def _previous(service: Training, code: str, decision: Decision) -> Results | None:
    """The team's results of the round before (what its hypothesis is checked against), if it played it."""
    if decision.round <= 1:
        return None
    try:
        return service.team_results(code, decision.team, decision.round - 1, trainer=True)[1]
    except TrainingError:
        return None


def trainer_pdca(service: Training, code: str, decision: Decision, lang: str, aloud: bool) -> None:
    """One team's dropped tools, hypothesis with its check (once the round is closed) and A3 in the console."""
    scenario = service.session(code).scenario
    if decision.hypothesis:
        try:
            h = hypothesis_of(decision.hypothesis, scenario)
        except ValueError:
            h = None
        if h is not None:
            line = f"{t('pdca.hypothesis', lang)}: {hypothesis_text(scenario, h, lang)}"
            try:
                _, results = service.team_results(code, decision.team, decision.round, trainer=True)
                base = _previous(service, code, decision) or service.results_of(code, decision.round, []) or results
                line = check_text(scenario, check(h, base, results), lang)  # says «Hypothesis:» itself
            except TrainingError:
                pass  # not computed yet: the hypothesis alone
            st.markdown(plain(line))
    lines = a3_lines(decision, scenario, lang)
    for label, text in lines:
        st.markdown(f"##### {label}\n### {plain(text)}" if aloud else f"**{label}** {plain(text)}")
    if not lines:
        st.markdown(f"_{t('notes.empty', lang)}_")


def compared(service: Training, code: str, sides: list[tuple[str, int]], lang: str) -> None:
    """Under a comparison: each side's dropped tools and hypothesis with its check, one line each."""
    scenario = service.session(code).scenario
    for team, number in sides:
        d = service.decision(code, team, number)
        if d is None:
            continue
        parts = []
        if d.dropped:
            parts.append(f"{t('pdca.dropped', lang)}: " + ", ".join(pick(scenario.tools[x].name, lang) for x in d.dropped
                                                                      if x in scenario.tools))
        h = _hypothesis(d, scenario)
        if h is not None:
            try:
                _, results = service.team_results(code, team, number, trainer=True)
                base = _previous(service, code, d) or service.results_of(code, number, []) or results
                parts.append(check_text(scenario, check(h, base, results), lang))
            except TrainingError:
                parts.append(f"{t('pdca.hypothesis', lang)}: {hypothesis_text(scenario, h, lang)}")
        if parts:
            st.caption(f"{plain(team)} · {number}: " + "; ".join(plain(p) for p in parts))


def _hypothesis(decision: Decision, scenario: Scenario) -> Hypothesis | None:
    try:
        return hypothesis_of(decision.hypothesis, scenario) if decision.hypothesis else None
    except ValueError:  # a scenario edited since: the stored figure is unknown now
        return None
