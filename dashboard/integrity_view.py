"""Session integrity in the dashboard: the trainer's sandbox setting per session, and the sandbox's
guard (closed while a session that closed it is in play; never the seed of a session in play).
See `sim.training.sandbox`."""

from __future__ import annotations

import streamlit as st

from sim.i18n import t
from sim.store import StoreError
from sim.training import Training
from sim.training.sandbox import sandbox_closed, sandbox_seed, sessions_in_play, set_sandbox_closed

from .session import training


def sandbox_setting(service: Training, code: str, lang: str, actor: str) -> None:
    """The trainer's toggle: close the sandbox for teams while this session is in play."""
    closed = sandbox_closed(service, code)
    wanted = st.toggle(t("integrity.close_sandbox", lang), value=closed, key=f"trainer.sandbox_closed.{code}.{closed}",
                       help=t("integrity.close_sandbox_help", lang))
    if wanted != closed:
        set_sandbox_closed(service, code, wanted, actor)
        st.rerun()
    st.caption(t("integrity.closed_note" if closed else "integrity.seed_note", lang))


def sandbox_guard(seed: int, lang: str) -> int:
    """The seed the sandbox may run with; stops the page when a session in play closed the sandbox
    (a signed-in trainer may still use it). Says which rule applies."""
    try:
        in_play = sessions_in_play(training())
    except StoreError:
        return seed  # no training store on this server: no session to protect
    if not in_play:
        return seed
    closing = [s.code for s in in_play if s.sandbox_closed]
    if closing and not st.session_state.get("trainer"):
        st.warning(t("integrity.sandbox_closed", lang, codes=", ".join(closing)))
        st.stop()
    safe = sandbox_seed(seed, in_play)
    st.caption(t("integrity.sandbox_seed", lang, codes=", ".join(s.code for s in in_play)))
    if safe != seed:
        st.info(t("integrity.seed_moved", lang, wanted=seed, seed=safe))
    return safe


def team_note(service: Training, code: str, lang: str) -> None:
    """On the Team page: what the sandbox does while this session is in play."""
    st.caption(t("integrity.team_closed" if sandbox_closed(service, code) else "integrity.team_seed", lang))
