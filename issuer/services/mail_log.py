"""The issuer's outbox as its staff see it: who was written to, about what, and whether it
went out (never the bodies, which may hold sign-in links)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.services.audit import LARGEST_ROW_ID, is_row_id
from issuer.services.callers import Caller
from issuer.services.errors import Malformed
from issuer.services.issuers import get_issuer
from issuer.store.models import OutboxMail

STATES = ("queued", "sent", "failed")
MAX_PAGE = 500


def mail_view(mail: OutboxMail) -> dict[str, Any]:
    return {"id": mail.id, "kind": mail.kind, "recipient": mail.recipient,
            "subject": mail.subject, "state": mail.state, "attempts": mail.attempts,
            "lastError": mail.last_error,
            "nextAttemptAt": mail.next_attempt_at.isoformat() if mail.state == "queued"
            else None,
            "sentAt": mail.sent_at.isoformat() if mail.sent_at else None,
            "createdAt": mail.created_at.isoformat()}


def list_mail(db: Session, caller: Caller, slug: str, state: str | None, before: int | None,
              limit: int) -> dict[str, Any]:
    """The issuer's messages, newest first, and the ``before`` of the next page (None on the
    last)."""
    caller.require(slug, ("assessor", "admin"))
    if state is not None and state not in STATES:
        raise Malformed(f"state must be one of {', '.join(STATES)}, not {state!r}",
                        errors=[{"pointer": "state", "detail": "unknown state"}])
    if before is not None and not is_row_id(before):
        raise Malformed(f"before must be a message id from 1 to {LARGEST_ROW_ID}, "
                        f"not {before}", errors=[{"pointer": "before", "detail": "out of range"}])
    with db.begin():
        query = select(OutboxMail).where(OutboxMail.issuer_id == get_issuer(db, slug).id)
        if state is not None:
            query = query.where(OutboxMail.state == state)
        if before is not None:
            query = query.where(OutboxMail.id < before)
        rows = db.scalars(query.order_by(OutboxMail.id.desc()).limit(limit)).all()
        return {"mail": [mail_view(row) for row in rows],
                "next": rows[-1].id if len(rows) == limit else None}
