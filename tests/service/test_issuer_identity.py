"""The issuer identity we sign under: the issuer's did:web, bound in its did.json; credentials
issued under the profile URL before keep verifying; bases with a port or a path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from issuer.services.callers import Caller
from issuer.services.issuers import create_issuer, create_token
from issuer.store import store
from issuer.web.context import service_context
from tests.service.conftest import BASE, completion_body, copied_store, make_app

DID = "did:web:localhost%3A5000:issuers:riverbend"
PROFILE = f"{BASE}/issuers/riverbend"


def issue(client, token: str) -> dict:
    response = client.post("/api/v1/issuers/riverbend/completions", json=completion_body(),
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def verify(client, credential: dict) -> dict:
    return client.post("/credentials/verify", json={"verifiableCredential": credential}
                       ).get_json()


def outcome(report: dict, name: str) -> tuple[str, str]:
    check = next(c for c in report["checks"] if c["check"] == name)
    return check["outcome"], check["message"]


def test_what_we_sign_names_the_did_web_that_did_json_binds(service) -> None:
    credential = issue(service.client, service.assessor)["credential"]
    method = credential["proof"]["verificationMethod"]
    assert credential["issuer"]["id"] == DID and method.startswith(f"{DID}#z6Mk")

    did_json = service.client.get("/issuers/riverbend/did.json").get_json()
    assert did_json["id"] == DID and did_json["alsoKnownAs"] == [PROFILE]
    assert method in did_json["assertionMethod"]
    [published] = [m for m in did_json["verificationMethod"] if m["id"] == method]
    assert published["type"] == "Multikey" and published["controller"] == DID
    profile = service.client.get("/issuers/riverbend").get_json()
    assert profile["id"] == PROFILE
    assert {"type": "IdentifierEntry", "identifier": DID,
            "identifierType": "identifier"} in profile["otherIdentifier"]

    listed = service.client.get(credential["credentialStatus"]["statusListCredential"]
                                .removeprefix(BASE))
    status_list = listed.get_json(force=True)
    assert status_list["issuer"] == DID
    assert status_list["proof"]["verificationMethod"] == method

    # Our own verifier binds the key from the store (no HTTP, so `make run` on http works).
    report = verify(service.client, credential)
    assert report["verified"] is True, report["errors"]
    assert outcome(report, "issuer") == ("success", f"signed by a key of the issuer {DID}")
    assert outcome(report, "status")[0] == "success"


def test_credentials_issued_under_the_profile_url_keep_verifying(service) -> None:
    """Before did:web was the default, the issuer was the profile URL, its key
    ``<profile>#<multikey>``, its status list issued under the same URL: such a credential
    verifies as it is, and revoking it still shows."""
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2"],
                                       "type": ["VerifiableCredential"],
                                       "issuer": {"id": PROFILE, "name": "Riverbend"},
                                       "credentialSubject": {"id": "did:example:learner"}}})
    assert response.status_code == 201, response.get_json()
    old = response.get_json()["verifiableCredential"]
    assert old["proof"]["verificationMethod"].startswith(f"{PROFILE}#z6Mk")
    new = issue(service.client, service.assessor)["credential"]
    old_list = old["credentialStatus"]["statusListCredential"]
    assert old_list != new["credentialStatus"]["statusListCredential"]
    assert service.client.get(old_list.removeprefix(BASE)).get_json(force=True)["issuer"] \
        == PROFILE

    report = verify(service.client, old)
    assert report["verified"] is True, report["errors"]
    assert outcome(report, "issuer")[0] == "success"
    credential_id = old["id"].rsplit("/", 1)[1]
    revoked = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{credential_id}/revoke",
        headers=service.auth(service.admin))
    assert revoked.status_code == 200, revoked.get_json()
    assert outcome(verify(service.client, old), "status")[1].startswith("revoked")
    assert verify(service.client, new)["verified"] is True


@pytest.fixture
def path_service(tmp_path: Path, template_store: str) -> Iterator[tuple]:
    """The service behind a proxy at https://example.org:8443/cc (the app sees /...)."""
    base = "https://example.org:8443/cc"
    with copied_store(tmp_path, template_store) as config:
        app = make_app(tmp_path, PUBLIC_BASE_URL=base, **config)
        with store(app).sessions() as db:
            created = create_issuer(db, service_context(app).kek, base, "riverbend", "Riverbend")
            assessor = create_token(db, "riverbend", "assessor", None, Caller.operator())
        yield app.test_client(), created, str(assessor["token"])
        store(app).engine.dispose()


def test_a_base_url_with_a_port_and_a_path(path_service) -> None:
    client, created, assessor = path_service
    did = "did:web:example.org%3A8443:cc:issuers:riverbend"
    assert created["did"] == did and created["id"] == "https://example.org:8443/cc/issuers/riverbend"
    credential = issue(client, assessor)["credential"]
    assert credential["issuer"]["id"] == did
    assert client.get("/issuers/riverbend/did.json").get_json()["id"] == did
    report = verify(client, credential)
    assert report["verified"] is True, report["errors"]
    assert outcome(report, "issuer")[0] == "success"
