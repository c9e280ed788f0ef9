"""The desk fits a coordinator's work, through the test client on the real store: several
competencies for one learner in one post (all or none), the form kept with plain messages,
likely duplicates, date refusals, expiry, cohort upload, and the credentials table."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from issuer.operations import tasks
from issuer.store import store
from issuer.store.models import Completion, Credential
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
    """The page's text with entities decoded and runs of white space made one space."""
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


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
    assert "Completed on: 2026-02-30 is not a date on the calendar" in page  # all at once
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


def test_every_field_of_every_row_is_refused_on_the_first_submit(service) -> None:
    csrf = sign_in(service, service.assessor)
    form = rows("de-escalation", "patient-vitals", "cpr-and-first-aid")
    form["completed_on"][1] = ""
    form["completed_on"][2] = "1999-01-01"
    form["level"][0] = "expert"
    response = service.client.post("/desk/completions", data={
        "csrf": csrf, "learner_name": "Jordan Rivera", "learner_email": "jordan at example",
        "action": "record", **form})
    assert response.status_code == 422
    page = text_of(response)
    assert "Learner email: enter an email address like name@example.org" in page
    assert "Level: choose emerging, developing, proficient or advanced" in page
    assert "Completed on: this is required" in page
    assert "Completed on: 1 January 1999 is before this competency model existed" in page
    assert 'id="level-0"' in page and 'id="completed_on-2"' in page
    assert count(service, Completion) == 0


def test_the_level_has_no_default_and_must_be_chosen(service) -> None:
    csrf = sign_in(service, service.assessor)
    blank = service.client.get("/desk").get_data(as_text=True)
    level = blank.split('id="level-0"')[1].split("</select>")[0]
    assert '<option value="">Choose a level</option>' in level and " selected" not in level
    response = post(service, csrf, **rows("de-escalation", level=""))
    assert response.status_code == 422
    assert "Level: this is required" in text_of(response)
    assert count(service, Completion) == 0
    assert "<h1>Employer desk: Riverbend Behavioral Health</h1>" in blank


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


def upload(service, csrf: str, text: str):
    import io

    return service.client.post("/desk/cohort/preview", data={
        "csrf": csrf, "file": (io.BytesIO(text.encode()), "cohort.csv")},
        content_type="multipart/form-data")


