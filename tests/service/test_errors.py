"""Auth, bad input and retries: every error is problem+json, and nothing is half-written."""

from __future__ import annotations

import pytest

from tests.service.conftest import MODEL, completion_body

URL = "/api/v1/issuers/riverbend/completions"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_no_token_is_401(service) -> None:
    response = service.client.post(URL, json=completion_body())
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer cc_not-a-token", "Basic dXNlcjpwYXNz", "Bearer",
                                    "Bearer nonsense"])
def test_bad_token_is_401(service, header: str) -> None:
    before = service.counts()
    assert_problem(service.client.post(URL, json=completion_body(),
                                       headers={"Authorization": header}), 401)
    assert service.counts() == before


def test_other_issuers_token_is_403(service) -> None:
    before = service.counts()
    body = assert_problem(service.client.post(URL, json=completion_body(),
                                              headers=service.auth(service.other_admin)), 403)
    assert "lakeside" in body["detail"]
    assert service.counts() == before
    assert_problem(service.client.get("/api/v1/issuers/riverbend/credentials",
                                      headers=service.auth(service.other_admin)), 403)


def test_assessor_cannot_mint_tokens(service) -> None:
    body = assert_problem(service.client.post("/api/v1/issuers/riverbend/tokens",
                                              headers=service.auth(service.assessor),
                                              json={"role": "admin"}), 403)
    assert "admin" in body["detail"]


def test_vc_api_issue_refuses_another_issuers_identifier(service) -> None:
    body = assert_problem(service.client.post(
        "/credentials/issue", headers=service.auth(service.admin),
        json={"credential": {"@context": ["https://www.w3.org/ns/credentials/v2"],
                             "type": ["VerifiableCredential"],
                             "issuer": "http://localhost:5000/issuers/lakeside",
                             "credentialSubject": {"id": "did:example:1"}}}), 403)
    assert body["errors"][0]["pointer"] == "/credential/issuer"


def _completion(**changes) -> dict:
    return completion_body(**changes)


def _learner(**changes) -> dict:
    return {"name": "Jordan Rivera", "email": "jordan@example.com", **changes}


BAD_JSON_BODIES = [
    # (case, body, status, pointer)
    ("empty object", {}, 422, "/learner"),
    ("body is an array", [], 400, None),
    ("body is a string", "hello", 400, None),
    ("learner missing", {k: v for k, v in _completion().items() if k != "learner"}, 422,
     "/learner"),
    ("learner is a string", _completion(learner="Jordan"), 422, "/learner"),
    ("learner name missing", _completion(learner={"email": "a@b.org"}), 422, "/learner/name"),
    ("learner name blank", _completion(learner=_learner(name="   ")), 422, "/learner/name"),
    ("learner name too long", _completion(learner=_learner(name="x" * 201)), 422,
     "/learner/name"),
    ("learner name is a number", _completion(learner=_learner(name=42)), 422, "/learner/name"),
    ("email missing", _completion(learner={"name": "Jo"}), 422, "/learner/email"),
    ("email without @", _completion(learner=_learner(email="jordan.example.com")), 422,
     "/learner/email"),
    ("email with spaces", _completion(learner=_learner(email="jo rdan@example.com")), 422,
     "/learner/email"),
    ("email is null", _completion(learner=_learner(email=None)), 422, "/learner/email"),
    ("unknown learner field", _completion(learner=_learner(age=30)), 422, "/learner/age"),
    ("competency missing", {k: v for k, v in _completion().items() if k != "competency"}, 422,
     "/competency"),
    ("competency without model", _completion(competency="de-escalation"), 422, "/competency"),
    ("unknown competency", _completion(competency=f"{MODEL}/juggling"), 422, "/competency"),
    ("unknown model", _completion(competency="some-other-model/de-escalation"), 422,
     "/competency"),
    ("competency is a list", _completion(competency=[MODEL, "de-escalation"]), 422,
     "/competency"),
    ("level missing", {k: v for k, v in _completion().items() if k != "level"}, 422, "/level"),
    ("unknown level", _completion(level="expert"), 422, "/level"),
    ("level in capitals", _completion(level="Developing"), 422, "/level"),
    ("level is a number", _completion(level=2), 422, "/level"),
    ("date missing", {k: v for k, v in _completion().items() if k != "completedOn"}, 422,
     "/completedOn"),
    ("date in the future", _completion(completedOn="2999-01-01"), 422, "/completedOn"),
    ("date not a date", _completion(completedOn="2026-02-30"), 422, "/completedOn"),
    ("date in another format", _completion(completedOn="11/02/2026"), 422, "/completedOn"),
    ("date is a number", _completion(completedOn=20261102), 422, "/completedOn"),
    ("evidence is an object", _completion(evidence={"name": "x"}), 422, "/evidence"),
    ("evidence item without narrative", _completion(evidence=[{"name": "x"}]), 422,
     "/evidence/0/narrative"),
    ("evidence url not http", _completion(evidence=[{"name": "x", "narrative": "y",
                                                     "url": "javascript:alert(1)"}]), 422,
     "/evidence/0/url"),
    ("too many evidence items", _completion(evidence=[{"name": "x", "narrative": "y"}] * 21),
     422, "/evidence"),
    ("unknown top-level field", _completion(issuer="someone"), 422, "/issuer"),
]


