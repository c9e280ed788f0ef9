"""A learner's request for a sign-in link, answered by a worker: the web request only
enqueues it (the same for every address, so its time tells nothing), and the worker checks
the address, writes the link and its mail, and delivers it at once.

The request is not kept in the database: a lost task (a worker killed, the queue down) is a
link never sent, and the person asks again, as for a mail that never came. Keeping a row for
every address asked about would store addresses that hold nothing here."""

from __future__ import annotations

from issuer.operations import tasks
from issuer.services import learner_sign_in
from issuer.services.context import ServiceContext

SEND_LINK = "learner.sign_in_link"


@tasks.task(SEND_LINK)
def send_link(context: ServiceContext, email: str, landing: str,
              application: str | None = None) -> None:
    """``application``: the Open Badges host whose consent page the link lands on."""
    with context.sessions() as db:
        sent = learner_sign_in.request_link(db, email, context.base_url, landing,
                                            application)
    if sent:  # sign-in links must not wait for the minute's delivery
        tasks.enqueue("mail.deliver")
