"""Learners hear about their credentials: issue over HTTP, deliver the outbox to a real SMTP
server (aiosmtpd on a free loopback port), and read what arrived."""

from __future__ import annotations

import email
import functools
import json
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import select

from credentials.frameworks import bundled_catalog
from issuer.operations import tasks
from issuer.services import notifications
from issuer.services.mail_delivery import (
    MAX_ATTEMPTS,
    MailSettings,
    backoff,
    claim,
    default_sender,
    deliver_due,
    due,
)
from issuer.services.notifications import compose, notice_for
from issuer.store import store
from issuer.store.models import Credential, Issuer, OutboxMail
from issuer.web.context import service_context
from loadtest.listeners import listener
from tests.service.certificates import self_signed_certificate
from tests.service.conftest import MODEL, completion_body
from tests.service.live import LiveServer, _serve, flask, service_env
from tests.service.test_browser import accessible, browser_page  # noqa: F401 (a fixture)
from tests.service.test_desk_sessions import _csrf, sign_in

COMPLETIONS = "/api/v1/issuers/riverbend/completions"
EMAIL = "jordan.rivera@example.com"


class Inbox:
    """An aiosmtpd handler keeping every message it accepts; ``refuse`` makes it answer 550
    to every recipient."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse = False
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Smtp:
    inbox: Inbox
    url: str


@pytest.fixture
def smtp() -> Iterator[Smtp]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield Smtp(inbox, f"smtp://127.0.0.1:{controller.port}")
    finally:
        controller.stop()


def context(service, url: str | None):
    """The app's service context, with mail going to ``url`` (None: .eml files)."""
    base = service_context(service.app)
    return replace(base, mail=replace(base.mail, url=url, timeout=10.0))


def deliver(service, url: str | None, now: datetime | None = None) -> int:
    return deliver_due(context(service, url), now)


def outbox(service) -> list[OutboxMail]:
    with store(service.app).sessions() as db:
        return list(db.scalars(select(OutboxMail).order_by(OutboxMail.id)))


def issue(service, **changes) -> dict:
    response = service.client.post(COMPLETIONS, json=completion_body(**changes),
                                   headers=service.auth(service.assessor))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_a_completion_mails_the_learner_what_they_earned(service, smtp) -> None:
    issued = issue(service)
    assert deliver(service, smtp.url) == 1
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == [EMAIL] and message["To"] == EMAIL
    assert message["Subject"] == ("Riverbend Behavioral Health issued you a credential: "
                                  "De-escalation (Developing)")
    text, html = parts(message)
    for body in (text, html):
        assert issued["url"] in body
        assert "Riverbend Behavioral Health" in body and "Jordan Rivera" in body
        assert "Developing" in body and "O*NET" in body  # the level statement's source
    assert f'href="{issued["url"]}"' in html
    share = service.client.get(urlsplit(issued["url"]).path, headers={"Accept": "text/html"})
    assert share.status_code == 200 and "De-escalation" in share.get_data(as_text=True)
    [row] = outbox(service)
    assert (row.state, row.attempts, row.last_error, row.kind) == (
        "sent", 1, None, "credential-issued")
    assert deliver(service, smtp.url) == 0  # sent once
    assert message["From"] == ("Riverbend Behavioral Health via Competency Credentials "
                               "<no-reply@localhost>")


def test_the_sender_names_the_employer_at_a_valid_address(service, smtp) -> None:
    with store(service.app).sessions() as db, db.begin():
        db.scalars(select(Issuer).where(Issuer.slug == "riverbend")).one().email = \
            "training@riverbend.example.org"
    issue(service)
    assert deliver(service, smtp.url) == 1
    [(_to, message)] = smtp.inbox.messages
    assert message["From"].addresses[0].display_name == \
        "Riverbend Behavioral Health via Competency Credentials"
    assert message["Reply-To"] == "training@riverbend.example.org"
    assert default_sender("http://127.0.0.1:5000") == \
        "Competency Credentials <no-reply@localhost>"  # an IP address is no mail domain
    assert default_sender("https://badges.example.org") == \
        "Competency Credentials <no-reply@badges.example.org>"
    configured = MailSettings.configured(None, "Acme Badges <badges@acme.example>", "/tmp",
                                         "https://badges.example.org")
    assert configured.sender == "Acme Badges <badges@acme.example>"


