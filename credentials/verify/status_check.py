"""The ``status`` check: is the credential revoked or suspended by its issuer?

Reads BitstringStatusListEntry (and StatusList2021Entry) lists, whose list credentials must
verify and come from the credential's own issuer, and 1EdTechRevocationList documents. Lists
come from a :class:`StatusListSource`: the service answers for its own lists from the store;
anything else is fetched over HTTPS through the SSRF-safe fetcher and cached for its ``ttl``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from credentials.dates import parse_datetime
from credentials.fetch import FetchError, SafeFetcher
from credentials.status import MIN_ENTRIES, Bitstring, StatusListError
from credentials.verify.report import Check, Outcome


class StatusUnavailable(Exception):
    """A status list could not be obtained; the credential's status is unknown."""


class StatusListSource(Protocol):
    def handles(self, url: str) -> bool: ...

    def get(self, url: str) -> Mapping[str, Any]: ...


@dataclass
class HttpStatusListSource:
    """Fetches lists over HTTPS (safe fetcher) and keeps each until its ttl or validUntil."""

    fetcher: SafeFetcher = field(default_factory=SafeFetcher)
    default_ttl_seconds: float = 300.0
    _cache: dict[str, tuple[float, Mapping[str, Any]]] = field(default_factory=dict)

    def handles(self, url: str) -> bool:
        return url.startswith(("https://", "http://"))

    def _lifetime(self, document: Mapping[str, Any]) -> float:
        seconds = self.default_ttl_seconds
        subject = document.get("credentialSubject")
        if isinstance(subject, Mapping) and isinstance(subject.get("ttl"), int | float):
            seconds = max(0.0, subject["ttl"] / 1000)
        valid_until = parse_datetime(document.get("validUntil"))
        if valid_until:
            seconds = min(seconds, (valid_until - datetime.now(UTC)).total_seconds())
        return max(0.0, seconds)

    def get(self, url: str) -> Mapping[str, Any]:
        cached = self._cache.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        try:
            document = self.fetcher.get_json(url)
        except FetchError as error:
            raise StatusUnavailable(str(error)) from None
        if not isinstance(document, Mapping):
            raise StatusUnavailable(f"{url!r} is not a JSON object")
        self._cache[url] = (time.monotonic() + self._lifetime(document), document)
        return document


@dataclass
class ChainStatusSource:
    sources: Sequence[StatusListSource]

    def handles(self, url: str) -> bool:
        return any(source.handles(url) for source in self.sources)

    def get(self, url: str) -> Mapping[str, Any]:
        for source in self.sources:
            if source.handles(url):
                return source.get(url)
        raise StatusUnavailable(f"no way to fetch {url!r}")


# Verifies a status list credential (proof, dates) and says whether it verified, and why not.
ListVerifier = Callable[[Mapping[str, Any]], tuple[bool, str]]


def _issuer_id(document: Mapping[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _bitstring_status(entry: Mapping[str, Any], credential: Mapping[str, Any],
                      source: StatusListSource, verify_list: ListVerifier,
                      legacy: bool) -> tuple[str, str]:
    purpose = entry.get("statusPurpose")
    url = entry.get("statusListCredential")
    try:
        index = int(entry.get("statusListIndex"))
    except (TypeError, ValueError):
        return "invalid", f"statusListIndex {entry.get('statusListIndex')!r} is not a number"
    if not isinstance(url, str):
        return "invalid", "the entry has no statusListCredential URL"
    if purpose not in ("revocation", "suspension"):
        return "valid", f"status purpose {purpose!r} does not affect validity"
    document = source.get(url)
    list_type = "StatusList2021Credential" if legacy else "BitstringStatusListCredential"
    types = document.get("type", [])
    if list_type not in (types if isinstance(types, list) else [types]):
        return "invalid", f"{url} is not a {list_type}"
    ok, why = verify_list(document)
    if not ok:
        return "invalid", f"the status list {url} does not verify: {why}"
    if _issuer_id(document) != _issuer_id(credential):
        return "invalid", f"the status list {url} was issued by {_issuer_id(document)!r}, " \
                          f"not the credential's issuer"
    subject = document.get("credentialSubject", {})
    purposes = subject.get("statusPurpose")
    if purpose not in (purposes if isinstance(purposes, list) else [purposes]):
        return "invalid", f"the status list {url} is not for {purpose}"
    try:
        bits = Bitstring.decode(subject.get("encodedList"), multibase=not legacy)
    except StatusListError as error:
        return "invalid", f"the status list {url}: {error}"
    if not legacy and len(bits) < MIN_ENTRIES:
        return "invalid", f"the status list {url} has fewer than {MIN_ENTRIES} entries"
    if not 0 <= index < len(bits):
        return "invalid", f"statusListIndex {index} is outside the list"
    if bits.get(index):
        return ("revoked" if purpose == "revocation" else "suspended"), \
            f"{purpose} bit {index} of {url} is set"
    return "valid", f"{purpose} bit {index} of {url} is not set"


def _revocation_list_status(entry: Mapping[str, Any], credential: Mapping[str, Any],
                            source: StatusListSource) -> tuple[str, str]:
    url = entry.get("id")
    if not isinstance(url, str):
        return "invalid", "the 1EdTechRevocationList entry has no id URL"
    document = source.get(url)
    revoked = document.get("revokedCredentials", [])
    for item in revoked if isinstance(revoked, list) else []:
        if isinstance(item, Mapping) and item.get("id") == credential.get("id"):
            reason = item.get("revocationReason")
            return "revoked", f"listed as revoked by {url}" + (f": {reason}" if reason else "")
    return "valid", f"not listed in {url}"


def _entry_status(entry: Any, credential: Mapping[str, Any], source: StatusListSource,
                  verify_list: ListVerifier) -> dict[str, Any]:
    kind = entry.get("type") if isinstance(entry, Mapping) else None
    try:
        if kind == "BitstringStatusListEntry":
            status, message = _bitstring_status(entry, credential, source, verify_list, False)
        elif kind == "StatusList2021Entry":
            status, message = _bitstring_status(entry, credential, source, verify_list, True)
        elif kind == "1EdTechRevocationList":
            status, message = _revocation_list_status(entry, credential, source)
        else:
            status, message = "unsupported", f"status type {kind!r} is not supported"
    except StatusUnavailable as error:
        status, message = "unknown", f"list unreachable: {error}"
    return {"type": kind, "purpose": entry.get("statusPurpose") if kind else None,
            "status": status, "message": message}


def check_status(credential: Mapping[str, Any], source: StatusListSource,
                 verify_list: ListVerifier) -> Check:
    status = credential.get("credentialStatus")
    if not status:
        return Check("status", Outcome.SKIPPED, "the credential has no credentialStatus")
    entries = [_entry_status(entry, credential, source, verify_list)
               for entry in (status if isinstance(status, list) else [status])]
    detail = {"entries": entries}
    by_status = {e["status"]: e for e in reversed(entries)}
    for bad in ("revoked", "suspended", "invalid"):
        if bad in by_status:
            return Check("status", Outcome.FAILURE, f"{bad}: {by_status[bad]['message']}"
                         if bad != "invalid" else by_status[bad]["message"], detail)
    for uncertain in ("unknown", "unsupported"):
        if uncertain in by_status:
            return Check("status", Outcome.WARNING,
                         f"status unknown ({by_status[uncertain]['message']})", detail)
    return Check("status", Outcome.SUCCESS, "not revoked or suspended", detail)
