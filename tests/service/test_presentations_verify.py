"""POST /presentations/verify (W3C VC API) end to end against the real store: a holder
presents credentials this service issued, signed for the verifier's challenge and domain."""

from __future__ import annotations

import html
import io
import json
from typing import Any

import pytest

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.verify.limits import MAX_PRESENTED
from tests.service.conftest import BASE
from tests.service.test_errors import assert_problem
from tests.service.test_status import change
from tests.service.test_status import issue as issue_completion
from tests.test_presentation_verify import (
    CHALLENGE,
    DOMAIN,
    HOLDER,
    HOLDER_KEY,
    ISSUER_KEY,
    V2,
    jwt_claims,
    presentation,
    signed,
    vp_jwt,
)

ISSUER = f"{BASE}/issuers/riverbend"
OPTIONS = {"challenge": CHALLENGE, "domain": DOMAIN}


def issued_to_holder(service, subject: str = HOLDER) -> dict[str, Any]:
    """A credential riverbend signs over the VC API, its subject the holder's DID."""
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": [V2], "type": ["VerifiableCredential"],
                                       "issuer": ISSUER,
                                       "credentialSubject": {"id": subject,
                                                             "name": "Jordan Rivera"}}})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["verifiableCredential"]


def post(service, vp: Any, options: dict | None = OPTIONS, **body: Any):
    payload = {"verifiablePresentation": vp, **body}
    if options is not None:
        payload["options"] = options
    return service.client.post("/presentations/verify", json=payload)


def test_a_holder_presents_a_credential_we_issued(service) -> None:
    response = post(service, signed(presentation(issued_to_holder(service))))
    answer = response.get_json()
    assert response.status_code == 200, answer
    assert answer["verified"] and answer["holderProven"] and answer["holder"] == HOLDER
    assert answer["errors"] == [] and answer["verdict"] == "Verified: every check passed."
    [held] = answer["credentials"]
    assert held["issuerBound"] and held["standing"] == "verified"
    assert held["holderBinding"]["binding"] == "holder"


def test_the_wrong_challenge_or_domain_is_422(service) -> None:
    vp = signed(presentation(issued_to_holder(service)))
    for options in ({"challenge": "another", "domain": DOMAIN},
                    {"challenge": CHALLENGE, "domain": "evil.example"}):
        response = post(service, vp, options)
        assert response.status_code == 422
        assert not response.get_json()["verified"]
        assert response.get_json()["errors"][0].startswith("holder_proof:")


def test_a_revoked_credential_in_a_valid_presentation_is_422(service) -> None:
    issued = issue_completion(service)
    vp = presentation(issued["credential"])
    assert post(service, signed(vp)).status_code == 200  # a bearer credential: a warning
    assert change(service, issued["credentialId"], "revoke").status_code == 200
    answer = post(service, signed(vp)).get_json()
    assert not answer["verified"]
    assert answer["credentials"][0]["standing"] == "revoked"
    assert answer["credentials"][0]["holderBinding"]["binding"] == "bearer"


def test_a_credential_naming_our_issuer_but_signed_by_another_key_is_422(service) -> None:
    forged = create_proof({"@context": [V2], "type": ["VerifiableCredential"],
                           "issuer": ISSUER, "credentialSubject": {"id": HOLDER}},
                          EDDSA_RDFC_2022, ISSUER_KEY)
    answer = post(service, signed(presentation(forged))).get_json()
    assert not answer["verified"]
    assert answer["credentials"][0]["errors"][0].startswith("issuer:")


def test_holder_binding_fails_only_when_asked(service) -> None:
    vp = signed(presentation(issued_to_holder(service, "did:example:someone-else")))
    assert post(service, vp).status_code == 200
    response = post(service, vp, {**OPTIONS, "requireHolderBinding": True})
    assert response.status_code == 422
    assert response.get_json()["errors"][0].startswith("holder_binding:")


def test_a_vp_jwt_and_its_envelope_verify(service) -> None:
    token = vp_jwt({**presentation(issued_to_holder(service)), **jwt_claims()})
    for vp in (token, {"@context": [V2], "type": "EnvelopedVerifiablePresentation",
                       "id": f"data:application/vp+jwt,{token}"}):
        response = post(service, vp)
        assert response.status_code == 200, response.get_json()["errors"]


