"""Smaller holes: security headers, HEAD /verify, share pages of odd credentials, the metrics
token, paginated lists, atomic instance secrets, private SQLite files, hidden SQL parameters."""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from issuer.services.instance_secrets import instance_secret
from issuer.store import make_engine
from keys import base64url
from tests.service.conftest import BASE, completion_body, make_app
from tests.service.stores import database_url, on_postgresql, pg_database
from tests.service.test_api import issue
from tests.service.test_desk_sessions import sign_in

OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def vc_api_credential(service, **extra: object) -> dict:
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2", OB],
                                       "type": ["VerifiableCredential"],
                                       "issuer": f"{BASE}/issuers/riverbend",
                                       "credentialSubject": {"id": "did:example:learner"},
                                       **extra}})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["verifiableCredential"]


def share_page(service, credential: dict):
    return service.client.get(credential["id"].removeprefix(BASE),
                              headers={"Accept": "text/html"})


@pytest.mark.parametrize("extra", [
    {"image": "https://img.example/badge.png"},
    # VCDM 2.0 makes evidence an object with a type: one alone, and one beside a fuller item.
    {"evidence": {"id": "https://evidence.example/1", "type": "Evidence"}},
    {"evidence": [{"id": "https://evidence.example/1", "type": ["Evidence"]},
                  {"id": "https://evidence.example/2", "type": ["Evidence"],
                   "narrative": "Observed on the ward."}]},
])
def test_share_pages_of_credentials_with_a_string_image_or_odd_evidence_shapes(service,
                                                                               extra) -> None:
    page = share_page(service, vc_api_credential(service, **extra))
    assert page.status_code == 200
    for value in extra.values():
        for url in value if isinstance(value, list) else [value]:
            assert (url if isinstance(url, str) else url["id"]).encode() in page.data


@pytest.mark.parametrize("image", ["javascript:alert(1)", {"id": "JavaScript:alert(1)"},
                                   "data:text/html,<script>alert(1)</script>"])
def test_javascript_image_urls_are_never_rendered(service, image) -> None:
    page = share_page(service, vc_api_credential(service, image=image))
    assert page.status_code == 200
    assert b"javascript:" not in page.data.lower() and b"data:text/html" not in page.data


def test_head_verify_is_answered_like_get(service) -> None:
    head = service.client.head("/verify")
    assert head.status_code == 200 and head.mimetype == "text/html"


def test_security_headers_on_every_page(service) -> None:
    credential = issue(service)
    for path, accept in (("/verify", "text/html"), ("/desk", "text/html"),
                         (credential["url"].removeprefix(BASE), "text/html"),
                         ("/api/v1/frameworks", "application/json"), ("/nowhere", "*/*")):
        response = service.client.get(path, headers={"Accept": accept})
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split(
            "script-src")[1].split(";")[0]
        assert "frame-ancestors 'none'" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"]
        assert "Strict-Transport-Security" not in response.headers  # the base URL is http
        if response.mimetype == "text/html":
            assert b"<script>" not in response.data  # no inline script for the policy to block
    assert service.client.get("/desk").headers["Cache-Control"] == "no-store"


def test_hsts_when_the_base_url_is_https(tmp_path: Path, template_store: str) -> None:
    from tests.service.conftest import copied_store

    with copied_store(tmp_path, template_store) as config:
        app = make_app(tmp_path, PUBLIC_BASE_URL="https://credentials.example", **config)
        response = app.test_client().get("/verify")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_metrics_behind_a_token(tmp_path: Path, template_store: str) -> None:
    from tests.service.conftest import copied_store

    with copied_store(tmp_path, template_store) as config:
        client = make_app(tmp_path, METRICS_TOKEN="s3cret-metrics", **config).test_client()
        refused = client.get("/metrics")
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        allowed = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert refused.status_code == wrong.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert allowed.status_code == 200 and b"# TYPE" in allowed.data


def test_the_credentials_list_is_paginated(service) -> None:
    issued = {issue(service, learner={"name": "L", "email": f"l{i}@example.com"})[
        "credentialId"] for i in range(5)}
    seen, cursor, pages = [], None, 0
    while True:
        query = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = service.client.get(f"/api/v1/issuers/riverbend/credentials{query}",
                                  headers=service.auth(service.admin)).get_json()
        seen += [c["credentialId"] for c in body["credentials"]]
        pages += 1
        cursor = body["next"]
        if cursor is None:
            break
    assert pages == 3 and len(seen) == 5 and set(seen) == issued
    bad = service.client.get("/api/v1/issuers/riverbend/credentials?cursor=zzz",
                             headers=service.auth(service.admin))
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    default = service.client.get("/api/v1/issuers/riverbend/credentials",
                                 headers=service.auth(service.admin)).get_json()
    assert len(default["credentials"]) == 5 and default["next"] is None


