"""P-256 and P-384 keys as Multikeys (vc-di-ecdsa, section 2.1.1), and did:key's key reader.

A public Multikey is base58btc(multicodec header + compressed point): ``zDn...`` for P-256
(header 0x1200), ``z82...`` for P-384 (0x1201). A secret Multikey carries the secret scalar
(0x1306, 0x1307); it is read only to import key pairs such as the W3C test vectors'.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from keys.ed25519 import Ed25519VerificationKey
from keys.jose import (
    CURVES,
    JoseSigner,
    JwkVerificationKey,
    curve_of,
    ec_public_key,
    public_jwk,
)
from keys.multibase import (
    ED25519_PUB,
    P256_PRIV,
    P256_PUB,
    P384_PRIV,
    P384_PUB,
    MultibaseError,
    decode_base58btc,
    encode_base58btc,
)
from keys.signer import Verifier

PUBLIC_HEADERS = {"P-256": P256_PUB, "P-384": P384_PUB}
SECRET_HEADERS = {"P-256": P256_PRIV, "P-384": P384_PRIV}


def _curve_for(data: bytes, headers: dict[str, bytes], extra: int) -> str:
    """The curve whose multicodec header starts ``data``, checking the key after it is the
    curve's size plus ``extra`` bytes (1 for a compressed point's sign byte, 0 for a
    secret scalar)."""
    for name, header in headers.items():
        if data.startswith(header):
            expected = CURVES[name].size + extra
            if len(data) - len(header) != expected:
                raise MultibaseError(f"a {name} Multikey holds {expected} key bytes, not "
                                     f"{len(data) - len(header)}")
            return name
    raise MultibaseError(f"multicodec header 0x{data[:2].hex()} is not a P-256 or P-384 key")


def ec_multikey_jwk(value: bytes | str, curves: tuple[str, ...] = ("P-256", "P-384")
                    ) -> dict[str, str]:
    """The public JWK of a P-256/P-384 Multikey, given as text (``zDn...``) or raw bytes."""
    data = decode_base58btc(value) if isinstance(value, str) else value
    if not isinstance(data, bytes):
        raise MultibaseError("a Multikey is text or bytes")
    name = _curve_for(data, PUBLIC_HEADERS, 1)
    if name not in curves:
        raise MultibaseError(f"expected a {' or '.join(curves)} key, not {name}")
    point = data[len(PUBLIC_HEADERS[name]):]
    try:
        key = ec.EllipticCurvePublicKey.from_encoded_point(CURVES[name].curve(), point)
    except ValueError as error:
        raise MultibaseError(f"not a compressed {name} point: {error}") from None
    return public_jwk(key)


def ec_multikey(public: ec.EllipticCurvePublicKey | JwkVerificationKey) -> str:
    """The ``publicKeyMultibase`` of a P-256/P-384 public key (compressed point)."""
    if isinstance(public, JwkVerificationKey):
        public = ec_public_key(public.jwk())
    point = public.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    return encode_base58btc(PUBLIC_HEADERS[curve_of(public).name] + point)


def ec_signer_from_secret_multikey(value: str, id: str = "", controller: str = ""
                                   ) -> JoseSigner:
    """A signer from a ``secretKeyMultibase`` (P-256 or P-384 secret scalar)."""
    data = decode_base58btc(value)
    name = _curve_for(data, SECRET_HEADERS, 0)
    scalar = int.from_bytes(data[len(SECRET_HEADERS[name]):], "big")
    try:
        private = ec.derive_private_key(scalar, CURVES[name].curve())
    except ValueError as error:
        raise MultibaseError(f"not a {name} secret key: {error}") from None
    return JoseSigner(private, id, controller)


def multikey_verification_key(value: str, id: str = "", controller: str = "") -> Verifier:
    """The key a ``publicKeyMultibase`` holds, whichever type its header names (Ed25519,
    P-256, P-384); anything else raises :class:`MultibaseError`."""
    data = decode_base58btc(value)
    if data.startswith(ED25519_PUB):
        return Ed25519VerificationKey.from_multikey(value, id, controller)
    return JwkVerificationKey(ec_multikey_jwk(data), id, controller)
