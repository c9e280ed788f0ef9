"""The ``ecdsa-rdfc-2019`` cryptosuite (vc-di-ecdsa): RDFC-1.0 and ECDSA on P-256 (SHA-256)
or P-384 (SHA-384, which RDFC-1.0 also hashes blank nodes with). The proof value is the
IEEE P1363 signature (r || s), base58btc. Digital Bazaar's libraries issue with it."""

from credentials.proofs.data_integrity import Cryptosuite, canonize_rdfc

ECDSA_RDFC_2019 = Cryptosuite(proof_type="DataIntegrityProof", name="ecdsa-rdfc-2019",
                              algorithms=("ES256", "ES384"), canonize=canonize_rdfc)
