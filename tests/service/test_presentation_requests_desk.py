"""Presentation requests on the desk (issuer.pages.desk_requests): staff create one from the
form, see its link and QR codes, and read each answer's results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.service.conftest import MODEL
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (a fixture)
from tests.service.test_desk_work import sign_in
from tests.service.test_presentation_requests import (
    DOMAIN,
    Holder,
    create,
    exchange,
    file_answers,
    issued_to,
)


def test_staff_ask_on_the_desk_and_read_the_answer(service) -> None:
    csrf = sign_in(service, service.assessor)
    client = service.client
    page = client.get("/desk/requests")
    assert page.status_code == 200 and b"Ask candidates for credentials" in page.data
    made = client.post("/desk/requests", data={
        "csrf": csrf, "title": "Night shift", "did_auth": "on", "days": "7",
        "competency": [f"{MODEL}/de-escalation", ""], "level": ["proficient", "developing"]})
    assert made.status_code == 302, made.get_data(as_text=True)
    request_id = made.headers["Location"].rsplit("/", 1)[1]
    results = client.get(f"/desk/requests/{request_id}").get_data(as_text=True)
    assert f"/interactions/present/{request_id}" in results
    assert "<svg" in results and "openid4vp://" in results and "No answers yet" in results

    holder = Holder(3)
    vpr = exchange(service, request_id)
    vp = holder.present([issued_to(service, holder)], vpr["challenge"], DOMAIN)
    answered = client.post(f"/workflows/present/exchanges/{request_id}",
                           json={"verifiablePresentation": vp})
    assert answered.status_code == 200, answered.get_json()
    results = client.get(f"/desk/requests/{request_id}").get_data(as_text=True)
    assert holder.did in results and "every competency proven" in results
    assert "Issuer identity proven" in results
    listed = client.get("/desk/requests").get_data(as_text=True)
    assert "Night shift" in listed


def test_the_form_says_what_is_wrong(service) -> None:
    csrf = sign_in(service, service.assessor)
    refused = service.client.post("/desk/requests", data={
        "csrf": csrf, "title": "", "competency": [f"{MODEL}/de-escalation"],
        "level": ["legendary"]})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "/title" in text and "/competencies/0/level" in text


def test_not_signed_in_goes_to_the_desk(service) -> None:
    assert service.client.get("/desk/requests").status_code == 302
    assert service.client.get("/desk/requests/anything").status_code == 302


def test_the_pages_in_a_browser(server, browser_page) -> None:  # noqa: F811
    """Desk form, request page and the candidate's page: WCAG 2.1 AA (axe-core), and
    nothing the pages do is refused by their Content Security Policy."""
    page, base = browser_page, server.base
    page.goto(f"{base}/desk")
    page.get_by_label("API token").fill(server.created["token"])
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/desk/requests")
    accessible(page, "desk-requests")
    page.get_by_label("Title (the candidate sees it)").fill("Night shift")
    page.get_by_label("Competency 1").select_option(value=f"{MODEL}/de-escalation")
    page.locator("#level-0").select_option(label="Proficient")
    page.get_by_role("button", name="Create the request").click()
    assert "/desk/requests/" in page.url
    accessible(page, "desk-request")
    link = page.locator("code").first.inner_text()
    page.goto(link)
    assert "De-escalation, at Proficient or above" in page.content()
    accessible(page, "present")


def test_an_unauthenticated_holder_is_labelled_as_claimed_and_answers_are_paged(
        service) -> None:
    """Hostile review F10 and F5: a holder named by an unsigned answer is shown as claimed,
    never as the heading; the results page shows 25 answers and links to older ones."""
    sign_in(service, service.assessor)
    made = create(service, didAuthentication=False)
    holder = Holder(3)
    unsigned = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiablePresentation"],
                "holder": "did:web:famous-candidate.example",
                "verifiableCredential": [issued_to(service, holder)]}
    answered = service.client.post(f"/workflows/present/exchanges/{made['id']}",
                                   json={"verifiablePresentation": unsigned})
    assert answered.status_code == 200, answered.get_json()
    results = service.client.get(f"/desk/requests/{made['id']}").get_data(as_text=True)
    assert "<h3>Unauthenticated answer (claims to be did:web:famous-candidate.example, " \
           "not proven)" in results
    assert "<h3>did:web:famous-candidate.example" not in results
    file_answers(service, made["id"], 30, datetime.now(UTC) - timedelta(minutes=1))
    results = service.client.get(f"/desk/requests/{made['id']}").get_data(as_text=True)
    assert "31 answers" in results and results.count("<section>") == 25
    start = results.index('href="?cursor=') + 6
    older = service.client.get(f"/desk/requests/{made['id']}"
                               + results[start:results.index('"', start)].replace("&amp;", "&"))
    assert older.status_code == 200 and older.get_data(as_text=True).count("<section>") == 6
