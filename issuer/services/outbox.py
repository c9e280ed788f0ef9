"""Queue mail in the caller's transaction, so a message exists exactly when its action committed.

Delivery (SMTP, or .eml files when no ``MAIL_URL`` is set) reads the outbox afterwards, as
background work; nothing here talks to a mail server, so queueing never blocks or fails an
issuance for a reason outside the store.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from sqlalchemy.orm import Session

from issuer.store.models import OutboxMail

# Whether this context (a request, a command) queued mail: the web layer then asks a worker
# to deliver at once instead of at its next minute.
_queued: ContextVar[bool] = ContextVar("mail_queued", default=False)


@dataclass(frozen=True)
class Mail:
    """One message: plain text always, HTML optional (sent as multipart/alternative)."""

    kind: str
    recipient: str
    subject: str
    text: str
    html: str | None = None


def queue_mail(db: Session, mail: Mail, issuer_id: int | None = None) -> OutboxMail:
    """Add ``mail`` to the outbox inside ``db``'s open transaction and return its row."""
    row = OutboxMail(issuer_id=issuer_id, kind=mail.kind, recipient=mail.recipient,
                     subject=mail.subject, text_body=mail.text, html_body=mail.html,
                     state="queued", attempts=0)
    db.add(row)
    db.flush()
    _queued.set(True)
    return row


def take_queued() -> bool:
    """Whether mail was queued in this context since the last call (and forget it)."""
    queued = _queued.get()
    _queued.set(False)
    return queued
