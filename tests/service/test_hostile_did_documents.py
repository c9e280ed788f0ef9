"""Hostile did:web documents over HTTP (review #15, H2): POST /credentials/verify answers
422 with the report, and the /verify page a page, naming what is wrong; never a 500."""

from __future__ import annotations

import html
import json
from dataclasses import replace

import pytest

from credentials.proofs.jwt import sign_jwt
from issuer.web.context import install, service_context
from tests.hostile_documents import (
    DOCUMENT_URL,
    HOSTILE,
    REVIEWED,
    Hostile,
    credential,
    document,
    jwk_method,
    rsa_jwk,
)
from tests.resolvers_support import FakeFetcher

CASES = [case for case in HOSTILE if case.name in REVIEWED]
TAMPERED = "changed after it was signed"


def serve(service, documents: dict) -> None:
    """The app fetches ``documents`` (and nothing else) from now on."""
    install(service.app, replace(service_context(service.app),
                                 fetcher=FakeFetcher(documents)))


def proof_check(report: dict) -> dict:
    return next(check for check in report["checks"] if check["check"] == "proof")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_hostile_did_document_fails_by_name_over_http(service, case: Hostile) -> None:
    assert len(CASES) == len(REVIEWED)
    serve(service, {DOCUMENT_URL: case.document})
    signed = case.signed()
    response = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert response.status_code == 422, response.get_data(as_text=True)
    report = response.get_json()
    assert report["verified"] is False and report["standing"] == "failed"
    proof = proof_check(report)
    assert proof["outcome"] == "failure" and case.words in proof["message"], proof
    assert proof["detail"]["keyProblem"] == case.problem
    assert "could not be resolved" in report["verdict"] and TAMPERED not in report["verdict"]

    page = service.client.post("/verify", data={"credential_text": json.dumps(signed)})
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = html.unescape(page.get_data(as_text=True))
    assert case.words in text and TAMPERED not in text


def test_a_vc_jwt_by_a_1024_bit_rsa_key_fails_over_http(service) -> None:
    """Review #15, L1: it answered 200, issuer bound."""
    signer, short = rsa_jwk(1024)
    serve(service, {DOCUMENT_URL: document(jwk_method(short))})
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": sign_jwt(credential(), signer)})
    assert response.status_code == 422
    report = response.get_json()
    assert "has 1024 bits" in proof_check(report)["message"]
    assert report["issuerBound"] is False


def test_an_unreachable_did_web_is_not_called_tampered_over_http(service) -> None:
    """Review #15, L4."""
    serve(service, {})
    signed = HOSTILE[0].signed()
    report = service.client.post("/credentials/verify",
                                 json={"verifiableCredential": signed}).get_json()
    assert report["verdict"] == ("Not verified: its signing key could not be resolved (the "
                                 "document that should publish it was not found).")
    page = service.client.post("/verify", data={"credential_text": json.dumps(signed)})
    assert TAMPERED not in html.unescape(page.get_data(as_text=True))