def test_desk_batch_programme_and_clr_issues_each_mail_their_learner(service, smtp) -> None:
    sign_in(service.client, service.assessor)
    csrf = _csrf(service.client.get("/desk").get_data(as_text=True))
    desk = service.client.post("/desk/completions", data={
        "csrf": csrf, "learner_name": "Sam Okafor", "learner_email": "sam@example.com",
        "competency": f"{MODEL}/de-escalation", "level": "proficient",
        "completed_on": "2026-11-01"})
    assert desk.status_code == 302
    batch = service.client.post(f"{COMPLETIONS}:batch", json=[
        completion_body(learner={"name": f"Learner {n}", "email": f"learner{n}@example.com"})
        for n in (1, 2)], headers=service.auth(service.assessor))
    assert batch.status_code == 201, batch.get_json()
    competencies = [c.id for c in bundled_catalog().models[MODEL].competencies]
    records = [issue(service, competency=f"{MODEL}/{c}", level="proficient")
               for c in competencies]
    programme = records[-1]["programmeCredential"]
    clr = service.client.post("/api/v1/issuers/riverbend/learners/clr",
                              json={"email": EMAIL}, headers=service.auth(service.assessor))
    assert clr.status_code == 201, clr.get_json()

    expected = 1 + 2 + len(competencies) + 1 + 1
    assert deliver(service, smtp.url) == expected
    received = {(tuple(to), m["Subject"]): m for to, m in smtp.inbox.messages}
    assert len(received) == expected
    assert {to for to, _ in received} >= {("sam@example.com",), ("learner1@example.com",),
                                          ("learner2@example.com",)}
    [certificate] = [m for (to, s), m in received.items() if "programme certificate" in s]
    assert programme["url"] in parts(certificate)[0]
    [record] = [m for (to, s), m in received.items() if "learner record" in s]
    assert record["To"] == EMAIL
    assert clr.get_json()["url"] in parts(record)[1]
    assert "Comprehensive Learner Record: Jordan Rivera" in record["Subject"]


def test_an_issuer_that_opts_out_sends_nothing(service, smtp) -> None:
    url = "/api/v1/issuers/riverbend/settings"
    assert service.client.get(url, headers=service.auth(service.admin)).get_json() == {
        "slug": "riverbend", "learnerMail": True}
    refused = service.client.patch(url, json={"learnerMail": False},
                                   headers=service.auth(service.assessor))
    assert refused.status_code == 403
    bad = service.client.patch(url, json={"learnerMail": "no"},
                               headers=service.auth(service.admin))
    assert bad.status_code == 422
    changed = service.client.patch(url, json={"learnerMail": False},
                                   headers=service.auth(service.admin))
    assert changed.get_json() == {"slug": "riverbend", "learnerMail": False}
    issue(service)
    assert outbox(service) == [] and deliver(service, smtp.url) == 0
    assert smtp.inbox.messages == []
    audit = service.client.get("/api/v1/issuers/riverbend/audit?action=issuer.mail",
                               headers=service.auth(service.admin)).get_json()
    assert audit["events"][0]["detail"] == {"learnerMail": False}

    runner = service.app.test_cli_runner()
    result = runner.invoke(args=["mail", "learners", "riverbend", "--on"])
    assert result.exit_code == 0, result.output
    assert '"learnerMail": true' in result.output
    issue(service)
    assert deliver(service, smtp.url) == 1


def test_a_refusing_server_never_fails_the_issuance_and_the_desk_shows_why(service,
                                                                           smtp) -> None:
    smtp.inbox.refuse = True
    issue(service)
    now = datetime.now(UTC)
    assert deliver(service, smtp.url, now) == 0
    [row] = outbox(service)
    assert (row.state, row.attempts) == ("queued", 1)
    assert "550" in row.last_error and "mailbox unavailable" in row.last_error
    assert deliver(service, smtp.url, now) == 0  # not due again yet
    assert outbox(service)[0].attempts == 1
    for attempt in range(2, MAX_ATTEMPTS + 1):
        now += backoff(attempt - 1)
        assert deliver(service, smtp.url, now) == 0
        assert outbox(service)[0].attempts == attempt
    [row] = outbox(service)
    assert row.state == "failed" and "550" in row.last_error
    assert deliver(service, smtp.url, now + timedelta(days=1)) == 0  # given up

    listed = service.client.get("/api/v1/issuers/riverbend/mail",
                                headers=service.auth(service.assessor)).get_json()
    [mail] = listed["mail"]
    assert (mail["state"], mail["attempts"], mail["recipient"]) == (
        "failed", MAX_ATTEMPTS, EMAIL)
    assert "550" in mail["lastError"] and "text" not in str(mail.keys()).lower()
    other = service.client.get("/api/v1/issuers/riverbend/mail",
                               headers=service.auth(service.other_admin))
    assert other.status_code == 403

    assert service.client.get("/desk/mail").status_code == 302  # not signed in
    sign_in(service.client, service.assessor)
    page = service.client.get("/desk/mail").get_data(as_text=True)
    assert f"Failed</strong> after {MAX_ATTEMPTS} attempts" in page
    assert "mailbox unavailable" in page and EMAIL in page