@pytest.mark.parametrize("held", [["0001-01-01T00:00:00+14:00", "x"],
                                  ["9999-12-31T23:59:59-14:00", "x"],
                                  ["2026-01-01T00:00:00+00:00", "x\u0000"],
                                  ["2026-01-01T00:00:00+00:00", 7], ["2026-01-01", "x" * 200]])
def test_a_crafted_cursor_is_a_400_not_a_500(service, held: list) -> None:
    cursor = base64url.encode(json.dumps(held).encode())
    answer = service.client.get(f"/api/v1/issuers/riverbend/credentials?cursor={cursor}",
                                headers=service.auth(service.admin))
    assert answer.status_code == 400 and "not a cursor" in answer.get_json()["detail"]


def test_the_desk_list_is_paginated(service, monkeypatch: pytest.MonkeyPatch) -> None:
    from issuer.services import credential_table

    monkeypatch.setattr(credential_table, "PAGE_SIZE", 2)
    for i in range(3):
        issue(service, learner={"name": "L", "email": f"d{i}@example.com"})
    sign_in(service.client, service.admin)
    first = service.client.get("/desk")
    assert first.data.count(b"@example.com</span></td>") == 2 and b">Older</a>" in first.data
    assert "Showing 1–2 of 3.".encode() in first.data
    second = service.client.get("/desk?page=2")
    assert second.data.count(b"@example.com</span></td>") == 1
    assert b">Older</a>" not in second.data and b">Newer</a>" in second.data


def _read_secret(folder: str, barrier, results) -> None:
    barrier.wait()
    results.put(instance_secret(folder, "session-secret"))


def test_instance_secrets_are_created_atomically(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """8 processes start together; the secret takes a while to make (as on a loaded host),
    which is when a reader used to find the file there and empty."""
    from issuer.services import keyring

    slow = keyring.KeyEncryptionKey.generate_text
    monkeypatch.setattr(keyring.KeyEncryptionKey, "generate_text",
                        staticmethod(lambda: (time.sleep(0.02), slow())[1]))
    context = multiprocessing.get_context("fork")
    for trial in range(10):
        folder = str(tmp_path / f"trial{trial}")
        barrier, results = context.Barrier(8), context.Queue()
        processes = [context.Process(target=_read_secret, args=(folder, barrier, results))
                     for _ in range(8)]
        for process in processes:
            process.start()
        secrets = {results.get(timeout=30) for _ in processes}
        for process in processes:
            process.join(timeout=30)
        assert len(secrets) == 1 and all(secrets), f"trial {trial}: {secrets}"
        assert stat.S_IMODE(os.stat(Path(folder) / "session-secret").st_mode) == 0o600
        assert os.listdir(folder) == ["session-secret"]  # nothing left aside


def test_the_sqlite_store_file_is_private(tmp_path: Path) -> None:
    make_app(tmp_path / "fresh")
    assert stat.S_IMODE(os.stat(tmp_path / "fresh" / "credentials.sqlite3").st_mode) == 0o600


def test_sql_errors_never_carry_parameters(tmp_path: Path) -> None:
    """On the store under test (SQLite, or PostgreSQL with TEST_STORE=postgresql)."""
    with contextlib.ExitStack() as stack:
        url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
        if on_postgresql():
            url = database_url(stack.enter_context(pg_database()))
        engine = make_engine(url)
        with pytest.raises(SQLAlchemyError) as raised, engine.connect() as connection:
            connection.execute(text("insert into nowhere values (:email)"),
                               {"email": "jordan.rivera@example.com"})
        engine.dispose()
    assert "nowhere" in str(raised.value) and "jordan.rivera" not in str(raised.value)


def test_an_email_longer_once_lowercased_is_refused_naming_the_field(service) -> None:
    """U+0130 lowers to two characters: 212 in, 412 stored would not fit the column."""
    answer = service.client.post(
        "/api/v1/issuers/riverbend/completions", headers=service.auth(service.assessor),
        json=completion_body(learner={"name": "L", "email": "\u0130" * 200 + "@example.com"}))
    assert answer.status_code in (400, 422), answer.get_json()
    assert answer.get_json()["errors"][0]["pointer"] == "/learner/email"
