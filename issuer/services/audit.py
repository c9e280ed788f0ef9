"""The audit trail, written in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from issuer.store.models import AuditEvent, Issuer


def record(db: Session, issuer: Issuer | None, token_id: int | None, action: str,
           subject: str, detail: dict[str, Any] | None = None) -> None:
    db.add(AuditEvent(issuer_id=issuer.id if issuer else None, token_id=token_id,
                      action=action, subject=subject, detail=detail or {}))
