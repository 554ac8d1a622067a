"""Home: what this is, and the way in."""

from __future__ import annotations

import streamlit as st

from dashboard.widgets import lang as current_lang
from sim.i18n import t

lang = current_lang()
st.title(t("app.title", lang))
st.write(t("home.what", lang))
st.write(t("home.how", lang))
# a row that wraps: four equal columns cut the longer labels ("Присоединиться к занят…") on a laptop
# and squeezed them on a phone; each button keeps its whole label and moves to the next line instead
with st.container(horizontal=True, gap="small"):
    sandbox = st.button(t("home.start_sandbox", lang), type="primary", key="home.sandbox")
    join = st.button(t("home.join", lang), key="home.join")
    trainer = st.button(t("home.trainer", lang), key="home.trainer")
    learn = st.button(t("home.learn", lang), key="home.learn")
if sandbox:
    st.switch_page("dashboard/pages/sandbox.py")
if join:
    st.switch_page("dashboard/pages/team.py")
if trainer:
    st.switch_page("dashboard/pages/trainer.py")
if learn:
    st.switch_page("dashboard/pages/learn.py")
st.caption(t("home.offline", lang))
