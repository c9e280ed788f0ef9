"""An unauthenticated verify request holding many poison graphs (30 endorsements, each with a
14-node blank-node clique and a bogus proof) answers within a few seconds of CPU, with a message
naming the budget: one RDFC-1.0 work budget covers the whole verification. The CPU bound is
the one this budget exists for (``time.process_time``)."""

from __future__ import annotations

import json
import time

from credentials.verify import RDFC_STEPS
from keys import Ed25519Signer
from keys.did import did_key
from tests.service.conftest import completion_body
from tests.test_canonical_budget import clique

# Without the shared budget this cost 8.5 s of CPU, with it about 0.5 s: the bound tells
# the two apart with room for a loaded machine and a large test process's collections
# (the speed itself is the benchmark's to measure).
CPU_BOUND = 4.0
ATTACKER = did_key(Ed25519Signer.from_seed(bytes(range(40, 72))).verification_key)


def poison_endorsement(index: int) -> dict:
    multikey = ATTACKER.removeprefix("did:key:")
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:cccccccc-3333-4333-8333-{index:012d}",
        "type": ["VerifiableCredential", "EndorsementCredential"], "name": "e",
        "issuer": {"id": ATTACKER, "type": ["Profile"]}, "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": "https://x.example/a", "type": ["EndorsementSubject"]},
        "evidence": clique(14),
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                  "created": "2026-01-01T00:00:00Z",
                  "verificationMethod": f"{ATTACKER}#{multikey}",
                  "proofPurpose": "assertionMethod", "proofValue": "z" + "1" * 86}}


def test_thirty_poisoned_endorsements_are_refused_within_the_budget(service) -> None:
    issued = service.client.post("/api/v1/issuers/riverbend/completions",
                                 json=completion_body(), headers=service.auth(service.assessor))
    assert issued.status_code == 201, issued.get_json()
    credential = issued.get_json()["credential"]
    # One plain verification first: what any first request pays once (schemas compiled,
    # contexts loaded, caches filled) is not what the budget bounds.
    assert service.client.post("/credentials/verify", json={
        "verifiableCredential": credential}).status_code == 200
    credential["endorsement"] = [poison_endorsement(i) for i in range(30)]
    body = json.dumps({"verifiableCredential": credential})
    assert len(body) > 200_000

    started = time.process_time()
    response = service.client.post("/credentials/verify", data=body,
                                   content_type="application/json")
    assert time.process_time() - started < CPU_BOUND

    assert response.status_code == 422
    report = response.get_json()
    assert report["verified"] is False
    [proof] = [check for check in report["checks"] if check["check"] == "proof"]
    assert proof["outcome"] == "failure"
    assert proof["message"] == (
        "the document's blank nodes are too symmetric to canonicalize within limits (RDFC-1.0 "
        f"work budget of {RDFC_STEPS:,} steps for all the documents of one verification spent)")
