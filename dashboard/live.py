"""Light polling and a client-side clock, so that open pages cost the server almost nothing.

A page draws its content once; `watch` runs a small fragment every few seconds that asks the store
one cheap question (a signature of the session) and reruns the whole page only when the answer
changed. Nothing is redrawn in between, so nothing flashes grey on a projector. The countdown ticks
in the browser (a few lines of JavaScript), not by server reruns.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable, Hashable

import streamlit as st
import streamlit.components.v1 as components

from sim.i18n import t


def watch(key: str, signature: Callable[[], Hashable], every: float = 2.0,
          stamp: Callable[[], Hashable] | None = None) -> None:
    """Rerun the page when `signature()` changes (checked every `every` seconds in a fragment).

    With `stamp` (a cheaper question that moves whenever the signature may have moved, such as the
    session's change counter), the signature is asked for only when the stamp moved: most polls cost
    one cached read and draw nothing."""

    @st.fragment(run_every=every)
    def _watch() -> None:
        if stamp is not None:
            now_stamp = stamp()
            if st.session_state.get(key + ".stamp") == now_stamp and key in st.session_state:
                return
            st.session_state[key + ".stamp"] = now_stamp
        now = signature()
        seen = st.session_state.get(key)
        st.session_state[key] = now
        if seen is not None and seen != now:
            st.rerun(scope="app")

    _watch()


def countdown(deadline: float | None, lang: str, *, size: int = 20, height: int = 40) -> None:
    """The time left until `deadline` (server time), ticking in the browser; nothing when there is none."""
    if not deadline:
        return
    left = max(0, int(deadline - time.time()))
    texts = {"left": t("round.time_left_js", lang), "up": t("round.time_up_js", lang)}
    components.html(f"""
<div id="c" style="font: 600 {size}px 'DejaVu Sans', Arial, sans-serif; color: #1A1A1A"></div>
<script>
const end = Date.now() + {left} * 1000;
const texts = {json.dumps(texts, ensure_ascii=False)};
const el = document.getElementById("c");
function tick() {{
  const s = Math.max(0, Math.round((end - Date.now()) / 1000));
  el.textContent = s > 0 ? texts.left.replace("MM", Math.floor(s / 60)).replace("SS", String(s % 60).padStart(2, "0"))
                         : texts.up;
}}
tick(); setInterval(tick, 1000);
</script>""", height=height)


def big(text: str, size: float = 2.0, weight: int = 600) -> None:
    """A line of large type (escaped: safe for anything typed by a participant)."""
    st.markdown(f"<div style='font-size:{size}rem;font-weight:{weight};line-height:1.25'>{html.escape(text)}</div>",
                unsafe_allow_html=True)
