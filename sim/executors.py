"""Where the replications run: this process, a local process pool, or a Dask distributed cluster.

`run_experiment` takes any `concurrent.futures.Executor`, and a Dask `Client` gives one
(`client.get_executor()`), so a cluster needs no other change: replication r of a run draws its
streams from (seed, r, stream name) wherever it runs, and the figures are the same to the last digit.
Remote workers need this package (and the same versions of numpy and simpy) installed.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager

from .experiment import default_executor
from .i18n import LocalizedError

CONNECT_TIMEOUT_S = 10.0
_ADDRESS = re.compile(r"^(?:tcp://)?(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(?P<port>\d{1,5})$")


class ExecutorError(LocalizedError):
    """The place to run cannot be used (a Dask scheduler that does not answer, say); one plain line in
    either language (`text(lang)`; `str()` is the English)."""


@contextmanager
def dask_executor(address: str, timeout_s: float = CONNECT_TIMEOUT_S) -> Iterator[Executor]:
    """An executor on the Dask cluster whose scheduler listens at `address` (tcp://HOST:8786)."""
    try:
        from distributed import Client
    except ImportError:
        raise ExecutorError("executor.not_installed", address=address) from None
    _check_reachable(address, timeout_s)
    try:
        client = Client(address, timeout=timeout_s, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as error:
        # OSError covers refused connections and timeouts; ValueError an address Dask cannot parse
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ExecutorError("executor.timeout", address=address, seconds=f"{timeout_s:g}", reason=reason) from None
    try:
        yield client.get_executor()
    finally:
        client.close()


def _check_reachable(address: str, timeout_s: float) -> None:
    """Fail fast, with one line, on an address that is malformed or where nothing listens.

    A Dask client that fails to connect retries until its timeout and then complains again when it
    is collected, so a plain socket connection is tried first.
    """
    match = _ADDRESS.match(address.strip())
    if not match or not 0 < int(match["port"]) < 65536:
        raise ExecutorError("executor.bad_address", address=address)
    host = match["host"].strip("[]")
    try:
        with socket.create_connection((host, int(match["port"])), timeout=timeout_s):
            pass
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise ExecutorError("executor.unreachable", address=address, reason=reason) from None


@contextmanager
def executor_for(dask_address: str | None, workers: int | None = None) -> Iterator[Executor | None]:
    """The Dask cluster's executor if `dask_address` is given; otherwise a local process pool of
    `workers` processes (all cores by default), or None (run in this process) when `workers == 1`."""
    if dask_address:
        with dask_executor(dask_address) as executor:
            yield executor
        return
    if workers == 1:
        yield None
        return
    pool = default_executor(workers)
    try:
        yield pool
    finally:
        pool.shutdown(cancel_futures=True)


@contextmanager
def cluster_executor(dask_address: str | None) -> Iterator[Executor | None]:
    """The Dask cluster's executor if `dask_address` is given, else None (the caller's own default)."""
    if not dask_address:
        yield None
        return
    with dask_executor(dask_address) as executor:
        yield executor
