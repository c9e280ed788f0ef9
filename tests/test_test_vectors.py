"""The published eddsa-rdfc-2022 / Ed25519Signature2020 test vectors, reproduced byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from credentials.proofs import EDDSA_RDFC_2022, create_proof, hash_data
from credentials.proofs.eddsa_jcs_2022 import jcs_hash_data
from keys import Ed25519Signer
from keys.multibase import decode_base58btc, encode_base58btc
from tests.conftest import read_json

IMPL_GUIDE_VECTORS = ["ob30-impl-guide-eddsa-rdfc-2022-test-vector",
                      "clr20-impl-guide-eddsa-rdfc-2022-test-vector"]


@pytest.mark.parametrize("name", IMPL_GUIDE_VECTORS)
def test_impl_guide_vector_reproduces(examples: Path, example_loader, name: str) -> None:
    folder = examples / name
    unsigned = read_json(folder / "credential-unsigned.json")
    config = {**read_json(folder / "proof-config.json"), "@context": unsigned["@context"]}
    hashes = hash_data(unsigned, config, example_loader)
    assert hashes.canonical_document == (folder / "document-canon.txt").read_text()
    assert hashes.canonical_proof_config == (folder / "proof-canon.txt").read_text()
    values = read_json(folder / "intermediate-values.json")
    assert hashes.document_hash.hex() == values["Document hash (hex)"]
    assert hashes.proof_config_hash.hex() == values["Proof hash (hex)"]
    assert hashes.data.hex() == values["Data to sign (hex)"]

    key_pair = read_json(folder / "key-pair.json")
    signer = Ed25519Signer.from_seed(bytes.fromhex(key_pair["privateKeyHex"])[:32],
                                     key_pair["id"])
    assert signer.verification_key.multikey == key_pair["publicKeyMultibase"]
    assert signer.sign(hashes.data).hex() == values["Signature (hex)"]
    assert encode_base58btc(signer.sign(hashes.data)) == values["Proof value (hex)"]

    signed = create_proof(unsigned, EDDSA_RDFC_2022, signer, example_loader,
                          created=config["created"])
    published = read_json(folder / "credential-signed.json")
    published_proofs = published["proof"] if isinstance(published["proof"], list) \
        else [published["proof"]]
    assert [signed["proof"]] == published_proofs
    assert {k: v for k, v in signed.items() if k != "proof"} == \
        {k: v for k, v in published.items() if k != "proof"}


@pytest.mark.parametrize("suite_dir, suffix", [("eddsa-rdfc-2022", "DataInt"),
                                               ("Ed25519Signature2020", "EdSig")])
def test_w3c_vector_reproduces(examples: Path, example_loader, suite_dir: str,
                               suffix: str) -> None:
    root = examples / "w3c-vc-di-eddsa-test-vectors"
    folder = root / suite_dir
    unsigned = read_json(root / "unsigned.json")
    config = read_json(folder / f"proofConfig{suffix}.json")
    hashes = hash_data(unsigned, config, example_loader)
    assert hashes.canonical_document == (folder / f"canonDoc{suffix}.txt").read_text()
    assert hashes.canonical_proof_config == (folder / f"proofCanon{suffix}.txt").read_text()
    assert hashes.document_hash.hex() == (folder / f"docHash{suffix}.txt").read_text().strip()
    assert hashes.proof_config_hash.hex() == \
        (folder / f"proofHash{suffix}.txt").read_text().strip()
    assert hashes.data.hex() == (folder / f"combinedHash{suffix}.txt").read_text().strip()

    key_pair = read_json(root / "keyPair.json")
    seed = decode_base58btc(key_pair["privateKeyMultibase"])[2:]
    signer = Ed25519Signer.from_seed(seed)
    assert signer.verification_key.multikey == key_pair["publicKeyMultibase"]
    signature = signer.sign(hashes.data)
    assert signature.hex() == (folder / f"sigHex{suffix}.txt").read_text().strip()
    assert encode_base58btc(signature) == (folder / f"sigBTC58{suffix}.txt").read_text().strip()
    assert read_json(folder / f"signed{suffix}.json")["proof"]["proofValue"] == \
        encode_base58btc(signature)


def test_w3c_jcs_vector_reproduces(examples: Path) -> None:
    root = examples / "w3c-vc-di-eddsa-test-vectors"
    folder = root / "eddsa-jcs-2022"
    unsigned = read_json(root / "unsigned.json")
    hashes = jcs_hash_data(unsigned, read_json(folder / "proofConfigJCS.json"))
    assert hashes.canonical_document == (folder / "canonDocJCS.txt").read_text().strip()
    assert hashes.canonical_proof_config == (folder / "proofCanonJCS.txt").read_text().strip()
    assert hashes.data.hex() == (folder / "combinedHashJCS.txt").read_text().strip()
    seed = decode_base58btc(read_json(root / "keyPair.json")["privateKeyMultibase"])[2:]
    signature = Ed25519Signer.from_seed(seed).sign(hashes.data)
    assert signature.hex() == (folder / "sigHexJCS.txt").read_text().strip()
