"""The audit trail, written in the same transaction as the change it records, and counted in
the metrics once that transaction commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from issuer.services import metrics
from issuer.services.callers import Caller
from issuer.services.errors import Malformed
from issuer.store.models import AuditEvent, Issuer, StaffMember

PENDING = "audit_actions"
# Row ids are INTEGER primary keys, 32-bit on PostgreSQL: a larger number in a request names
# no row, and binding it would make the database itself refuse the query. The same bound
# holds on SQLite, so both stores answer alike.
LARGEST_ROW_ID = 2**31 - 1


def is_row_id(value: int) -> bool:
    """Whether ``value`` can be the id of a stored row."""
    return 1 <= value <= LARGEST_ROW_ID


def record(db: Session, issuer: Issuer | None, actor: Caller | int | None, action: str,
           subject: str, detail: dict[str, Any] | None = None) -> None:
    """Add an audit event to ``db``'s transaction. ``actor``: the caller (its token and, when
    a person acts, the staff member), a bare token id, or None for the service itself."""
    token_id, staff_id = ((actor.token_id, actor.staff_id) if isinstance(actor, Caller)
                          else (actor, None))
    db.add(AuditEvent(issuer_id=issuer.id if issuer else None, token_id=token_id,
                      staff_id=staff_id, action=action, subject=subject, detail=detail or {}))
    db.info.setdefault(PENDING, []).append(action)


@event.listens_for(Session, "after_commit")
def _count_committed(db: Session) -> None:
    for action in db.info.pop(PENDING, []):
        if action == "credential.issue":
            metrics.ISSUED.labels("competency").inc()
        elif action.startswith("credential."):
            metrics.STATUS_CHANGES.labels(action.removeprefix("credential.")).inc()
        elif action in ("clr.issue", "programme.award"):
            metrics.ISSUED.labels(action.partition(".")[0]).inc()


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(db: Session) -> None:
    db.info.pop(PENDING, None)


def list_events(db: Session, caller: Caller, slug: str, action: str | None,
                before: int | None, limit: int) -> dict[str, Any]:
    """The issuer's audit events, newest first (admins): who (the token, and the person by
    email when one acted), what, when."""
    caller.require(slug, ("admin",))
    if before is not None and not is_row_id(before):
        raise Malformed(f"before must be an audit event id from 1 to {LARGEST_ROW_ID}, "
                        f"not {before}", errors=[{"pointer": "before", "detail": "out of range"}])
    query = (select(AuditEvent, StaffMember.email)
             .outerjoin(StaffMember, StaffMember.id == AuditEvent.staff_id)
             .where(AuditEvent.issuer_id == caller.issuer_id))
    if action:
        query = query.where(AuditEvent.action == action)
    if before is not None:
        query = query.where(AuditEvent.id < before)
    with db.begin():
        rows = db.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).all()
        return {"events": [{"id": e.id, "action": e.action, "subject": e.subject,
                            "tokenId": e.token_id, "staffId": e.staff_id, "person": email,
                            "detail": e.detail, "at": e.created_at.isoformat()}
                           for e, email in rows],
                "next": rows[-1][0].id if len(rows) == limit else None}
