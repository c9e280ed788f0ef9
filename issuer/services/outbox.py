"""Queue mail in the caller's transaction, so a message exists exactly when its action committed.

Delivery (SMTP, or .eml files when no ``MAIL_URL`` is set) reads the outbox afterwards, as
background work; nothing here talks to a mail server, so queueing never blocks or fails an
issuance for a reason outside the store.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from issuer.store.models import OutboxMail


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
    return row
