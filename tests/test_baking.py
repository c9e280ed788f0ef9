"""Baking credentials into PNG and SVG badges, and reading them back."""

from __future__ import annotations

import struct
import zlib

import pytest

from credentials.baking import (
    BakingError,
    bake_png,
    bake_svg,
    extract,
    extract_png,
)
from credentials.proofs.jwt import sign_jwt
from credentials.verify import verify_credential
from tests.factories import did_key_signer, signed_credential, unsigned_credential

SVG = ('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
       '<circle r="4" cx="5" cy="5"/></svg>')


def tiny_png() -> bytes:
    """A 1x1 PNG made here (no image library needed)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def test_png_round_trip_with_json_and_jwt(crosswalk) -> None:
    credential = signed_credential(crosswalk)
    baked = bake_png(tiny_png(), credential)
    assert extract(baked) == credential
    assert verify_credential(extract(baked)).verified
    token = sign_jwt(unsigned_credential(crosswalk), did_key_signer())
    rebaked = bake_png(baked, token)
    assert extract(rebaked) == token
    assert rebaked.count(b"openbadgecredential") == 1  # baking again replaces, not appends
    assert verify_credential(extract(rebaked)).verified


def test_svg_round_trip_with_json_and_jwt(crosswalk) -> None:
    credential = signed_credential(crosswalk)
    baked = bake_svg(SVG, credential)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert extract(baked.encode()) == credential
    token = sign_jwt(unsigned_credential(crosswalk), did_key_signer())
    assert extract(bake_svg(SVG, token).encode()) == token


def test_unbaked_and_hostile_images_are_refused() -> None:
    with pytest.raises(BakingError, match="no openbadgecredential"):
        extract_png(tiny_png())
    with pytest.raises(BakingError, match="no openbadges:credential"):
        extract(SVG.encode())
    bomb = ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><svg xmlns="http://www.w3.org/2000/svg">'
            '&b;</svg>')
    with pytest.raises(BakingError):
        extract(bomb.encode())
    with pytest.raises(BakingError, match="not a well-formed"):
        extract(b"<svg")
