"""A stranger's record around a genuine credential of ours, its subject copying that
credential's hashed email beside the stranger's own: refused on the API and the page."""

from __future__ import annotations

import copy
import json

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from tests.factories import did_key_signer
from tests.service.test_learner_records import COMPETENCIES, build_clr, complete

MALLORY = "mallory@evil.example"


def test_a_record_replaying_our_learners_hashed_email_fails(service) -> None:
    complete(service, COMPETENCIES[0])
    ours = build_clr(service)["credential"]
    # Our own record, as we issued it, verifies in full and is the learner's.
    report = service.client.post("/credentials/verify", json={"verifiableCredential": ours})
    assert report.status_code == 200 and report.get_json()["standing"] == "verified"

    signer = did_key_signer()
    forged = {k: v for k, v in copy.deepcopy(ours).items()
              if k not in ("proof", "credentialStatus")}
    forged["issuer"]["id"] = signer.controller
    held = forged["credentialSubject"]["verifiableCredential"][:1]
    forged["credentialSubject"]["verifiableCredential"] = held
    forged["credentialSubject"]["identifier"] = [
        *[i for i in held[0]["credentialSubject"]["identifier"]
          if i["identityType"] == "emailAddress"],
        {"type": "IdentityObject", "identityType": "emailAddress", "hashed": False,
         "identityHash": MALLORY},
        {"type": "IdentityObject", "identityType": "name", "hashed": False,
         "identityHash": "Mallory Forger"}]
    signed = create_proof(forged, EDDSA_RDFC_2022, signer)
    response = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["verdict"] == ("Not verified: a credential inside it is about someone other "
                               "than this record's subject.")
    page = service.client.post("/verify", data={"credential_text": json.dumps(signed)})
    assert b"about someone other than this record&#39;s subject" in page.data
    assert b"Verified: every check passed." not in page.data
