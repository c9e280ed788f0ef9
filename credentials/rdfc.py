"""RDFC-1.0 canonical N-Quads for a set of quads, within a work budget.

The algorithm of the W3C Recommendation, over quads held as tuples of terms already written in
canonical N-Quads form (``literal_term``, ``iri_term``, ``_:label``): first-degree hashes order
most blank nodes at once; blank nodes that share one (the same structure in two embedded
credentials' graphs, say) are ordered by the N-degree hashes. The W3C test suite and
Digital Bazaar's ``rdf-canonize`` are what it is tested against, byte for byte.

Ordering symmetric blank nodes can take factorial time ("poison" datasets, RDFC-1.0 section
4.4), so the N-degree work is counted in steps (one per related blank node hashed, per
issued identifier copied, per node placed on a path, more as paths grow long) and refused past
``MAX_STEPS``, whatever the shape of the graph that spends them; the recursion is kept
shallower than ``MAX_DEPTH``. One request may canonicalize many documents (a credential, each
of its endorsements and embedded credentials, their status lists): inside a
:func:`shared_budget` block every canonicalization also spends from that one budget, so the
request as a whole is bounded, not only each document in it. Other costly work on those
documents (pyld's JSON-LD processing, for what our walker leaves) spends from the same budget
through :func:`spend_shared`.
"""

from __future__ import annotations

import contextvars
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cmp_to_key
from itertools import permutations
from typing import Any

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
POSITIONS = ((0, "s"), (2, "o"), (3, "g"))
HASHES: dict[str, Callable[..., Any]] = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}
# Steps of N-degree work allowed per dataset. Honest credentials spend none or a few hundred
# (a learner record embedding 25 credentials: 100; one embedding five of them twice: about
# 61,000), the W3C suite's hardest approved poison tests about 7,200; spending the whole
# budget takes about a quarter of a second of CPU, whatever the graph.
MAX_STEPS = 250_000
# Nesting of the N-degree recursion allowed (the W3C suite needs 7, honest credentials fewer),
# far below Python's recursion limit, whatever the budget.
MAX_DEPTH = 128

# A quad as serialised N-Quads terms: subject, predicate, object, graph ("" for the default
# graph). Blank nodes are "_:...", IRIs "<...>", literals start with a double quote.
Quad = tuple[str, str, str, str]

# Canonical N-Quads (RDF 1.2 N-Triples canonical form, as rdf-canonize writes it): in a string,
# \b \t \n \f \r \" \\ as ECHAR, every other character below U+0020 and U+007F as UCHAR with
# upper-case hex, everything else as itself. In an IRI, the characters IRIREF cannot hold
# directly as UCHAR.
_STRING_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F)} | {
    ord("\b"): "\\b", ord("\t"): "\\t", ord("\n"): "\\n", ord("\f"): "\\f", ord("\r"): "\\r",
    ord('"'): '\\"', ord("\\"): "\\\\"}
_STRING_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_IRI_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x21), *map(ord, '<>"{}|^`\\'))}
IRI_NEEDS_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


class CanonicalizationTooComplex(ValueError):
    """The dataset's blank nodes need more work to order than we allow."""


@dataclass(slots=True)
class WorkBudget:
    """Steps of N-degree work that several canonicalizations spend from together; ``holder``
    names what they belong to, for the refusal's message."""
    limit: int
    holder: str
    spent: int = 0


_shared: contextvars.ContextVar[WorkBudget | None] = contextvars.ContextVar(
    "rdfc_shared_budget", default=None)


@contextmanager
def shared_budget(steps: int, holder: str) -> Iterator[WorkBudget]:
    """Inside the block, every canonicalization spends from one budget of ``steps`` as well as
    from its own ``MAX_STEPS``; a block already open around this one keeps its budget (the
    whole work stays bounded by the outermost). ``holder`` names what the documents belong to
    ("one verification")."""
    outer = _shared.get()
    if outer is not None:
        yield outer
        return
    budget = WorkBudget(steps, holder)
    token = _shared.set(budget)
    try:
        yield budget
    finally:
        _shared.reset(token)


