"""API tokens as credentials: listed and revoked (API and CLI), expiring, their last use
noted without a write per request, refused at once on every host once revoked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import event, select, update

from issuer.services.tokens import hash_token
from issuer.store import store
from issuer.store.models import ApiToken, AuditEvent
from tests.service.conftest import completion_body, make_app
from tests.service.test_errors import assert_problem

TOKENS = "/api/v1/issuers/riverbend/tokens"


def another_host(service):
    """A second app (another host) on the same store, with nothing shared in memory."""
    app = make_app(Path(service.app.instance_path),
                   DATABASE_URL=service.app.config["DATABASE_URL"])
    return app, app.test_client()


def token_id(service, token: str) -> int:
    with store(service.app).sessions() as db, db.begin():
        return db.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token)))


def set_token(service, token: str, **values) -> None:
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(token))
                   .values(**values))


def post_completion(client, token: str):
    return client.post("/api/v1/issuers/riverbend/completions", json=completion_body(),
                       headers={"Authorization": f"Bearer {token}"})


def test_admins_list_tokens_without_the_tokens(service) -> None:
    listed = service.client.get(TOKENS, headers=service.auth(service.admin))
    assert listed.status_code == 200
    tokens = listed.get_json()["tokens"]
    assert [(t["role"], t["label"], t["status"]) for t in tokens] == [
        ("admin", "created with the issuer", "active"), ("assessor", "trainer", "active")]
    text = listed.get_data(as_text=True)
    assert service.admin not in text and service.assessor not in text
    assert hash_token(service.assessor) not in text
    assert set(tokens[0]) == {"id", "issuer", "role", "label", "status", "createdAt",
                              "expiresAt", "lastUsedAt", "revokedAt"}
    assert_problem(service.client.get(TOKENS, headers=service.auth(service.assessor)), 403)
    assert_problem(service.client.get(TOKENS, headers=service.auth(service.other_admin)), 403)
    assert_problem(service.client.get(TOKENS), 401)


def test_a_revoked_token_is_refused_at_once_on_every_host(service) -> None:
    _other_app, other = another_host(service)
    assert post_completion(other, service.assessor).status_code == 201  # warm on host two
    victim = token_id(service, service.assessor)
    revoked = service.client.post(f"{TOKENS}/{victim}/revoke",
                                  headers=service.auth(service.admin))
    assert revoked.status_code == 200, revoked.get_json()
    assert revoked.get_json()["status"] == "revoked" and revoked.get_json()["revokedAt"]
    for client in (service.client, other):
        body = assert_problem(post_completion(client, service.assessor), 401)
        assert body["detail"] == "the API token has been revoked"
    assert_problem(service.client.post(f"{TOKENS}/{victim}/revoke",
                                       headers=service.auth(service.admin)), 409)
    assert_problem(service.client.post(f"{TOKENS}/9999/revoke",
                                       headers=service.auth(service.admin)), 404)
    assert_problem(service.client.post(f"{TOKENS}/{victim}/revoke",
                                       headers=service.auth(service.other_admin)), 403)
    with store(service.app).sessions() as db, db.begin():
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "token.revoke")).all()
    assert [e.subject for e in events] == [f"token:{victim}"]
    assert events[0].token_id == token_id(service, service.admin)


def test_a_token_can_expire(service) -> None:
    soon = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    created = service.client.post(TOKENS, json={"role": "assessor", "expiresAt": soon},
                                  headers=service.auth(service.admin))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["token"].startswith("cc_") and body["expiresAt"] and body["status"] == "active"
    assert post_completion(service.client, body["token"]).status_code == 201
    # An hour passes.
    set_token(service, body["token"], expires_at=datetime.now(UTC) - timedelta(seconds=1))
    refused = assert_problem(post_completion(service.client, body["token"]), 401)
    assert refused["detail"].startswith("the API token expired at ")
    listed = service.client.get(TOKENS, headers=service.auth(service.admin)).get_json()
    assert [t["status"] for t in listed["tokens"] if t["id"] == body["id"]] == ["expired"]


def test_an_expiry_must_be_a_future_date_time_with_an_offset(service) -> None:
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for value in (past, "2030-01-01T00:00:00", "next tuesday"):
        body = assert_problem(service.client.post(
            TOKENS, json={"role": "assessor", "expiresAt": value},
            headers=service.auth(service.admin)), 422)
        assert body["errors"][0]["pointer"] == "/expiresAt"


def test_last_use_is_noted_at_most_once_a_minute(service) -> None:
    assert service.client.get(TOKENS, headers=service.auth(service.admin)).get_json()[
        "tokens"][1]["lastUsedAt"] is None  # the assessor's token, not yet used
    writes = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE API_TOKENS SET LAST_USED_AT"):
            writes.append(statement)

    engine = store(service.app).engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        for _ in range(4):
            service.client.get("/api/v1/issuers/riverbend/credentials",
                               headers=service.auth(service.assessor))
        assert len(writes) == 1
        set_token(service, service.assessor,  # two minutes pass
                  last_used_at=datetime.now(UTC) - timedelta(minutes=2))
        writes.clear()
        service.client.get("/api/v1/issuers/riverbend/credentials",
                           headers=service.auth(service.assessor))
        assert len(writes) == 1
    finally:
        event.remove(engine, "before_cursor_execute", count)
    tokens = service.client.get(TOKENS, headers=service.auth(service.admin)).get_json()
    used = datetime.fromisoformat(tokens["tokens"][1]["lastUsedAt"])
    assert datetime.now(UTC) - used < timedelta(minutes=1)


def test_tokens_from_the_command_line(service) -> None:
    runner = service.app.test_cli_runner()
    created = runner.invoke(args=["tokens", "create", "--issuer", "riverbend", "--role",
                                  "assessor", "--label", "night shift",
                                  "--expires-at", "2099-01-31T17:00:00+01:00"])
    assert created.exit_code == 0, created.output
    token = json.loads(created.output)
    assert token["expiresAt"] == "2099-01-31T16:00:00Z"
    listed = runner.invoke(args=["tokens", "list", "--issuer", "riverbend"])
    assert listed.exit_code == 0, listed.output
    assert token["token"] not in listed.output
    assert [t["label"] for t in json.loads(listed.output)["tokens"]] == [
        "created with the issuer", "trainer", "night shift"]
    revoked = runner.invoke(args=["tokens", "revoke", str(token["id"]), "--issuer",
                                  "riverbend"])
    assert revoked.exit_code == 0, revoked.output
    assert json.loads(revoked.output)["status"] == "revoked"
    assert_problem(post_completion(service.client, token["token"]), 401)
    again = runner.invoke(args=["tokens", "revoke", str(token["id"]), "--issuer",
                                "riverbend"])
    assert again.exit_code == 1 and "already revoked" in again.output
    wrong_issuer = runner.invoke(args=["tokens", "revoke", str(token["id"]), "--issuer",
                                       "lakeside"])
    assert wrong_issuer.exit_code == 1 and "no token" in wrong_issuer.output


@pytest.mark.parametrize("value", [
    "2099-01-31", "2099-01-31T17:00:00", "2099-01-31 17:00:00Z", "2099-02-30T17:00:00Z",
    "20990131T170000Z", "2000-01-31T17:00:00Z"])
def test_an_expiry_is_read_the_same_on_the_command_line_and_the_api(service, value) -> None:
    body = assert_problem(service.client.post(
        TOKENS, json={"role": "assessor", "expiresAt": value},
        headers=service.auth(service.admin)), 422)
    assert body["errors"][0]["pointer"] == "/expiresAt" and value in body["detail"]
    refused = service.app.test_cli_runner().invoke(args=[
        "tokens", "create", "--issuer", "riverbend", "--role", "assessor",
        "--expires-at", value])
    assert refused.exit_code == 2 and "--expires-at" in refused.output
    assert value in refused.output and "/expiresAt" not in refused.output


def test_the_last_active_admin_token_cannot_be_revoked(service) -> None:
    admin = token_id(service, service.admin)
    body = assert_problem(service.client.post(f"{TOKENS}/{admin}/revoke",
                                              headers=service.auth(service.admin)), 409)
    assert body["type"] == "/problems/last-admin-token"
    assert "last active admin token" in body["detail"]
    refused = service.app.test_cli_runner().invoke(
        args=["tokens", "revoke", str(admin), "--issuer", "riverbend"])
    assert refused.exit_code == 1 and "last active admin token" in refused.output
    assert post_completion(service.client, service.admin).status_code == 201
    # An expired admin token does not count; a second working one does.
    expired = service.client.post(TOKENS, json={"role": "admin"},
                                  headers=service.auth(service.admin)).get_json()
    set_token(service, expired["token"], expires_at=datetime.now(UTC) - timedelta(seconds=1))
    assert service.client.post(f"{TOKENS}/{admin}/revoke",
                               headers=service.auth(service.admin)).status_code == 409
    assert service.client.post(f"{TOKENS}/{expired['id']}/revoke",
                               headers=service.auth(service.admin)).status_code == 200
    second = service.client.post(TOKENS, json={"role": "admin"},
                                 headers=service.auth(service.admin)).get_json()
    revoked = service.client.post(f"{TOKENS}/{admin}/revoke",
                                  headers=service.auth(second["token"]))
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"


def test_token_answers_are_as_the_openapi_document_says(service) -> None:
    spec = service.client.get("/openapi.json").get_json()

    def check(body, name: str) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": spec["components"]}
        Draft202012Validator(schema, format_checker=FormatChecker()).validate(body)

    created = service.client.post(TOKENS, json={"role": "assessor", "label": "x"},
                                  headers=service.auth(service.admin)).get_json()
    check(created, "NewToken")
    for token in service.client.get(TOKENS, headers=service.auth(service.admin)).get_json()[
            "tokens"]:
        check(token, "Token")
    check(service.client.post(f"{TOKENS}/{created['id']}/revoke",
                              headers=service.auth(service.admin)).get_json(), "Token")
    assert {"/api/v1/issuers/{slug}/tokens", "/api/v1/issuers/{slug}/tokens/{id}/revoke"} \
        <= set(spec["paths"])
