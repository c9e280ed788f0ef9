"""RDF Dataset Canonicalization (RDFC-1.0) of JSON-LD documents, in "safe mode".

JSON-LD becomes RDF quads through our direct walker or, for what it leaves, pyld's toRdf; either
way our ``rdfc`` orders them, within its work budget, and writes the canonical N-Quads form
(pyld's own URDNA2015 has no budget, and writes some control characters raw). Before
canonicalizing we refuse any document whose JSON-LD would silently lose data on the way to
RDF: a property its contexts do not define, or a property, type or identifier that is not an
absolute IRI. Lost data is data the signature does not cover, so such a document can be
altered without breaking its proof.

pyld's expansion and toRdf cost far more per JSON value than the walker, and more than
linearly in the length of one array, so the fallback is bounded: a document over
``PYLD_MAX_VALUES`` JSON values is refused before pyld sees it, and inside a verification
every fallback document spends ``PYLD_STEPS_PER_VALUE`` steps per value from the
verification's shared RDFC-1.0 budget (:func:`credentials.rdfc.shared_budget`). Only the
fallback is bounded this way; ``canonicalize_with_pyld`` (the reference, the kill switch)
is not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from functools import cache
from typing import Any

from pyld import jsonld

from contexts import DEFAULT_LOADER, DocumentNotAllowed, StaticDocumentLoader
from credentials.jsonld_quads import (
    ContextMemo,
    PyldChanged,
    Unsupported,
    check_pyld,
    is_absolute_iri,
    to_quads,
)
from credentials.rdfc import (
    XSD_STRING,
    CanonicalizationTooComplex,
    Quad,
    canonical_nquads,
    iri_term,
    literal_term,
    spend_shared,
)

# CREDENTIALS_CANONICALIZER=pyld turns the direct walker off (a kill switch, and the baseline
# the HTTP benchmark measures against).
FAST_PATH = os.environ.get("CREDENTIALS_CANONICALIZER", "fast") != "pyld"

log = logging.getLogger(__name__)

# The fallback's bounds, from measurement on the 2-core development machine: pyld spends about
# 200 microseconds of CPU per JSON value (objects and their members, array items) of a
# credential, more for long arrays (a credential with 1,000 alignments, 4,121 values: 0.8 s;
# 3,000 alignments: 4 s). Documents that reach the fallback are small: none of the official
# examples, W3C vectors and interop documents that verify needs it, the largest that reaches
# it has 632 values (and is refused: a relative type); the walker handles every credential
# this service issues and a learner record of 25 (6,119 values). One document may
# hold at most 2,000 values (about 0.4 s), and one verification's fallback documents at most
# RDFC_STEPS / 250 = 1,000 values together (about a fifth of a second, a clean CI machine
# measured 1.1 s for 2,500 with pyld's contexts still cold) -- less when RDFC-1.0 work has
# spent part of the same budget.
PYLD_MAX_VALUES = 2_000
PYLD_STEPS_PER_VALUE = 250


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
        if key in ("@id", "@type"):
            continue
        if not key.startswith("@") and not is_absolute_iri(key):
            raise CanonicalizationError(
                f"property {key!r} is not an absolute IRI, so RDF would drop it", path)
        _check_expanded(value, f"{path}/{key}")


class _SafeProcessor(jsonld.JsonLdProcessor):
    """A pyld processor whose expansion refuses what toRdf would silently drop.

    ``to_rdf`` expands through ``self.expand``, so the check costs no second expansion.
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


def canonicalize(document: Mapping[str, Any], loader: StaticDocumentLoader = DEFAULT_LOADER,
                 hash_name: str = "sha256") -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, refusing unsafe documents.

    The direct walker handles the shapes credentials take; whatever it leaves (and every
    document safe mode refuses) goes through pyld's toRdf, which gives the same quads.
    ``hash_name`` is RDFC-1.0's hash function: ``sha384`` for P-384 ECDSA proofs.
    """
    if not FAST_PATH or not walker_usable():
        return canonicalize_with_pyld(document, loader, hash_name)
    memo = loader.per_thread("quad_memo", lambda: ContextMemo(loader))
    try:
        quads = to_quads(document, memo)
    except Unsupported as why:
        values = _bounded_values(document, why)
        try:
            spend_shared(values * PYLD_STEPS_PER_VALUE,
                         f"the document needs general JSON-LD processing ({_short(why)}) for "
                         f"its {values:,} JSON values, more than is left")
        except CanonicalizationTooComplex as error:
            raise CanonicalizationError(str(error)) from None
        return canonicalize_with_pyld(document, loader, hash_name)
    return _canonical(quads, hash_name)


def _short(why: Unsupported) -> str:
    """The walker's reason, cut short: it may quote a long string of the document."""
    text = str(why)
    return text if len(text) <= 120 else f"{text[:117]}..."


