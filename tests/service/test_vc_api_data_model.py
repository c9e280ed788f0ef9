"""POST /credentials/issue signs nothing that breaks a VC Data Model MUST, answering 400 with
the JSON pointer; it accepts VCDM 1.1 credentials as the W3C suites send them, and what it
signs, its own verifier accepts."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace

import pytest

from credentials.fetch import FetchError, SafeFetcher
from issuer.web.context import install, service_context
from tests.service.conftest import BASE
from tests.service.test_errors import assert_problem

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
ISSUER = f"{BASE}/issuers/riverbend"
EXAMPLE_TERMS = {"@vocab": "https://example.org/terms#"}


def credential(**changes: object) -> dict:
    document = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": ISSUER,
                "credentialSubject": {"id": "did:example:learner", "name": "Jordan"}}
    document.update(changes)
    return {key: value for key, value in document.items() if value is not None}


def issue(service, document: dict, options: dict | None = None):
    body = {"credential": document, **({"options": options} if options is not None else {})}
    return service.client.post("/credentials/issue", headers=service.auth(service.admin),
                               json=body)


class BytesFetcher(SafeFetcher):
    """Serves fixed bytes for related resources, with no network."""

    def __init__(self, resources: dict[str, bytes]) -> None:
        super().__init__()
        object.__setattr__(self, "resources", resources)

    def get_bytes(self, url: str, accept: str = "application/json") -> bytes:
        if url not in self.resources:
            raise FetchError(f"{url!r} answered HTTP 404")
        return self.resources[url]


RESOURCE = "https://example.org/resources/rubric.json"
RESOURCE_BYTES = b'{"rubric": "observed on shift"}\n'
SRI = "sha384-" + base64.b64encode(hashlib.sha384(RESOURCE_BYTES).digest()).decode()
MULTIBASE = "u" + base64.urlsafe_b64encode(
    b"\x12\x20" + hashlib.sha256(RESOURCE_BYTES).digest()).decode().rstrip("=")
WRONG_SRI = "sha384-" + base64.b64encode(hashlib.sha384(b"changed").digest()).decode()

REFUSED = [
    # (case, changes, pointer)
    ("no @context", {"@context": None}, "/credential/@context"),
    ("@context a string", {"@context": V2}, "/credential/@context"),
    ("@context with a number", {"@context": [V2, 7]}, "/credential/@context/1"),
    ("{'@vocab': null} context (pyld KeyError)", {"@context": [V2, {"@vocab": None}],
                                                  "type": ["VerifiableCredential", "Custom"]},
     "/credential/@context"),
    ("type missing", {"type": None}, "/credential/type"),
    ("type an object", {"type": {"VerifiableCredential": True}}, "/credential/type"),
    ("type a number", {"type": 5}, "/credential/type"),
    ("type a string (the VC API takes an array)", {"type": "VerifiableCredential"},
     "/credential/type"),
    ("type a list of numbers", {"type": [1, 2]}, "/credential/type"),
    ("type without VerifiableCredential", {"type": ["Credential"]}, "/credential/type"),
    ("credentialSubject missing", {"credentialSubject": None}, "/credential/credentialSubject"),
    ("credentialSubject empty", {"credentialSubject": {}}, "/credential/credentialSubject"),
    ("credentialSubject an empty array", {"credentialSubject": []},
     "/credential/credentialSubject"),
    ("one of two subjects empty", {"credentialSubject": [{"id": "did:example:1"}, {}]},
     "/credential/credentialSubject/1"),
    ("credentialSubject a string", {"credentialSubject": "did:example:1"},
     "/credential/credentialSubject"),
    ("subject id not a URL", {"credentialSubject": {"id": "not a url"}},
     "/credential/credentialSubject/id"),
    ("id not a URL", {"id": "https ://not-a-url/vcs/1"}, "/credential/id"),
    ("id null", {"id": 7}, "/credential/id"),
    ("id an array", {"id": ["https://a.example/1", "https://a.example/2"]}, "/credential/id"),
    ("issuer missing", {"issuer": None}, "/credential/issuer"),
    ("issuer a number", {"issuer": 5}, "/credential/issuer"),
    ("issuer object without id", {"issuer": {"name": "Riverbend"}}, "/credential/issuer/id"),
    ("issuer id not a URL", {"issuer": {"id": 12}}, "/credential/issuer/id"),
    ("validFrom without a time zone", {"validFrom": "2026-01-01T00:00:00"},
     "/credential/validFrom"),
    ("validFrom a date", {"validFrom": "2026-01-01"}, "/credential/validFrom"),
    ("validUntil not a date", {"validUntil": "soon"}, "/credential/validUntil"),
    ("validUntil before validFrom", {"validFrom": "2026-01-02T00:00:00Z",
                                     "validUntil": "2026-01-01T00:00:00Z"},
     "/credential/validUntil"),
    ("credentialStatus without type", {"credentialStatus": {"id": "https://s.example/1"}},
     "/credential/credentialStatus/type"),
    ("termsOfUse without type", {"termsOfUse": {"id": "https://t.example/policy"}},
     "/credential/termsOfUse/type"),
    ("evidence without type", {"evidence": [{"id": "https://e.example/1"}]},
     "/credential/evidence/0/type"),
    ("evidence type a number", {"evidence": [{"type": 3}]}, "/credential/evidence/0/type"),
    ("refreshService without type", {"refreshService": {"id": "https://r.example/"}},
     "/credential/refreshService/type"),
    ("credentialSchema without type", {"credentialSchema": {"id": "https://s.example/s.json"}},
     "/credential/credentialSchema/type"),
    ("credentialSchema without id", {"credentialSchema": {"type": "JsonSchema"}},
     "/credential/credentialSchema/id"),
    ("relatedResource of strings", {"relatedResource": [RESOURCE]},
     "/credential/relatedResource/0"),
    ("relatedResource without id", {"relatedResource": [{"digestSRI": SRI}]},
     "/credential/relatedResource/0/id"),
    ("relatedResource without digest", {"relatedResource": [{"id": RESOURCE}]},
     "/credential/relatedResource/0"),
    ("relatedResource ids repeated", {"relatedResource": [{"id": RESOURCE, "digestSRI": SRI},
                                                          {"id": RESOURCE, "digestSRI": SRI}]},
     "/credential/relatedResource/1/id"),
    ("relatedResource digestSRI malformed", {"relatedResource": [
        {"id": RESOURCE, "digestSRI": "md5-abc"}]}, "/credential/relatedResource/0/digestSRI"),
    ("relatedResource digestMultibase not a multihash", {"relatedResource": [
        {"id": RESOURCE,
         "digestMultibase": "uZTQ0MjM1NiAgcmVwb3J0cc5jZWxhdGVkLXJlc291cmNlLmpzb24K"}]},
     "/credential/relatedResource/0/digestMultibase"),
    ("relatedResource digest that does not match", {"relatedResource": [
        {"id": RESOURCE, "digestSRI": WRONG_SRI}]}, "/credential/relatedResource/0/digestSRI"),
    ("relatedResource that cannot be retrieved", {"relatedResource": [
        {"id": "https://example.org/gone.json", "digestSRI": SRI}]},
     "/credential/relatedResource"),
    ("name with an extra property", {"name": {"@value": "Badge", "@language": "en",
                                              "extra": "x"}}, "/credential/name"),
    # XSD allows these years; the verifier cannot compare them, so nothing is signed with one.
    ("validFrom in year 0000", {"validFrom": "0000-01-01T00:00:00Z"}, "/credential/validFrom"),
    ("validUntil after 9999", {"validUntil": "10000-01-01T00:00:00Z"},
     "/credential/validUntil"),
    ("VCDM 1.1 issuanceDate before year 1",
     {"@context": ["https://www.w3.org/2018/credentials/v1"], "validFrom": None,
      "validUntil": None, "issuanceDate": "-0001-01-01T00:00:00Z"},
     "/credential/issuanceDate"),
]


def use_fetcher(service, fetcher: SafeFetcher) -> None:
    """The app fetches through ``fetcher`` from now on (its context, with that fetcher)."""
    install(service.app, replace(service_context(service.app), fetcher=fetcher))


@pytest.mark.parametrize("case, changes, pointer", REFUSED, ids=[c[0] for c in REFUSED])
def test_issue_refuses_what_the_data_model_forbids(service, case: str, changes: dict,
                                                   pointer: str) -> None:
    use_fetcher(service, BytesFetcher({RESOURCE: RESOURCE_BYTES}))
    before = service.counts()
    problem = assert_problem(issue(service, credential(**changes)), 400)
    assert problem["errors"][0]["pointer"] == pointer, problem
    assert problem["detail"].startswith(pointer)
    assert service.counts() == before


ACCEPTED = [
    ("issuer as an object", {"issuer": {"id": ISSUER, "name": "Riverbend"}}),
    ("several subjects", {"credentialSubject": [{"id": "did:example:1"},
                                                {"name": "Jordan"}]}),
    ("validFrom with an offset and fraction", {"validFrom": "2026-01-01T00:00:00.5+02:00",
                                               "validUntil": "2099-01-01T00:00:00Z"}),
    ("a name in two languages", {"name": [{"@value": "Badge", "@language": "en"},
                                          {"@value": "Insigne", "@language": "fr"}]}),
    ("typed evidence, terms of use, schema and refresh",
     {"@context": [V2, EXAMPLE_TERMS],
      "evidence": [{"id": "https://e.example/1", "type": ["Evidence"]}],
      "termsOfUse": {"type": "IssuerPolicy", "id": "https://t.example/policy"},
      "credentialSchema": {"id": "https://s.example/schema.json", "type": "JsonSchema"},
      "refreshService": {"id": "https://r.example/", "type": "ManualRefreshService"}}),
    ("related resources whose digests match", {"relatedResource": [
        {"id": RESOURCE, "digestSRI": SRI, "mediaType": "application/json"},
        {"id": RESOURCE + "?copy", "digestMultibase": MULTIBASE}]}),
    ("a related resource not fetched over HTTPS",
     {"relatedResource": [{"id": "urn:example:rubric", "digestMultibase": MULTIBASE}]}),
]


@pytest.mark.parametrize("case, changes", ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_issue_accepts_and_its_verifier_agrees(service, case: str, changes: dict) -> None:
    fetcher = BytesFetcher({RESOURCE: RESOURCE_BYTES, RESOURCE + "?copy": RESOURCE_BYTES})
    use_fetcher(service, fetcher)
    response = issue(service, credential(**changes))
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    report = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert report.status_code == 200, report.get_json()


def test_issue_accepts_a_vcdm_1_1_credential(service) -> None:
    response = issue(service, {"@context": [V1], "type": ["VerifiableCredential"],
                               "issuer": ISSUER,
                               "credentialSubject": {"id": "did:example:learner"}})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["@context"][0] == V1 and "validFrom" not in signed
    assert signed["issuanceDate"].endswith("Z")
    assert signed["proof"]["type"] == "DataIntegrityProof"
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    report = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert report.status_code == 200, report.get_json()
    schema = next(c for c in report.get_json()["checks"] if c["check"] == "schema")
    assert "1.1" in schema["message"]


def test_vcdm_1_1_keeps_its_issuance_and_expiration_dates(service) -> None:
    response = issue(service, {"@context": [V1], "type": ["VerifiableCredential"],
                               "issuer": {"id": ISSUER}, "issuanceDate": "2026-01-01T00:00:00Z",
                               "expirationDate": "2099-01-01T00:00:00Z",
                               "credentialSubject": {"id": "did:example:learner"}})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert (signed["issuanceDate"], signed["expirationDate"]) == ("2026-01-01T00:00:00Z",
                                                                  "2099-01-01T00:00:00Z")


@pytest.mark.parametrize("changes, options, pointer", [
    ({"issuanceDate": "first of May"}, None, "/credential/issuanceDate"),
    ({"expirationDate": "2020-01-01T00:00:00Z", "issuanceDate": "2021-01-01T00:00:00Z"}, None,
     "/credential/expirationDate"),
    ({"type": ["VerifiableCredential", "OpenBadgeCredential"]}, None, "/credential/@context/0"),
    ({}, {"format": "jwt"}, "/options/format"),
])
def test_vcdm_1_1_refusals(service, changes: dict, options: dict | None, pointer: str) -> None:
    document = {"@context": [V1], "type": ["VerifiableCredential"], "issuer": ISSUER,
                "credentialSubject": {"id": "did:example:learner"}, **changes}
    problem = assert_problem(issue(service, document, options), 400)
    assert problem["errors"][0]["pointer"] == pointer


def test_verify_refuses_an_envelope_without_its_own_context(service) -> None:
    jwt = issue(service, credential(), {"format": "jwt"}).get_json()["verifiableCredential"]
    assert service.client.post("/credentials/verify",
                               json={"verifiableCredential": jwt}).status_code == 200
    for context in (None, V2, []):
        bad = {key: value for key, value in jwt.items() if key != "@context"}
        if context is not None:
            bad["@context"] = context
        problem = assert_problem(service.client.post("/credentials/verify",
                                                     json={"verifiableCredential": bad}), 400)
        assert problem["errors"][0]["pointer"] == "/verifiableCredential/@context"


@pytest.mark.parametrize("kind", [5, {"a": 1}, [1, {"b": 2}], [["VerifiableCredential"]], None])
def test_verify_answers_a_type_of_any_shape_without_a_500(service, kind) -> None:
    signed = issue(service, credential()).get_json()["verifiableCredential"]
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": {**signed, "type": kind}})
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.get_json()["errors"][0].startswith("schema:")


def test_the_vc_api_issuer_suites_default_credential(service) -> None:
    """The W3C CCG VC API issuer suite's valid credential: VCDM 1.1 with the W3C examples
    context (bundled from its registry package with the ODRL context it imports)."""
    response = issue(service, {
        "@context": [V1, "https://www.w3.org/2018/credentials/examples/v1"],
        "id": "urn:uuid:5e1e4a3b-8c0b-4bb4-a4b4-1f4d9e4c2f10",
        "type": ["VerifiableCredential", "UniversityDegreeCredential"],
        "issuer": ISSUER,
        "expirationDate": "2099-01-01T00:00:00.000Z",
        "credentialSubject": {"id": "did:example:learner", "degree": {
            "type": "BachelorDegree", "name": "Bachelor of Science and Arts"}}})
    assert response.status_code == 201, response.get_json()
    signed = response.get_json()["verifiableCredential"]
    assert signed["id"] == "urn:uuid:5e1e4a3b-8c0b-4bb4-a4b4-1f4d9e4c2f10"
    report = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert report.status_code == 200, report.get_json()


def test_the_w3c_examples_context_is_bundled_so_suite_fixtures_issue_and_verify(service
                                                                                 ) -> None:
    """The W3C suites' valid fixtures name https://www.w3.org/ns/credentials/examples/v2 and
    use terms only its @vocab defines."""
    document = credential(**{"@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
                             "type": ["VerifiableCredential", "ExampleAlumniCredential"],
                             "credentialSubject": {"id": "did:example:learner",
                                                   "alumniOf": "Example University"}})
    issued = issue(service, document)
    assert issued.status_code == 201, issued.get_json()
    signed = issued.get_json()["verifiableCredential"]
    report = service.client.post("/credentials/verify", json={"verifiableCredential": signed})
    assert report.status_code == 200, report.get_json()


@pytest.mark.parametrize("chosen", [f"{BASE}/credentials/00000000-0000-4000-8000-000000000000",
                                    f"{BASE.upper()}/credentials/x", f"{BASE}/issuers/lakeside"])
def test_issue_refuses_an_id_in_this_service_s_namespace(service, chosen: str) -> None:
    """Another credential's URL (any spelling) would serve a different document."""
    response = issue(service, credential(id=chosen))
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["pointer"] == "/credential/id"
    assert issue(service, credential(id="urn:uuid:7c1e6ad1-5b39-4c29-9d39-2f0b1f1a0c55")
                 ).status_code == 201
