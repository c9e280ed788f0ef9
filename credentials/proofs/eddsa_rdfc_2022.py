"""The ``eddsa-rdfc-2022`` cryptosuite (vc-di-eddsa): RDFC-1.0, SHA-256, Ed25519."""

from credentials.proofs.data_integrity import Cryptosuite

EDDSA_RDFC_2022 = Cryptosuite(proof_type="DataIntegrityProof", name="eddsa-rdfc-2022",
                              algorithm="EdDSA")

# The same algorithm under the name it had in drafts; OB 3.0 credentials from 2023 carry it.
EDDSA_2022 = Cryptosuite(proof_type="DataIntegrityProof", name="eddsa-2022", algorithm="EdDSA",
                         legacy=True)
