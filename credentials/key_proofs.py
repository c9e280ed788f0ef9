"""OpenID4VCI 1.0 ``jwt`` key proofs (section 8.2.1.1 and appendix F.1): a wallet proves it
holds the key a credential is to be bound to.

A proof is a compact JWS typed ``openid4vci-proof+jwt`` whose header names the key in one of
two ways we accept: ``kid``, a did:key or did:jwk DID URL, or ``jwk``, the public key itself
(``x5c`` and key attestations are not accepted). Its claims are ``aud`` (the credential issuer
identifier), ``iat`` (recent) and ``nonce`` (a ``c_nonce`` the issuer gave out; whether it is
fresh and unused is the caller's to check, against its store). The holder the credential
names is the DID of the key: the did:key or did:jwk of ``kid``, or the did:jwk of a bare
``jwk``, so a verifier can resolve it without asking us.
"""

from __future__ import annotations

import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature

from keys import base64url
from keys.did import DidError, did_key_public_key
from keys.jose import JwkVerificationKey
from keys.jwk import UnusableKeyError
from keys.multibase import MultibaseError

PROOF_TYPE = "openid4vci-proof+jwt"
# JOSE names of the signatures we check, by key: Ed25519 (EdDSA, and its fully specified
# name from RFC 9864), P-256 and P-384. RSA keys are not offered for holder binding.
ALGORITHMS = ("ES256", "ES384", "EdDSA", "Ed25519")
_KEY_ALGORITHM = {"ES256": "ES256", "ES384": "ES384", "EdDSA": "EdDSA", "Ed25519": "EdDSA"}
MAX_PROOF_BYTES = 16 * 1024
BINDING_METHODS = ("did:key", "did:jwk", "jwk")


class KeyProofError(ValueError):
    """A key proof that does not prove anything; the message says why in words a wallet
    developer can act on."""


@dataclass(frozen=True)
class KeyProof:
    """What a verified proof establishes: the holder's DID, the nonce it carries (to be
    checked and spent by the caller) and when it says it was made."""

    holder: str
    nonce: str
    issued_at: int
    public_jwk: dict[str, Any]


def did_jwk(jwk: Mapping[str, Any]) -> str:
    """The did:jwk of a public JWK: base64url of its JSON (did:jwk method, section 2), the
    members in a fixed order so a key always gets the same DID."""
    public = {name: jwk[name] for name in sorted(jwk)
              if name in ("kty", "crv", "x", "y", "n", "e")}
    return "did:jwk:" + base64url.encode(json.dumps(public, separators=(",", ":")).encode())


def did_jwk_key(did_or_url: str) -> JwkVerificationKey:
    """The key a did:jwk (or its ``#0`` verification method) encodes."""
    did, _, fragment = did_or_url.partition("#")
    if not did.startswith("did:jwk:") or fragment not in ("", "0"):
        raise KeyProofError(f"{did_or_url!r} is not a did:jwk verification method")
    try:
        jwk = json.loads(base64url.decode(did.removeprefix("did:jwk:"), strict=True))
    except (binascii.Error, ValueError):
        raise KeyProofError("the did:jwk does not hold base64url JSON") from None
    return _jwk_key(jwk, "the did:jwk's key")


def _jwk_key(jwk: Any, what: str) -> JwkVerificationKey:
    if not isinstance(jwk, Mapping):
        raise KeyProofError(f"{what} is not a JSON object")
    if jwk.get("kty") == "RSA":
        raise KeyProofError(f"{what} is an RSA key; use an Ed25519, P-256 or P-384 key")
    try:
        return JwkVerificationKey(dict(jwk))
    except UnusableKeyError as error:
        raise KeyProofError(f"{what} cannot be used: {error}") from None


def _part(segment: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(base64url.decode(segment, strict=True))
    except (binascii.Error, ValueError):
        raise KeyProofError(f"the proof's {what} is not base64url JSON") from None
    if not isinstance(value, dict):
        raise KeyProofError(f"the proof's {what} is not a JSON object")
    return value


def _holder_key(header: Mapping[str, Any]) -> tuple[str, Any]:
    """(holder DID, verification key) from the header's ``kid`` or ``jwk``."""
    if "x5c" in header or "trust_chain" in header or "key_attestation" in header:
        raise KeyProofError("x5c, trust_chain and key_attestation headers are not accepted; "
                            "name the key with kid (did:key or did:jwk) or jwk")
    if ("kid" in header) == ("jwk" in header):
        raise KeyProofError("the proof's header must name its key with exactly one of kid "
                            "(a did:key or did:jwk DID URL) or jwk")
    if "jwk" in header:
        key = _jwk_key(header["jwk"], "the jwk header")
        return did_jwk(key.jwk()), key
    kid = header["kid"]
    if not isinstance(kid, str):
        raise KeyProofError("the proof's kid is not a string")
    if kid.startswith("did:jwk:"):
        key = did_jwk_key(kid)
        return kid.partition("#")[0], key
    if kid.startswith("did:key:"):
        try:
            return kid.partition("#")[0], did_key_public_key(kid)
        except (DidError, MultibaseError, UnusableKeyError, ValueError) as error:
            raise KeyProofError(f"the proof's kid is not a usable did:key: {error}") from None
    raise KeyProofError(f"the proof's kid {kid[:80]!r} is not a did:key or did:jwk DID URL; "
                        "other DID methods are not resolved here")


def verify_key_proof(token: Any, *, audience: str, now: int, max_age: int = 300,
                     leeway: int = 60) -> KeyProof:
    """Check one ``jwt`` key proof made for ``audience`` at most ``max_age`` seconds before
    ``now`` (and no more than ``leeway`` after it); :class:`KeyProofError` otherwise.

    The ``nonce`` must be present (we have a nonce endpoint); whether it is one of ours is
    left to the caller, who alone can spend it once."""
    if not isinstance(token, str) or len(token) > MAX_PROOF_BYTES:
        raise KeyProofError("a jwt key proof is a compact JWS string "
                            f"of at most {MAX_PROOF_BYTES} bytes")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        raise KeyProofError("the proof is not a compact JWS (header.payload.signature)")
    header, payload = _part(parts[0], "header"), _part(parts[1], "payload")
    if header.get("typ") != PROOF_TYPE:
        raise KeyProofError(f"the proof's typ must be {PROOF_TYPE!r}, not {header.get('typ')!r}")
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise KeyProofError(f"the proof's alg {alg!r} is not accepted; use one of "
                            f"{', '.join(ALGORITHMS)}")
    holder, key = _holder_key(header)
    if key.algorithm != _KEY_ALGORITHM[alg]:
        raise KeyProofError(f"the proof's alg {alg} does not fit its {key.algorithm} key")
    try:
        signature = base64url.decode(parts[2], strict=True)
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except (binascii.Error, ValueError, InvalidSignature):
        raise KeyProofError("the proof's signature does not verify with the key its header "
                            "names") from None
    if payload.get("aud") != audience:
        raise KeyProofError(f"the proof's aud must be this credential issuer, {audience!r}, "
                            f"not {payload.get('aud')!r}")
    issued_at = payload.get("iat")
    if not isinstance(issued_at, int | float) or isinstance(issued_at, bool):
        raise KeyProofError("the proof has no iat (a number of seconds)")
    if issued_at > now + leeway or issued_at < now - max_age:
        raise KeyProofError(f"the proof's iat is not within {max_age} s before now; make a "
                            "new proof")
    nonce = payload.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise KeyProofError("the proof has no nonce: take a c_nonce from the nonce endpoint")
    return KeyProof(holder, nonce, int(issued_at), key.jwk())
