"""HTTP issuance and verification against gunicorn with 2 workers on loopback.

Starts its own server on a temporary SQLite store, then drives it from client threads for a
fixed time. Baselines measured in the same run: ``GET /healthz`` (the server's floor) and the
library's own sign/verify rate on this machine.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
CLIENTS = 4
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, body: dict | None = None, token: str | None = None) -> bytes:
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                 method="POST" if body else "GET",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=60) as response:
        return response.read()


def load(action: Callable[[int], object]) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) with CLIENTS threads for SECONDS."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client(number: int) -> None:
        nonlocal errors
        n = 0
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                action(number * 1_000_000 + n)
            except Exception:
                with lock:
                    errors += 1
                continue
            finally:
                n += 1
            with lock:
                latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000, errors


def main() -> None:
    instance = tempfile.mkdtemp(prefix="cc-bench-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INSTANCE_PATH": instance, "PUBLIC_BASE_URL": base}
    env.pop("DATABASE_URL", None)

    def flask(*args: str) -> dict:
        out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    flask("init")
    token = flask("issuers", "create", "bench", "--name", "Bench Health")["token"]
    server = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                request(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        body = {"learner": {"name": "Bench Learner", "email": "bench@example.com"},
                "competency": f"{MODEL}/de-escalation", "level": "developing",
                "completedOn": "2026-11-02"}
        issued = json.loads(request(f"{base}/api/v1/issuers/bench/completions", body, token))
        credential = {"verifiableCredential": issued["credential"]}

        rows = [
            ("GET /healthz (baseline)", lambda n: request(f"{base}/healthz")),
            ("POST completions (issue)",
             lambda n: request(f"{base}/api/v1/issuers/bench/completions", body, token)),
            ("POST /credentials/verify", lambda n: request(f"{base}/credentials/verify",
                                                           credential)),
        ]
        print(f"gunicorn, 2 workers, SQLite store, {CLIENTS} client threads on loopback, "
              f"{SECONDS:.0f}s per row")
        print(f"{'endpoint':28} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
              f"{'vs healthz':>11}")
        floor = None
        for label, action in rows:
            per_second, p50, p99, errors = load(action)
            floor = floor or per_second
            print(f"{label:28} {per_second:8.1f} {p50:8.1f} {p99:8.1f} {errors:7d} "
                  f"{per_second / floor:10.3f}x")
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
