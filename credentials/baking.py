"""Baked badges (Open Badges 3.0 section 5.3): a credential carried inside its image.

PNG: one ``iTXt`` chunk with keyword ``openbadgecredential`` holding the credential JSON or
its VC-JWT. SVG: an ``<openbadges:credential>`` element (namespace
``https://purl.imsglobal.org/ob/v3p0``) holding the JSON in CDATA, or the JWT in ``verify``.
"""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import Iterator
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from credentials.verify.limits import MAX_BYTES, LimitExceeded, parse_json

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"


class BakingError(ValueError):
    """An image is not a PNG/SVG we can read, or holds no credential.

    The message says what was wrong for a developer; ``plain`` says it for a person holding
    the image."""

    plain = "this image cannot be read: it is damaged, or not a PNG or SVG image"


class NoBakedCredential(BakingError):
    """A readable image with no credential baked into it."""

    plain = "this image holds no credential"


def _text(credential: dict[str, Any] | str) -> str:
    return credential if isinstance(credential, str) else json.dumps(credential, indent=2,
                                                                       ensure_ascii=False)


def _chunks(png: bytes) -> Iterator[tuple[bytes, bytes]]:
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG file")
    position = len(PNG_SIGNATURE)
    while position + 8 <= len(png):
        (length,) = struct.unpack(">I", png[position:position + 4])
        kind = png[position + 4:position + 8]
        data = png[position + 8:position + 8 + length]
        if len(data) != length:
            raise BakingError("the PNG ends inside a chunk")
        yield kind, data
        position += 12 + length
        if kind == b"IEND":
            return
    raise BakingError("the PNG has no IEND chunk")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def bake_png(png: bytes, credential: dict[str, Any] | str) -> bytes:
    """``png`` with the credential in an uncompressed iTXt chunk (replacing any before)."""
    baked = b"".join(_chunk(kind, data) for kind, data in _chunks(png)
                     if kind != b"IEND" and not (kind == b"iTXt"
                                                 and data.startswith(KEYWORD + b"\x00")))
    itxt = KEYWORD + b"\x00" + b"\x00\x00" + b"\x00" + b"\x00" + _text(credential).encode()
    return PNG_SIGNATURE + baked + _chunk(b"iTXt", itxt) + _chunk(b"IEND", b"")


def _itxt_text(data: bytes) -> bytes:
    """The text of an openbadgecredential iTXt chunk (PNG 11.3.3.4): after the keyword, a
    compression flag (0 or 1), a method (0: zlib), a language tag and a translated keyword,
    each ended by a NUL; the text is zlib data when the flag is 1."""
    rest = data[len(KEYWORD) + 1:]
    if len(rest) < 2:
        raise BakingError("the openbadgecredential iTXt chunk ends before its compression "
                          "flag and method")
    compressed, method = rest[0], rest[1]
    if compressed not in (0, 1) or (compressed and method != 0):
        raise BakingError("the openbadgecredential iTXt chunk has an unknown compression "
                          f"flag {compressed} or method {method}")
    _language, found, rest = rest[2:].partition(b"\x00")
    _translated, found_too, text = rest.partition(b"\x00")
    if not (found and found_too):
        raise BakingError("the openbadgecredential iTXt chunk ends inside its language tag "
                          "or translated keyword")
    if not compressed:
        return text
    decompressor = zlib.decompressobj()
    try:
        text = decompressor.decompress(text, MAX_BYTES + 1)
    except zlib.error as error:
        raise BakingError(f"the compressed credential in the PNG is not zlib data: {error}"
                          ) from None
    if len(text) <= MAX_BYTES and not decompressor.eof:
        raise BakingError("the compressed credential in the PNG is cut short")
    return text


def extract_png(png: bytes) -> str:
    for kind, data in _chunks(png):
        if kind == b"iTXt" and data.startswith(KEYWORD + b"\x00"):
            text = _itxt_text(data)
            if len(text) > MAX_BYTES:
                raise LimitExceeded("max_bytes", MAX_BYTES, "", "the credential baked into "
                                    f"the PNG is more than the {MAX_BYTES} bytes allowed",
                                    status=413)
            try:
                return text.decode("utf-8")
            except UnicodeDecodeError as error:
                raise BakingError("the credential baked into the PNG is not UTF-8 text "
                                  f"(byte {error.start})") from None
    raise NoBakedCredential("the PNG holds no openbadgecredential iTXt chunk")


def bake_svg(svg: str, credential: dict[str, Any] | str) -> str:
    """``svg`` with an ``<openbadges:credential>`` element right inside its root."""
    start = svg.find("<svg")
    end = svg.find(">", start)
    if start < 0 or end < 0:
        raise BakingError("not an SVG document")
    root = svg[start:end]
    if "xmlns:openbadges" not in root:
        root += f' xmlns:openbadges="{OB_NAMESPACE}"'
    if isinstance(credential, str):
        element = f'<openbadges:credential verify="{credential}"></openbadges:credential>'
    else:
        body = _text(credential).replace("]]>", "]]]]><![CDATA[>")
        element = f"<openbadges:credential><![CDATA[{body}]]></openbadges:credential>"
    return svg[:start] + root + ">\n" + element + svg[end + 1:]


def extract_svg(svg: bytes | str) -> str:
    try:
        root = ElementTree.fromstring(svg, forbid_dtd=False, forbid_entities=True,
                                      forbid_external=True)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise BakingError(f"not a well-formed SVG: {error}") from None
    element = root.find(f"{{{OB_NAMESPACE}}}credential")
    if element is None:
        element = next(root.iter(f"{{{OB_NAMESPACE}}}credential"), None)
    if element is None:
        raise NoBakedCredential("the SVG holds no openbadges:credential element")
    if element.get("verify"):
        return element.get("verify").strip()
    return (element.text or "").strip()


def extract(data: bytes) -> dict[str, Any] | str:
    """The credential baked into a PNG or SVG: a JSON object (within the size and shape caps:
    LimitExceeded otherwise), or a VC-JWT string."""
    text = extract_png(data) if data.startswith(PNG_SIGNATURE) else extract_svg(data)
    text = text.strip()
    if text.startswith("{"):
        try:
            return parse_json(text, "the baked credential")
        except LimitExceeded:
            raise
        except ValueError as error:
            raise BakingError(f"the baked credential is not JSON: {error}") from None
    return text
