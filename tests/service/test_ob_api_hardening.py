"""The Open Badges 3.0 API after its hostile review (/work/reviews/hostile-20.md): what an
anonymous or cheap request could turn into a 500, a redirect or a stored row is refused in
the shape its endpoint speaks (RFC 6749/7591 error objects on /oauth, imsx_StatusInfo under
/ims/ob/v3p0)."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from jsonschema import Draft201909Validator, FormatChecker
from sqlalchemy import select

from issuer.pages import consent
from issuer.services import ob_api
from issuer.store import store
from issuer.store.models import HeldCredential, OAuthClient, OAuthGrant, OAuthToken
from tests.service.learner_support import (
    LEARNER,
    ask_for_link,
    csrf_in,
    follow_link,
    issue_to,
    last_link,
    learner_client,
    mails,
)
from tests.service.test_ob_api import (
    ALL_SCOPES,
    CALLBACK,
    SCOPE,
    basic,
    bearer,
    client_metadata,
    foreign_credential,
    pkce,
    register,
    schemas,  # noqa: F401 (a fixture)
    tokens_for,
    valid,
)

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



def _start(browser, client: dict) -> str:
    """``browser`` opens the client's authorization request: its consent page's path."""
    _, challenge = pkce()
    started = browser.get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": CALLBACK,
        "scope": ALL_SCOPES, "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256"}))
    assert started.status_code == 303, started.get_data(as_text=True)
    return started.headers["Location"]


def test_a_pending_authorization_belongs_to_the_browser_that_started_it(service) -> None:
    """F6: an attacker starts a request and has the service mail the learner a sign-in link
    landing on its consent page. The mail names the application and warns; the link signs
    the learner in onto /me, and the consent page and its decision are refused in their
    browser. Asked for from a browser that did not start it, the link is a plain one."""
    issue_to(service)
    client = register(service, client_name="Official backpack")
    attacker = service.app.test_client()
    consent = _start(attacker, client)
    assert ask_for_link(attacker, LEARNER, landing=consent).status_code == 200
    mail = mails(service, LEARNER, "learner-sign-in-link")[-1]
    assert "Official backpack (host.example) asks" in mail.text_body
    assert "do not sign in" in mail.text_body
    assert ask_for_link(service.app.test_client(), LEARNER, landing=consent).status_code == 200
    mail = mails(service, LEARNER, "learner-sign-in-link")[-1]
    assert "Official backpack" not in mail.text_body
    assert mail.subject == "Sign in to see your credentials"
    assert follow_link(service.app.test_client(), last_link(service, LEARNER)) \
        .headers["Location"].endswith("/me")
    assert ask_for_link(attacker, LEARNER, landing=consent).status_code == 200
    victim = service.app.test_client()
    assert follow_link(victim, last_link(service, LEARNER)).headers["Location"] == consent
    onward = victim.get(consent)  # signed in now, but not the browser that started it
    assert onward.status_code == 303 and onward.headers["Location"].endswith("/me")
    page = service.app.test_client().get(consent)
    assert page.status_code == 403 and "Official backpack" not in page.get_data(as_text=True)
    signed = learner_client(service)
    refused = signed.post(consent, data={"csrf": csrf_in(signed.get("/me").get_data(
        as_text=True)), "decision": "allow"})
    assert refused.status_code == 403 and "Location" not in refused.headers


def test_a_link_asked_for_from_the_consent_page_names_the_application(service) -> None:
    """F6: in the browser that started the request, the link lands on the consent page, and
    the mail says which application asks (and where it sends the learner)."""
    issue_to(service)
    client = register(service)
    browser = service.app.test_client()
    consent = _start(browser, client)
    assert browser.get(consent).status_code == 401  # sign in first
    assert ask_for_link(browser, LEARNER, landing=consent).status_code == 200
    mail = mails(service, LEARNER, "learner-sign-in-link")[-1]
    assert "Example Backpack (host.example) asks to use" in mail.text_body
    assert "application" in mail.subject
    landed = follow_link(browser, last_link(service, LEARNER))
    assert landed.status_code == 303 and landed.headers["Location"].endswith(consent)
    page = browser.get(consent)
    assert page.status_code == 200 and "Example Backpack" in page.get_data(as_text=True)
    decided = browser.post(consent, data={"csrf": csrf_in(page.get_data(as_text=True)),
                                          "decision": "allow"})
    assert decided.status_code == 302 and decided.headers["Location"].startswith(CALLBACK)


def test_an_invalid_authorization_request_is_never_redirected(service) -> None:
    """F3: registration is open, so no client's redirect URI is trusted (RFC 9700 section
    4.11.2): /me/authorize, anonymous or signed in, shows the error instead of bouncing the
    browser to whatever site registered itself."""
    client = register(service, redirect_uris=["https://evil.example/phish"])
    base = {"response_type": "code", "client_id": client["client_id"],
            "redirect_uri": "https://evil.example/phish", "scope": ALL_SCOPES, "state": "s",
            "code_challenge": pkce()[1], "code_challenge_method": "S256"}
    issue_to(service)
    for browser in (service.app.test_client(), learner_client(service)):
        for change in ({"response_type": "token"}, {"scope": "bogus"},
                       {"code_challenge_method": "plain"}, {"code_challenge": ""}):
            answer = browser.get("/me/authorize?" + urlencode({**base, **change}))
            assert answer.status_code == 400, (change, answer.headers.get("Location"))
            assert "Location" not in answer.headers
            assert "cannot go ahead" in answer.get_data(as_text=True)


INJECTED = "https://evil.example; frame-ancestors *; report-uri https://evil.example/r; x/cb"


def test_redirect_uris_are_strict_uris_and_the_csp_is_built_from_parsed_parts(service
                                                                           ) -> None:
    """F5: a redirect URI with spaces and ';' went into the consent page's CSP as it was,
    adding directives (frame-ancestors *). Registration takes https URIs with a plain host
    (http on a loopback IP only), and the CSP's form-action is rebuilt from scheme, host
    and port."""
    for bad in (INJECTED, "https://a b.example/cb", "https://x.example/a,b",
                "https://x.example/cb'", "https://x.example/cb#frag",
                "https://user@x.example/cb", "http://localhost:8000/cb",
                "http://x.example/cb", "https://x.example:99999/cb"):
        answer = service.client.post("/oauth/register", json={
            **client_metadata(bad)})
        assert answer.status_code == 400, bad
        assert answer.get_json()["error"] == "invalid_redirect_uri"
    for good in ("http://127.0.0.1:8123/cb", "http://[::1]:8123/cb",
                 "https://Host.example:8443/cb?x=1&y=%20"):
        register(service, redirect_uris=[good])
    issue_to(service)
    client = register(service)
    with store(service.app).sessions() as db, db.begin():  # as stored before this check
        row = db.get(OAuthClient, client["client_id"])
        row.client_metadata = {**row.client_metadata, "redirect_uris": [INJECTED]}
    browser = learner_client(service)
    _, challenge = pkce()
    started = browser.get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": INJECTED,
        "scope": ALL_SCOPES, "state": "s", "code_challenge": challenge,
        "code_challenge_method": "S256"}))
    policy = browser.get(started.headers["Location"]).headers["Content-Security-Policy"]
    assert "evil" not in policy and policy.count("frame-ancestors") == 1
    assert policy.endswith("form-action 'self' ; frame-ancestors 'none'")
    normal = register(service)
    browser = learner_client(service)
    consent = _start(browser, normal)
    assert "form-action 'self' https://host.example;" in \
        browser.get(consent).headers["Content-Security-Policy"]


def _held(service, email: str = LEARNER) -> str:
    """A credential stored for ``email`` (as if upserted earlier): its row's id."""
    with store(service.app).sessions() as db, db.begin():
        row = HeldCredential(id=str(uuid.uuid4()), email=email, credential_key="0" * 64,
                             document="{}", is_jwt=False, client_id="x")
        db.add(row)
        return row.id


