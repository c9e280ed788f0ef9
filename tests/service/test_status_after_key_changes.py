"""Status lists stay publishable through key changes: a revoked key's signature is replaced
when the list is next read, and a list under a did:key is signed by that key after a rotation
(no other key can speak for that identifier); an anonymous reader never meets a token error."""

from __future__ import annotations

import json

from credentials.verify import verify_credential
from credentials.verify.report import Outcome
from credentials.verify.resolvers import default_resolver
from tests.resolvers_support import FakeFetcher
from tests.service.conftest import BASE, completion_body
from tests.service.test_errors import assert_problem

LIST = "/status/riverbend/1"


def issue_completion(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def issue_as_did_key(service) -> tuple[str, dict]:
    did_document = service.client.get("/issuers/riverbend/did.json").get_json()
    issuer_id = "did:key:" + did_document["verificationMethod"][0]["publicKeyMultibase"]
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2"],
                                       "type": ["VerifiableCredential"], "issuer": issuer_id,
                                       "credentialSubject": {"id": "did:example:learner"}}})
    assert response.status_code == 201, response.get_json()
    return issuer_id, response.get_json()["verifiableCredential"]


def published(service, url: str) -> dict:
    response = service.client.get(url)
    assert response.status_code == 200, response.get_json()
    return json.loads(response.data)


def verifies_outside(service, document: dict) -> bool:
    """What a verifier elsewhere concludes, resolving our did:web from today's did.json."""
    did_json = service.client.get("/issuers/riverbend/did.json").get_json()
    resolver = default_resolver(FakeFetcher({
        "https://localhost:5000/issuers/riverbend/did.json": did_json}))
    return verify_credential(document, resolver=resolver).check("proof").outcome == Outcome.SUCCESS


def rotate(service) -> None:
    response = service.client.post("/api/v1/issuers/riverbend/keys/rotate",
                                   headers=service.auth(service.admin))
    assert response.status_code == 200, response.get_json()


def revoke_key(service, kid: str) -> None:
    response = service.client.post(f"/api/v1/issuers/riverbend/keys/{kid}/revoke",
                                   headers=service.auth(service.admin))
    assert response.status_code == 200, response.get_json()


def test_a_revoked_key_s_signature_on_a_list_is_replaced(service) -> None:
    first = issue_completion(service)
    before = published(service, LIST)
    old_method = before["proof"]["verificationMethod"]
    rotate(service)
    revoke_key(service, old_method.rsplit("#", 1)[1])
    issue_completion(service)  # signed by the new key, on the same list
    after = published(service, LIST)
    assert after["proof"]["verificationMethod"] != old_method
    assert verifies_outside(service, after)
    assert first["credential"]["credentialStatus"]["statusListCredential"] == f"{BASE}{LIST}"


def test_a_did_key_list_is_signed_by_its_key_after_a_rotation(service) -> None:
    issuer_id, credential = issue_as_did_key(service)
    url = credential["credentialStatus"]["statusListCredential"].removeprefix(BASE)
    rotate(service)
    revoked = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{credential['id'].rsplit('/', 1)[1]}/revoke",
        json={"reason": "issued in error"}, headers=service.auth(service.admin))
    assert revoked.status_code == 200, revoked.get_json()
    document = published(service, url)
    assert document["issuer"] == issuer_id
    assert document["proof"]["verificationMethod"].startswith(issuer_id + "#")
    # a did:key resolves by itself
    assert verify_credential(document).check("proof").outcome == Outcome.SUCCESS


def test_a_did_key_list_of_a_revoked_key_says_so_without_a_token_error(service) -> None:
    issuer_id, credential = issue_as_did_key(service)
    url = credential["credentialStatus"]["statusListCredential"].removeprefix(BASE)
    rotate(service)
    revoke_key(service, issuer_id.removeprefix("did:key:"))
    body = assert_problem(service.client.get(url), 503)
    assert "revoked" in body["detail"] and "token" not in body["detail"]
