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


def clr_case() -> None:
    """CLR with 25 embedded credentials: build+sign, and verify (the CLR and each embedded
    credential), against plain pyld doing the same canonicalizations."""
    from credentials.build import IssuerProfile, Learner
    from credentials.clr import build_clr_credential
    from credentials.verify import verify_credential
    from credentials.verify.resolvers import ChainResolver, DidKeyResolver

    crosswalk = bundled_catalog().crosswalk_for(MODEL)
    signer = did_key_signer()
    key = signer.verification_key
    embedded = [create_proof(unsigned_credential(crosswalk, c.id, "proficient"),
                             EDDSA_RDFC_2022, signer) for c in crosswalk.model.competencies]
    warm = StaticDocumentLoader()

    def build() -> dict:
        return build_clr_credential(
            credential_id="urn:uuid:6e0c9a43-55b4-4a57-9f0d-3c1d7e3f8a11",
            issuer=IssuerProfile(signer.controller, "Riverbend"),
            learner=Learner("Jordan Rivera", "jordan@example.com"), credentials=embedded,
            crosswalk=crosswalk, base_url="https://credentials.example.org", salt="00")

    def ours_sign() -> dict:
        return create_proof(build(), EDDSA_RDFC_2022, signer, warm)

    signed = ours_sign()
    proof = signed["proof"]
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    config = proof_config_for_verification(unsigned, proof)
    resolver = ChainResolver([DidKeyResolver()])

    def baseline_sign() -> object:
        return encode_base58btc(signer.sign(plain_hash(build(), config)))

    def baseline_verify() -> object:
        assert key.verify(decode_base58btc(proof["proofValue"]), plain_hash(unsigned, config))
        for credential in embedded:
            inner = {k: v for k, v in credential.items() if k != "proof"}
            inner_config = proof_config_for_verification(inner, credential["proof"])
            assert key.verify(decode_base58btc(credential["proof"]["proofValue"]),
                              plain_hash(inner, inner_config))

    def ours_verify() -> object:
        report = verify_credential(signed, resolver=resolver, loader=warm)
        assert report.verified, report.errors

    import resource
    print()
    print(f"CLR with 25 embedded credentials, ~{len(str(signed)) // 1024} KiB of JSON; one core")
    print(f"{'operation':22} {'implementation':22} {'ms/CLR':>9} {'vs baseline':>12}")
    for operation, cases in (("build+sign", (("plain pyld (baseline)", baseline_sign),
                                             ("ours, warm cache", ours_sign))),
                             ("verify (CLR + 25)", (("plain pyld (baseline)", baseline_verify),
                                                    ("ours, warm cache", ours_verify)))):
        base = None
        for label, action in cases:
            action()
            per_second, ms = rate(action, max(SECONDS, 3.0))
            base = base or per_second
            print(f"{operation:22} {label:22} {ms:9.1f} {per_second / base:11.2f}x")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
    clr_case()
