"""Issuance and verification through HTTP: gunicorn with 2 workers on loopback (as ``make run``
serves it), one client issuing requests one after another, on SQLite and (with
BENCH_DATABASE_URL) on PostgreSQL.

Each row runs twice in the same run: against a server canonicalizing with plain pyld
(CREDENTIALS_CANONICALIZER=pyld, the baseline) and against the normal server. Documents:
(a) the service's own DLI credential, (b) the official complete.json (when ../shared is
present; signed again, see ``resigned_complete``), (c) a CLR with 25 embedded credentials
built through the API. In the same run, Digital Bazaar's ``@digitalbazaar/vc`` signs and
verifies credential (a) in-process (bench_interop.mjs, when Node.js and tests/interop's
node_modules are there): the yardstick for our HTTP issue and verify rates.
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
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
CLIENTS = 1  # one sequential client: a request's own cost, not the server's parallelism
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"
COMPLETE = ROOT.parent / "shared/standards/examples/ob30-1edtech-validator/complete.json"
FIRST_REPORTED_ISSUANCE = 82.4  # req/s, the issuing-service issue's closing note
INTEROP = ROOT / "bench/bench_interop.mjs"
TARGETS = {"issue": 2.0, "verify": 3.0, "clr": 10.0}  # issue #15
VC_API_ISSUE = "issue (a) VC API"
VERIFY_OWN = "verify (a) DLI credential"
VERIFY_CLR = "verify (c) CLR(25)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def request(url: str, body: dict | None = None, token: str | None = None) -> bytes:
    """POST (with a body) or GET; a 422 verification answer is an answer, not an error."""
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body else None,
                                 method="POST" if body else "GET",
                                 headers={"Content-Type": "application/json"})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        if error.code == 422 and url.endswith("/credentials/verify"):
            return error.read()
        raise


def load(action: Callable[[], object]) -> tuple[float, float, float, int]:
    """(requests/s, p50 ms, p99 ms, errors) with CLIENTS threads for SECONDS."""
    latencies: list[float] = []
    errors = 0
    failures: list[Exception] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client() -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            start = time.perf_counter()
            try:
                action()
            except Exception as error:
                with lock:
                    errors += 1
                    failures.append(error)
                continue
            with lock:
                latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if not latencies:
        raise RuntimeError(f"every request failed, the first with: {failures[0]!r}")
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return len(latencies) / elapsed, statistics.median(latencies) * 1000, p99 * 1000, errors


@contextmanager
def server(canonicalizer: str, database_url: str | None) -> Iterator[tuple[str, str]]:
    """A fresh store and gunicorn (2 workers); yields (base URL, admin token)."""
    instance = tempfile.mkdtemp(prefix="cc-bench-")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "INSTANCE_PATH": instance, "PUBLIC_BASE_URL": base,
           "CREDENTIALS_CANONICALIZER": canonicalizer, "RATE_LIMIT_ISSUE_PER_TOKEN": "0",
           "RATE_LIMIT_ISSUE_PER_IP": "0", "RATE_LIMIT_VERIFY_PER_IP": "0"}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
        reset_database(database_url)

    def flask(*args: str) -> dict:
        out = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    flask("init")
    token = flask("issuers", "create", "bench", "--name", "Bench Health")["token"]
    process = subprocess.Popen([str(BIN / "gunicorn"), "--workers", "2", "--bind",
                                f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                request(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.2)
        yield base, token
    finally:
        process.terminate()
        process.wait(timeout=30)


def reset_database(url: str) -> None:
    """Drop every table of the benchmark's own database, so each server starts empty."""
    from sqlalchemy import MetaData, create_engine

    engine = create_engine(url)
    metadata = MetaData()
    metadata.reflect(engine)
    metadata.drop_all(engine)
    engine.dispose()


def completion(competency: str = "de-escalation", email: str = "bench@example.com") -> dict:
    return {"learner": {"name": "Bench Learner", "email": email},
            "competency": f"{MODEL}/{competency}", "level": "developing",
            "completedOn": "2026-11-02"}


def resigned_complete() -> dict:
    """complete.json issued again by a did:key, without its (and its endorsements') 1EdTech
    revocation lists: they and its issuer profile live on the network, and the measure is our
    verifier's work, not lookups failing in a closed network."""
    sys.path.insert(0, str(ROOT))
    from credentials.proofs import EDDSA_RDFC_2022, create_proof
    from tests.factories import did_key_signer

    def offline(value: object) -> object:
        if isinstance(value, dict):
            return {k: offline(v) for k, v in value.items() if k != "credentialStatus"}
        return [offline(v) for v in value] if isinstance(value, list) else value

    complete = json.loads(COMPLETE.read_text())
    signer = did_key_signer()
    unsigned = offline({k: v for k, v in complete.items() if k != "proof"})
    unsigned["issuer"] = {**unsigned["issuer"], "id": signer.controller}
    return create_proof(unsigned, EDDSA_RDFC_2022, signer)


def unsigned_form(credential: dict) -> dict:
    """What a caller sends to ``POST /credentials/issue``: the credential without what the
    issuer adds (its id, proof, status entries)."""
    return {k: v for k, v in credential.items()
            if k not in ("id", "proof", "credentialStatus")}


