"""The offline JSON-LD document loader: context URL -> bundled, sha256-pinned document.

It never touches the network. A URL that is not in ``MANIFEST`` (or in the ``extra`` mapping a
caller passes in) raises :class:`DocumentNotAllowed`, so a credential cannot make the verifier
fetch anything, and a context cannot change under a signature that was made against it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "MANIFEST"
DOCUMENTS = HERE / "documents"
T = TypeVar("T")


class DocumentNotAllowed(LookupError):
    """A document was requested that the loader does not serve."""

    def __init__(self, url: str) -> None:
        super().__init__(f"JSON-LD document {url!r} is not one of the bundled contexts; "
                         "the loader never fetches from the network")
        self.url = url


class DocumentIntegrityError(RuntimeError):
    """A bundled document does not match the sha256 that MANIFEST pins for it."""


@dataclass(frozen=True)
class ManifestEntry:
    """One line of ``contexts/MANIFEST``."""

    url: str
    file: str
    source: str
    upstream_sha256: str
    sha256: str


@cache
def manifest() -> dict[str, ManifestEntry]:
    """The bundled contexts by URL, read once per process."""
    entries = {}
    for line in MANIFEST.read_text().splitlines():
        if line and not line.startswith("#"):
            entry = ManifestEntry(*line.split("\t"))
            entries[entry.url] = entry
    return entries


@cache
def bundled_document(url: str) -> Mapping[str, Any]:
    """The parsed document for a bundled URL, checked against its pinned digest."""
    entry = manifest().get(url)
    if entry is None:
        raise DocumentNotAllowed(url)
    raw = (DOCUMENTS / entry.file).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry.sha256:
        raise DocumentIntegrityError(f"{entry.file} does not match its sha256 in MANIFEST")
    return json.loads(raw)


class StaticDocumentLoader:
    """A pyld document loader over the bundled contexts, plus any documents a caller adds.

    ``extra`` lets a verifier that knows more contexts (a test with the W3C example context,
    say) serve them too, without ever enabling network access.
    """

    def __init__(self, extra: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.extra = dict(extra or {})
        self._local = threading.local()

    @property
    def resolved_contexts(self) -> LRUCache:
        """Processed contexts, kept per loader (one loader's ``extra`` never answers for
        another) and per thread (pyld's caches are not safe to share between threads)."""
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = self._local.cache = LRUCache(maxsize=256)
        return cache

    def per_thread(self, name: str, factory: Callable[[], T]) -> T:
        """This thread's ``name`` object for this loader, made by ``factory`` on first use
        (memos built from this loader's documents, say)."""
        state = getattr(self._local, name, None)
        if state is None:
            state = factory()
            setattr(self._local, name, state)
        return state

    def document(self, url: str) -> Mapping[str, Any]:
        """The document for ``url``, or :class:`DocumentNotAllowed`."""
        if url in self.extra:
            return self.extra[url]
        return bundled_document(url)

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": self.document(url),
            "tag": "static",
        }

    def jsonld_options(self) -> dict[str, Any]:
        """pyld options that route every context lookup through this loader and its cache.

        ``base`` is None so relative IRIs stay relative (pyld otherwise resolves them against
        ``http://example.org/base/``) and safe-mode checks can see and refuse them.
        """
        return {
            "base": None,
            "documentLoader": self,
            "contextResolver": ContextResolver(self.resolved_contexts, self),
        }


DEFAULT_LOADER = StaticDocumentLoader()
