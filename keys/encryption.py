"""Private keys at rest: AES-256-GCM under a key-encryption key (KEK) kept elsewhere.

The associated data binds each ciphertext to the key record it belongs to, so an encrypted
private key copied onto another record (another issuer's, say) does not decrypt.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from keys import base64url

NONCE_BYTES = 12
KEK_BYTES = 32
TAG_BYTES = 16
CANARY_PLAINTEXT = b"competency-credentials key-encryption-key canary"
CANARY_ASSOCIATED_DATA = b"kek-canary"


class KeyDecryptionError(Exception):
    """A stored private key could not be decrypted: wrong KEK, or the record was altered."""


class KeyEncryptionKey:
    """A 256-bit AES-GCM key that encrypts signing keys; its bytes never leave this object."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEK_BYTES:
            raise ValueError(f"a key-encryption key is {KEK_BYTES} bytes, not {len(key)}")
        self._aead = AESGCM(key)
        self._mac_key = hmac.new(key, b"message authentication", hashlib.sha256).digest()

    @classmethod
    def from_text(cls, text: str) -> KeyEncryptionKey:
        """From the base64url text form used in ``KEY_ENCRYPTION_KEY``."""
        try:
            raw = base64url.decode(text.strip())
        except ValueError as error:
            raise ValueError("KEY_ENCRYPTION_KEY is not base64url") from error
        return cls(raw)

    @staticmethod
    def generate_text() -> str:
        """A new random KEK in its text form."""
        return base64url.encode(os.urandom(KEK_BYTES))

    def encrypt(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def decrypt(self, blob: bytes, associated_data: bytes) -> bytes:
        if len(blob) < NONCE_BYTES + TAG_BYTES:
            raise KeyDecryptionError("a stored private key is truncated")
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated_data)
        except InvalidTag:
            raise KeyDecryptionError("a stored private key failed to decrypt: wrong "
                                     "KEY_ENCRYPTION_KEY, or the key record was altered") from None

    def mac(self, purpose: bytes, message: bytes) -> bytes:
        """An HMAC-SHA256 of ``message`` for ``purpose``, under a key derived from this KEK:
        what one host hands out (a token that needs no row), any host with the KEK checks."""
        return hmac.new(self._mac_key, purpose + b"\0" + message, hashlib.sha256).digest()

    def make_canary(self) -> bytes:
        """A known value encrypted under this KEK, stored so another host can tell whether
        its KEK is the same one (AES-GCM's tag fails under any other key)."""
        return self.encrypt(CANARY_PLAINTEXT, CANARY_ASSOCIATED_DATA)

    def opens_canary(self, blob: bytes) -> bool:
        """Whether ``blob`` (from ``make_canary``) was made under this KEK."""
        try:
            return self.decrypt(blob, CANARY_ASSOCIATED_DATA) == CANARY_PLAINTEXT
        except KeyDecryptionError:
            return False

    def __repr__(self) -> str:
        return "KeyEncryptionKey(<hidden>)"
