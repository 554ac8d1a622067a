"""Pieces of the trainer console: live status, round controls, the leaderboard, team comparisons."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from sim.i18n import num, pick, t, verdict_word
from sim.ranking import Entry, rank
from sim.study import Study
from sim.training import Training, TrainingError

from . import charts, pdca_view
from .events_view import round_events_brief
from .gemba_round_view import walk_column
from .live import countdown, watch
from .results_view import PLOT_CONFIG
from .room import session_stamp
from .widgets import MAIN_KPIS, fmt, kpi_name, plain

# characters every font in the room has (no emoji: a projector's browser may show a box)
STATUS_ICONS = {"pending": "○", "open": "▶", "closing": "◔", "closed": "■"}


def status_text(status: str, lang: str, revealed: bool = False) -> str:
    """A round's state in words, as the console and the Team page both say it ("closed · results
    shown" once revealed)."""
    text = f"{STATUS_ICONS.get(status, '')} {t('round.status_' + status, lang)}"
    return text + (f" · {t('round.revealed', lang)}" if revealed else "")


def status_signature(service: Training, code: str) -> Hashable:
    """What the status panel shows: the rounds' states, the teams, who has submitted in the round in
    play, and a computation's progress (which is not a change of the session's counter)."""
    rounds = service.rounds(code)
    current = service.current_round(code)
    return (tuple((r.number, r.status, r.revealed, r.error) for r in rounds),
            tuple(tm.name for tm in service.teams(code)),
            tuple(sorted(d.team for d in service.decisions(code, current.number))) if current else (),
            service.round_progress(code, current.number) if current and current.status == "closing" else None)


def live_status(service: Training, code: str, lang: str) -> None:
    """Teams, who has submitted in the round in play, and the round's state and progress.

    Drawn once; the console reruns only when something the panel shows changed (the server pushes the
    rerun, see `live.watch`), so nothing flashes grey every few seconds. The trainer's buttons act in
    their callbacks, so a rerun at the moment of a click cannot swallow it. While a round is being
    computed its progress is watched too (it does not move the session's change counter)."""
    before = service.current_round(code)
    computing = before is not None and before.status == "closing"
    watch(f"trainer.status.{code}", lambda: status_signature(service, code),
          stamp=None if computing else (lambda: session_stamp(service, code)))
    current = service.current_round(code)  # read after the watch: a change in between reruns the page
    teams = service.teams(code)
    submitted = {d.team for d in service.decisions(code, current.number)} if current else set()
    c1, c2 = st.columns([2, 3])
    with c1:
        st.metric(t("trainer.teams_joined", lang), len(teams))
        if current:
            st.markdown(f"**{t('round.round_n', lang, n=current.number)}**: {status_text(current.status, lang)}")
            if current.error:
                st.error(t("trainer.compute_error", lang, error=current.error))
    with c2:
        rows = [{t("report.team", lang): tm.name,
                 t("trainer.submitted", lang): "✔" if tm.name in submitted else "—"} for tm in teams]
        if rows:
            st.dataframe(rows, hide_index=True)
            rejoin_reset(service, code, [tm.name for tm in teams], lang)
        else:
            st.caption(t("trainer.no_teams", lang))
    if current is not None and current.status == "closing":
        done, total = service.round_progress(code, current.number)
        if total:
            st.progress(done / total, text=t("trainer.progress", lang, done=done, total=total))


def rejoin_reset(service: Training, code: str, teams: list[str], lang: str) -> None:
    """A new rejoin code for a team that lost it (its devices are signed out and must rejoin with it)."""
    with st.expander(t("trainer.rejoin_title", lang)):
        team = st.selectbox(t("report.team", lang), teams, key=f"trainer.rejoin_team.{code}")
        if st.button(t("trainer.rejoin_reset", lang), key=f"trainer.rejoin_go.{code}"):
            st.session_state[f"trainer.rejoin_new.{code}"] = (team, service.reset_rejoin_code(code, team))
        shown = st.session_state.get(f"trainer.rejoin_new.{code}")
        if shown:
            st.success(t("trainer.rejoin_new", lang, team=plain(shown[0]), code=shown[1]))


ACTION_ERROR = "trainer.action_error"


