"""An independent OpenID4VCI wallet takes our offers: the OpenWallet Foundation's client
(@openid4vc/openid4vci, tests/interop/oid4vci_wallet.mjs) resolves the offer (by reference
and by value), reads our metadata, trades the pre-authorized code and transaction code for
an access token, takes a c_nonce, proves a fresh holder key and receives the credential in
both formats. What it receives verifies here and, as ldp_vc, in Digital Bazaar's
@digitalbazaar/vc. The service runs over HTTPS as in test_wallet_interop."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from credentials.key_proofs import did_jwk
from credentials.proofs.jwt import decode_jwt
from tests.service.conftest import MODEL
from tests.service.test_wallet_interop import (  # noqa: F401 (fixtures)
    BRIDGE,
    COMPETENCIES,
    HttpsServer,
    https_server,
    node,
    wallet,
)

pytestmark = pytest.mark.interop


def oid4vci_wallet(server: HttpsServer, **request: object) -> dict:
    if not (BRIDGE / "node_modules" / "@openid4vc" / "openid4vci").is_dir():
        if os.environ.get("CI"):
            pytest.fail("@openid4vc/openid4vci missing: run `npm ci` in tests/interop")
        pytest.skip("@openid4vc/openid4vci missing: run `npm ci` in tests/interop")
    result = subprocess.run(["node", str(BRIDGE / "oid4vci_wallet.mjs")],
                            input=json.dumps(request), capture_output=True, text=True,
                            timeout=120, check=False,
                            env={**os.environ, "NODE_EXTRA_CA_CERTS": str(server.certificate)})
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


def offer(server: HttpsServer, credential_id: str, tx_code: bool) -> dict:
    status, body = server.call(f"/api/v1/issuers/riverbend/credentials/{credential_id}/offers",
                               {"txCode": tx_code}, server.assessor)
    assert status == 201, body
    return body


def test_an_openid4vci_wallet_receives_both_formats(https_server: HttpsServer  # noqa: F811
                                                     ) -> None:
    server = https_server
    status, issued = server.call("/api/v1/issuers/riverbend/completions", {
        "learner": {"name": "Jordan Rivera", "email": "jordan.rivera@example.com"},
        "competency": f"{MODEL}/{COMPETENCIES[0]}", "level": "proficient",
        "completedOn": "2026-11-02"}, server.assessor)
    assert status == 201, issued

    by_reference = offer(server, issued["credentialId"], tx_code=True)
    received = oid4vci_wallet(server, offer=by_reference["offerByReference"],
                              txCode=by_reference["txCode"], key="ed25519",
                              binding="did:key", configurationId="OpenBadgeCredential_ldp_vc")
    assert received["offer"]["credential_issuer"] == server.base
    assert received["issuer"]["credential_issuer"] == server.base
    assert received["authorizationServer"]["token_endpoint"] == f"{server.base}/oid4vci/token"
    assert received["tokenType"] == "Bearer"
    credential = received["credential"]
    assert credential["credentialSubject"]["id"] == received["holder"]
    assert credential["credentialSubject"]["achievement"] == \
        issued["credential"]["credentialSubject"]["achievement"]
    status, report = server.call("/credentials/verify", {"verifiableCredential": credential})
    assert status == 200 and report["verified"] is True, report
    [digital_bazaar] = wallet(server, "vc", [credential])["results"]
    assert digital_bazaar["verified"] is True and digital_bazaar["error"] == "", digital_bazaar

    by_value = offer(server, issued["credentialId"], tx_code=False)
    received = oid4vci_wallet(server, offer=by_value["offerByValue"], txCode=None,
                              key="p256", binding="jwk",
                              configurationId="OpenBadgeCredential_jwt_vc_json")
    token = received["credential"]
    assert isinstance(token, str)
    assert decode_jwt(token).payload["sub"] == did_jwk(received["holderJwk"])
    status, report = server.call("/credentials/verify", {"verifiableCredential": token})
    assert status == 200 and report["verified"] is True, report

    # Each offer was good once: the offer documents are gone now.
    for used in (by_reference, by_value):
        status, _ = server.call(used["credentialOfferUri"].removeprefix(server.base))
        assert status == 410