def test_a_closed_port_is_retried_and_its_error_named(service) -> None:
    issue(service)
    issue(service, learner={"name": "Sam Okafor", "email": "sam@example.com"})
    closed = f"smtp://127.0.0.1:{free_port()}"
    assert deliver(service, closed) == 0
    for row in outbox(service):
        assert (row.state, row.attempts) == ("queued", 1)
        assert "Connection refused" in row.last_error


def test_a_password_in_mail_url_never_reaches_the_error(service, smtp) -> None:
    """The test server offers no STARTTLS, so the password is not sent at all."""
    issue(service)
    url = smtp.url.replace("smtp://", "smtp://robot:s3cret-pass@")
    assert deliver(service, url) == 0
    [row] = outbox(service)
    assert "STARTTLS" in row.last_error and "s3cret-pass" not in row.last_error
    assert smtp.inbox.messages == []


def test_without_mail_url_mail_is_written_as_eml_files(service, caplog) -> None:
    issued = issue(service)
    assert service_context(service.app).mail.url is None
    with caplog.at_level(logging.INFO, logger="issuer.services.mail_delivery"):
        result = service.app.test_cli_runner().invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert '"sent": 1' in result.output
    [path] = (Path(service.app.instance_path) / "mail").glob("*.eml")
    message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
    assert message["To"] == EMAIL and issued["url"] in parts(message)[0]
    assert str(path) in caplog.text
    sign_in(service.client, service.admin)
    page = service.client.get("/desk/mail").get_data(as_text=True)
    assert f"Written to file {path}" in page and "Sent <time" not in page
    assert "<h1>Mail for Riverbend Behavioral Health</h1>" in page


def test_a_request_that_queues_mail_has_a_worker_deliver_it_at_once(service) -> None:
    """The issuing request leaves a mail.deliver task on the queue (the worker also runs it
    every minute): what a worker then runs writes the message."""
    issued = issue(service)
    assert tasks.run_queued(service.app) == 1  # the request's own, nothing else
    [path] = (Path(service.app.instance_path) / "mail").glob("*.eml")
    assert issued["url"] in path.read_text(encoding="utf-8")


def test_two_workers_at_once_send_each_message_once(service, smtp) -> None:
    rows = [completion_body(learner={"name": f"Learner {n}", "email": f"l{n}@example.com"})
            for n in range(12)]
    batch = service.client.post(f"{COMPLETIONS}:batch", json=rows,
                                headers=service.auth(service.assessor))
    assert batch.status_code == 201
    counts: list[int] = []
    barrier = threading.Barrier(2)

    def worker() -> None:
        barrier.wait()
        counts.append(deliver(service, smtp.url))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 12 and len(smtp.inbox.messages) == 12
    assert len({m["Message-ID"] for _, m in smtp.inbox.messages}) == 12
    assert sorted(to[0] for to, _ in smtp.inbox.messages) == sorted(
        f"l{n}@example.com" for n in range(12))
    assert {row.state for row in outbox(service)} == {"sent"}
    assert {row.attempts for row in outbox(service)} == {1}


