"""The attack mix: hostile verification requests beside normal ones, against gunicorn.

    python loadtest/attacks.py --clients 8 --attackers 4 --seconds 30

Normal clients verify real credentials while attackers send each known attack in turn (200
proofs over 2,000 evidence items, 1,000 status entries, deeply nested JSON pasted into the
verifier page, a small PNG holding 200,000-deep JSON, a 20-node blank-node clique, 30
endorsements each holding a 14-node clique, a status list at a refused address).
Each attack must be answered without a 5xx; the normal verifications' p99 must stay under a
second. Bounded by ``--seconds`` and ``--max-requests``.
"""

from __future__ import annotations

import argparse
import copy
import http.client
import json
import struct
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loadtest.run import MODEL, Server, _post, serve

Request = tuple[str, bytes, str]  # path, body, content type
NORMAL_P99_SECONDS = 1.0


def nested(depth: int) -> str:
    """JSON ``depth`` objects deep."""
    return '{"a": ' * depth + "1" + "}" * depth


def png_holding(text: bytes) -> bytes:
    """A 1x1 PNG whose openbadgecredential iTXt chunk holds ``text``, compressed."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    itxt = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(text, 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)) \
        + chunk(b"iTXt", itxt) + chunk(b"IEND", b"")


def _form(fields: dict[str, str]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                    .encode() + value.encode() + b"\r\n" for name, value in fields.items())
    return body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def attacks(credential: dict) -> dict[str, Request]:
    """Every attack, as a request, made from one real credential."""
    def verify_body(document: object) -> bytes:
        return json.dumps({"verifiableCredential": document}).encode()

    proofs = copy.deepcopy(credential)
    proofs["credentialSubject"]["evidence"] = [
        {"id": f"https://e.example/{i}", "type": ["Evidence"], "narrative": "x" * 60}
        for i in range(2000)]
    proofs["proof"] = [credential["proof"]] * 200
    entry = credential["credentialStatus"]
    entry = entry[0] if isinstance(entry, list) else entry
    statuses = {**credential, "credentialStatus": [
        {**entry, "id": f"{entry['statusListCredential']}#{i}", "statusListIndex": str(i)}
        for i in range(1000)]}
    hostile_list = {**credential, "credentialStatus": {
        **entry, "statusListCredential": "https://169.254.169.254/latest/meta-data"}}
    clique_nodes = [f"_:e{i}" for i in range(20)]
    clique = [{"id": node, "type": ["Evidence"], "https://example.org/related": [
        {"id": other} for other in clique_nodes if other != node]} for node in clique_nodes]
    poisoned = {**credential, "evidence": clique}
    small_clique = clique[:14]
    endorsements = {**credential, "endorsement": [
        {**credential, "id": f"urn:uuid:{uuid.UUID(int=i)}", "evidence": small_clique}
        for i in range(30)]}
    pasted, pasted_type = _form({"credential_text": json.dumps(
        {**credential, "extra": json.loads(nested(900))})})
    return {
        "200 proofs x 2000 evidence": ("/credentials/verify", verify_body(proofs),
                                       "application/json"),
        "1000 status entries": ("/credentials/verify", verify_body(statuses),
                                "application/json"),
        "900-deep paste": ("/verify", pasted, pasted_type),
        "200,000-deep PNG": ("/credentials/verify",
                             png_holding(nested(200_000).encode()), "image/png"),
        "20-node blank-node clique": ("/credentials/verify", verify_body(poisoned),
                                      "application/json"),
        "30 endorsements, each a 14-node clique": ("/credentials/verify",
                                                   verify_body(endorsements),
                                                   "application/json"),
        "status list at a metadata address": ("/credentials/verify", verify_body(hostile_list),
                                              "application/json"),
    }


def _send(base: str, request: Request) -> int:
    path, body, content_type = request
    call = urllib.request.Request(base + path, data=body, method="POST",
                                  headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(call, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        error.read()
        return error.code
    except (OSError, http.client.HTTPException):
        return 599


@dataclass
class MixOutcome:
    normal: list[float] = field(default_factory=list)  # seconds per normal verification
    normal_statuses: Counter = field(default_factory=Counter)
    attack_statuses: Counter = field(default_factory=Counter)  # (attack, status)
    attack_seconds: dict[str, float] = field(default_factory=dict)  # slowest answer each

    def p99(self) -> float:
        ordered = sorted(self.normal)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0

    def problems(self) -> list[str]:
        """Every way the mix went wrong, the speed target included."""
        found = self.failures()
        if self.p99() >= NORMAL_P99_SECONDS:
            found.append(f"normal verify p99 {self.p99():.2f}s (at most {NORMAL_P99_SECONDS}s)")
        return found

    def failures(self) -> list[str]:
        """Wrong answers, whatever the machine's speed: a 5xx, a normal verification that
        did not verify, or none completed."""
        found = []
        if not self.normal:
            found.append("no normal verification completed")
        if set(self.normal_statuses) != {200}:
            found.append(f"normal verifications answered {dict(self.normal_statuses)}")
        server_errors = {k: n for k, n in self.attack_statuses.items() if k[1] >= 500}
        if server_errors:
            found.append(f"attacks answered with 5xx: {server_errors}")
        return found


def run_mix(server: Server, clients: int, attackers: int, seconds: float,
            max_requests: int = 100_000) -> MixOutcome:
    """``clients`` verify real credentials, ``attackers`` send attacks, for ``seconds`` or
    until ``max_requests`` have been sent (each attacker sends every attack at least once)."""
    issue_url = f"{server.base}/api/v1/issuers/{server.slug}/completions"
    credentials = []
    for number in range(4):
        status, body = _post(issue_url, {
            "learner": {"name": "Load", "email": f"mix{number}@example.com"},
            "competency": f"{MODEL}/de-escalation", "level": "developing",
            "completedOn": "2026-11-02"}, server.token)
        assert status == 201, body
        credentials.append(body["credential"])
    mix = attacks(credentials[0])
    outcome, lock = MixOutcome(), threading.Lock()
    deadline, sent = time.monotonic() + seconds, iter(range(max_requests))

    def running() -> bool:
        with lock:
            return time.monotonic() < deadline and next(sent, None) is not None

    def normal(number: int) -> None:
        while running():
            started = time.perf_counter()
            status, body = _post(f"{server.base}/credentials/verify",
                                 {"verifiableCredential": credentials[number % 4]})
            with lock:
                outcome.normal.append(time.perf_counter() - started)
                outcome.normal_statuses[status if body.get("verified") else -status] += 1

    def attacker(number: int) -> None:
        names = list(mix)
        turn = number
        # Every attacker sends each attack once however slow the machine, then goes on
        # while time and the request budget last.
        while turn - number < len(names) or running():
            name = names[turn % len(names)]
            turn += 1
            started = time.perf_counter()
            status = _send(server.base, mix[name])
            with lock:
                outcome.attack_statuses[(name, status)] += 1
                outcome.attack_seconds[name] = max(outcome.attack_seconds.get(name, 0.0),
                                                   time.perf_counter() - started)

    _post(f"{server.base}/credentials/verify", {"verifiableCredential": credentials[0]})  # warm
    threads: list[threading.Thread] = [threading.Thread(target=normal, args=(n,))
                                       for n in range(clients)]
    threads += [threading.Thread(target=attacker, args=(n,)) for n in range(attackers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcome


def report(outcome: MixOutcome, print_: Callable[[str], None] = print) -> None:
    ordered = sorted(outcome.normal)
    if ordered:
        print_(f"normal verify: {len(ordered)} requests, p50 "
               f"{ordered[len(ordered) // 2] * 1000:.0f} ms, p99 {outcome.p99() * 1000:.0f} ms")
    for name in sorted(outcome.attack_seconds):
        answers = {s: n for (a, s), n in outcome.attack_statuses.items() if a == name}
        print_(f"attack {name}: answers {answers}, slowest "
               f"{outcome.attack_seconds[name] * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"{args.clients} normal clients, {args.attackers} attackers, {args.seconds:.0f}s, "
          f"gunicorn {args.workers} workers")
    with serve(args.workers) as server:
        outcome = run_mix(server, args.clients, args.attackers, args.seconds,
                          args.max_requests)
    report(outcome)
    problems = outcome.problems()
    print("all checks hold" if not problems else "PROBLEMS: " + "; ".join(problems))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
