"""The direct JSON-LD-to-quads walker and our RDFC-1.0 give pyld's answer, byte for byte.

The reference is pyld's toRdf in the same safe mode (``canonicalize_with_pyld``): the same
canonical N-Quads, or the same refusal. Where pyld accepts, plain ``jsonld.normalize`` (its own
URDNA2015) must agree too, except on strings holding control characters it writes raw where
canonical N-Quads escapes them (tests/test_canonical_escaping.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from contexts import DEFAULT_LOADER, StaticDocumentLoader
from credentials.canonical import CanonicalizationError, canonicalize, canonicalize_with_pyld
from credentials.jsonld_quads import ContextMemo, Unsupported, to_quads
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.rdfc import _Canonicalizer
from tests.factories import did_key_signer, unsigned_credential, whole_record

VC2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
UNDEFINED_TERMS = "https://www.w3.org/ns/credentials/undefined-terms/v2"
REFUSED = "refused"
PYLD_RAW = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def reference(document: Any, loader: StaticDocumentLoader = DEFAULT_LOADER) -> str:
    try:
        return canonicalize_with_pyld(document, loader)
    except CanonicalizationError:
        return REFUSED


def ours(document: Any, loader: StaticDocumentLoader = DEFAULT_LOADER) -> str:
    try:
        return canonicalize(document, loader)
    except CanonicalizationError:
        return REFUSED


def walked(document: Any, loader: StaticDocumentLoader = DEFAULT_LOADER) -> bool:
    """Whether the direct walker (not the pyld fallback) handled ``document``."""
    try:
        to_quads(document, ContextMemo(loader))
        return True
    except Unsupported:
        return False


def plain_pyld(document: Any, loader: StaticDocumentLoader) -> str:
    return jsonld.normalize(document, {**loader.jsonld_options(), "algorithm": "URDNA2015",
                                       "format": "application/n-quads"})


def pyld_writes_raw(value: Any) -> bool:
    """Whether ``value`` holds a string with a character pyld's N-Quads leaves unescaped
    though canonical N-Quads escapes it."""
    if isinstance(value, str):
        return bool(PYLD_RAW.search(value))
    if isinstance(value, dict):
        return any(pyld_writes_raw(key) or pyld_writes_raw(item) for key, item in value.items())
    return isinstance(value, list) and any(pyld_writes_raw(item) for item in value)


def assert_same(document: Any, loader: StaticDocumentLoader = DEFAULT_LOADER) -> str:
    expected = reference(document, loader)
    assert ours(document, loader) == expected
    if expected != REFUSED and not pyld_writes_raw(document):
        assert plain_pyld(document, loader) == expected
    return expected


def example_documents(examples: Path) -> list[tuple[str, dict]]:
    """Every JSON-LD example, as signed, without its proof, and its proof configuration."""
    documents = []
    for path in sorted(examples.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, dict) or "@context" not in document:
            continue
        name = str(path.relative_to(examples))
        documents.append((name, document))
        proof = document.get("proof")
        if isinstance(proof, dict):
            documents.append((f"{name} without proof",
                              {k: v for k, v in document.items() if k != "proof"}))
            config = {k: v for k, v in proof.items() if k != "proofValue"}
            documents.append((f"{name} proof configuration",
                              {"@context": document["@context"], **config}))
    return documents


def test_every_bundled_example(examples: Path, example_loader: StaticDocumentLoader) -> None:
    documents = example_documents(examples)
    assert len(documents) > 50
    handled = 0
    for name, document in documents:
        try:
            assert_same(document, example_loader)
        except AssertionError as error:
            raise AssertionError(name) from error
        handled += walked(document, example_loader)
    assert handled >= 0.8 * len(documents), f"the walker handled {handled}/{len(documents)}"


def test_every_competency_and_level(crosswalk) -> None:
    signer = did_key_signer()
    for competency in crosswalk.model.competencies:
        for level in crosswalk.framework.levels:
            document = create_proof(unsigned_credential(crosswalk, competency.id, level.id),
                                    EDDSA_RDFC_2022, signer, created="2026-11-03T15:00:00Z")
            assert walked(document), (competency.id, level.id)
            assert assert_same(document) != REFUSED


def test_a_learner_record_with_25_credentials(crosswalk) -> None:
    record, _embedded = whole_record(crosswalk)
    assert walked(record)
    assert assert_same(record) != REFUSED


def test_blank_nodes_sharing_a_first_degree_hash_take_the_n_degree_path() -> None:
    twin = {"type": ["Evidence"], "name": "Observed"}
    document = {"@context": [VC2, OB], "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "evidence": [twin, dict(twin)]}
    memo = ContextMemo(DEFAULT_LOADER)
    canonicalizer = _Canonicalizer(to_quads(document, memo))
    hashes = [canonicalizer.hash_first_degree(node) for node in canonicalizer.mentions]
    assert len(set(hashes)) < len(hashes)
    assert assert_same(document) != REFUSED


def test_a_poison_graph_is_refused_not_computed_for_ever() -> None:
    nodes = [f"_:n{i}" for i in range(10)]
    graph = [{"id": node, "https://example.org/knows": [{"id": other} for other in nodes
                                                        if other != node]}
             for node in nodes]
    document = {"@context": [VC2], "type": ["VerifiableCredential"],
                "credentialSubject": graph}
    with pytest.raises(CanonicalizationError, match="too symmetric"):
        canonicalize(document)


@pytest.mark.parametrize("subject", [
    {"id": "https://example.org/with space", "https://example.org/p": "dropped"},
    {"id": "did:example:1\u2003", "https://example.org/p": "dropped"},
    {"id": "did:example:1", "_:blank": "dropped"},
    {"id": "did:example:1", "https://example.org/p": {"id": "https://example.org/a\tb"}},
    {"id": "é:1", "https://example.org/p": "dropped"},
], ids=["space", "em-space", "blank-node-property", "tab-in-object", "non-ascii-scheme"])
def test_what_to_rdf_would_silently_drop_is_refused_on_both_paths(subject: dict) -> None:
    document = {"@context": [VC2], "type": ["VerifiableCredential"],
                "credentialSubject": subject}
    assert reference(document) == REFUSED
    assert ours(document) == REFUSED


TEXT = st.sampled_from(["x", "y", 'a "quote" and a \\ backslash', "line\nbreak\ttab\r",
                        "\\n is not a newline", "é ✓ 𝄞", "", "nul\x00 bell\x07 bs\b ff\f del\x7f",
                        "\x1f\x0b\x85\u2028"])
IRIS = st.sampled_from(["https://example.org/a", "https://example.org/b", "urn:uuid:1",
                        "did:example:1", "_:shared", "_:other", "relative/path", "xsd:string",
                        "https://example.org/with space"])
TYPES = st.lists(st.sampled_from(["Evidence", "Alignment", "Achievement", "Profile", "Result",
                                  "IdentityObject", "Criteria", "ResultDescription", "Image",
                                  "https://example.org/Thing", "Undefined"]),
                 min_size=1, max_size=2)
NUMBERS = st.one_of(st.integers(-5, 10**22), st.floats(allow_nan=False, allow_infinity=False))
NODES = st.deferred(lambda: st.fixed_dictionaries({}, optional={
    "id": IRIS, "type": TYPES, "name": TEXT, "description": TEXT, "narrative": TEXT,
    "targetUrl": IRIS, "hashed": st.booleans(), "creditsAvailable": NUMBERS,
    "allowedValue": st.lists(TEXT, max_size=3), "evidence": st.lists(NODES, max_size=3),
    "alignment": st.lists(NODES, max_size=3), "image": st.one_of(IRIS, NODES),
    "resultDescription": st.lists(NODES, max_size=2), "https://example.org/extra": TEXT,
    "notInAnyContext": TEXT, "@context": st.just({"ex": "https://example.org/ns#"})}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=NODES, evidence=st.lists(NODES, max_size=3),
       context=st.sampled_from([[VC2, OB], [VC2, OB, UNDEFINED_TERMS], [VC2, UNDEFINED_TERMS],
                                [VC2, OB, {"x": "https://example.org/x#"}]]))
def test_generated_documents(subject: dict, evidence: list, context: list) -> None:
    document = {"@context": context, "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "credentialSubject": subject, "evidence": evidence}
    assert_same(document)
