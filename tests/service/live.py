"""A real server process for end-to-end tests: CLI set-up, then gunicorn on a free port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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


@dataclass
class LiveServer:
    base: str
    created: dict  # the issuer as `issuers create` printed it, admin token included
    assessor: str
    instance: Path


def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Initialise a store in tmp_path, create issuer "riverbend", serve it with gunicorn."""
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
    yield LiveServer(base, created, assessor["token"], tmp_path)
    process.terminate()
    process.wait(timeout=30)
