"""The verifier page's result, through HTTP on the real store: the credential in words beside
the checks, the email check, "not checked" after a failed signature, warnings amber, errors in
plain words, deep links, the share page's Verify button, the form kept."""

from __future__ import annotations

import html
import io
import json
import re
from urllib.parse import parse_qs, quote, urlsplit

from tests.service.conftest import BASE, MODEL
from tests.service.test_pages import HTML, issue

OB = ["https://www.w3.org/ns/credentials/v2",
      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def words(page: str) -> str:
    """The page's text as a reader sees it: tags dropped, entities read, spaces folded."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def checks(page: str) -> list[tuple[str, str]]:
    """(css classes, text) of each check in the result's list, in order."""
    return [(classes, words(body).strip()) for classes, body in
            re.findall(r'<li class="check ([^"]*)">(.*?)</li>', page, re.S)]


def revoke(service, credential_id: str, reason: str) -> None:
    response = service.client.post(
        f"/api/v1/issuers/riverbend/credentials/{credential_id}/revoke",
        json={"reason": reason}, headers=service.auth(service.admin))
    assert response.status_code == 200, response.get_json()


def test_the_result_shows_what_was_verified_and_the_status_with_its_reason(service) -> None:
    issued = issue(service)
    page = service.client.get(f"/verify?url={quote(issued['url'], safe='')}")
    assert page.status_code == 200
    text = words(page.get_data(as_text=True))
    assert "Verified: every check passed." in text
    assert "Issued to Jordan Rivera" in text
    assert "Riverbend Behavioral Health" in text
    assert "Identity proven: signed with a key this issuer publishes" in text
    assert "Competency De-escalation" in text
    assert ("Definition Training in how to use various de-escalation techniques when dealing "
            "with an agitated patient.") in text
    assert "Level Developing Verbal de-escalation and, when necessary, physical restraint" in text
    assert "O*NET v30.2 (CC BY 4.0)" in text and "© EBSCOed" in text
    assert "Completed on 2 November 2026" in text and "Issued on " in text
    assert "Observed shift : Calmed an agitated patient." in text
    assert "https://riverbend.example.org/evidence/1" in text
    assert "Status Active: not revoked or suspended" in text

    revoke(service, issued["credentialId"], "recorded in error")
    revoked = words(service.client.get(f"/verify?url={quote(issued['url'], safe='')}")
                    .get_data(as_text=True))
    assert "Not verified: the issuer has revoked this credential." in revoked
    assert re.search(r"Status Revoked by the issuer on \d{1,2} \w+ \d{4}\. Reason given: "
                     r"recorded in error", revoked), revoked


def test_the_email_check_says_whether_it_belongs_to_the_person(service) -> None:
    issued = issue(service)
    document = service.client.get(f"/credentials/{issued['credentialId']}").get_data(
        as_text=True)
    theirs = service.client.post("/verify", data={"credential_text": document,
                                                  "email": "Jordan.Rivera@example.com "})
    text = words(theirs.get_data(as_text=True))
    assert "Yes: it was issued to Jordan.Rivera@example.com" in text
    assert "Verified: every check passed." in text
    someone_else = service.client.post("/verify", data={"credential_url": issued["url"],
                                                        "email": "sam@example.com"})
    text = words(someone_else.get_data(as_text=True))
    assert "No: this credential was not issued to sam@example.com" in text
    assert "Not verified: the credential was not issued to the expected email address." in text
    assert "What was verified" in text  # genuine, only not theirs
    assert 'value="sam@example.com"' in someone_else.get_data(as_text=True)  # kept


def test_after_a_failed_signature_later_checks_are_not_checked(service) -> None:
    issued = issue(service)
    document = service.client.get(f"/credentials/{issued['credentialId']}").get_data(
        as_text=True)
    page = service.client.post("/verify", data={
        "credential_text": document.replace("Developing", "Advanced"),
        "email": "jordan.rivera@example.com"}).get_data(as_text=True)
    rows = checks(page)
    labels = [text.split(":")[0] for _, text in rows]
    after = rows[labels.index("Signature") + 1:]
    assert rows[labels.index("Signature")][1].startswith("Signature: Failed.")
    assert after and all(text.split(": ", 1)[1].startswith("Not checked.") for _, text in after)
    assert all("Passed" not in text for _, text in after)
    assert all(classes == "skip" for classes, _ in after)
    text = words(page)
    assert "Identity not proven: the signature did not verify" in text
    assert "Cannot tell whether it was issued to jordan.rivera@example.com" in text
    assert "Status Unknown: not confirmed" in text
    assert "What the credential claims (not verified)" in text
    assert "What was verified" not in text
    claimed = page.split('<div class="claimed bad"')[1].split("</div>")[0]  # the red box
    assert "Advanced" in claimed and "not as facts" in claimed


def test_warnings_are_amber_and_never_every_check_passed(service) -> None:
    unsigned = {"@context": OB, "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "name": "Shift handover", "validFrom": "2026-11-01T00:00:00Z",
                "issuer": {"id": f"{BASE}/issuers/riverbend", "type": ["Profile"],
                           "name": "Riverbend Behavioral Health"},
                "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
                    "id": "https://example.org/achievements/handover", "type": ["Achievement"],
                    "name": "Shift handover", "description": "Hands a shift over safely.",
                    "criteria": {"narrative": "Observed twice."}}}}
    signed = service.client.post("/credentials/issue", json={"credential": unsigned},
                                 headers=service.auth(service.admin))
    assert signed.status_code == 201, signed.get_json()
    page = service.client.post("/verify", data={"credential_text": json.dumps(
        signed.get_json()["verifiableCredential"])}).get_data(as_text=True)
    assert "every check passed" not in page
    assert re.search(r'<p class="status warn" role="status">Verified, with a warning: the '
                     r"credential subject has neither an id nor an identifier", page), page
    warned = [text for classes, text in checks(page) if classes == "warn"]
    assert warned and warned[0].startswith("Recipient: Passed with a warning.")
    assert "Issued to Nobody: the credential does not say who it was issued to" in words(page)
    assert "names its holder only by an identifier" not in page


