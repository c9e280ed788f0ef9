"""RDFC-1.0 canonical N-Quads (SHA-256) for a set of quads.

The algorithm of the W3C Recommendation, over quads held as tuples of serialised terms
(``credentials.jsonld_quads``): first-degree hashes order most blank nodes at once; blank nodes
that share one (the same structure in two embedded credentials' graphs, say) are ordered by
the N-degree hashes. pyld's ``URDNA2015`` is the reference it is tested against, byte for byte.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cmp_to_key
from itertools import permutations

from credentials.jsonld_quads import Quad

POSITIONS = ((0, "s"), (2, "o"), (3, "g"))
# Permutations tried per N-degree step before refusing, so a crafted "poison" dataset cannot
# hold a worker for ever (RDFC-1.0 section 4.4, on limiting computation).
MAX_PERMUTATIONS = 50_000


class CanonicalizationTooComplex(ValueError):
    """The dataset's blank nodes need more work to order than we allow."""


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
    def __init__(self, quads: set[Quad], hash_name: str = "sha256") -> None:
        self.quads = quads
        self.new_hash = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}[hash_name]
        self.mentions: dict[str, list[Quad]] = {}
        for quad in quads:
            # One entry per blank node component, as the algorithm's blank node to quads map
            # has it: a quad naming the same blank node twice is listed twice.
            for position, _letter in POSITIONS:
                term = quad[position]
                if term and term[0] == "_":
                    self.mentions.setdefault(term, []).append(quad)
        self.first_degree: dict[str, str] = {}
        self.canonical = _Issuer("_:c14n")
        self.permutations = 0

    def _hash(self, text: str) -> str:
        return self.new_hash(text.encode()).hexdigest()

    def hash_first_degree(self, node: str) -> str:
        digest = self.first_degree.get(node)
        if digest is None:
            lines = sorted(_line(quad, lambda label: "_:a" if label == node else "_:z")
                           for quad in self.mentions[node])
            digest = self.first_degree[node] = self._hash("".join(lines))
        return digest

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, letter: str) -> str:
        label = (self.canonical.issued.get(related) or issuer.issued.get(related)
                 or self.hash_first_degree(related))
        predicate = quad[1] if letter != "g" else ""
        return self._hash(f"{letter}{predicate}{label}")

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.mentions[node]:
            for position, letter in POSITIONS:
                term = quad[position]
                if term and term[0] == "_" and term != node:
                    related_by_hash.setdefault(
                        self.hash_related(term, quad, issuer, letter), []).append(term)
        data = []
        for related_hash, nodes in sorted(related_by_hash.items()):
            data.append(related_hash)
            labels = [self.canonical.issued.get(n) or issuer.issued.get(n) for n in nodes]
            if all(labels):
                # Every permutation issues nothing new and recurses nowhere, so the chosen
                # path is simply the least concatenation of the labels.
                data.append("".join(sorted(labels, key=cmp_to_key(_concatenation_order))))
                continue
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in permutations(nodes):
                self.permutations += 1
                if self.permutations > MAX_PERMUTATIONS:
                    raise CanonicalizationTooComplex(
                        "the document's blank nodes are too symmetric to canonicalize "
                        "within limits")
                candidate = issuer.copy()
                path = ""
                recursion: list[str] = []
                worse = False
                for related in permutation:
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
        return self._hash("".join(data)), issuer

    def run(self) -> str:
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
        return "".join(sorted(_line(quad, self.canonical.issued.__getitem__)
                              for quad in self.quads))


def canonical_nquads(quads: set[Quad], hash_name: str = "sha256") -> str:
    """The canonical N-Quads document (RDFC-1.0) of ``quads``; ``hash_name`` is the hash
    function RDFC-1.0 is parameterised with (SHA-256 by default; SHA-384 for P-384 keys)."""
    return _Canonicalizer(quads, hash_name).run()
