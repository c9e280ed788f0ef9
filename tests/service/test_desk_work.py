"""The desk fits a coordinator's work, through the test client on the real store: several
competencies for one learner in one post (all or none), the form kept with plain messages,
likely duplicates, date refusals, expiry, cohort upload, and the credentials table."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from issuer.services import batches
from issuer.store import store
from issuer.store.models import Completion, Credential
from issuer.web.context import service_context
from tests.service.conftest import MODEL, completion_body

HTML = {"Accept": "text/html,application/xhtml+xml"}
TODAY = datetime.now(UTC).date()
RECENT = (TODAY - timedelta(days=3)).isoformat()


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def sign_in(service, token: str) -> str:
    client = service.client
    csrf = _csrf(client.get("/desk").get_data(as_text=True))
    assert client.post("/desk/sign-in", data={"csrf": csrf, "token": token}).status_code == 302
    return _csrf(client.get("/desk").get_data(as_text=True))


def rows(*competencies: str, **fields: str) -> dict[str, list[str]]:
    """Form fields for one row per competency."""
    count = len(competencies)
    return {"competency": [f"{MODEL}/{c}" for c in competencies],
            "level": [fields.get("level", "proficient")] * count,
            "completed_on": [fields.get("completed_on", RECENT)] * count,
            "valid_until": [fields.get("valid_until", "")] * count,
            "evidence_name": [""] * count, "evidence_narrative": [""] * count,
            "evidence_url": [""] * count}


def post(service, csrf: str, **form):
    data = {"csrf": csrf, "learner_name": "Jordan Rivera",
            "learner_email": "jordan@example.org", "action": "record", **form}
    return service.client.post("/desk/completions", data=data)


def count(service, model) -> int:
    with store(service.app).sessions() as db:
        return db.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_three_competencies_in_one_post(service) -> None:
    csrf = sign_in(service, service.assessor)
    response = post(service, csrf, **rows("de-escalation", "patient-vitals", "cpr-and-first-aid"))
    assert response.status_code == 302, text_of(response)[:3000]
    page = text_of(service.client.get("/desk"))
    assert "Recorded and issued 3 credentials for Jordan Rivera" in page
    assert count(service, Credential) == 3


def test_one_refused_row_records_none_and_keeps_the_form(service) -> None:
    csrf = sign_in(service, service.assessor)
    form = rows("de-escalation", "patient-vitals", "cpr-and-first-aid")
    form["completed_on"][2] = "2025-09-30"  # the model's version is of October 2025
    form["evidence_name"][1] = "Observed round"
    form["evidence_narrative"][1] = "Took vitals of <b>four</b> patients."
    response = post(service, csrf, **form)
    assert response.status_code == 422
    page = text_of(response)
    assert "Completed on: 30 September 2025 is before this competency model existed" in page
    assert count(service, Credential) == 0 and count(service, Completion) == 0
    # Everything typed is still there, in its row.
    assert 'value="Jordan Rivera"' in page and 'value="jordan@example.org"' in page
    assert 'value="2025-09-30"' in page and 'value="Observed round"' in page
    assert "Took vitals of <b>four</b> patients.</textarea>" in page
    assert re.search(r'<option value="[^"]+/cpr-and-first-aid" selected>', page)
    assert 'id="completed_on-2" name="completed_on" type="date" value="2025-09-30" ' \
           'aria-invalid="true"' in page


def test_problems_are_plain_words_naming_the_field(service) -> None:
    csrf = sign_in(service, service.assessor)
    response = service.client.post("/desk/completions", data={
        "csrf": csrf, "learner_name": "  ", "learner_email": "jordan at example", "action":
        "record", **rows("de-escalation", completed_on="2026-02-30")})
    assert response.status_code == 422
    page = text_of(response)
    assert "Learner name: this is required" in page
    assert "Learner email: enter an email address like name@example.org" in page
    assert "Completed on: 2026-02-30 is not a date on the calendar" not in page  # shape first
    for raw in ("should be non-empty", "does not match", "^[^@", "\\S", "'"):
        assert raw not in page.split('id="problems"')[1].split("</div>")[0], raw
    assert 'value="jordan at example"' in page
    nothing = service.client.post("/desk/completions", data={
        "csrf": csrf, "learner_name": "Sam", "learner_email": "sam@example.org",
        "action": "record", "competency": "", "level": "developing", "completed_on": ""})
    assert nothing.status_code == 422
    assert "Competency: choose at least one competency" in text_of(nothing)


def test_the_api_says_the_same_plain_words_and_keeps_pointers(service) -> None:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(learner={"name": "",
                                                                 "email": "nobody"}),
                                   headers=service.auth(service.assessor))
    problem = response.get_json()
    assert response.status_code == 422
    assert problem["detail"] == \
        "Learner email: enter an email address like name@example.org (and 1 more)"
    assert problem["errors"] == [
        {"pointer": "/learner/email",
         "detail": "Learner email: enter an email address like name@example.org"},
        {"pointer": "/learner/name", "detail": "Learner name: this is required"}]
    early = service.client.post("/api/v1/issuers/riverbend/completions",
                                json=completion_body(completedOn="2020-01-01"),
                                headers=service.auth(service.assessor)).get_json()
    assert early["errors"][0]["pointer"] == "/completedOn"
    assert "before this competency model existed" in early["detail"]


def test_add_another_competency_keeps_what_was_typed(service) -> None:
    csrf = sign_in(service, service.assessor)
    response = post(service, csrf, action="add", **rows("de-escalation"))
    assert response.status_code == 200 and count(service, Credential) == 0
    page = text_of(response)
    assert "Competency 2" in page and 'id="competency-1"' in page and "autofocus" in page
    assert page.count(f'value="{RECENT}"') == 2  # the new row takes the last row's date


def test_a_likely_duplicate_is_asked_about_then_recorded_if_confirmed(service) -> None:
    csrf = sign_in(service, service.assessor)
    assert post(service, csrf, **rows("de-escalation")).status_code == 302
    again = post(service, csrf, **rows("de-escalation", "patient-vitals"))
    assert again.status_code == 409
    page = text_of(again)
    assert "already recorded for this learner (same competency, level and date): " \
           "competency 1." in page
    assert count(service, Credential) == 1
    confirmed = post(service, csrf, confirm_duplicates="1",
                     **rows("de-escalation", "patient-vitals"))
    assert confirmed.status_code == 302 and count(service, Credential) == 3
    other_level = post(service, csrf, **rows("de-escalation", level="advanced"))
    assert other_level.status_code == 302  # another level is not a duplicate


def test_dates_far_back_or_in_the_future_are_refused(service) -> None:
    from issuer.services.completions import completed_on_date
    from issuer.services.errors import Invalid

    csrf = sign_in(service, service.assessor)
    future = post(service, csrf, **rows("de-escalation",
                                        completed_on=(TODAY + timedelta(days=1)).isoformat()))
    assert future.status_code == 422 and "is in the future" in text_of(future)
    try:
        completed_on_date(date(TODAY.year - 11, 1, 1).isoformat(), TODAY)
    except Invalid as problem:
        assert "more than 10 years ago; check the year" in problem.detail
    else:
        raise AssertionError("a date eleven years back was accepted")


def _verify(service, credential: dict) -> dict:
    response = service.client.post("/credentials/verify",
                                   json={"verifiableCredential": credential})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_valid_until_defaults_per_competency_is_signed_and_verifies(service) -> None:
    issue = service.client.post
    cpr = issue("/api/v1/issuers/riverbend/completions",
                json=completion_body(competency=f"{MODEL}/cpr-and-first-aid",
                                     completedOn=RECENT),
                headers=service.auth(service.assessor)).get_json()
    completed = date.fromisoformat(RECENT)
    expected = completed.replace(year=completed.year + 2)
    assert cpr["credential"]["validUntil"] == f"{expected.isoformat()}T23:59:59Z"
    assert _verify(service, cpr["credential"])["verified"] is True
    plain = issue("/api/v1/issuers/riverbend/completions",
                  json=completion_body(completedOn=RECENT),
                  headers=service.auth(service.assessor)).get_json()
    assert "validUntil" not in plain["credential"]
    chosen = (TODAY + timedelta(days=200)).isoformat()
    override = issue("/api/v1/issuers/riverbend/completions",
                     json=completion_body(competency=f"{MODEL}/cpr-and-first-aid",
                                          completedOn=RECENT, validUntil=chosen),
                     headers=service.auth(service.assessor)).get_json()
    assert override["credential"]["validUntil"] == f"{chosen}T23:59:59Z"
    assert _verify(service, override["credential"])["verified"] is True
    with store(service.app).sessions() as db:
        stored = dict(db.execute(select(Completion.id, Completion.valid_until)).all())
    assert stored[cpr["completionId"]] == expected and stored[plain["completionId"]] is None
    past = issue("/api/v1/issuers/riverbend/completions",
                 json=completion_body(completedOn=RECENT, validUntil=RECENT),
                 headers=service.auth(service.assessor)).get_json()
    assert past["errors"][0]["pointer"] == "/validUntil"
    assert past["detail"] == "Valid until: must be after the completion date"
    share = text_of(service.client.get(f"/credentials/{cpr['credentialId']}", headers=HTML))
    assert f"<dt>Valid until</dt><dd>{expected.day} {expected:%B %Y}</dd>" in share


def test_valid_until_from_the_desk(service) -> None:
    csrf = sign_in(service, service.assessor)
    chosen = (TODAY + timedelta(days=30)).isoformat()
    assert post(service, csrf, **rows("de-escalation", valid_until=chosen)).status_code == 302
    with store(service.app).sessions() as db:
        document = json.loads(db.scalar(select(Credential.document)))
    assert document["validUntil"] == f"{chosen}T23:59:59Z"
