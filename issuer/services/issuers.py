"""Issuers (employers, programmes) and the admin operations on their API tokens: create,
list, revoke (issuer.services.tokens mints them and authenticates callers)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.services.audit import is_row_id, record
from issuer.services.callers import Caller
from issuer.services.errors import Conflict, Invalid, NotFound
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import create_signing_key
from issuer.services.platform import PLATFORM_SLUG
from issuer.services.tokens import mint_token, token_status, token_view
from issuer.store.models import ApiToken, DeskSession, Issuer
from keys.encryption import KeyEncryptionKey

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def create_issuer(db: Session, kek: KeyEncryptionKey, base_url: str, slug: str, name: str,
                  url: str | None = None, email: str | None = None,
                  suspension: bool = False) -> dict[str, str]:
    """A new issuer with an Ed25519 key and an admin token (the token is shown only here)."""
    if not SLUG.match(slug):
        raise Invalid("a slug is 1-64 lower-case letters, digits and inner hyphens",
                      code="/problems/validation")
    if slug == PLATFORM_SLUG:
        raise Invalid(f"{slug!r} is the service's own identity (flask init makes it); "
                      "choose another slug", code="/problems/validation")
    if not name.strip():
        raise Invalid("an issuer needs a name",
                      code="/problems/validation")
    try:
        with db.begin():
            issuer = Issuer(slug=slug, name=name.strip(), url=url, email=email,
                            suspension_enabled=suspension)
            db.add(issuer)
            db.flush()
            create_signing_key(db, issuer, kek)
            record(db, issuer, None, "issuer.create", f"issuer:{slug}", {"name": name})
            token = mint_token(db, issuer, "admin", "created with the issuer")
    except IntegrityError:
        raise Conflict(f"an issuer with slug {slug!r} exists") from None
    ids = IssuerIdentifiers.for_slug(base_url, slug)
    return {"slug": slug, "id": ids.profile, "did": ids.did_web, "token": token.token}


def create_token(db: Session, slug: str, role: str, label: str | None,
                 caller: Caller, expires_at: datetime | None = None
                 ) -> dict[str, Any]:
    """A new token for issuer ``slug`` (shown only here); over HTTP only an admin of that
    issuer may ask. ``expires_at``: when it stops working (None: until revoked), from
    ``tokens.parse_expiry``."""
    caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        token = mint_token(db, issuer, role, label, caller, expires_at)
        return {"token": token.token, **token_view(token.row, slug)}


def list_tokens(db: Session, slug: str, caller: Caller) -> dict[str, Any]:
    """Every token of issuer ``slug``, revoked and expired ones too (admins)."""
    caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        rows = db.scalars(select(ApiToken).where(ApiToken.issuer_id == issuer.id)
                          .order_by(ApiToken.id))
        return {"tokens": [token_view(row, slug) for row in rows]}


def revoke_token(db: Session, slug: str, token_id: int, caller: Caller
                 ) -> dict[str, Any]:
    """Revoke a token of issuer ``slug`` and end every desk session signed in with it; from
    the next request on, on every host, it is refused (authentication reads the store)."""
    caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        row = db.scalars(select(ApiToken).where(ApiToken.issuer_id == issuer.id,
                                                ApiToken.id == token_id)).first() \
            if is_row_id(token_id) else None
        if row is None:
            raise NotFound(f"issuer {slug!r} has no token {token_id}")
        if row.revoked_at is not None:
            raise Conflict(f"token {token_id} is already revoked")
        now = datetime.now(UTC)
        if (row.role == "admin" and token_status(row, now) == "active"
                and _other_active_admins(db, issuer, row.id, now) == 0):
            raise Conflict(f"token {token_id} is issuer {slug!r}'s last "
                            "active admin token: revoking it would leave no one able to manage "
                            "the issuer's tokens; create another admin token first",
                            code="/problems/last-admin-token")
        row.revoked_at = now
        ended = db.execute(update(DeskSession).where(DeskSession.token_id == row.id,
                                                     DeskSession.ended_at.is_(None))
                           .values(ended_at=now)).rowcount
        record(db, issuer, caller, "token.revoke",
               f"token:{row.id}", {"deskSessionsEnded": ended})
        return token_view(row, slug)


def _other_active_admins(db: Session, issuer: Issuer, token_id: int, now: datetime) -> int:
    """How many of the issuer's admin tokens other than ``token_id`` still work. The issuer's
    row is locked first (PostgreSQL), so two admins revoking each other's tokens at once
    cannot both succeed; SQLite's single writer does the same."""
    db.execute(select(Issuer.id).where(Issuer.id == issuer.id).with_for_update())
    return db.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.issuer_id == issuer.id, ApiToken.role == "admin", ApiToken.id != token_id,
        ApiToken.revoked_at.is_(None),
        (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now)))


def update_issuer(db: Session, slug: str, suspension: bool | None = None,
                  programme_level: str | None = None) -> dict[str, object]:
    """Change the settings given (None leaves one as it is); audited."""
    with db.begin():
        issuer = get_issuer(db, slug)
        if suspension is not None:
            issuer.suspension_enabled = suspension
        if programme_level is not None:
            issuer.programme_level = programme_level
        settings = {"suspension": issuer.suspension_enabled,
                    "programmeLevel": issuer.programme_level}
        record(db, issuer, None, "issuer.update", f"issuer:{slug}", settings)
    return {"slug": slug, **settings}


def get_issuer(db: Session, slug: str) -> Issuer:
    issuer = db.scalars(select(Issuer).where(Issuer.slug == slug)).first()
    if issuer is None:
        raise NotFound(f"no issuer {slug!r}")
    return issuer


def find_issuer(db: Session, slug: str) -> Issuer | None:
    return db.scalars(select(Issuer).where(Issuer.slug == slug)).first()
