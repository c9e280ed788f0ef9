"""The published EdDSA test vectors (1EdTech impl guides, W3C vc-di-eddsa), byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from credentials.proofs import (
    ED25519_SIGNATURE_2020,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    create_proof,
    hash_data,
)
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


# -- the W3C vc-di-eddsa test vectors (../shared/standards/vectors/w3c-vc-di-eddsa) -----------

# (folder, file suffix, unsigned document, suite) of every RDFC vector.
RDFC_VECTORS = [("eddsa-rdfc-2022", "DataInt", "unsigned.json", EDDSA_RDFC_2022),
                ("eddsa-rdfc-2022/employ", "DataInt", "employmentAuth.json", EDDSA_RDFC_2022),
                ("Ed25519Signature2020", "EdSig", "unsigned.json", ED25519_SIGNATURE_2020)]
ED25519_PRIVATE_KEY = bytes([0x80, 0x26])  # the multicodec header of an Ed25519 private key


@pytest.fixture(scope="module")
def eddsa_vectors(standards: Path) -> Path:
    return standards / "vectors" / "w3c-vc-di-eddsa"


def vector_signer(key_pair: dict) -> Ed25519Signer:
    private = decode_base58btc(key_pair["privateKeyMultibase"])
    assert private[:2] == ED25519_PRIVATE_KEY
    signer = Ed25519Signer.from_seed(private[2:])
    assert signer.verification_key.multikey == key_pair["publicKeyMultibase"]
    return signer


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("folder, suffix, unsigned_name, suite", RDFC_VECTORS,
                         ids=[vector[0] for vector in RDFC_VECTORS])
def test_w3c_rdfc_vector_reproduces(eddsa_vectors: Path, vector_loader, folder: str,
                                    suffix: str, unsigned_name: str, suite) -> None:
    here = eddsa_vectors / folder
    unsigned = read_json(eddsa_vectors / unsigned_name)
    config = read_json(here / f"proofConfig{suffix}.json")
    hashes = hash_data(unsigned, config, vector_loader)
    assert hashes.canonical_document == text(here / f"canonDoc{suffix}.txt")
    assert hashes.canonical_proof_config == text(here / f"proofCanon{suffix}.txt")
    assert hashes.document_hash.hex() == text(here / f"docHash{suffix}.txt")
    assert hashes.proof_config_hash.hex() == text(here / f"proofHash{suffix}.txt")
    assert hashes.data.hex() == text(here / f"combinedHash{suffix}.txt")

    signer = vector_signer(read_json(eddsa_vectors / "keyPair.json"))
    signature = signer.sign(hashes.data)
    assert signature.hex() == text(here / f"sigHex{suffix}.txt")
    assert encode_base58btc(signature) == text(here / f"sigBTC58{suffix}.txt")
    signed = read_json(here / f"signed{suffix}.json")
    assert signed["proof"] == {**{k: v for k, v in config.items() if k != "@context"},
                               "proofValue": encode_base58btc(signature)}
    # Ed25519Signature2020 adds its suite's context to the document; nothing else changes.
    assert {k: v for k, v in signed.items() if k != "proof"} == \
        {**unsigned, "@context": config["@context"]}
    suite.verify_proof(signed, signed["proof"], signer.verification_key, vector_loader)
    if not suite.verify_only:
        ours = create_proof(unsigned, suite, signer.with_id(config["verificationMethod"]),
                            vector_loader, created=config["created"])
        assert ours == {**unsigned, "proof": {**signed["proof"]}}


def test_w3c_jcs_vector_reproduces(eddsa_vectors: Path) -> None:
    here = eddsa_vectors / "eddsa-jcs-2022"
    unsigned = read_json(eddsa_vectors / "unsigned.json")
    config = read_json(here / "proofConfigJCS.json")
    hashes = EDDSA_JCS_2022.hash_data(unsigned, config)
    assert hashes.canonical_document == text(here / "canonDocJCS.txt")
    assert hashes.canonical_proof_config == text(here / "proofCanonJCS.txt")
    assert hashes.document_hash.hex() == text(here / "docHashJCS.txt")
    assert hashes.proof_config_hash.hex() == text(here / "proofHashJCS.txt")
    assert hashes.data.hex() == text(here / "combinedHashJCS.txt")
    signer = vector_signer(read_json(eddsa_vectors / "keyPair.json"))
    signature = signer.sign(hashes.data)
    assert signature.hex() == text(here / "sigHexJCS.txt")
    assert encode_base58btc(signature) == text(here / "sigBTC58JCS.txt")
    signed = read_json(here / "signedJCS.json")
    assert signed["proof"]["proofValue"] == encode_base58btc(signature)
    assert {k: v for k, v in signed.items() if k != "proof"} == unsigned
    EDDSA_JCS_2022.verify_proof(signed, signed["proof"], signer.verification_key)


# (signed configuration, key pair, document it signs) of every proof in the set and the chain:
# the set's proofs sign the unsigned credential; a chained proof signs it with the proofs its
# previousProof names (the vectors' "temp" documents).
PROOF_SET_AND_CHAIN = [("proofSetConfigSigned1", "keyPair1", "unsigned"),
                       ("proofSetConfigSigned2", "keyPair2", "unsigned"),
                       ("proofChainConfigSigned1", "keyPair3", "proofChainTempDoc1"),
                       ("proofChainConfigSigned2", "keyPair4", "proofChainTempDoc2")]


@pytest.mark.parametrize("config_name, key_name, document_name", PROOF_SET_AND_CHAIN,
                         ids=[vector[0] for vector in PROOF_SET_AND_CHAIN])
def test_w3c_proof_set_and_chain_signatures_reproduce(eddsa_vectors: Path, vector_loader,
                                                      config_name: str, key_name: str,
                                                      document_name: str) -> None:
    here = eddsa_vectors / "proof-set-chain"
    signed_config = read_json(here / f"{config_name}.json")
    document = read_json(here / f"{document_name}.json")
    config = {**{k: v for k, v in signed_config.items() if k != "proofValue"},
              "@context": document["@context"]}
    hashes = hash_data(document, config, vector_loader)
    signer = vector_signer(read_json(here / "multiKeyPairs.json")[key_name])
    assert encode_base58btc(signer.sign(hashes.data)) == signed_config["proofValue"]


def test_w3c_proof_chain_documents_are_what_we_build(eddsa_vectors: Path, vector_loader) -> None:
    """The set and the chain's last link, made by ``create_proof`` from the vectors' keys."""
    here = eddsa_vectors / "proof-set-chain"
    keys = read_json(here / "multiKeyPairs.json")
    unsigned = read_json(here / "unsigned.json")
    first, second = (read_json(here / f"proofSetConfig{n}.json") for n in (1, 2))
    set_one = create_proof(unsigned, EDDSA_RDFC_2022,
                           vector_signer(keys["keyPair1"]).with_id(first["verificationMethod"]),
                           vector_loader, created=first["created"], proof_id=first["id"])
    assert set_one == read_json(here / "signedProofSet1.json")
    temp_two = read_json(here / "proofChainTempDoc2.json")
    last = read_json(here / "proofChainConfig2.json")
    chained = create_proof(temp_two, EDDSA_RDFC_2022,
                           vector_signer(keys["keyPair4"]).with_id(last["verificationMethod"]),
                           vector_loader, created=last["created"],
                           previous_proof=last["previousProof"])
    assert chained["proof"] == [*temp_two["proof"],
                                read_json(here / "proofChainConfigSigned2.json")]
    assert second["id"] in {proof.get("id") for proof
                            in read_json(here / "signedProofSet2.json")["proof"]}