def digital_bazaar(credential: dict) -> dict | None:
    """@digitalbazaar/vc's in-process sign and verify rates on ``credential`` (None when
    Node.js or tests/interop's node_modules are missing)."""
    if not (ROOT / "tests/interop/node_modules/@digitalbazaar/vc").is_dir():
        return None
    try:
        out = subprocess.run(["node", str(INTEROP)], input=json.dumps(
            {"credential": credential, "seconds": SECONDS}), capture_output=True, text=True,
            check=True, timeout=SECONDS * 10 + 60).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return json.loads(out)


def rows(base: str, token: str) -> tuple[dict, list[tuple[str, Callable[[], object]]]]:
    """Credential (a), unsigned, and the measured requests, their documents made through
    this server's API."""
    issue = f"{base}/api/v1/issuers/bench/completions"
    verify = f"{base}/credentials/verify"
    own = json.loads(request(issue, completion(), token))["credential"]
    vc_api_body = {"credential": unsigned_form(own)}
    competencies = json.loads(request(f"{base}/api/v1/frameworks/{MODEL}"))["competencies"]
    for competency in competencies:
        request(issue, completion(competency["id"], "record@example.com"), token)
    clr = json.loads(request(f"{base}/api/v1/issuers/bench/learners/clr",
                             {"email": "record@example.com"}, token))["credential"]
    found = [("GET /healthz", lambda: request(f"{base}/healthz")),
             ("issue (a) DLI credential", lambda: request(issue, completion(), token)),
             (VC_API_ISSUE,
              lambda: request(f"{base}/credentials/issue", vc_api_body, token)),
             (VERIFY_OWN, lambda: request(verify, {"verifiableCredential": own}))]
    if COMPLETE.is_file():
        complete = resigned_complete()
        found.append(("verify (b) complete.json",
                      lambda: request(verify, {"verifiableCredential": complete})))
    found.append((VERIFY_CLR, lambda: request(verify, {"verifiableCredential": clr})))
    return {k: v for k, v in own.items() if k != "proof"}, found


def measure(store: str, url: str | None) -> None:
    """Every row on both servers over one store, then Digital Bazaar's rates, and the ratios."""
    results: dict[str, dict[str, tuple[float, float, float, int]]] = {}
    unsigned: dict = {}
    before: dict | None = None
    for canonicalizer in ("pyld", "fast"):
        with server(canonicalizer, url) as (base, token):
            unsigned, found = rows(base, token)
            if before is None:  # theirs before and after ours: a shared machine's load drifts
                before = digital_bazaar(unsigned)
            for label, action in found:
                results.setdefault(label, {})[canonicalizer] = load(action)
    after = digital_bazaar(unsigned)
    theirs = None if before is None or after is None else {
        "sign": (before["sign"] + after["sign"]) / 2,
        "verify": (before["verify"] + after["verify"]) / 2,
        "verified": before["verified"] and after["verified"]}
    print(f"\ngunicorn, 2 workers, {store} store, {CLIENTS} sequential client on loopback, "
          f"{SECONDS:.0f}s per figure; baseline: the same server canonicalizing with plain pyld")
    print(f"{'request':28} {'pyld req/s':>10} {'ours req/s':>10} {'ratio':>7} {'p50 ms':>7} "
          f"{'p99 ms':>7} {'errors':>7}")
    for label, by_mode in results.items():
        base, ours = by_mode["pyld"], by_mode["fast"]
        print(f"{label:28} {base[0]:10.1f} {ours[0]:10.1f} {ours[0] / base[0]:6.2f}x "
              f"{ours[1]:7.1f} {ours[2]:7.1f} {base[3] + ours[3]:7d}")
    issued = results["issue (a) DLI credential"]["fast"][0]
    print(f"issuance: {issued:.1f} req/s = {issued / FIRST_REPORTED_ISSUANCE:.2f}x the "
          f"{FIRST_REPORTED_ISSUANCE} req/s first reported (issuing-service issue)")
    clr = results[VERIFY_CLR]
    print(f"CLR(25) verification through HTTP: {clr['fast'][0] / clr['pyld'][0]:.2f}x plain "
          f"pyld (target {TARGETS['clr']:.0f}x)")
    if theirs is None:
        print("@digitalbazaar/vc: not measured (needs node and tests/interop/node_modules)")
        return
    ours_issue, ours_verify = results[VC_API_ISSUE]["fast"][0], results[VERIFY_OWN]["fast"][0]
    print(f"@digitalbazaar/vc in-process on credential (a), the mean of a run before and one "
          f"after ours: signs {theirs['sign']:.1f}/s (before {before['sign']:.1f}, after "
          f"{after['sign']:.1f}), verifies {theirs['verify']:.1f}/s (before "
          f"{before['verify']:.1f}, after {after['verify']:.1f}); verified: "
          f"{theirs['verified']}; status not looked up")
    print(f"POST /credentials/issue {ours_issue:.1f}/s = {ours_issue / theirs['sign']:.2f}x "
          f"their signing (target {TARGETS['issue']:.0f}x); POST /credentials/verify "
          f"{ours_verify:.1f}/s = {ours_verify / theirs['verify']:.2f}x their verifying "
          f"(target {TARGETS['verify']:.0f}x)")


def main() -> None:
    measure("SQLite", None)
    if os.environ.get("BENCH_DATABASE_URL"):  # e.g. a PostgreSQL database to fill and empty
        measure("PostgreSQL", os.environ["BENCH_DATABASE_URL"])


if __name__ == "__main__":
    main()
