"""The two key interfaces the credential library uses: one that signs, one that verifies."""

from __future__ import annotations

from typing import Protocol


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

    def verify(self, signature: bytes, data: bytes) -> bool: ...
