"""Trainer console: sign in, create or pick a session, run its rounds, compare teams, download the report."""

from __future__ import annotations

import streamlit as st

from dashboard import config, runner
from dashboard.gemba_round_view import trainer_walk
from dashboard.integrity_view import sandbox_setting
from dashboard.session import client_key, sign_in, training
from dashboard.trainer_view import leaderboard, live_status, round_controls, team_comparison, team_notes
from dashboard.widgets import lang as current_lang
from sim.experiment import DEFAULT_SEED
from sim.i18n import pick, t
from sim.report import session_downloads
from sim.store import StoreError
from sim.training import TrainingError
from sim.training.archive_check import read_archive

lang = current_lang()
st.title(t("trainer.title", lang))

if not st.session_state.get("trainer"):
    if config.passcode() is None:
        st.error(t("trainer.no_passcode", lang))
        st.stop()
    with st.form("trainer.signin"):
        name = st.text_input(t("trainer.your_name", lang), max_chars=60, key="trainer.name")
        code = st.text_input(t("trainer.passcode", lang), type="password", key="trainer.passcode")
        if st.form_submit_button(t("trainer.sign_in", lang), type="primary"):
            refusal = sign_in(code, client_key())  # wrong passcodes are slowed down, then locked out
            if refusal is None:
                st.session_state["trainer"] = (name or "").strip() or t("trainer.default_name", lang)
                st.rerun()
            else:
                st.error(refusal.text(lang))
    st.stop()

actor = st.session_state["trainer"]
try:
    service = training()
except StoreError as error:
    st.error(t("trainer.store_error", lang, error=str(error)))
    st.stop()
st.caption(t("trainer.signed_in", lang, name=actor))

with st.expander(t("trainer.new_session", lang), expanded=not service.list_sessions()):
    found = runner.all_scenarios()
    playable = {p: s for p, s, _ in found if s is not None and s.rounds}
    if not playable:
        st.warning(t("trainer.no_playable", lang))
    else:
        with st.form("trainer.create"):
            paths = list(playable)
            first = next((i for i, p in enumerate(paths) if p.endswith("central-lending-hall.yaml")), 0)
            mine = str(config.user_scenarios_dir())

            def title(p: str) -> str:  # a trainer's saved version and the shipped file can share a title
                return f"{pick(playable[p].title, lang)} · {t('editor.yours' if p.startswith(mine) else 'editor.shipped', lang)}"

            path = st.selectbox(t("sandbox.scenario", lang), paths, index=first, format_func=title)
            c1, c2, c3 = st.columns(3)
            count = c1.number_input(t("trainer.rounds", lang), min_value=1, max_value=20, value=5)
            seed = c2.number_input(t("sandbox.seed", lang), min_value=0, max_value=2**31 - 1, value=DEFAULT_SEED)
            reps = c3.number_input(t("sandbox.replications", lang), min_value=2, max_value=200, value=20)
            title = st.text_input(t("trainer.session_title", lang), max_chars=120)
            if st.form_submit_button(t("trainer.create", lang), type="primary"):
                scenario = playable[path]
                try:
                    code = service.create_session(scenario, seed=int(seed), replications=int(reps),
                                                  rounds_count=min(int(count), len(scenario.rounds)),
                                                  title=title.strip() or pick(scenario.title, lang), actor=actor)
                    st.session_state["trainer.code"] = st.session_state["trainer.pending"] = code
                    st.rerun()
                except TrainingError as error:
                    st.error(error.text(lang))

with st.expander(t("trainer.import", lang)):
    upload = st.file_uploader(t("trainer.import_file", lang), type=["json", "gz"], key="trainer.upload")
    if upload is not None and st.button(t("trainer.import_button", lang), key="trainer.import_go"):
        try:  # read_archive: gzip or plain JSON, within the size and depth limits
            imported = service.import_session(read_archive(upload.getvalue()), actor=actor)
            st.session_state["trainer.code"] = st.session_state["trainer.pending"] = imported
            st.rerun()
        except TrainingError as error:
            st.error(error.text(lang))

sessions = service.list_sessions()
if not sessions:
    st.info(t("trainer.no_sessions", lang))
    st.stop()
codes = [c for c, _, _ in sessions]
pending = st.session_state.pop("trainer.pending", None)
if pending in codes:  # a session just created or imported: show it (before the widget exists)
    st.session_state["trainer.pick"] = pending
current = st.session_state.get("trainer.code")
code = st.selectbox(t("trainer.session", lang), codes, index=codes.index(current) if current in codes else 0,
                    format_func=lambda c: f"{c} · {next(title for cc, title, _ in sessions if cc == c)}", key="trainer.pick")
st.session_state["trainer.code"] = code
info = service.session(code)

st.markdown(t("trainer.join_code", lang, code=code))
st.link_button(t("trainer.projector", lang), f"projector?code={code}", icon=":material/present_to_all:")
live_status(service, code, lang)
round_controls(service, code, lang, actor)
sandbox_setting(service, code, lang, actor)

closed = [r.number for r in service.rounds(code) if r.status == "closed"]
if closed:
    st.divider()
    number = st.selectbox(t("trainer.show_round", lang), closed, index=len(closed) - 1,
                          key=f"trainer.board_round.{code}.{len(closed)}",  # a newly closed round is shown first
                          format_func=lambda n: pick(info.scenario.rounds[n - 1].title, lang))
    leaderboard(service, code, number, lang)
    trainer_walk(service, code, number, lang)
    team_notes(service, code, number, lang)
    team_comparison(service, code, number, lang)

st.divider()
st.subheader(t("trainer.downloads", lang))
c1, c2, c3 = st.columns(3)
# prepared on request: reading every result of a session takes a moment, not to be paid on each click
prepared = st.session_state.setdefault(f"trainer.downloads.{code}", {})
if c1.button(t("trainer.make_report", lang), key="trainer.report"):
    prepared.clear()  # all three or none: a failure never leaves a half-filled set behind
    try:
        prepared.update(session_downloads(service, code, lang))
    except Exception as error:  # said plainly; the console goes on
        st.error(t("training.refused.report_failed", lang, error=str(error)[:300]))
if prepared:
    c1.download_button(t("trainer.report_html", lang), prepared["html"], f"session-{code}.html", "text/html",
                       key="trainer.report_dl")
    c2.download_button(t("trainer.report_xlsx", lang), prepared["xlsx"], f"session-{code}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="trainer.xlsx")
    c3.download_button(t("trainer.archive", lang), prepared["json"], f"session-{code}.json.gz", "application/gzip",
                       key="trainer.archive")
