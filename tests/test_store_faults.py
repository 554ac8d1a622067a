"""Database faults: every driver error is a StoreError with a plain message; a database deleted or
replaced under a running app is reported, not silently made anew; older databases are migrated."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from builders import one_day_hall

from sim.store import SCHEMA_VERSION, Store, StoreError
from sim.training import Training, TrainingError, Worker


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.mark.parametrize("content", [b"this is not a database at all" * 100, b"SQLite format 3\x00" + b"\xff" * 4000])
def test_a_file_that_is_not_a_training_database_is_a_plain_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "training.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        Store(_url(path))
    assert "cannot be opened" in str(caught.value) and "Traceback" not in str(caught.value)


def test_a_file_damaged_while_running_gives_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    service = Training(Store(_url(path)))
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.store.close()
    with open(path, "r+b") as handle:  # the header and first pages overwritten in place
        handle.write(b"\x00garbage" * 512)
    for wal in tmp_path.glob("training.db-*"):
        wal.unlink()
    with pytest.raises(StoreError):
        service.teams(code)
    with pytest.raises(StoreError):
        service.join(code, "Owls")


def test_a_database_file_deleted_while_running_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    service = Training(Store(_url(path)))
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, "Owls")
    for file in tmp_path.glob("training.db*"):
        file.unlink()
    with pytest.raises(StoreError) as caught:
        service.join(code, "Hedgehogs")  # before, this was acknowledged and lost on restart
    assert "deleted" in str(caught.value)
    assert not path.exists()  # and no empty database was made in its place
    assert Worker(service).run_once() == 0  # the worker logs it and goes on


def test_a_database_file_replaced_while_running_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    service = Training(Store(_url(path)))
    service.create_session(one_day_hall(), seed=3, replications=2)
    other = tmp_path / "other.db"
    Store(_url(other)).close()
    service.store.close()
    shutil.copy(other, tmp_path / "swap.db")
    os.replace(tmp_path / "swap.db", path)
    with pytest.raises(StoreError, match="replaced"):
        service.list_sessions()


def test_another_database_behind_the_same_url_is_noticed(tmp_path: Path) -> None:
    """The identity row: a new connection that finds another database refuses (any driver)."""
    path = tmp_path / "training.db"
    store = Store(_url(path))
    store._file = None  # only the identity check, as with a server database
    store.close()
    for file in tmp_path.glob("training.db*"):
        file.unlink()
    Store(_url(path)).close()  # a new, different database at the same place
    with pytest.raises(StoreError, match="replaced"), store.read() as conn:
        conn.exec_driver_sql("SELECT 1")


def test_an_unknown_database_url_is_a_plain_error() -> None:
    with pytest.raises(StoreError, match="cannot be used"):
        Store("nosuchdb://host/x")


def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "training.db"
    service = Training(Store(_url(path)))
    code = service.create_session(one_day_hall(), seed=3, replications=2)
    service.join(code, "Owls")
    service.store.close()
    with sqlite3.connect(path) as db:  # back to what version 1 had
        for table, column in (("sessions", "changes"), ("rounds", "progress_done"), ("rounds", "progress_total"),
                              ("teams", "rejoin_hash")):
            db.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        db.execute("DROP TABLE team_tokens")
        db.execute("DROP TABLE store_identity")
        db.execute("UPDATE schema_version SET version = 1")
    again = Training(Store(_url(path)))
    assert again.store.version() == SCHEMA_VERSION and again.store.identity
    assert [tm.name for tm in again.teams(code)] == ["Owls"]
    with pytest.raises(TrainingError):
        again.open_round(code, 2)
    again.open_round(code, 1)
