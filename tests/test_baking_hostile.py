"""A PNG whose openbadgecredential iTXt chunk is cut short, claims an unknown compression,
holds data that is not zlib, or text that is not UTF-8 is refused as a bad image (a
BakingError, which the API and the page answer 400), never an uncaught error."""

from __future__ import annotations

import zlib

import pytest

from credentials.baking import KEYWORD, PNG_SIGNATURE, BakingError, _chunk, extract

PREFIX = KEYWORD + b"\x00"

HOSTILE = {
    "only the keyword": PREFIX,
    "one byte after the keyword": PREFIX + b"\x01",
    "no language tag end": PREFIX + b"\x00\x00en",
    "no translated keyword end": PREFIX + b"\x00\x00en\x00",
    "unknown compression flag": PREFIX + b"\x02\x00\x00\x00{}",
    "unknown compression method": PREFIX + b"\x01\x07\x00\x00" + zlib.compress(b"{}"),
    "corrupt zlib": PREFIX + b"\x01\x00\x00\x00not zlib",
    "truncated zlib": PREFIX + b"\x01\x00\x00\x00" + zlib.compress(b'{"a": 1}')[:5],
    "invalid UTF-8": PREFIX + b"\x00\x00\x00\x00" + b'{"a": "\xff"}',
    "invalid compressed UTF-8": PREFIX + b"\x01\x00\x00\x00" + zlib.compress(b'"\xc3('),
}


def png_with_itxt(data: bytes) -> bytes:
    return PNG_SIGNATURE + _chunk(b"iTXt", data) + _chunk(b"IEND", b"")


@pytest.mark.parametrize("data", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_malformed_itxt_chunk_is_a_baking_error(data: bytes) -> None:
    with pytest.raises(BakingError):
        extract(png_with_itxt(data))


def test_well_formed_chunks_still_read_compressed_or_not() -> None:
    assert extract(png_with_itxt(PREFIX + b"\x00\x00en\x00k\x00" + b'{"a": 1}')) == {"a": 1}
    assert extract(png_with_itxt(PREFIX + b"\x01\x00\x00\x00" + zlib.compress(b'{"a": 1}'))
                   ) == {"a": 1}
