"""Proof suites: one generic Data Integrity module, one small module per cryptosuite."""

from collections.abc import Mapping
from typing import Any

from credentials.proofs.data_integrity import (
    Cryptosuite,
    HashData,
    ProofError,
    create_proof,
    hash_data,
    hash_name_for,
    verify_proof,
)
from credentials.proofs.ecdsa_jcs_2019 import ECDSA_JCS_2019, verify_ecdsa_jcs
from credentials.proofs.ecdsa_rdfc_2019 import ECDSA_RDFC_2019
from credentials.proofs.ecdsa_sd_2023 import ECDSA_SD_2023, verify_sd_derived
from credentials.proofs.ed25519_signature_2020 import ED25519_SIGNATURE_2020
from credentials.proofs.eddsa_jcs_2022 import EDDSA_JCS_2022, verify_jcs
from credentials.proofs.eddsa_rdfc_2022 import EDDSA_2022, EDDSA_RDFC_2022

SUITES = (EDDSA_RDFC_2022, EDDSA_2022, ED25519_SIGNATURE_2020, ECDSA_SD_2023, EDDSA_JCS_2022,
          ECDSA_RDFC_2019, ECDSA_JCS_2019)


def verify_with_suite(document: Mapping[str, Any], proof: Mapping[str, Any],
                      suite: Cryptosuite, key: Any, loader: Any) -> None:
    """Check one proof with the suite it names (selective disclosure has its own algorithm)."""
    if suite is ECDSA_SD_2023:
        verify_sd_derived(document, proof, key, loader)
    elif suite is EDDSA_JCS_2022:
        verify_jcs(document, proof, key)
    elif suite is ECDSA_JCS_2019:
        verify_ecdsa_jcs(document, proof, key)
    else:
        verify_proof(document, proof, suite, key, loader)


def suite_for(proof: Mapping[str, Any]) -> Cryptosuite:
    """The suite a proof names, or :class:`ProofError` for one we do not implement."""
    for suite in SUITES:
        if proof.get("type") == suite.proof_type and proof.get("cryptosuite") == suite.name:
            return suite
    name = proof.get("cryptosuite") or proof.get("type")
    raise ProofError(f"unsupported proof type or cryptosuite: {name!r}")


__all__ = [
    "ECDSA_JCS_2019",
    "ECDSA_RDFC_2019",
    "ECDSA_SD_2023",
    "ED25519_SIGNATURE_2020",
    "EDDSA_2022",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "SUITES",
    "Cryptosuite",
    "HashData",
    "ProofError",
    "create_proof",
    "hash_data",
    "hash_name_for",
    "suite_for",
    "verify_proof",
    "verify_with_suite",
]
