"""base64url without padding (RFC 4648 section 5), the form JOSE (RFC 7515 section 2),
Multibase's ``u`` prefix, our cursors and the key-encryption key's text all use."""

from __future__ import annotations

import base64


def encode(data: bytes) -> str:
    """base64url of ``data`` with the ``=`` padding left off."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def decode(text: str, *, strict: bool = False) -> bytes:
    """The bytes of base64url ``text``, padded or not.

    A malformed value raises ``binascii.Error`` (a ValueError). Characters outside the
    alphabet are skipped, as :func:`base64.urlsafe_b64decode` does, unless ``strict``.
    """
    padded = text + "=" * (-len(text) % 4)
    if strict:
        return base64.b64decode(padded, altchars=b"-_", validate=True)
    return base64.urlsafe_b64decode(padded)