def test_the_csv_template_downloads_and_previews_clean(service) -> None:
    import csv
    import io

    csrf = sign_in(service, service.assessor)
    assert "Download the CSV template" in text_of(service.client.get("/desk/cohort"))
    template = service.client.get("/desk/cohort/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert "attachment" in template.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(template.get_data(as_text=True))))
    assert table[0] == ["learner_name", "learner_email", "competency", "level",
                        "completed_on", "valid_until", "evidence", "model"]
    assert table[1][2] == "Patient vitals" and table[1][3] == "Advanced"  # names
    assert table[2][3] == "emerging" and table[2][7] == MODEL  # an id, and the model
    preview = upload(service, csrf, template.get_data(as_text=True))
    assert preview.status_code == 200
    assert "2 rows: 2 ready to issue." in text_of(preview)


def test_preview_says_each_row_problem_in_words(service) -> None:
    csrf = sign_in(service, service.assessor)
    post(service, csrf, **rows("de-escalation"))
    text = ("learner_name,learner_email,competency,level,completed_on,valid_until,evidence\n"
            f"Ana Ruiz,ana@example.org,De-escalation,PROFICIENT,{RECENT},,Calm and kind\n"
            f"Ben Ode,ben@example.org,Juggling,proficient,{RECENT},,\n"
            f"Cy Park,cy@example,patient-vitals,Developing,{RECENT},,\n"
            f"Di Lund,di@example.org,patient-vitals,expert,2026-13-01,,\n"
            f"Ed Fox,ed@example.org,CPR and first aid,advanced,2025-01-15,,\n"
            f"Jordan Rivera,jordan@example.org,de-escalation,proficient,{RECENT},,\n")
    preview = upload(service, csrf, text)
    page = text_of(preview)
    assert "6 rows: 2 ready to issue, 4 with problems (left out), 1 that look already " \
           "recorded." in page
    assert "Competency: “Juggling” is not a competency of the model" in page
    assert "Learner email: enter an email address like name@example.org" in page
    assert "Level: choose emerging, developing, proficient or advanced" in page
    assert "Completed on: enter a date like" not in page or "2026-13-01" in page
    # Every field's problem at once: a bad email, an unknown level and an impossible date.
    text = ("learner_name,learner_email,competency,level,completed_on,valid_until,evidence\n"
            "Cy Moe,cy.moe@example,patient-vitals,expert,2026-13-01,,\n")
    row = text_of(upload(service, csrf, text))
    assert "Learner email: enter an email address like name@example.org" in row
    assert "Level: choose emerging, developing, proficient or advanced" in row
    assert "Completed on: 2026-13-01 is not a date on the calendar" in row
    assert "Completed on: 15 January 2025 is before this competency model existed" in page
    assert "Looks already recorded" in page
    assert "Issue 1 credential" in page
    for raw in ("does not match", "is not one of", "^[", "'Juggling'"):
        assert raw not in page, raw
    assert count(service, Credential) == 1  # a preview issues nothing


def test_upload_issues_as_a_job_and_shows_progress(service) -> None:
    csrf = sign_in(service, service.assessor)
    text = ("learner_name,learner_email,competency,level,completed_on\n"
            + "".join(f"Learner {n},learner{n}@example.org,Patient vitals,Proficient,{RECENT}\n"
                      for n in range(4))
            + "Bad Row,bad@example.org,Nothing,proficient,2026-01-01\n")
    page = html.unescape(upload(service, csrf, text).get_data(as_text=True))
    key = re.search(r'name="upload_key" value="([^"]+)"', page).group(1)
    csv_text = re.search(r'name="csv_text" value="([^"]*)"', page, re.S).group(1)
    assert csv_text == text
    issued = service.client.post("/desk/cohort/issue", data={
        "csrf": csrf, "upload_key": key, "csv_text": csv_text})
    assert issued.status_code == 302
    job_page = issued.headers["Location"]
    waiting = text_of(service.client.get(job_page))
    assert "Issuing: 0 issued, 4 to go." in waiting and 'max="4" value="0"' in waiting
    progress = service.client.get(f"{job_page}/progress").get_json()
    assert progress == {"status": "running", "valid": 4, "issued": 0, "failed": 0,
                        "pending": 4}
    again = service.client.post("/desk/cohort/issue", data={   # a second click: same job
        "csrf": csrf, "upload_key": key, "csv_text": csv_text})
    assert again.headers["Location"] == job_page
    assert tasks.run_queued(service.app) >= 1  # what a worker does with the queued job
    assert service.client.get(f"{job_page}/progress").get_json()["issued"] == 4
    late = service.client.post("/desk/cohort/issue", data={   # a late second click
        "csrf": csrf, "upload_key": key, "csv_text": csv_text})
    assert late.headers["Location"] == job_page
    assert "Done: 4 issued." in text_of(service.client.get(job_page))
    assert count(service, Credential) == 4


def _fill(service, learners: int) -> None:
    body = [completion_body(learner={"name": f"Learner {n:02d}",
                                     "email": f"learner{n:02d}@example.org"},
                            completedOn=RECENT,
                            competency=f"{MODEL}/{'patient-vitals' if n % 2 else 'de-escalation'}")
            for n in range(learners)]
    response = service.client.post("/api/v1/issuers/riverbend/completions:batch", json=body,
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()


def test_the_table_pages_searches_and_filters(service) -> None:
    _fill(service, 30)
    sign_in(service, service.assessor)
    first = text_of(service.client.get("/desk"))
    assert "Showing 1–25 of 30." in first and "Page 1 of 2" in first
    assert "Learner 29" in first and "learner29@example.org" in first
    assert "Patient vitals" in first and "De-escalation" in first  # names, not ids
    second = text_of(service.client.get("/desk?page=2"))
    assert "Showing 26–30 of 30." in second and "Learner 00" in second
    assert "Learner 29" not in second
    found = text_of(service.client.get("/desk?q=learner07"))
    assert "Showing 1–1 of 1 matching." in found and "Learner 07" in found
    by_name = text_of(service.client.get("/desk?q=vitals"))
    assert "Showing 1–15 of 15 matching." in by_name
    by_filter = text_of(service.client.get(
        f"/desk?competency={MODEL}/de-escalation&status=active"))
    assert "Showing 1–15 of 15 matching." in by_filter
    revoked = text_of(service.client.get("/desk?status=revoked"))
    assert "No credential matches." in revoked
    odd = service.client.get("/desk?q=100%25_&page=zz&status=bogus")
    assert odd.status_code == 200 and "No credential matches." in text_of(odd)


def test_a_page_holds_twenty_five_rows_however_many_there_are(service) -> None:
    _fill(service, 50)
    sign_in(service, service.assessor)
    page = service.client.get("/desk").get_data(as_text=True)
    assert page.split("<tbody>")[1].split("</tbody>")[0].count("<tr>") == 25
    assert len(page.encode()) < 100_000


def _issue_one(service, **changes) -> dict:
    response = service.client.post("/api/v1/issuers/riverbend/completions",
                                   json=completion_body(completedOn=RECENT, **changes),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_revoke_and_suspend_only_for_admins_and_where_suspension_exists(service) -> None:
    from issuer.services.issuers import update_issuer

    plain = _issue_one(service)
    with store(service.app).sessions() as db:
        update_issuer(db, "riverbend", suspension=True)
    suspendable = _issue_one(service, competency=f"{MODEL}/patient-vitals")
    sign_in(service, service.assessor)
    page = text_of(service.client.get("/desk"))
    assert ">Revoke<" not in page and ">Suspend<" not in page and "Actions" not in page
    confirm = service.client.get(f"/desk/credentials/{plain['credentialId']}/revoke")
    assert confirm.status_code == 403
    client = service.app.test_client()
    service.client = client
    sign_in(service, service.admin)
    page = text_of(client.get("/desk"))
    revoke_links = re.findall(r'href="/desk/credentials/([^/]+)/revoke"', page)
    suspend_links = re.findall(r'href="/desk/credentials/([^/]+)/suspend"', page)
    assert sorted(revoke_links) == sorted([plain["credentialId"],
                                           suspendable["credentialId"]])
    assert suspend_links == [suspendable["credentialId"]]  # issued with a suspension entry


def test_revoke_asks_first_and_the_reason_shows_afterwards(service) -> None:
    issued = _issue_one(service)
    csrf = sign_in(service, service.admin)
    confirm = text_of(service.client.get(f"/desk/credentials/{issued['credentialId']}/revoke"))
    assert "Revoke this credential?" in confirm and "Revocation is final" in confirm
    assert "Jordan Rivera" in confirm and "De-escalation" in confirm
    with store(service.app).sessions() as db:
        assert db.scalar(select(Credential.status)) == "active"  # asking changed nothing
    done = service.client.post(f"/desk/credentials/{issued['credentialId']}/revoke",
                               data={"csrf": csrf, "reason": "recorded in error"})
    assert done.status_code == 302
    page = text_of(service.client.get(done.headers["Location"]))
    assert "Revoked: Jordan Rivera for De-escalation. Reason: recorded in error" in page
    assert f"Credential {issued['credentialId']}" not in page
    words = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert f"Revoked on {TODAY.day} {TODAY:%b %Y} Reason: recorded in error" in words
    assert f'/desk/credentials/{issued["credentialId"]}/revoke"' not in page
    filtered = text_of(service.client.get("/desk?status=revoked"))
    assert "Showing 1–1 of 1 matching." in filtered


def test_a_form_sent_twice_records_once(service) -> None:
    csrf = sign_in(service, service.assessor)
    form = rows("de-escalation", "patient-vitals")
    first = post(service, csrf, form_key="a5e0c8a4-6c1e-4d54-9d7e-2f1f1e4c0b11", **form)
    second = post(service, csrf, form_key="a5e0c8a4-6c1e-4d54-9d7e-2f1f1e4c0b11",
                  confirm_duplicates="1", **form)
    assert first.status_code == second.status_code == 302
    assert count(service, Credential) == 2  # the second answer is the first, replayed


def test_a_row_repeating_another_is_asked_about(service) -> None:
    csrf = sign_in(service, service.assessor)
    response = post(service, csrf, **rows("de-escalation", "patient-vitals", "de-escalation"))
    assert response.status_code == 409 and count(service, Credential) == 0
    assert "(same competency, level and date): competency 3." in text_of(response)
