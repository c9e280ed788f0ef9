"""Behind a reverse proxy: the service mounted at PUBLIC_BASE_URL's path answers whether the
proxy passes the path on or strips it, writes its links under that path, and counts rate
limits per client only when told how many proxies to believe."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from issuer.services.issuers import create_issuer
from issuer.store import store
from issuer.web.context import service_context
from tests.service.conftest import copied_store, make_app

PUBLIC = "https://creds.example.org/cc"


@pytest.fixture
def proxied(tmp_path: Path, template_store: str) -> Iterator[Flask]:
    with copied_store(tmp_path, template_store) as config:
        app = make_app(tmp_path, PUBLIC_BASE_URL=PUBLIC, TRUSTED_PROXY_HOPS=1,
                       RATE_LIMIT_VERIFY_PER_IP="2/60", **config)
        with store(app).sessions() as db:
            create_issuer(db, service_context(app).kek, PUBLIC, "riverbend", "Riverbend")
        yield app
        store(app).engine.dispose()


@pytest.mark.parametrize("path", ["/cc/issuers/riverbend/did.json",
                                  "/issuers/riverbend/did.json"])
def test_the_path_may_be_passed_on_or_stripped(proxied: Flask, path: str) -> None:
    response = proxied.test_client().get(path)
    assert response.status_code == 200
    assert response.get_json()["id"] == "did:web:creds.example.org:cc:issuers:riverbend"


def test_pages_link_under_the_base_path(proxied: Flask) -> None:
    page = proxied.test_client().get("/cc/verify").get_data(as_text=True)
    assert 'href="/cc/static/site.css' in page
    assert 'action="/cc/verify"' in page


def test_rate_limits_count_the_forwarded_client(proxied: Flask) -> None:
    client = proxied.test_client()

    def verify(address: str) -> int:
        return client.post("/cc/credentials/verify", json={},
                           headers={"X-Forwarded-For": address}).status_code

    assert [verify("198.51.100.1") for _ in range(3)] == [400, 400, 429]
    assert verify("198.51.100.2") == 400  # another person behind the same proxy


def test_forwarded_headers_are_ignored_without_trusted_proxies(tmp_path: Path,
                                                               template_store: str) -> None:
    with copied_store(tmp_path, template_store) as config:
        app = make_app(tmp_path, RATE_LIMIT_VERIFY_PER_IP="2/60", **config)
        client = app.test_client()
        answers = [client.post("/credentials/verify", json={},
                               headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
                   for n in range(3)]
        store(app).engine.dispose()
    assert answers == [400, 400, 429]  # a client cannot name itself a new address
