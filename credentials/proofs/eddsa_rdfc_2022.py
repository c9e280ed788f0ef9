"""The ``eddsa-rdfc-2022`` cryptosuite (vc-di-eddsa): RDFC-1.0, SHA-256, Ed25519. We issue
with it (OB 3.0 and CLR 2.0 name it)."""

from credentials.proofs.data_integrity import Cryptosuite, canonize_rdfc

EDDSA_RDFC_2022 = Cryptosuite(proof_type="DataIntegrityProof", name="eddsa-rdfc-2022",
                              algorithms=("EdDSA",), canonize=canonize_rdfc)
