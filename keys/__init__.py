"""Key generation, encodings (Multikey, JWK), DID documents and Signer objects.

Raw private key bytes exist only inside this package; callers get :class:`Signer` objects and
public keys.
"""

from keys.ed25519 import Ed25519Signer, Ed25519VerificationKey, generate_ed25519
from keys.signer import InvalidSignature, Signer, Verifier

__all__ = ["Ed25519Signer", "Ed25519VerificationKey", "InvalidSignature", "Signer", "Verifier",
           "generate_ed25519"]