@pytest.mark.parametrize("case, body, status, pointer", BAD_JSON_BODIES,
                         ids=[case[0] for case in BAD_JSON_BODIES])
def test_bad_completion_bodies(service, case: str, body, status: int, pointer) -> None:
    before = service.counts()
    problem = assert_problem(service.client.post(URL, json=body,
                                                 headers=service.auth(service.assessor)),
                             status)
    if pointer:
        assert pointer in [error["pointer"] for error in problem["errors"]], problem
    assert service.counts() == before


@pytest.mark.parametrize("case, data, content_type, status", [
    ("malformed JSON", b'{"learner": ', "application/json", 400),
    ("not UTF-8", b'\xff\xfe{"a": 1}', "application/json", 400),
    ("form data", b"learner=x", "application/x-www-form-urlencoded", 415),
    ("plain text", b"hello", "text/plain", 415),
    ("no content type", b'{"learner": {}}', None, 415),
    ("empty body", b"", "application/json", 400),
])
def test_unparseable_bodies(service, case: str, data: bytes, content_type, status: int) -> None:
    before = service.counts()
    headers = service.auth(service.assessor)
    if content_type:
        headers["Content-Type"] = content_type
    assert_problem(service.client.post(URL, data=data, headers=headers), status)
    assert service.counts() == before


def test_oversized_body_is_413(service) -> None:
    before = service.counts()
    body = completion_body(evidence=[{"name": "x", "narrative": "y" * 2_000_000}])
    assert_problem(service.client.post(URL, json=body, headers=service.auth(service.assessor)),
                   413)
    assert service.counts() == before


def test_unknown_issuer_is_404_or_403(service) -> None:
    assert_problem(service.client.post("/api/v1/issuers/nobody/completions",
                                       json=completion_body(),
                                       headers=service.auth(service.admin)), 403)
    assert_problem(service.client.get("/issuers/nobody"), 404)
    assert_problem(service.client.get("/issuers/nobody/did.json"), 404)


@pytest.mark.parametrize("path", ["/credentials/not-a-uuid",
                                  "/credentials/8e9b6f8e-0000-4000-8000-000000000000",
                                  f"/achievements/{MODEL}/juggling", "/api/v1/frameworks/nope",
                                  "/no/such/page"])
def test_not_found_is_problem_json(service, path: str) -> None:
    assert_problem(service.client.get(path), 404)


def test_wrong_method_is_405_with_allow(service) -> None:
    response = service.client.delete("/healthz")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


@pytest.mark.parametrize("body, status", [
    ({}, 400),
    ({"verifiableCredential": "eyJhbGciOi..."}, 400),
    ({"verifiableCredential": []}, 400),
    ({"verifiableCredential": {}, "options": "fast"}, 400),
])
def test_verify_needs_a_credential_object(service, body, status: int) -> None:
    assert_problem(service.client.post("/credentials/verify", json=body), status)


@pytest.mark.parametrize("credential, pointer", [
    ({"type": ["VerifiableCredential"]}, "/credential/@context"),
    ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
      "issuer": "http://localhost:5000/issuers/riverbend"}, "/credential"),
    ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
      "issuer": "http://localhost:5000/issuers/riverbend",
      "credentialSubject": {"id": "did:example:1", "nickname": "Jo"}}, "/credential"),
])
def test_vc_api_issue_bad_credentials(service, credential: dict, pointer: str) -> None:
    before = service.counts()
    problem = assert_problem(service.client.post("/credentials/issue",
                                                 headers=service.auth(service.admin),
                                                 json={"credential": credential}), 400)
    assert problem["errors"][0]["pointer"].startswith(pointer)
    assert service.counts() == before


def test_idempotent_retry_returns_the_same_result(service) -> None:
    headers = {**service.auth(service.assessor), "Idempotency-Key": "shift-42-jordan"}
    first = service.client.post(URL, json=completion_body(), headers=headers)
    counts = service.counts()
    again = service.client.post(URL, json=completion_body(), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert service.counts() == counts

    other = service.client.post(URL, json=completion_body(level="advanced"), headers=headers)
    assert_problem(other, 409)
    assert service.counts() == counts


def test_same_body_without_key_issues_twice(service) -> None:
    headers = service.auth(service.assessor)
    first = service.client.post(URL, json=completion_body(), headers=headers).get_json()
    second = service.client.post(URL, json=completion_body(), headers=headers).get_json()
    assert first["credentialId"] != second["credentialId"]


def test_failure_while_signing_writes_nothing(service, monkeypatch) -> None:
    import issuer.services.issuance as issuance

    def broken(*args, **kwargs):
        raise RuntimeError("signing service down")

    monkeypatch.setattr(issuance, "sign_with", broken)
    before = service.counts()
    body = assert_problem(service.client.post(URL, json=completion_body(),
                                              headers=service.auth(service.assessor)), 500)
    assert "safe to retry" in body["detail"]
    assert service.counts() == before