def test_names_are_escaped_in_the_html(service, smtp) -> None:
    issue(service, learner={"name": "<script>alert(1)</script> & Co", "email": EMAIL})
    assert deliver(service, smtp.url) == 1
    [(_, message)] = smtp.inbox.messages
    text, html = parts(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in html
    assert "<script>alert(1)</script> & Co" in text


def test_mail_url_must_be_smtp_or_smtps(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="MAIL_URL"):
        MailSettings("http://mail.example.org", "a@example.org", tmp_path)
    assert MailSettings("smtps://u:p@mail.example.org", "a@example.org", tmp_path).url


def test_a_message_read_before_another_worker_took_it_is_not_claimed(service, smtp) -> None:
    """The claim's condition, step by step: worker A reads the due messages, worker B sends
    them all, then A's claims match nothing (so A sends nothing)."""
    issue(service)
    issue(service, learner={"name": "Sam Okafor", "email": "sam@example.com"})
    now = datetime.now(UTC)
    with store(service.app).sessions() as db:
        stale = due(db, now)
        db.rollback()
    assert len(stale) == 2
    assert deliver(service, smtp.url, now) == 2
    with store(service.app).sessions() as db, db.begin():
        assert [claim(db, mail_id, attempts, now) for mail_id, attempts in stale] == [None] * 2
    assert len(smtp.inbox.messages) == 2
    assert {(row.state, row.attempts) for row in outbox(service)} == {("sent", 1)}


def test_the_mail_list_pages_newest_first_and_the_desk_links_to_it(service, smtp) -> None:
    for n in range(3):
        issue(service, learner={"name": f"Learner {n}", "email": f"l{n}@example.com"})
    assert deliver(service, smtp.url) == 3
    url = "/api/v1/issuers/riverbend/mail"
    first = service.client.get(f"{url}?limit=2", headers=service.auth(service.admin)).get_json()
    assert [m["recipient"] for m in first["mail"]] == ["l2@example.com", "l1@example.com"]
    assert {m["state"] for m in first["mail"]} == {"sent"} and first["mail"][0]["sentAt"]
    rest = service.client.get(f"{url}?limit=2&before={first['next']}",
                              headers=service.auth(service.admin)).get_json()
    assert [m["recipient"] for m in rest["mail"]] == ["l0@example.com"] and rest["next"] is None
    assert service.client.get(f"{url}?state=failed",
                              headers=service.auth(service.admin)).get_json()["mail"] == []
    for bad in ("state=lost", "before=0", "limit=x"):
        response = service.client.get(f"{url}?{bad}", headers=service.auth(service.admin))
        assert response.status_code == 400, bad
        assert response.content_type == "application/problem+json"
    sign_in(service.client, service.assessor)
    assert 'href="/desk/mail"' in service.client.get("/desk").get_data(as_text=True)
    page = service.client.get("/desk/mail").get_data(as_text=True)
    assert all(f"l{n}@example.com" in page for n in range(3))
    # The app itself has no MAIL_URL: its page never says "Sent" of what only a file holds.
    assert page.count("(no MAIL_URL set: not sent) <time") == 3 and "Sent <time" not in page


@pytest.fixture
def mailing_server(tmp_path: Path, smtp) -> Iterator[tuple[LiveServer, dict[str, str]]]:
    """gunicorn and a task worker on a fresh store, mailing through the test's SMTP server,
    and the environment their CLI commands run with."""
    with listener() as sock:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        with service_env(tmp_path, base) as env:
            env = {**env, "MAIL_URL": smtp.url}
            for server in _serve(env, sock, base, tmp_path):
                yield server, env


def test_the_technician_gets_the_email_and_opens_the_link(mailing_server, smtp,
                                                          browser_page) -> None:  # noqa: F811
    """In Chromium: a coordinator records a completion on the desk; it is delivered (by the
    worker, or by `mail send`);
    the technician's email (itself checked with axe) links to the share page."""
    (server, env), page = mailing_server, browser_page
    page.goto(f"{server.base}/desk")
    page.get_by_label("API token").fill(server.created["token"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Learner's name", exact=True).fill("Jordan Rivera")
    page.get_by_label("Learner's email", exact=True).fill(EMAIL)
    row = page.get_by_role("group", name="Competency 1", exact=True)
    row.get_by_label("Competency", exact=True).select_option(label="De-escalation")
    row.get_by_label("Level assessed").select_option(label="Proficient")
    row.get_by_label("Completed on").fill(date.today().isoformat())
    page.get_by_role("button", name="Record and issue").click()
    assert page.get_by_role("status").first.inner_text().startswith("Recorded and issued")

    # The worker's periodic delivery may have sent it already: one message either way.
    assert flask(env, "mail", "send")["sent"] in (0, 1)
    deadline = time.monotonic() + 30  # a worker's delivery in flight finishes
    while not smtp.inbox.messages and time.monotonic() < deadline:
        time.sleep(0.1)
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == [EMAIL]
    page.goto("about:blank")  # the email, as a mail client shows it: outside our pages' CSP
    page.set_content(parts(message)[1])
    accessible(page, "mail-credential-issued")
    page.get_by_role("link", name="See your credential").click()
    page.wait_for_url(f"{server.base}/credentials/*")
    assert page.get_by_role("status").inner_text().startswith("Verified just now")
    assert "De-escalation" in page.content()

    page.goto(f"{server.base}/desk/mail")
    row = page.get_by_role("row").filter(has_text=EMAIL)
    assert "Sent" in row.inner_text()
    accessible(page, "desk-mail")


def test_a_vc_api_credential_names_no_learner_address_so_mails_nobody(service) -> None:
    response = service.client.post("/credentials/issue", headers=service.auth(service.admin),
                                   json={"credential": {
                                       "@context": ["https://www.w3.org/ns/credentials/v2"],
                                       "type": ["VerifiableCredential"],
                                       "issuer": "did:web:localhost%3A5000:issuers:riverbend",
                                       "credentialSubject": {"id": "did:example:learner"}},
                                       "options": {}})
    assert response.status_code == 201, response.get_json()
    assert outbox(service) == []


def test_the_issuer_profile_image_is_the_logo(service) -> None:
    """The email shows the issuer's image when its profile in the credential has one."""
    issue(service)
    [row] = outbox(service)
    assert "<img" not in row.html_body
    with store(service.app).sessions() as db:
        document = json.loads(db.scalars(select(Credential)).one().document)
    document["issuer"]["image"] = {"id": "https://riverbend.example.org/logo.png?a=1&b=2",
                                   "type": "Image"}
    mail = compose(notice_for("achievement", document), EMAIL)
    assert ('<img src="https://riverbend.example.org/logo.png?a=1&amp;b=2" '
            'alt="Riverbend Behavioral Health"') in mail.html
    document["issuer"]["image"] = "javascript:alert(1)"
    assert "<img" not in compose(notice_for("achievement", document), EMAIL).html


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_starttls_or_implicit_tls_then_login(service, tmp_path, monkeypatch, scheme) -> None:
    """smtp:// upgrades with STARTTLS (the server here requires it) and smtps:// speaks TLS
    from the start; either way the password goes only over TLS, and a wrong one is named
    without being shown."""
    cert, key = self_signed_certificate(tmp_path, "smtp")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    trusting = functools.partial(ssl.create_default_context, cafile=str(cert))
    monkeypatch.setattr(ssl, "create_default_context", trusting)  # our CA, for the client
    logins: list[tuple[bytes, bool]] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        logins.append((auth_data.login,
                       server.transport.get_extra_info("ssl_object") is not None))
        return AuthResult(success=auth_data.password == b"s3cret pass", handled=False)

    inbox = Inbox()
    # aiosmtpd offers AUTH only after its own STARTTLS unless told otherwise; over smtps://
    # the connection is TLS from the start (the authenticator checks each login is).
    tls = ({"tls_context": server_tls, "require_starttls": True} if scheme == "smtp"
           else {"ssl_context": server_tls, "auth_require_tls": False})
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(),
                            authenticator=authenticator, **tls)
    controller.start()
    try:
        issue(service)
        where = f"127.0.0.1:{controller.port}"
        assert deliver(service, f"{scheme}://robot:wrong@{where}") == 0
        [row] = outbox(service)
        assert "535" in row.last_error and "wrong" not in row.last_error
        later = datetime.now(UTC) + backoff(1)
        assert deliver(service, f"{scheme}://robot:s3cret%20pass@{where}", later) == 1
    finally:
        controller.stop()
    assert len(logins) >= 2 and set(logins) == {(b"robot", True)}  # each over TLS
    [(recipients, message)] = inbox.messages
    assert recipients == [EMAIL] and parts(message)[0].startswith("Hello Jordan Rivera")


def test_a_token_cannot_make_the_service_a_mail_cannon(service, monkeypatch) -> None:
    """Addresses are held to RFC 5321 (no address literals, local parts of 64 at most), and
    one learner gets at most so many messages a day from one issuer."""
    for address in ("eve@[127.0.0.1]", "e" * 65 + "@example.org"):
        refused = service.client.post(
            COMPLETIONS, json=completion_body(learner={"name": "Eve", "email": address}),
            headers=service.auth(service.assessor))
        assert refused.status_code == 422, address
    monkeypatch.setattr(notifications, "MAX_PER_RECIPIENT_PER_DAY", 2)
    for _ in range(3):
        issue(service)
    assert len(outbox(service)) == 2
