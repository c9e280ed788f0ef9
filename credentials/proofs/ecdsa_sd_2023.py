"""``ecdsa-sd-2023`` derived proofs (vc-di-ecdsa, selective disclosure): verified, never made.

A holder reveals some statements of an issuer-signed credential. The derived proof carries
the issuer's base signature over (proof-config hash, ephemeral public key, hash of the
mandatory statements) and one ephemeral-key signature per other revealed statement; blank
nodes are relabelled with the HMAC labels the issuer chose, so the statements match what
was signed.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cbor2

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.canonical import canonicalize
from credentials.proofs.data_integrity import (
    Cryptosuite,
    ProofError,
    SignatureMismatch,
    canonize_rdfc,
    proof_config_for_verification,
)
from keys import base64url
from keys.ecdsa import ec_multikey_jwk
from keys.jose import JwkVerificationKey
from keys.signer import InvalidSignature, Verifier

DERIVED_HEADER = bytes([0xD9, 0x5D, 0x01])
_BLANK = re.compile(r"_:(c14n\d+)")


@dataclass(frozen=True)
class DerivedProofValue:
    """The five components of a derived proofValue (vc-di-ecdsa, parseDerivedProofValue)."""

    base_signature: bytes
    public_key: bytes  # the issuer's ephemeral P-256 key, as a Multikey (header included)
    signatures: list[bytes]
    label_map: dict[str, str]  # canonical blank node label -> the issuer's HMAC label
    mandatory_indexes: list[int]


@dataclass(frozen=True)
class VerifyData:
    """What a verifier checks the signatures against (vc-di-ecdsa, createVerifyData)."""

    base_signature: bytes
    proof_hash: bytes
    public_key: bytes
    signatures: list[bytes]
    statements: list[str]  # the disclosed N-Quads, relabelled and sorted
    non_mandatory: list[str]
    mandatory_hash: bytes


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    """Decode a derived proofValue: 'u' + base64url(0xd95d01 + CBOR array of five)."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise ProofError("an ecdsa-sd-2023 proofValue is multibase base64url ('u')")
    try:
        raw = base64url.decode(proof_value[1:])
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
    base_signature, public_key, signatures, labels, mandatory = parts
    if not (isinstance(base_signature, bytes) and isinstance(public_key, bytes)
            and isinstance(signatures, list) and all(isinstance(x, bytes) for x in signatures)
            and isinstance(labels, dict)
            and all(isinstance(k, int) and isinstance(v, bytes) for k, v in labels.items())
            and isinstance(mandatory, list) and all(isinstance(i, int) for i in mandatory)):
        raise ProofError("the derived ecdsa-sd-2023 proofValue's components have wrong types")
    return DerivedProofValue(base_signature, public_key, signatures,
                             {f"c14n{k}": "u" + base64url.encode(v) for k, v in labels.items()},
                             mandatory)


def relabelled(canonical: str, labels: Mapping[str, str]) -> list[str]:
    """Canonical N-Quads with each ``_:c14nN`` replaced by its label, sorted (as the issuer
    signed them)."""
    def replace(match: re.Match[str]) -> str:
        if match.group(1) not in labels:
            raise ProofError(f"blank node {match.group(0)} has no label in the proof")
        return "_:" + labels[match.group(1)]

    return sorted(_BLANK.sub(replace, line) + "\n" for line in canonical.splitlines())


def create_verify_data(document: Mapping[str, Any], proof: Mapping[str, Any],
                       loader: StaticDocumentLoader = DEFAULT_LOADER) -> VerifyData:
    """The proof-configuration hash, the disclosed statements under the issuer's labels,
    split into mandatory (hashed together) and the rest (signed one by one)."""
    parsed = parse_derived_proof_value(proof.get("proofValue"))
    unsecured = {k: v for k, v in document.items() if k != "proof"}
    proof_hash = hashlib.sha256(canonicalize(proof_config_for_verification(unsecured, proof),
                                             loader).encode()).digest()
    statements = relabelled(canonicalize(unsecured, loader), parsed.label_map)
    required = set(parsed.mandatory_indexes)
    mandatory_hash = hashlib.sha256("".join(
        s for i, s in enumerate(statements) if i in required).encode()).digest()
    non_mandatory = [s for i, s in enumerate(statements) if i not in required]
    return VerifyData(parsed.base_signature, proof_hash, parsed.public_key, parsed.signatures,
                      statements, non_mandatory, mandatory_hash)


@dataclass(frozen=True)
class _SelectiveDisclosure(Cryptosuite):
    def check_signature(self, document: Mapping[str, Any], proof: Mapping[str, Any],
                        key: Verifier, loader: StaticDocumentLoader) -> VerifyData:
        """Check a derived proof with the issuer's P-256 ``key``: the base signature over
        the mandatory statements, then each other disclosed statement's signature by the
        proof's ephemeral key."""
        data = create_verify_data(document, proof, loader)
        try:
            key.verify(data.base_signature,
                       data.proof_hash + data.public_key + data.mandatory_hash)
        except InvalidSignature:
            raise SignatureMismatch("the issuer's base signature does not match the "
                                    "disclosed document") from None
        if len(data.signatures) != len(data.non_mandatory):
            raise ProofError(f"{len(data.non_mandatory)} disclosed statements but "
                             f"{len(data.signatures)} statement signatures")
        try:
            ephemeral = JwkVerificationKey(ec_multikey_jwk(data.public_key, ("P-256",)))
        except ValueError as error:
            raise ProofError(f"the proof's ephemeral key is not a P-256 Multikey: "
                             f"{error}") from None
        for number, (statement, signature) in enumerate(zip(data.non_mandatory,
                                                            data.signatures, strict=True)):
            try:
                ephemeral.verify(signature, statement.encode())
            except InvalidSignature:
                raise SignatureMismatch(f"disclosed statement {number} does not match its "
                                        "signature") from None
        return data


ECDSA_SD_2023 = _SelectiveDisclosure(proof_type="DataIntegrityProof", name="ecdsa-sd-2023",
                                     algorithms=("ES256",), canonize=canonize_rdfc,
                                     verify_only=True)
