"""The same service on PostgreSQL: migrations up and down, issuing, idempotent retries."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from issuer import create_app
from issuer.services.catalog import load_bundled_frameworks
from issuer.services.issuers import create_issuer
from issuer.store import normalise_url, store
from issuer.store.migrate import downgrade, upgrade
from issuer.web.context import service_context
from tests.service.concurrency import assert_nothing_lost, issue_concurrently
from tests.service.conftest import BASE, KEK, completion_body
from tests.service.stores import PG_URL, run_name


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    url = PG_URL
    admin = create_engine(normalise_url(url))
    schema = run_name("schema")
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL not reachable at {url}: {type(error).__name__}")
    separator = "&" if "?" in url else "?"
    yield f"{url}{separator}options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_service_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "PUBLIC_BASE_URL": BASE, "KEY_ENCRYPTION_KEY": KEK,
                      "DATABASE_URL": pg_url}, instance_path=str(tmp_path))
    engine = store(app).engine
    assert engine.dialect.name == "postgresql"
    upgrade(engine)
    assert "credentials" in inspect(engine).get_table_names()
    downgrade(engine, "base")
    assert "credentials" not in inspect(engine).get_table_names()
    upgrade(engine)

    with store(app).sessions() as db:
        load_bundled_frameworks(db)
        assert load_bundled_frameworks(db) == []
        created = create_issuer(db, service_context(app).kek, BASE, "riverbend", "Riverbend")
    client = app.test_client()
    headers = {"Authorization": f"Bearer {created['token']}", "Idempotency-Key": "pg-1"}
    first = client.post("/api/v1/issuers/riverbend/completions", json=completion_body(),
                        headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/issuers/riverbend/completions", json=completion_body(),
                        headers=headers)
    assert again.get_json() == first.get_json()
    report = client.post("/credentials/verify",
                         json={"verifiableCredential": first.get_json()["credential"]})
    assert report.status_code == 200, report.get_json()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM credentials")).scalar() == 1
    engine.dispose()


def test_concurrent_issuance_on_postgresql(pg_url: str, tmp_path: Path, monkeypatch) -> None:
    """200 issuances from 8 threads on PostgreSQL, one failing midway."""
    app = create_app({"TESTING": True, "PUBLIC_BASE_URL": BASE, "KEY_ENCRYPTION_KEY": KEK,
                      "DATABASE_URL": pg_url}, instance_path=str(tmp_path))
    upgrade(store(app).engine)
    with store(app).sessions() as db:
        load_bundled_frameworks(db)
        token = create_issuer(db, service_context(app).kek, BASE, "riverbend", "Riverbend")["token"]
    assert_nothing_lost(issue_concurrently(app, token, "riverbend", monkeypatch))
    store(app).engine.dispose()
