"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, in "safe mode".

pyld's ``URDNA2015`` is the algorithm RDFC-1.0 standardised. Before canonicalizing we refuse
any document whose JSON-LD would silently lose data on the way to RDF: a property its contexts
do not define, or a type or identifier that is not an absolute IRI. Lost data is data the
signature does not cover, so such a document can be altered without breaking its proof.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pyld import jsonld

from contexts import DEFAULT_LOADER, DocumentNotAllowed, StaticDocumentLoader
from credentials.jsonld_quads import ContextMemo, Unsupported, is_absolute_iri, to_quads
from credentials.rdfc import CanonicalizationTooComplex, canonical_nquads

# CREDENTIALS_CANONICALIZER=pyld turns the direct walker off (a kill switch, and the baseline
# the HTTP benchmark measures against).
FAST_PATH = os.environ.get("CREDENTIALS_CANONICALIZER", "fast") != "pyld"


class CanonicalizationError(ValueError):
    """The document cannot be canonicalized safely; ``path`` says where, when known."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(message)
        self.path = path


def _check_expanded(node: Any, path: str) -> None:
    """Walk expanded JSON-LD; raise on any IRI that toRdf would drop for being relative."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            _check_expanded(item, f"{path}/{i}")
        return
    if not isinstance(node, dict):
        return
    node_id = node.get("@id")
    if isinstance(node_id, str) and not (node_id.startswith("_:") or is_absolute_iri(node_id)):
        raise CanonicalizationError(f"identifier {node_id!r} is not an absolute IRI", path)
    types = node.get("@type", [])
    for type_ in types if isinstance(types, list) else [types]:
        if "@value" in node and type_ == "@json":
            continue
        if isinstance(type_, str) and not (type_.startswith("_:") or is_absolute_iri(type_)):
            raise CanonicalizationError(
                f"type {type_!r} is not defined by the document's contexts", path)
    if "@value" in node:
        return
    for key, value in node.items():
        if key not in ("@id", "@type"):
            _check_expanded(value, f"{path}/{key}")


class _SafeProcessor(jsonld.JsonLdProcessor):
    """A pyld processor whose expansion refuses what toRdf would silently drop.

    ``normalize`` expands through ``self.expand``, so the check costs no second expansion.
    """

    def __init__(self) -> None:
        self.dropped: list[str | None] = []
        super().__init__(on_property_dropped=self.dropped.append)

    def expand(self, input_: Any, options: Any) -> list[Any]:
        expanded = super().expand(input_, options)
        if self.dropped:
            names = ", ".join(sorted({repr(term) for term in self.dropped}))
            raise CanonicalizationError(
                f"the document uses terms its @context does not define: {names}")
        _check_expanded(expanded, "")
        return expanded


def expand_safely(document: Mapping[str, Any], loader: StaticDocumentLoader = DEFAULT_LOADER
                  ) -> list[Any]:
    """JSON-LD expansion that raises instead of dropping undefined terms."""
    try:
        return _SafeProcessor().expand(dict(document), loader.jsonld_options())
    except (jsonld.JsonLdError, ValueError, TypeError, KeyError) as error:
        raise _explain(error) from error


def canonicalize(document: Mapping[str, Any], loader: StaticDocumentLoader = DEFAULT_LOADER
                 ) -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, refusing unsafe documents.

    The direct walker handles the shapes credentials take; whatever it leaves (and every
    document safe mode refuses) goes through pyld, so the answer is pyld's either way.
    """
    if not FAST_PATH:
        return canonicalize_with_pyld(document, loader)
    memo = loader.per_thread("quad_memo", lambda: ContextMemo(loader))
    try:
        quads = to_quads(document, memo)
    except Unsupported:
        return canonicalize_with_pyld(document, loader)
    try:
        return canonical_nquads(quads)
    except CanonicalizationTooComplex as error:
        raise CanonicalizationError(str(error)) from error


def canonicalize_with_pyld(document: Mapping[str, Any],
                           loader: StaticDocumentLoader = DEFAULT_LOADER) -> str:
    """The reference path: pyld's expansion, toRdf and URDNA2015, in safe mode."""
    options = {**loader.jsonld_options(), "algorithm": "URDNA2015",
               "format": "application/n-quads"}
    try:
        return _SafeProcessor().normalize(dict(document), options)
    except (jsonld.JsonLdError, ValueError, TypeError, KeyError) as error:
        raise _explain(error) from error


def _explain(error: Exception) -> CanonicalizationError:
    """The innermost JSON-LD error, in words a verifier's report can show."""
    cause: BaseException | None = error
    innermost: BaseException = error
    while cause is not None:
        if isinstance(cause, CanonicalizationError):
            return cause
        if isinstance(cause, DocumentNotAllowed):
            return CanonicalizationError(str(cause), "/@context")
        innermost = cause
        cause = cause.__cause__ or getattr(cause, "cause", None)
    if isinstance(innermost, KeyError):  # pyld's own slip, e.g. on {"@vocab": null}
        return CanonicalizationError(f"the @context cannot be processed (at {innermost})",
                                     "/@context")
    message = getattr(innermost, "message", None) or str(innermost).splitlines()[0]
    return CanonicalizationError(f"JSON-LD processing failed: {message}")
