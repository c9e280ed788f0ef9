"""A signed credential whose standard properties are renamed (an inline term, a prefix, an
IRI as a key, @nest) keeps a valid Data Integrity signature, because its RDF is unchanged,
while the checks that read the JSON no longer see them. Such a credential fails; the VC API
signs none."""

from __future__ import annotations

import copy
import json

import pytest

from tests.service.conftest import BASE
from tests.service.test_api import issue

CRED = "https://www.w3.org/2018/credentials#"
STATUS_TERM = {"cs": {"@id": f"{CRED}credentialStatus", "@type": "@id"}}


def revoked(service) -> dict:
    issued = issue(service)
    response = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{issued['credentialId']}/revoke",
        json={"reason": "issued in error"}, headers=service.auth(service.admin))
    assert response.status_code == 200, response.get_json()
    return issued["credential"]


def verify(service, credential: dict):
    return service.client.post("/credentials/verify", json={"verifiableCredential": credential})


def renamed_status(credential: dict) -> dict:
    forged = copy.deepcopy(credential)
    forged["@context"] = [*forged["@context"], STATUS_TERM]
    forged["cs"] = forged.pop("credentialStatus")
    return forged


def status_as_iri(credential: dict) -> dict:
    forged = copy.deepcopy(credential)
    forged[f"{CRED}credentialStatus"] = forged.pop("credentialStatus")
    return forged


def status_nested(credential: dict) -> dict:
    forged = copy.deepcopy(credential)
    forged["@context"] = [*forged["@context"], {"wrapped": "@nest"}]
    forged["wrapped"] = {"credentialStatus": forged.pop("credentialStatus")}
    return forged


@pytest.mark.parametrize("rename", [renamed_status, status_as_iri, status_nested])
def test_a_revoked_credential_with_its_status_renamed_does_not_verify(service, rename) -> None:
    credential = revoked(service)
    assert verify(service, credential).status_code == 422
    report = verify(service, rename(credential)).get_json()
    assert report["verified"] is False and report["standing"] == "failed", report
    [schema] = [c for c in report["checks"] if c["check"] == "schema"]
    assert schema["outcome"] == "failure"
    assert "credentialStatus" in schema["message"] or "@nest" in schema["message"]
    page = service.client.post("/verify", data={"credential_text": json.dumps(
        rename(credential))}).get_data(as_text=True)
    assert "every check passed" not in page


def test_an_expired_credential_with_valid_until_renamed_does_not_verify(service) -> None:
    issued = service.client.post("/credentials/issue", headers=service.auth(service.admin), json={
        "credential": {"@context": ["https://www.w3.org/ns/credentials/v2"],
                       "type": ["VerifiableCredential"], "issuer": f"{BASE}/issuers/riverbend",
                       "validUntil": "2001-01-01T00:00:00Z",
                       "credentialSubject": {"id": "did:example:learner"}}})
    assert issued.status_code == 201, issued.get_json()
    expired = issued.get_json()["verifiableCredential"]
    assert verify(service, expired).status_code == 422
    forged = copy.deepcopy(expired)
    forged["@context"] = [*forged["@context"], {"vu": {
        "@id": f"{CRED}validUntil", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"}}]
    forged["vu"] = forged.pop("validUntil")
    report = verify(service, forged).get_json()
    assert report["verified"] is False, report
    assert "validUntil" in report["verdict"] + " ".join(report["errors"])


def test_the_vc_api_signs_no_renamed_standard_property(service) -> None:
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2",
                                                    {"vu": {"@id": f"{CRED}validUntil"}}],
                                       "type": ["VerifiableCredential"],
                                       "issuer": f"{BASE}/issuers/riverbend",
                                       "vu": "2001-01-01T00:00:00Z",
                                       "credentialSubject": {"id": "did:example:learner"}}})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "/credential/@context/1/vu" in str(response.get_json())
    assert service.counts()["credentials"] == 0
