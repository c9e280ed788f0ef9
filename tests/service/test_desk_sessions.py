"""Desk sessions live in the store: the cookie holds a random id, never the API token, and
sign-out, token revocation and the idle and absolute timeouts end a session on every host."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from issuer.services.tokens import hash_token
from issuer.store import store
from issuer.store.models import ApiToken, DeskSession
from tests.service.test_tokens import TOKENS, another_host, token_id


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(client, token: str) -> str:
    """Sign ``client`` in; the session cookie's value."""
    csrf = _csrf(client.get("/desk").get_data(as_text=True))
    assert client.post("/desk/sign-in", data={"csrf": csrf, "token": token}).status_code == 302
    return client.get_cookie("session").value


def signed_in(client) -> bool:
    return "Sign out" in client.get("/desk").get_data(as_text=True)


def sessions(service) -> list[DeskSession]:
    with store(service.app).sessions() as db, db.begin():
        return list(db.scalars(select(DeskSession).order_by(DeskSession.id)))


def age_session(service, **ago: timedelta) -> None:
    """Move the open session's times into the past (time passing, without waiting)."""
    now = datetime.now(UTC)
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(DeskSession).where(DeskSession.ended_at.is_(None))
                   .values({column: now - delta for column, delta in ago.items()}))


def test_the_cookie_holds_a_session_id_not_the_token(service) -> None:
    cookie = sign_in(service.client, service.assessor)
    payload = cookie.lstrip(".").split(".")[0]
    decoded = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    assert b"cc_" not in decoded and service.assessor.encode() not in decoded
    content = service.app.session_interface.get_signing_serializer(service.app).loads(cookie)
    assert set(content) == {"sid"}
    [row] = sessions(service)
    assert row.session_hash == hash_token(content["sid"]) and row.ended_at is None
    assert row.token_id == token_id(service, service.assessor)
    assert signed_in(service.client)


def test_sign_out_ends_the_session_on_every_host(service) -> None:
    cookie = sign_in(service.client, service.assessor)
    _app, other = another_host(service)
    other.set_cookie("session", cookie)
    assert signed_in(other)
    csrf = _csrf(service.client.get("/desk").get_data(as_text=True))
    assert service.client.post("/desk/sign-out", data={"csrf": csrf}).status_code == 302
    assert not signed_in(service.client)
    service.client.set_cookie("session", cookie)  # the old cookie, replayed
    assert not signed_in(service.client)
    assert not signed_in(other)
    assert sessions(service)[0].ended_at is not None


def test_revoking_the_token_ends_its_desk_sessions(service) -> None:
    sign_in(service.client, service.assessor)
    assert signed_in(service.client)
    victim = token_id(service, service.assessor)
    revoked = service.app.test_client().post(
        f"{TOKENS}/{victim}/revoke", headers=service.auth(service.admin))
    assert revoked.status_code == 200
    assert sessions(service)[0].ended_at is not None
    assert not signed_in(service.client)


def test_an_expired_token_ends_the_session(service) -> None:
    sign_in(service.client, service.assessor)
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(service.assessor))
                   .values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert not signed_in(service.client)
    assert sessions(service)[0].ended_at is not None


def test_idle_and_absolute_timeouts(service) -> None:
    idle = timedelta(seconds=service.app.config["DESK_SESSION_IDLE_SECONDS"])
    lifetime = timedelta(seconds=service.app.config["DESK_SESSION_MAX_SECONDS"])
    sign_in(service.client, service.assessor)
    age_session(service, last_seen_at=idle - timedelta(minutes=2))
    assert signed_in(service.client)  # in use: last seen is brought forward
    assert datetime.now(UTC) - sessions(service)[0].last_seen_at.replace(tzinfo=UTC) \
        < timedelta(minutes=1)
    age_session(service, last_seen_at=idle + timedelta(seconds=1))
    assert not signed_in(service.client)

    sign_in(service.client, service.assessor)
    age_session(service, created_at=lifetime + timedelta(seconds=1))  # busy all day
    assert not signed_in(service.client)
    assert all(row.ended_at is not None for row in sessions(service))


def test_a_bad_token_opens_no_session(service) -> None:
    csrf = _csrf(service.client.get("/desk").get_data(as_text=True))
    refused = service.client.post("/desk/sign-in", data={"csrf": csrf, "token": "cc_nope"})
    assert refused.status_code == 401
    assert "the API token is unknown" in refused.get_data(as_text=True)
    assert sessions(service) == []


def test_sign_in_ends_abandoned_sessions_and_deletes_old_ones(service) -> None:
    idle = timedelta(seconds=service.app.config["DESK_SESSION_IDLE_SECONDS"])
    lifetime = timedelta(seconds=service.app.config["DESK_SESSION_MAX_SECONDS"])
    now = datetime.now(UTC)
    for _ in range(4):
        sign_in(service.client, service.assessor)
    live, idle_one, old_one, ended_long_ago = [row.session_hash for row in sessions(service)]
    with store(service.app).sessions() as db, db.begin():
        for session_hash, values in ((idle_one, {"last_seen_at": now - idle}),
                               (old_one, {"created_at": now - lifetime}),
                               (ended_long_ago, {"ended_at": now - lifetime})):
            db.execute(update(DeskSession).where(DeskSession.session_hash == session_hash)
                       .values(**values))
    another = service.app.test_client()  # nobody comes back to the abandoned ones
    sign_in(another, service.admin)
    left = {row.session_hash: row.ended_at for row in sessions(service)}
    assert ended_long_ago not in left and len(left) == 4
    assert left[live] is None and left[idle_one] and left[old_one]


@pytest.mark.parametrize("path", ["/desk/sign-in", "/desk/sign-out", "/desk/clr"])
def test_a_non_ascii_csrf_token_is_a_stale_form_not_a_server_error(service, path) -> None:
    """Found by schemathesis once the desk was in /openapi.json."""
    service.client.get("/desk")  # a CSRF token in the session cookie
    refused = service.client.post(path, data={"csrf": "ÿ±", "token": "cc_x"})
    assert refused.status_code == 400, refused.get_data(as_text=True)
    assert refused.mimetype == "application/problem+json"
    assert "the form has expired" in refused.get_json()["detail"]
