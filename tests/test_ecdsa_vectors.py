"""The W3C vc-di-ecdsa test vectors (../shared/standards/vectors/w3c-vc-di-ecdsa), reproduced.

Every intermediate value the ecdsa-rdfc-2019 and ecdsa-jcs-2019 vectors publish (canonical
forms, hashes, signatures, signed credentials) for P-256 and P-384. The vectors were signed
with deterministic ECDSA (RFC 6979), so our signatures must equal theirs byte for byte.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from contexts import StaticDocumentLoader
from credentials.proofs import ECDSA_RDFC_2019, create_proof, hash_data
from credentials.proofs.eddsa_jcs_2022 import jcs_hash_data
from credentials.verify import Outcome, verify_credential
from credentials.verify.resolvers import ChainResolver, DidKeyResolver
from keys.ecdsa import ec_multikey, ec_signer_from_secret_multikey
from keys.multibase import encode_base58btc
from tests.conftest import read_json

OFFLINE = ChainResolver([DidKeyResolver()])
CURVES = {"P256": ("p256", "sha256", 64), "P384": ("p384", "sha384", 96)}
# (folder under w3c-vc-di-ecdsa, file-name suffix, unsigned document)
RDFC = [("ecdsa-rdfc-2019-p256", "ECDSAP256", "unsigned.json"),
        ("ecdsa-rdfc-2019-p256/employ", "ECDSAP256", "employmentAuth.json"),
        ("ecdsa-rdfc-2019-p384", "ECDSAP384", "unsigned.json"),
        ("ecdsa-rdfc-2019-p384/employ", "ECDSAP384", "employmentAuth.json")]
JCS = [("ecdsa-jcs-2019-p256", "JCSECDSAP256"), ("ecdsa-jcs-2019-p384", "JCSECDSAP384")]


@pytest.fixture(scope="module")
def vectors(standards: Path) -> Path:
    return standards / "vectors" / "w3c-vc-di-ecdsa"


@pytest.fixture(scope="module")
def loader(standards: Path) -> StaticDocumentLoader:
    """Our contexts plus the two the vectors need (examples v2, citizenship v4rc1)."""
    folder = standards / "vectors" / "contexts"
    index = read_json(folder / "index.json")
    return StaticDocumentLoader({url: read_json(folder / name) for url, name in index.items()})


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _signer(vectors: Path, curve: str, method: str):
    key_pair = read_json(vectors / f"{CURVES[curve][0]}KeyPair.json")
    signer = ec_signer_from_secret_multikey(key_pair["secretKeyMultibase"], method,
                                            method.partition("#")[0])
    assert ec_multikey(signer.verification_key) == key_pair["publicKeyMultibase"]
    return signer


@pytest.mark.parametrize("folder, suffix, unsigned_name", RDFC)
def test_rdfc_vector_reproduces(vectors: Path, loader, folder: str, suffix: str,
                                unsigned_name: str) -> None:
    here = vectors / folder
    curve = suffix[-4:]
    _, hash_name, signature_length = CURVES[curve]
    unsigned = read_json(vectors / unsigned_name)
    config = read_json(here / f"proofConfig{suffix}.json")
    assert config["@context"] == unsigned["@context"]

    hashes = hash_data(unsigned, config, loader, hash_name)
    assert hashes.canonical_document == _text(here / f"canonDoc{suffix}.txt")
    assert hashes.canonical_proof_config == _text(here / f"proofCanon{suffix}.txt")
    assert hashes.document_hash.hex() == _text(here / f"docHash{suffix}.txt").strip()
    assert hashes.proof_config_hash.hex() == _text(here / f"proofHash{suffix}.txt").strip()
    assert hashes.data.hex() == _text(here / f"combinedHash{suffix}.txt").strip()

    signer = _signer(vectors, curve, config["verificationMethod"])
    signature = signer.sign(hashes.data)
    assert len(signature) == signature_length
    assert signature.hex() == _text(here / f"sigHex{suffix}.txt").strip()
    assert encode_base58btc(signature) == _text(here / f"sigBTC58{suffix}.txt").strip()

    published = read_json(here / f"signed{suffix}.json")
    signed = create_proof(unsigned, ECDSA_RDFC_2019, signer, loader, created=config["created"])
    assert signed == published


@pytest.mark.parametrize("folder, suffix", JCS)
def test_jcs_vector_reproduces(vectors: Path, folder: str, suffix: str) -> None:
    here = vectors / folder
    curve = suffix[-4:]
    _, hash_name, signature_length = CURVES[curve]
    unsigned = read_json(vectors / "unsigned.json")
    config = read_json(here / f"proofConfig{suffix}.json")

    hashes = jcs_hash_data(unsigned, config, hash_name)
    assert hashes.canonical_document == _text(here / f"canonDoc{suffix}.txt")
    assert hashes.canonical_proof_config == _text(here / f"proofCanon{suffix}.txt")
    assert hashes.document_hash.hex() == _text(here / f"docHash{suffix}.txt").strip()
    assert hashes.proof_config_hash.hex() == _text(here / f"proofHash{suffix}.txt").strip()
    assert hashes.data.hex() == _text(here / f"combinedHash{suffix}.txt").strip()

    signature = _signer(vectors, curve, config["verificationMethod"]).sign(hashes.data)
    assert len(signature) == signature_length
    assert signature.hex() == _text(here / f"sigHex{suffix}.txt").strip()
    assert encode_base58btc(signature) == _text(here / f"sigBTC58{suffix}.txt").strip()
    published = read_json(here / f"signed{suffix}.json")
    assert published["proof"] == {**config, "proofValue": encode_base58btc(signature)}
    assert {k: v for k, v in published.items() if k != "proof"} == unsigned


SIGNED = [f"{folder}/signed{suffix}.json" for folder, suffix, _ in RDFC] + \
    [f"{folder}/signed{suffix}.json" for folder, suffix in JCS]


@pytest.mark.parametrize("name", SIGNED)
def test_published_credential_verifies(vectors: Path, loader, name: str) -> None:
    """Through the whole verifier, the key read from its P-256/P-384 did:key."""
    credential = read_json(vectors / name)
    report = verify_credential(credential, loader=loader, resolver=OFFLINE,
                               now=datetime(2024, 6, 1, tzinfo=UTC))
    proof = report.check("proof")
    assert proof.outcome is Outcome.SUCCESS, proof.message
    assert credential["proof"]["cryptosuite"] in proof.message


@pytest.mark.parametrize("name", SIGNED)
def test_published_credential_altered_fails(vectors: Path, loader, name: str) -> None:
    credential = read_json(vectors / name)
    credential["name"] = credential["name"] + "!"
    report = verify_credential(credential, loader=loader, resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.FAILURE
    assert "does not match" in report.check("proof").message


@pytest.mark.parametrize("name", SIGNED)
def test_signature_from_the_other_curve_size_fails(vectors: Path, loader, name: str) -> None:
    """A P-384 proof value under a P-256 key (and back) is refused, not truncated."""
    credential = read_json(vectors / name)
    other = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
    if other in credential["proof"]["verificationMethod"]:
        other = "z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ"
    credential["proof"]["verificationMethod"] = f"did:key:{other}#{other}"
    report = verify_credential(credential, loader=loader, resolver=OFFLINE)
    assert report.check("proof").outcome is Outcome.FAILURE


def test_p384_canonical_form_depends_on_sha384(vectors: Path, loader) -> None:
    """RDFC-1.0 labels blank nodes with the suite's hash: SHA-256 labels give another
    canonical form for the P-384 employment vector, so a P-256-only canonicalizer fails it."""
    unsigned = read_json(vectors / "employmentAuth.json")
    published = _text(vectors / "ecdsa-rdfc-2019-p384" / "employ" / "canonDocECDSAP384.txt")
    assert hash_data(unsigned, {"@context": unsigned["@context"]}, loader,
                     "sha256").canonical_document != published
    assert hash_data(unsigned, {"@context": unsigned["@context"]}, loader,
                     "sha384").canonical_document == published



@pytest.mark.parametrize("name", ["prc", "employ"])
def test_sd_derived_credential_verifies_under_p256_did_key(vectors: Path, loader,
                                                          name: str) -> None:
    """An ecdsa-sd-2023 derived credential whose issuer key is a P-256 did:key (zDn...)."""
    credential = read_json(vectors / "ecdsa-sd-2023" / name / "derivedRevealDocument.json")
    assert credential["proof"]["verificationMethod"].startswith("did:key:zDn")
    report = verify_credential(credential, loader=loader, resolver=OFFLINE,
                               now=datetime(2025, 1, 1, tzinfo=UTC))
    proof = report.check("proof")
    assert proof.outcome is Outcome.SUCCESS, proof.message
    assert "ecdsa-sd-2023" in proof.message
