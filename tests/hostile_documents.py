"""Hostile did:web documents for one signed credential, shared by the library and HTTP tests.

Each case is a DID document an attacker could publish at did:web:evil.example for a
credential signed by that DID: the verifier must fail the proof, naming what is wrong, and
never crash (keys/signer.py: a verifier raises InvalidSignature and nothing else).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from credentials.proofs import ECDSA_RDFC_2019, EDDSA_RDFC_2022, create_proof
from keys import generate_ed25519
from keys.jose import JoseSigner, generate, public_jwk
from keys.signer import Signer

DID = "did:web:evil.example"
METHOD = f"{DID}#k1"
DOCUMENT_URL = "https://evil.example/.well-known/did.json"
ED = generate_ed25519(METHOD, DID)
EC = generate("P-256").with_id(METHOD, DID)
EC_JWK = EC.verification_key.jwk()
ED_JWK = ED.verification_key.jwk()

MALFORMED, UNUSABLE = "malformed-document", "unusable-key"


def credential(issuer: str = DID) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"], "issuer": issuer,
            "credentialSubject": {"id": "did:example:learner"}}


def jwk_method(jwk: Any) -> dict[str, Any]:
    return {"id": METHOD, "type": "JsonWebKey", "controller": DID, "publicKeyJwk": jwk}


def multikey_method(**changes: Any) -> dict[str, Any]:
    return {"id": METHOD, "type": "Multikey", "controller": DID,
            "publicKeyMultibase": ED.verification_key.multikey, **changes}


def document(method: Any = None, **members: Any) -> dict[str, Any]:
    """A DID document listing ``method`` (the honest Multikey by default) for assertions."""
    return {"@context": ["https://www.w3.org/ns/did/v1"], "id": DID,
            "verificationMethod": [multikey_method() if method is None else method],
            "assertionMethod": [METHOD], **members}


def rsa_jwk(bits: int) -> tuple[JoseSigner, dict[str, str]]:
    """An RSA signer of ``bits`` under the hostile DID's method, and its public JWK."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return JoseSigner(private, METHOD, DID), public_jwk(private.public_key())


def without(jwk: dict[str, Any], member: str) -> dict[str, Any]:
    return {name: value for name, value in jwk.items() if name != member}


@dataclass(frozen=True)
class Hostile:
    name: str
    document: Any
    signer: Signer  # the key that signed the credential (the one the document should list)
    words: str  # what the proof check's message must say
    problem: str  # the proof check's keyProblem

    def signed(self) -> dict[str, Any]:
        suite = ECDSA_RDFC_2019 if self.signer is EC else EDDSA_RDFC_2022
        return create_proof(credential(), suite, self.signer)


HOSTILE = [
    Hostile("EC JWK without x", document(jwk_method(without(EC_JWK, "x"))), EC,
            "the P-256 JWK has no 'x' member", UNUSABLE),
    Hostile("EC JWK x a number", document(jwk_method({**EC_JWK, "x": 5})), EC,
            "the P-256 JWK's 'x' is a number, not base64url text", UNUSABLE),
    Hostile("EC JWK y a list", document(jwk_method({**EC_JWK, "y": ["a"]})), EC,
            "the P-256 JWK's 'y' is a list, not base64url text", UNUSABLE),
    Hostile("EC JWK x the wrong size", document(jwk_method({**EC_JWK, "x": "AQ"})), EC,
            "the P-256 JWK's 'x' holds 1 bytes, not 32", UNUSABLE),
    Hostile("EC JWK off the curve", document(jwk_method({**EC_JWK, "y": EC_JWK["x"]})), EC,
            "x and y are not a point on P-256", UNUSABLE),
    Hostile("EC JWK of an unknown crv", document(jwk_method({**EC_JWK, "crv": "P-521"})), EC,
            "'crv' is 'P-521'; supported: P-256, P-384", UNUSABLE),
    Hostile("EC JWK with a private member", document(jwk_method({**EC_JWK, "d": "AA"})), EC,
            "must not carry private JWK members (d)", UNUSABLE),
    Hostile("OKP x a number", document(jwk_method({**ED_JWK, "x": 5})), ED,
            "the Ed25519 JWK's 'x' is a number, not base64url text", UNUSABLE),
    Hostile("OKP x a list", document(jwk_method({**ED_JWK, "x": ["a"]})), ED,
            "the Ed25519 JWK's 'x' is a list, not base64url text", UNUSABLE),
    Hostile("OKP x not base64url", document(jwk_method({**ED_JWK, "x": "*" * 43})), ED,
            "the Ed25519 JWK's 'x' is not base64url", UNUSABLE),
    Hostile("OKP JWK with a private member", document(jwk_method({**ED_JWK, "d": "AA"})), ED,
            "must not carry private JWK members (d)", UNUSABLE),
    Hostile("OKP JWK of an unknown crv", document(jwk_method({**ED_JWK, "crv": "X25519"})), ED,
            "'crv' is 'X25519'; supported: Ed25519", UNUSABLE),
    Hostile("JWK of an unknown kty", document(jwk_method({"kty": "oct", "k": "AA"})), ED,
            "'kty' is 'oct'; supported: EC, RSA, OKP", UNUSABLE),
    Hostile("JWK without kty", document(jwk_method(without(ED_JWK, "kty"))), ED,
            "'kty' is missing", UNUSABLE),
    Hostile("publicKeyJwk a string", document(jwk_method("abc")), ED,
            "the JWK is a string, not an object", UNUSABLE),
    Hostile("publicKeyMultibase a number", document(multikey_method(publicKeyMultibase=5)), ED,
            "its publicKeyMultibase is a number, not text", UNUSABLE),
    Hostile("no key member", document({"id": METHOD, "type": "Multikey"}), ED,
            "has neither publicKeyMultibase nor publicKeyJwk", UNUSABLE),
    Hostile("verificationMethod a number", document(verificationMethod=5), ED,
            "verificationMethod is a number, not a list", MALFORMED),
    Hostile("verificationMethod an object", document(verificationMethod=multikey_method()), ED,
            "verificationMethod is an object, not a list", MALFORMED),
    Hostile("verificationMethod entry a number", document(verificationMethod=[5]), ED,
            "verificationMethod entry 1 is a number, not an object", MALFORMED),
    Hostile("a method id a number", document(multikey_method(id=5)), ED,
            "the id of verificationMethod entry 1 is a number, not text", MALFORMED),
    Hostile("assertionMethod a number", document(assertionMethod=5), ED,
            "assertionMethod is a number, not a list", MALFORMED),
    Hostile("assertionMethod entry a number", document(assertionMethod=[5]), ED,
            "assertionMethod entry 1 is a number, not text", MALFORMED),
    Hostile("method controller a list of numbers", document(multikey_method(controller=[1, 2])),
            ED, "has a controller that is a list, not text", MALFORMED),
    Hostile("document controller a list of numbers", document(controller=[1, 2]), ED,
            "names a controller that is not text", MALFORMED),
    Hostile("DID document a list", [document()], ED, "is a list, not an object", MALFORMED),
]

# The cases of the hostile review (#15, H2), which also go through HTTP.
REVIEWED = ("EC JWK without x", "OKP x a number", "OKP x a list", "verificationMethod a number",
            "a method id a number", "assertionMethod a number", "publicKeyMultibase a number",
            "method controller a list of numbers", "JWK of an unknown kty",
            "EC JWK of an unknown crv")