def _bounded_values(document: Any, why: Unsupported) -> int:
    """How many JSON values ``document`` holds (objects, their members, array items),
    refusing it once past ``PYLD_MAX_VALUES``: counted without recursion, and no further."""
    count, pending = 0, [document]
    while pending:
        value = pending.pop()
        if isinstance(value, Mapping):
            children, count = list(value.values()), count + 1
        elif isinstance(value, list):
            children = value
        else:
            continue
        count += len(children)
        if count > PYLD_MAX_VALUES:
            raise CanonicalizationError(
                f"the document needs general JSON-LD processing ({_short(why)}), allowed "
                f"only for documents of at most {PYLD_MAX_VALUES:,} JSON values (objects, "
                "their members, array items); it holds more")
        pending.extend(child for child in children if isinstance(child, (Mapping, list)))
    return count


@cache
def walker_usable() -> bool:
    """Whether the installed pyld is the one the direct walker was written against; when not,
    a warning is logged (once) and every document goes through plain pyld, which gives the same
    quads, only slower."""
    try:
        check_pyld()
        ContextMemo(DEFAULT_LOADER)
    except PyldChanged as error:
        log.warning("%s: canonicalizing with plain pyld (the direct walker is off)", error)
        return False
    return True


def canonicalize_with_pyld(document: Mapping[str, Any],
                           loader: StaticDocumentLoader = DEFAULT_LOADER,
                           hash_name: str = "sha256") -> str:
    """The reference path: pyld's expansion and toRdf, in safe mode, then our RDFC-1.0."""
    options = {**loader.jsonld_options(), "produceGeneralizedRdf": False}
    try:
        dataset = _SafeProcessor().to_rdf(dict(document), options)
    except (jsonld.JsonLdError, ValueError, TypeError, KeyError) as error:
        raise _explain(error) from error
    return _canonical(_dataset_quads(dataset), hash_name)


def _canonical(quads: set[Quad], hash_name: str = "sha256") -> str:
    """RDFC-1.0 of ``quads``; refused when too complex, or when it cannot be UTF-8 (what is
    hashed and signed): a lone surrogate (JSON allows ``"\\ud800"``) is no Unicode character."""
    try:
        nquads = canonical_nquads(quads, hash_name)
        nquads.encode()
    except CanonicalizationTooComplex as error:
        raise CanonicalizationError(str(error)) from error
    except UnicodeEncodeError as error:
        character = error.object[error.start:error.end]
        raise CanonicalizationError(
            f"the document holds {character!r}, a lone surrogate that is not a Unicode "
            "character, so RDF cannot hold it") from None
    return nquads


def _term(term: Mapping[str, str]) -> str:
    """One term of pyld's RDF dataset, written in canonical N-Quads form."""
    if term["type"] == "blank node":
        return term["value"]
    if term["type"] == "IRI":
        return iri_term(term["value"])
    return literal_term(term["value"], term.get("datatype", XSD_STRING), term.get("language"))


def _dataset_quads(dataset: Mapping[str, list[dict[str, Any]]]) -> set[Quad]:
    """pyld's RDF dataset (graph name to triples) as quads of canonical terms."""
    quads: set[Quad] = set()
    for name, triples in dataset.items():
        graph = "" if name == "@default" else name if name.startswith("_:") else iri_term(name)
        for triple in triples:
            quads.add((_term(triple["subject"]), _term(triple["predicate"]),
                       _term(triple["object"]), graph))
    return quads


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
    if isinstance(innermost, KeyError):  # pyld's own failure on a context it cannot apply
        return CanonicalizationError("JSON-LD processing failed: the @context cannot be "
                                     f"applied (at {innermost.args[0]!r}; for example "
                                     '"@vocab": null where no vocabulary is set)', "/@context")
    message = getattr(innermost, "message", None) or str(innermost).splitlines()[0]
    return CanonicalizationError(f"JSON-LD processing failed: {message}")
