"""A hiring manager pastes a candidate's presentation into the verifier, with the challenge
and domain they gave, at 1280 px and 414 px: who presented, whether their signature holds,
and each credential with its holder binding. Every state is screenshotted into ARTIFACTS_DIR
and must have no serious or critical axe violation."""

from __future__ import annotations

import json

import pytest

from tests.browser.test_hiring_manager import WIDTHS
from tests.service.conftest import server  # noqa: F401 (fixture)
from tests.service.live import LiveServer, call
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (fixture)
from tests.test_presentation_verify import CHALLENGE, DOMAIN, HOLDER, V2, presentation, signed


def issued_to_holder(server: LiveServer, subject: str) -> dict:  # noqa: F811
    status, body = call(f"{server.base}/credentials/issue", {"credential": {
        "@context": [V2], "type": ["VerifiableCredential"],
        "issuer": f"{server.base}/issuers/riverbend",
        "credentialSubject": {"id": subject, "name": "Jordan Rivera"}}},
        token=server.created["token"])
    assert status == 201, body
    return body["verifiableCredential"]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_hiring_manager_verifies_a_presentation(server: LiveServer, browser_page,  # noqa: F811
                                                  width: str) -> None:
    page = browser_page
    page.set_viewport_size(WIDTHS[width])
    vp = signed(presentation(issued_to_holder(server, HOLDER),
                             issued_to_holder(server, "did:example:someone-else")))
    page.goto(f"{server.base}/verify")
    page.get_by_label("Paste a credential").fill(json.dumps(vp))
    page.get_by_text("For a presentation you asked for").click()
    page.get_by_label("Challenge").fill(CHALLENGE)
    page.get_by_label("Domain").fill(DOMAIN)
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("status").inner_text().startswith("Verified, with a warning: 1 of 2")
    result = page.locator("section.result")
    assert f"Proven: signed with a key {HOLDER} controls" in result.inner_text()
    assert "About the presentation's holder" in result.inner_text()
    accessible(page, f"presentation-{width}-verified")

    page.get_by_label("Challenge").fill("a-challenge-for-someone-else")
    page.get_by_role("button", name="Verify").click()
    assert page.get_by_role("status").inner_text().startswith(
        "Not verified: the holder's proof does not hold")
    accessible(page, f"presentation-{width}-wrong-challenge")
