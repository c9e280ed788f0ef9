"""The whole path a user takes: CLI set-up, a real server process, HTTP, verification."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.service.conftest import MODEL, completion_body

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def flask(env: dict, *args: str) -> dict:
    result = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def call(url: str, body: dict | None = None, token: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                     method="POST" if body else "GET")
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server(tmp_path: Path):
    port = free_port()
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "PUBLIC_BASE_URL":
           f"http://127.0.0.1:{port}"}
    env.pop("DATABASE_URL", None)
    env.pop("KEY_ENCRYPTION_KEY", None)
    flask(env, "init")
    assert flask(env, "init")["frameworksLoaded"] == []  # idempotent
    created = flask(env, "issuers", "create", "riverbend", "--name", "Riverbend",
                    "--email", "credentials@riverbend.example.org")
    assessor = flask(env, "tokens", "create", "--issuer", "riverbend", "--role", "assessor")
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", "--bind",
                                f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if call(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start: " + process.stderr.read().decode()[-2000:])
    yield base, created, assessor["token"], tmp_path
    process.terminate()
    process.wait(timeout=30)


def test_record_then_verify_over_http(server) -> None:
    base, created, assessor, instance = server
    assert created["did"].startswith("did:web:127.0.0.1%3A")
    assert created["token"].startswith("cc_")
    assert (instance / "key-encryption-key").stat().st_mode & 0o077 == 0

    status, result = call(f"{base}/api/v1/issuers/riverbend/completions",
                          completion_body(competency=f"{MODEL}/patient-vitals"), assessor)
    assert status == 201, result
    status, served = call(result["url"])
    assert status == 200 and served == result["credential"]
    status, report = call(f"{base}/credentials/verify", {"verifiableCredential": served})
    assert status == 200 and report["verified"] is True, report
    served["name"] = "Something else"
    status, report = call(f"{base}/credentials/verify", {"verifiableCredential": served})
    assert status == 422 and report["verified"] is False
