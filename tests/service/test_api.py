"""Every endpoint's success path, over the real app and store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator
from sqlalchemy import select

from credentials.proofs import EDDSA_RDFC_2022, verify_proof
from credentials.verify.resolvers import DidWebResolver
from issuer.store import store
from issuer.store.models import AuditEvent, Completion
from keys.ed25519 import Ed25519VerificationKey
from tests.resolvers_support import FakeFetcher
from tests.service.conftest import BASE, MODEL, completion_body


def issue(service, token=None, **changes) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(**changes),
                                   headers=service.auth(token or service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_healthz(service) -> None:
    response = service.client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_frameworks(service) -> None:
    listing = service.client.get("/api/v1/frameworks").get_json()["frameworks"]
    assert [f["id"] for f in listing] == [MODEL]
    model = service.client.get(f"/api/v1/frameworks/{MODEL}").get_json()
    assert len(model["competencies"]) == 25
    de_escalation = next(c for c in model["competencies"] if c["id"] == "de-escalation")
    assert de_escalation["tier"] == "industry-sector-technical"
    assert de_escalation["trainingMode"] == "related-instruction"
    assert de_escalation["levels"]["developing"][0]["id"] == "developing-4"
    assert "© EBSCOed" in model["levelFramework"]["attribution"]


def test_record_completion_issues_a_verifiable_credential(service, standards: Path) -> None:
    result = issue(service)
    credential = result["credential"]
    assert result["url"] == f"{BASE}/credentials/{result['credentialId']}"
    assert credential["id"] == result["url"]
    # The issuer is the did:web every verifier binds, still carrying the Profile's details.
    did = "did:web:localhost%3A5000:issuers:riverbend"
    assert credential["issuer"] == {"id": did, "type": ["Profile"],
                                    "name": "Riverbend Behavioral Health",
                                    "url": "https://riverbend.example.org"}
    assert credential["proof"]["verificationMethod"].startswith(did + "#z6Mk")
    assert credential["credentialStatus"]["statusListCredential"].startswith(
        f"{BASE}/status/riverbend/")

    schema = json.loads((standards / "schemas" / "ob_v3p0" /
                         "ob_v3p0_achievementcredential_schema.json").read_text())
    assert list(Draft201909Validator(schema).iter_errors(credential)) == []

    served = service.client.get(f"/credentials/{result['credentialId']}")
    assert served.status_code == 200
    assert served.mimetype == "application/vc+ld+json"
    assert served.get_json() == credential

    verified = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    assert verified.status_code == 200
    assert verified.get_json()["verified"] is True


def test_proof_verifies_against_the_key_in_did_json(service) -> None:
    credential = issue(service)["credential"]
    did_document = service.client.get("/issuers/riverbend/did.json").get_json()
    assert did_document["id"] == "did:web:localhost%3A5000:issuers:riverbend"
    multikey = credential["proof"]["verificationMethod"].split("#")[1]
    published = [m for m in did_document["verificationMethod"]
                 if m["publicKeyMultibase"] == multikey]
    assert len(published) == 1 and published[0]["id"] in did_document["assertionMethod"]
    key = Ed25519VerificationKey.from_multikey(published[0]["publicKeyMultibase"])
    verify_proof(credential, credential["proof"], EDDSA_RDFC_2022, key)


def test_profile_and_achievement_documents(service) -> None:
    profile = service.client.get("/issuers/riverbend")
    assert profile.mimetype == "application/ld+json"
    assert profile.get_json()["type"] == ["Profile"]
    assert profile.get_json()["name"] == "Riverbend Behavioral Health"
    achievement = service.client.get(f"/achievements/{MODEL}/de-escalation").get_json()
    assert achievement["id"] == f"{BASE}/achievements/{MODEL}/de-escalation"
    assert achievement["achievementType"] == "Competency"


def test_list_credentials_by_learner(service) -> None:
    first = issue(service)
    issue(service, learner={"name": "Sam Lee", "email": "sam@example.com"})
    response = service.client.get("/api/v1/issuers/riverbend/credentials",
                                  query_string={"learner": "Jordan.Rivera@EXAMPLE.com"},
                                  headers=service.auth(service.admin))
    listed = response.get_json()["credentials"]
    assert [c["credentialId"] for c in listed] == [first["credentialId"]]
    assert listed[0]["level"] == "developing" and listed[0]["issuedAt"].endswith("Z")
    everyone = service.client.get("/api/v1/issuers/riverbend/credentials",
                                  headers=service.auth(service.assessor)).get_json()
    assert len(everyone["credentials"]) == 2


def test_vc_api_issue_with_did_web_issuer_verifies_through_did_web(service) -> None:
    did = "did:web:localhost%3A5000:issuers:riverbend"
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2"],
                                       "type": ["VerifiableCredential"],
                                       "issuer": did,
                                       "credentialSubject": {"id": "did:example:learner"}},
                                       "options": {}})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["proof"]["verificationMethod"].startswith(did + "#z6Mk")
    served = service.client.get(signed["id"].removeprefix(BASE))
    assert served.get_json() == signed
    # As a verifier elsewhere would: did:web -> https://localhost:5000/.../did.json.
    did_json = service.client.get("/issuers/riverbend/did.json").get_json()
    resolver = DidWebResolver(FakeFetcher({
        "https://localhost:5000/issuers/riverbend/did.json": did_json}))
    key = resolver.resolve(signed["proof"]["verificationMethod"], "assertionMethod")
    verify_proof(signed, signed["proof"], EDDSA_RDFC_2022, key)
    # The service itself resolves its own did:web from the store: its fetcher refuses
    # loopback, so an HTTP round trip to itself would have failed this.
    report = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert report.status_code == 200, report.get_json()


@pytest.mark.parametrize("issuer_form", ["profile", "did:key"])
def test_vc_api_issue_for_each_issuer_identifier(service, issuer_form: str) -> None:
    if issuer_form == "profile":
        issuer_id = f"{BASE}/issuers/riverbend"
    else:
        did_document = service.client.get("/issuers/riverbend/did.json").get_json()
        issuer_id = "did:key:" + did_document["verificationMethod"][0]["publicKeyMultibase"]
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2"],
                                       "type": ["VerifiableCredential"],
                                       "issuer": {"id": issuer_id},
                                       "credentialSubject": {"id": "did:example:learner"}}})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["proof"]["verificationMethod"].startswith(issuer_id)
    report = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert report.status_code == 200, report.get_json()


def test_verify_reports_failure_with_422(service) -> None:
    credential = issue(service)["credential"]
    credential["credentialSubject"]["result"][0]["achievedLevel"] = \
        credential["credentialSubject"]["result"][0]["achievedLevel"].replace("developing",
                                                                              "advanced")
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    assert response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    assert body["errors"][0].startswith("proof: the signature does not match")
    assert {c["check"] for c in body["checks"]} == {
        "schema", "proof", "issuer", "validity_period", "status", "subject",
        "embedded_credentials", "endorsements"}


def test_admin_mints_tokens(service) -> None:
    response = service.client.post("/api/v1/issuers/riverbend/tokens",
                                   headers=service.auth(service.admin),
                                   json={"role": "assessor", "label": "night shift"})
    assert response.status_code == 201
    token = response.get_json()["token"]
    issue(service, token=token)


def test_openapi_and_docs(service) -> None:
    spec = service.client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    assert "/api/v1/issuers/{slug}/completions" in spec["paths"]
    page = service.client.get("/docs")
    assert page.status_code == 200 and b"/credentials/verify" in page.data


def test_issuance_is_audited_with_the_assessors_token(service) -> None:
    result = issue(service)
    with store(service.app).sessions() as db:
        completion = db.get(Completion, result["completionId"])
        event = db.scalars(select(AuditEvent).where(
            AuditEvent.subject == f"credential:{result['credentialId']}")).one()
    assert event.action == "credential.issue"
    assert event.token_id == completion.verified_by_token_id is not None
