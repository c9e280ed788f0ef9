"""P-256, P-384 (ES256, ES384) and RSA-2048 (RS256) keys beside Ed25519 (EdDSA).

Signers produce JWS-style signatures (RFC 7515/7518: ECDSA as raw r||s, the IEEE P1363 form
vc-di-ecdsa also uses; RS256 as PKCS#1 v1.5); public keys are JWKs (RFC 7517) identified by
their RFC 7638 thumbprint. ECDSA signatures are deterministic (RFC 6979), as vc-di-ecdsa
recommends: the same key and data always give the same signature.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from joserfc.jwk import JWKRegistry
from joserfc.jwk import thumbprint as rfc7638_thumbprint

from keys import base64url
from keys.ed25519 import Ed25519Signer, Ed25519VerificationKey, generate_ed25519
from keys.jwk import UnusableKeyError, member_bytes, member_text, require_object
from keys.signer import signed_bytes

KEY_TYPES = {"Ed25519": "EdDSA", "P-256": "ES256", "RSA-2048": "RS256"}
JWK_TYPES = ("EC", "RSA", "OKP")
PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
# RSA keys we verify with: at least 2048 bits (NIST SP 800-131A), at most what OpenSSL
# verifies with (OPENSSL_RSA_MAX_MODULUS_BITS).
MIN_RSA_BITS = 2048
MAX_RSA_BITS = 16384


@dataclass(frozen=True)
class Curve:
    """An ECDSA curve with the hash its JOSE algorithm (and vc-di-ecdsa) pairs it with."""

    name: str  # the JWK ``crv``
    algorithm: str  # the JOSE ``alg``
    curve: type[ec.EllipticCurve]
    hash: type[hashes.HashAlgorithm]
    size: int  # bytes in a coordinate, the secret scalar, and each half of a signature


CURVES = {c.name: c for c in (Curve("P-256", "ES256", ec.SECP256R1, hashes.SHA256, 32),
                              Curve("P-384", "ES384", ec.SECP384R1, hashes.SHA384, 48))}
_BY_OPENSSL_NAME = {c.curve.name: c for c in CURVES.values()}


def curve_of(key: ec.EllipticCurvePublicKey | ec.EllipticCurvePrivateKey) -> Curve:
    """The :class:`Curve` of a cryptography EC key; other curves are refused."""
    try:
        return _BY_OPENSSL_NAME[key.curve.name]
    except KeyError:
        raise ValueError(f"unsupported elliptic curve {key.curve.name}") from None


def _b64url_int(value: int) -> str:
    return base64url.encode(value.to_bytes((value.bit_length() + 7) // 8 or 1, "big"))


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url) of a public key.

    joserfc names each key type's required members and hashes them; the JWK is not
    imported, so a key that is no valid point (a forged header's) still has a name.
    """
    members = [name for name, member in JWKRegistry.key_types[jwk["kty"]].value_registry.items()
               if member.required]
    return rfc7638_thumbprint({name: jwk[name] for name in [*members, "kty"]})


def public_jwk(public_key: Any) -> dict[str, str]:
    """The public JWK of a cryptography public key (EC P-256/P-384 or RSA)."""
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve, numbers = curve_of(public_key), public_key.public_numbers()
        return {"kty": "EC", "crv": curve.name,
                "x": base64url.encode(numbers.x.to_bytes(curve.size, "big")),
                "y": base64url.encode(numbers.y.to_bytes(curve.size, "big"))}
    numbers = public_key.public_numbers()
    return {"kty": "RSA", "n": _b64url_int(numbers.n), "e": _b64url_int(numbers.e)}


def ec_public_key(jwk: Any) -> ec.EllipticCurvePublicKey:
    """The cryptography key of a P-256/P-384 public JWK; :class:`UnusableKeyError` naming
    the member for anything else (a missing or non-text ``x``, a point off the curve)."""
    require_object(jwk)
    member_text(jwk, "kty", ("EC",))
    curve = CURVES[member_text(jwk, "crv", tuple(CURVES), "EC JWK")]
    what = f"{curve.name} JWK"
    x = member_bytes(jwk, "x", curve.size, what)
    y = member_bytes(jwk, "y", curve.size, what)
    try:
        return ec.EllipticCurvePublicNumbers(int.from_bytes(x, "big"), int.from_bytes(y, "big"),
                                             curve.curve()).public_key()
    except ValueError:
        raise UnusableKeyError(f"the {what}'s x and y are not a point on {curve.name}") from None


