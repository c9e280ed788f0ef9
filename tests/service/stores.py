"""Where service tests keep their data: SQLite files, or PostgreSQL databases of their own
when TEST_STORE=postgresql (on TEST_DATABASE_URL's server)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, create_engine, make_url, text

from issuer.store import normalise_url

STORE = os.environ.get("TEST_STORE", "sqlite")
PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
# This run's token, in every database and schema name it makes on the shared server: runs side
# by side (two clones, two CI jobs) never touch each other's, and a leftover names its run.
RUN = uuid.uuid4().hex[:8]


def run_name(kind: str) -> str:
    """A database or schema name of this run's own, unique within it too."""
    return f"cc_{RUN}_{kind}_{uuid.uuid4().hex[:8]}"


def on_postgresql() -> bool:
    return STORE == "postgresql"


def _admin() -> Engine:
    return create_engine(normalise_url(PG_URL), isolation_level="AUTOCOMMIT")


def database_url(name: str) -> str:
    return make_url(normalise_url(PG_URL)).set(database=name).render_as_string(
        hide_password=False)


@contextmanager
def pg_database(template: str | None = None, kind: str = "test") -> Iterator[str]:
    """A new PostgreSQL database (a copy of ``template`` if given), dropped afterwards;
    yields its name."""
    name = run_name(kind)
    admin = _admin()
    copy = f' TEMPLATE "{template}"' if template else ""
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
