"""Credentials as people hand them over: JSON, a VC-JWT, or a baked PNG/SVG badge."""

from __future__ import annotations

import json
from typing import Any

from credentials.baking import PNG_SIGNATURE, BakingError, extract


def read_credential(data: bytes) -> Any:
    """The credential in ``data``; ValueError (or BakingError) when there is none."""
    stripped = data.strip()
    if stripped.startswith(PNG_SIGNATURE) or stripped[:200].lstrip().startswith(b"<"):
        return extract(stripped)
    try:
        text = stripped.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text, nor a PNG or SVG badge") from None
    if text.startswith("{"):
        return json.loads(text)
    if text.count(".") == 2 and " " not in text:
        return text
    raise ValueError("expected JSON, a VC-JWT, or a baked PNG/SVG")


__all__ = ["BakingError", "read_credential"]
