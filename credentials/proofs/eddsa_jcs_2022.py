"""``eddsa-jcs-2022`` (vc-di-eddsa): JSON Canonicalization Scheme (RFC 8785) instead of RDF,
SHA-256 and Ed25519. Verified, not used to issue (OB 3.0 and CLR 2.0 name RDFC suites)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

import rfc8785

from credentials.proofs.data_integrity import (
    Cryptosuite,
    HashData,
    ProofError,
    check_signature,
)
from keys.signer import Verifier

EDDSA_JCS_2022 = Cryptosuite(proof_type="DataIntegrityProof", name="eddsa-jcs-2022",
                             algorithm="EdDSA", legacy=True)


def jcs_hash_data(unsecured: Mapping[str, Any], proof_config: Mapping[str, Any],
                  hash_name: str = "sha256") -> HashData:
    """JCS (RFC 8785) forms of the document and proof configuration, and their hashes."""
    try:
        document = rfc8785.dumps(dict(unsecured)).decode()
        config = rfc8785.dumps(dict(proof_config)).decode()
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as error:
        raise ProofError(f"the document cannot be JCS-canonicalized: {error}") from None
    return HashData(document, config, hashlib.new(hash_name, document.encode()).digest(),
                    hashlib.new(hash_name, config.encode()).digest())


def verify_jcs(document: Mapping[str, Any], proof: Mapping[str, Any], key: Verifier) -> None:
    if key.algorithm != "EdDSA":
        raise ProofError(f"{proof.get('verificationMethod')} is not an Ed25519 key")
    check_signature(document, proof, key, jcs_hash_data)
