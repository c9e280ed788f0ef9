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
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class _Spelling:
    origin: str  # lower-case host[:port], default port dropped
    segments: tuple[str, ...]  # decoded path segments (a trailing "" for a trailing "/" or ":")
    extra: str  # "?query" and/or "#fragment", as written


def _origin(host: str, port: int | None, scheme: str) -> str:
    host = host.lower().rstrip(".")
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return host if port is None or port == DEFAULT_PORTS.get(scheme) else f"{host}:{port}"


def _split_extra(identifier: str) -> tuple[str, str]:
    """The identifier before its query or fragment, and that query or fragment."""
    cut = min((i for i in (identifier.find("?"), identifier.find("#")) if i >= 0),
              default=len(identifier))
    return identifier[:cut], identifier[cut:]


def _url(identifier: str) -> _Spelling | None:
    body, extra = _split_extra(identifier)
    try:
        parts = urlsplit(body)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    path = unquote(parts.path)
    segments = tuple(s for s in posixpath.normpath("/" + path).split("/") if s)
    if path.endswith("/") and segments:
        segments += ("",)
    return _Spelling(_origin(parts.hostname, port, scheme), segments, extra)


def _did_web(identifier: str) -> _Spelling | None:
    body, extra = _split_extra(identifier[len("did:web:"):])
    host, *path = body.split(":")
    try:
        spelled = urlsplit(f"https://{unquote(host)}")
        port = spelled.port
    except ValueError:
        return None
    if not spelled.hostname:
        return None
    return _Spelling(_origin(spelled.hostname, port, "https"),
                     tuple(unquote(segment) for segment in path), extra)


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