def spend_shared(steps: int, reason: str) -> None:
    """Spend ``steps`` from the shared budget open around this call (none open: nothing);
    past its limit, refuse with ``reason`` and the budget's size in the message."""
    budget = _shared.get()
    if budget is not None:
        _charge(budget, steps, reason)


def _charge(budget: WorkBudget, steps: int, reason: str) -> None:
    budget.spent += steps
    if budget.spent > budget.limit:
        raise CanonicalizationTooComplex(
            f"{reason} (RDFC-1.0 work budget of {budget.limit:,} steps for all the documents "
            f"of {budget.holder} spent)")


def escape_string(value: str) -> str:
    """``value`` as the inside of a canonical N-Quads string literal."""
    return value.translate(_STRING_ESCAPES) if _STRING_NEEDS_ESCAPE.search(value) else value


def literal_term(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """A literal in canonical N-Quads: xsd:string bare, language-tagged, or typed."""
    text = f'"{escape_string(value)}"'
    if language:
        return f"{text}@{language}"
    if datatype == XSD_STRING:
        return text
    return f"{text}^^{iri_term(datatype)}"


def iri_term(iri: str) -> str:
    """An IRI in canonical N-Quads."""
    return f"<{iri.translate(_IRI_ESCAPES) if IRI_NEEDS_ESCAPE.search(iri) else iri}>"


@dataclass(frozen=True, slots=True)
class Canonicalized:
    """The canonical N-Quads document, and the issued identifiers map (input blank node
    label to canonical label, both without ``_:``)."""
    nquads: str
    issued: dict[str, str]


class _Issuer:
    """The identifier issuer of RDFC-1.0: labels in the order they were issued."""

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued = issued if issued is not None else {}

    def issue(self, node: str) -> str:
        label = self.issued.get(node)
        if label is None:
            label = self.issued[node] = f"{self.prefix}{len(self.issued)}"
        return label

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


def _line(quad: Quad, rename: Callable[[str], str]) -> str:
    subject, predicate, obj, graph = quad
    if subject[0] == "_":
        subject = rename(subject)
    if obj[0] == "_":
        obj = rename(obj)
    if graph:
        return f"{subject} {predicate} {obj} {rename(graph) if graph[0] == '_' else graph} .\n"
    return f"{subject} {predicate} {obj} .\n"


def _concatenation_order(left: str, right: str) -> int:
    """Orders labels so that joining them gives the least string (a+b against b+a)."""
    return (left + right > right + left) - (left + right < right + left)


class _Canonicalizer:
    def __init__(self, quads: Iterable[Quad], algorithm: str = "sha256",
                 max_steps: int = MAX_STEPS) -> None:
        self.quads = set(quads)
        self.hash = HASHES[algorithm]
        self.max_steps = max_steps
        self.steps = 0
        self.shared = _shared.get()
        self.depth = 0
        self.mentions: dict[str, list[Quad]] = {}
        for quad in self.quads:
            # One entry per blank node component, as the algorithm's blank node to quads map
            # has it: a quad naming the same blank node twice is listed twice.
            for position, _letter in POSITIONS:
                term = quad[position]
                if term and term[0] == "_":
                    self.mentions.setdefault(term, []).append(quad)
        self.first_degree: dict[str, str] = {}
        self.canonical = _Issuer("_:c14n")

    def digest(self, text: str) -> str:
        return self.hash(text.encode()).hexdigest()

    def spend(self, steps: int) -> None:
        """Count N-degree work; refuse the dataset once it has used the whole budget."""
        self.steps += steps
        if self.shared is not None:
            _charge(self.shared, steps, "the document's blank nodes are too symmetric to "
                    "canonicalize within limits")
        if self.steps > self.max_steps:
            raise CanonicalizationTooComplex(
                "the document's blank nodes are too symmetric to canonicalize within limits "
                f"(RDFC-1.0 work budget of {self.max_steps:,} steps spent)")

    def hash_first_degree(self, node: str) -> str:
        digest = self.first_degree.get(node)
        if digest is None:
            lines = sorted(_line(quad, lambda label: "_:a" if label == node else "_:z")
                           for quad in self.mentions[node])
            digest = self.first_degree[node] = self.digest("".join(lines))
        return digest

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, letter: str) -> str:
        label = (self.canonical.issued.get(related) or issuer.issued.get(related)
                 or self.hash_first_degree(related))
        predicate = quad[1] if letter != "g" else ""
        return self.digest(f"{letter}{predicate}{label}")

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        if self.depth >= MAX_DEPTH:
            raise CanonicalizationTooComplex(
                "the document's blank nodes are too symmetric to canonicalize within limits "
                f"(RDFC-1.0 recursion nested deeper than {MAX_DEPTH})")
        self.depth += 1
        try:
            return self._hash_n_degree(node, issuer)
        finally:
            self.depth -= 1

    def _hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.mentions[node]:
            for position, letter in POSITIONS:
                term = quad[position]
                if term and term[0] == "_" and term != node:
                    self.spend(1)
                    related_by_hash.setdefault(
                        self.hash_related(term, quad, issuer, letter), []).append(term)
        data = []
        for related_hash, nodes in sorted(related_by_hash.items()):
            data.append(related_hash)
            labels = [self.canonical.issued.get(n) or issuer.issued.get(n) for n in nodes]
            if all(labels):
                # Every permutation issues nothing new and recurses nowhere, so the chosen
                # path is simply the least concatenation of the labels.
                self.spend(len(labels))
                data.append("".join(sorted(labels, key=cmp_to_key(_concatenation_order))))
                continue
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in permutations(nodes):
                self.spend(1 + len(issuer.issued))
                candidate = issuer.copy()
                path = ""
                recursion: list[str] = []
                worse = False
                for related in permutation:
                    # Each node placed copies and compares a longer path: long paths cost more.
                    self.spend(1 + len(path) // 256)
                    if related in self.canonical.issued:
                        path += self.canonical.issued[related]
                    else:
                        if related not in candidate.issued:
                            recursion.append(related)
                        path += candidate.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        worse = True
                        break
                if worse:
                    continue
                for related in recursion:
                    self.spend(1 + len(path) // 256)
                    digest, candidate = self.hash_n_degree(related, candidate)
                    path += candidate.issue(related) + f"<{digest}>"
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        worse = True
                        break
                if worse:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, candidate
            data.append(chosen_path)
            assert chosen_issuer is not None
            issuer = chosen_issuer
        return self.digest("".join(data)), issuer

    def run(self) -> Canonicalized:
        by_hash: dict[str, list[str]] = {}
        for node in self.mentions:
            by_hash.setdefault(self.hash_first_degree(node), []).append(node)
        shared = []
        for _digest, nodes in sorted(by_hash.items()):
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            results = []
            for node in nodes:
                if node in self.canonical.issued:
                    continue
                temporary = _Issuer("_:b")
                temporary.issue(node)
                results.append(self.hash_n_degree(node, temporary))
            for _digest, issuer in sorted(results, key=lambda result: result[0]):
                for existing in issuer.issued:
                    self.canonical.issue(existing)
        nquads = "".join(sorted(_line(quad, self.canonical.issued.__getitem__)
                                for quad in self.quads))
        return Canonicalized(nquads, {node[2:]: label[2:]
                                      for node, label in self.canonical.issued.items()})


def canonicalize_quads(quads: Iterable[Quad], algorithm: str = "sha256",
                       max_steps: int = MAX_STEPS) -> Canonicalized:
    """RDFC-1.0 of ``quads`` with ``algorithm`` ("sha256" or "sha384") as its hash.

    Raises :class:`CanonicalizationTooComplex` past ``max_steps`` of N-degree work.
    """
    return _Canonicalizer(quads, algorithm, max_steps).run()


def canonical_nquads(quads: Iterable[Quad], hash_name: str = "sha256") -> str:
    """The canonical N-Quads document (RDFC-1.0) of ``quads``; ``hash_name`` is the hash
    function RDFC-1.0 is parameterised with (SHA-256 by default; SHA-384 for P-384 keys)."""
    return canonicalize_quads(quads, hash_name).nquads
