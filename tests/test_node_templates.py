"""Identified nodes (an achievement, an issuer) are walked once per context and written from
a template after: the canonical form must stay pyld's whatever was remembered before."""

from __future__ import annotations

import copy

from contexts import StaticDocumentLoader
from credentials.canonical import canonicalize_with_pyld
from credentials.jsonld_quads import ContextMemo, to_quads
from credentials.rdfc import canonical_nquads
from tests.factories import unsigned_credential

VC2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def walked_form(document: dict, memo: ContextMemo) -> str:
    return canonical_nquads(to_quads(document, memo))


def test_a_remembered_achievement_gives_pyld_s_form_for_other_learners(crosswalk) -> None:
    loader = StaticDocumentLoader()
    memo = ContextMemo(loader)
    first = unsigned_credential(crosswalk)
    second = copy.deepcopy(first)
    second["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    second["id"] = "urn:uuid:7b3cfa80-6bd4-4d0f-9a8d-8a4a1c0b0a11"
    assert walked_form(first, memo) == canonicalize_with_pyld(first, loader)
    remembered = len(memo.nodes)
    assert remembered >= 2  # the achievement and the issuer
    assert walked_form(second, memo) == canonicalize_with_pyld(second, loader)
    assert len(memo.nodes) == remembered  # written from the templates, nothing new walked


def test_the_same_node_under_another_context_is_walked_again() -> None:
    loader = StaticDocumentLoader()
    memo = ContextMemo(loader)
    node = {"id": "https://example.org/a", "type": "Achievement", "extra": "Same JSON"}
    plain = {"@context": [VC2, OB, {"extra": "https://example.org/one"}],
             "type": ["VerifiableCredential"],
             "credentialSubject": {"id": "did:example:1", "type": "AchievementSubject",
                                   "achievement": node}}
    renamed = copy.deepcopy(plain)
    renamed["@context"][2] = {"extra": "https://example.org/two"}
    for document in (plain, renamed, plain):
        assert walked_form(document, memo) == canonicalize_with_pyld(document, loader)


def test_a_node_naming_a_document_wide_blank_node_is_never_a_template() -> None:
    """A term may expand to a blank node identifier: that label is shared with the rest of
    its document, so a template would split one node into two in the next document."""
    loader = StaticDocumentLoader()
    memo = ContextMemo(loader)
    context = [VC2, OB, {"shared": {"@id": "https://example.org/shared", "@type": "@vocab"},
                         "B": "_:b-shared"}]
    document = {"@context": context, "type": ["VerifiableCredential"],
                "credentialSubject": {
                    "id": "did:example:1", "type": "AchievementSubject",
                    "achievement": {"id": "https://example.org/a", "type": "Achievement",
                                    "shared": "B"},
                    "shared": "B"}}
    for _ in range(2):
        assert walked_form(document, memo) == canonicalize_with_pyld(document, loader)
    assert not memo.nodes
