"""Comprehensive Learner Records and programme completion, over the real app and store."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator
from sqlalchemy import func, select

from credentials.frameworks import bundled_catalog
from issuer.services.issuers import update_issuer
from issuer.store import store
from issuer.store.models import Credential, ProgrammeAward
from tests.service.conftest import BASE, MODEL, completion_body
from tests.service.test_errors import assert_problem

COMPETENCIES = [c.id for c in bundled_catalog().models[MODEL].competencies]
EMAIL = "jordan.rivera@example.com"


def complete(service, competency: str, level: str = "proficient") -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(competency=f"{MODEL}/{competency}",
                                                        level=level),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def build_clr(service, **body) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/learners/clr",
                                   json={"email": EMAIL, **body},
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def verify(service, credential: dict):
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    return response.status_code, response.get_json()


@pytest.fixture
def full_record(service) -> list[dict]:
    return [complete(service, competency) for competency in COMPETENCIES]


def test_programme_credential_is_issued_once_at_the_25th(service, full_record) -> None:
    assert all("programmeCredential" not in r for r in full_record[:-1])
    programme = full_record[-1]["programmeCredential"]
    document = service.client.get(f"/credentials/{programme['credentialId']}").get_json()
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == "Certificate"
    assert achievement["id"] == f"{BASE}/achievements/{MODEL}"
    assert {e["id"] for e in document["evidence"]} == {r["url"] for r in full_record}
    assert verify(service, document)[0] == 200
    again = complete(service, "de-escalation", "advanced")
    assert "programmeCredential" not in again
    with store(service.app).sessions() as db:
        assert db.scalar(select(func.count()).select_from(ProgrammeAward)) == 1
        assert db.scalar(select(func.count()).select_from(Credential)
                         .where(Credential.kind == "programme")) == 1


def test_clr_of_25_validates_verifies_and_round_trips(service, full_record,
                                                      standards: Path) -> None:
    result = build_clr(service)
    clr = result["credential"]
    assert result["credentials"] == 25 and result["partial"] is False
    assert "partial" not in clr
    assert clr["@context"][1] == "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
    subject = clr["credentialSubject"]
    assert len(subject["verifiableCredential"]) == 25
    kinds = {a["achievementType"] for a in subject["achievement"]}
    assert kinds == {"Competency", "ext:CompetencyModelTier"}
    tier = f"{BASE}/achievements/{MODEL}/tiers/industry-sector-technical"
    edition = bundled_catalog().crosswalk_for(MODEL).edition  # the model edition issued under
    de_escalation = f"{BASE}/achievements/{MODEL}/de-escalation/{edition}"
    assert {"type": "Association", "associationType": "isChildOf", "sourceId": de_escalation,
            "targetId": tier} in subject["association"]
    assert {"type": "Association", "associationType": "isParentOf",
            "sourceId": f"{BASE}/achievements/{MODEL}", "targetId": tier} in subject["association"]

    schema = json.loads((standards / "schemas" / "clr_v2p0" /
                         "clr_v2p0_clrcredential_schema.json").read_text())
    assert [e.message for e in Draft201909Validator(schema).iter_errors(clr)] == []
    served = service.client.get(f"/credentials/{result['credentialId']}").get_json()
    assert served == clr
    status, report = verify(service, json.loads(json.dumps(served)))
    assert status == 200, report["errors"]
    embedded = next(c for c in report["checks"] if c["check"] == "embedded_credentials")
    assert embedded["message"] == "all 25 embedded credentials verify"


def test_tampering_with_an_embedded_credential_is_caught_and_named(service) -> None:
    issued = [complete(service, c) for c in COMPETENCIES[:3]]
    clr = build_clr(service)["credential"]
    assert clr["partial"] is True
    tampered = copy.deepcopy(clr)
    victim = tampered["credentialSubject"]["verifiableCredential"][1]
    victim["credentialSubject"]["result"][0]["achievedLevel"] = \
        victim["credentialSubject"]["result"][0]["achievedLevel"].replace("proficient", "advanced")
    status, report = verify(service, tampered)
    assert status == 422
    embedded = next(c for c in report["checks"] if c["check"] == "embedded_credentials")
    assert embedded["outcome"] == "failure"
    assert issued[1]["url"] in embedded["message"]
    assert [c["id"] for c in embedded["detail"]["credentials"] if not c["verified"]] == \
        [issued[1]["url"]]


def test_revoked_credentials_are_left_out_and_caught(service) -> None:
    issued = [complete(service, c) for c in COMPETENCIES[:2]]
    with_both = build_clr(service)["credential"]
    revoke = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{issued[0]['credentialId']}/revoke",
        json={"reason": "error"}, headers=service.auth(service.admin))
    assert revoke.status_code == 200
    status, report = verify(service, with_both)
    assert status == 422
    assert issued[0]["url"] in " ".join(report["errors"])
    without = build_clr(service)
    assert without["credentials"] == 1
    body = assert_problem(service.client.post(
        "/api/v1/issuers/riverbend/learners/clr",
        json={"email": EMAIL, "credentialIds": [issued[0]["credentialId"]]},
        headers=service.auth(service.assessor)), 422)
    assert body["errors"][0]["pointer"] == "/credentialIds/0"


def test_selected_credentials_and_bad_requests(service) -> None:
    issued = [complete(service, c) for c in COMPETENCIES[:3]]
    chosen = build_clr(service, credentialIds=[issued[2]["credentialId"]])
    assert chosen["credentials"] == 1
    assert chosen["credential"]["credentialSubject"]["verifiableCredential"][0]["id"] == \
        issued[2]["url"]
    url = "/api/v1/issuers/riverbend/learners/clr"
    auth = service.auth(service.assessor)
    assert_problem(service.client.post(url, json={"email": "nobody@example.com"},
                                       headers=auth), 422)
    assert_problem(service.client.post(url, json={"email": EMAIL, "credentialIds": ["x"]},
                                       headers=auth), 422)
    assert_problem(service.client.post(url, json={}, headers=auth), 422)
    assert_problem(service.client.post(url, json={"email": EMAIL}), 401)
    assert_problem(service.client.post(url, json={"email": EMAIL},
                                       headers=service.auth(service.other_admin)), 403)


def test_clr_requests_are_idempotent(service) -> None:
    complete(service, COMPETENCIES[0])
    headers = {**service.auth(service.assessor), "Idempotency-Key": "clr-1"}
    url = "/api/v1/issuers/riverbend/learners/clr"
    first = service.client.post(url, json={"email": EMAIL}, headers=headers)
    again = service.client.post(url, json={"email": EMAIL}, headers=headers)
    assert first.get_json() == again.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"


def test_clr_build_cli(service) -> None:
    complete(service, COMPETENCIES[0])
    result = service.app.test_cli_runner().invoke(
        args=["clr", "build", "--issuer", "riverbend", "--email", EMAIL])
    assert result.exit_code == 0, result.output
    output = json.loads(result.output)
    assert output["credentials"] == 1 and output["partial"] is True
    served = service.client.get(f"/credentials/{output['credentialId']}")
    assert served.get_json()["type"] == ["VerifiableCredential", "ClrCredential"]


def test_issuer_programme_level_raises_the_bar(service) -> None:
    runner = service.app.test_cli_runner()
    result = runner.invoke(args=["issuers", "update", "riverbend", "--programme-level",
                                 "advanced"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["programmeLevel"] == "advanced"
    records = [complete(service, c, "proficient") for c in COMPETENCIES]
    assert all("programmeCredential" not in r for r in records)
    records = [complete(service, c, "advanced") for c in COMPETENCIES]
    assert "programmeCredential" in records[-1]


def test_vc_jwt_credentials_are_left_out_of_a_clr(service, standards: Path) -> None:
    """A CLR holds credentials with an embedded proof, as the CLR 2.0 schema requires: a
    VC-JWT credential is left out (and named) by default, and refused when asked for."""
    url = "/api/v1/issuers/riverbend/learners/clr"
    auth = service.auth(service.assessor)
    jwt_only = service.client.post("/api/v1/issuers/riverbend/completions", headers=auth,
                                   json=completion_body(format="jwt")).get_json()
    body = assert_problem(service.client.post(url, json={"email": EMAIL}, headers=auth), 422)
    assert body["errors"][0]["pointer"] == "/email" and "VC-JWT" in body["detail"]
    held = complete(service, "patient-vitals")
    result = build_clr(service)
    assert result["credentials"] == 1
    assert result["leftOut"] == [{"credentialId": jwt_only["credentialId"], "reason": (
        f"credential {jwt_only['credentialId']} is a VC-JWT: a CLR holds credentials with an "
        "embedded (Data Integrity) proof, as the CLR 2.0 schema requires")}]
    clr = result["credential"]
    assert [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]] == [held["url"]]
    schema = json.loads((standards / "schemas" / "clr_v2p0" /
                         "clr_v2p0_clrcredential_schema.json").read_text())
    assert [e.message for e in Draft201909Validator(schema).iter_errors(clr)] == []
    named = assert_problem(service.client.post(url, headers=auth, json={
        "email": EMAIL, "credentialIds": [held["credentialId"], jwt_only["credentialId"]]}), 422)
    assert named["errors"] == [{"pointer": "/credentialIds/1", "detail": result["leftOut"][0][
        "reason"]}]


def test_a_clr_has_one_status_entry_and_holds_credentials_with_one(service,
                                                                   standards: Path) -> None:
    """CLR 2.0 (like OB 3.0) allows one credentialStatus: with suspension on, the CLR gets
    its revocation entry only, and a credential carrying two entries is left out."""
    single = complete(service, "de-escalation")
    with store(service.app).sessions() as db:
        update_issuer(db, "riverbend", suspension=True)
    double = complete(service, "patient-vitals")
    assert isinstance(double["credential"]["credentialStatus"], list)
    result = build_clr(service)
    clr = result["credential"]
    assert clr["credentialStatus"]["statusPurpose"] == "revocation"
    assert [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]] == \
        [single["url"]]
    assert [c["credentialId"] for c in result["leftOut"]] == [double["credentialId"]]
    assert "several credentialStatus entries" in result["leftOut"][0]["reason"]
    schema = json.loads((standards / "schemas" / "clr_v2p0" /
                         "clr_v2p0_clrcredential_schema.json").read_text())
    assert [e.message for e in Draft201909Validator(schema).iter_errors(clr)] == []
    assert verify(service, clr)[0] == 200
