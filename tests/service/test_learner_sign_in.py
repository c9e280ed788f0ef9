"""Learners sign in by emailed single-use link, over HTTP against the real store: the same
answer whether or not the address holds credentials, a link that works once and expires, a
button page (so mail scanners cannot spend it), rate limits per address+client and per
client, a session cookie that is HttpOnly and Lax, CSRF on every POST, sign-out on every
host."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from issuer.operations import tasks
from issuer.store import store
from issuer.store.models import LearnerSession, LearnerSignInLink
from tests.service.learner_support import (
    LEARNER,
    ask_for_link,
    follow_link,
    form_csrf,
    issue_to,
    last_link,
    learner_client,
    mails,
    run_link_requests,
)


def test_a_learner_signs_in_once_with_the_emailed_link(service) -> None:
    issue_to(service)
    client = service.app.test_client()
    assert "Email me a sign-in link" in client.get("/me").get_data(as_text=True)
    answer = ask_for_link(client, "  Jordan.Rivera@Example.com ")
    assert answer.status_code == 200
    assert "is on its way" in answer.get_data(as_text=True)
    path = last_link(service, LEARNER)
    link = path.partition("?link=")[2]
    page = client.get(path)  # opening it (a mail scanner does) spends nothing
    assert page.status_code == 200 and f"Sign in as {LEARNER}" in page.get_data(as_text=True)
    assert client.get(path).status_code == 200
    signed = follow_link(client, path)
    assert signed.status_code == 303 and signed.headers["Location"] == "/me"
    cookie = signed.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/me" in cookie
    home = client.get("/me")
    assert home.headers["Cache-Control"] == "no-store"
    assert "Your credentials" in home.get_data(as_text=True)
    with store(service.app).sessions() as db, db.begin():
        row = db.scalars(select(LearnerSignInLink).where(
            LearnerSignInLink.landing == "/me")).one()
        assert row.link_hash != link and len(row.link_hash) == 64 and row.used_at
        session = db.scalars(select(LearnerSession)).one()
        assert session.email == LEARNER and session.session_hash not in cookie
    again = service.app.test_client()
    refused = follow_link(again, path) if again.get(path).status_code == 200 else again.get(path)
    assert refused.status_code == 401
    assert "used already" in refused.get_data(as_text=True)


def test_unknown_addresses_get_the_same_answer_and_no_mail(service) -> None:
    issue_to(service)
    client = service.app.test_client()
    known = ask_for_link(client, LEARNER).get_data(as_text=True)
    unknown = ask_for_link(client, "nobody@example.com").get_data(as_text=True)
    assert known.replace(LEARNER, "X") == unknown.replace("nobody@example.com", "X")
    assert mails(service, "nobody@example.com") == []
    assert len(mails(service, LEARNER, "learner-sign-in-link")) == 1


def test_the_request_only_enqueues_whatever_the_address(service) -> None:
    """Whether an address holds credentials must not show in the answer's time either: the
    request does the same one enqueue for every address, and a worker decides."""
    issue_to(service)
    client = service.app.test_client()
    token = form_csrf(client)
    tasks.queue_of(service.app).huey.flush()
    for email in (LEARNER, "nobody@example.com"):
        answer = client.post("/me/sign-in", data={"csrf": token, "email": email,
                                                  "landing": "/me\n"})
        assert answer.status_code == 200
    assert mails(service, LEARNER, "learner-sign-in-link") == []  # not yet decided
    assert tasks.queue_of(service.app).huey.pending_count() == 2
    assert run_link_requests(service.app) == 2
    assert len(mails(service, LEARNER, "learner-sign-in-link")) == 1
    assert mails(service, "nobody@example.com") == []


def test_the_forms_addresses_opened_in_a_browser_lead_to_the_sign_in_pages(service) -> None:
    """After asking for a link the address bar shows /me/sign-in; opening it again (a
    bookmark, Enter) gets the sign-in page, not a raw JSON 405. The same for the desk."""
    client = service.app.test_client()
    again = client.get("/me/sign-in", headers={"Accept": "text/html"})
    assert again.status_code == 303 and again.headers["Location"] == "/me"
    assert "Email me a sign-in link" in client.get("/me").get_data(as_text=True)
    wallet = f"/me/credentials/{'0' * 8}-0000-4000-8000-{'0' * 12}/wallet"
    kept = client.get("/me/sign-in", query_string={"landing": wallet})
    assert kept.headers["Location"] == wallet
    assert client.get("/me/sign-in", query_string={"landing": "//evil.example"}
                      ).headers["Location"] == "/me"
    desk = client.get("/desk/sign-in/email", headers={"Accept": "text/html"})
    assert desk.status_code == 303 and desk.headers["Location"] == "/desk"


def test_expired_and_forged_links_are_refused(service) -> None:
    issue_to(service)
    client = service.app.test_client()
    ask_for_link(client)
    path = last_link(service, LEARNER)
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(LearnerSignInLink).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    expired = client.get(path)
    assert expired.status_code == 401 and "expired" in expired.get_data(as_text=True)
    forged = client.get("/me/sign-in/link?link=" + "A" * 43)
    assert forged.status_code == 401 and "not one of ours" in forged.get_data(as_text=True)
    nul = client.get("/me/sign-in/link?link=%00")
    assert nul.status_code in (400, 401)


def test_link_requests_are_limited_per_address_and_client(service) -> None:
    issue_to(service)
    client = service.app.test_client()
    answers = [ask_for_link(client, REMOTE_ADDR="10.0.0.1").status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    # Someone else, elsewhere, still gets theirs: the allowance is per address and client.
    other = ask_for_link(service.app.test_client(), REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200
    assert len(mails(service, LEARNER, "learner-sign-in-link")) == 6
    many = [ask_for_link(client, f"p{i}@example.com", REMOTE_ADDR="10.0.0.3").status_code
            for i in range(31)]
    assert many[-1] == 429 and set(many[:30]) == {200}


def test_posts_need_the_forms_csrf_token(service) -> None:
    issue_to(service)
    client = service.app.test_client()
    client.get("/me")
    refused = client.post("/me/sign-in", data={"email": LEARNER})
    assert refused.status_code == 400
    assert mails(service, LEARNER, "learner-sign-in-link") == []
    signed = learner_client(service)
    credential = signed.get("/me").get_data(as_text=True)
    assert "Hide from my public list" in credential
    assert signed.post("/me/public", data={"public": "1", "csrf": "forged"}).status_code == 400


def test_sign_out_ends_the_session_everywhere(service) -> None:
    issue_to(service)
    client = learner_client(service)
    cookie = client.get_cookie("learner", path="/me").value
    answer = client.post("/me/sign-out", data={"csrf": form_csrf(client)})
    assert answer.status_code == 303
    stolen = service.app.test_client()
    stolen.set_cookie("learner", cookie, path="/me")
    assert "Email me a sign-in link" in stolen.get("/me").get_data(as_text=True)


def test_a_landing_page_is_kept_but_never_another_site(service) -> None:
    credential_id = issue_to(service)
    client = service.app.test_client()
    ask_for_link(client, landing="https://evil.example/")
    assert follow_link(client, last_link(service, LEARNER)).headers["Location"] == "/me"
    client = service.app.test_client()
    ask_for_link(client, landing=f"/me/credentials/{credential_id}/wallet")
    assert follow_link(client, last_link(service, LEARNER)).headers["Location"] == \
        f"/me/credentials/{credential_id}/wallet"


def test_a_landing_with_a_trailing_newline_is_not_kept(service) -> None:
    """"/me\n" passed a "$"-anchored pattern, was stored, and made the victim's link a 500
    (a redirect cannot carry a newline) after it was spent."""
    issue_to(service)
    attacker = service.app.test_client()
    assert ask_for_link(attacker, landing="/me\n").status_code == 200
    with store(service.app).sessions() as db, db.begin():
        landings = db.scalars(select(LearnerSignInLink.landing)).all()
        assert "/me" in landings and not any("\n" in landing for landing in landings)
    victim = service.app.test_client()
    signed = follow_link(victim, last_link(service, LEARNER))
    assert signed.status_code == 303 and signed.headers["Location"] == "/me"
    assert "Your credentials" in victim.get("/me").get_data(as_text=True)


def test_links_long_expired_are_swept_at_a_sign_in(service) -> None:
    issue_to(service)
    issue_to(service)  # two claim links
    with store(service.app).sessions() as db, db.begin():
        db.execute(update(LearnerSignInLink).values(
            expires_at=datetime.now(UTC) - timedelta(days=2)))
    learner_client(service)
    with store(service.app).sessions() as db, db.begin():
        assert [row.landing for row in db.scalars(select(LearnerSignInLink))] == ["/me"]