def test_the_w3c_suites_post_without_a_challenge_verifies_a_signed_presentation(
        service) -> None:
    """The VCDM 2.0 suite posts options {"checks": []}, its presentation signed with a
    challenge of its own."""
    vp = signed(presentation(issued_to_holder(service)), challenge="u-suite", domain=None)
    assert post(service, vp, {"checks": []}).status_code == 200
    assert post(service, presentation(), None).status_code == 200  # nothing to fail


@pytest.mark.parametrize(("body", "pointer"), [
    ({}, "/verifiablePresentation"),
    ({"verifiablePresentation": 42}, "/verifiablePresentation"),
    ({"verifiablePresentation": "not a token"}, "/verifiablePresentation"),
    ({"verifiablePresentation": {}, "options": []}, "/options"),
    ({"verifiablePresentation": {}, "options": {"challenge": 7}}, "/options/challenge"),
    ({"verifiablePresentation": {}, "options": {"domain": ""}}, "/options/domain"),
    ({"verifiablePresentation": {}, "options": {"requireHolderBinding": "yes"}},
     "/options/requireHolderBinding"),
    ({"verifiablePresentation": {"type": "EnvelopedVerifiablePresentation",
                                 "id": "data:application/vp+jwt,a.b.c"}},
     "/verifiablePresentation/@context"),
    ({"verifiablePresentation": {"@context": [V2],
                                 "type": ["EnvelopedVerifiablePresentation"],
                                 "id": "https://example.org/vp"}},
     "/verifiablePresentation/id"),
    ({"verifiablePresentation": {"verifiableCredential": [{}] * (MAX_PRESENTED + 1)}},
     "/verifiablePresentation/verifiableCredential"),
])
def test_what_is_no_presentation_to_verify_is_400(service, body: dict, pointer: str) -> None:
    problem = assert_problem(service.client.post("/presentations/verify", json=body), 400)
    assert problem["errors"][0]["pointer"] == pointer


def test_a_malformed_presentation_is_422_with_its_pointer(service) -> None:
    vp = {**presentation(), "holder": {"id": "z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj"}}
    answer = post(service, vp, None).get_json()
    assert not answer["verified"]
    assert answer["checks"][0]["detail"]["errors"][0]["pointer"] == "/holder/id"


def test_not_json_is_415(service) -> None:
    assert_problem(service.client.post("/presentations/verify", data="{}",
                                       content_type="text/plain"), 415)


def test_the_holder_key_must_be_the_holders(service) -> None:
    """A presentation a stranger signed with their key, naming our holder: never verified."""
    vp = presentation(issued_to_holder(service))
    answer = post(service, signed(vp, key=ISSUER_KEY)).get_json()
    assert not answer["verified"] and not answer["holderProven"]
    assert HOLDER_KEY.id not in str(answer["checks"][1])


def test_verifying_presentations_spends_the_verification_allowance(service) -> None:
    service.app.config["RATE_LIMIT_VERIFY_PER_IP"] = "1/60"
    assert post(service, presentation(), None).status_code == 200
    assert_problem(post(service, presentation(), None), 429)


def test_the_verify_page_shows_a_pasted_presentation(service) -> None:
    vp = signed(presentation(issued_to_holder(service),
                             issued_to_holder(service, "did:example:someone-else")))
    page = service.client.post("/verify", data={
        "credential_text": json.dumps(vp), "challenge": CHALLENGE, "domain": DOMAIN})
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "Result for a presentation" in text
    assert f"Proven: signed with a key {HOLDER} controls" in text
    assert "About the presentation's holder" in text
    assert "About someone other than the presentation's holder (did:example:someone-else)" \
        in text
    assert "Verified, with a warning: 1 of 2 credentials are not bound to the holder" in text
    wrong = html.unescape(service.client.post("/verify", data={
        "credential_text": json.dumps(vp), "challenge": "another"}).get_data(as_text=True))
    assert "Not verified: the holder's proof does not hold" in wrong


def test_the_verify_page_reads_an_uploaded_vp_jwt(service) -> None:
    token = vp_jwt({**presentation(issued_to_holder(service)), **jwt_claims()})
    page = service.client.post("/verify", data={
        "credential_file": (io.BytesIO(token.encode()), "presentation.jwt"),
        "challenge": CHALLENGE, "domain": DOMAIN}, content_type="multipart/form-data")
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "Verified: every check passed." in text and "Result for a presentation" in text
