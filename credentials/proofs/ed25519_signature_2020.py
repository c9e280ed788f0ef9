"""``Ed25519Signature2020`` (W3C CCG; vc-di-eddsa appendix): verified, never issued by us."""

from credentials.proofs.data_integrity import Cryptosuite, canonize_rdfc

ED25519_SIGNATURE_2020 = Cryptosuite(proof_type="Ed25519Signature2020", name=None,
                                     algorithms=("EdDSA",), canonize=canonize_rdfc,
                                     verify_only=True)
