"""Proof suites: one generic Data Integrity module, one small module per cryptosuite."""

from collections.abc import Mapping
from typing import Any

from credentials.proofs.data_integrity import (
    Cryptosuite,
    HashData,
    ProofError,
    create_proof,
    hash_data,
    verify_proof,
)
from credentials.proofs.ed25519_signature_2020 import ED25519_SIGNATURE_2020
from credentials.proofs.eddsa_rdfc_2022 import EDDSA_2022, EDDSA_RDFC_2022

SUITES = (EDDSA_RDFC_2022, EDDSA_2022, ED25519_SIGNATURE_2020)


def suite_for(proof: Mapping[str, Any]) -> Cryptosuite:
    """The suite a proof names, or :class:`ProofError` for one we do not implement."""
    for suite in SUITES:
        if proof.get("type") == suite.proof_type and proof.get("cryptosuite") == suite.name:
            return suite
    name = proof.get("cryptosuite") or proof.get("type")
    raise ProofError(f"unsupported proof type or cryptosuite: {name!r}")


__all__ = [
    "ED25519_SIGNATURE_2020",
    "EDDSA_2022",
    "EDDSA_RDFC_2022",
    "SUITES",
    "Cryptosuite",
    "HashData",
    "ProofError",
    "create_proof",
    "hash_data",
    "suite_for",
    "verify_proof",
]
