"""Credentials as people hand them over: JSON, a VC-JWT, or a baked PNG/SVG badge."""

from __future__ import annotations

from typing import Any

from credentials.baking import PNG_SIGNATURE, BakingError, extract
from credentials.verify.limits import MAX_BYTES, LimitExceeded, check_credential, parse_json


def read_credential(data: bytes) -> Any:
    """The credential in ``data``; ValueError (BakingError, LimitExceeded) when there is none
    or it is over a cap of :mod:`credentials.verify.limits` (the same caps as the API's)."""
    if len(data) > MAX_BYTES:
        raise LimitExceeded("max_bytes", MAX_BYTES, "", f"the credential is {len(data)} bytes, "
                            f"more than the {MAX_BYTES} allowed", status=413)
    stripped = data.strip()
    if stripped.startswith(PNG_SIGNATURE) or stripped[:200].lstrip().startswith(b"<"):
        credential = extract(stripped)
        check_credential(credential)
        return credential
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("this is not a credential: neither text (UTF-8) nor a PNG or SVG "
                         "badge") from None
    if text.startswith("{"):
        credential = parse_json(text)
        check_credential(credential)
        return credential
    if text.count(".") == 2 and " " not in text:
        return text
    raise ValueError("this is not a credential: expected its JSON, a VC-JWT, or a baked PNG "
                     "or SVG badge")


__all__ = ["BakingError", "LimitExceeded", "read_credential"]
