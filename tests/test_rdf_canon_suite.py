"""The W3C RDFC-1.0 test suite (../shared/standards/rdf-canon), through a real N-Quads reader.

Every input is read by rdflib's N-Quads parser (which undoes every escape the inputs use), its
terms written back in canonical form by ``credentials.rdfc``, and canonicalized: each
evaluation test must give the expected document byte for byte, each map test the expected
issued identifiers, and the negative test (a poison graph) must be refused, not computed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from credentials.rdfc import (
    XSD_STRING,
    CanonicalizationTooComplex,
    Quad,
    canonicalize_quads,
    iri_term,
    literal_term,
)
from tests.conftest import STANDARDS

# rdflib's own parser reaches for its deprecated Dataset.default_context.
pytestmark = pytest.mark.filterwarnings("ignore:Dataset.default_context:DeprecationWarning")
MANIFEST = STANDARDS / "rdf-canon" / "manifest.jsonld"
KINDS = {"rdfc:RDFC10EvalTest": 64, "rdfc:RDFC10MapTest": 21, "rdfc:RDFC10NegativeEvalTest": 1}
# Skolemised blank nodes keep the labels the input gave them, which the map tests name.
GENID = "https://rdflib.github.io/.well-known/genid/rdflib/"


def entries(kind: str) -> list:
    """The manifest's tests of one kind; one placeholder when the bundle is absent (the
    ``standards`` fixture then skips it)."""
    if not MANIFEST.is_file():
        return [pytest.param(None, id="rdf-canon-suite-absent")]
    tests = json.loads(MANIFEST.read_text(encoding="utf-8"))["entries"]
    return [pytest.param(test, id=test["id"].lstrip("#")) for test in tests
            if test["type"] == kind]


@pytest.fixture
def suite(standards: Path) -> Iterator[Path]:
    """The suite's folder; rdflib keeps literals' lexical forms as written while it reads."""
    normalize, rdflib.NORMALIZE_LITERALS = rdflib.NORMALIZE_LITERALS, False
    try:
        yield standards / "rdf-canon"
    finally:
        rdflib.NORMALIZE_LITERALS = normalize


def term(node: object) -> str:
    if isinstance(node, URIRef):
        if node.startswith(GENID):
            return f"_:{node.removeprefix(GENID)}"
        return iri_term(str(node))
    if isinstance(node, BNode):
        return f"_:{node}"
    assert isinstance(node, Literal), node
    return literal_term(str(node), str(node.datatype or XSD_STRING), node.language)


def read_quads(path: Path) -> set[Quad]:
    dataset = Dataset()
    dataset.parse(path, format="nquads", skolemize=True)
    return {(term(s), term(p), term(o), "" if g == DATASET_DEFAULT_GRAPH_ID else term(g))
            for s, p, o, g in dataset.quads((None, None, None, None))}


def algorithm(test: dict) -> str:
    return {"SHA256": "sha256", "SHA384": "sha384"}[test.get("hashAlgorithm", "SHA256")]


def test_the_manifest_holds_every_test(standards: Path) -> None:
    tests = json.loads(MANIFEST.read_text(encoding="utf-8"))["entries"]
    assert {kind: sum(t["type"] == kind for t in tests) for kind in KINDS} == KINDS
    assert {t.get("hashAlgorithm", "SHA256") for t in tests} == {"SHA256", "SHA384"}


@pytest.mark.parametrize("test", entries("rdfc:RDFC10EvalTest"))
def test_evaluation(suite: Path, test: dict) -> None:
    result = canonicalize_quads(read_quads(suite / test["action"]), algorithm(test))
    assert result.nquads == (suite / test["result"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("test", entries("rdfc:RDFC10MapTest"))
def test_issued_identifiers_map(suite: Path, test: dict) -> None:
    result = canonicalize_quads(read_quads(suite / test["action"]), algorithm(test))
    expected = json.loads((suite / test["result"]).read_text(encoding="utf-8"))
    assert result.issued == expected


@pytest.mark.parametrize("test", entries("rdfc:RDFC10NegativeEvalTest"))
def test_poison_graph_is_refused(suite: Path, test: dict) -> None:
    quads = read_quads(suite / test["action"])
    started = time.process_time()
    with pytest.raises(CanonicalizationTooComplex, match="too symmetric"):
        canonicalize_quads(quads, algorithm(test))
    assert time.process_time() - started < 1.0
