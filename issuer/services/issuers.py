"""Issuers and their API tokens: minted (shown once), listed, revoked, expiring."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from credentials.dates import format_datetime
from issuer.problems import Problem
from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import create_signing_key
from issuer.store.models import ApiToken, DeskSession, Issuer
from keys.encryption import KeyEncryptionKey

ROLES = ("assessor", "admin")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
TOKEN_PREFIX = "cc_"
# A token's last use is written when the stored one is older than this, so authenticating
# costs one write per token per minute at most, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timezone-aware columns back naive (they are stored in UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: str
    row: ApiToken


def _mint_token(db: Session, issuer: Issuer, role: str, label: str | None,
                actor_token_id: int | None = None,
                expires_at: datetime | None = None) -> NewToken:
    if role not in ROLES:
        raise Problem(422, "Invalid request", f"role must be one of {', '.join(ROLES)}",
                      type_="/problems/validation",
                      errors=[{"pointer": "/role", "detail": f"unknown role {role!r}"}])
    if expires_at is not None:
        expires_at = as_utc(expires_at)
        if expires_at <= datetime.now(UTC):
            raise Problem(422, "Invalid request", "/expiresAt: the expiry must be in the future",
                          type_="/problems/validation",
                          errors=[{"pointer": "/expiresAt", "detail": "not in the future"}])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(issuer_id=issuer.id, role=role, label=label, token_hash=hash_token(token),
                   expires_at=expires_at)
    db.add(row)
    db.flush()
    record(db, issuer, actor_token_id, "token.create", f"token:{row.id}",
           {"role": role, "label": label,
            "expiresAt": format_datetime(expires_at) if expires_at else None})
    return NewToken(token, row)


def _when(moment: datetime | None) -> str | None:
    return format_datetime(as_utc(moment)) if moment else None


def token_status(row: ApiToken, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        return "expired"
    return "active"


def token_view(row: ApiToken, slug: str) -> dict[str, Any]:
    """What an admin sees of a token: never the token, nor its hash."""
    return {"id": row.id, "issuer": slug, "role": row.role, "label": row.label,
            "status": token_status(row, datetime.now(UTC)),
            "createdAt": _when(row.created_at), "expiresAt": _when(row.expires_at),
            "lastUsedAt": _when(row.last_used_at), "revokedAt": _when(row.revoked_at)}


def create_issuer(db: Session, kek: KeyEncryptionKey, base_url: str, slug: str, name: str,
                  url: str | None = None, email: str | None = None,
                  suspension: bool = False) -> dict[str, str]:
    """A new issuer with an Ed25519 key and an admin token (the token is shown only here)."""
    if not SLUG.match(slug):
        raise Problem(422, "Invalid request",
                      "a slug is 1-64 lower-case letters, digits and inner hyphens",
                      type_="/problems/validation")
    if not name.strip():
        raise Problem(422, "Invalid request", "an issuer needs a name",
                      type_="/problems/validation")
    try:
        with db.begin():
            issuer = Issuer(slug=slug, name=name.strip(), url=url, email=email,
                            suspension_enabled=suspension)
            db.add(issuer)
            db.flush()
            create_signing_key(db, issuer, kek)
            record(db, issuer, None, "issuer.create", f"issuer:{slug}", {"name": name})
            token = _mint_token(db, issuer, "admin", "created with the issuer")
    except IntegrityError:
        raise Problem(409, "Conflict", f"an issuer with slug {slug!r} exists") from None
    ids = IssuerIdentifiers.for_slug(base_url, slug)
    return {"slug": slug, "id": ids.profile, "did": ids.did_web, "token": token.token}


def create_token(db: Session, slug: str, role: str, label: str | None,
                 caller: Caller | None = None, expires_at: datetime | None = None
                 ) -> dict[str, Any]:
    """A new token for issuer ``slug`` (shown only here); over HTTP only an admin of that
    issuer may ask. ``expires_at``: when it stops working (None: until revoked)."""
    if caller is not None:
        caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        token = _mint_token(db, issuer, role, label, caller.token_id if caller else None,
                            expires_at)
        return {"token": token.token, **token_view(token.row, slug)}


def list_tokens(db: Session, slug: str, caller: Caller | None = None) -> dict[str, Any]:
    """Every token of issuer ``slug``, revoked and expired ones too (admins)."""
    if caller is not None:
        caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        rows = db.scalars(select(ApiToken).where(ApiToken.issuer_id == issuer.id)
                          .order_by(ApiToken.id))
        return {"tokens": [token_view(row, slug) for row in rows]}


def revoke_token(db: Session, slug: str, token_id: int, caller: Caller | None = None
                 ) -> dict[str, Any]:
    """Revoke a token of issuer ``slug`` and end every desk session signed in with it; from
    the next request on, on every host, it is refused (authentication reads the store)."""
    if caller is not None:
        caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        row = db.scalars(select(ApiToken).where(ApiToken.issuer_id == issuer.id,
                                                ApiToken.id == token_id)).first()
        if row is None:
            raise Problem(404, "Not Found", f"issuer {slug!r} has no token {token_id}")
        if row.revoked_at is not None:
            raise Problem(409, "Conflict", f"token {token_id} is already revoked")
        now = datetime.now(UTC)
        row.revoked_at = now
        ended = db.execute(update(DeskSession).where(DeskSession.token_id == row.id,
                                                     DeskSession.ended_at.is_(None))
                           .values(ended_at=now)).rowcount
        record(db, issuer, caller.token_id if caller else None, "token.revoke",
               f"token:{row.id}", {"deskSessionsEnded": ended})
        return token_view(row, slug)


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
        raise Problem(404, "Not Found", f"no issuer {slug!r}")
    return issuer


def find_issuer(db: Session, slug: str) -> Issuer | None:
    return db.scalars(select(Issuer).where(Issuer.slug == slug)).first()


def _caller(db: Session, which: Any, now: datetime) -> Caller:
    """The caller the token ``which`` selects establishes, read from the store on every
    request (no per-process cache, so a revocation holds at once on every host); 401 naming
    why not. Notes the token's use at most once per ``LAST_USED_RESOLUTION``."""
    row = db.execute(
        select(ApiToken.id, ApiToken.issuer_id, Issuer.slug, ApiToken.role,
               ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at)
        .join(Issuer, Issuer.id == ApiToken.issuer_id).where(which)).first()
    if row is None:
        raise Problem(401, "Unauthorized", "the API token is unknown")
    if row.revoked_at is not None:
        raise Problem(401, "Unauthorized", "the API token has been revoked")
    if row.expires_at is not None and as_utc(row.expires_at) <= now:
        raise Problem(401, "Unauthorized", f"the API token expired at {_when(row.expires_at)}")
    stale = now - LAST_USED_RESOLUTION
    if row.last_used_at is None or as_utc(row.last_used_at) < stale:
        db.execute(update(ApiToken).where(
            ApiToken.id == row.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < stale))
            .values(last_used_at=now))
    return Caller(row.id, row.issuer_id, row.slug, row.role)


def caller_of(db: Session, token_id: int, now: datetime) -> Caller:
    """The caller token ``token_id`` establishes (inside the caller's transaction); 401 if
    it is revoked or expired."""
    return _caller(db, ApiToken.id == token_id, now)


def authenticate(db: Session, token: str) -> Caller:
    """Who a presented bearer token belongs to; 401 (a Problem) for an unknown, revoked or
    expired one."""
    if not token.startswith(TOKEN_PREFIX):
        raise Problem(401, "Unauthorized", "the API token is unknown")
    with db.begin():
        return _caller(db, ApiToken.token_hash == hash_token(token), datetime.now(UTC))
