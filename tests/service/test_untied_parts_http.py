"""Through the service: an endorsement nobody ties to its endorser, and a CLR wrapping someone
else's genuine credential, are never "every check passed"; our own CLRs still are."""

from __future__ import annotations

import copy
import html
import json
import re

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from keys import Ed25519Signer
from keys.did import did_key, did_key_verification_method
from tests.service.conftest import MODEL, completion_body
from tests.service.test_forged_issuers import verify

ATTACKER = Ed25519Signer.from_seed(bytes(range(60, 92)))
ATTACKER_DID = did_key(ATTACKER.verification_key)
SIGNER = ATTACKER.with_id(did_key_verification_method(ATTACKER_DID), ATTACKER_DID)
EMAIL = "jordan.rivera@example.com"


def issue(service, **changes) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(**changes),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credential"]


def learner_record(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/learners/clr",
                                   json={"email": EMAIL}, headers=service.auth(service.admin))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credential"]


def page_verdict(service, credential) -> tuple[str, str]:
    response = service.client.post("/verify", data={"credential_text": json.dumps(credential)})
    assert response.status_code == 200
    tone, verdict = re.findall(r'class="status (\w+)" role="status">([^<]*)',
                               response.get_data(as_text=True))[0]
    return tone, html.unescape(verdict)


def test_an_untied_endorsement_is_not_every_check_passed(service) -> None:
    board = "https://board-of-nursing.state.example/issuer"
    endorsement = create_proof({
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": "urn:uuid:cccccccc-3333-4333-8333-333333333333",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsed by the State Board of Nursing",
        "issuer": {"id": board, "type": ["Profile"], "name": "State Board of Nursing"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://x.example/a", "type": ["EndorsementSubject"],
                              "endorsementComment": "Accredited."}}, EDDSA_RDFC_2022, SIGNER)
    credential = {k: copy.deepcopy(v) for k, v in issue(service).items()
                  if k not in ("proof", "credentialStatus")}
    credential["issuer"]["id"] = ATTACKER_DID
    credential["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    signed = create_proof(credential, EDDSA_RDFC_2022, SIGNER)
    status, report = verify(service, signed)
    assert status == 200 and report["issuerBound"] is True
    assert report["standing"] == "unbound"
    expected = f"Verified, but nothing ties the key of an endorsement to the endorser it " \
               f"names ({board})."
    assert report["verdict"] == expected
    assert page_verdict(service, signed) == ("warn", expected)


def test_a_record_wrapping_someone_elses_credential_fails(service) -> None:
    issue(service)
    record = {k: copy.deepcopy(v) for k, v in learner_record(service).items()
              if k not in ("proof", "credentialStatus")}
    record["issuer"]["id"] = ATTACKER_DID
    for identity in record["credentialSubject"]["identifier"]:
        if identity["identityType"] == "name":
            identity["identityHash"] = "Mallory Forger"
        else:
            identity["identityHash"] = "sha256$" + "0" * 64
    held = record["credentialSubject"]["verifiableCredential"][0]["id"]
    signed = create_proof(record, EDDSA_RDFC_2022, SIGNER)
    status, report = verify(service, signed)
    assert status == 422 and report["issuerBound"] is True and report["standing"] == "failed"
    embedded = next(c for c in report["checks"] if c["check"] == "embedded_credentials")
    assert embedded["outcome"] == "failure" and held in embedded["message"]
    expected = ("Not verified: a credential inside it is about someone other than this "
                "record's subject.")
    assert report["verdict"] == expected
    assert page_verdict(service, signed) == ("bad", expected)


def test_our_record_stays_verified_when_the_learners_name_was_written_differently(
        service) -> None:
    """Completions for one email under two spellings of the name: the record (named as the
    latest) ties each held credential by the email hashed with that credential's salt."""
    issue(service)
    issue(service, learner={"name": "Jordan Rivera-Lopez", "email": EMAIL},
          competency=f"{MODEL}/patient-vitals")
    record = learner_record(service)
    assert len(record["credentialSubject"]["verifiableCredential"]) == 2
    status, report = verify(service, record)
    assert status == 200 and report["verdict"] == "Verified: every check passed.", report
    embedded = next(c for c in report["checks"] if c["check"] == "embedded_credentials")
    assert embedded["outcome"] == "success"
    assert {c["subject"] for c in embedded["detail"]["credentials"]} == {"tied"}
