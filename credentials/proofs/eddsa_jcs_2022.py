"""``eddsa-jcs-2022`` (vc-di-eddsa): JSON Canonicalization Scheme (RFC 8785) instead of RDF,
SHA-256 and Ed25519. Verified, not used to issue (OB 3.0 and CLR 2.0 name RDFC suites).

Its proof configuration is the generic one: the proof less its value, in the document's
context."""

from credentials.proofs.data_integrity import Cryptosuite, canonize_jcs

EDDSA_JCS_2022 = Cryptosuite(proof_type="DataIntegrityProof", name="eddsa-jcs-2022",
                             algorithms=("EdDSA",), canonize=canonize_jcs, verify_only=True)
