"""Learn: the wastes, 5S, the tools, how to read the figures and charts, what a confidence interval means."""

from __future__ import annotations

import streamlit as st

from dashboard import config, runner
from dashboard.content import sections
from dashboard.widgets import lang as current_lang
from sim.i18n import pick, t
from sim.scenario import WASTES

lang = current_lang()
st.title(t("learn.title", lang))
for section_id, body in sections(lang):
    st.markdown(body)
    if section_id == "tools":
        # the default scenario's wording first: it is the one the sandbox opens on
        found = sorted(runner.list_scenarios(str(config.scenarios_dir())),
                       key=lambda item: not item[0].endswith("central-lending-hall.yaml"))
        catalogue = {}
        for _, scenario, _ in found:
            for tid, tool in (scenario.tools.items() if scenario else ()):
                catalogue.setdefault(tid, tool)
        for waste in (*WASTES, "accessibility"):
            tools = [tool for tool in catalogue.values() if (tool.waste or tool.aim) == waste]
            if not tools:
                continue
            st.markdown(f"#### {t('waste.' + waste, lang)}")
            for tool in tools:
                with st.expander(pick(tool.name, lang)):
                    st.write(pick(tool.description, lang))
