"""A hiring manager checks a technician's credential in Chromium, at 1280 px and at 414 px:
by its link (the share page's Verify button, a /verify?url= deep link), by uploading the
baked badge, and with the email check; then the site around it (the start page, the
issuer's page, a problem type, a page that is not there). Every state is screenshotted into
ARTIFACTS_DIR and must have no serious or critical axe violation."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.service.conftest import MODEL, completion_body, server  # noqa: F401 (fixture)
from tests.service.live import LiveServer, call
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (fixture)

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 414, "height": 896}}


def issued(server: LiveServer) -> dict:  # noqa: F811 (the fixture's name)
    status, body = call(f"{server.base}/api/v1/issuers/riverbend/completions",
                        completion_body(), token=server.assessor)
    assert status == 201, body
    return body


def download(url: str, to: Path) -> Path:
    with urllib.request.urlopen(url, timeout=30) as response:
        to.write_bytes(response.read())
    return to


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_hiring_manager_verifies_by_link_by_upload_and_by_email(
        server: LiveServer, browser_page, tmp_path: Path, width: str) -> None:  # noqa: F811
    page, base = browser_page, server.base
    page.set_viewport_size(WIDTHS[width])
    credential = issued(server)
    baked = download(f"{credential['url']}/badge.png", tmp_path / "badge.png")
    artwork = download(f"{base}/badges/{MODEL}/de-escalation.png", tmp_path / "artwork.png")

    # By link: the technician's share page, then its Verify button.
    page.goto(credential["url"])
    with page.expect_download() as saved:  # a named file, not a bare id
        page.get_by_role("link", name="Download JSON").click()
    assert saved.value.suggested_filename == f"credential-{credential['credentialId']}.json"
    page.get_by_role("link", name="Verify this credential").click()
    assert page.get_by_role("status").inner_text() == "Verified: every check passed."
    result = page.locator("section.result")
    assert "Jordan Rivera" in result.locator("dl.facts").inner_text()
    assert "Identity proven" in result.inner_text()
    assert "© EBSCOed" in result.inner_text()
    assert page.get_by_label("Or give the credential's URL").input_value() == credential["url"]
    accessible(page, f"hiring-manager-{width}-deep-link")

    # By upload, with the address the candidate gave.
    page.goto(f"{base}/verify")
    page.get_by_label("Or upload a baked badge").set_input_files(str(baked))
    page.get_by_label("Their email address").fill("jordan.rivera@example.com")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("status").inner_text() == "Verified: every check passed."
    assert page.locator(".email-answer").inner_text().startswith(
        "Yes: it was issued to jordan.rivera@example.com")
    accessible(page, f"hiring-manager-{width}-upload-email-matches")

    # The same badge, someone else's address.
    page.get_by_label("Or upload a baked badge").set_input_files(str(baked))
    page.get_by_label("Their email address").fill("sam.lee@example.com")
    page.get_by_role("button", name="Verify").click()
    assert page.locator(".email-answer").inner_text().startswith(
        "No: this credential was not issued to sam.lee@example.com")
    assert page.locator(".status.bad").first.is_visible()
    accessible(page, f"hiring-manager-{width}-upload-email-differs")

    # The badge's artwork, not the baked badge: said in plain words.
    page.get_by_label("Or upload a baked badge").set_input_files(str(artwork))
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("alert").locator("p.error").inner_text() == \
        "Could not verify: this image holds no credential."
    accessible(page, f"hiring-manager-{width}-no-credential")

    # A changed credential: what it claims sits in a red box headed as claims, not facts.
    with urllib.request.urlopen(f"{credential['url']}?format=json", timeout=30) as response:
        tampered = response.read().decode().replace("Developing", "Advanced")
    page.goto(f"{base}/verify")
    page.get_by_label("Paste a credential").fill(tampered)
    page.get_by_role("button", name="Verify").click()
    box = page.get_by_role("group", name="What the credential claims (not verified)")
    assert "Advanced" in box.inner_text()
    border = box.evaluate("e => [getComputedStyle(e).borderTopWidth, "
                          "getComputedStyle(e).borderTopColor]")
    assert border == ["3px", "rgb(161, 29, 29)"], border  # var(--bad)
    accessible(page, f"hiring-manager-{width}-tampered-claims")


def test_the_site_around_the_verifier_reads_as_pages(
        server: LiveServer, browser_page) -> None:  # noqa: F811
    page, base = browser_page, server.base
    for width, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.goto(base)
        page.get_by_role("link", name="Verify a credential").first.click()
        assert page.url == f"{base}/verify"
        page.goto(base)
        accessible(page, f"site-{width}-start")
        page.goto(f"{base}/issuers/riverbend")
        assert page.get_by_role("heading", level=1).inner_text() == "Riverbend"
        accessible(page, f"site-{width}-issuer")
        page.goto(f"{base}/problems/validation")
        assert "What it means" in page.content()
        accessible(page, f"site-{width}-problem-type")
        page.goto(f"{base}/problems")
        accessible(page, f"site-{width}-problem-types")
        response = page.goto(f"{base}/credentials-typo/123")
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == "Not found"
        accessible(page, f"site-{width}-not-found")
        page.goto(f"{base}/docs")
        page.get_by_role("link", name="Quick start: issue and verify a credential").click()
        if width == "desktop":  # every schema's Rules column in view, none scrolled off
            wide = page.evaluate("() => [...document.querySelectorAll('table.schema')]"
                                 ".filter(t => t.parentElement.scrollWidth > "
                                 "t.parentElement.clientWidth + 1).length")
            assert wide == 0, wide
        accessible(page, f"site-{width}-docs")