def test_stored_credentials_are_capped_per_learner_in_count_and_size(service, examples: Path,
                                                                    monkeypatch) -> None:
    """F8: a learner (or any host they connect) could store credentials without end. At the
    cap a new one is refused (imsx invalid_data), one with the same id is still replaced;
    one over the size cap is refused."""
    issue_to(service)
    _client, tokens = tokens_for(service)
    headers = {**bearer(tokens["access_token"]), "Content-Type": "application/json"}
    foreign = json.dumps(foreign_credential(examples, LEARNER)).encode()
    monkeypatch.setattr(ob_api, "MAX_HELD", 1)
    other = _held(service)
    _imsx(service.client.post("/ims/ob/v3p0/credentials", data=foreign, headers=headers),
          400, "invalid_data")
    with store(service.app).sessions() as db, db.begin():
        db.delete(db.get(HeldCredential, other))
    stored = service.client.post("/ims/ob/v3p0/credentials", data=foreign, headers=headers)
    assert stored.status_code == 201, stored.get_json()
    _held(service)  # now over the cap: replacing is still allowed
    assert service.client.post("/ims/ob/v3p0/credentials", data=foreign,
                               headers=headers).status_code == 200
    _held(service, "sam.lee@example.com")  # someone else's do not count
    monkeypatch.setattr(ob_api, "MAX_HELD", 1000)
    monkeypatch.setattr(ob_api, "MAX_HELD_BYTES", 100)
    big = service.client.post("/ims/ob/v3p0/credentials", data=foreign, headers=headers)
    _imsx(big, 400, "invalid_data")
    assert "at most 100 bytes" in big.get_json()["imsx_description"]


