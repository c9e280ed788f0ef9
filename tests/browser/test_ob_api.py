"""A host (authlib's OAuth 2.0 client, from PyPI: nothing of ours) uses the Open Badges 3.0
API against gunicorn, with the learner in a real browser (Playwright, Debian's chromium): it
reads the service description document, registers itself, sends the learner to authorize
(PKCE S256); the learner signs in with the link mailed to them (read from the outbox) and
allows; the host exchanges the code, pages through the credentials, stores an official
example credential, reads the profile, refreshes (the refresh token rotates) and revokes;
the learner finds the host on the page of applications they allowed.
Every answer of the API is checked against the official 1EdTech schemas; axe-core checks
the sign-in and consent pages."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session

from tests.service.conftest import completion_body
from tests.service.learner_support import LINK
from tests.service.live import LiveServer, call, live_server, newest_mail_text
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (fixture)
from tests.service.test_ob_api import (  # noqa: F401 (schemas: a fixture)
    client_metadata,
    foreign_credential,
    schemas,
    valid,
)

LEARNER = "jordan.rivera@example.com"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from live_server(tmp_path)


@pytest.fixture
def callback() -> Iterator[tuple[str, list[str]]]:
    """The host's redirect URI: a loopback listener that keeps every URL it is sent to."""
    received: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            received.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(b"<!doctype html><html lang=en><title>Host</title>"
                             b"<main><h1>Back at the host</h1></main></html>")

        def log_message(self, *args: object) -> None:
            """Quiet."""

    listener = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.server_address[1]}/callback", received
    listener.shutdown()
    listener.server_close()


def newest_link(server: LiveServer, recipient: str) -> str:
    """The link in the newest sign-in mail to ``recipient`` (the worker writes it after
    the answer: newest_mail_text waits for it)."""
    return server.base + LINK.search(
        newest_mail_text(server, recipient, "learner-sign-in-link")).group(1)


def test_a_host_registers_gets_consent_pages_upserts_refreshes_and_revokes(
        server: LiveServer, browser_page, callback, schemas, examples: Path  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page, base = browser_page, server.base
    redirect_uri, received = callback
    for level in ("emerging", "developing", "proficient"):
        body = completion_body(level=level)
        body["learner"]["email"] = LEARNER
        status, answer = call(f"{base}/api/v1/issuers/riverbend/completions", body,
                              server.assessor)
        assert status == 201, answer

    # The host reads the service description document and registers itself.
    discovery = requests.get(f"{base}/ims/ob/v3p0/discovery", timeout=30).json()
    scheme = discovery["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    scopes = " ".join(flow["scopes"])
    registered = requests.post(scheme["x-imssf-registrationUrl"], timeout=30,
                               json=client_metadata(redirect_uri, scopes))
    assert registered.status_code == 201, registered.text
    client = registered.json()
    host = OAuth2Session(client["client_id"], client["client_secret"], scope=scopes,
                         redirect_uri=redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method="client_secret_basic")
    verifier = generate_token(48)
    url, state = host.create_authorization_url(flow["authorizationUrl"],
                                               code_verifier=verifier)

    # The learner, in the browser: not signed in, so the sign-in page first.
    page.goto(url)
    expect(page.get_by_role("status")).to_contain_text("Example Backpack asks to see")
    accessible(page, "ob-api-sign-in")
    page.get_by_label("The email address your credentials were issued to").fill(LEARNER)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("is on its way")
    page.goto(newest_link(server, LEARNER))
    page.get_by_role("button", name=f"Sign in as {LEARNER}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Allow Example Backpack to use your credentials?")
    assert page.get_by_role("listitem").filter(has_text="Read your credentials").count() == 1
    accessible(page, "ob-api-consent")
    page.get_by_role("button", name="Allow").click()
    page.wait_for_url(re.compile(re.escape(redirect_uri) + r"\?"))
    arrived = [path for path in received if path.startswith("/callback?")]
    assert len(arrived) == 1
    back = parse_qs(urlsplit(arrived[0]).query)
    assert back["state"] == [state]

    token = host.fetch_token(flow["tokenUrl"], authorization_response=page.url,
                             code_verifier=verifier)
    assert token["token_type"] == "Bearer" and token["refresh_token"]

    # Paging through the credentials, by the Link header.
    api = discovery["servers"][0]["url"]
    seen, link = [], f"{api}/credentials?limit=2"
    while link:
        answer = host.get(link, timeout=30)
        assert answer.status_code == 200 and answer.headers["X-Total-Count"] == "3"
        valid(schemas, "getopenbadgecredentialsresponse", answer.json())
        seen += [c["id"] for c in answer.json()["credential"]]
        link = answer.links.get("next", {}).get("url")
    assert len(set(seen)) == 3

    # A credential the learner holds from elsewhere (an official example re-issued by an
    # issuer its did:key ties to the signature): verified, then stored.
    foreign = json.dumps(foreign_credential(examples, LEARNER)).encode()
    stored = host.post(f"{api}/credentials", data=foreign, timeout=60,
                       headers={"Content-Type": "application/json"})
    assert stored.status_code == 201, stored.text
    assert stored.json()["id"] == json.loads(foreign)["id"]
    listed = host.get(f"{api}/credentials", timeout=30)
    valid(schemas, "getopenbadgecredentialsresponse", listed.json())
    assert listed.headers["X-Total-Count"] == "4"

    profile = host.get(f"{api}/profile", timeout=30)
    valid(schemas, "profile", profile.json())
    assert profile.json()["email"] == LEARNER

    # The learner sees whom they allowed.
    page.goto(f"{base}/me/applications")
    expect(page.get_by_role("heading", level=2)).to_have_text("Example Backpack")
    accessible(page, "ob-api-applications")

    # Refresh: a new pair, and the old refresh token is spent.
    old_refresh = token["refresh_token"]
    renewed = host.refresh_token(flow["refreshUrl"])
    assert renewed["refresh_token"] != old_refresh
    assert host.get(f"{api}/profile", timeout=30).status_code == 200

    # Revoke: the host's access ends.
    revoked = host.revoke_token(f"{base}/oauth/revoke", token=renewed["refresh_token"],
                                token_type_hint="refresh_token")
    assert revoked.status_code == 200
    refused = host.get(f"{api}/profile", timeout=30)
    assert refused.status_code == 401
    valid(schemas, "imsx_statusinfo", refused.json())
