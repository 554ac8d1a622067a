"""Lean Library Trainer: the Streamlit entry point (thin: language, navigation, pages)."""

from __future__ import annotations

import streamlit as st

from dashboard import session as _service  # noqa: F401  (starts the training service and its worker)
from dashboard.widgets import language_switch
from sim.i18n import t

st.set_page_config(page_title="Lean Library Trainer", page_icon="📚", layout="wide")
lang = language_switch()
pages = [
    st.Page("dashboard/pages/home.py", title=t("nav.home", lang), icon=":material/home:", default=True),
    st.Page("dashboard/pages/sandbox.py", title=t("nav.sandbox", lang), icon=":material/science:"),
    st.Page("dashboard/pages/gemba.py", title=t("gemba.nav", lang), icon=":material/footprint:"),
    st.Page("dashboard/pages/team.py", title=t("nav.team", lang), icon=":material/groups:"),
    st.Page("dashboard/pages/trainer.py", title=t("nav.trainer", lang), icon=":material/co_present:"),
    st.Page("dashboard/pages/projector.py", title=t("nav.projector", lang), icon=":material/present_to_all:"),
    st.Page("dashboard/pages/editor.py", title=t("nav.editor", lang), icon=":material/edit_document:"),
    st.Page("dashboard/pages/learn.py", title=t("nav.learn", lang), icon=":material/school:"),
]
st.navigation(pages).run()
