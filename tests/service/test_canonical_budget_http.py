"""Credentials RDFC-1.0 cannot canonicalize, over HTTP: a clear answer, fast.

A poison graph: POST
/credentials/verify reports a failed proof (422), POST /credentials/issue a problem (400);
never a 5xx, never a worker held until gunicorn kills it.
"""

from __future__ import annotations

import json

import pytest

from tests.factories import signed_credential, unsigned_credential
from tests.service.conftest import BASE
from tests.test_canonical_budget import CPU_BOUND, RELATED, clique, cpu


@pytest.mark.parametrize("size", [14, 20])
def test_verify_answers_a_poisoned_credential_fast_with_a_failed_proof(service, crosswalk,
                                                                        size: int) -> None:
    credential = signed_credential(crosswalk)
    credential["evidence"] = clique(size)
    response = None

    def post() -> None:
        nonlocal response
        response = service.client.post("/credentials/verify",
                                       json={"verifiableCredential": credential})

    assert cpu(post) < CPU_BOUND
    assert response is not None and response.status_code == 422
    body = response.get_json()
    assert body["verified"] is False
    assert any("too symmetric" in error for error in body["errors"]), body["errors"]


@pytest.mark.parametrize("size", [14, 20])
def test_issue_refuses_a_poisoned_credential_fast_with_a_problem(service, crosswalk,
                                                                  size: int) -> None:
    credential = unsigned_credential(crosswalk, issuer_id=f"{BASE}/issuers/riverbend")
    del credential["id"]
    # VCDM 2.0 wants an evidence id to be a URL: the clique hangs below one that is.
    credential["evidence"] = [{"id": "https://example.com/evidence/1", "type": ["Evidence"],
                               RELATED: clique(size)}]
    response = None

    def post() -> None:
        nonlocal response
        response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                       json={"credential": credential})

    assert cpu(post) < CPU_BOUND
    assert response is not None and response.status_code == 400, response.get_json()
    assert response.mimetype == "application/problem+json"
    assert "too symmetric" in response.get_json()["detail"]
    assert service.counts()["credentials"] == 0


def test_a_lone_surrogate_is_a_failed_proof_and_a_bad_request_not_a_500(service,
                                                                         crosswalk) -> None:
    credential = signed_credential(crosswalk)
    credential["evidence"][0]["narrative"] = "a\ud800b"
    body = json.dumps({"verifiableCredential": credential})
    verified = service.client.post("/credentials/verify", data=body,
                                   content_type="application/json")
    # Refused at the door (no Unicode text holds it), like every JSON body with one.
    assert verified.status_code == 400 and verified.mimetype == "application/problem+json"
    assert "lone surrogate" in json.dumps(verified.get_json())

    unsigned = unsigned_credential(crosswalk, issuer_id=f"{BASE}/issuers/riverbend")
    del unsigned["id"]
    unsigned["evidence"][0]["narrative"] = "a\ud800b"
    issued = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                 data=json.dumps({"credential": unsigned}),
                                 content_type="application/json")
    assert issued.status_code == 400 and issued.mimetype == "application/problem+json"
    assert "lone surrogate" in json.dumps(issued.get_json())
    assert service.counts()["credentials"] == 0
