"""Reading public JWK members (RFC 7517/7518/8037) from documents anyone can publish.

A DID or controller document is the signer's word, so a JWK in it may lack a member, hold a
number where base64url text belongs, or be the wrong size. Every such key is refused here,
when it is built, as an :class:`UnusableKeyError` naming the member: nothing downstream (a
verifier, a proof suite) meets a key it cannot use.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from typing import Any

from keys import base64url


class UnusableKeyError(ValueError):
    """A public key given in a document is not one we can verify with; the message says
    which member is wrong and how."""


def kind_of(value: Any) -> str:
    """A JSON value's kind in words ("a number", "a list"), for messages about what was
    found where something else belongs."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object" if isinstance(value, Mapping) else type(value).__name__


def require_object(jwk: Any) -> Mapping[str, Any]:
    """``jwk`` if it is a JSON object, else :class:`UnusableKeyError`."""
    if not isinstance(jwk, Mapping):
        raise UnusableKeyError(f"the JWK is {kind_of(jwk)}, not an object")
    return jwk


def member_bytes(jwk: Mapping[str, Any], name: str, size: int | None = None,
                 what: str = "JWK") -> bytes:
    """The bytes of base64url member ``name``, exactly ``size`` long when given."""
    if name not in jwk:
        raise UnusableKeyError(f"the {what} has no {name!r} member")
    value = jwk[name]
    if not isinstance(value, str):
        raise UnusableKeyError(f"the {what}'s {name!r} is {kind_of(value)}, not base64url text")
    try:
        data = base64url.decode(value, strict=True)
    except (binascii.Error, ValueError):
        raise UnusableKeyError(f"the {what}'s {name!r} is not base64url") from None
    if size is not None and len(data) != size:
        raise UnusableKeyError(f"the {what}'s {name!r} holds {len(data)} bytes, not {size}")
    if not data:
        raise UnusableKeyError(f"the {what}'s {name!r} is empty")
    return data


def member_text(jwk: Mapping[str, Any], name: str, allowed: tuple[str, ...],
                what: str = "JWK") -> str:
    """Member ``name``, which must be one of ``allowed``."""
    value = jwk.get(name)
    if value not in allowed:
        shown = "missing" if name not in jwk else repr(value) if isinstance(value, str) \
            else kind_of(value)
        raise UnusableKeyError(f"the {what}'s {name!r} is {shown}; supported: "
                               f"{', '.join(allowed)}")
    return value
