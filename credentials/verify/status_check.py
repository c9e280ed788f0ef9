"""The ``status`` check: is the credential revoked or suspended by its issuer?

Reads BitstringStatusListEntry (and StatusList2021Entry) lists, whose list credentials must
verify and come from the credential's own issuer, and 1EdTechRevocationList documents. Lists
come from a :class:`StatusListSource`: the service answers for its own lists from the store;
anything else is fetched over HTTPS through the SSRF-safe fetcher and cached for its ``ttl``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple, Protocol

from cachetools import TLRUCache

from credentials.dates import parse_datetime
from credentials.fetch import FetchError, SafeFetcher
from credentials.status import MIN_ENTRIES, Bitstring, StatusListError
from credentials.vcdm import issuer_id_of
from credentials.verify.report import Check, Outcome


class StatusUnavailable(Exception):
    """A status list could not be obtained; the credential's status is unknown."""


class StatusListSource(Protocol):
    def handles(self, url: str) -> bool: ...

    def get(self, url: str) -> Mapping[str, Any]: ...


class _Kept(NamedTuple):
    """A verified list in the cache, with what the cache's bounds weigh it by."""

    document: Mapping[str, Any]
    size: int  # bytes of its JSON
    lifetime: float  # seconds it may be served from the cache


@dataclass
class HttpStatusListSource:
    """Fetches lists over HTTPS (safe fetcher) and keeps those that verified until their ttl
    (at most ``max_ttl_seconds``) or validUntil.

    The cache (cachetools' TLRUCache: a lifetime per list) is bounded: ``max_bytes`` of list
    bodies, and at most ``max_entries`` lists; the least recently used go first. It holds only
    lists :meth:`keep` was told verified, so hostile URLs cost a fetch each and no memory.
    Shared by the threads of a process, hence the lock (cachetools' caches have none).
    """

    fetcher: SafeFetcher = field(default_factory=SafeFetcher)
    default_ttl_seconds: float = 300.0
    max_ttl_seconds: float = 3600.0
    max_entries: int = 256
    max_bytes: int = 32 * 1024 * 1024
    clock: Callable[[], float] = time.monotonic  # the cache's; tests pass their own
    _cache: TLRUCache[str, _Kept] = field(init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._cache = TLRUCache(maxsize=self.max_bytes,
                                ttu=lambda _url, kept, now: now + kept.lifetime,
                                timer=self.clock, getsizeof=lambda kept: kept.size)

    def handles(self, url: str) -> bool:
        return url.startswith(("https://", "http://"))

    def _lifetime(self, document: Mapping[str, Any]) -> float:
        seconds = self.default_ttl_seconds
        subject = document.get("credentialSubject")
        ttl = subject.get("ttl") if isinstance(subject, Mapping) else None
        if isinstance(ttl, int | float) and not isinstance(ttl, bool):
            seconds = max(0.0, ttl / 1000)
        seconds = min(seconds, self.max_ttl_seconds)
        valid_until = parse_datetime(document.get("validUntil"))
        if valid_until:
            seconds = min(seconds, (valid_until - datetime.now(UTC)).total_seconds())
        return max(0.0, seconds)

    def get(self, url: str) -> Mapping[str, Any]:
        with self._lock:
            kept = self._cache.get(url)
        if kept is not None:
            return kept.document
        try:
            document = self.fetcher.get_json(url)
        except FetchError as error:
            raise StatusUnavailable(str(error)) from None
        if not isinstance(document, Mapping):
            raise StatusUnavailable(f"{url!r} is not a JSON object")
        return document

    def keep(self, url: str, document: Mapping[str, Any]) -> None:
        """Cache ``document`` (fetched by :meth:`get`, and verified) for its lifetime."""
        kept = _Kept(document, len(json.dumps(document)), self._lifetime(document))
        if kept.lifetime <= 0 or kept.size > self.max_bytes:
            return  # the cache would refuse it (ValueError) or drop it at once
        with self._lock:
            self._cache[url] = kept  # evicts by bytes
            while len(self._cache) > self.max_entries:
                self._cache.popitem()

    def cached(self) -> tuple[int, int]:
        """(lists, bytes) held now."""
        with self._lock:
            return len(self._cache), int(self._cache.currsize)


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

    def keep(self, url: str, document: Mapping[str, Any]) -> None:
        source = next((s for s in self.sources if s.handles(url)), None)
        if source is not None and hasattr(source, "keep"):
            source.keep(url, document)

    def vouches(self, url: str) -> bool:
        source = next((s for s in self.sources if s.handles(url)), None)
        return source is not None and vouches(source, url)


def vouches(source: StatusListSource, url: str) -> bool:
    """Whether ``source`` answers for ``url`` from the verifier's own records (a service's
    own store), so the list needs no proof: a source says so with a ``vouches`` method."""
    says = getattr(source, "vouches", None)
    return bool(says is not None and says(url))


# Verifies a status list credential (proof, dates) and says whether it verified, and why not.
ListVerifier = Callable[[Mapping[str, Any]], tuple[bool, str]]


class ListsOfOneVerification:
    """The status lists one verification reads: each fetched and verified once, however many
    entries (of the credential and of the credentials inside it) point at it. A list that
    verified is handed to the source's cache (``keep``), one that did not never is."""

    def __init__(self, source: StatusListSource, verify_list: ListVerifier) -> None:
        self.source, self._verify_list = source, verify_list
        self._documents: dict[str, Mapping[str, Any] | StatusUnavailable] = {}
        self._verdicts: dict[str, tuple[bool, str]] = {}

    def document(self, url: str) -> Mapping[str, Any]:
        if url not in self._documents:
            try:
                self._documents[url] = self.source.get(url)
            except StatusUnavailable as error:
                self._documents[url] = error
        found = self._documents[url]
        if isinstance(found, StatusUnavailable):
            raise found
        return found

    def verified(self, url: str) -> tuple[bool, str]:
        if url not in self._verdicts:
            document = self.document(url)
            if vouches(self.source, url):
                self._verdicts[url] = (True, "")
                return self._verdicts[url]
            self._verdicts[url] = self._verify_list(document)
            keep = getattr(self.source, "keep", None)
            if self._verdicts[url][0] and keep is not None:
                keep(url, document)
        return self._verdicts[url]


def _bitstring_status(entry: Mapping[str, Any], credential: Mapping[str, Any],
                      lists: ListsOfOneVerification, legacy: bool) -> tuple[str, str]:
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
    document = lists.document(url)
    list_type = "StatusList2021Credential" if legacy else "BitstringStatusListCredential"
    types = document.get("type", [])
    if list_type not in (types if isinstance(types, list) else [types]):
        return "invalid", f"{url} is not a {list_type}"
    ok, why = lists.verified(url)
    if not ok:
        return "invalid", f"the status list {url} does not verify: {why}"
    if issuer_id_of(document) != issuer_id_of(credential):
        return "invalid", f"the status list {url} was issued by {issuer_id_of(document)!r}, " \
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
                            lists: ListsOfOneVerification) -> tuple[str, str]:
    url = entry.get("id")
    if not isinstance(url, str):
        return "invalid", "the 1EdTechRevocationList entry has no id URL"
    document = lists.document(url)
    revoked = document.get("revokedCredentials", [])
    for item in revoked if isinstance(revoked, list) else []:
        if isinstance(item, Mapping) and item.get("id") == credential.get("id"):
            reason = item.get("revocationReason")
            return "revoked", f"listed as revoked by {url}" + (f": {reason}" if reason else "")
    return "valid", f"not listed in {url}"


