"""What the learner tests share: issuing to a learner over the API, reading the links the
learner is mailed from the outbox, and signing in as a person does (open the link, press the
button)."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from issuer.operations import learner_work, tasks
from issuer.store import store
from issuer.store.models import OutboxMail
from tests.service.conftest import completion_body

LEARNER = "jordan.rivera@example.com"
LINK = re.compile(r"https?://[^/\s]+(/me/sign-in/link\?link=[A-Za-z0-9_-]+)")


def issue_to(service, email: str = LEARNER, slug: str = "riverbend", **changes: object
             ) -> str:
    """A competency credential issued to ``email`` over the API (by riverbend's assessor,
    or lakeside's admin): its id."""
    body = completion_body(**changes)
    body["learner"] = {"name": "Jordan Rivera", "email": email}
    token = service.assessor if slug == "riverbend" else service.other_admin
    answer = service.client.post(f"/api/v1/issuers/{slug}/completions", json=body,
                                 headers=service.auth(token))
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["credentialId"]


def mails(service, recipient: str, kind: str | None = None) -> list[OutboxMail]:
    with store(service.app).sessions() as db, db.begin():
        query = select(OutboxMail).where(OutboxMail.recipient == recipient)
        if kind:
            query = query.where(OutboxMail.kind == kind)
        return list(db.scalars(query.order_by(OutboxMail.id)))


def last_link(service, recipient: str, kind: str = "learner-sign-in-link") -> str:
    """The path (with its query) of the newest learner link mailed to ``recipient``."""
    return LINK.search(mails(service, recipient, kind)[-1].text_body).group(1)


def csrf_in(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def ask_for_link(client: FlaskClient, email: str = LEARNER, landing: str = "/me", **environ):
    """Ask for a sign-in link, as the sign-in form does, then do what a worker does with
    the request (look the address up; link and mail if it holds credentials)."""
    token = csrf_in(client.get("/me").get_data(as_text=True))
    answer = client.post("/me/sign-in", data={"csrf": token, "email": email,
                                              "landing": landing}, environ_base=environ)
    run_link_requests(client.application)
    return answer


def run_link_requests(app) -> int:
    """Run the queued sign-in link requests (only those: the mail deliveries other requests
    queued would send, and so blank, the links the tests read); how many ran."""
    huey, ran = tasks.queue_of(app).huey, 0
    while (message := huey.dequeue()) is not None:
        if message.name == learner_work.SEND_LINK:
            huey.execute(message)
            ran += 1
    return ran


def follow_link(client: FlaskClient, path: str):
    """Open an emailed link and press its button, as a person does."""
    page = client.get(path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    form = re.search(r'<form method="post" action="([^"]+)">', text).group(1)
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text))
    return client.post(form, data=hidden)


def learner_client(service, email: str = LEARNER) -> FlaskClient:
    """A browser signed in as ``email`` (which must hold a credential)."""
    client = service.app.test_client()
    assert ask_for_link(client, email).status_code == 200
    assert follow_link(client, last_link(service, email)).status_code == 303
    return client


def form_csrf(client: FlaskClient, path: str = "/me") -> str:
    return csrf_in(client.get(path).get_data(as_text=True))
