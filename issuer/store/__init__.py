"""The store: engine and sessions per app, SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

import contextlib
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, g
from sqlalchemy import Engine, create_engine, event, func, make_url, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def transaction_lock(db: Session, *name: object) -> None:
    """Hold the lock ``name`` until the transaction ends (a PostgreSQL advisory lock keyed by
    the name's SHA-256), so check-then-write work on one thing runs one at a time across
    hosts; SQLite lets one writer in at a time already."""
    if db.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256("\0".join(map(str, name)).encode()).digest()
    db.execute(select(func.pg_advisory_xact_lock(
        int.from_bytes(digest[:8], "big", signed=True))))


def insert_statement(db: Session, table: Any) -> Any:
    """``INSERT`` with the dialect's ``ON CONFLICT`` support (SQLite and PostgreSQL), so a
    claim on a unique key can be made without an exception aborting the transaction."""
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


def _sqlite_pragmas(connection: object, _record: object) -> None:
    cursor = connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _create_private(database: str | None) -> None:
    """Create the SQLite file 0600 before SQLite would (0644: readable by every local user);
    its -wal and -shm files take the same mode."""
    if database and database != ":memory:" and not database.startswith("file:"):
        with contextlib.suppress(FileExistsError):
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(url: str) -> Engine:
    """The engine for ``url``. ``hide_parameters``: a failed statement's log line and
    exception carry the SQL, never the values (learners' names and emails)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        _create_private(make_url(url).database)
        engine = create_engine(url, connect_args={"check_same_thread": False},
                               hide_parameters=True)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


@dataclass(frozen=True)
class Store:
    engine: Engine
    sessions: sessionmaker[Session]

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))


def default_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'credentials.sqlite3'}"


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or default_url(app.instance_path)
    engine = make_engine(url)
    app.extensions["store"] = Store(engine, sessionmaker(engine, expire_on_commit=False))
    app.teardown_appcontext(_close_session)


def store(app: Flask) -> Store:
    return app.extensions["store"]


def session() -> Session:
    """The request's session (one per app context)."""
    from flask import current_app

    if "db_session" not in g:
        g.db_session = store(current_app).sessions()
    return g.db_session


def _close_session(_error: BaseException | None) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
