"""Multibase (base58btc) and multicodec framing of keys, as Multikey and did:key use them."""

from __future__ import annotations

import base58

BASE58BTC = "z"

# Multicodec varint prefixes (https://github.com/multiformats/multicodec, table.csv).
ED25519_PUB = bytes([0xED, 0x01])
ED25519_PRIV = bytes([0x80, 0x26])
P256_PUB = bytes([0x80, 0x24])  # p256-pub, 0x1200: a 33-byte compressed point
P384_PUB = bytes([0x81, 0x24])  # p384-pub, 0x1201: a 49-byte compressed point
P256_PRIV = bytes([0x86, 0x26])  # p256-priv, 0x1306: the 32-byte secret scalar
P384_PRIV = bytes([0x87, 0x26])  # p384-priv, 0x1307: the 48-byte secret scalar


class MultibaseError(ValueError):
    """A value is not the multibase/multicodec encoding it claims to be."""


def encode_base58btc(data: bytes) -> str:
    """Multibase base58btc: ``z`` followed by the Bitcoin base58 alphabet."""
    return BASE58BTC + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: str) -> bytes:
    """Inverse of :func:`encode_base58btc`; any other multibase prefix is refused."""
    if not isinstance(value, str) or not value.startswith(BASE58BTC):
        raise MultibaseError("expected a base58btc multibase value starting with 'z'")
    try:
        return base58.b58decode(value[1:])
    except ValueError as error:
        raise MultibaseError(f"not base58btc: {error}") from error


def encode_multikey(codec: bytes, key: bytes) -> str:
    """``publicKeyMultibase``/``secretKeyMultibase`` form: base58btc(codec prefix + key)."""
    return encode_base58btc(codec + key)


def decode_multikey(value: str, codec: bytes, length: int) -> bytes:
    """The raw key from a multikey value, checked for codec and length."""
    data = decode_base58btc(value)
    if not data.startswith(codec) or len(data) != len(codec) + length:
        raise MultibaseError(f"{value!r} is not a {length}-byte key with multicodec "
                             f"prefix 0x{codec.hex()}")
    return data[len(codec):]