def test_authorization_requests_are_limited_per_address_and_state_is_capped(service,
                                                                            monkeypatch
                                                                            ) -> None:
    """F9: each request kept is a row for 30 minutes, sent by anyone: 60 per ten minutes
    per address, and a state of at most 512 characters."""
    client = register(service)
    browser = service.app.test_client()
    long_state = browser.get("/me/authorize?" + urlencode({
        "response_type": "code", "client_id": client["client_id"], "redirect_uri": CALLBACK,
        "scope": ALL_SCOPES, "state": "s" * 513, "code_challenge": pkce()[1],
        "code_challenge_method": "S256"}))
    assert long_state.status_code == 400 and "512" in long_state.get_data(as_text=True)
    monkeypatch.setattr(consent, "REQUESTS", ("oauth authorization request per address",
                                              3, 600))
    for _ in range(3):
        _start(browser, client)
    refused = browser.get("/me/authorize?response_type=code")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "600"
    with store(service.app).sessions() as db, db.begin():
        assert db.query(OAuthGrant).count() == 3


def test_registration_metadata_is_capped_in_size(service) -> None:
    """F7: anyone may register, and a client is kept: its metadata is at most 16 KB."""
    answer = service.client.post("/oauth/register", json={
        **client_metadata(), "contacts": ["a@b.example"] * 2000})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "invalid_client_metadata"
    with store(service.app).sessions() as db, db.begin():
        assert db.query(OAuthClient).count() == 0


