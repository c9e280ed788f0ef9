"""Credentials that once made the verifier answer 500 or 422 wrongly, over HTTP."""

from __future__ import annotations

import copy

import pytest

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from tests.factories import did_key_signer, signed_credential, unsigned_credential
from tests.service.conftest import BASE


def verify(service, credential) -> tuple[int, dict]:
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    assert response.status_code < 500, response.get_data(as_text=True)
    return response.status_code, response.get_json()


def test_a_subject_with_neither_id_nor_identifier_is_a_warning(service, crosswalk) -> None:
    """DCC's sample credentials: signed, current, unrevoked, and no recipient identifier;
    the OB 3.0 schema does not require one."""
    document = unsigned_credential(crosswalk)
    del document["credentialSubject"]["identifier"]
    assert "id" not in document["credentialSubject"]
    status, report = verify(service, create_proof(document, EDDSA_RDFC_2022, did_key_signer()))
    assert status == 200, report["errors"]
    subject = next(c for c in report["checks"] if c["check"] == "subject")
    assert subject["outcome"] == "warning"
    assert "neither an id nor an identifier" in subject["message"]


@pytest.mark.parametrize("name, change, words", [
    ("number type", lambda d: d.update(type=5), "/type"),
    ("boolean type", lambda d: d.update(type=True), "/type"),
    ("type holding an object", lambda d: d.update(type=[{"a": 1}, "VerifiableCredential"]),
     '"@type" value must be a string'),
    ("number subject type", lambda d: d["credentialSubject"].update(type=7),
     "/credentialSubject/type"),
    ("number identifier", lambda d: d["credentialSubject"].update(identifier=5),
     "/credentialSubject/identifier"),
    ("@vocab null", lambda d: d["@context"].append({"@vocab": None}),
     '"@vocab": null'),
])
def test_odd_values_fail_clearly_instead_of_crashing(service, crosswalk, name, change,
                                                     words) -> None:
    credential = copy.deepcopy(signed_credential(crosswalk))
    change(credential)
    status, report = verify(service, credential)
    assert status == 422, name
    assert report["verified"] is False
    assert any(words in error for error in report["errors"]), report["errors"]


def test_vocab_null_on_issue_is_a_clear_400(service) -> None:
    """pyld fails with a KeyError on this context; canonicalization reports it instead."""
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
                     {"@vocab": None}],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": f"{BASE}/issuers/riverbend", "type": ["Profile"], "name": "R"},
        "validFrom": "2026-01-01T00:00:00Z", "name": "A badge",
        "credentialSubject": {"type": ["AchievementSubject"], "id": "did:example:1",
                              "achievement": {"id": "https://example.org/a",
                                              "type": ["Achievement"], "name": "A",
                                              "description": "D",
                                              "criteria": {"narrative": "N"}}}}
    response = service.client.post("/credentials/issue", json={"credential": credential},
                                   headers=service.auth(service.admin))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert '"@vocab": null' in response.get_json()["detail"]
