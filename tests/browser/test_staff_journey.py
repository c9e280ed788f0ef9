"""People sign in to the desk in a real browser (Playwright, Debian's chromium, gunicorn):
the first admin (invited at the command line) asks for a link on the sign-in page, opens it
from the outbox, invites an assessor on the staff page, looks at the tokens and profile
pages; the assessor signs in by their emailed link and meets the admins-only page; and an
assessor signs in with single sign-on at a real OpenID Provider. axe-core checks every new
page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.live import LiveServer, flask, live_server, newest_mail_text
from tests.service.oidc_support import CLIENT_ID, CLIENT_SECRET, openid_provider
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (fixture)

ADMIN = "ada.admin@riverbend.example.org"
ASSESSOR = "sam.assessor@riverbend.example.org"
LINK = re.compile(r"https?://\S+/desk/sign-in/link\?link=[A-Za-z0-9_-]+")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn serving a fresh store with issuer "riverbend", on a free loopback port."""
    yield from live_server(tmp_path)


def newest_link(server: LiveServer, recipient: str) -> str:
    """The sign-in link in the newest mail to ``recipient``."""
    return LINK.search(newest_mail_text(server, recipient)).group(0)


def test_admin_signs_in_by_link_and_invites_an_assessor(server: LiveServer,
                                                         browser_page) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, server.base
    flask(server.env, "staff", "invite", "--issuer", "riverbend", "--email", ADMIN,
          "--role", "admin", "--name", "Ada Admin")

    page.goto(f"{base}/desk")
    accessible(page, "staff-sign-in")
    page.get_by_label("Work email address").fill(ADMIN)
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("status")).to_contain_text("a sign-in link is on its way")
    accessible(page, "staff-link-sent")

    page.goto(newest_link(server, ADMIN))
    accessible(page, "staff-link-confirm")
    page.get_by_role("button", name=f"Sign in as {ADMIN}").click()
    expect(page.locator("main")).to_contain_text(f"Signed in as {ADMIN}, admin.")

    page.get_by_role("link", name="Staff").click()
    accessible(page, "staff-list")
    page.get_by_label("Email address", exact=True).fill(ASSESSOR)
    page.get_by_label("Name", exact=True).fill("Sam Assessor")
    page.get_by_label("Role", exact=True).select_option("assessor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Invited {ASSESSOR} as assessor")
    assert page.get_by_role("row").filter(has_text=ASSESSOR).count() == 1
    accessible(page, "staff-invited")

    page.get_by_role("link", name="API tokens").click()
    page.get_by_label("Label (what it is for)").fill("HR system")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_label("New API token")).to_have_value(re.compile("^cc_"))
    accessible(page, "staff-tokens")
    page.get_by_role("link", name="Profile and logo").click()
    accessible(page, "staff-profile")

    # A phone: each person and each token is a card, its buttons on screen, not scrolled off.
    page.set_viewport_size({"width": 414, "height": 900})
    for path, buttons in (("/desk/admin/staff", ("Change role", "Remove")),
                          ("/desk/admin/tokens", ("Revoke",))):
        page.goto(f"{base}{path}")
        for name in buttons:
            controls = page.locator("main button", has_text=name)
            assert controls.count() >= 1, name
            for index in range(controls.count()):
                box = controls.nth(index).bounding_box()
                assert box and box["x"] >= 0 and box["x"] + box["width"] <= 414, (path, name, box)
        accessible(page, f"staff-cards-414{path.replace('/', '-')}")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(f"{base}/desk")
    page.get_by_role("button", name="Sign out").click()
    page.goto(newest_link(server, ASSESSOR))
    page.get_by_role("button", name=f"Sign in as {ASSESSOR}").click()
    expect(page.locator("main")).to_contain_text(f"Signed in as {ASSESSOR}, assessor.")
    assert page.get_by_role("link", name="Staff").count() == 0
    page.goto(f"{base}/desk/admin/staff")
    expect(page.get_by_role("heading", level=1)).to_have_text("Admins only")
    accessible(page, "staff-admins-only")


def test_an_assessor_signs_in_with_single_sign_on(server: LiveServer,
                                                  browser_page) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, server.base
    accounts = {"sam": {"email": ASSESSOR, "email_verified": True, "name": "Sam"}}
    with openid_provider(f"{base}/desk/sso/riverbend/callback", accounts) as issuer:
        flask(server.env, "staff", "sso", "--issuer", "riverbend", "--label", "Riverbend SSO",
              "--provider-url", issuer, "--client-id", CLIENT_ID,
              "--client-secret", CLIENT_SECRET, "--email-domain", "riverbend.example.org")
        flask(server.env, "staff", "invite", "--issuer", "riverbend", "--email", ASSESSOR,
              "--role", "assessor")
        page.goto(f"{base}/desk")
        accessible(page, "staff-sign-in-sso")
        page.get_by_role("link", name="Sign in with Riverbend SSO").click()
        page.locator("input[name=login]").fill("sam")
        page.locator("input[name=password]").fill("any")
        page.locator("button[type=submit]").click()
        page.wait_for_url(f"{base}/desk")
        expect(page.locator("main")).to_contain_text(f"Signed in as {ASSESSOR}, assessor.")
