"""VC-JWT: issued with RS256, ES256 and EdDSA keys, checked by an independent JOSE library
(PyJWT), and verified by us in every form a verifier meets (compact, enveloped, in a CLR)."""

from __future__ import annotations

import base64
import json

import jwt as pyjwt
import pytest
from jsonschema import Draft201909Validator

from tests.service.conftest import BASE, MODEL, completion_body

URL = "/api/v1/issuers/riverbend/completions"


def b64decode(segment: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def issue_jwt(service, algorithm: str, **changes) -> dict:
    response = service.client.post(URL, json=completion_body(format="jwt", algorithm=algorithm,
                                                             **changes),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def verify(service, credential):
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    return response.status_code, response.get_json()


def public_key_for(service, kid: str):
    keys = service.client.get("/issuers/riverbend/jwks.json").get_json()["keys"]
    jwk = next(k for k in keys if k["kid"] == kid)
    return pyjwt.PyJWK(jwk).key


def flip(token: str, position: int) -> str:
    """The token with one character of its base64url text changed (so one byte differs)."""
    replacement = "A" if token[position] != "A" else "B"
    return token[:position] + replacement + token[position + 1:]


@pytest.mark.parametrize("algorithm", ["RS256", "ES256", "EdDSA"])
def test_jwt_verifies_with_an_independent_library(service, algorithm: str) -> None:
    result = issue_jwt(service, algorithm)
    token = result["credential"]
    assert isinstance(token, str) and token.count(".") == 2
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = b64decode(header_b64)
    assert set(header) == {"alg", "kid", "typ"}
    assert header["alg"] == algorithm and header["typ"] == "JWT"
    assert header["kid"].startswith("did:web:localhost%3A5000:issuers:riverbend#")
    payload = b64decode(payload_b64)
    assert payload["iss"] == "did:web:localhost%3A5000:issuers:riverbend" \
        == payload["issuer"]["id"]
    assert payload["jti"] == result["url"] == payload["id"]
    assert isinstance(payload["nbf"], int)
    assert "sub" not in payload  # the subject is identified by a hashed email, not an id

    key = public_key_for(service, header["kid"])
    decoded = pyjwt.decode(token, key=key, algorithms=[algorithm],
                           options={"verify_aud": False})
    assert decoded["credentialSubject"]["achievement"]["name"] == "De-escalation"
    status, report = verify(service, token)
    assert status == 200, report["errors"]

    for position in (len(header_b64) // 2, len(header_b64) + 1 + len(payload_b64) // 2,
                     len(header_b64) + len(payload_b64) + 2 + len(signature_b64) // 2):
        tampered = flip(token, position)
        with pytest.raises(pyjwt.PyJWTError):
            pyjwt.decode(tampered, key=key, algorithms=[algorithm],
                         options={"verify_aud": False})
        status, report = verify(service, tampered)
        assert status == 422, position


def test_jwt_is_served_as_vc_jwt_and_verifies_enveloped(service) -> None:
    result = issue_jwt(service, "RS256")
    served = service.client.get(f"/credentials/{result['credentialId']}")
    assert served.mimetype == "application/vc+jwt"
    assert served.get_data(as_text=True) == result["credential"]
    enveloped = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                 "id": "data:application/vc+jwt," + result["credential"],
                 "type": "EnvelopedVerifiableCredential"}
    status, report = verify(service, enveloped)
    assert status == 200, report["errors"]


def test_vc_api_issues_jwt_on_request(service) -> None:
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2"],
                                       "type": ["VerifiableCredential"],
                                       "issuer": f"{BASE}/issuers/riverbend",
                                       "credentialSubject": {"id": "did:example:learner"}},
                                       "options": {"format": "jwt", "algorithm": "ES256"}})
    assert response.status_code == 201, response.get_json()
    enveloped = response.get_json()["verifiableCredential"]
    assert enveloped["type"] == "EnvelopedVerifiableCredential"
    token = enveloped["id"].removeprefix("data:application/vc+jwt,")
    assert b64decode(token.split(".")[1])["sub"] == "did:example:learner"
    status, report = verify(service, enveloped)
    assert status == 200, report["errors"]


def test_clr_as_jwt_leaves_out_jwt_credentials(service, standards) -> None:
    """A CLR holds credentials with an embedded proof (the CLR 2.0 schema's rule); a VC-JWT
    competency credential is left out and named, whatever the CLR's own format."""
    first = issue_jwt(service, "EdDSA")
    second = service.client.post(URL, json=completion_body(competency=f"{MODEL}/patient-vitals"),
                                 headers=service.auth(service.assessor)).get_json()
    response = service.client.post("/api/v1/issuers/riverbend/learners/clr",
                                   json={"email": "jordan.rivera@example.com", "format": "jwt"},
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    result = response.get_json()
    assert result["credentials"] == 1
    assert [c["credentialId"] for c in result["leftOut"]] == [first["credentialId"]]
    clr = b64decode(result["credential"].split(".")[1])
    assert [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]] == \
        [second["url"]]
    schema = json.loads((standards / "schemas" / "clr_v2p0" /
                         "clr_v2p0_clrcredential_schema.json").read_text())
    assert [e.message for e in Draft201909Validator(schema).iter_errors(clr)] == []
    status, report = verify(service, result["credential"])
    assert status == 200, report["errors"]
    check = next(c for c in report["checks"] if c["check"] == "embedded_credentials")
    assert check["message"] == "all 1 embedded credentials verify"


def test_revoked_rsa_key_fails_its_jwts_by_name(service) -> None:
    token = issue_jwt(service, "RS256")["credential"]
    kid = b64decode(token.split(".")[0])["kid"]
    revoked = service.client.post(f"/api/v1/issuers/riverbend/keys/{kid.split('#')[1]}/revoke",
                                  headers=service.auth(service.admin))
    assert revoked.status_code == 200
    status, report = verify(service, token)
    assert status == 422
    assert f"key {kid} was revoked" in report["errors"][0]
    assert issue_jwt(service, "RS256")["credential"] != token  # a new RSA key on demand


def test_bad_format_values_are_refused(service) -> None:
    response = service.client.post(URL, json=completion_body(format="cbor"),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/format"
