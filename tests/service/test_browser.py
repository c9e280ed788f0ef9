"""The pages in a real browser (Playwright driving Debian's chromium against gunicorn): an
employer records a completion on the desk, the technician's share page and baked badge, the
verifier page, then a revocation seen on both. Every page is screenshotted for review (into
ARTIFACTS_DIR, default ./artifacts/screenshots, never committed) and checked with axe-core."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.live import ROOT, LiveServer

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = ROOT / "tests" / "interop" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts")) / "screenshots"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Flags for a closed network: no background calls home, no sandbox as root in CI containers.
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _require(path: str | Path, what: str) -> None:
    if Path(path).exists():
        return
    message = f"{what} not found at {path} (.ci/run installs it)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator:
    _require(CHROMIUM, "chromium")
    _require(AXE, "axe-core (npm, tests/interop)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(accept_downloads=True, viewport={"width": 414,
                                                                        "height": 896})
        page = context.new_page()
        page.set_default_timeout(30_000)
        refused: list[str] = []  # anything our own pages do that their CSP blocks
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        yield page
        assert not refused, refused
        context.close()
        browser.close()


def accessible(page, name: str) -> None:
    """Screenshot the page, then require no serious or critical WCAG 2.1 AA violation."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    page.evaluate(AXE.read_text())  # evaluated by the tool, not the page: the page's CSP
    # (script-src 'self', no inline script) stays enforced for everything the page runs
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    serious = [f"{v['id']} ({v['impact']}): {v['help']} at "
               f"{[node['target'] for node in v['nodes']]}"
               for v in results["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: " + "; ".join(serious)


def verify_upload(page, base: str, badge: Path, name: str) -> str:
    page.goto(f"{base}/verify")
    page.get_by_label("Or upload a baked badge").set_input_files(str(badge))
    page.get_by_role("button", name="Verify").click()
    accessible(page, name)
    return page.get_by_role("status").inner_text()


def test_desk_to_share_page_to_verifier_and_revocation(server: LiveServer, browser_page,
                                                       tmp_path: Path) -> None:
    page, base = browser_page, server.base
    for path, name in (("/docs", "api-docs"), ("/verify", "verifier")):
        page.goto(base + path)
        accessible(page, name)
    page.goto(f"{base}/desk")
    accessible(page, "desk-sign-in")
    page.get_by_label("API token").fill(server.created["token"])
    page.get_by_role("button", name="Sign in").click()

    page.get_by_label("Learner's name", exact=True).fill("Jordan <b>Rivera</b>")
    page.get_by_label("Learner's email", exact=True).fill("jordan@example.com")
    page.get_by_label("Competency", exact=True).select_option(
        label="De-escalation")
    page.get_by_label("Level assessed").select_option(label="Proficient")
    assert page.locator("#statement-0").inner_text().strip()  # the O*NET statement, chosen
    page.get_by_label("Completed on").fill("2026-11-20")
    page.get_by_label("Title").fill("Observed de-escalation")
    page.get_by_label("What you observed").fill("Calmed an agitated patient <i>verbally</i>.")
    accessible(page, "desk-form")
    page.get_by_role("button", name="Record and issue").click()
    flash = page.get_by_role("status").first.inner_text()
    assert flash.startswith("Recorded and issued"), flash
    share_url = re.search(r"https?://\S+", flash).group(0)
    accessible(page, "desk-issued")

    page.goto(share_url)
    status = page.get_by_role("status").inner_text()
    assert status.startswith("Verified just now: signature valid, not revoked, issued by")
    assert "Jordan <b>Rivera</b>" in page.locator("dl.facts").inner_text()  # shown as text
    assert "© EBSCOed" in page.content()
    accessible(page, "share")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download badge (PNG)").click()
    badge = tmp_path / "badge.png"
    download.value.save_as(badge)
    assert badge.read_bytes().startswith(b"\x89PNG")

    assert verify_upload(page, base, badge, "verifier-verified") == \
        "Verified: every check passed."

    page.goto(f"{base}/desk")
    row = page.get_by_role("row").filter(has_text="jordan@example.com")
    row.get_by_role("link", name=re.compile("^Revoke")).click()
    page.get_by_label("Reason").fill("recorded in error")
    page.get_by_role("button", name="Revoke for good").click()
    assert page.get_by_role("status").first.inner_text().startswith(
        "Revoked: Jordan <b>Rivera</b> for De-escalation.")  # whose and what, not an id
    accessible(page, "desk-revoked")

    page.goto(share_url)
    assert "has been revoked" in page.get_by_role("status").inner_text()
    accessible(page, "share-revoked")
    result = verify_upload(page, base, badge, "verifier-revoked")
    assert result == "Not verified: the issuer has revoked this credential.", result


def test_the_accessibility_check_can_fail(browser_page) -> None:
    browser_page.set_content("<html><body><img src='data:,'><input></body></html>")
    with pytest.raises(AssertionError, match="image-alt"):
        accessible(browser_page, "deliberately-inaccessible")
