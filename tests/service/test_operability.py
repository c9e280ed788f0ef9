"""Operating the service: rate limits, readiness, metrics, request ids, JSON logs, audit."""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import uuid

import pytest
import redis

from issuer.operations.observability import JsonFormatter
from issuer.operations.rate_limits import (
    ISSUING,
    VERIFYING,
)
from tests.service.conftest import BASE, completion_body, make_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def issue(service, token=None, **headers):
    return service.client.post("/api/v1/issuers/riverbend/completions", json=completion_body(),
                               headers={**service.auth(token or service.assessor), **headers})


def test_issuing_is_limited_per_token_with_retry_after(service) -> None:
    service.app.config["RATE_LIMIT_ISSUE_PER_TOKEN"] = "2/60"
    assert [issue(service).status_code for _ in range(2)] == [201, 201]
    refused = issue(service)
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "issue per token" in refused.get_json()["detail"]
    documented = service.client.get("/openapi.json").get_json()["paths"]
    assert "429" in documented["/api/v1/issuers/{slug}/completions"]["post"]["responses"]
    assert "503" in documented["/issuers/{slug}"]["get"]["responses"]
    assert issue(service, service.admin).status_code == 201  # another token, its own count
    assert service.counts()["credentials"] == 3


def test_verifying_is_limited_per_address(service) -> None:
    service.app.config["RATE_LIMIT_VERIFY_PER_IP"] = "3/60"
    answers = [service.client.post("/credentials/verify", json={}).status_code
               for _ in range(4)]
    assert answers == [400, 400, 400, 429]
    other = service.client.post("/credentials/verify", json={},
                                environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 400


def test_share_pages_and_verify_links_count_as_verifying(service) -> None:
    """A share page verifies the credential at every view, a /verify?url= link verifies what
    it names: both spend the address's verification allowance, so neither is a free way to
    make the service verify."""
    credential_id = issue(service).get_json()["credentialId"]
    service.app.config["RATE_LIMIT_VERIFY_PER_IP"] = "2/60"
    page = {"Accept": "text/html"}
    answers = [service.client.get(f"/credentials/{credential_id}", headers=page).status_code,
               service.client.get(f"/verify?url={BASE}/credentials/{credential_id}").status_code,
               service.client.get(f"/credentials/{credential_id}", headers=page).status_code]
    assert answers == [200, 200, 429]


def test_every_rate_limited_endpoint_exists(service) -> None:
    """The limits name endpoints: a renamed handler must not silently drop out of them."""
    named = ISSUING | VERIFYING
    assert named <= set(service.app.view_functions), named - set(service.app.view_functions)


def redis_or_skip() -> redis.Redis:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    return client


def worker(service, instance, redis_url: str = REDIS_URL):
    """Another worker on the service's store and the given Redis, issuing at most 2 a minute
    per address."""
    app = make_app(instance, DATABASE_URL=service.app.config["DATABASE_URL"],
                   RATE_LIMIT_REDIS_URL=redis_url, RATE_LIMIT_ISSUE_PER_IP="2/60",
                   RATE_LIMIT_ISSUE_PER_TOKEN="0")
    return app.test_client()


def issue_from(client, service, address: str) -> int:
    return client.post("/api/v1/issuers/riverbend/completions", json=completion_body(),
                       headers=service.auth(service.assessor),
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_limits_are_shared_through_redis(service, tmp_path) -> None:
    redis_or_skip()
    # Redis is shared by every run on this machine, and a window lasts a minute: an address of
    # this test's own (2001:db8::/32, for documentation) is counted by nobody else.
    address = str(ipaddress.IPv6Address(0x20010DB8 << 96 | uuid.uuid4().int >> 32))
    one, two = worker(service, tmp_path / "one"), worker(service, tmp_path / "two")
    assert [issue_from(client, service, address) for client in (one, two, one)] \
        == [201, 201, 429]


def test_limits_count_in_memory_while_redis_is_down(service, tmp_path) -> None:
    """Limits never stop the service: a process that cannot reach Redis counts on its own."""
    client = worker(service, tmp_path, "redis://127.0.0.1:1/0")
    assert [issue_from(client, service, "198.51.100.7") for _ in range(3)] == [201, 201, 429]


def test_readiness_and_health(service) -> None:
    assert service.client.get("/healthz").get_json() == {"status": "ok"}
    assert service.client.get("/readyz").get_json() == {"status": "ready"}


def test_metrics_count_issuance_verification_and_errors(service) -> None:
    def value(name: str) -> float:
        text = service.client.get("/metrics").get_data(as_text=True)
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith(name))

    issued = value('credentials_issued_total{kind="competency"}')
    requests = value('http_requests_total{endpoint="/api/v1/issuers/<slug>/completions"')
    verified = value('verifications_total{verified="true"}')
    credential = issue(service).get_json()["credential"]
    assert value('credentials_issued_total{kind="competency"}') == issued + 1
    service.client.post("/credentials/verify", json={"verifiableCredential": credential})
    assert value('verifications_total{verified="true"}') == verified + 1
    assert value('http_requests_total{endpoint="/api/v1/issuers/<slug>/completions"') \
        == requests + 1
    assert "http_request_duration_seconds_bucket" in service.client.get("/metrics").get_data(
        as_text=True)


def test_every_answer_carries_a_request_id(service) -> None:
    assert len(service.client.get("/healthz").headers["X-Request-ID"]) == 32
    echoed = service.client.get("/healthz", headers={"X-Request-ID": "trace-42"})
    assert echoed.headers["X-Request-ID"] == "trace-42"


def test_logs_are_json_lines_with_the_request_id(service, caplog) -> None:
    with caplog.at_level(logging.INFO, logger="issuer.requests"):
        service.client.get("/healthz", headers={"X-Request-ID": "trace-7"})
    record = next(r for r in caplog.records if r.name == "issuer.requests")
    with service.app.test_request_context("/healthz"):
        from flask import g

        g.request_id = "trace-7"
        line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "request" and line["status"] == 200
    assert line["path"] == "/healthz" and line["request_id"] == "trace-7"


def test_wallet_offer_ids_are_not_written_to_the_request_log(service, caplog) -> None:
    """An offer id takes the offer: a log reader must not be able to."""
    with caplog.at_level(logging.INFO, logger="issuer.requests"):
        service.client.get("/oid4vci/offers/a-secret-offer-id")
        service.client.post("/workflows/claim/exchanges/a-secret-offer-id", json={})
    paths = [r.fields["path"] for r in caplog.records if r.name == "issuer.requests"]
    assert paths == ["/oid4vci/offers/<offer_id>", "/workflows/claim/exchanges/<offer_id>"]


def test_admins_can_read_the_audit_trail(service) -> None:
    issued = issue(service).get_json()
    service.client.post(f"/api/v1/issuers/riverbend/credentials/{issued['credentialId']}/revoke",
                        json={"reason": "error"}, headers=service.auth(service.admin))
    trail = service.client.get("/api/v1/issuers/riverbend/audit?limit=10",
                               headers=service.auth(service.admin)).get_json()
    actions = [event["action"] for event in trail["events"]]
    assert actions[:2] == ["credential.revoke", "credential.issue"]
    assert trail["events"][0]["subject"] == f"credential:{issued['credentialId']}"
    only = service.client.get("/api/v1/issuers/riverbend/audit?action=credential.issue",
                              headers=service.auth(service.admin)).get_json()
    assert {event["action"] for event in only["events"]} == {"credential.issue"}
    assert service.client.get("/api/v1/issuers/riverbend/audit",
                              headers=service.auth(service.assessor)).status_code == 403
