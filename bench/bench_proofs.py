"""Sign and verify throughput for an OB 3.0 credential: cold vs warm context cache, against a
baseline of plain pyld (jsonld.normalize with a static loader) measured in the same run.

Run with ``make bench``. Not part of ``make test``: numbers, not pass/fail.
"""

from __future__ import annotations

import hashlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pyld import jsonld

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from contexts import StaticDocumentLoader, bundled_document
from credentials.frameworks import bundled_catalog
from credentials.proofs import EDDSA_RDFC_2022, create_proof, verify_proof
from credentials.proofs.data_integrity import proof_config_for_verification
from keys.multibase import decode_base58btc, encode_base58btc
from tests.factories import did_key_signer, unsigned_credential

SECONDS = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
MODEL = "mn-dli-psychiatric-mental-health-technician-inpatient"


def rate(action: Callable[[], object], seconds: float = SECONDS) -> tuple[float, float]:
    """Operations per second (median of 5 slices) and the median latency in ms."""
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(timings) < 5:
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    per_op = statistics.median(timings)
    return 1 / per_op, per_op * 1000


def plain_pyld_loader(url: str, options: object = None) -> dict:
    return {"contextUrl": None, "documentUrl": url, "document": bundled_document(url)}


def plain_hash(document: dict, config: dict) -> bytes:
    options = {"algorithm": "URDNA2015", "format": "application/n-quads",
               "documentLoader": plain_pyld_loader}
    canonical_document = jsonld.normalize(document, options)
    canonical_config = jsonld.normalize(config, options)
    return (hashlib.sha256(canonical_config.encode()).digest()
            + hashlib.sha256(canonical_document.encode()).digest())


def main() -> None:
    crosswalk = bundled_catalog().crosswalk_for(MODEL)
    unsigned = unsigned_credential(crosswalk)
    signer = did_key_signer()
    key = signer.verification_key
    signed = create_proof(unsigned, EDDSA_RDFC_2022, signer, created="2026-11-03T15:00:00Z")
    proof = signed["proof"]
    config = proof_config_for_verification(unsigned, proof)
    signature = decode_base58btc(proof["proofValue"])

    def baseline_sign() -> object:
        return encode_base58btc(signer.sign(plain_hash(unsigned, config)))

    def baseline_verify() -> object:
        assert key.verify(signature, plain_hash(unsigned, config))

    def cold_loader() -> StaticDocumentLoader:
        bundled_document.cache_clear()
        return StaticDocumentLoader()

    warm = StaticDocumentLoader()
    cases = [
        ("sign", "plain pyld (baseline)", baseline_sign),
        ("sign", "ours, cold context cache",
         lambda: create_proof(unsigned, EDDSA_RDFC_2022, signer, cold_loader())),
        ("sign", "ours, warm context cache",
         lambda: create_proof(unsigned, EDDSA_RDFC_2022, signer, warm)),
        ("verify", "plain pyld (baseline)", baseline_verify),
        ("verify", "ours, cold context cache",
         lambda: verify_proof(signed, proof, EDDSA_RDFC_2022, key, cold_loader())),
        ("verify", "ours, warm context cache",
         lambda: verify_proof(signed, proof, EDDSA_RDFC_2022, key, warm)),
    ]
    size = len(str(signed))
    print(f"OB 3.0 AchievementCredential (De-escalation, Developing), ~{size} bytes of JSON; "
          f"one core; {SECONDS:.0f}s per figure")
    header = ("operation", "implementation", "creds/s", "ms/cred", "vs baseline")
    print(f"{header[0]:8} {header[1]:28} {header[2]:>9} {header[3]:>9} {header[4]:>12}")
    baseline: dict[str, float] = {}
    for operation, label, action in cases:
        action()  # first call outside the timing: imports, file reads
        per_second, ms = rate(action)
        baseline.setdefault(operation, per_second)
        ratio = per_second / baseline[operation]
        print(f"{operation:8} {label:28} {per_second:9.1f} {ms:9.2f} {ratio:11.2f}x")


if __name__ == "__main__":
    main()
