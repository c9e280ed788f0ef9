"""Standard properties keep their standard names (credentials.terms)."""

from __future__ import annotations

import pytest

from credentials.terms import renamed_terms
from tests.factories import signed_credential

CRED = "https://www.w3.org/2018/credentials#"


def test_our_credentials_and_free_vocabularies_pass(crosswalk) -> None:
    credential = signed_credential(crosswalk)
    assert renamed_terms(credential) == []
    other = {**credential, "@context": [*credential["@context"], {
        "fullName": "https://schema.org/name", "ex": "https://example.org/terms#",
        "credentialStatus": {"@id": f"{CRED}credentialStatus", "@type": "@id"}}]}
    assert renamed_terms(other) == []  # other vocabularies, and a standard name kept


@pytest.mark.parametrize(("document", "pointer"), [
    ({"@context": [{"cs": f"{CRED}credentialStatus"}]}, "/@context/0/cs"),
    ({"@context": {"cs": {"@id": "cred:credentialStatus"}}}, "/@context/cs"),
    ({"@context": [{"c": CRED}]}, "/@context/0/c"),
    ({"@context": [{"@vocab": CRED}]}, "/@context/0/@vocab"),
    ({"@context": [{"w": {"@id": "@nest"}}]}, "/@context/0/w"),
    ({"@nest": {}}, "/@nest"),
    ({f"{CRED}validUntil": "2001-01-01T00:00:00Z"}, f"/{CRED}validUntil"),
    ({"credentialSubject": {"cred:credentialStatus": {}}},
     "/credentialSubject/cred:credentialStatus"),
    ({"@context": [{"T": {"@id": "https://example.org/T", "@context": {
        "held": "https://purl.imsglobal.org/spec/vc/clr/vocab.html#verifiableCredential"}}}]},
     "/@context/0/held"),
])
def test_renamed_standard_properties_are_found(document: dict, pointer: str) -> None:
    assert [p for p, _message in renamed_terms(document)] == [pointer]
