"""Which of this service's issuers an identifier names, however it is spelled.

"Is this one of ours" must not hang on spelling: ``HTTP://Host:443/issuers/a``,
``https://host/issuers/a`` and ``did:web:HOST%3a443:issuers:a`` all name the same issuer to
a person (and, by RFC 3986 section 6.2.2 and the DID Web method, to a resolver), so a
credential naming any of them must be signed by that issuer's key. Identifiers are compared
in one form: host lower-cased, its default port dropped, percent-encodings decoded, dot
segments removed; the scheme (http or https) is not part of the comparison, so a credential
naming our host over the other scheme is ours too. Anything after the issuer's slug (a
trailing ``/`` or ``:``, a query, a fragment) keeps the identifier in our namespace but
names no issuer of ours.

A URL is read as browsers and WHATWG URL parsers read it, since that is where it leads:
backslashes are slashes, any number of slashes (even none) may follow ``http:``, and the host
is percent-decoded and mapped by UTS #46 (what IDNA does before a lookup: case, full-width
letters, ideographic full stops, ignored characters): ``http:%6Cocalhost\\issuers\\a``
names the same issuer as ``http://localhost/issuers/a``. A did:key names our issuer when it
names a key we hold, in any case of ``did:key:`` and with any fragment.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import idna

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class _Spelling:
    origin: str  # lower-case host[:port], default port dropped
    segments: tuple[str, ...]  # decoded path segments (a trailing "" for a trailing "/" or ":")
    extra: str  # "?query" and/or "#fragment", as written


# What WHATWG URL parsing strips from both ends of a URL, and removes from inside it.
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")


def _host(authority: str) -> str:
    """Host and port as a lookup would see them: percent-decoded, UTS #46-mapped (NFKC as a
    fallback where UTS #46 disallows a code point), lower case."""
    authority = unquote(authority)
    try:
        authority = idna.uts46_remap(authority, std3_rules=False, transitional=False)
    except idna.IDNAError:
        authority = unicodedata.normalize("NFKC", authority)
    return authority.lower()


def _origin(authority: str, scheme: str) -> str | None:
    """``host[:port]`` of a mapped authority, default port dropped (None: no host)."""
    try:
        parts = urlsplit(f"//{authority}")
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return None
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"


def _split_extra(identifier: str) -> tuple[str, str]:
    """The identifier before its query or fragment, and that query or fragment."""
    cut = min((i for i in (identifier.find("?"), identifier.find("#")) if i >= 0),
              default=len(identifier))
    return identifier[:cut], identifier[cut:]


def _url(identifier: str) -> _Spelling | None:
    """An http(s) URL read as WHATWG parsing reads it: stripped of C0 controls and spaces at
    its ends and of tabs and newlines inside, backslashes as slashes, any number of slashes
    after the scheme."""
    identifier = _TAB_OR_NEWLINE.sub("", identifier.strip(_C0_AND_SPACE))
    body, extra = _split_extra(identifier)
    scheme, colon, rest = body.partition(":")
    scheme = scheme.lower()
    if not colon or scheme not in DEFAULT_PORTS:
        return None
    authority, _, path = rest.replace("\\", "/").lstrip("/").partition("/")
    origin = _origin(_host(authority.rpartition("@")[2]), scheme)
    if origin is None:
        return None
    path = unquote(path)
    segments = tuple(s for s in posixpath.normpath("/" + path).split("/") if s)
    if path.endswith("/") and segments:
        segments += ("",)
    return _Spelling(origin, segments, extra)


def _did_web(identifier: str) -> _Spelling | None:
    body, extra = _split_extra(identifier[len("did:web:"):])
    host, *path = body.split(":")
    origin = _origin(_host(host), "https")
    if origin is None:
        return None
    return _Spelling(origin, tuple(unquote(segment) for segment in path), extra)


def did_key_multikey(identifier: str) -> str | None:
    """The Multikey a ``did:key`` identifier names, whatever the case of ``did:key:`` and
    whatever DID URL part follows (``did:key:<key>#<key>`` names the same key); else None."""
    if identifier[:8].lower() != "did:key:":
        return None
    return _split_extra(identifier[8:])[0] or None


def spelling(identifier: str) -> _Spelling | None:
    """The comparable form of an http(s) URL or a did:web (None for anything else)."""
    if identifier[:8].lower() == "did:web:":
        return _did_web(identifier)
    return _url(identifier)


@dataclass(frozen=True)
class IssuerNamespace:
    """Every identifier at this service's base URL or under its did:web, in any spelling.

    The whole namespace is governed (a credential naming ``<base>/`` or
    ``<base>/issuers/a/`` must fail without our key just as one naming ``<base>/issuers/a``
    does); only ``<base>/issuers/<slug>`` and its did:web, exactly, name an issuer.
    """

    base_url: str

    def governs(self, identifier: str) -> bool:
        return self._relative(identifier) is not None

    def slug(self, identifier: str) -> str | None:
        """The slug of the issuer the identifier names exactly ("issuers/<slug>"), or None."""
        relative = self._relative(identifier)
        if relative is None or relative.extra or len(relative.segments) != 2 or \
                relative.segments[0] != "issuers" or not relative.segments[1]:
            return None
        return relative.segments[1]

    def _relative(self, identifier: str) -> _Spelling | None:
        ours, theirs = spelling(self.base_url.rstrip("/")), spelling(identifier)
        if ours is None or theirs is None or theirs.origin != ours.origin:
            return None
        depth = len(ours.segments)
        if theirs.segments[:depth] != ours.segments:
            return None
        return _Spelling(theirs.origin, theirs.segments[depth:], theirs.extra)
