"""Load and fault test: concurrent clients issue and verify against gunicorn on loopback.

    python loadtest/run.py --clients 50 --seconds 60
    python loadtest/run.py --database-url postgresql://postgres@127.0.0.1:5432/loadtest \\
        --kill-worker-at 20 --restart-db-at 35

Clients retry a failed or refused issuance with the same Idempotency-Key, as a careful client
would. Afterwards: every 201 the clients received has its stored credential and it verifies,
no credential exists without its completion, no status list position is used twice, and no
key produced two credentials. Not part of `make test` (tests/service/test_load.py runs a small
version of it).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from issuer.store import normalise_url  # noqa: E402
from loadtest.listeners import gunicorn_binds, listener  # noqa: E402

BIN = Path(sys.executable).parent
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"
COMPETENCIES = ["de-escalation", "patient-vitals", "cpr-and-first-aid"]


@dataclass
class Server:
    base: str
    slug: str
    token: str
    database_url: str
    process: subprocess.Popen

    def workers(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return children

    def kill_a_worker(self) -> int:
        victim = random.choice(self.workers())
        os.kill(victim, signal.SIGKILL)
        return victim


def _post(url: str, body: object, token: str | None = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **(headers or {})})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@contextmanager
def serve(workers: int = 2, database_url: str | None = None) -> Iterator[Server]:
    """gunicorn on a free loopback port over a fresh store (SQLite unless a URL is given)."""
    instance = tempfile.mkdtemp(prefix="cc-load-")
    try:
        with listener() as sock:
            yield from _serve(workers, database_url, sock, instance)
    finally:
        shutil.rmtree(instance, ignore_errors=True)


def _serve(workers: int, database_url: str | None, sock: socket.socket,
           instance: str) -> Iterator[Server]:
    port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    url = database_url or f"sqlite:///{instance}/credentials.sqlite3"
    env = {**os.environ, "INSTANCE_PATH": instance, "PUBLIC_BASE_URL": base,
           "DATABASE_URL": url, "RATE_LIMIT_ISSUE_PER_TOKEN": "0",
           "RATE_LIMIT_ISSUE_PER_IP": "0", "RATE_LIMIT_VERIFY_PER_IP": "0"}

    def flask(*args: str) -> dict:
        out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    flask("init")
    issuer = flask("issuers", "create", f"load{uuid.uuid4().hex[:6]}", "--name", "Load")
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", str(workers),
                                *gunicorn_binds([sock]), "--graceful-timeout", "5", "wsgi:app"],
                               cwd=ROOT, env=env, pass_fds=[sock.fileno()],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server(base, issuer["slug"], issuer["token"], url, process)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@dataclass
class Outcome:
    statuses: Counter = field(default_factory=Counter)  # final answers, by kind and status
    attempts: Counter = field(default_factory=Counter)  # every answer, retries included
    issued: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> credentialId
    gave_up: dict[str, int] = field(default_factory=dict)  # key -> last status, not issued
    duplicates: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"issue": [],
                                                                        "verify": []})
    elapsed: float = 0.0


def run_load(server: Server, clients: int, seconds: float,
             faults: list[tuple[float, str]] | None = None) -> Outcome:
    """``clients`` threads for ``seconds``; each fault ("kill-worker" or "restart-db") fires
    at its time (seconds from the start)."""
    outcome = Outcome()
    lock = threading.Lock()
    credentials: list[dict] = []
    issue_url = f"{server.base}/api/v1/issuers/{server.slug}/completions"
    deadline = time.monotonic() + seconds

    def attempt(kind: str, call: Callable[[], tuple[int, dict]]) -> tuple[int, dict]:
        for _ in range(40):
            try:
                status, body = call()
            except (OSError, ValueError, http.client.HTTPException):
                status, body = 599, {}  # connection dropped, even mid-answer (a killed worker)
            with lock:
                outcome.attempts[(kind, status)] += 1
            if status < 500 and status != 429:
                return status, body
            time.sleep(0.25)
        return status, body

    def client(number: int) -> None:
        rng = random.Random(number)
        while time.monotonic() < deadline:
            started = time.perf_counter()
            if credentials and rng.random() < 0.3:
                with lock:
                    document = rng.choice(credentials[-200:])
                status, body = attempt("verify", lambda d=document: _post(
                    f"{server.base}/credentials/verify", {"verifiableCredential": d}))
                kind = "verify"
                if status == 200 and not body.get("verified"):
                    status = 1000  # answered, but the credential did not verify
            else:
                key = uuid.uuid4().hex
                body_ = {"learner": {"name": f"Client {number}",
                                     "email": f"c{number}.{key[:8]}@example.com"},
                         "competency": f"{MODEL}/{rng.choice(COMPETENCIES)}",
                         "level": "developing", "completedOn": "2026-11-02"}
                status, body = attempt("issue", lambda b=body_, k=key: _post(
                    issue_url, b, server.token, {"Idempotency-Key": k}))
                kind = "issue"
                if status not in (200, 201):
                    with lock:
                        outcome.gave_up[key] = status
                else:
                    with lock:
                        if key in outcome.issued and outcome.issued[key] != body["credentialId"]:
                            outcome.duplicates.append(key)
                        outcome.issued[key] = body["credentialId"]
                        credentials.append(body["credential"])
            with lock:
                outcome.statuses[(kind, status)] += 1
                outcome.latencies[kind].append(time.perf_counter() - started)

    def injector() -> None:
        start = time.monotonic()
        for at, fault in sorted(faults or []):
            time.sleep(max(0.0, start + at - time.monotonic()))
            if fault == "kill-worker":
                print(f"  t={at:.0f}s: SIGKILL worker {server.kill_a_worker()}", flush=True)
            elif fault == "restart-db":
                cluster = sorted(os.listdir("/etc/postgresql"))[0]
                subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main",
                                "restart"], check=True, capture_output=True)
                print(f"  t={at:.0f}s: PostgreSQL restarted", flush=True)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=injector))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.elapsed = time.perf_counter() - started
    return outcome


def check(server: Server, outcome: Outcome) -> list[str]:
    """Everything that must hold after the run; empty when it all does."""
    problems = []
    engine = create_engine(normalise_url(server.database_url))
    with engine.connect() as connection:
        stored = {row[0] for row in connection.execute(text("select id from credentials"))}
        orphans = connection.execute(text(
            "select count(*) from credentials c left join completions p "
            "on p.id = c.completion_id where p.id is null")).scalar_one()
        reused = connection.execute(text(
            "select count(*) from (select status_list_id, position from status_entries "
            "group by 1, 2 having count(*) > 1) as reused")).scalar_one()
    engine.dispose()
    answered = set(outcome.issued.values())
    if lost := answered - stored:
        problems.append(f"{len(lost)} credentials answered with 201 are not stored")
    if extra := stored - answered:
        emails = _emails(server, extra)
        problems.append(f"{len(extra)} stored credentials no client was given: "
                        f"{sorted(emails)[:5]}; keys the clients gave up on: "
                        f"{dict(list(outcome.gave_up.items())[:5])}")
    if orphans:
        problems.append(f"{orphans} credentials without their completion")
    if reused:
        problems.append(f"{reused} status list positions used twice")
    if outcome.duplicates:
        problems.append(f"{len(outcome.duplicates)} keys answered with two credentials")
    failed = 0
    for credential_id in sorted(answered & stored):
        with urllib.request.urlopen(f"{server.base}/credentials/{credential_id}") as response:
            document = json.loads(response.read())
        status, report = _post(f"{server.base}/credentials/verify",
                               {"verifiableCredential": document})
        failed += status != 200 or not report.get("verified")
    if failed:
        problems.append(f"{failed} issued credentials do not verify")
    final_5xx = sum(n for (_kind, status), n in outcome.statuses.items() if 500 <= status < 600)
    if final_5xx:
        problems.append(f"{final_5xx} requests ended in a 5xx after retries")
    return problems


def _emails(server: Server, credential_ids: set[str]) -> set[str]:
    """The learners of ``credential_ids`` (their addresses carry the clients' keys)."""
    engine = create_engine(normalise_url(server.database_url))
    with engine.connect() as connection:
        rows = connection.execute(text("select id, learner_email from credentials")).all()
    engine.dispose()
    return {email for credential_id, email in rows if credential_id in credential_ids}


def report(outcome: Outcome, label: str) -> None:
    for kind, latencies in outcome.latencies.items():
        if not latencies:
            continue
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        print(f"{label} {kind:6}: {len(ordered) / outcome.elapsed:7.1f} req/s, "
              f"p50 {statistics.median(ordered) * 1000:6.1f} ms, p99 {p99 * 1000:7.1f} ms")
    print(f"{label} final answers: {dict(sorted(outcome.statuses.items()))}")
    retried = {k: v for k, v in outcome.attempts.items() if k[1] >= 500 or k[1] == 429}
    print(f"{label} answers retried (5xx, 429, dropped connections): {retried}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url", help="default: a fresh SQLite store")
    parser.add_argument("--kill-worker-at", type=float, action="append", default=[])
    parser.add_argument("--restart-db-at", type=float, action="append", default=[])
    args = parser.parse_args()
    if args.database_url:
        engine = create_engine(normalise_url(args.database_url))
        with engine.begin() as connection:  # a fresh schema: the run's own data only
            connection.execute(text("drop schema public cascade; create schema public"))
        engine.dispose()
    faults = [(t, "kill-worker") for t in args.kill_worker_at] + \
        [(t, "restart-db") for t in args.restart_db_at]
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(f"{args.clients} clients, {args.seconds:.0f}s, gunicorn {args.workers} workers, "
          f"{store}; faults: {faults or 'none'}")
    with serve(args.workers, args.database_url) as server:
        outcome = run_load(server, args.clients, args.seconds, faults)
        report(outcome, store)
        problems = check(server, outcome)
    print(f"{store} issued {len(outcome.issued)} credentials; "
          + ("all checks hold" if not problems else "PROBLEMS: " + "; ".join(problems)))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
