"""One issue pipeline: every kind of credential we sign for someone goes through
``issuance.issue``, which resolves the signing key once."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

import issuer.services.issuance as issuance
import issuer.services.signing as signing
from issuer.store import store
from issuer.store.models import Credential
from tests.service.conftest import BASE
from tests.service.test_learner_records import COMPETENCIES, EMAIL, complete

VC_API_CREDENTIAL = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                     "type": ["VerifiableCredential"], "issuer": f"{BASE}/issuers/riverbend",
                     "credentialSubject": {"id": "did:example:learner", "name": "Jordan"}}


def _audited(monkeypatch) -> list[tuple[str, dict]]:
    """The audit events the pipeline writes, in order."""
    seen: list[tuple[str, dict]] = []
    real = issuance.record

    def spy(db, issuer, token_id, action, subject, detail=None) -> None:
        seen.append((action, detail or {}))
        real(db, issuer, token_id, action, subject, detail)

    monkeypatch.setattr(issuance, "record", spy)
    return seen


def test_every_kind_of_credential_goes_through_the_pipeline(service, monkeypatch) -> None:
    seen = _audited(monkeypatch)
    records = [complete(service, competency) for competency in COMPETENCIES]
    clr = service.client.post("/api/v1/issuers/riverbend/learners/clr", json={"email": EMAIL},
                              headers=service.auth(service.assessor))
    assert clr.status_code == 201, clr.get_json()
    vc_api = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                 json={"credential": VC_API_CREDENTIAL})
    assert vc_api.status_code == 201, vc_api.get_json()
    actions = [action for action, _detail in seen]
    assert actions == (["credential.issue"] * len(COMPETENCIES)
                       + ["programme.award", "clr.issue", "credential.issue"])
    assert seen[-1][1] == {"via": "vc-api", "format": "data-integrity"}
    with store(service.app).sessions() as db:
        stored = {row.id: (row.kind, row.document) for row in db.scalars(select(Credential))}
    programme_id = records[-1]["programmeCredential"]["credentialId"]
    assert stored[programme_id][0] == "programme"
    assert stored[clr.get_json()["credentialId"]][0] == "clr"
    # Every document is stored exactly as the pipeline stores it: JSON text, not ASCII-escaped.
    for _kind, document in stored.values():
        assert document == json.dumps(json.loads(document), ensure_ascii=False)


@pytest.mark.parametrize("options", [{}, {"format": "jwt", "algorithm": "ES256"}])
def test_the_vc_api_resolves_the_signing_key_once(service, monkeypatch, options) -> None:
    """It used to look the key up once to check the issuer identifier and again to sign."""
    calls = []
    real = signing.active_key

    def counting(*args, **kwargs):
        calls.append(args[3:] + tuple(kwargs.values()))
        return real(*args, **kwargs)

    monkeypatch.setattr(signing, "active_key", counting)
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": VC_API_CREDENTIAL, "options": options})
    assert response.status_code == 201, response.get_json()
    assert len(calls) == 1


def test_a_foreign_issuer_is_refused_before_any_status_entry(service, monkeypatch) -> None:
    claimed = []
    monkeypatch.setattr(issuance, "status_entries_for",
                        lambda *args: claimed.append(args) or [])
    response = service.client.post(
        "/credentials/issue", headers=service.auth(service.admin),
        json={"credential": {**VC_API_CREDENTIAL, "issuer": f"{BASE}/issuers/lakeside"}})
    assert response.status_code == 403
    assert claimed == []