def test_profile_values_are_what_they_claim_and_pass_the_schemas_formats(service,
                                                                         standards: Path
                                                                         ) -> None:
    """F10: dates in any script's digits, impossible dates and URLs without a host were
    kept, and the answer then failed the official schema once formats are checked."""
    issue_to(service)
    _client, tokens = tokens_for(service)
    headers = bearer(tokens["access_token"])
    for bad in ({"dateOfBirth": "9999-99-99"}, {"dateOfBirth": "١٩٩٠-٠١-٠١"},
                {"dateOfBirth": "1990-02-30"}, {"url": "http:evil"},
                {"url": "https://a b"}, {"url": "https:///path"}):
        _imsx(service.client.put("/ims/ob/v3p0/profile", headers=headers,
                                 json={"type": ["Profile"], **bad}), 400, "invalid_data")
    kept = service.client.put("/ims/ob/v3p0/profile", headers=headers, json={
        "type": ["Profile"], "dateOfBirth": "1990-04-01", "url": "https://jordan.example/me"})
    assert kept.status_code == 200
    schema = json.loads((standards / "schemas" / "ob_v3p0" /
                         "ob_v3p0_profile_schema.json").read_text())
    checker = Draft201909Validator(schema, format_checker=FormatChecker())
    assert [e.message for e in checker.iter_errors(kept.get_json())] == []
    _imsx(service.client.get("/ims/ob/v3p0/credentials?limit=%EF%BC%91", headers=headers),
          400, "invalid_query_parameter")


def test_bearer_challenges_name_the_error_and_the_scope(service) -> None:
    """F11: RFC 6750 section 3.1's error codes in WWW-Authenticate."""
    issue_to(service)
    _client, tokens = tokens_for(service, scope=SCOPE + "profile.readonly")
    none = service.client.get("/ims/ob/v3p0/profile")
    assert none.headers["WWW-Authenticate"] == 'Bearer realm="Open Badges API"'
    bad = service.client.get("/ims/ob/v3p0/profile", headers=bearer("nope"))
    assert bad.status_code == 401
    assert 'error="invalid_token"' in bad.headers["WWW-Authenticate"]
    short = service.client.get("/ims/ob/v3p0/credentials",
                               headers=bearer(tokens["access_token"]))
    assert short.status_code == 403
    assert short.headers["WWW-Authenticate"] == (
        f'Bearer realm="Open Badges API", error="insufficient_scope", '
        f'scope="{SCOPE}credential.readonly"')


def test_links_are_built_from_the_parameters_understood(service) -> None:
    """F12: the Link header copied the raw query, so a crafted one added a link."""
    issue_to(service)
    issue_to(service)
    _client, tokens = tokens_for(service)
    answer = service.client.get(
        "/ims/ob/v3p0/credentials?limit=1&x=%3E;%20rel=%22next%22,%20%3Chttps://evil"
        "&since=2000-01-01T00:00:00%2B01:00", headers=bearer(tokens["access_token"]))
    assert answer.status_code == 200
    link = answer.headers["Link"]
    assert "evil" not in link and "x=" not in link
    assert link.startswith("<http://localhost/ims/ob/v3p0/credentials?limit=1&offset=1"
                           "&since=2000-01-01T00%3A00%3A00%2B01%3A00>; rel=\"next\"")


def test_our_revoked_credentials_are_not_listed(service) -> None:
    """F14: a credential our issuer revoked kept being served to every host."""
    kept = issue_to(service)
    revoked = issue_to(service)
    _client, tokens = tokens_for(service)
    done = service.client.post(f"/api/v1/issuers/riverbend/credentials/{revoked}/revoke",
                               json={"reason": "issued in error"},
                               headers=service.auth(service.admin))
    assert done.status_code == 200, done.get_json()
    listed = service.client.get("/ims/ob/v3p0/credentials",
                                headers=bearer(tokens["access_token"]))
    assert listed.headers["X-Total-Count"] == "1"
    assert [c["id"].rsplit("/", 1)[-1] for c in listed.get_json()["credential"]] == [kept]


