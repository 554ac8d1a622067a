"""Slowing down guesses: wrong passcodes, session codes and rejoin codes, per client and overall.

After a few wrong attempts from one client (a network address, or a browser session where the
address is unknown) each further attempt must wait longer, then the client is locked out for a
short while; many wrong attempts from everyone together lock everyone out briefly. A right attempt
clears the client's count. The clock is injected, so the rules are tested without waiting.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class GuardRules:
    """How many wrong attempts are free, and how long the waits and lockouts are (seconds)."""

    free: int = 3  # wrong attempts per client before any wait
    lockout_after: int = 6  # ... and before the lockout
    lockout: float = 60.0
    window: float = 600.0  # wrong attempts older than this are forgotten
    global_limit: int = 60  # wrong attempts from everyone within `global_window` that lock everyone out
    global_window: float = 60.0
    global_lockout: float = 30.0


@dataclass
class _Client:
    failures: deque[float] = field(default_factory=deque)


class AttemptGuard:
    """Counts wrong attempts and says how long a client must wait before the next one."""

    def __init__(self, rules: GuardRules | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.rules = rules or GuardRules()
        self.clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, _Client] = {}
        self._all: deque[float] = deque()
        self._everyone_until = 0.0

    def wait(self, client: str) -> float:
        """Seconds `client` must wait before its next attempt (0: it may try now)."""
        now = self.clock()
        with self._lock:
            self._forget(now)
            waits = [self._everyone_until - now]
            found = self._clients.get(client)
            if found and found.failures:
                n, last = len(found.failures), found.failures[-1]
                if n >= self.rules.lockout_after:
                    waits.append(last + self.rules.lockout - now)
                elif n >= self.rules.free:
                    waits.append(last + 2.0 ** (n - self.rules.free + 1) - now)  # 2, 4, 8 ... seconds
            return max(0.0, *waits)

    def failed(self, client: str) -> None:
        """Count a wrong attempt."""
        now = self.clock()
        with self._lock:
            self._forget(now)
            self._clients.setdefault(client, _Client()).failures.append(now)
            self._all.append(now)
            if len(self._all) >= self.rules.global_limit:
                self._everyone_until = now + self.rules.global_lockout
                self._all.clear()

    def succeeded(self, client: str) -> None:
        """A right attempt: the client's count starts again."""
        with self._lock:
            self._clients.pop(client, None)

    def _forget(self, now: float) -> None:
        while self._all and self._all[0] < now - self.rules.global_window:
            self._all.popleft()
        for key in [k for k, c in self._clients.items() if c.failures and c.failures[-1] < now - self.rules.window]:
            del self._clients[key]
        if len(self._clients) > 10_000:  # bounded memory under a flood of made-up clients
            self._clients.clear()
