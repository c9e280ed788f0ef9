"""Keys per issuer: rotation, revocation, and what did.json and the JWKS publish."""

from __future__ import annotations

import json

from sqlalchemy import select

from issuer.services.keyring import active_key
from issuer.store import store
from issuer.store.models import Issuer, SigningKey
from issuer.web.context import service_context
from keys.jose import PRIVATE_MEMBERS
from tests.service.conftest import completion_body
from tests.service.test_errors import assert_problem


def issue(service) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credential"]


def verify(service, credential: dict):
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    return response.status_code, response.get_json()


def test_rotation_keeps_old_credentials_verifying_until_the_key_is_revoked(service) -> None:
    old = issue(service)
    rotated = service.client.post("/api/v1/issuers/riverbend/keys/rotate",
                                  headers=service.auth(service.admin))
    assert rotated.status_code == 200
    body = rotated.get_json()
    old_kid = old["proof"]["verificationMethod"].split("#")[1]
    assert body["retired"] == [old_kid] and body["active"] != old_kid
    new = issue(service)
    assert new["proof"]["verificationMethod"].endswith("#" + body["active"])
    assert verify(service, old)[0] == 200 and verify(service, new)[0] == 200

    did = service.client.get("/issuers/riverbend/did.json").get_json()
    assert {m["id"].split("#")[1] for m in did["verificationMethod"]} >= {old_kid,
                                                                         body["active"]}
    revoked = service.client.post(f"/api/v1/issuers/riverbend/keys/{old_kid}/revoke",
                                  headers=service.auth(service.admin))
    assert revoked.status_code == 200
    status, report = verify(service, old)
    assert status == 422
    assert f"key {old['proof']['verificationMethod']} was revoked" in " ".join(report["errors"])
    assert verify(service, new)[0] == 200
    did = service.client.get("/issuers/riverbend/did.json").get_json()
    assert old_kid not in {m["id"].split("#")[1] for m in did["verificationMethod"]}
    assert_problem(service.client.post(f"/api/v1/issuers/riverbend/keys/{old_kid}/revoke",
                                       headers=service.auth(service.admin)), 409)


def test_key_operations_need_the_issuers_admin(service) -> None:
    assert_problem(service.client.post("/api/v1/issuers/riverbend/keys/rotate",
                                       headers=service.auth(service.assessor)), 403)
    assert_problem(service.client.post("/api/v1/issuers/riverbend/keys/rotate",
                                       headers=service.auth(service.other_admin)), 403)
    assert_problem(service.client.post("/api/v1/issuers/riverbend/keys/rotate"), 401)
    assert_problem(service.client.post("/api/v1/issuers/riverbend/keys/nope/revoke",
                                       headers=service.auth(service.admin)), 404)


def test_rotation_via_cli(service) -> None:
    runner = service.app.test_cli_runner()
    result = runner.invoke(args=["keys", "rotate", "--issuer", "riverbend"])
    assert result.exit_code == 0, result.output
    active = json.loads(result.output)["active"]
    result = runner.invoke(args=["keys", "revoke", "--issuer", "riverbend", "--kid", active])
    assert result.exit_code == 0, result.output
    issue(service)  # a new active key is made on demand


def test_published_keys_never_carry_private_members(service) -> None:
    issue(service)
    with store(service.app).sessions() as db, db.begin():
        issuer = db.scalars(select(Issuer).where(Issuer.slug == "riverbend")).one()
        for key_type in ("P-256", "RSA-2048"):
            active_key(db, issuer, service_context(service.app).kek, key_type)
        kinds = {k.algorithm for k in db.scalars(select(SigningKey)
                                                 .where(SigningKey.issuer_id == issuer.id))}
    assert kinds == {"Ed25519", "P-256", "RSA-2048"}
    jwks = service.client.get("/issuers/riverbend/jwks.json")
    assert jwks.mimetype == "application/jwk-set+json"
    keys = jwks.get_json()["keys"]
    assert {k["alg"] for k in keys} == {"EdDSA", "ES256", "RS256"}
    did = service.client.get("/issuers/riverbend/did.json").get_json()
    published = keys + [m.get("publicKeyJwk", {}) for m in did["verificationMethod"]]
    for key in published:
        assert not PRIVATE_MEMBERS & set(key), key
    types = {m["type"] for m in did["verificationMethod"]}
    assert types == {"Multikey", "JsonWebKey"}
    assert did["alsoKnownAs"] == ["http://localhost:5000/issuers/riverbend"]
