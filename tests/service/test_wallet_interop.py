"""Our credentials in the verifiers of the wallets that hold them.

The service runs under gunicorn over HTTPS (a self-signed certificate made here, trusted by
Node through NODE_EXTRA_CA_CERTS), with ``PUBLIC_BASE_URL`` https://localhost:PORT, so did:web
resolves for real: ``did:web:localhost%3APORT:issuers:riverbend`` ->
``https://localhost:PORT/issuers/riverbend/did.json``. A completion credential, a programme
certificate, a CLR and their status list are verified by @digitalcredentials/verifier-core
(Learner Credential Wallet, VerifierPlus) and @digitalbazaar/vc (tests/interop/wallets.mjs),
before and after a revocation. Needs Node.js and ``npm ci`` in tests/interop.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from credentials.frameworks import bundled_catalog
from loadtest.listeners import gunicorn_binds, loopback_listeners
from tests.conftest import STANDARDS
from tests.service.certificates import self_signed_certificate
from tests.service.conftest import MODEL
from tests.service.live import BIN, ROOT, flask, service_env

BRIDGE = ROOT / "tests" / "interop"
COMPETENCIES = [c.id for c in bundled_catalog().models[MODEL].competencies]
OB_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
             "ob_v3p0_achievementcredential_schema.json")

pytestmark = pytest.mark.interop


@dataclass
class HttpsServer:
    base: str
    did: str
    assessor: str
    admin: str
    certificate: Path
    tls: ssl.SSLContext

    def call(self, path: str, body: dict | None = None, token: str | None = None
             ) -> tuple[int, dict]:
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode() if body is not None else None,
            method="POST" if body is not None else "GET")
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60, context=self.tls) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def node() -> None:
    if not (shutil.which("node") and (BRIDGE / "node_modules" / "@digitalcredentials"
                                      / "verifier-core").is_dir()):
        if os.environ.get("CI"):
            pytest.fail("wallet verifiers missing: run `npm ci` in tests/interop")
        pytest.skip("Node.js or tests/interop/node_modules (verifier-core) missing: "
                    "run `make interop`")


@pytest.fixture
def https_server(tmp_path: Path, node: None) -> Iterator[HttpsServer]:
    cert_file, key_file = self_signed_certificate(tmp_path)
    sockets = loopback_listeners()  # "localhost" may resolve to 127.0.0.1 or ::1
    base = f"https://localhost:{sockets[0].getsockname()[1]}"
    with ExitStack() as stack:
        for sock in sockets:
            stack.enter_context(sock)
        yield from _serve_https(stack.enter_context(service_env(tmp_path, base)), base,
                                sockets, cert_file, key_file)


def _serve_https(env: dict[str, str], base: str, sockets: list[socket.socket],
                 cert_file: Path, key_file: Path) -> Iterator[HttpsServer]:
    """The issuer "riverbend" served over TLS by gunicorn on ``sockets``."""
    flask(env, "init")
    created = flask(env, "issuers", "create", "riverbend", "--name", "Riverbend",
                    "--email", "credentials@riverbend.example.org")
    assessor = flask(env, "tokens", "create", "--issuer", "riverbend", "--role", "assessor")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--workers", "2", *gunicorn_binds(sockets),
         "--certfile", str(cert_file), "--keyfile", str(key_file), "wsgi:app"],
        cwd=ROOT, env=env, pass_fds=[sock.fileno() for sock in sockets],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        server = HttpsServer(base, created["did"], assessor["token"], created["token"],
                             cert_file, ssl.create_default_context(cafile=cert_file))
        _wait_until_healthy(server, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_healthy(server: HttpsServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if server.call("/healthz")[0] == 200:
                return
        except OSError:
            time.sleep(0.2)
    process.kill()
    pytest.fail("the HTTPS server did not start: " + process.stderr.read().decode()[-2000:])


def wallet(server: HttpsServer, verifier: str, credentials: list[dict],
           standards: Path | None = None) -> dict:
    """Run one verifier over ``credentials``; published documents no package bundles come
    from the project's copies (contexts/MANIFEST; the OB schema from ../shared if there)."""
    documents = {}
    if standards is not None:
        documents[OB_SCHEMA] = json.loads((standards / "schemas" / "ob_v3p0" /
                                           "ob_v3p0_achievementcredential_schema.json")
                                          .read_text())
    env = {**os.environ, "NODE_EXTRA_CA_CERTS": str(server.certificate)}
    result = subprocess.run(["node", str(BRIDGE / "wallets.mjs")],
                            input=json.dumps({"verifier": verifier, "credentials": credentials,
                                              "documents": documents}),
                            capture_output=True, text=True, timeout=300, check=False, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def steps(result: dict) -> dict[str, bool]:
    """verifier-core's log as {step id: valid}."""
    return {entry["id"]: entry.get("valid", False) for entry in result.get("log", [])}


@dataclass
class Issued:
    completion: dict
    completion_id: str
    programme: dict
    clr: dict
    status_list: dict


def issue_everything(server: HttpsServer) -> Issued:
    # VC-JWTs first, so did.json also lists the issuer's P-256 and RSA keys (JsonWebKey).
    for algorithm in ("ES256", "RS256"):
        status, body = server.call("/api/v1/issuers/riverbend/completions", {
            "learner": {"name": "Sam Lee", "email": "sam.lee@example.com"},
            "competency": f"{MODEL}/{COMPETENCIES[0]}", "level": "developing",
            "completedOn": "2026-11-02", "format": "jwt", "algorithm": algorithm},
            server.assessor)
        assert status == 201, body
    did_json = server.call("/issuers/riverbend/did.json")[1]
    assert {m["type"] for m in did_json["verificationMethod"]} == {"Multikey", "JsonWebKey"}
    records = []
    for competency in COMPETENCIES:
        status, body = server.call("/api/v1/issuers/riverbend/completions", {
            "learner": {"name": "Jordan Rivera", "email": "jordan.rivera@example.com"},
            "competency": f"{MODEL}/{competency}", "level": "proficient",
            "completedOn": "2026-11-02"}, server.assessor)
        assert status == 201, body
        records.append(body)
    programme_id = records[-1]["programmeCredential"]["credentialId"]
    programme = server.call(f"/credentials/{programme_id}")[1]
    status, clr = server.call("/api/v1/issuers/riverbend/learners/clr",
                              {"email": "jordan.rivera@example.com"}, server.assessor)
    assert status == 201, clr
    completion = records[0]["credential"]
    list_path = completion["credentialStatus"]["statusListCredential"]
    status_list = server.call(list_path.removeprefix(server.base))[1]
    return Issued(completion, records[0]["credentialId"], programme, clr["credential"],
                  status_list)


def test_wallet_verifiers_accept_our_credentials_and_see_revocation(
        https_server: HttpsServer) -> None:
    server = https_server
    issued = issue_everything(server)
    documents = [issued.completion, issued.programme, issued.clr, issued.status_list]
    did = server.did
    assert did == f"did:web:localhost%3A{server.base.rsplit(':', 1)[1]}:issuers:riverbend"
    for document in documents:
        issuer = document["issuer"]
        assert (issuer["id"] if isinstance(issuer, dict) else issuer) == did
        assert document["proof"]["verificationMethod"].startswith(did + "#z6Mk")
    # The status list names the same issuer as the credentials it serves.
    assert issued.status_list["issuer"] == issued.completion["issuer"]["id"]
    standards = STANDARDS if (STANDARDS / "MANIFEST.md").is_file() else None

    core = wallet(server, "verifier-core", documents, standards)
    for name, result in zip(["completion", "programme", "clr", "status list"],
                            core["results"], strict=True):
        assert "errors" not in result, (name, result)
        checks = steps(result)
        assert checks["valid_signature"] and checks["expiration"], (name, result)
        # Ours is in no issuer registry (and the DCC registry is a network fetch): the step
        # runs and says so, as the wallet shows for any unregistered issuer.
        assert checks["registered_issuer"] is False
        if name != "status list":
            assert checks["revocation_status"] is True, (name, result)
        if standards is not None and name in ("completion", "programme"):
            # Its schema check (additional information, not a step): the official OB 3.0
            # AchievementCredential schema, served from ../shared as it would be from purl.
            [schema] = result["additionalInformation"][0]["results"]
            assert schema["result"] == {"valid": True}, (name, schema)
    fetched = {f["url"]: f["answer"] for f in core["fetched"]}
    assert fetched[f"{server.base}/issuers/riverbend/did.json"] == "HTTP 200"
    assert fetched[issued.completion["credentialStatus"]["statusListCredential"]] == "HTTP 200"

    vc = wallet(server, "vc", documents)
    for name, result in zip(["completion", "programme", "clr", "status list"],
                            vc["results"], strict=True):
        assert result["verified"] is True and result["error"] == "", (name, result)
        if name != "status list":
            assert result["statuses"] == [{"purpose": "revocation", "status": False}]

    status, body = server.call(f"/api/v1/issuers/riverbend/credentials/"
                               f"{issued.completion_id}/revoke", {}, server.admin)
    assert status == 200, body
    core = wallet(server, "verifier-core", [issued.completion], standards)["results"][0]
    assert steps(core)["valid_signature"] is True
    assert steps(core)["revocation_status"] is False, core
    vc = wallet(server, "vc", [issued.completion])["results"][0]
    assert vc["statuses"] == [{"purpose": "revocation", "status": True}], vc


def test_wallet_verifiers_refuse_a_tampered_credential(https_server: HttpsServer) -> None:
    status, body = https_server.call("/api/v1/issuers/riverbend/completions", {
        "learner": {"name": "Jordan Rivera", "email": "jordan.rivera@example.com"},
        "competency": f"{MODEL}/de-escalation", "level": "developing",
        "completedOn": "2026-11-02"}, https_server.assessor)
    assert status == 201, body
    tampered = json.loads(json.dumps(body["credential"]).replace("developing", "advanced"))
    core = wallet(https_server, "verifier-core", [tampered])["results"][0]
    assert [e["name"] for e in core["errors"]] == ["invalid_signature"], core
    vc = wallet(https_server, "vc", [tampered])["results"][0]
    assert vc["verified"] is False

