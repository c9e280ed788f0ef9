"""Standard properties keep their standard names.

A Data Integrity signature covers the RDF a document expands to, not its JSON keys, while a
verifier reads ``credentialStatus``, ``validUntil``, ``verifiableCredential`` ... from the
JSON. A document that brings its own term for a standard property (an inline
``{"cs": "https://www.w3.org/2018/credentials#credentialStatus"}``, a prefix for the
credentials vocabulary, an absolute IRI as a key) keeps its signature valid while the
property disappears from what the checks read: a revoked credential would read as unrevoked.
So every property of the vocabularies a verifier reads (VC, Data Integrity, Bitstring Status
List, Open Badges, CLR) must be written under one of the names the bundled contexts give it.
Other vocabularies (schema.org, ODRL, ...) may be named freely.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

from contexts.loader import bundled_document, manifest

Problem = tuple[str, str]  # (JSON pointer, message)

# The vocabularies whose properties the verification checks read from the JSON.
READ_VOCABULARIES = (
    "https://www.w3.org/2018/credentials#",
    "https://w3id.org/security#",
    "https://www.w3.org/ns/credentials/status#",
    "https://w3id.org/vc/status-list#",
    "https://purl.imsglobal.org/spec/vc/ob/vocab.html#",
    "https://purl.imsglobal.org/spec/vc/clr/vocab.html#",
)


NESTING = ("nests properties under another key (@nest): a verifier reads the standard "
           "properties where the standard contexts put them")


def _definitions(context: Any) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    """(term, definition, the context object holding it) of a context value, scoped
    contexts included."""
    for item in context if isinstance(context, list) else [context]:
        if not isinstance(item, Mapping):
            continue
        for term, definition in item.items():
            if term.startswith("@"):
                continue
            yield term, definition, item
            if isinstance(definition, Mapping) and "@context" in definition:
                yield from _definitions(definition["@context"])


def _iri(term: str, definition: Any, holder: Mapping[str, Any]) -> str | None:
    """The IRI a term definition maps to, compact IRIs resolved against ``holder``'s
    prefixes and a missing ``@id`` against its ``@vocab``."""
    iri = definition.get("@id") if isinstance(definition, Mapping) else definition
    if iri is None and isinstance(definition, Mapping) and isinstance(holder.get("@vocab"), str):
        iri = holder["@vocab"] + term
    if not isinstance(iri, str) or iri.startswith("@"):
        return None
    prefix, colon, suffix = iri.partition(":")
    if colon and not suffix.startswith("//"):
        expanded = holder.get(prefix, standard_prefixes().get(prefix))
        expanded = expanded.get("@id") if isinstance(expanded, Mapping) else expanded
        if isinstance(expanded, str) and not expanded.startswith("@"):
            return expanded + suffix
    return iri


@cache
def standard_names() -> Mapping[str, frozenset[str]]:
    """Every IRI a bundled context names, with the terms it is named by."""
    names: dict[str, set[str]] = {}
    for url in manifest():
        for term, definition, holder in _definitions(bundled_document(url).get("@context")):
            iri = _iri(term, definition, holder)
            if iri and iri.startswith(READ_VOCABULARIES):
                names.setdefault(iri, set()).add(term)
    return {iri: frozenset(terms) for iri, terms in names.items()}


@cache
def standard_prefixes() -> Mapping[str, str]:
    """Prefixes the bundled contexts define (``sec`` -> ``https://w3id.org/security#``)."""
    prefixes = {}
    for url in manifest():
        for term, definition, _holder in _definitions(bundled_document(url).get("@context")):
            if isinstance(definition, str) and definition.endswith(("#", "/")):
                prefixes[term] = definition
    return prefixes


def _key_iri(key: str) -> str:
    """A key as the IRI it names when it is an absolute or a standard compact IRI."""
    prefix, colon, suffix = key.partition(":")
    if colon and prefix in standard_prefixes() and not suffix.startswith("//"):
        return standard_prefixes()[prefix] + suffix
    return key


def _namespace_of(value: str) -> bool:
    """Whether ``value`` is a namespace (prefix) some standard IRI lies under."""
    return value.endswith(("#", "/", ":")) and any(
        iri.startswith(value) for iri in standard_names())


def _context_problems(context: Any, pointer: str) -> list[Problem]:
    found = []
    items = context if isinstance(context, list) else [context]
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            continue  # a URL: only bundled contexts load, and those are the standard
        where = f"{pointer}/{index}" if isinstance(context, list) else pointer
        vocab = item.get("@vocab")
        if isinstance(vocab, str) and _namespace_of(vocab):
            found.append((f"{where}/@vocab", f"sets the vocabulary to {vocab}, a standard "
                          "namespace: its properties must be written under their own names"))
        for term, definition, holder in _definitions(item):
            target = definition.get("@id") if isinstance(definition, Mapping) else definition
            if target == "@nest":
                found.append((f"{where}/{term}", NESTING))
                continue
            iri = _iri(term, definition, holder)
            if iri is None:
                continue
            known = standard_names().get(iri)
            if isinstance(definition, str) and _namespace_of(iri):
                found.append((f"{where}/{term}", f"makes {term!r} a prefix for {iri}, a "
                              "standard namespace: its properties must be written under "
                              "their own names"))
            elif known is not None and term not in known:
                found.append((f"{where}/{term}", f"names {iri} {term!r}; a verifier reads "
                              f"that property only as {' or '.join(sorted(known))!r}"))
    return found


def renamed_terms(document: Any, pointer: str = "") -> list[Problem]:
    """Where ``document`` writes a standard property under a name of its own: inline
    context definitions, and keys that are absolute or compact IRIs of standard
    properties."""
    found: list[Problem] = []
    if isinstance(document, list):
        for index, item in enumerate(document):
            found += renamed_terms(item, f"{pointer}/{index}")
        return found
    if not isinstance(document, Mapping):
        return found
    if "@context" in document:
        found += _context_problems(document["@context"], f"{pointer}/@context")
    for key, value in document.items():
        if key == "@context":
            continue
        if key == "@nest":
            found.append((f"{pointer}/{key}", NESTING))
        known = standard_names().get(_key_iri(key))
        if known is not None and key not in known:
            found.append((f"{pointer}/{key}", f"is an IRI; a verifier reads that property "
                          f"only as {' or '.join(sorted(known))!r}"))
        found += renamed_terms(value, f"{pointer}/{key}")
    return found
