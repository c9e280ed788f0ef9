"""Revoke, suspend and reinstate issued credentials (each audited, each one transaction).

Each change is a conditional update of the credential's stored status (compare and swap on
the status just read), made before any bit is touched: of two racing changes, the second
waits for the first's row lock (PostgreSQL) or write lock (SQLite), then finds the status
changed and re-decides from the new one. So exactly one of two revokes wins, revocation stays
final, the bits always agree with the stored status and every change is audited once.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.errors import Conflict, Forbidden, NotFound
from issuer.services.field_text import check_reason
from issuer.services.issuers import get_issuer
from issuer.services.status_lists import set_bit
from issuer.store.models import Credential

# action -> (states it may start from, purpose of the bit, bit value, resulting state)
TRANSITIONS = {
    "revoke": (("active", "suspended"), "revocation", True, "revoked"),
    "suspend": (("active",), "suspension", True, "suspended"),
    "reinstate": (("suspended",), "suspension", False, "active"),
}
# Each lost race re-reads the status; a change that loses this often is told to retry.
ATTEMPTS = 5


def change_status(db: Session, slug: str, credential_id: str, action: str,
                  reason: str | None, caller: Caller) -> dict[str, Any]:
    """Apply ``action`` to a credential of issuer ``slug``; 403 for another issuer's
    credential, 409 when the credential's state does not allow it."""
    caller.require(slug, ("admin",))
    check_reason(reason)
    allowed_from, purpose, value, new_state = TRANSITIONS[action]
    try:
        uuid.UUID(credential_id)
    except ValueError:
        raise NotFound(f"no credential {credential_id!r}") from None
    with db.begin():
        issuer = get_issuer(db, slug)
        owner = db.scalar(select(Credential.issuer_id).where(Credential.id == credential_id))
        if owner is None:
            raise NotFound(f"no credential {credential_id!r}")
        if owner != issuer.id:
            raise Forbidden(f"credential {credential_id} was not issued by {slug!r}")
        # A wallet-bound copy shares its root's status entries: the change is the root's,
        # and every copy of it follows.
        root_id = db.scalar(select(Credential.source_id).where(
            Credential.id == credential_id)) or credential_id
        previous = _swap(db, root_id, action, allowed_from, new_state, reason)
        if not set_bit(db, root_id, purpose, value):
            raise Conflict(f"credential {credential_id} was issued without a "
                            f"{purpose} status entry", code="/problems/status-conflict",
                            status_now=previous)
        if action == "revoke" and previous == "suspended":
            set_bit(db, root_id, "suspension", False)
        copies = db.execute(update(Credential).where(Credential.source_id == root_id).values(
            status=new_state, status_reason=reason, status_changed_at=datetime.now(UTC)))
        record(db, issuer, caller, f"credential.{action}", f"credential:{credential_id}",
               {"reason": reason} | ({"root": root_id} if root_id != credential_id else {})
               | ({"walletCopies": copies.rowcount} if copies.rowcount else {}))
    return {"credentialId": credential_id, "status": new_state, "reason": reason}


def _swap(db: Session, credential_id: str, action: str, allowed_from: tuple[str, ...],
          new_state: str, reason: str | None) -> str:
    """Move the stored status to ``new_state`` if it is (still) one ``action`` may start
    from; the status it replaced. 409 when it is not."""
    for _attempt in range(ATTEMPTS):
        current = db.scalar(select(Credential.status).where(Credential.id == credential_id))
        if current not in allowed_from:
            raise Conflict(f"cannot {action} a credential that is {current}"
                           + ("; revocation is final" if current == "revoked" else ""),
                           code="/problems/status-conflict", status_now=current)
        swapped = db.execute(update(Credential).where(
            Credential.id == credential_id, Credential.status == current,
        ).values(status=new_state, status_reason=reason, status_changed_at=datetime.now(UTC)))
        if swapped.rowcount == 1:
            return current
    raise Conflict(f"credential {credential_id} is being changed by others "
                   "at this moment; try again", code="/problems/status-conflict")
