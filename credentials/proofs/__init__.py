"""Proof suites: one generic Data Integrity module, one small module per cryptosuite.

:data:`SUITES` is the one table of the cryptosuites we know: adding a suite is one module
defining its :class:`Cryptosuite` and one entry here.
"""

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
from credentials.proofs.ecdsa_jcs_2019 import ECDSA_JCS_2019
from credentials.proofs.ecdsa_rdfc_2019 import ECDSA_RDFC_2019
from credentials.proofs.ecdsa_sd_2023 import ECDSA_SD_2023
from credentials.proofs.ed25519_signature_2020 import ED25519_SIGNATURE_2020
from credentials.proofs.eddsa_2022 import EDDSA_2022
from credentials.proofs.eddsa_jcs_2022 import EDDSA_JCS_2022
from credentials.proofs.eddsa_rdfc_2022 import EDDSA_RDFC_2022

SUITES: tuple[Cryptosuite, ...] = (
    EDDSA_RDFC_2022,
    EDDSA_2022,
    ED25519_SIGNATURE_2020,
    EDDSA_JCS_2022,
    ECDSA_RDFC_2019,
    ECDSA_JCS_2019,
    ECDSA_SD_2023,
)


def suite_for(proof: Mapping[str, Any]) -> Cryptosuite:
    """The suite a proof names, or :class:`ProofError` for one we do not implement."""
    for suite in SUITES:
        if suite.matches(proof):
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
]
