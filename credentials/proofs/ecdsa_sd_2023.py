"""``ecdsa-sd-2023`` derived proofs (vc-di-ecdsa, selective disclosure): verified, never made.

A holder reveals some statements of an issuer-signed credential. The derived proof carries
the issuer's base signature over (proof-config hash, ephemeral public key, hash of the
mandatory statements) and one ephemeral-key signature per other revealed statement; blank
nodes are relabelled with the HMAC labels the issuer chose, so the statements match what
was signed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from typing import Any

import cbor2

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.canonical import canonicalize
from credentials.proofs.data_integrity import Cryptosuite, ProofError, proof_config_for_verification
from keys.ecdsa import ec_multikey_jwk
from keys.jose import JwkVerificationKey
from keys.signer import Verifier

ECDSA_SD_2023 = Cryptosuite(proof_type="DataIntegrityProof", name="ecdsa-sd-2023",
                            algorithm="ES256", legacy=True)
DERIVED_HEADER = bytes([0xD9, 0x5D, 0x01])
_BLANK = re.compile(r"_:(c14n\d+)")


def _parse_derived(proof_value: str) -> tuple[bytes, bytes, list[bytes], dict[int, bytes],
                                              list[int]]:
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise ProofError("an ecdsa-sd-2023 proofValue is multibase base64url ('u')")
    try:
        raw = base64.urlsafe_b64decode(proof_value[1:] + "=" * (-len(proof_value[1:]) % 4))
    except ValueError:
        raise ProofError("the ecdsa-sd-2023 proofValue is not base64url") from None
    if not raw.startswith(DERIVED_HEADER):
        raise ProofError("only derived ecdsa-sd-2023 proofs are verified (the base proof is "
                         "for the holder, not for verifiers)")
    try:
        parts = cbor2.loads(raw[len(DERIVED_HEADER):])
    except (cbor2.CBORDecodeError, ValueError) as error:
        raise ProofError(f"the ecdsa-sd-2023 proofValue is not CBOR: {error}") from None
    if not (isinstance(parts, list) and len(parts) == 5):
        raise ProofError("a derived ecdsa-sd-2023 proofValue has five components")
    base_signature, public_key, signatures, label_map, mandatory = parts
    return base_signature, public_key, signatures, label_map, mandatory


def _relabelled(canonical: str, labels: Mapping[int, bytes]) -> list[str]:
    mapping = {f"c14n{k}": "u" + base64.urlsafe_b64encode(v).rstrip(b"=").decode()
               for k, v in labels.items()}

    def replace(match: re.Match[str]) -> str:
        if match.group(1) not in mapping:
            raise ProofError(f"blank node {match.group(0)} has no label in the proof")
        return "_:" + mapping[match.group(1)]

    return sorted(_BLANK.sub(replace, line) + "\n" for line in canonical.splitlines())


def verify_sd_derived(document: Mapping[str, Any], proof: Mapping[str, Any], key: Verifier,
                      loader: StaticDocumentLoader = DEFAULT_LOADER) -> None:
    """Check a derived ecdsa-sd-2023 proof with the issuer's P-256 ``key``."""
    if key.algorithm != "ES256":
        raise ProofError(f"{proof.get('verificationMethod')} is not a P-256 key")
    base_signature, public_key, signatures, labels, mandatory = _parse_derived(
        proof.get("proofValue"))
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof_hash = hashlib.sha256(canonicalize(proof_config_for_verification(unsecured, proof),
                                             loader).encode()).digest()
    statements = _relabelled(canonicalize(unsecured, loader), labels)
    required = set(mandatory)
    mandatory_hash = hashlib.sha256("".join(
        s for i, s in enumerate(statements) if i in required).encode()).digest()
    optional = [s for i, s in enumerate(statements) if i not in required]
    if not key.verify(base_signature, proof_hash + public_key + mandatory_hash):
        raise ProofError("the issuer's base signature does not match the disclosed document")
    if len(signatures) != len(optional):
        raise ProofError(f"{len(optional)} disclosed statements but {len(signatures)} "
                         "statement signatures")
    try:
        ephemeral = JwkVerificationKey(ec_multikey_jwk(public_key, ("P-256",)))
    except ValueError as error:
        raise ProofError(f"the proof's ephemeral key is not a P-256 Multikey: {error}") from None
    for number, (statement, signature) in enumerate(zip(optional, signatures, strict=True)):
        if not ephemeral.verify(signature, statement.encode()):
            raise ProofError(f"disclosed statement {number} does not match its signature")
