"""Light polling, pushed reruns and a client-side clock, so that open pages cost the server almost
nothing and see a change at once.

A page draws its content once and `watch`es a signature of the session (what it shows). One thread
of the server (`Pusher`) looks at the change counters of the watched sessions four times a second
(one cached query each, for every page at once) and, when a page's signature moved, asks Streamlit
to rerun that page (two pages at a time): the server pushes, the browsers do not have to poll. This
leans on Streamlit's own session objects (as its `runOnSave` does); where they are not there, pages
simply poll. A small fragment on each
page still asks the same question now and then (every `BACKSTOP_EVERY` seconds; every `every`
seconds where the server cannot push, as under AppTest), so a page never misses a change. Nothing is
redrawn in between, so nothing flashes grey on a projector. The countdown ticks in the browser (a few
lines of JavaScript), not by server reruns.
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import streamlit as st
import streamlit.components.v1 as components

from sim.i18n import t

LOG = logging.getLogger(__name__)
PUSH_EVERY = 0.25  # seconds between the server's looks at the watched sessions (one cached query per session)
BACKSTOP_EVERY = 15.0  # seconds between a pushed page's own polls (only a safety net: the server pushes)


@dataclass
class _Watched:
    """The pages watching one thing (one `watch` key, such as a session's rounds): how to ask about it,
    the stamp last seen, and each page's signature (its Streamlit session id: what it last drew)."""

    signature: Callable[[], Hashable]
    stamp: Callable[[], Hashable] | None
    last_stamp: Hashable = None
    pages: dict[str, tuple[str, Hashable]] = field(default_factory=dict)  # session id: (page hash, signature)


class Pusher:
    """One thread per server that reruns the pages whose signature changed.

    `rerun(session_id, page_hash)` asks Streamlit to rerun a page and returns a function that says
    whether that rerun is still to come or running, or None when the page is gone (its tab closed): it
    is then forgotten. The pages of one change are rerun `AT_ONCE` at a time. Pages closed while nothing changes are forgotten too, every
    `PRUNE_EVERY` looks, when `alive(session_id)` says they are gone, and so is what only they watched.
    The thread starts with the first page that is watched; `look` is one round of its work (tests call
    it directly)."""

    PRUNE_EVERY = 40  # looks (10 s)
    AT_ONCE = 2  # pages rerun at the same time by one change
    RUN_WAIT = 1.0  # seconds a rerun counts as running at most (a slow one does not hold the others back)

    def __init__(self, rerun: Callable[[str, str], Callable[[], bool] | None], every: float = PUSH_EVERY,
                 alive: Callable[[str], bool] | None = None) -> None:
        self._rerun, self._every, self._alive = rerun, every, alive
        self._looks = 0
        self._watched: dict[str, _Watched] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def seen(self, key: str, session_id: str, page_hash: str, signature: Callable[[], Hashable],
             stamp: Callable[[], Hashable] | None, value: Hashable) -> None:
        """A page (`session_id`, on the page `page_hash`) drew what `value` describes. Keys are
        "what.CODE": a page that now watches another session's "what" no longer watches the first."""
        with self._lock:
            family = key.rsplit(".", 1)[0]  # "trainer.status" of "trainer.status.CODE"
            for other, w in self._watched.items():  # a console switched to another session: not the old one's
                if other != key and other.rsplit(".", 1)[0] == family:
                    w.pages.pop(session_id, None)
            watched = self._watched.setdefault(key, _Watched(signature, stamp))
            watched.signature, watched.stamp = signature, stamp  # the latest page's questions: all are alike
            watched.pages[session_id] = (page_hash, value)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lean-trainer-pusher", daemon=True)
                self._thread.start()

    def look(self) -> int:
        """Ask every watched thing whether it changed, and rerun the pages that drew an older state;
        returns how many pages were asked to rerun."""
        self._looks += 1
        if self._alive is not None and self._looks % self.PRUNE_EVERY == 0:
            self._prune(self._alive)
        with self._lock:
            watched = list(self._watched.items())
        asked = 0
        for key, w in watched:
            try:
                if w.stamp is not None:
                    now_stamp = w.stamp()
                    if now_stamp == w.last_stamp:
                        continue  # nothing moved: the signature is not even asked for
                    w.last_stamp = now_stamp
                now = w.signature()
            except Exception:  # a store that fails now may answer at the next look; pages say so themselves
                LOG.warning("watching %s failed", key, exc_info=True)
                continue
            with self._lock:
                pages = list(w.pages.items())
            running: list[tuple[Callable[[], bool], float]] = []
            for session_id, (page_hash, value) in pages:
                if value == now:
                    continue
                running = self._room_for_one_more(running)
                busy = self._rerun(session_id, page_hash)
                with self._lock:
                    if busy is None:
                        w.pages.pop(session_id, None)
                    elif w.pages.get(session_id, (None, None))[1] == value:
                        w.pages[session_id] = (page_hash, now)  # asked once; its rerun says what it drew
                if busy is not None:
                    running.append((busy, time.monotonic()))
                    asked += 1
            with self._lock:
                if not w.pages:
                    self._watched.pop(key, None)
        return asked

    def _room_for_one_more(self, running: list[tuple[Callable[[], bool], float]]) -> list[tuple[Callable[[], bool], float]]:
        """Wait until fewer than `AT_ONCE` of the reruns asked for are still running (a run counts for
        `RUN_WAIT` seconds at most): a dozen pages run one after another finish sooner, on the first
        pages much sooner, than all at once, where every run waits for the others (one interpreter
        lock) and for the browsers drawing on the same cores."""
        while True:
            running = [(busy, at) for busy, at in running if busy() and time.monotonic() - at < self.RUN_WAIT]
            if len(running) < self.AT_ONCE:
                return running
            time.sleep(0.01)

    def _prune(self, alive: Callable[[str], bool]) -> None:
        with self._lock:
            pages = {session_id for w in self._watched.values() for session_id in w.pages}
        gone = {session_id for session_id in pages if not alive(session_id)}
        with self._lock:
            for key, w in list(self._watched.items()):
                for session_id in gone:
                    w.pages.pop(session_id, None)
                if not w.pages:
                    del self._watched[key]

    def _run(self) -> None:
        while True:
            time.sleep(self._every)
            try:
                self.look()
            except Exception:  # the thread must outlive any one failure: pages fall back on their own polls
                LOG.warning("the pusher's look failed", exc_info=True)


def _streamlit_session(session_id: str) -> Any:
    """Streamlit's session of a browser tab (its AppSession), None when it is gone."""
    from streamlit.runtime import Runtime

    info = Runtime.instance()._session_mgr.get_active_session_info(session_id)
    return None if info is None else info.session


def _streamlit_alive(session_id: str) -> bool:
    return _streamlit_session(session_id) is not None


def _streamlit_rerun(session_id: str, page_hash: str) -> Callable[[], bool] | None:
    """Ask Streamlit to rerun a browser session's page, as a change of the source file does when
    `runOnSave` is on (its last client state, as a whole-page run), on the session's own event loop.
    Returns whether that rerun is still to come or running; None when the session is gone (nothing
    happens when it shows another page now)."""
    from streamlit.proto.ClientState_pb2 import ClientState

    session = _streamlit_session(session_id)
    if session is None:
        return None
    asked = threading.Event()

    def rerun() -> None:  # on the event loop, where the session's state is changed
        try:
            if session._client_state.page_script_hash == page_hash:
                state = ClientState()
                state.CopyFrom(session._client_state)
                state.fragment_id = ""  # the whole page, even when its last run was a fragment's
                state.is_auto_rerun = False
                session.request_rerun(state)
        finally:
            asked.set()

    try:
        session._event_loop.call_soon_threadsafe(rerun)
    except RuntimeError:  # its event loop is closed: the server is stopping
        return None
    # its script runner exists from the request until the run is over (and nothing more is asked)
    return lambda: not asked.is_set() or session._scriptrunner is not None


PUSHER = Pusher(_streamlit_rerun, alive=_streamlit_alive)


def _this_page() -> tuple[str, str] | None:
    """This browser session's id and page, when the server can push reruns to it (not under AppTest,
    nor on a Streamlit whose internals differ)."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is None or not Runtime.exists():
            return None
        session = Runtime.instance()._session_mgr.get_active_session_info(ctx.session_id)
        if session is None or not hasattr(session.session, "_client_state"):
            return None
        return ctx.session_id, ctx.page_script_hash
    except Exception:  # another Streamlit: the page polls on its own
        return None


def watch(key: str, signature: Callable[[], Hashable], every: float = 2.0,
          stamp: Callable[[], Hashable] | None = None) -> None:
    """Rerun the page when `signature()` changes: pushed by the server within `PUSH_EVERY` seconds,
    and checked by a fragment of the page every `BACKSTOP_EVERY` seconds (every `every` seconds
    where the server cannot push).

    With `stamp` (a cheaper question that moves whenever the signature may have moved, such as the
    session's change counter), the signature is asked for only when the stamp moved: most looks cost
    one cached read and draw nothing. The page's content must be drawn after this call (the state
    this call records is the state the page then shows)."""
    page = _this_page()
    within_page_run = [True]  # the fragment's own later runs see False

    @st.fragment(run_every=BACKSTOP_EVERY if page else every)
    def _watch() -> None:
        if stamp is not None:
            now_stamp = stamp()
            if st.session_state.get(key + ".stamp") == now_stamp and key in st.session_state:
                if page:
                    PUSHER.seen(key, *page, signature, stamp, st.session_state[key])
                return
            st.session_state[key + ".stamp"] = now_stamp
        now = signature()
        seen = st.session_state.get(key)
        st.session_state[key] = now
        if page:
            PUSHER.seen(key, *page, signature, stamp, now)
        # in a whole-page run the page draws the new state right after this call: no second run
        if seen is not None and seen != now and not within_page_run[0]:
            st.rerun(scope="app")

    _watch()
    within_page_run[0] = False


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
