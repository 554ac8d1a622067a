"""Persistence of training sessions: SQLAlchemy Core over SQLite (one file, WAL) by default.

Any database URL SQLAlchemy knows works (a PostgreSQL server for an event larger than one laptop:
`postgresql+psycopg://user:pass@host/db`). The schema is versioned: `schema_version` holds the
number of the last migration applied, and opening a store applies the missing ones, each in one
transaction. Every write is one transaction, so what was confirmed to a user survives a crash.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

metadata = MetaData()

schema_version = Table("schema_version", metadata, Column("version", Integer, nullable=False))

sessions = Table(
    "sessions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("code", String(16), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("scenario_id", String(64), nullable=False),
    Column("scenario_json", Text, nullable=False),  # a frozen copy: later edits of the file do not reach it
    Column("seed", Integer, nullable=False),
    Column("replications", Integer, nullable=False),
    Column("rounds", Integer, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("created_by", Text, nullable=False, default=""),
    Column("changes", Integer, nullable=False, default=0),  # raised by every change (pages poll it)
)

rounds = Table(
    "rounds", metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("number", Integer, primary_key=True),
    Column("status", String(16), nullable=False),  # pending | open | closing | closed
    Column("opened_at", Float),
    Column("deadline", Float),  # optional countdown shown to teams
    Column("deadline_enforced", Integer, nullable=False, default=0),  # 1: the worker closes the round at the deadline
    Column("closed_at", Float),
    Column("revealed", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("progress_done", Integer),  # replications computed so far (while closing)
    Column("progress_total", Integer),
)

teams = Table(
    "teams", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    Column("name_key", String(200), nullable=False),  # case-folded, for uniqueness
    Column("joined_at", Float, nullable=False),
    Column("rejoin_hash", String(64)),  # SHA-256 of the code another device needs to act as this team
    UniqueConstraint("session_id", "name_key", name="uq_team_name"),
)

team_tokens = Table(  # one per device that joined as a team (kept in that device's page address)
    "team_tokens", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
)

store_identity = Table(  # one row written when the database is made: a replaced file is noticed
    "store_identity", metadata,
    Column("id", String(64), primary_key=True),
    Column("created_at", Float, nullable=False),
)

decisions = Table(
    "decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("tools", Text, nullable=False),  # JSON list: every tool in force, in catalogue order
    Column("new_tools", Text, nullable=False),  # JSON list: those chosen in this round
    Column("notes", Text, nullable=False, default="{}"),  # JSON: the team's A3 in miniature
    Column("submitted_at", Float, nullable=False),
    UniqueConstraint("team_id", "round", name="uq_decision"),
)

results = Table(
    "results", metadata,
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("tools_key", String(2000), primary_key=True),  # the tools in force, comma-joined ("" = as it is)
    Column("payload", Text, nullable=False),  # JSON of the Results (see sim.training)
    Column("computed_at", Float, nullable=False),
)

observations = Table(  # what a team saw on the floor in a gemba round (the waste walk)
    "observations", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), nullable=False),
    Column("round", Integer, nullable=False),
    Column("waste", String(32), nullable=False),  # one of sim.scenario.WASTES
    Column("place", String(64), nullable=False),  # a station's or a step's id
    Column("note", Text, nullable=False, default=""),  # in the team's words (sim.text-cleaned)
    Column("recorded_at", Float, nullable=False),
)

drafts = Table(  # what a team has ticked and typed in an open round before it submits (survives a reload)
    "drafts", metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("round", Integer, primary_key=True),
    Column("session_id", Integer, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("payload", Text, nullable=False),  # JSON: new tools, dropped tools, notes (cleaned)
    Column("saved_at", Float, nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", Integer),
    Column("at", Float, nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)


def _v1(conn: Connection) -> None:
    for table in (sessions, rounds, teams, decisions, results, audit):
        table.create(conn, checkfirst=True)


def _add_column(conn: Connection, table: str, column: str, ddl: str) -> None:
    if column not in {c["name"] for c in inspect(conn).get_columns(table)}:
        conn.exec_driver_sql(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")


def _v2(conn: Connection) -> None:
    """Change counter, round progress, rejoin codes and device tokens, the database's identity.

    Version 1 creates the tables as this module defines them today, so on a new database the
    columns exist already: each is added only where missing.
    """
    _add_column(conn, "sessions", "changes", "INTEGER NOT NULL DEFAULT 0")
    _add_column(conn, "rounds", "progress_done", "INTEGER")
    _add_column(conn, "rounds", "progress_total", "INTEGER")
    _add_column(conn, "teams", "rejoin_hash", "VARCHAR(64)")
    for table in (team_tokens, store_identity):
        table.create(conn, checkfirst=True)
    if conn.execute(select(store_identity.c.id)).first() is None:
        conn.execute(insert(store_identity).values(id=secrets.token_hex(16), created_at=time.time()))


def _v3(conn: Connection) -> None:
    """An enforced countdown: the round closes by itself at its deadline (advisory otherwise)."""
    _add_column(conn, "rounds", "deadline_enforced", "INTEGER NOT NULL DEFAULT 0")


def _v4(conn: Connection) -> None:
    """Observations of the waste walk (gemba rounds): a table of their own."""
    observations.create(conn, checkfirst=True)


def _v5(conn: Connection) -> None:
    """Drafts of the decision form: a reload before Submit keeps what the team ticked and typed."""
    drafts.create(conn, checkfirst=True)


MIGRATIONS: list[Callable[[Connection], None]] = [_v1, _v2, _v3, _v4, _v5]
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(RuntimeError):
    """The database cannot be used (unreachable, locked for too long, damaged, replaced, from a newer version)."""


def _plain(error: BaseException) -> str:
    """The driver's own words (first line), without SQLAlchemy's statement dump and links."""
    orig = getattr(error, "orig", None) or error
    text = str(orig).strip()
    return text.splitlines()[0][:300] if text else type(orig).__name__


class Store:
    """The training database. Thread-safe: every call takes its own connection.

    With SQLite, writes start with BEGIN IMMEDIATE (the write lock is taken at once, so two
    processes never both read and then fail to write) and wait up to 30 s for a busy lock; reads
    go through a second engine and never block writers (WAL).

    Every driver error becomes a `StoreError` with a plain message (an `IntegrityError` stays what
    it is: callers act on it). The database has an identity (a random id written when it is made):
    each new connection checks it, and with SQLite every call checks that the file is still the one
    opened, so a file deleted or replaced under a running app is reported instead of being silently
    made anew (what was confirmed to users would be lost on the next restart).
    """

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        self.identity: str | None = None
        self.path: Path | None = None
        self._file: tuple[int, int] | None = None
        kind = url.split("://")[0]
        kwargs: dict[str, Any] = {"echo": echo}
        try:
            if self.is_sqlite:
                kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
                self.engine: Engine = create_engine(url, **kwargs)
                self.reader: Engine = create_engine(url, **kwargs)
                for engine in (self.engine, self.reader):
                    event.listen(engine, "connect", _sqlite_pragmas)
                event.listen(self.engine, "begin", _begin_immediate)
                database = self.engine.url.database
                if database and database != ":memory:" and not database.startswith("file:"):
                    self.path = Path(database).resolve()
            else:
                kwargs["pool_pre_ping"] = True
                self.engine = self.reader = create_engine(url, **kwargs)
            for engine in {self.engine, self.reader}:
                event.listen(engine, "connect", self._check_identity)
        except (SQLAlchemyError, ValueError, ImportError) as error:
            raise StoreError(f"the training database URL cannot be used ({kind}): {_plain(error)}") from None
        try:
            self.migrate()
            with self.read() as conn:
                self.identity = conn.execute(select(store_identity.c.id)).scalar()
        except SQLAlchemyError as error:
            raise StoreError(f"the training database cannot be opened ({kind}): {_plain(error)}") from None
        except StoreError as error:
            raise StoreError(f"the training database cannot be opened ({kind}): {error}") from None
        if self.path is not None:
            info = self.path.stat()
            self._file = (info.st_dev, info.st_ino)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
        self.reader.dispose()

    def _check_identity(self, dbapi_connection: Any, _record: Any) -> None:
        """On every new connection: is this still the database opened? (Not before it was opened.)"""
        if self.identity is None:
            return
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT id FROM store_identity")
            row = cursor.fetchone()
        except Exception:
            row = None
        finally:
            cursor.close()
            if not self.is_sqlite:
                dbapi_connection.rollback()  # leave no transaction open behind the pool's back
        if row is None or row[0] != self.identity:
            raise _Replaced()

    def _check_file(self) -> None:
        if self.path is None or self._file is None:
            return
        try:
            info = self.path.stat()
        except FileNotFoundError:
            raise StoreError(f"the training database file {self.path} was deleted or moved while the app ran: "
                             "put it back, or restart the app to start a new one") from None
        if (info.st_dev, info.st_ino) != self._file:
            raise StoreError(f"the training database file {self.path} was replaced while the app ran: restart the app")

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """One transaction: everything inside is saved together, or nothing is."""
        self._check_file()
        try:
            with self.engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise
        except _Replaced:
            raise StoreError("the training database was replaced while the app ran (another database answers): "
                             "restart the app") from None
        except SQLAlchemyError as error:
            raise StoreError(f"the training database could not be written: {_plain(error)}") from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reading (no transaction held open)."""
        self._check_file()
        try:
            with self.reader.connect() as conn:
                yield conn
        except _Replaced:
            raise StoreError("the training database was replaced while the app ran (another database answers): "
                             "restart the app") from None
        except SQLAlchemyError as error:
            raise StoreError(f"the training database could not be read: {_plain(error)}") from None

    def version(self) -> int:
        """The number of the last migration applied (0 for an empty database)."""
        with self.read() as conn:
            if not self.reader.dialect.has_table(conn, "schema_version"):
                return 0
            row = conn.execute(select(schema_version.c.version)).first()
            return int(row[0]) if row else 0

    def migrate(self) -> None:
        """Apply every migration this database has not had yet, each in one transaction."""
        current = self.version()
        if current > SCHEMA_VERSION:
            raise StoreError(
                f"the training database has schema version {current}, newer than this program's {SCHEMA_VERSION}"
            )
        for number in range(current, SCHEMA_VERSION):
            with self.write() as conn:
                schema_version.create(conn, checkfirst=True)
                MIGRATIONS[number](conn)
                conn.execute(schema_version.delete())
                conn.execute(insert(schema_version).values(version=number + 1))

    def log(self, conn: Connection, session_id: int | None, actor: str, action: str, detail: Any = "") -> None:
        """An audit row, inside the caller's transaction."""
        text = detail if isinstance(detail, str) else json.dumps(detail, ensure_ascii=False)
        conn.execute(insert(audit).values(session_id=session_id, at=time.time(), actor=actor, action=action, detail=text))


class _Replaced(Exception):
    """A new connection found another database than the one opened."""


def _begin_immediate(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event issues BEGIN itself
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


__all__ = [
    "SCHEMA_VERSION", "IntegrityError", "Store", "StoreError", "audit", "decisions", "drafts", "observations", "results", "rounds",
    "sessions", "store_identity", "team_tokens", "teams",
]
