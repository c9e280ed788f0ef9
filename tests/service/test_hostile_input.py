"""Hostile bodies are refused before any processing, with a problem that says where."""

from __future__ import annotations

import json

from tests.service.conftest import completion_body


def test_deeply_nested_json_is_refused(service) -> None:
    for depth in (65, 10_000, 200_000):
        body = '{"verifiableCredential": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
        response = service.client.post("/credentials/verify", data=body,
                                       content_type="application/json")
        assert response.status_code in (400, 413), depth
        assert response.mimetype == "application/problem+json"
        if response.status_code == 400:
            assert "nested more than 64 levels" in response.get_json()["detail"]


def test_long_arrays_and_huge_strings_are_refused(service) -> None:
    long = service.client.post("/credentials/verify",
                               json={"verifiableCredential": {"type": [1] * 10_001}})
    assert long.status_code == 400
    assert long.get_json()["errors"][0]["pointer"] == "/verifiableCredential/type"
    huge = service.client.post("/credentials/verify", data=json.dumps(
        {"verifiableCredential": {"name": "x" * 50_000_000}}), content_type="application/json")
    assert huge.status_code == 413 and huge.mimetype == "application/problem+json"


def test_inline_context_bombs_are_refused(service) -> None:
    context = [{"@version": 1.1, f"t{i}": {"@id": f"https://example.org/{i}",
                                           "@context": {"x": "https://example.org/x"}}}
               for i in range(51)]
    response = service.client.post("/credentials/verify", json={
        "verifiableCredential": {"@context": context, "type": "VerifiableCredential"}})
    assert response.status_code == 400 and "inline JSON-LD contexts" in response.get_json()[
        "detail"]


def test_a_batch_of_too_many_rows_is_refused(service) -> None:
    response = service.client.post("/api/v1/issuers/riverbend/completions:batch",
                                    json=[completion_body()] * 10_001,
                                    headers=service.auth(service.assessor))
    assert response.status_code in (400, 413)
    assert service.counts()["credentials"] == 0
