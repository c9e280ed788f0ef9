"""A wallet built from registry packages takes offers over VC API exchanges, end to end.

The service runs under gunicorn over HTTPS (as in test_wallet_interop.py). The holder
(tests/interop/holder.mjs) makes an Ed25519 did:key, dereferences the interaction URL,
starts the exchange and answers its DID Authentication request with a presentation signed
by Digital Bazaar's @digitalbazaar/vc (eddsa-rdfc-2022), and again with the packages the
Learner Credential Wallet signs with (Ed25519Signature2020). The credentials it receives
verify here, in @digitalcredentials/verifier-core and in @digitalbazaar/vc; revoking the
original credential shows every bound copy revoked in all three.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from issuer.services import wallet_links
from tests.service import test_wallet_interop as wallets

pytestmark = pytest.mark.interop
node, https_server = wallets.node, wallets.https_server


def offer(server: wallets.HttpsServer, credential_id: str) -> str:
    """An offer of the credential to its learner's wallet, made by the employer's API."""
    status, made = server.call(f"/api/v1/issuers/riverbend/credentials/{credential_id}/offers",
                               {}, server.assessor)
    assert status == 201, made
    return made["offerId"]


def holder(server: wallets.HttpsServer, offer_id: str, suite: str) -> dict:
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(server.certificate)}
    result = subprocess.run(
        ["node", str(wallets.BRIDGE / "holder.mjs")],
        input=json.dumps({"interaction": wallet_links.interaction_url(server.base, offer_id),
                          "suite": suite}),
        capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_wallet_takes_offers_over_vc_api_and_its_credentials_verify_everywhere(
        https_server: wallets.HttpsServer) -> None:
    server = https_server
    email = "jordan.rivera@example.com"
    status, body = server.call("/api/v1/issuers/riverbend/completions", {
        "learner": {"name": "Jordan Rivera", "email": email},
        "competency": f"{wallets.MODEL}/{wallets.COMPETENCIES[0]}", "level": "proficient",
        "completedOn": "2026-11-02"}, server.assessor)
    assert status == 201, body
    root_id = body["credentialId"]

    received = {}
    for suite in ("eddsa-rdfc-2022", "Ed25519Signature2020"):
        taken = holder(server, offer(server, root_id), suite)
        assert taken["status"] == 200, taken
        assert taken["request"]["domain"] == server.base.removeprefix("https://")
        proof = taken["presentation"]["proof"]
        assert proof["proofPurpose"] == "authentication"
        assert proof.get("cryptosuite", proof["type"]) == suite
        [credential] = taken["answer"]["verifiablePresentation"]["verifiableCredential"]
        assert credential["credentialSubject"]["id"] == taken["did"]
        assert credential["credentialStatus"] == body["credential"]["credentialStatus"]
        received[suite] = credential
    copies = list(received.values())

    for credential in copies:
        assert server.call("/credentials/verify",
                           {"verifiableCredential": credential})[1]["verified"] is True
    core = wallets.wallet(server, "verifier-core", copies)["results"]
    for result in core:
        assert "errors" not in result, result
        checks = wallets.steps(result)
        assert checks["valid_signature"] and checks["expiration"], result
        assert checks["revocation_status"] is True, result
    for result in wallets.wallet(server, "vc", copies)["results"]:
        assert result["verified"] is True and result["error"] == "", result
        assert result["statuses"] == [{"purpose": "revocation", "status": False}]

    status, answer = server.call(f"/api/v1/issuers/riverbend/credentials/{root_id}/revoke",
                                 {"reason": "issued in error"}, server.admin)
    assert status == 200, answer
    for credential in copies:
        status, report = server.call("/credentials/verify", {"verifiableCredential": credential})
        assert (status, report["standing"]) == (422, "revoked"), report
    for result in wallets.wallet(server, "verifier-core", copies)["results"]:
        assert wallets.steps(result)["valid_signature"] is True
        assert wallets.steps(result)["revocation_status"] is False, result
    for result in wallets.wallet(server, "vc", copies)["results"]:
        assert result["statuses"] == [{"purpose": "revocation", "status": True}], result
