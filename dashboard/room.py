"""What the pages of a session in a room share: the address teams type, and the session's signature
that light polling watches."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Hashable
from urllib.parse import urlsplit

import streamlit as st

from sim.training import Training

from . import config

LOCAL = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def _room_address() -> str | None:
    """This computer's address in the room's network (not a loopback one), if it has one.

    First the address the system would send from to reach another network: connecting a UDP socket
    only picks the route and sends no packet (192.0.2.1 is a documentation address, RFC 5737). On
    many Debian and Ubuntu laptops the computer's own name resolves to 127.0.1.1 only, so the name is
    asked second."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))
            address = str(probe.getsockname()[0])
        if not address.startswith("127.") and address != "0.0.0.0":
            return address
    except OSError:  # no route out (a laptop on its own): the name may still say
        pass
    try:
        addresses = socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:
        return None
    return next((a for a in addresses if not a.startswith("127.")), None)


def team_address(code: str) -> str:
    """The address of the Team page for `code`, as a team types it (or scans it)."""
    base = config.public_url()
    if base is None:
        try:
            here = urlsplit(str(st.context.url or ""))
        except Exception:  # no browser (tests): the default port
            here = urlsplit("")
        host = here.hostname or ""
        if host in LOCAL:
            host = _room_address() or host or "localhost"
        port = f":{here.port}" if here.port else ":8501" if not here.hostname else ""
        base = f"{here.scheme or 'http'}://{host}{port}"
    return f"{base}/team?code={code}"


STAMP_TTL = 0.2  # seconds a session's change counter is reused by every page and the pusher (live.PUSH_EVERY)
_stamps: dict[tuple[int, str], tuple[float, int]] = {}
_stamps_lock = threading.Lock()


def session_stamp(service: Training, code: str) -> int:
    """The session's change counter (one indexed SELECT), read at most once per `STAMP_TTL` seconds
    for all the pages of this server and its pusher (`live.Pusher`, four looks a second): a dozen
    pages cost a few queries a second, and a change is seen at most `STAMP_TTL` later (never missed:
    the counter only grows)."""
    key, now = (id(service), code), time.monotonic()
    with _stamps_lock:
        found = _stamps.get(key)
    if found is not None and now - found[0] < STAMP_TTL:
        return found[1]
    value = service.change_stamp(code)
    with _stamps_lock:
        if len(_stamps) > 256:  # sessions come and go: forget the old ones
            _stamps.clear()
        _stamps[key] = (now, value)
    return value


def session_signature(service: Training, code: str) -> Hashable:
    """Changes whenever anything a page shows about the session changes."""
    return session_stamp(service, code)


def round_signature(service: Training, code: str) -> Hashable:
    """Changes when a round opens, closes, finishes computing or is revealed (what a team's page shows)."""
    return tuple((r.number, r.status, r.revealed, r.error) for r in service.rounds(code))