def rsa_public_key(jwk: Any) -> rsa.RSAPublicKey:
    """The cryptography key of an RSA public JWK of ``MIN_RSA_BITS`` to ``MAX_RSA_BITS``
    bits: the one place the RSA size policy lives, so every path that takes an RSA key (a
    VC-JWT's, a Data Integrity proof's) applies it."""
    require_object(jwk)
    member_text(jwk, "kty", ("RSA",))
    modulus = member_bytes(jwk, "n", what="RSA JWK")
    exponent = member_bytes(jwk, "e", what="RSA JWK")
    bits = int.from_bytes(modulus, "big").bit_length()
    if not MIN_RSA_BITS <= bits <= MAX_RSA_BITS:
        raise UnusableKeyError(f"the RSA JWK's key has {bits} bits; only keys of "
                               f"{MIN_RSA_BITS} to {MAX_RSA_BITS} bits are accepted")
    try:
        return rsa.RSAPublicNumbers(int.from_bytes(exponent, "big"),
                                    int.from_bytes(modulus, "big")).public_key()
    except ValueError as error:
        raise UnusableKeyError(f"the RSA JWK's n and e are not an RSA public key "
                               f"({error})") from None


def public_key_of(jwk: Any) -> Any:
    """The cryptography public key of an EC, RSA or OKP (Ed25519) public JWK, or
    :class:`UnusableKeyError` naming what is wrong with it."""
    kty = member_text(require_object(jwk), "kty", JWK_TYPES)
    if PRIVATE_MEMBERS & set(jwk):
        raise UnusableKeyError("a verification key must not carry private JWK members "
                               f"({', '.join(sorted(PRIVATE_MEMBERS & set(jwk)))})")
    if kty == "EC":
        return ec_public_key(jwk)
    if kty == "RSA":
        return rsa_public_key(jwk)
    return Ed25519VerificationKey.from_jwk(jwk).public_key


@dataclass(frozen=True)
class JwkVerificationKey:
    """A public key given as a JWK (EC P-256/P-384, RSA or OKP Ed25519) that checks JWS-style
    signatures (ECDSA as raw r||s over the curve's hash of the data).

    The JWK is checked when the key is built (:func:`public_key_of`): a key that cannot
    verify anything -- a member missing or malformed, another curve, RSA under 2048 bits --
    is never made, so ``verify`` only ever answers for a signature."""

    public: dict[str, Any]
    id: str = ""
    controller: str = ""

    def __post_init__(self) -> None:
        public_key_of(self.public)
        # Our own copy: the caller's dict changing later cannot unmake a checked key.
        object.__setattr__(self, "public", dict(self.public))

    @property
    def algorithm(self) -> str:
        if self.public["kty"] == "EC":
            return CURVES[self.public["crv"]].algorithm
        return {"RSA": "RS256", "OKP": "EdDSA"}[self.public["kty"]]

    def jwk(self) -> dict[str, Any]:
        return dict(self.public)

    def verify(self, signature: bytes, data: bytes) -> None:
        """Raise :class:`InvalidSignature` unless ``signature`` is this key's over ``data``
        (a malformed or wrongly sized signature, or one that is not bytes, too)."""
        signature, data = signed_bytes(signature, data)
        key = public_key_of(self.public)
        if isinstance(key, Ed25519PublicKey):
            key.verify(signature, data)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            curve = curve_of(key)
            if len(signature) != 2 * curve.size:
                raise InvalidSignature(f"an {curve.algorithm} signature is {2 * curve.size} "
                                       f"bytes, not {len(signature)}")
            der = encode_dss_signature(int.from_bytes(signature[:curve.size], "big"),
                                       int.from_bytes(signature[curve.size:], "big"))
            key.verify(der, data, ec.ECDSA(curve.hash()))
        else:
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


@dataclass(frozen=True)
class JoseSigner:
    """Signs with a P-256, P-384 or RSA private key held only in this object."""

    private_key: Any = field(repr=False)
    id: str = ""
    controller: str = ""

    @property
    def algorithm(self) -> str:
        if isinstance(self.private_key, ec.EllipticCurvePrivateKey):
            return curve_of(self.private_key).algorithm
        return "RS256"

    def with_id(self, id: str, controller: str = "") -> JoseSigner:
        return JoseSigner(self.private_key, id, controller or self.controller)

    @property
    def verification_key(self) -> JwkVerificationKey:
        return JwkVerificationKey(public_jwk(self.private_key.public_key()), self.id,
                                  self.controller)

    def sign(self, data: bytes) -> bytes:
        if isinstance(self.private_key, ec.EllipticCurvePrivateKey):
            curve = curve_of(self.private_key)
            der = self.private_key.sign(data, ec.ECDSA(curve.hash(), deterministic_signing=True))
            r, s = decode_dss_signature(der)
            return r.to_bytes(curve.size, "big") + s.to_bytes(curve.size, "big")
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

