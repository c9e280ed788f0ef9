"""``ecdsa-jcs-2019`` (vc-di-ecdsa): JCS (RFC 8785) instead of RDF, ECDSA on P-256 (SHA-256)
or P-384 (SHA-384). Verified, not used to issue (OB 3.0 and CLR 2.0 name RDFC suites)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials.dates import parse_datetime
from credentials.proofs.data_integrity import (
    Cryptosuite,
    HashData,
    ProofError,
    check_signature,
    hash_name_for,
)
from credentials.proofs.eddsa_jcs_2022 import jcs_hash_data
from keys.signer import Verifier

ECDSA_JCS_2019 = Cryptosuite(proof_type="DataIntegrityProof", name="ecdsa-jcs-2019",
                             algorithm="ES256", legacy=True, more_algorithms=("ES384",))


def verify_ecdsa_jcs(document: Mapping[str, Any], proof: Mapping[str, Any], key: Verifier
                     ) -> HashData:
    """Check an ecdsa-jcs-2019 proof (vc-di-ecdsa 3.3.2).

    The proof configuration is the proof less its value, as it stands: unlike the RDFC
    suites nothing is added to it. When it carries an ``@context`` (the generic check has
    made sure the document's starts with it), the document is hashed under that context.
    """
    if not ECDSA_JCS_2019.accepts(key.algorithm):
        raise ECDSA_JCS_2019.refuse(key)
    if "created" in proof and parse_datetime(proof["created"]) is None:
        raise ProofError(f"the proof's created value {proof['created']!r} is not a dateTime")
    config = {k: v for k, v in proof.items() if k != "proofValue"}

    def hashes_for(unsecured: Mapping[str, Any], _checked: Mapping[str, Any]) -> HashData:
        if "@context" in config:
            unsecured = {**unsecured, "@context": config["@context"]}
        return jcs_hash_data(unsecured, config, hash_name_for(key.algorithm))

    return check_signature(document, proof, key, hashes_for)