def test_an_image_without_a_credential_is_said_in_plain_words(service) -> None:
    artwork = service.client.get(f"/badges/{MODEL}/de-escalation.png").data  # not baked
    page = service.client.post("/verify", data={
        "credential_file": (io.BytesIO(artwork), "badge.png")},
        content_type="multipart/form-data")
    assert page.status_code == 400
    alert = re.search(r'<p class="error">(.*?)</p>', page.get_data(as_text=True)).group(1)
    assert alert == "Could not verify: this image holds no credential."
    assert "iTXt" not in alert


def test_the_share_page_links_to_a_verifying_deep_link(service) -> None:
    issued = issue(service)
    share = service.client.get(f"/credentials/{issued['credentialId']}",
                               headers=HTML).get_data(as_text=True)
    link = re.search(r'<a class="button secondary" href="([^"]+)">Verify this credential</a>',
                     share)
    assert link, share
    target = html.unescape(link.group(1))
    assert urlsplit(target).path == "/verify"
    assert parse_qs(urlsplit(target).query) == {"url": [issued["url"]]}
    page = service.client.get(target).get_data(as_text=True)
    assert "Verified: every check passed." in page
    assert f'value="{issued["url"]}"' in page  # the URL stays in the form


def test_what_was_pasted_is_kept_after_a_failure(service) -> None:
    pasted = '{"type": ["VerifiableCredential"], "name": "half a cred'
    page = service.client.post("/verify", data={"credential_text": pasted,
                                                "email": "jordan@example.com"})
    assert page.status_code == 400
    body = page.get_data(as_text=True)
    assert 'role="alert"' in body
    assert "Could not verify: this is not valid JSON (unterminated string starting at line 1, " \
        "column" in html.unescape(body)
    kept = re.search(r'<textarea id="credential_text"[^>]*>(.*?)</textarea>', body, re.S)
    assert html.unescape(kept.group(1)) == pasted
    assert 'value="jordan@example.com"' in body


def test_a_vc_jwt_is_shown_in_words_too(service) -> None:
    issued = issue(service, format="jwt", algorithm="ES256")
    token = service.client.get(f"/credentials/{issued['credentialId']}").get_data(as_text=True)
    assert token.count(".") == 2
    text = words(service.client.post("/verify", data={"credential_text": token})
                 .get_data(as_text=True))
    assert "Verified: every check passed." in text
    assert "Issued to Jordan Rivera" in text and "Competency De-escalation" in text
    assert "Level Developing" in text
