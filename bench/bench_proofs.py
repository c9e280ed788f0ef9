"""Canonicalizations, signs and verifies per second on one core, each beside plain pyld
(``jsonld.normalize`` with a static loader) measured in the same run, for:

(a) the service's own DLI competency credential, (b) the official ``complete.json`` example
(../shared/standards, skipped when absent), (c) a CLR with 25 embedded credentials.

Run with ``make bench``. Not part of ``make test``: numbers, not pass/fail.
"""

from __future__ import annotations

import hashlib
import json
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from pyld import jsonld

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contexts import StaticDocumentLoader, bundled_document
from credentials.canonical import canonicalize
from credentials.frameworks import bundled_catalog
from credentials.proofs import EDDSA_RDFC_2022, create_proof, verify_proof
from credentials.proofs.data_integrity import proof_config_for_verification
from credentials.verify import verify_credential
from credentials.verify.resolvers import ChainResolver, DidKeyResolver
from keys.multibase import decode_base58btc, encode_base58btc
from tests.factories import did_key_signer, unsigned_credential, whole_record

ROOT = Path(__file__).resolve().parent.parent
SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"
COMPLETE = ROOT.parent / "shared/standards/examples/ob30-1edtech-validator/complete.json"
PLAIN = {"algorithm": "URDNA2015", "format": "application/n-quads",
         "documentLoader": lambda url, options=None: {
             "contextUrl": None, "documentUrl": url, "document": bundled_document(url)}}


def rate(action: Callable[[], object], seconds: float = SECONDS) -> float:
    """Operations per CPU second of this thread: the median of at least 5 calls over
    ``seconds``. CPU time, not wall time, so other processes on a shared machine do not
    move one side of a ratio more than the other."""
    action()  # outside the timing: imports, first context loads
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(timings) < 5:
        start = time.thread_time()
        action()
        timings.append(time.thread_time() - start)
    return 1 / max(statistics.median(timings), 1e-9)


def plain_hash(document: dict, config: dict) -> bytes:
    return (hashlib.sha256(jsonld.normalize(config, PLAIN).encode()).digest()
            + hashlib.sha256(jsonld.normalize(document, PLAIN).encode()).digest())


class Case:
    """One document: its unsigned form, its signed form, and the embedded credentials whose
    proofs a verifier checks too (the CLR's)."""

    def __init__(self, name: str, unsigned: dict, embedded: list[dict] | None = None) -> None:
        self.name = name
        self.unsigned = unsigned
        self.embedded = embedded or []
        self.signer = did_key_signer()
        self.signed = create_proof(unsigned, EDDSA_RDFC_2022, self.signer)
        self.proof = self.signed["proof"]
        self.config = proof_config_for_verification(unsigned, self.proof)
        self.size = len(json.dumps(self.signed))

    def pairs(self, loader: StaticDocumentLoader) -> list[tuple[str, Callable, Callable]]:
        """(operation, plain pyld, ours) for canonicalize, sign and verify."""
        key, signer = self.signer.verification_key, self.signer
        signature = decode_base58btc(self.proof["proofValue"])
        inner = [({k: v for k, v in c.items() if k != "proof"}, c["proof"])
                 for c in self.embedded]

        def plain_verify() -> None:
            key.verify(signature, plain_hash(self.unsigned, self.config))  # raises
            for document, proof in inner:
                config = proof_config_for_verification(document, proof)
                key.verify(decode_base58btc(proof["proofValue"]), plain_hash(document, config))

        def ours_verify() -> None:
            verify_proof(self.signed, self.proof, EDDSA_RDFC_2022, key, loader)  # raises
            for credential in self.embedded:
                verify_proof(credential, credential["proof"], EDDSA_RDFC_2022, key,
                             loader)

        return [
            ("canonicalize", lambda: jsonld.normalize(self.unsigned, PLAIN),
             lambda: canonicalize(self.unsigned, loader)),
            ("sign", lambda: encode_base58btc(signer.sign(plain_hash(self.unsigned,
                                                                     self.config))),
             lambda: create_proof(self.unsigned, EDDSA_RDFC_2022, signer, loader)),
            ("verify" + (f" (+{len(inner)} inside)" if inner else ""), plain_verify,
             ours_verify),
        ]


def cases() -> list[Case]:
    crosswalk = bundled_catalog().crosswalk_for(MODEL)
    found = [Case("(a) DLI credential", unsigned_credential(crosswalk))]
    if COMPLETE.is_file():
        complete = json.loads(COMPLETE.read_text())
        found.append(Case("(b) complete.json", {k: v for k, v in complete.items()
                                                if k != "proof"}))
    else:
        print(f"(b) complete.json skipped: {COMPLETE} not present")
    clr, embedded = whole_record(crosswalk)
    found.append(Case("(c) CLR(25)", clr, embedded))
    return found


def main() -> None:
    warm = StaticDocumentLoader()
    print(f"one core, warm context cache, {SECONDS:.0f}s per figure; ops per CPU second "
          "(higher is better)")
    print(f"{'document':20} {'KiB':>5} {'operation':22} {'plain pyld':>11} {'ours':>9} "
          f"{'ratio':>7}")
    all_cases = cases()
    for case in all_cases:
        for operation, plain, ours in case.pairs(warm):
            base, fast = rate(plain), rate(ours)
            print(f"{case.name:20} {case.size / 1024:5.0f} {operation:22} {base:11.1f} "
                  f"{fast:9.1f} {fast / base:6.2f}x")

    own = all_cases[0]

    def cold_sign() -> None:
        bundled_document.cache_clear()
        create_proof(own.unsigned, EDDSA_RDFC_2022, own.signer, StaticDocumentLoader())

    base, cold = rate(own.pairs(warm)[1][1]), rate(cold_sign)
    print(f"{own.name:20} {own.size / 1024:5.0f} {'sign, cold cache':22} {base:11.1f} "
          f"{cold:9.1f} {cold / base:6.2f}x")

    record = all_cases[-1]
    resolver = ChainResolver([DidKeyResolver()])

    def full_report() -> None:
        assert verify_credential(record.signed, resolver=resolver, loader=warm).verified

    proofs_only = rate(record.pairs(warm)[2][1])
    full = rate(full_report)
    print(f"{record.name:20} {record.size / 1024:5.0f} {'full report (all checks)':22} "
          f"{proofs_only:11.1f} {full:9.1f} {full / proofs_only:6.2f}x   (baseline: proofs "
          "only)")

    print()
    for label, action in (("sign", lambda: create_proof(record.unsigned, EDDSA_RDFC_2022,
                                                        record.signer, warm)),
                          ("verify, full report", full_report)):
        tracemalloc.start()
        action()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{record.name} {label}: peak Python allocation {peak / 2**20:.1f} MiB = "
              f"{peak / record.size:.1f}x the document's {record.size / 2**20:.2f} MiB")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this benchmark process: {peak_rss:.0f} MiB")


if __name__ == "__main__":
    main()
