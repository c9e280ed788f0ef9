"""The technician's own place in a real browser (Playwright, Debian's chromium, gunicorn):
from the issue email's claim link to the credential's "Add to wallet" page, then their list
(hide one, turn the public list on, open it), their own learner record across the service,
and the share page's "Add to your wallet" button. axe-core checks every page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.conftest import completion_body
from tests.service.live import LiveServer, call, live_server, newest_mail_text
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (fixture)

LEARNER = "jordan.rivera@example.com"
CLAIM = re.compile(r"https?://\S+/me/sign-in/link\?link=[A-Za-z0-9_-]+")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from live_server(tmp_path)


def claim_link(server: LiveServer) -> str:
    """The claim link of the newest issue email to the learner."""
    return CLAIM.search(newest_mail_text(server, LEARNER, "credential-issued")).group(0)


def issue(server: LiveServer, **changes: object) -> str:
    status, body = call(f"{server.base}/api/v1/issuers/riverbend/completions",
                        completion_body(**changes), server.assessor)
    assert status == 201, body
    return body["credentialId"]


def test_from_the_issue_email_to_the_wallet_page_and_the_learners_own_place(
        server: LiveServer, browser_page) -> None:  # noqa: F811
    from playwright.sync_api import expect

    page, base = browser_page, server.base
    first = issue(server)
    second = issue(server, level="proficient")

    page.goto(claim_link(server))
    accessible(page, "learner-claim-confirm")
    page.get_by_role("button", name=f"Sign in as {LEARNER}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to your wallet")
    expect(page.get_by_role("link", name="its share page")).to_be_visible()  # no wallet?
    accessible(page, "learner-wallet-button")
    page.get_by_role("button", name="Make a wallet offer").click()
    expect(page.get_by_role("link", name="Open in Learner Credential Wallet")).to_have_attribute(
        "href", re.compile(r"^https://lcw\.app/request(\.html)?\?request="))
    expect(page.get_by_role("link", name="Open in your wallet")).to_have_attribute(
        "href", re.compile(r"^openid-credential-offer://\?credential_offer_uri="))
    expect(page.get_by_role("img", name="QR code for the Learner Credential Wallet")
           ).to_be_visible()
    assert page.url == f"{base}/me/credentials/{second}/wallet"
    accessible(page, "learner-wallet")

    page.get_by_role("link", name="Back to your credentials").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credentials")
    accessible(page, "learner-home")
    item = page.locator(f"#credential-{first}")
    item.get_by_role("button", name=re.compile("Hide from my public list")).click()
    expect(page.locator(f"#credential-{first}")).to_contain_text("No: hidden")
    page.get_by_role("button", name="Turn my public list on").click()
    public = page.locator("#main a[href*='/learners/']")
    public_url = public.get_attribute("href")
    page.goto(public_url)
    expect(page.get_by_role("listitem")).to_have_count(1)
    assert second in page.get_by_role("link", name=re.compile("De-escalation")).get_attribute(
        "href")
    accessible(page, "learner-public-list")

    page.goto(f"{base}/me")
    page.get_by_role("checkbox", name=re.compile("Proficient")).check()
    page.get_by_role("checkbox", name=re.compile("Developing")).check()
    page.get_by_role("button", name="Build my learner record").click()
    expect(page.get_by_role("status").first).to_contain_text("Verified just now")
    expect(page.locator("main")).to_contain_text("What this record holds")
    accessible(page, "learner-own-record")

    page.goto(f"{base}/credentials/{first}")
    page.get_by_role("link", name="Add to your wallet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add to your wallet")
    assert page.url == f"{base}/me/credentials/{first}/wallet"

    page.goto(f"{base}/me")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your credentials: sign in")
    accessible(page, "learner-sign-in")
