"""A real server for end-to-end tests, as `make run` serves it: CLI set-up, then gunicorn on a
socket this process bound to a free port (no other run can take the port in between), and a
task worker beside it."""

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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from loadtest.listeners import gunicorn_binds, listener
from tests.service.stores import database_url, on_postgresql, pg_database

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


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
    env: dict[str, str] = field(default_factory=dict)  # for more CLI commands on its store


@contextmanager
def service_env(tmp_path: Path, base_url: str) -> Iterator[dict[str, str]]:
    """Environment for CLI and gunicorn processes: an instance folder, and a database of
    their own when the tests run on PostgreSQL."""
    env = {**os.environ, "INSTANCE_PATH": str(tmp_path), "PUBLIC_BASE_URL": base_url}
    env.pop("DATABASE_URL", None)
    env.pop("KEY_ENCRYPTION_KEY", None)
    if not on_postgresql():
        yield env
        return
    with pg_database() as name:
        yield {**env, "DATABASE_URL": database_url(name)}


def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Initialise a store in tmp_path, create issuer "riverbend", serve it with gunicorn."""
    with listener() as sock:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with service_env(tmp_path, base) as env:
            yield from _serve(env, sock, base, tmp_path)


def _serve(env: dict[str, str], sock: socket.socket, base: str,
           tmp_path: Path) -> Iterator[LiveServer]:
    flask(env, "init")
    assert flask(env, "init")["frameworksLoaded"] == []  # idempotent
    created = flask(env, "issuers", "create", "riverbend", "--name", "Riverbend",
                    "--email", "credentials@riverbend.example.org")
    assessor = flask(env, "tokens", "create", "--issuer", "riverbend", "--role", "assessor")
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "1", *gunicorn_binds([sock]),
                                "wsgi:app"], cwd=ROOT, env=env, pass_fds=[sock.fileno()],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if call(f"{base}/healthz")[0] == 200:
                break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("the server did not start: " + process.stderr.read().decode()[-2000:])
    worker = subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "worker"], cwd=ROOT,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    yield LiveServer(base, created, assessor["token"], tmp_path, env)
    for running in (process, worker):
        running.terminate()
    for running in (process, worker):
        running.wait(timeout=30)


def newest_mail_text(server: LiveServer, recipient: str, kind: str | None = None) -> str:
    """The plain text of the newest mail to ``recipient`` (of ``kind``, if given): as its
    outbox row holds it while queued, or as delivered (the .eml file the worker wrote),
    since a sent message's link is not kept in the store. Waits up to 15 seconds for it."""
    from email import message_from_bytes, policy

    from sqlalchemy import select

    from issuer.store import default_url, make_engine
    from issuer.store.models import OutboxMail

    engine = make_engine(server.env.get("DATABASE_URL") or default_url(str(server.instance)))
    query = select(OutboxMail.id, OutboxMail.state, OutboxMail.text_body).where(
        OutboxMail.recipient == recipient).order_by(OutboxMail.id.desc())
    if kind is not None:
        query = query.where(OutboxMail.kind == kind)
    try:
        for _attempt in range(150):
            with engine.connect() as connection:
                row = connection.execute(query).first()
            if row is None:  # a worker writes some mail (sign-in links) after the answer
                time.sleep(0.1)
                continue
            mail_id, state, text = row
            if state != "sent":
                return text
            delivered = server.instance / "mail" / f"{mail_id}.eml"
            if delivered.exists():
                message = message_from_bytes(delivered.read_bytes(), policy=policy.default)
                return message.get_body(preferencelist=("plain",)).get_content()
            time.sleep(0.1)
    finally:
        engine.dispose()
    raise AssertionError(f"no mail to {recipient} within 15 seconds, or sent without an "
                         ".eml file holding it")
