"""Fixtures for the service: a real app on a real store per test (SQLite, or PostgreSQL with
TEST_STORE=postgresql)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from issuer import create_app
from issuer.services.callers import Caller
from issuer.services.catalog import load_bundled_frameworks
from issuer.services.issuers import create_issuer, create_token
from issuer.store import store
from issuer.store.migrate import upgrade
from issuer.store.models import (
    AuditEvent,
    Completion,
    Credential,
    IdempotencyRecord,
)
from issuer.web.context import service_context
from tests.service.live import LiveServer, live_server
from tests.service.stores import database_url, on_postgresql, pg_database

BASE = "http://localhost:5000"
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"
KEK = "q83vEi3Ewh6vD6X9L0cbnVXkSKk0Y3m3K2wQv5nO9u4"


def make_app(instance: Path, **config: object) -> Flask:
    return create_app({"TESTING": True, "PUBLIC_BASE_URL": BASE, "KEY_ENCRYPTION_KEY": KEK,
                       "DATABASE_URL": f"sqlite:///{instance / 'credentials.sqlite3'}",
                       **config}, instance_path=str(instance))


def _prepare(app: Flask) -> None:
    upgrade(store(app).engine)
    with store(app).sessions() as db:
        load_bundled_frameworks(db)
    store(app).engine.dispose()


@pytest.fixture(scope="session")
def template_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated store with the frameworks loaded, copied for each test (fast and isolated):
    a SQLite file, or a PostgreSQL template database."""
    folder = tmp_path_factory.mktemp("template")
    if not on_postgresql():
        _prepare(make_app(folder))
        yield str(folder / "credentials.sqlite3")
        return
    with pg_database(kind="template") as name:
        _prepare(make_app(folder, DATABASE_URL=database_url(name)))
        yield name


@contextmanager
def copied_store(tmp_path: Path, template: str) -> Iterator[dict[str, str]]:
    """This test's own copy of the template store; the config that points at it."""
    if not on_postgresql():
        shutil.copyfile(template, tmp_path / "credentials.sqlite3")
        yield {}
        return
    with pg_database(template) as name:
        yield {"DATABASE_URL": database_url(name)}


@dataclass
class Service:
    app: Flask
    client: FlaskClient
    admin: str  # tokens for issuer "riverbend"
    assessor: str
    other_admin: str  # token for issuer "lakeside"

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def counts(self) -> dict[str, int]:
        with store(self.app).sessions() as db:
            return {model.__tablename__: db.scalar(select(func.count()).select_from(model))
                    for model in (Completion, Credential, IdempotencyRecord, AuditEvent)}


@pytest.fixture
def service(tmp_path: Path, template_store: str) -> Iterator[Service]:
    with copied_store(tmp_path, template_store) as config:
        app = make_app(tmp_path, **config)
        with store(app).sessions() as db:
            riverbend = create_issuer(db, service_context(app).kek, BASE, "riverbend",
                                      "Riverbend Behavioral Health",
                                      url="https://riverbend.example.org")
            lakeside = create_issuer(db, service_context(app).kek, BASE, "lakeside", "Lakeside")
            assessor = create_token(db, "riverbend", "assessor", "trainer", Caller.operator())
        yield Service(app, app.test_client(), riverbend["token"], str(assessor["token"]),
                      lakeside["token"])
        store(app).engine.dispose()


def completion_body(**changes: object) -> dict:
    body = {
        "learner": {"name": "Jordan Rivera", "email": "jordan.rivera@example.com"},
        "competency": f"{MODEL}/de-escalation",
        "level": "developing",
        "completedOn": "2026-11-02",
        "evidence": [{"name": "Observed shift", "narrative": "Calmed an agitated patient.",
                      "url": "https://riverbend.example.org/evidence/1"}],
    }
    body.update(changes)
    return body


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn serving a fresh store on a free loopback port."""
    yield from live_server(tmp_path)
