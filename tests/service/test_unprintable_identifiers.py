"""Identifiers holding a control character (NUL above all: PostgreSQL cannot even compare
text holding one) or a lone surrogate are refused before any store lookup: an unauthenticated
verification answers 422 naming the cause, never 500; the verifier page answers 400."""

from __future__ import annotations

import base64
import copy
import json

import pytest

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.verify import ResolutionError, StatusUnavailable
from issuer.services.verification import StoreIssuers, StoreResolver, StoreStatusSource
from issuer.store import store
from keys import Ed25519Signer
from keys.did import did_key
from tests.service.conftest import BASE, completion_body

ATTACKER = Ed25519Signer.from_seed(bytes(range(7, 39)))
MULTIKEY = ATTACKER.verification_key.multikey
DID_WEB = "did:web:localhost%3A5000:issuers:riverbend"


@pytest.fixture
def service(service):
    """Errors as a client sees them (a 500, not a raised exception)."""
    service.app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    return service


def real_credential(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.assessor))
    assert response.status_code == 201
    credential = copy.deepcopy(response.get_json()["credential"])
    del credential["proof"]
    return credential


def signed(credential: dict, method: str | None = None) -> dict:
    did = did_key(ATTACKER.verification_key)
    return create_proof(credential, EDDSA_RDFC_2022,
                        ATTACKER.with_id(method or f"{did}#{MULTIKEY}", did))


def with_status_url(url: str):
    def change(credential: dict) -> None:
        entries = credential["credentialStatus"]
        for entry in entries if isinstance(entries, list) else [entries]:
            entry["statusListCredential"] = url
    return change


def with_issuer(issuer: str):
    return lambda credential: credential["issuer"].update(id=issuer)


SHAPES = {
    "status list slug with NUL": (with_status_url(f"{BASE}/status/river\x00bend/1"), None,
                                  "status", "is not a status list of this service"),
    "status list number too large": (with_status_url(f"{BASE}/status/riverbend/" + "9" * 20),
                                     None, "status", "is not a status list of this service"),
    "status list number in Arabic digits": (with_status_url(f"{BASE}/status/riverbend/\u0661"),
                                            None, "status",
                                            "is not a status list of this service"),
    "did:key issuer with NUL": (with_issuer("did:key:z6Mk\x00"), None, "issuer",
                                "holds U+0000"),
    "our did:web issuer with NUL": (with_issuer(f"{DID_WEB[:-4]}\x00bend"), None, "issuer",
                                    "holds U+0000"),
    "our verification method with NUL": (
        lambda credential: None, f"{DID_WEB[:-4]}\x00bend#{MULTIKEY}", "proof",
        "the verification method holds a control character (U+0000)"),
    "our key id with NUL": (lambda credential: None, f"{DID_WEB}#{MULTIKEY}\x00", "proof",
                            "the verification method holds a control character (U+0000)"),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_unprintable_identifiers_fail_verification_by_name(service, shape: str) -> None:
    change, method, check_name, words = SHAPES[shape]
    credential = real_credential(service)
    change(credential)
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": signed(credential, method)})
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    report = response.get_json()
    check = next(c for c in report["checks"] if c["check"] == check_name)
    assert check["outcome"] == "failure" and words in check["message"], check


def _b64(value: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()


def test_a_jwt_kid_with_nul_fails_verification_by_name(service) -> None:
    token = (_b64({"alg": "EdDSA", "kid": f"{DID_WEB}#\x00"}) + "."
             + _b64(real_credential(service)) + ".AAAA")
    response = service.client.post("/credentials/verify", json={"verifiableCredential": token})
    assert response.status_code == 422
    proof = next(c for c in response.get_json()["checks"] if c["check"] == "proof")
    assert "holds a control character (U+0000)" in proof["message"]
    page = service.client.post("/verify", data={"credential_text": token})
    assert page.status_code == 200 and "holds a control character" in page.get_data(
        as_text=True)


def test_the_verifier_page_refuses_a_credential_url_with_nul(service) -> None:
    response = service.client.post("/verify",
                                   data={"credential_url": f"{BASE}/credentials/abc\x00"})
    assert response.status_code == 400
    assert "the credential URL holds a control character (U+0000)" in \
        response.get_data(as_text=True)


def test_the_store_parts_refuse_before_looking_up(service) -> None:
    """Each store-backed part of the verifier on its own (the library refuses some shapes
    first, so these would otherwise go unexercised on the HTTP path)."""
    with store(service.app).sessions() as db:
        resolver, issuers = StoreResolver(db, BASE), StoreIssuers(db, BASE)
        with pytest.raises(ResolutionError, match="control character"):
            resolver.resolve(f"{DID_WEB}#{MULTIKEY}\x00", "assertionMethod")
        assert not issuers.governs("did:key:z6Mk\x00")
        assert "control character" in issuers.refuse_key(
            f"{DID_WEB[:-4]}\x00bend", ATTACKER.verification_key, None)
        assert "lone surrogate" in issuers.refuse_key(
            f"{BASE}/issuers/river\ud800bend", ATTACKER.verification_key, None)
        with pytest.raises(StatusUnavailable, match="not a status list of this service"):
            StoreStatusSource(db, BASE).get(f"{BASE}/status/river\x00bend/1")
        # the session is still usable: nothing reached the database
        assert issuers.governs(f"{BASE}/issuers/riverbend")