def _entry_status(entry: Any, credential: Mapping[str, Any],
                  lists: ListsOfOneVerification) -> dict[str, Any]:
    kind = entry.get("type") if isinstance(entry, Mapping) else None
    try:
        if kind == "BitstringStatusListEntry":
            status, message = _bitstring_status(entry, credential, lists, False)
        elif kind == "StatusList2021Entry":
            status, message = _bitstring_status(entry, credential, lists, True)
        elif kind == "1EdTechRevocationList":
            status, message = _revocation_list_status(entry, credential, lists)
        else:
            status, message = "unsupported", f"status type {kind!r} is not supported"
    except StatusUnavailable as error:
        status, message = "unknown", f"list unreachable: {error}"
    return {"type": kind, "purpose": entry.get("statusPurpose") if kind else None,
            "status": status, "message": message}


def check_status(credential: Mapping[str, Any], source: StatusListSource,
                 verify_list: ListVerifier,
                 lists: ListsOfOneVerification | None = None) -> Check:
    """``lists`` shares fetched and verified lists across the checks of one verification."""
    status = credential.get("credentialStatus")
    if not status:
        return Check("status", Outcome.SKIPPED, "the credential has no credentialStatus")
    lists = lists or ListsOfOneVerification(source, verify_list)
    entries = [_entry_status(entry, credential, lists)
               for entry in (status if isinstance(status, list) else [status])]
    detail = {"entries": entries}
    by_status = {e["status"]: e for e in reversed(entries)}
    for bad in ("revoked", "suspended", "invalid"):
        if bad in by_status:
            return Check("status", Outcome.FAILURE, f"{bad}: {by_status[bad]['message']}"
                         if bad != "invalid" else by_status[bad]["message"], detail)
    # A status that cannot be learned is not a status that is fine: Bitstring Status List
    # 3.2 raises STATUS_RETRIEVAL_ERROR when the list cannot be dereferenced, and a
    # verifier that cannot read an entry's type cannot say the credential is not revoked.
    for uncertain in ("unknown", "unsupported"):
        if uncertain in by_status:
            return Check("status", Outcome.FAILURE, "its status could not be checked ("
                         f"{by_status[uncertain]['message']})",
                         {**detail, "unchecked": True})
    return Check("status", Outcome.SUCCESS, "not revoked or suspended", detail)
