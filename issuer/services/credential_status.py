"""Revoke, suspend and reinstate issued credentials (each audited, each one transaction)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from issuer.problems import Problem
from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.issuers import get_issuer
from issuer.services.status_lists import set_bit
from issuer.store.models import Credential

# action -> (states it may start from, purpose of the bit, bit value, resulting state)
TRANSITIONS = {
    "revoke": (("active", "suspended"), "revocation", True, "revoked"),
    "suspend": (("active",), "suspension", True, "suspended"),
    "reinstate": (("suspended",), "suspension", False, "active"),
}


def change_status(db: Session, slug: str, credential_id: str, action: str,
                  reason: str | None, caller: Caller | None = None) -> dict[str, Any]:
    """Apply ``action`` to a credential of issuer ``slug``; 403 for another issuer's
    credential, 409 when the credential's state does not allow it."""
    if caller is not None:
        caller.require(slug, ("admin",))
    allowed_from, purpose, value, new_state = TRANSITIONS[action]
    try:
        uuid.UUID(credential_id)
    except ValueError:
        raise Problem(404, "Not Found", f"no credential {credential_id!r}") from None
    with db.begin():
        issuer = get_issuer(db, slug)
        credential = db.get(Credential, credential_id)
        if credential is None:
            raise Problem(404, "Not Found", f"no credential {credential_id!r}")
        if credential.issuer_id != issuer.id:
            raise Problem(403, "Forbidden",
                          f"credential {credential_id} was not issued by {slug!r}")
        if credential.status not in allowed_from:
            raise Problem(409, "Conflict",
                          f"cannot {action} a credential that is {credential.status}"
                          + ("; revocation is final" if credential.status == "revoked" else ""),
                          type_="/problems/status-conflict", status_now=credential.status)
        if not set_bit(db, credential_id, purpose, value):
            raise Problem(409, "Conflict", f"credential {credential_id} was issued without a "
                          f"{purpose} status entry", type_="/problems/status-conflict",
                          status_now=credential.status)
        if action == "revoke" and credential.status == "suspended":
            set_bit(db, credential_id, "suspension", False)
        credential.status = new_state
        credential.status_reason = reason
        credential.status_changed_at = datetime.now(UTC)
        record(db, issuer, caller.token_id if caller else None, f"credential.{action}",
               f"credential:{credential_id}", {"reason": reason})
    return {"credentialId": credential_id, "status": new_state, "reason": reason}
