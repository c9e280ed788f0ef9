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
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from issuer import create_app
from issuer.services.wallet_offers import create_offer
from issuer.store import store
from issuer.web.context import service_context
from loadtest.listeners import loopback_listeners
from tests.service import test_wallet_interop as wallets
from tests.service.live import service_env

pytestmark = pytest.mark.interop
node = wallets.node


def offer(env: dict[str, str], instance: Path, credential_id: str, email: str) -> str:
    """An offer made on the served store (in this process: the pages that make offers are
    not this test's subject)."""
    config = {"PUBLIC_BASE_URL": env["PUBLIC_BASE_URL"]}
    if "DATABASE_URL" in env:
        config["DATABASE_URL"] = env["DATABASE_URL"]
    app = create_app(config, instance_path=str(instance))
    try:
        with store(app).sessions() as db, db.begin():
            return create_offer(db, service_context(app).kek, credential_id, email).offer.id
    finally:
        store(app).engine.dispose()


@pytest.fixture
def served(tmp_path: Path, node: None) -> Iterator[tuple[wallets.HttpsServer, dict]]:
    """The HTTPS service, and the environment its processes run with."""
    cert_file, key_file = wallets.self_signed_certificate(tmp_path)
    sockets = loopback_listeners()
    base = f"https://localhost:{sockets[0].getsockname()[1]}"
    with ExitStack() as stack:
        for sock in sockets:
            stack.enter_context(sock)
        env = stack.enter_context(service_env(tmp_path, base))
        serving = wallets._serve_https(env, base, sockets, cert_file, key_file)
        try:
            yield next(serving), env
        finally:
            serving.close()


def holder(server: wallets.HttpsServer, offer_id: str, suite: str) -> dict:
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(server.certificate)}
    result = subprocess.run(
        ["node", str(wallets.BRIDGE / "holder.mjs")],
        input=json.dumps({"interaction": f"{server.base}/interactions/{offer_id}?iuv=1",
                          "suite": suite}),
        capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_wallet_takes_offers_over_vc_api_and_its_credentials_verify_everywhere(
        served: tuple[wallets.HttpsServer, dict], tmp_path: Path) -> None:
    server, env = served
    email = "jordan.rivera@example.com"
    status, body = server.call("/api/v1/issuers/riverbend/completions", {
        "learner": {"name": "Jordan Rivera", "email": email},
        "competency": f"{wallets.MODEL}/{wallets.COMPETENCIES[0]}", "level": "proficient",
        "completedOn": "2026-11-02"}, server.assessor)
    assert status == 201, body
    root_id = body["credentialId"]

    received = {}
    for suite in ("eddsa-rdfc-2022", "Ed25519Signature2020"):
        taken = holder(server, offer(env, tmp_path, root_id, email), suite)
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
