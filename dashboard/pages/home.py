"""Home: what this is, and the way in."""

from __future__ import annotations

import streamlit as st

from dashboard.widgets import lang as current_lang
from sim.i18n import t

lang = current_lang()
st.title(t("app.title", lang))
st.write(t("home.what", lang))
st.write(t("home.how", lang))
c1, c2, c3, c4 = st.columns(4)
if c1.button(t("home.start_sandbox", lang), type="primary", key="home.sandbox"):
    st.switch_page("dashboard/pages/sandbox.py")
if c2.button(t("home.join", lang), key="home.join"):
    st.switch_page("dashboard/pages/team.py")
if c3.button(t("home.trainer", lang), key="home.trainer"):
    st.switch_page("dashboard/pages/trainer.py")
if c4.button(t("home.learn", lang), key="home.learn"):
    st.switch_page("dashboard/pages/learn.py")
st.caption(t("home.offline", lang))
