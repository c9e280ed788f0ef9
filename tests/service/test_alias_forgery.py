"""A forger's did:web document listing someone else's identifier in alsoKnownAs does not make
its credentials that issuer's, over HTTP (SQLite, and PostgreSQL with TEST_STORE=postgresql);
our own did:web credentials stay bound."""

from __future__ import annotations

import copy

import pytest

from credentials.fetch import SafeFetcher
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from keys import Ed25519Signer
from keys.did import did_web_document
from tests.service.conftest import completion_body

EVIL = "did:web:evil.example"
SIGNER = Ed25519Signer.from_seed(bytes(range(7, 39))).with_id(f"{EVIL}#k", EVIL)
CLAIMED = ["https://registrar.university.example/issuer", "http://LOCALHOST:5000/issuers/riverbend"]


@pytest.fixture
def evil_did_web(monkeypatch: pytest.MonkeyPatch) -> None:
    """did:web:evil.example resolves to a document claiming other issuers' identifiers."""
    document = did_web_document(EVIL, [SIGNER.verification_key])
    document["alsoKnownAs"] = CLAIMED
    served = {"https://evil.example/.well-known/did.json": document}
    real = SafeFetcher.get_json

    def get_json(self: SafeFetcher, url: str) -> object:
        return served[url] if url in served else real(self, url)

    monkeypatch.setattr(SafeFetcher, "get_json", get_json)


def issue(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credential"]


@pytest.mark.parametrize("issuer", CLAIMED)
def test_a_one_way_also_known_as_binds_no_issuer(service, evil_did_web, issuer: str) -> None:
    real = issue(service)
    forged = {k: copy.deepcopy(v) for k, v in real.items()
              if k not in ("proof", "credentialStatus")}
    forged["issuer"]["id"] = issuer
    response = service.client.post("/credentials/verify", json={
        "verifiableCredential": create_proof(forged, EDDSA_RDFC_2022, SIGNER)})
    report = response.get_json()
    assert response.status_code == 422, report
    assert report["verified"] is False and report["issuerBound"] is False
    [check] = [c for c in report["checks"] if c["check"] == "issuer"]
    assert check["outcome"] == "failure"
    # Another spelling of our own issuer is ours (the store decides), a stranger's is not.
    assert check["message"] in (
        f"signed by a key of {EVIL}, not of the credential's issuer {issuer}",
        f"signed by {EVIL}#k, which is not a key of {issuer} (nor of any issuer of this "
        "service)")


def test_our_did_web_credentials_stay_bound(service, evil_did_web) -> None:
    real = issue(service)
    assert real["issuer"]["id"].startswith("did:web:localhost%3A5000:issuers:riverbend")
    report = service.client.post("/credentials/verify",
                                 json={"verifiableCredential": real}).get_json()
    assert report["verified"] is True and report["issuerBound"] is True, report["errors"]
