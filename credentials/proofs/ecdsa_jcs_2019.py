"""``ecdsa-jcs-2019`` (vc-di-ecdsa): JCS (RFC 8785) instead of RDF, ECDSA on P-256 (SHA-256)
or P-384 (SHA-384). Verified, not used to issue (OB 3.0 and CLR 2.0 name RDFC suites)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contexts import StaticDocumentLoader
from credentials.proofs.data_integrity import (
    Cryptosuite,
    HashData,
    canonize_jcs,
    proof_config_for_verification,
)


@dataclass(frozen=True)
class _EcdsaJcs(Cryptosuite):
    def verification_hashes(self, unsecured: Mapping[str, Any], proof: Mapping[str, Any],
                            loader: StaticDocumentLoader, hash_name: str) -> HashData:
        """vc-di-ecdsa 3.3.2: the proof configuration is the proof less its value, as it
        stands: unlike the other suites nothing is added to it. When it carries an
        ``@context`` (which must start the document's), the document is hashed under that
        context."""
        proof_config_for_verification(unsecured, proof)  # refuses a @context not the prefix
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        if "@context" in config:
            unsecured = {**unsecured, "@context": config["@context"]}
        return self.hash_data(unsecured, config, loader, hash_name)


ECDSA_JCS_2019 = _EcdsaJcs(proof_type="DataIntegrityProof", name="ecdsa-jcs-2019",
                           algorithms=("ES256", "ES384"), canonize=canonize_jcs,
                           verify_only=True)
