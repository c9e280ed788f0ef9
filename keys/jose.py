"""P-256 (ES256) and RSA-2048 (RS256) keys beside Ed25519 (EdDSA), for VC-JWT.

Signers produce JWS signatures (RFC 7515/7518: ES256 as raw r||s, RS256 as PKCS#1 v1.5);
public keys are JWKs (RFC 7517) identified by their RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from keys.ed25519 import Ed25519Signer, Ed25519VerificationKey, generate_ed25519
from keys.multibase import decode_base58btc

KEY_TYPES = {"Ed25519": "EdDSA", "P-256": "ES256", "RSA-2048": "RS256"}
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_int(value: int) -> str:
    return _b64url(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def _int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key."""
    required = {"OKP": ("crv", "kty", "x"), "EC": ("crv", "kty", "x", "y"),
                "RSA": ("e", "kty", "n")}[jwk["kty"]]
    canonical = json.dumps({k: jwk[k] for k in required}, separators=(",", ":"),
                           sort_keys=True)
    return _b64url(hashlib.sha256(canonical.encode()).digest())


def public_jwk(public_key: Any) -> dict[str, str]:
    """The public JWK of a cryptography public key (EC P-256 or RSA)."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        numbers = public_key.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _b64url(numbers.x.to_bytes(32, "big")),
                "y": _b64url(numbers.y.to_bytes(32, "big"))}
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "n": _b64url_int(numbers.n), "e": _b64url_int(numbers.e)}


@dataclass(frozen=True)
class JwkVerificationKey:
    """A public key given as a JWK (EC P-256, RSA or OKP Ed25519) that checks JWS signatures."""

    public: dict[str, Any]
    id: str = ""
    controller: str = ""

    def __post_init__(self) -> None:
        if PRIVATE_MEMBERS & set(self.public):
            raise ValueError("a verification key must not carry private JWK members")

    @property
    def algorithm(self) -> str:
        return {"EC": "ES256", "RSA": "RS256", "OKP": "EdDSA"}[self.public["kty"]]

    def jwk(self) -> dict[str, Any]:
        return dict(self.public)

    def verify(self, signature: bytes, data: bytes) -> bool:
        kty = self.public.get("kty")
        try:
            if kty == "OKP":
                return Ed25519VerificationKey.from_jwk(self.public).verify(signature, data)
            if kty == "EC" and self.public.get("crv") == "P-256" and len(signature) == 64:
                key = ec.EllipticCurvePublicNumbers(_int(self.public["x"]), _int(self.public["y"]),
                                                    ec.SECP256R1()).public_key()
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                                           int.from_bytes(signature[32:], "big"))
                key.verify(der, data, ec.ECDSA(hashes.SHA256()))
                return True
            if kty == "RSA":
                key = rsa.RSAPublicNumbers(_int(self.public["e"]),
                                           _int(self.public["n"])).public_key()
                if key.key_size < 2048:
                    return False
                key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
                return True
        except (InvalidSignature, ValueError):
            return False
        return False


@dataclass(frozen=True)
class JoseSigner:
    """Signs with a P-256 or RSA private key held only in this object."""

    private_key: Any = field(repr=False)
    id: str = ""
    controller: str = ""

    @property
    def algorithm(self) -> str:
        return "ES256" if isinstance(self.private_key, ec.EllipticCurvePrivateKey) else "RS256"

    def with_id(self, id: str, controller: str = "") -> JoseSigner:
        return JoseSigner(self.private_key, id, controller or self.controller)

    @property
    def verification_key(self) -> JwkVerificationKey:
        return JwkVerificationKey(public_jwk(self.private_key.public_key()), self.id,
                                  self.controller)

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private_key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(self.private_key.sign(data, ec.ECDSA(hashes.SHA256())))
            return r.to_bytes(32, "big") + s.to_bytes(32, "big")
        return self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    def private_bytes(self) -> bytes:
        """PKCS#8 DER, for the key store to encrypt; nothing else should call this."""
        return self.private_key.private_bytes(serialization.Encoding.DER,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption())

    @classmethod
    def from_private_bytes(cls, der: bytes, id: str = "", controller: str = "") -> JoseSigner:
        return cls(serialization.load_der_private_key(der, password=None), id, controller)

    def __repr__(self) -> str:
        return f"JoseSigner(id={self.id!r}, algorithm={self.algorithm})"


def generate(key_type: str) -> Ed25519Signer | JoseSigner:
    """A fresh key of ``key_type``: Ed25519, P-256 or RSA-2048."""
    if key_type == "Ed25519":
        return generate_ed25519()
    if key_type == "P-256":
        return JoseSigner(ec.generate_private_key(ec.SECP256R1()))
    if key_type == "RSA-2048":
        return JoseSigner(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    raise ValueError(f"unknown key type {key_type!r}; use one of {', '.join(KEY_TYPES)}")


P256_PUB = bytes([0x80, 0x24])  # multicodec p256-pub (varint 0x1200)


def p256_multikey_jwk(data: bytes | str) -> dict[str, str]:
    """The JWK of a P-256 Multikey: raw bytes (with header) or its base58btc text (zDn...)."""
    if isinstance(data, str):
        data = decode_base58btc(data)
    if not data.startswith(P256_PUB) or len(data) != len(P256_PUB) + 33:
        raise ValueError("expected a 33-byte compressed P-256 key with multicodec 0x1200")
    point = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data[len(P256_PUB):])
    return public_jwk(point)
