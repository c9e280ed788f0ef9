"""The two key interfaces the credential library uses: one that signs, one that verifies.

A bad signature is an exception, not a return value (pyca/cryptography's way): a caller
that forgets to look at a result cannot take a forgery for a valid signature.
"""

from __future__ import annotations

from typing import Protocol

from cryptography.exceptions import InvalidSignature

__all__ = ["InvalidSignature", "Signer", "Verifier", "signed_bytes"]


class Signer(Protocol):
    """Signs bytes with a private key the caller never sees.

    ``id`` is the verification method URL a proof names; ``algorithm`` the JOSE name
    (``EdDSA`` for Ed25519) so proof suites can check they were given the right kind of key.
    """

    id: str
    algorithm: str

    def sign(self, data: bytes) -> bytes: ...


class Verifier(Protocol):
    """Checks a signature against one public key."""

    id: str
    algorithm: str

    def verify(self, signature: bytes, data: bytes) -> None:
        """Return if ``signature`` is this key's over ``data``; otherwise raise
        :class:`InvalidSignature` (for a malformed signature too, never another error)."""


def signed_bytes(signature: object, data: object) -> tuple[bytes, bytes]:
    """``signature`` and ``data`` as bytes, for a verifier to check; anything else (text,
    None, a number) is no signature, so :class:`InvalidSignature` rather than the TypeError
    a cryptography call would raise."""
    if not isinstance(signature, bytes | bytearray | memoryview) or \
            not isinstance(data, bytes | bytearray | memoryview):
        raise InvalidSignature("a signature and what it signs are bytes")
    return bytes(signature), bytes(data)
