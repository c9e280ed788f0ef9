"""Private keys as a key store keeps them: sealed under the key-encryption key, opened only
into Signer objects, so raw private key bytes never leave this package.

The associated data is the caller's: it names the record a sealed key belongs to, so a key
copied onto another record does not open (see :mod:`keys.encryption`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.ed25519 import Ed25519Signer
from keys.encryption import KeyEncryptionKey
from keys.jose import JoseSigner


def seal_private_key(signer: Ed25519Signer | JoseSigner, kek: KeyEncryptionKey,
                     associated_data: bytes) -> bytes:
    """The signer's private key encrypted under ``kek`` (raw seed for Ed25519, PKCS#8 DER
    for the others), bound to ``associated_data``."""
    return kek.encrypt(signer.private_bytes(), associated_data)


@lru_cache(maxsize=256)
def _private_key(key_type: str, blob: bytes, associated_data: bytes,
                 kek: KeyEncryptionKey) -> Any:
    """Decrypted once per process and key: signing a batch re-opens the same key often."""
    plaintext = kek.decrypt(blob, associated_data)
    if key_type == "Ed25519":
        return Ed25519PrivateKey.from_private_bytes(plaintext)
    return JoseSigner.from_private_bytes(plaintext).private_key


def open_signer(key_type: str, blob: bytes, kek: KeyEncryptionKey, associated_data: bytes,
                method_id: str, controller: str) -> Ed25519Signer | JoseSigner:
    """A Signer for a sealed key of ``key_type`` (Ed25519, P-256 or RSA-2048) under the
    verification method ``method_id``; :class:`~keys.encryption.KeyDecryptionError` when
    ``kek`` or ``associated_data`` is not the one it was sealed with."""
    private = _private_key(key_type, blob, associated_data, kek)
    if key_type == "Ed25519":
        return Ed25519Signer(private, method_id, controller)
    return JoseSigner(private, method_id, controller)
