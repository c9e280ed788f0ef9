"""Every Alembic migration goes down and up again, on the store the tests run on."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect

from issuer.store import make_engine
from issuer.store.migrate import downgrade, is_current, upgrade
from issuer.store.models import Base
from tests.service.stores import database_url, on_postgresql, pg_database

REVISIONS = ["0005", "0004", "0003", "0002", "0001", "base"]


@contextmanager
def empty_store(tmp_path: Path) -> Iterator[str]:
    if not on_postgresql():
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with pg_database() as name:
        yield database_url(name)


def test_every_migration_goes_down_and_up(tmp_path: Path) -> None:
    with empty_store(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        assert is_current(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        for revision in REVISIONS:
            downgrade(engine, revision)
            assert not is_current(engine)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert is_current(engine)
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        engine.dispose()
