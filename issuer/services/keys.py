"""Key rotation and revocation as use cases (admin of the issuer or the operator; one
transaction each)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from issuer.services.callers import Caller
from issuer.services.issuers import get_issuer
from issuer.services.keyring import revoke_key, rotate
from keys.encryption import KeyEncryptionKey


def rotate_keys(db: Session, caller: Caller, slug: str, kek: KeyEncryptionKey
                ) -> dict[str, Any]:
    caller.require(slug, ("admin",))
    with db.begin():
        return rotate(db, get_issuer(db, slug), kek, caller.token_id)


def revoke(db: Session, caller: Caller, slug: str, kid: str, kek: KeyEncryptionKey
           ) -> dict[str, Any]:
    caller.require(slug, ("admin",))
    with db.begin():
        return revoke_key(db, get_issuer(db, slug), kid, kek,
                          caller.token_id)
