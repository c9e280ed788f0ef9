"""``eddsa-2022``: eddsa-rdfc-2022 under the name it had in drafts; OB 3.0 credentials from
2023 carry it. Verified, never issued."""

from credentials.proofs.data_integrity import Cryptosuite, canonize_rdfc

EDDSA_2022 = Cryptosuite(proof_type="DataIntegrityProof", name="eddsa-2022",
                         algorithms=("EdDSA",), canonize=canonize_rdfc, verify_only=True)
