"""The verifier reads this service's own status lists from the store, never by re-signing
them: a host whose KEY_ENCRYPTION_KEY cannot unlock the keys still sees what was revoked.
A status nobody could learn is a failure, never "every check passed"."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

from sqlalchemy import select

from credentials.proofs import EDDSA_RDFC_2022, create_proof
from issuer.store import store
from issuer.store.models import StatusList
from keys import Ed25519Signer
from keys.did import did_key, did_key_verification_method
from keys.encryption import KeyEncryptionKey
from tests.service.conftest import BASE, completion_body, make_app

HTML = {"Accept": "text/html"}


def issue(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def page_verdict(client, credential) -> tuple[str, str]:
    response = client.post("/verify", data={"credential_text": json.dumps(credential)})
    assert response.status_code == 200
    found = re.findall(r'class="status (\w+)" role="status">([^<]*)',
                       response.get_data(as_text=True))
    assert len(found) == 1
    return found[0]


def signed_versions(service) -> list[tuple[int | None, str | None]]:
    with store(service.app).sessions() as db:
        return [(row.signed_version, row.signed_document)
                for row in db.scalars(select(StatusList).order_by(StatusList.id))]


def test_a_host_with_another_kek_still_sees_revocations(service) -> None:
    revoked, kept = issue(service), issue(service)
    answer = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{revoked['credentialId']}/revoke",
        json={"reason": "issued in error"}, headers=service.auth(service.admin))
    assert answer.status_code == 200
    other = make_app(Path(service.app.instance_path), KEY_ENCRYPTION_KEY=(
        KeyEncryptionKey.generate_text()), DATABASE_URL=service.app.config["DATABASE_URL"])
    try:
        client = other.test_client()
        assert client.get("/readyz").status_code == 503  # it cannot sign
        response = client.post("/credentials/verify",
                               json={"verifiableCredential": revoked["credential"]})
        report = response.get_json()
        assert response.status_code == 422 and report["standing"] == "revoked"
        assert report["verdict"] == "Not verified: the issuer has revoked this credential."
        assert page_verdict(client, revoked["credential"]) == (
            "bad", "Not verified: the issuer has revoked this credential.")
        share = client.get(f"/credentials/{revoked['credentialId']}", headers=HTML)
        assert "This credential has been revoked by Riverbend" in share.get_data(as_text=True)
        response = client.post("/credentials/verify",
                               json={"verifiableCredential": kept["credential"]})
        assert response.status_code == 200
        assert response.get_json()["verdict"] == "Verified: every check passed."
    finally:
        store(other).engine.dispose()


def test_verifying_never_signs_a_list(service) -> None:
    """Reading the bits is all a verification does with our lists: nothing is signed or
    written, whichever host verifies."""
    issued = issue(service)
    before = signed_versions(service)
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": issued["credential"]})
    assert response.status_code == 200
    assert signed_versions(service) == before


def test_a_status_nobody_could_learn_is_not_verified(service) -> None:
    """A list this service does not have (the entry points under our status path at a list
    that does not exist) is a STATUS_RETRIEVAL_ERROR: not verified, and said plainly."""
    signer = Ed25519Signer.from_seed(bytes(range(40, 72)))
    did = did_key(signer.verification_key)
    credential = copy.deepcopy(issue(service)["credential"])
    del credential["proof"]
    credential["issuer"]["id"] = did
    for entry in credential["credentialStatus"] if isinstance(
            credential["credentialStatus"], list) else [credential["credentialStatus"]]:
        entry["statusListCredential"] = f"{BASE}/status/riverbend/99"
    signed = create_proof(credential, EDDSA_RDFC_2022,
                          signer.with_id(did_key_verification_method(did), did))
    response = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    report = response.get_json()
    assert response.status_code == 422 and report["verified"] is False
    assert report["standing"] == "failed"
    status = next(c for c in report["checks"] if c["check"] == "status")
    assert status["outcome"] == "failure"
    assert "no status list riverbend/99" in status["message"]
    tone, verdict = page_verdict(service.client, signed)
    assert tone == "bad" and verdict.startswith("Not verified: its status could not be checked")
    assert "every check passed" not in verdict