def _act(action: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    """Run a trainer's action in the button's callback: it takes effect at the very start of the rerun
    the click causes, so a page redrawn by polling at that moment cannot swallow the click."""
    st.session_state.pop(ACTION_ERROR, None)
    try:
        action(*args, **kwargs)
    except TrainingError as error:
        st.session_state[ACTION_ERROR] = error


def round_controls(service: Training, code: str, lang: str, actor: str) -> None:
    info = service.session(code)
    st.subheader(t("trainer.rounds_title", lang))
    failed = st.session_state.get(ACTION_ERROR)
    if failed is not None:
        st.error(failed.text(lang))
    every = service.rounds(code)
    for r in every:
        plan = info.scenario.rounds[r.number - 1]
        # a round opens after the rounds before it are closed and while no other runs (the rules refuse it else)
        can_open = all(x.status == "closed" for x in every if x.number < r.number) and \
            not any(x.status in ("open", "closing") for x in every)
        key = f"{code}.{r.number}"
        with st.container(border=True):
            c1, c2 = st.columns([3, 2])
            c1.markdown(f"**{pick(plan.title, lang)}** · {status_text(r.status, lang, r.revealed)}")
            c1.caption(pick(plan.brief, lang))
            round_events_brief(info.scenario, r.number, lang, sources=True, where=c1)
            if r.status == "pending":
                minutes = c2.number_input(t("trainer.countdown", lang), 0, 120, 0, key=f"trainer.minutes.{key}")
                enforce = c2.checkbox(t("trainer.enforce", lang), key=f"trainer.enforce.{key}", disabled=not minutes)
                c2.button(t("trainer.open", lang), key=f"trainer.open.{key}", type="primary", on_click=_act,
                          disabled=not can_open, help=None if can_open else t("trainer.open_later", lang),
                          args=(service.open_round, code, r.number),
                          kwargs={"minutes": float(minutes) or None, "actor": actor, "enforce": bool(enforce)})
            elif r.status == "open":
                c2.button(t("trainer.close", lang), key=f"trainer.close.{key}", type="primary", on_click=_act,
                          args=(service.close_round, code, r.number), kwargs={"actor": actor})
                with c2:
                    countdown(r.deadline, lang)  # ticks in the browser, outside the redrawn status panel
                    if r.deadline:
                        st.caption(t("round.enforced" if r.enforced else "round.advisory", lang))
            elif r.status == "closing":
                c2.info(t("trainer.computing", lang))
                if r.error:
                    c2.button(t("trainer.retry", lang), key=f"trainer.retry.{key}", on_click=_act,
                              args=(service.retry_round, code, r.number), kwargs={"actor": actor})
            else:
                if not r.revealed:
                    c2.button(t("trainer.reveal", lang), key=f"trainer.reveal.{key}", type="primary", on_click=_act,
                              args=(service.reveal, code, r.number), kwargs={"actor": actor})
                reopen_control(service, code, r.number, r.revealed, lang, actor, c1)
            if plan.debrief and r.status == "closed":
                with st.expander(t("report.debrief", lang)):
                    for q in plan.debrief:
                        st.markdown(f"- {pick(q, lang)}")


def _reopen(service: Training, code: str, number: int, actor: str) -> None:
    st.session_state.pop(f"trainer.reopen_asking.{code}.{number}", None)
    _act(service.reopen_round, code, number, actor=actor)


def reopen_control(service: Training, code: str, number: int, revealed: bool, lang: str, actor: str,
                   column: DeltaGenerator) -> None:
    """Reopening deletes a round's results: it asks first, and stands apart from "Reveal".

    A double click on "Reveal" must not land on it, so it lives in the left column, behind a step
    that only shows a warning and a separate confirmation button.
    """
    asking = f"trainer.reopen_asking.{code}.{number}"
    if not st.session_state.get(asking):
        column.button(t("trainer.reopen", lang), key=f"trainer.reopen.{code}.{number}", type="tertiary",
                      on_click=st.session_state.__setitem__, args=(asking, True))
        return
    column.warning(t("trainer.reopen_warning" if revealed else "trainer.reopen_warning_hidden", lang, n=number))
    yes, no = column.columns(2)
    yes.button(t("trainer.reopen_confirm", lang), key=f"trainer.reopen_confirm.{code}.{number}", on_click=_reopen,
               args=(service, code, number, actor))
    no.button(t("trainer.reopen_cancel", lang), key=f"trainer.reopen_cancel.{code}.{number}",
              on_click=st.session_state.pop, args=(asking, None))


def leaderboard(service: Training, code: str, number: int, lang: str) -> None:
    """Teams by balanced score; teams whose 95% intervals overlap share a place (a tie)."""
    info = service.session(code)
    st.subheader(t("trainer.leaderboard", lang))
    rows = {row["team"]: row for row in service.leaderboard(code, number)}
    submitted = {d.team for d in service.decisions(code, number)}
    placed = rank([Entry(team, row["score"], row["score_ci"], team in submitted) for team, row in rows.items()])
    walk = walk_column(service, code, number, lang)  # the waste walk's own column, apart from the score
    table = []
    for p in placed:
        row = rows[p.entry.team]
        e = row["results"].kpis
        ci = row["score_ci"]
        table.append({
            "#": f"{p.place}=" if p.tied else str(p.place),
            t("report.team", lang): row["team"] + ("" if p.entry.submitted else f" ({t('board.no_decision', lang)})"),
            t("chart.score_title", lang): "—" if row["score"] is None else num(row["score"], lang),
            "95%": f"{num(ci[0], lang)}–{num(ci[1], lang)}" if ci else "—",
            t("report.tools", lang): ", ".join(pick(info.scenario.tools[x].name, lang) for x in row["tools"]) or t("history.as_is", lang),
            kpi_name("wait_mean", lang): fmt("wait_mean", e["wait_mean"].mean, lang),
            kpi_name("left_unserved_share", lang): fmt("left_unserved_share", e["left_unserved_share"].mean, lang),
            **({walk[0]: walk[1].get(row["team"], "—")} if walk else {}),
        })
    st.dataframe(table, hide_index=True)
    if any(p.tied for p in placed):
        st.caption(t("board.ties", lang))


def team_notes(service: Training, code: str, number: int, lang: str) -> None:
    """Each team's decision and notes for a round, beside its score; a large view to read them aloud."""
    info = service.session(code)
    decisions = service.decisions(code, number)
    st.subheader(t("notes.title", lang, n=number))
    if not decisions:
        st.caption(t("notes.none", lang))
        return
    aloud = st.toggle(t("notes.aloud", lang), key=f"trainer.notes_aloud.{code}.{number}")
    for d in decisions:
        tools = ", ".join(pick(info.scenario.tools[x].name, lang) for x in d.tools) or t("history.as_is", lang)
        with st.container(border=True):
            heading = f"{'##' if aloud else '####'} {plain(d.team)}"
            st.markdown(heading)
            st.markdown(f"**{t('report.tools', lang)}:** {tools}")
            pdca_view.trainer_pdca(service, code, d, lang, aloud)


def team_comparison(service: Training, code: str, number: int, lang: str) -> None:
    """Team against team in one round, or one team round over round (paired: same readers)."""
    info = service.session(code)
    teams = [tm.name for tm in service.teams(code)]
    if not teams:
        return
    st.subheader(t("trainer.compare", lang))
    mode = st.radio(t("trainer.compare_mode", lang), ["teams", "rounds"], horizontal=True, key=f"trainer.cmp_mode.{code}",
                    format_func=lambda m: t(f"trainer.compare_{m}", lang))
    c1, c2 = st.columns(2)
    if mode == "teams":
        a = c1.selectbox(t("trainer.team_a", lang), teams, key=f"trainer.cmp_a.{code}")
        b = c2.selectbox(t("trainer.team_b", lang), teams, index=min(1, len(teams) - 1), key=f"trainer.cmp_b.{code}")
        left, right = (a, number), (b, number)
    else:
        a = c1.selectbox(t("report.team", lang), teams, key=f"trainer.cmp_team.{code}")
        closed = [r.number for r in service.rounds(code) if r.status == "closed"]
        first = c2.selectbox(t("trainer.round_from", lang), closed, key=f"trainer.cmp_from.{code}")
        left, right = (a, first), (a, number)
    try:
        _, base = service.team_results(code, left[0], left[1], trainer=True)
        _, other = service.team_results(code, right[0], right[1], trainer=True)
    except TrainingError as error:
        st.info(error.text(lang))
        return
    diffs = Study.compare(base, other).kpis
    rows = []
    for kpi_id in MAIN_KPIS:
        d = diffs.get(kpi_id)
        if d is None or d.baseline is None:
            continue
        rows.append({t("history.figure", lang): kpi_name(kpi_id, lang), f"{left[0]} · {left[1]}": fmt(kpi_id, d.baseline, lang),
                     f"{right[0]} · {right[1]}": fmt(kpi_id, d.variant, lang),
                     t("history.difference", lang): fmt(kpi_id, d.diff, lang, signed=True),
                     t("groups.verdict", lang): verdict_word(d.verdict, lang)})
    st.dataframe(rows, hide_index=True)
    pdca_view.compared(service, code, [left, right], lang)
    names = (f"{left[0]} · {t('compare.round_n', lang, n=left[1])}", f"{right[0]} · {t('compare.round_n', lang, n=right[1])}")
    st.plotly_chart(charts.wait_distribution(other, info.scenario, lang, base, names=names), config=PLOT_CONFIG,
                    key=f"trainer.cmp_chart.{code}")  # the legend names the two teams (or rounds), not as-is
