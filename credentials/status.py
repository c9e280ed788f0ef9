"""Bitstring Status List v1.0: the bitstring, its encoding, entries and list credentials.

A list is a bitstring, index 0 the most significant bit of the first byte; ``encodedList`` is
the multibase base64url (``u`` prefix, no padding) of its GZIP compression. StatusList2021
lists (the community draft before it) use the same bits, base64url without the prefix.
"""

from __future__ import annotations

import gzip
import io
from typing import Any

from credentials.build import VC_V2
from keys import base64url

MIN_ENTRIES = 131_072  # 16 KiB: the specification's minimum, for group privacy
BITSTRING_LIST_TYPE = "BitstringStatusListCredential"
STATUS_PURPOSES = ("revocation", "suspension")


class StatusListError(ValueError):
    """An encoded list or an entry is malformed."""


class Bitstring:
    """A mutable bitstring, MSB first."""

    def __init__(self, length: int = MIN_ENTRIES, data: bytes | None = None) -> None:
        if data is None:
            if length % 8:
                raise StatusListError("a status list length must be a multiple of 8")
            data = bytes(length // 8)
        self._bytes = bytearray(data)

    def __len__(self) -> int:
        return len(self._bytes) * 8

    def get(self, index: int) -> bool:
        if not 0 <= index < len(self):
            raise StatusListError(f"index {index} is outside a list of {len(self)} entries")
        return bool(self._bytes[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool = True) -> None:
        if not 0 <= index < len(self):
            raise StatusListError(f"index {index} is outside a list of {len(self)} entries")
        mask = 0x80 >> (index % 8)
        if value:
            self._bytes[index // 8] |= mask
        else:
            self._bytes[index // 8] &= ~mask & 0xFF

    def set_indexes(self) -> list[int]:
        """The indexes whose bit is set (skipping zero bytes, so cheap on sparse lists)."""
        return [byte * 8 + bit for byte, value in enumerate(self._bytes) if value
                for bit in range(8) if value & (0x80 >> bit)]

    def encode(self) -> str:
        """``encodedList``: ``u`` + base64url(gzip(bits)), no padding."""
        compressed = gzip.compress(bytes(self._bytes), mtime=0)
        return "u" + base64url.encode(compressed)

    @classmethod
    def decode(cls, encoded: str, multibase: bool = True,
               max_bytes: int = 16 * 1024 * 1024) -> Bitstring:
        """From ``encodedList``; ``multibase=False`` for StatusList2021's prefix-less form.

        Decompression is capped, so a small hostile list cannot expand without bound.
        """
        if not isinstance(encoded, str):
            raise StatusListError("encodedList must be a string")
        if multibase:
            if not encoded.startswith("u"):
                raise StatusListError("encodedList must be multibase base64url ('u' prefix)")
            encoded = encoded[1:]
        try:
            compressed = base64url.decode(encoded.replace("+", "-").replace("/", "_"),
                                          strict=True)
            with gzip.GzipFile(fileobj=io.BytesIO(compressed)) as stream:
                data = stream.read(max_bytes + 1)
        except (ValueError, OSError, EOFError) as error:
            raise StatusListError(f"encodedList is not base64url GZIP data: {error}") from None
        if len(data) > max_bytes:
            raise StatusListError("encodedList expands past the size limit")
        if not data:
            raise StatusListError("encodedList holds an empty list")
        return cls(data=data)


def status_entry(list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` pointing at one bit of a list credential."""
    return {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
            "statusPurpose": purpose, "statusListIndex": str(index),
            "statusListCredential": list_url}


def status_list_credential(list_url: str, issuer: Any, purpose: str, bits: Bitstring | str,
                           valid_from: str, valid_until: str, ttl_ms: int) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` (VC 2.0); ``bits`` may be given already
    encoded (an ``encodedList``)."""
    return {
        "@context": [VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", BITSTRING_LIST_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
        "validUntil": valid_until,
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": bits if isinstance(bits, str) else bits.encode(),
            "ttl": ttl_ms,
        },
    }
