"""OpenID4VCI 1.0 over HTTP: metadata, the employer's offer, the pre-authorized code grant
with a transaction code, nonces, key proofs and the credential in both formats, and every
refusal by the name the specification gives it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from credentials.key_proofs import did_jwk_key
from credentials.proofs.jwt import decode_jwt
from issuer.store import store
from issuer.store.models import WalletOffer
from tests.service.conftest import BASE, completion_body, make_app
from tests.service.oid4vci_support import HolderKey

PRE_AUTHORIZED = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OB_LDP, OB_JWT = "OpenBadgeCredential_ldp_vc", "OpenBadgeCredential_jwt_vc_json"


def issue(service) -> str:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(), headers=service.auth(service.admin))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["credentialId"]


def offer(service, credential_id: str, tx_code: bool = False) -> dict:
    response = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{credential_id}/offers",
        json={"txCode": tx_code}, headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def offer_object(service, made: dict) -> dict:
    response = service.client.get(urlsplit(made["credentialOfferUri"]).path)
    assert response.status_code == 200, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def token(service, code: str, **extra: str):
    return service.client.post("/oid4vci/token", data={
        "grant_type": PRE_AUTHORIZED, "pre-authorized_code": code, **extra})


def nonce(service) -> str:
    response = service.client.post("/oid4vci/nonce")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["c_nonce"]


def credential(service, access_token: str, proof: str, configuration: str = OB_LDP):
    return service.client.post("/oid4vci/credential", json={
        "credential_configuration_id": configuration, "proofs": {"jwt": [proof]}},
        headers={"Authorization": f"Bearer {access_token}"})


def access_token(service, tx_code: bool = False) -> str:
    made = offer(service, issue(service), tx_code)
    code = offer_object(service, made)["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    extra = {"tx_code": made["txCode"]} if tx_code else {}
    response = token(service, code, **extra)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def error_of(response, status: int = 400) -> str:
    assert response.status_code == status, response.get_json()
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()["error"]


def test_metadata_names_the_endpoints_and_both_formats(service) -> None:
    metadata = service.client.get("/.well-known/openid-credential-issuer").get_json()
    assert metadata["credential_issuer"] == BASE
    assert metadata["credential_endpoint"] == f"{BASE}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{BASE}/oid4vci/nonce"
    assert metadata["display"][0]["name"] and metadata["display"][0]["logo"]["uri"]
    configurations = metadata["credential_configurations_supported"]
    assert configurations[OB_LDP]["format"] == "ldp_vc"
    assert "OpenBadgeCredential" in configurations[OB_LDP]["credential_definition"]["type"]
    assert configurations[OB_LDP]["credential_definition"]["@context"][0] == \
        "https://www.w3.org/ns/credentials/v2"
    assert configurations[OB_JWT]["format"] == "jwt_vc_json"
    assert "@context" not in configurations[OB_JWT]["credential_definition"]
    assert configurations[OB_JWT]["cryptographic_binding_methods_supported"] == \
        ["did:key", "did:jwk", "jwk"]
    assert "EdDSA" in configurations[OB_JWT]["proof_types_supported"]["jwt"][
        "proof_signing_alg_values_supported"]
    server = service.client.get("/.well-known/oauth-authorization-server").get_json()
    assert server["token_endpoint"] == f"{BASE}/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True
    # Only our identifier's path (none here) has metadata.
    assert service.client.get("/.well-known/openid-credential-issuer/other").status_code == 404


def test_the_employer_offers_by_value_and_by_reference(service) -> None:
    credential_id = issue(service)
    made = offer(service, credential_id, tx_code=True)
    assert made["txCode"].isdigit() and len(made["txCode"]) == 6
    assert made["qrSvg"].startswith("<svg")
    query = parse_qs(urlsplit(made["offerByReference"]).query)
    assert query["credential_offer_uri"] == [made["credentialOfferUri"]]
    by_reference = offer_object(service, made)
    assert by_reference["credential_issuer"] == BASE
    assert by_reference["credential_configuration_ids"] == [OB_LDP, OB_JWT]
    assert by_reference["grants"][PRE_AUTHORIZED]["tx_code"]["length"] == 6
    by_value = json.loads(parse_qs(urlsplit(made["offerByValue"]).query)["credential_offer"][0])
    assert by_value == by_reference
    # Another issuer's token cannot offer riverbend's credential.
    response = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{credential_id}/offers",
        json={}, headers=service.auth(service.other_admin))
    assert response.status_code == 403
    assert service.client.get("/oid4vci/offers/nope").status_code == 404


@pytest.mark.parametrize("configuration", [OB_LDP, OB_JWT])
@pytest.mark.parametrize("key", ["did:key", "did:jwk", "jwk"])
def test_a_wallet_gets_a_bound_credential(service, configuration: str, key: str) -> None:
    holder = HolderKey.p256() if key == "did:jwk" else HolderKey.ed25519()
    granted = access_token(service, tx_code=True)
    response = credential(service, granted, holder.proof(audience=BASE, nonce=nonce(service),
                                                         key=key), configuration)
    assert response.status_code == 200, response.get_json()
    [issued] = response.get_json()["credentials"]
    report = service.client.post("/credentials/verify", json={
        "verifiableCredential": issued["credential"]}).get_json()
    assert report["verified"] is True, report
    if configuration == OB_LDP:
        subject = issued["credential"]["credentialSubject"]["id"]
    else:
        assert isinstance(issued["credential"], str) and issued["credential"].count(".") == 2
        subject = decode_jwt(issued["credential"]).payload["sub"]
    if key == "did:key":
        assert subject == holder.did_key
    else:
        assert did_jwk_key(subject).jwk() == holder.jwk


def test_the_token_endpoint_refuses_by_the_names_rfc_6749_gives(service) -> None:
    made = offer(service, issue(service), tx_code=True)
    code = offer_object(service, made)["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    assert error_of(token(service, "not-a-code", tx_code="1")) == "invalid_grant"
    assert error_of(token(service, code)) == "invalid_request"  # tx_code missing
    assert error_of(service.client.post("/oid4vci/token", data={
        "grant_type": "authorization_code", "code": code})) == "unsupported_grant_type"
    wrong = "000000" if made["txCode"] != "000000" else "111111"
    assert error_of(token(service, code, tx_code=wrong)) == "invalid_grant"
    response = token(service, code, tx_code=made["txCode"])
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300
    assert response.headers["Cache-Control"] == "no-store"
    assert error_of(token(service, code, tx_code=made["txCode"])) == "invalid_grant"  # used

    plain = offer(service, issue(service))
    plain_code = offer_object(service, plain)["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    assert error_of(token(service, plain_code, tx_code="123456")) == "invalid_request"


def test_three_wrong_transaction_codes_end_the_offer(service) -> None:
    made = offer(service, issue(service), tx_code=True)
    code = offer_object(service, made)["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    wrong = "000000" if made["txCode"] != "000000" else "111111"
    for _ in range(3):
        assert error_of(token(service, code, tx_code=wrong)) == "invalid_grant"
    assert error_of(token(service, code, tx_code=made["txCode"])) == "invalid_grant"
    assert service.client.get(urlsplit(made["credentialOfferUri"]).path).status_code == 410


def test_an_expired_code_is_an_invalid_grant(service) -> None:
    made = offer(service, issue(service))
    code = offer_object(service, made)["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    with store(service.app).sessions() as db, db.begin():
        db.get(WalletOffer, made["offerId"]).expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert error_of(token(service, code)) == "invalid_grant"
    assert service.client.get(urlsplit(made["credentialOfferUri"]).path).status_code == 410


def test_the_credential_endpoint_refuses_by_the_names_openid4vci_gives(service) -> None:
    holder = HolderKey.ed25519()
    granted = access_token(service)
    response = service.client.post("/oid4vci/credential", json={})
    assert error_of(response, 401) == "invalid_token"
    assert response.headers["WWW-Authenticate"].startswith('Bearer error="invalid_token"')
    assert error_of(credential(service, "made-up", holder.proof(audience=BASE, nonce="x")),
                    401) == "invalid_token"
    assert error_of(credential(service, granted, holder.proof(audience=BASE, nonce="x"),
                               "UniversityDegree")) == "unknown_credential_configuration"
    assert error_of(credential(service, granted, holder.proof(audience=BASE, nonce="x"),
                               "ClrCredential_ldp_vc")) == "unknown_credential_configuration"
    assert error_of(service.client.post("/oid4vci/credential", json={
        "credential_configuration_id": OB_LDP}, headers={"Authorization": f"Bearer {granted}"}
    )) == "invalid_proof"
    assert error_of(credential(service, granted, holder.proof(
        audience="https://elsewhere.example", nonce=nonce(service)))) == "invalid_proof"
    assert error_of(credential(service, granted, holder.proof(
        audience=BASE, nonce="not-ours"))) == "invalid_nonce"
    # The refusals spent nothing: the token still buys the credential.
    fresh = nonce(service)
    assert credential(service, granted, holder.proof(audience=BASE, nonce=fresh)
                      ).status_code == 200
    # Replayed: the access token (good once), then the nonce under another token.
    assert error_of(credential(service, granted, holder.proof(audience=BASE, nonce=nonce(
        service))), 401) == "invalid_token"
    other = access_token(service)
    assert error_of(credential(service, other, holder.proof(audience=BASE, nonce=fresh))
                    ) == "invalid_nonce"


def test_a_used_offer_is_gone_and_its_code_spent(service) -> None:
    made = offer(service, issue(service))
    code = offer_object(service, made)["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    granted = token(service, code).get_json()["access_token"]
    holder = HolderKey.p256()
    assert credential(service, granted, holder.proof(audience=BASE, nonce=nonce(service))
                      ).status_code == 200
    assert service.client.get(urlsplit(made["credentialOfferUri"]).path).status_code == 410
    assert error_of(token(service, code)) == "invalid_grant"


def test_with_a_path_the_metadata_sit_where_the_specification_puts_them(tmp_path) -> None:
    client = make_app(tmp_path, PUBLIC_BASE_URL="https://example.org/cc").test_client()
    metadata = client.get("/.well-known/openid-credential-issuer/cc")
    assert metadata.status_code == 200
    assert metadata.get_json()["credential_issuer"] == "https://example.org/cc"
    assert metadata.get_json()["credential_endpoint"] == \
        "https://example.org/cc/oid4vci/credential"
    server = client.get("/.well-known/oauth-authorization-server/cc").get_json()
    assert server["issuer"] == "https://example.org/cc"
    assert client.get("/.well-known/openid-credential-issuer").status_code == 404


def test_a_credential_revoked_after_its_offer_is_denied(service) -> None:
    credential_id = issue(service)
    made = offer(service, credential_id)
    code = offer_object(service, made)["grants"][PRE_AUTHORIZED]["pre-authorized_code"]
    granted = token(service, code).get_json()["access_token"]
    response = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{credential_id}/revoke",
        json={"reason": "issued in error"}, headers=service.auth(service.admin))
    assert response.status_code == 200
    holder = HolderKey.ed25519()
    singular = service.client.post("/oid4vci/credential", json={
        "credential_configuration_id": OB_LDP,
        "proof": {"proof_type": "jwt", "jwt": holder.proof(audience=BASE, nonce="n")}},
        headers={"Authorization": f"Bearer {granted}"})
    assert error_of(singular) == "invalid_proof"
    assert "proofs, not proof" in singular.get_json()["error_description"]
    assert error_of(credential(service, granted, holder.proof(
        audience=BASE, nonce=nonce(service)))) == "credential_request_denied"
