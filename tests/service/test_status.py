"""Revocation and suspension through Bitstring Status Lists, end to end over HTTP."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

import issuer.services.status_lists as status_lists
from credentials.status import MIN_ENTRIES, Bitstring
from credentials.verify import verify_credential
from credentials.verify.resolvers import default_resolver
from issuer.services.issuers import create_issuer, update_issuer
from issuer.store import store
from issuer.store.models import StatusList
from issuer.web.context import service_context
from tests.resolvers_support import FakeFetcher
from tests.service.concurrency import assert_nothing_lost, issue_concurrently
from tests.service.conftest import BASE, completion_body
from tests.service.test_errors import assert_problem

URL = "/api/v1/issuers/riverbend"


def issue(service, token: str | None = None) -> dict:
    response = service.client.post(f"{URL}/completions", json=completion_body(),
                                   headers=service.auth(token or service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def change(service, credential_id: str, action: str, token: str | None = None,
           reason: str | None = "issued in error"):
    body = {"reason": reason} if reason else None
    return service.client.post(f"{URL}/credentials/{credential_id}/{action}", json=body,
                               headers=service.auth(token or service.admin))


def verify(service, credential: dict):
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    return response.status_code, response.get_json()


def status_check(report: dict) -> dict:
    return next(c for c in report["checks"] if c["check"] == "status")


def test_every_credential_carries_a_revocation_entry(service) -> None:
    credential = issue(service)["credential"]
    entry = credential["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["statusListCredential"] == f"{BASE}/status/riverbend/1"
    assert 0 <= int(entry["statusListIndex"]) < MIN_ENTRIES
    assert entry["id"] == f"{entry['statusListCredential']}#{entry['statusListIndex']}"
    status, report = verify(service, credential)
    assert status == 200
    assert status_check(report)["outcome"] == "success"


def test_revoke_then_verify_reports_revoked(service) -> None:
    issued = issue(service)
    response = change(service, issued["credentialId"], "revoke")
    assert response.status_code == 200
    assert response.get_json()["status"] == "revoked"
    status, report = verify(service, issued["credential"])
    assert status == 422
    assert status_check(report)["outcome"] == "failure"
    assert status_check(report)["message"].startswith("revoked")
    again = change(service, issued["credentialId"], "revoke")
    body = assert_problem(again, 409)
    assert "final" in body["detail"]
    listed = service.client.get(f"{URL}/credentials", headers=service.auth(service.admin))
    assert listed.get_json()["credentials"][0]["status"] == "revoked"


def test_suspend_then_reinstate(service) -> None:
    with store(service.app).sessions() as db:
        update_issuer(db, "riverbend", suspension=True)
    issued = issue(service)
    purposes = [e["statusPurpose"] for e in issued["credential"]["credentialStatus"]]
    assert purposes == ["revocation", "suspension"]
    assert change(service, issued["credentialId"], "suspend").status_code == 200
    status, report = verify(service, issued["credential"])
    assert status == 422 and status_check(report)["message"].startswith("suspended")
    assert_problem(change(service, issued["credentialId"], "suspend"), 409)
    assert change(service, issued["credentialId"], "reinstate", reason=None).status_code == 200
    status, report = verify(service, issued["credential"])
    assert status == 200 and status_check(report)["outcome"] == "success"
    assert_problem(change(service, issued["credentialId"], "reinstate"), 409)


def test_suspending_without_a_suspension_entry_is_409(service) -> None:
    issued = issue(service)
    body = assert_problem(change(service, issued["credentialId"], "suspend"), 409)
    assert "suspension status entry" in body["detail"]


def test_status_changes_need_an_admin_of_the_issuer(service) -> None:
    issued = issue(service)
    assert_problem(change(service, issued["credentialId"], "revoke", token=service.assessor),
                   403)
    with store(service.app).sessions() as db:
        lakeside_admin = create_issuer(db, service_context(service.app).kek, BASE, "lakeside2",
                                       "Lakeside 2")["token"]
    body = assert_problem(service.client.post(
        f"/api/v1/issuers/lakeside2/credentials/{issued['credentialId']}/revoke",
        json={"reason": "x"}, headers=service.auth(lakeside_admin)), 403)
    assert "not issued by" in body["detail"]
    assert_problem(service.client.post(
        f"{URL}/credentials/{issued['credentialId']}/revoke", json={"reason": "x"}), 401)
    assert_problem(change(service, "8e9b6f8e-0000-4000-8000-000000000000", "revoke"), 404)


def test_published_list_verifies_and_a_tampered_list_fails(service) -> None:
    issued = issue(service)
    change(service, issued["credentialId"], "revoke")
    response = service.client.get("/status/riverbend/1")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+ld+json"
    assert "max-age=300" in response.headers["Cache-Control"]
    document = json.loads(response.data)
    assert document["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    subject = document["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["ttl"] == 300_000
    assert "validUntil" in document
    bits = Bitstring.decode(subject["encodedList"])
    assert len(bits) == MIN_ENTRIES
    assert bits.set_indexes() == [int(issued["credential"]["credentialStatus"]
                                      ["statusListIndex"])]
    status, report = verify(service, document)
    assert status == 200, report
    assert report["checks"][0]["message"] == "valid BitstringStatusListCredential"
    tampered = {**document, "credentialSubject": {**subject,
                                                  "encodedList": Bitstring().encode()}}
    status, report = verify(service, tampered)
    assert status == 422
    assert any(e.startswith("proof:") for e in report["errors"])


def test_list_is_resigned_once_per_batch_of_changes(service) -> None:
    first, second = issue(service), issue(service)
    before = json.loads(service.client.get("/status/riverbend/1").data)
    assert json.loads(service.client.get("/status/riverbend/1").data) == before
    change(service, first["credentialId"], "revoke")
    change(service, second["credentialId"], "revoke")
    after = json.loads(service.client.get("/status/riverbend/1").data)
    assert after["proof"]["proofValue"] != before["proof"]["proofValue"]
    assert json.loads(service.client.get("/status/riverbend/1").data) == after
    assert len(Bitstring.decode(after["credentialSubject"]["encodedList"]).set_indexes()) == 2


def test_unknown_list_is_404(service) -> None:
    assert_problem(service.client.get("/status/riverbend/99"), 404)
    assert_problem(service.client.get("/status/nobody/1"), 404)


def test_an_offline_verifier_sees_the_revocation_too(service) -> None:
    """The library, given the published list and DID documents, reaches the same verdict."""
    issued = issue(service)
    change(service, issued["credentialId"], "revoke")
    published = json.loads(service.client.get("/status/riverbend/1").data)
    did_json = service.client.get("/issuers/riverbend/did.json").get_json()
    resolver = default_resolver(FakeFetcher({
        "https://localhost:5000/issuers/riverbend/did.json": did_json}))

    class Published:
        def handles(self, url: str) -> bool:
            return True

        def get(self, url: str) -> dict:
            assert url == f"{BASE}/status/riverbend/1"
            return published

    report = verify_credential(issued["credential"], resolver=resolver,
                               status_source=Published())
    assert report.check("status").message.startswith("revoked")


def test_concurrent_issuance_gets_distinct_positions(service, monkeypatch) -> None:
    """200 issuances from 8 threads on SQLite, one failing midway: distinct positions, and
    the failed one leaves nothing behind."""
    result = issue_concurrently(service.app, service.assessor, "riverbend", monkeypatch)
    assert_nothing_lost(result)
    with store(service.app).sessions() as db:
        assert db.scalar(select(func.count()).select_from(StatusList)) == 1


@pytest.mark.parametrize("action", ["revoke", "suspend", "reinstate"])
def test_status_change_via_cli(service, action: str) -> None:
    with store(service.app).sessions() as db:
        update_issuer(db, "riverbend", suspension=True)
    issued = issue(service)
    runner = service.app.test_cli_runner()
    if action == "reinstate":
        runner.invoke(args=["credentials", "suspend", issued["credentialId"],
                            "--issuer", "riverbend"])
    result = runner.invoke(args=["credentials", action, issued["credentialId"],
                                 "--issuer", "riverbend", "--reason", "CLI"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] == {"revoke": "revoked", "suspend": "suspended",
                                                   "reinstate": "active"}[action]


def test_a_full_list_is_followed_by_the_next(service, monkeypatch) -> None:
    monkeypatch.setattr(status_lists, "LIST_SIZE", 16)
    entries = [issue(service)["credential"]["credentialStatus"] for _ in range(20)]
    by_list: dict[str, set[int]] = {}
    for entry in entries:
        by_list.setdefault(entry["statusListCredential"], set()).add(
            int(entry["statusListIndex"]))
    assert sorted(by_list) == [f"{BASE}/status/riverbend/1", f"{BASE}/status/riverbend/2"]
    assert by_list[f"{BASE}/status/riverbend/1"] == set(range(16))
    assert len(by_list[f"{BASE}/status/riverbend/2"]) == 4