def test_every_error_under_the_api_path_is_imsx_and_an_unknown_hint_is_ignored(
        service, schemas) -> None:  # noqa: F811
    """F11: an unknown path, another method and a body over the size cap were problem
    details under /ims/ob/v3p0; an unknown token_type_hint was a 401 (RFC 7009 section 2.1
    ignores it)."""
    issue_to(service)
    client, tokens = tokens_for(service)
    headers = bearer(tokens["access_token"])
    for answer, status, minor in (
            (service.client.get("/ims/ob/v3p0/credentialz", headers=headers), 404,
             "not_found"),
            (service.client.delete("/ims/ob/v3p0/credentials", headers=headers), 405,
             "not_allowed"),
            (service.client.post("/ims/ob/v3p0/credentials", data=b"x" * (1024 * 1024 + 1),
                                 headers={**headers, "Content-Type": "application/json"}),
             413, "invalid_data")):
        _imsx(answer, status, minor)
        valid(schemas, "imsx_statusinfo", answer.get_json())
    assert service.client.get("/api/v1/nowhere").mimetype == "application/problem+json"
    revoked = service.client.post("/oauth/revoke", data={
        "token": tokens["access_token"], "token_type_hint": "xyz"}, headers=basic(client))
    assert revoked.status_code == 200
    assert service.client.get("/ims/ob/v3p0/profile", headers=headers).status_code == 401


def test_a_client_cannot_take_the_services_own_name(service) -> None:
    """F6: the consent page and the mail name the application; "Competency Credentials
    (official backpack)" passed for us."""
    for name in ("Competency Credentials (official backpack)", "COMPETENCY-credentials",
                 "Ｃｏｍｐｅｔｅｎｃｙ Ｃｒｅｄｅｎｔｉａｌｓ"):
        answer = service.client.post("/oauth/register",
                                     json={**client_metadata(), "client_name": name})
        assert answer.status_code == 400, name
        assert answer.get_json()["error"] == "invalid_client_metadata"
    assert register(service, client_name="Credentials Backpack")["client_id"]


def test_clients_that_never_obtained_a_token_go_after_a_day(service) -> None:
    """F7: open registration kept every client forever. A registration sweeps those
    registered a day ago that never obtained a token (with their pending requests); a
    client in use stays."""
    issue_to(service)
    used, _tokens = tokens_for(service)
    idle = register(service)
    _start(service.app.test_client(), idle)
    day_ago = datetime.now(UTC) - timedelta(days=1, minutes=1)
    with store(service.app).sessions() as db, db.begin():
        for client in (used, idle):
            db.get(OAuthClient, client["client_id"]).created_at = day_ago
    fresh = register(service)
    with store(service.app).sessions() as db, db.begin():
        kept = set(db.scalars(select(OAuthClient.client_id)))
        assert kept == {used["client_id"], fresh["client_id"]}
        assert set(db.scalars(select(OAuthGrant.client_id))) == {used["client_id"]}
        assert db.query(OAuthToken).count() == 1


def test_pages_of_ours_and_held_credentials_are_cut_in_the_store(service,
                                                                 examples: Path) -> None:
    """F8: every key of the learner was loaded and sorted in Python on each page; the union
    is now ordered and cut by the store, with the same order (oldest first)."""
    first, second = issue_to(service), issue_to(service)
    _client, tokens = tokens_for(service)
    headers = bearer(tokens["access_token"])
    stored = service.client.post("/ims/ob/v3p0/credentials", headers={
        **headers, "Content-Type": "application/json"},
        data=json.dumps(foreign_credential(examples, LEARNER)).encode())
    assert stored.status_code == 201, stored.get_json()
    seen = []
    for offset in range(3):
        page = service.client.get(f"/ims/ob/v3p0/credentials?limit=1&offset={offset}",
                                  headers=headers)
        assert page.headers["X-Total-Count"] == "3"
        seen += [c["id"].rsplit("/", 1)[-1] for c in page.get_json()["credential"]]
    assert seen[:2] == [first, second] and seen[2] == stored.get_json()["id"]
    with store(service.app).sessions() as db, db.begin():
        since = db.scalars(select(HeldCredential.created_at)).one() - timedelta(microseconds=1)
    later = service.client.get("/ims/ob/v3p0/credentials", headers=headers,
                               query_string={"since": since.isoformat()})
    assert later.headers["X-Total-Count"] == "1"
