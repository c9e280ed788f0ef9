"""Single sign-on against a real OpenID Provider (oidc-provider from npm, started by the
test): the authorization code flow with PKCE, state and nonce, over real HTTP to the
provider; the person lands on the desk as themselves, and someone outside the issuer's email
domains, not on its staff, or with an unverified email is refused with a page that says so."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from sqlalchemy import select

from issuer.store import store
from issuer.store.models import AuditEvent, OidcProvider, StaffMember
from tests.service.conftest import BASE
from tests.service.oidc_support import CLIENT_ID, CLIENT_SECRET, openid_provider
from tests.service.test_staff import ADMIN, invite_by_cli

CALLBACK = f"{BASE}/desk/sso/riverbend/callback"
ACCOUNTS = {
    "ada": {"email": ADMIN, "email_verified": True, "name": "Ada Admin"},
    "mallory": {"email": "mallory@elsewhere.example.com", "email_verified": True},
    "zed": {"email": "zed@riverbend.example.org", "email_verified": True},
    "unverified": {"email": ADMIN, "email_verified": False},
}


@pytest.fixture
def provider(service) -> Iterator[str]:
    with openid_provider(CALLBACK, ACCOUNTS) as issuer:
        result = service.app.test_cli_runner().invoke(args=[
            "staff", "sso", "--issuer", "riverbend", "--label", "Riverbend SSO",
            "--provider-url", issuer, "--client-id", CLIENT_ID,
            "--client-secret", CLIENT_SECRET, "--email-domain", "riverbend.example.org"])
        assert result.exit_code == 0, result.output
        invite_by_cli(service, ADMIN, "admin")
        yield issuer


def sign_in_at_provider(service, login: str):
    """Press "Sign in with Riverbend SSO" on the desk, sign in at the provider as ``login``
    (real HTTP), and bring its answer back to the desk: (the desk client, its answer)."""
    client = service.app.test_client()
    page = client.get("/desk").get_data(as_text=True)
    assert "Sign in with Riverbend SSO" in page
    start = client.get("/desk/sso/riverbend")
    assert start.status_code == 302, start.get_data(as_text=True)
    asked = parse_qs(urlsplit(start.headers["Location"]).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["nonce"] and asked["state"]
    browser = requests.Session()
    answer = browser.get(start.headers["Location"], timeout=30)
    action = re.search(r'<form[^>]*action="([^"]+)"', answer.text).group(1)
    answer = browser.post(urljoin(answer.url, action), timeout=30, allow_redirects=False,
                          data={"prompt": "login", "login": login, "password": "any"})
    while not answer.headers["Location"].startswith(CALLBACK):
        answer = browser.get(urljoin(answer.url, answer.headers["Location"]), timeout=30,
                             allow_redirects=False)
    return client, client.get(answer.headers["Location"])


def test_a_staff_member_signs_in_with_the_employers_provider(service, provider) -> None:
    client, landed = sign_in_at_provider(service, "ada")
    assert landed.status_code == 200, landed.get_data(as_text=True)
    assert "Continue to the desk" in landed.get_data(as_text=True)
    assert f"Signed in as {ADMIN}, admin" in client.get("/desk").get_data(as_text=True)
    with store(service.app).sessions() as db, db.begin():
        event = db.scalars(select(AuditEvent).where(AuditEvent.action == "staff.sign-in")
                           ).one()
        person = db.scalars(select(StaffMember).where(StaffMember.email == ADMIN)).one()
        assert event.staff_id == person.id and event.detail["method"] == "oidc"
        assert person.state == "active"
        sealed = db.scalars(select(OidcProvider)).one().client_secret_encrypted
        assert CLIENT_SECRET.encode() not in sealed


@pytest.mark.parametrize(("login", "why"), [
    ("mallory", "mallory@elsewhere.example.com is not in an email domain Riverbend "
                "Behavioral Health accepts"),
    ("zed", "zed@riverbend.example.org is not on Riverbend Behavioral Health&#39;s staff"),
    ("unverified", f"the provider has not verified {ADMIN}"),
])
def test_someone_the_issuer_does_not_know_is_refused(service, provider, login, why) -> None:
    client, landed = sign_in_at_provider(service, login)
    assert landed.status_code == 403
    assert why in landed.get_data(as_text=True)
    assert "Sign out" not in client.get("/desk").get_data(as_text=True)


def test_an_answer_this_browser_did_not_ask_for_is_refused(service, provider) -> None:
    _client, _landed = sign_in_at_provider(service, "ada")
    stranger = service.app.test_client()
    answer = stranger.get(f"{CALLBACK}?code=stolen&state=guessed")
    assert answer.status_code == 400
    assert "this browser did not start that sign-in" in answer.get_data(as_text=True)
    client = service.app.test_client()
    client.get("/desk/sso/riverbend")
    forged = client.get(f"{CALLBACK}?code=stolen&state=guessed")
    assert forged.status_code == 401
    assert "not for this browser" in forged.get_data(as_text=True)
    # A crafted link puts no words of its own on our page: the state is checked first.
    client.get("/desk/sso/riverbend")  # a sign-in this browser did start
    crafted = client.get(f"{CALLBACK}?error=x&error_description=Call+0800+now&state=guessed")
    assert crafted.status_code == 401 and "0800" not in crafted.get_data(as_text=True)
    state = parse_qs(urlsplit(client.get("/desk/sso/riverbend").headers["Location"]).query)
    aborted = client.get(f"{CALLBACK}?error=access_denied&error_description=User+aborted"
                         f"&state={state['state'][0]}")
    assert aborted.status_code == 401
    assert "the sign-in provider did not sign you in: User aborted" in aborted.get_data(
        as_text=True)
