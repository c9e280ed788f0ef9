"""Pages for people, through the test client: share page, verifier page, employer desk."""

from __future__ import annotations

import io
import re

from tests.service.conftest import completion_body

HTML = {"Accept": "text/html,application/xhtml+xml"}
EVIL = "<script>alert('x')</script>"


def issue(service, **changes) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(**changes),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_share_page_shows_the_credential_in_words(service) -> None:
    issued = issue(service)
    page = service.client.get(f"/credentials/{issued['credentialId']}", headers=HTML)
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "Verified just now: signature valid, not revoked, issued by Riverbend" in text
    assert "De-escalation" in text and "Developing" in text
    assert "Verbal de-escalation and, when necessary, physical restraint procedures" in text
    assert "© EBSCOed" in text and "O*NET v30.2 (CC BY 4.0)" in text
    assert 'property="og:image"' in text and "linkedin.com/profile/add" in text
    assert "<svg" in text  # the QR code
    machine = service.client.get(f"/credentials/{issued['credentialId']}")
    assert machine.mimetype == "application/vc+ld+json"
    download = service.client.get(f"/credentials/{issued['credentialId']}?format=json",
                                  headers=HTML)
    assert download.mimetype == "application/vc+ld+json"


def test_revoked_credential_says_so_plainly(service) -> None:
    issued = issue(service)
    service.client.post(f"/api/v1/issuers/riverbend/credentials/{issued['credentialId']}/revoke",
                        json={"reason": "error"}, headers=service.auth(service.admin))
    text = service.client.get(f"/credentials/{issued['credentialId']}",
                              headers=HTML).get_data(as_text=True)
    assert "This credential has been revoked by Riverbend" in text


def test_learner_data_is_escaped_everywhere(service) -> None:
    issued = issue(service, learner={"name": EVIL, "email": "x@example.com"},
                   evidence=[{"name": EVIL, "narrative": EVIL}])
    pages = [service.client.get(f"/credentials/{issued['credentialId']}", headers=HTML)]
    service.client.get("/desk")
    csrf = _csrf(service.client.get("/desk").get_data(as_text=True))
    service.client.post("/desk/sign-in", data={"csrf": csrf, "token": service.admin})
    pages.append(service.client.get("/desk"))
    pages.append(service.client.post("/verify", data={
        "credential_text": service.client.get(f"/credentials/{issued['credentialId']}")
        .get_data(as_text=True)}))
    for page in pages:
        text = page.get_data(as_text=True)
        assert EVIL not in text
        assert "<script>alert" not in text


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def test_verifier_page_accepts_paste_upload_and_url(service) -> None:
    issued = issue(service)
    json_text = service.client.get(f"/credentials/{issued['credentialId']}").get_data()
    pasted = service.client.post("/verify", data={"credential_text": json_text.decode()})
    assert "Verified: every check passed." in pasted.get_data(as_text=True)
    baked = service.client.get(f"/credentials/{issued['credentialId']}/badge.png").data
    uploaded = service.client.post("/verify", data={
        "credential_file": (io.BytesIO(baked), "badge.png")},
        content_type="multipart/form-data")
    assert "Verified: every check passed." in uploaded.get_data(as_text=True)
    linked = service.client.post("/verify", data={"credential_url": issued["url"]})
    assert "Verified: every check passed." in linked.get_data(as_text=True)
    tampered = json_text.decode().replace("Developing", "Advanced")
    changed = service.client.post("/verify", data={"credential_text": tampered})
    assert "Not verified: the signature does not match" in changed.get_data(as_text=True)
    empty = service.client.post("/verify", data={})
    assert empty.status_code == 400 and "paste a credential" in empty.get_data(as_text=True)
    private = service.client.post("/verify", data={"credential_url": "https://127.0.0.1/x"})
    assert private.status_code == 400 and "refusing" in private.get_data(as_text=True)


def test_desk_needs_a_token_and_a_csrf_token(service) -> None:
    client = service.client
    assert "API token" in client.get("/desk").get_data(as_text=True)
    csrf = _csrf(client.get("/desk").get_data(as_text=True))
    assert client.post("/desk/sign-in", data={"token": service.assessor}).status_code == 400
    bad = client.post("/desk/sign-in", data={"csrf": csrf, "token": "cc_wrong"})
    assert bad.status_code == 401
    signed_in = client.post("/desk/sign-in", data={"csrf": csrf, "token": service.assessor})
    assert signed_in.status_code == 302
    cookie = signed_in.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    page = client.get("/desk").get_data(as_text=True)
    csrf = _csrf(page)
    form = {"learner_name": "Sam Lee", "learner_email": "sam@example.com",
            "competency": "mn-dli-psychiatric-mental-health-technician-inpatient/cpr-and-first-aid",
            "level": "proficient", "completed_on": "2026-11-01"}
    assert client.post("/desk/completions", data=form).status_code == 400  # no CSRF token
    recorded = client.post("/desk/completions", data={**form, "csrf": csrf},
                           follow_redirects=True)
    assert "Recorded and issued" in recorded.get_data(as_text=True)
    assert "cpr-and-first-aid" in recorded.get_data(as_text=True)
