"""The Open Badges 3.0 API after its hostile review (/work/reviews/hostile-20.md): what an
anonymous or cheap request could turn into a 500, a redirect or a stored row is refused in
the shape its endpoint speaks (RFC 6749/7591 error objects on /oauth, imsx_StatusInfo under
/ims/ob/v3p0)."""

from __future__ import annotations

import base64

from issuer.store import store
from issuer.store.models import OAuthClient
from tests.service.learner_support import issue_to
from tests.service.test_ob_api import bearer, tokens_for

DEEP = b"[" * 100_000 + b"]" * 100_000
DEEP_OBJECT = b'{"a":' * 50_000 + b"1" + b"}" * 50_000


def _imsx(answer, status: int, minor: str) -> None:
    assert answer.status_code == status, answer.get_data(as_text=True)[:300]
    body = answer.get_json()
    assert body["imsx_codeMajor"] == "failure"
    assert body["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"] == \
        minor


def test_basic_credentials_that_are_not_utf8_are_an_invalid_client(service) -> None:
    """F1: authlib's decoder raised on them (a 500 for anyone, unauthenticated)."""
    header = {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:\xff").decode()}
    for path, form in (("/oauth/token", {"grant_type": "refresh_token",
                                         "refresh_token": "x"}),
                       ("/oauth/revoke", {"token": "x"})):
        answer = service.client.post(path, data=form, headers=header)
        assert answer.status_code == 401, answer.get_data(as_text=True)[:300]
        assert answer.get_json()["error"] == "invalid_client"
        assert answer.headers["WWW-Authenticate"].startswith("Basic")
    broken = service.client.post("/oauth/token", data={"grant_type": "refresh_token",
                                                       "refresh_token": "x"},
                                 headers={"Authorization": "Basic %%%"})
    assert broken.status_code == 401 and broken.get_json()["error"] == "invalid_client"


def test_deeply_nested_json_is_refused_not_a_500(service) -> None:
    """F13: registration (anonymous) and the profile read the body with the project's caps."""
    for body in (DEEP, DEEP_OBJECT):
        answer = service.client.post("/oauth/register", data=body,
                                     content_type="application/json")
        assert answer.status_code == 400, answer.get_data(as_text=True)[:300]
        assert answer.get_json()["error"] == "invalid_client_metadata"
    assert service.client.post("/oauth/register", data=b"{nope",
                               content_type="application/json").status_code == 400
    issue_to(service)
    _client, tokens = tokens_for(service)
    for body in (DEEP, DEEP_OBJECT):
        _imsx(service.client.put("/ims/ob/v3p0/profile", data=body,
                                 content_type="application/json",
                                 headers=bearer(tokens["access_token"])), 400, "invalid_data")
    with store(service.app).sessions() as db, db.begin():
        assert db.query(OAuthClient).count() == 1  # only tokens_for's client


def test_since_at_the_edge_of_the_calendar_is_a_bad_parameter(service) -> None:
    """F4: the conversion to UTC overflowed in the store (a 500)."""
    issue_to(service)
    _client, tokens = tokens_for(service)
    for since in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):
        answer = service.client.get("/ims/ob/v3p0/credentials", query_string={"since": since},
                                    headers=bearer(tokens["access_token"]))
        _imsx(answer, 400, "invalid_query_parameter")
    fine = service.client.get("/ims/ob/v3p0/credentials",
                              query_string={"since": "0001-01-01T00:00:00-01:00"},
                              headers=bearer(tokens["access_token"]))
    assert fine.status_code == 200 and fine.headers["X-Total-Count"] == "1"

