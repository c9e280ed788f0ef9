"""The VC Data Model rules (credentials.vcdm), and the verifier failing what they forbid."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contexts import StaticDocumentLoader
from credentials.proofs import EDDSA_RDFC_2022, create_proof
from credentials.vcdm import (
    credential_problems,
    envelope_problems,
    issuer_id_of,
    related_resource_problems,
)
from credentials.verify import verify_credential
from credentials.verify.checks import check_schema
from credentials.verify.report import Outcome
from tests.factories import did_key_signer

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
TERMS = {"@vocab": "https://example.org/terms#"}
SIGNER = did_key_signer()


def credential(**changes: object) -> dict:
    document = {"@context": [V2, TERMS], "type": ["VerifiableCredential"],
                "issuer": SIGNER.controller, "validFrom": "2026-01-01T00:00:00Z",
                "credentialSubject": {"id": "did:example:learner", "skill": "de-escalation"}}
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


DATA = b"the resource\n"
SRI_384 = "sha384-" + base64.b64encode(hashlib.sha384(DATA).digest()).decode()
MULTIHASH_256 = "z" + __import__("base58").b58encode(
    b"\x12\x20" + hashlib.sha256(DATA).digest()).decode()

FORBIDDEN = [
    ({"@context": None}, "/@context"),
    ({"@context": V2}, "/@context"),
    ({"@context": []}, "/@context"),
    ({"@context": ["https://example.org/context", V2]}, "/@context/0"),
    ({"type": None}, "/type"),
    ({"type": "Credential"}, "/type"),
    ({"type": {"0": "VerifiableCredential"}}, "/type"),
    ({"type": ["VerifiableCredential", ""]}, "/type"),
    ({"credentialSubject": None}, "/credentialSubject"),
    ({"credentialSubject": {}}, "/credentialSubject"),
    ({"credentialSubject": [{"id": "did:example:1"}, {}]}, "/credentialSubject/1"),
    ({"credentialSubject": [1]}, "/credentialSubject/0"),
    ({"id": "urn uuid 1"}, "/id"),
    ({"issuer": None}, "/issuer"),
    ({"issuer": "Riverbend"}, "/issuer"),
    ({"issuer": {"id": None}}, "/issuer/id"),
    ({"issuer": {"id": "did:example:i", "name": 5}}, "/issuer/name"),
    ({"validFrom": "2026-01-01T00:00:00"}, "/validFrom"),
    ({"validFrom": "2026-02-30T00:00:00Z"}, "/validFrom"),
    ({"validFrom": "2026-01-01T00:00:00Z\n"}, "/validFrom"),
    ({"validUntil": "2025-01-01T00:00:00Z"}, "/validUntil"),
    ({"credentialStatus": [{"type": "BitstringStatusListEntry"}, {"id": "https://s/1"}]},
     "/credentialStatus/1/type"),
    ({"credentialStatus": {"id": ["https://s/1", "https://s/2"], "type": "X"}},
     "/credentialStatus/id"),
    ({"termsOfUse": []}, "/termsOfUse"),
    ({"termsOfUse": "https://policy"}, "/termsOfUse"),
    ({"evidence": {"id": "https://e/1"}}, "/evidence/type"),
    ({"refreshService": {"id": "https://r/1"}}, "/refreshService/type"),
    ({"credentialSchema": {"id": 4, "type": "JsonSchema"}}, "/credentialSchema/id"),
    ({"relatedResource": []}, "/relatedResource"),
    ({"relatedResource": [{"id": "https://r/1", "digestSRI": "sha1-abc"}]},
     "/relatedResource/0/digestSRI"),
    ({"relatedResource": [{"id": "https://r/1", "digestSRI": "sha256-not base64"}]},
     "/relatedResource/0/digestSRI"),
    ({"relatedResource": [{"id": "https://r/1", "digestMultibase": "zabc"}]},
     "/relatedResource/0/digestMultibase"),
    ({"relatedResource": [{"id": "https://r/1", "digestMultibase": ["u" + "A" * 10]}]},
     "/relatedResource/0/digestMultibase/0"),
    ({"relatedResource": {"id": "https://r/1", "mediaType": "text/plain"}}, "/relatedResource"),
    ({"relatedResource": [{"id": "https://r/1", "digestSRI": SRI_384},
                          {"id": "https://r/1", "digestMultibase": MULTIHASH_256}]},
     "/relatedResource/1/id"),
]


@pytest.mark.parametrize("changes, pointer", FORBIDDEN)
def test_each_rule_names_its_pointer(changes: dict, pointer: str) -> None:
    problems = credential_problems(credential(**changes))
    assert problems and problems[0][0] == pointer, problems


@pytest.mark.parametrize("changes, pointer", FORBIDDEN)
def test_the_verifiers_schema_check_fails_the_same(changes: dict, pointer: str) -> None:
    check = check_schema(credential(**changes))
    assert check.outcome is Outcome.FAILURE, check.message


@pytest.mark.parametrize("changes", [
    {"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"},
    {"termsOfUse": {"id": "https://example.org/policy"}},
    {"relatedResource": [{"id": "https://r.example/1", "digestSRI": SRI_384},
                         {"id": "https://r.example/1", "digestSRI": SRI_384}]},
    {"credentialSubject": [{"id": "did:example:1", "skill": "x"}, {}]},
])
def test_a_signed_credential_breaking_a_rule_does_not_verify(changes: dict) -> None:
    signed = create_proof(credential(**changes), EDDSA_RDFC_2022, SIGNER,
                          created="2026-01-01T00:00:00Z")
    report = verify_credential(signed)
    assert not report.verified
    assert report.errors[0].startswith("schema:"), report.errors


def test_a_credential_keeping_the_rules_verifies() -> None:
    signed = create_proof(credential(relatedResource=[
        {"id": "https://r.example/1", "digestSRI": SRI_384},
        {"id": "https://r.example/2", "digestMultibase": MULTIHASH_256,
         "mediaType": "text/plain"}]), EDDSA_RDFC_2022, SIGNER, created="2026-01-01T00:00:00Z")
    assert credential_problems(signed) == []
    assert verify_credential(signed, loader=StaticDocumentLoader()).verified


@pytest.mark.parametrize("value", [
    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00.123+14:00", "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00"])
def test_date_time_stamps(value: str) -> None:
    assert credential_problems(credential(validFrom=value, validUntil=None)) == []


@pytest.mark.parametrize("value", [
    "0000-01-01T00:00:00Z", "-0044-03-15T12:00:00-05:30", "12026-01-01T00:00:00Z"])
def test_years_the_verifier_cannot_compare_are_refused(value: str) -> None:
    """XSD allows them, but the validity check cannot read them: refusing them here keeps the
    issuer from signing what its own verifier then rejects."""
    assert credential_problems(credential(validFrom=value, validUntil=None)) == [
        ("/validFrom", "must be an XML Schema dateTimeStamp (with a time zone) with a year "
                       "from 0001 to 9999: the validity period of another year cannot be "
                       "checked")]


def test_vcdm_1_1_rules() -> None:
    v1 = {"@context": [V1], "type": ["VerifiableCredential"], "issuer": "did:example:i",
          "credentialSubject": {"id": "did:example:s"}}
    assert credential_problems(v1) == [("/issuanceDate", "required in a VCDM 1.1 credential")]
    assert credential_problems({**v1, "issuanceDate": "2020-01-01T00:00:00"}) == []
    assert credential_problems({**v1, "issuanceDate": "2020-01-01T00:00:00Z",
                                "expirationDate": "2019-01-01T00:00:00Z"})[0][0] == \
        "/expirationDate"
    assert credential_problems({**v1, "issuanceDate": "2020-01-01T00:00:00Z",
                                "credentialStatus": {"type": "StatusList2021Entry"}})[0][0] == \
        "/credentialStatus/id"


def test_related_resource_digests_are_checked_against_retrieved_bytes() -> None:
    document = credential(relatedResource=[
        {"id": "https://r.example/1", "digestSRI": f"{SRI_384} sha256-AAAA"},
        {"id": "https://r.example/2", "digestMultibase": MULTIHASH_256}])
    assert related_resource_problems(document) == []
    assert related_resource_problems(document, {"https://r.example/2": DATA}) == []
    mismatched = related_resource_problems(document, {"https://r.example/1": DATA,
                                                      "https://r.example/2": b"other"})
    assert [pointer for pointer, _ in mismatched] == ["/relatedResource/0/digestSRI",
                                                      "/relatedResource/1/digestMultibase"]


@pytest.mark.parametrize("envelope, pointer", [
    ({"id": "data:application/vc+jwt,a.b.c", "type": "EnvelopedVerifiableCredential"},
     "/@context"),
    ({"@context": V2, "id": "data:application/vc+jwt,a.b.c",
      "type": "EnvelopedVerifiableCredential"}, "/@context"),
    ({"@context": [], "id": "data:application/vc+jwt,a.b.c",
      "type": "EnvelopedVerifiableCredential"}, "/@context"),
    ({"@context": [V2], "id": "https://a.example/1", "type": "EnvelopedVerifiableCredential"},
     "/id"),
])
def test_enveloped_credentials(envelope: dict, pointer: str) -> None:
    assert envelope_problems(envelope)[0][0] == pointer
    clr = credential(type=["VerifiableCredential", "ClrCredential"],
                     credentialSubject={"type": "ClrSubject", "verifiableCredential": [envelope]})
    assert credential_problems(clr)[0][0] == \
        f"/credentialSubject/verifiableCredential/0{pointer}"
    good = {**envelope, "@context": [V2], "id": "data:application/vc+jwt,a.b.c"}
    assert envelope_problems(good) == []


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
KEYS = ["@context", "id", "type", "issuer", "credentialSubject", "validFrom", "validUntil",
        "issuanceDate", "credentialStatus", "termsOfUse", "evidence", "refreshService",
        "credentialSchema", "relatedResource", "name", "description"]


@settings(max_examples=300, deadline=None, database=None)
@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=5),
       st.sampled_from([V2, V1]))
def test_any_json_shape_is_a_problem_never_an_exception(changes: dict, base: str) -> None:
    document = {**credential(**{"@context": [base]}), **changes}
    problems = credential_problems(document, {"https://r.example/1": DATA})
    assert all(isinstance(p, str) and p.startswith("/") and m for p, m in problems)
    check_schema(document)


@pytest.mark.parametrize("issuer, expected", [
    ("https://example.edu/issuers/14", "https://example.edu/issuers/14"),
    ({"id": "did:example:76e12ec7", "name": "Example University"}, "did:example:76e12ec7"),
    ({"name": "no id"}, None), (42, None), ({"id": ["not", "a", "string"]}, None)])
def test_issuer_id_from_a_url_or_an_object(issuer: object, expected: str | None) -> None:
    assert issuer_id_of({"issuer": issuer}) == expected
    assert issuer_id_of({}) is None
