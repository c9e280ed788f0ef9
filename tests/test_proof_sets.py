"""Proof sets and chains as VC Data Integrity 4.5 verifies them, and what that costs."""

from __future__ import annotations

import copy
import hashlib
import time
from pathlib import Path

import pytest

from credentials import canonical
from credentials.canonical import canonicalize
from credentials.verify import verify_credential
from credentials.verify.limits import MAX_PROOFS
from credentials.verify.resolvers import ChainResolver, DidKeyResolver
from keys.multibase import encode_base58btc
from tests.conftest import read_json
from tests.factories import did_key_signer, signed_credential, unsigned_credential

DID_KEYS = ChainResolver([DidKeyResolver()])


@pytest.fixture(scope="module")
def vectors(standards: Path) -> Path:
    return standards / "vectors" / "w3c-vc-di-eddsa" / "proof-set-chain"


@pytest.mark.parametrize("name", ["signedProofSet1.json", "signedProofSet2.json",
                                  "signedProofChain1.json", "signedProofChain2.json"])
def test_w3c_proof_set_and_chain_vectors_verify_every_proof(vectors, example_loader,
                                                            name: str) -> None:
    document = read_json(vectors / name)
    report = verify_credential(document, loader=example_loader, resolver=DID_KEYS)
    assert report.verified, report.errors
    proofs = report.check("proof").detail["proofs"]
    count = len(document["proof"]) if isinstance(document["proof"], list) else 1
    assert len(proofs) == count
    assert all(p["valid"] for p in proofs)


def test_a_previous_proof_absent_from_the_set_is_an_error(vectors, example_loader) -> None:
    """Both MUSTs of 4.5 step 3.2: a previousProof string, and a list, naming no proof."""
    chain = read_json(vectors / "signedProofChain2.json")
    without_first = {**chain, "proof": chain["proof"][1:]}  # proof 3 names the first one
    report = verify_credential(without_first, loader=example_loader, resolver=DID_KEYS)
    assert not report.verified
    message = report.check("proof").message
    assert "proof 2 of 3: previousProof names urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544, " \
           "which is not a proof of this document" in message
    without_third = {**chain, "proof": chain["proof"][:2] + chain["proof"][3:]}
    report = verify_credential(without_third, loader=example_loader, resolver=DID_KEYS)
    assert "previousProof names urn:uuid:d94f792a-c546-4d06-b38a-da070ab56c23" in \
        report.check("proof").message
    assert not report.verified


def test_a_chained_proof_must_sign_the_proofs_it_names(vectors, example_loader) -> None:
    chain = read_json(vectors / "signedProofChain2.json")
    other = copy.deepcopy(chain)
    other["proof"][3]["previousProof"] = "urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544"
    report = verify_credential(other, loader=example_loader, resolver=DID_KEYS)
    assert not report.verified
    assert report.check("proof").message.startswith("proof 4 of 4: the signature does not")


def test_every_proof_of_a_set_must_verify(vectors, example_loader) -> None:
    proof_set = read_json(vectors / "signedProofSet2.json")
    proof_set["proof"][1]["proofValue"] = proof_set["proof"][0]["proofValue"]
    report = verify_credential(proof_set, loader=example_loader, resolver=DID_KEYS)
    assert not report.verified
    assert report.check("proof").message.startswith("proof 2 of 2: the signature does not")


def test_an_unknown_proof_type_in_a_set_is_an_error(crosswalk) -> None:
    """1EdTech's simple-multiple-proofs carries such a proof beside a valid one."""
    signed = signed_credential(crosswalk)
    unknown = {"type": "SomeProofType", "created": "2022-11-16T18:54:22Z",
               "proofPurpose": "assertionMethod"}
    report = verify_credential({**signed, "proof": [unknown, signed["proof"]]})
    assert not report.verified
    assert report.check("proof").message == ("proof 1 of 2: unsupported proof type or "
                                             "cryptosuite: 'SomeProofType'")


def _large_proof_set(crosswalk, proofs: int, evidence: int) -> dict:
    """``proofs`` proofs by one key over a credential with ``evidence`` evidence items, each
    signed as the spec says (the document hashed once here, to keep the test's own setup
    short)."""
    document = unsigned_credential(crosswalk)
    item = document["evidence"][0]
    document["evidence"] = [{**item, "id": f"https://riverbend.example.org/evidence/{i}",
                             "name": f"Observed shift {i}"} for i in range(evidence)]
    signer = did_key_signer()
    document_hash = hashlib.sha256(canonicalize(document).encode()).digest()
    signed = []
    for i in range(proofs):
        proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                 "created": f"2026-11-03T15:{i // 60:02d}:{i % 60:02d}Z",
                 "verificationMethod": signer.id, "proofPurpose": "assertionMethod"}
        config = canonicalize({**proof, "@context": document["@context"]})
        value = signer.sign(hashlib.sha256(config.encode()).digest() + document_hash)
        signed.append({**proof, "proofValue": encode_base58btc(value)})
    return {**document, "proof": signed}


def test_a_proof_set_canonicalizes_its_document_once(crosswalk, monkeypatch) -> None:
    """A full set (the cap of 8 proofs) over 2,000 evidence items: the document is
    canonicalized once, then each proof's configuration (before: once per proof, 200 proofs
    took 6.3 s of CPU)."""
    credential = _large_proof_set(crosswalk, proofs=MAX_PROOFS, evidence=2000)
    walked: list[int] = []
    real = canonical.to_quads
    monkeypatch.setattr(canonical, "to_quads",
                        lambda document, memo: walked.append(len(document)) or real(document,
                                                                                     memo))
    started = time.process_time()
    report = verify_credential(credential)
    spent = time.process_time() - started
    assert report.verified, report.errors
    assert report.check("proof").message.startswith(f"all {MAX_PROOFS} proofs verify")
    assert len(walked) == 1 + MAX_PROOFS, walked
    assert spent < 3.0, f"{spent:.1f} s of CPU"
