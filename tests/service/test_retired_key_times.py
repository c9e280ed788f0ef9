"""A retired key vouches only for what it signed before its retirement, so a proof by it must
say when it was made: one with no ``created`` (a VC-JWT with no ``iat``) fails the issuer
check. This service always says when: its proofs carry ``created``, its VC-JWTs ``iat``."""

from __future__ import annotations

import base64
import copy
import json

from sqlalchemy import select

from credentials.proofs import EDDSA_RDFC_2022
from credentials.proofs.jwt import decode_jwt, registered_claims
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import signer_for
from issuer.store import store
from issuer.store.models import Issuer, SigningKey
from issuer.web.context import service_context
from keys.multibase import encode_base58btc
from tests.service.conftest import BASE, completion_body
from tests.service.test_forged_issuers import verify

DID_WEB = IssuerIdentifiers.for_slug(BASE, "riverbend").did_web
ISSUE = "/api/v1/issuers/riverbend/completions"


def issue(service, **changes) -> dict:
    response = service.client.post(ISSUE, json=completion_body(**changes),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credential"]


def the_ed25519_key(service):
    """The issuer's Ed25519 signer, taken by the test's own hand (the key that is retired
    next), named by its did:web method."""
    with store(service.app).sessions() as db:
        issuer = db.scalars(select(Issuer).where(Issuer.slug == "riverbend")).one()
        key = db.scalars(select(SigningKey).where(SigningKey.issuer_id == issuer.id,
                                                  SigningKey.algorithm == "Ed25519")).one()
        method = f"{DID_WEB}#{key.kid}"
        return signer_for(issuer, key, service_context(service.app).kek, method, DID_WEB)


def rotate(service) -> None:
    response = service.client.post("/api/v1/issuers/riverbend/keys/rotate",
                                   headers=service.auth(service.admin))
    assert response.status_code == 200


def altered(credential: dict) -> dict:
    document = {k: copy.deepcopy(v) for k, v in credential.items() if k != "proof"}
    document["credentialSubject"]["identifier"][-1]["identityHash"] = "Mallory Forger"
    return document


def proof_without_created(document: dict, signer) -> dict:
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
             "verificationMethod": signer.id, "proofPurpose": "assertionMethod"}
    hashed = EDDSA_RDFC_2022.hash_data(document, {**proof, "@context": document["@context"]})
    return {**document, "proof": {**proof, "proofValue": encode_base58btc(
        signer.sign(hashed.data))}}


def _b64(value: dict) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def jwt_without_iat(document: dict, signer, nbf: bool = False) -> str:
    """A VC-JWT with no ``iat``; with ``nbf`` only if asked (as this service issued them
    before it set ``iat``)."""
    header = {"alg": "EdDSA", "kid": signer.id, "typ": "JWT"}
    claims = {k: v for k, v in registered_claims(document).items() if nbf or k != "nbf"}
    signing_input = f"{_b64(header)}.{_b64({**document, **claims})}"
    signature = base64.urlsafe_b64encode(signer.sign(signing_input.encode())).rstrip(b"=")
    return f"{signing_input}.{signature.decode()}"


def issuer_message(report: dict) -> str:
    return next(c for c in report["checks"] if c["check"] == "issuer")["message"]


def test_a_retired_key_without_a_signing_time_fails(service) -> None:
    real = issue(service)
    signer = the_ed25519_key(service)
    undated = proof_without_created(altered(real), signer)
    undated_jwt = jwt_without_iat(altered(real), signer)
    # Before the rotation the key is active: no signing time is needed.
    assert verify(service, undated)[0] == 200
    assert verify(service, undated_jwt)[0] == 200
    rotate(service)
    for forged in (undated, undated_jwt):
        status, report = verify(service, forged)
        assert status == 422 and report["standing"] == "failed", report
        assert "was retired on" in issuer_message(report)
        assert "the proof does not say when it was made" in issuer_message(report)
    assert verify(service, real)[0] == 200  # signed, and dated, before the rotation


def test_our_own_credentials_say_when_they_were_signed(service) -> None:
    """Proofs carry ``created`` and VC-JWTs ``iat``, so what a key signed keeps verifying
    after the key is retired."""
    linked = issue(service)
    token = issue(service, format="jwt", algorithm="EdDSA")
    assert linked["proof"]["created"]
    assert isinstance(decode_jwt(token).payload["iat"], int)
    rotate(service)
    for credential in (linked, token):
        status, report = verify(service, credential)
        assert status == 200 and report["verdict"] == "Verified: every check passed.", report


def test_a_vc_jwt_dated_only_by_nbf_keeps_verifying_after_its_key_is_retired(service) -> None:
    """VC-JWTs issued before ``iat`` was set carry only ``nbf``: a rotation must not break
    them."""
    real = issue(service)
    signer = the_ed25519_key(service)
    issued_before = jwt_without_iat(real, signer, nbf=True)
    assert verify(service, issued_before)[0] == 200
    rotate(service)
    status, report = verify(service, issued_before)
    assert status == 200, issuer_message(report)
