"""API tokens: minted (shown once, stored as a hash), expiring, revocable; and who a
presented token belongs to (read from the store on every request)."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from credentials.dates import format_datetime
from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.errors import Forbidden, Invalid, Unauthenticated
from issuer.store.models import ApiToken, Issuer

ROLES = ("assessor", "admin")
TOKEN_PREFIX = "cc_"
# A token's last use is written when the stored one is older than this, so authenticating
# costs one write per token per minute at most, not one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# RFC 3339 date-time: a full date, a time with seconds, and an offset (Z or +hh:mm).
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})")
EXPIRY_FORM = "an RFC 3339 date-time with a time zone offset, e.g. 2027-01-31T17:00:00Z"


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def parse_expiry(text: str, now: datetime) -> datetime:
    """A token's expiry as the API and the command line both take it: an RFC 3339 date-time
    with its offset, after ``now``. ValueError saying what is wrong (the caller names the
    field: /expiresAt or --expires-at)."""
    try:
        moment = datetime.fromisoformat(text) if RFC3339.fullmatch(text) else None
    except ValueError:  # the right shape, but no such day or hour (2027-02-30)
        moment = None
    if moment is None:
        raise ValueError(f"{text!r} is not {EXPIRY_FORM}")
    if moment <= now:
        raise ValueError(f"{text} is not in the future")
    return moment


@dataclass(frozen=True)
class NewToken:
    token: str
    row: ApiToken


def mint_token(db: Session, issuer: Issuer, role: str, label: str | None,
               actor: Caller | None = None,
               expires_at: datetime | None = None) -> NewToken:
    """A new token row (its hash) and the token itself, audited. ``expires_at`` comes from
    ``parse_expiry``."""
    if issuer.is_platform:  # the service's own identity is no employer: nobody issues as it
        raise Forbidden(f"issuer {issuer.slug!r} is this service's own identity: it has no "
                        "API tokens", code="/problems/platform-issuer")
    if role not in ROLES:
        raise Invalid(f"role must be one of {', '.join(ROLES)}",
                      code="/problems/validation",
                      errors=[{"pointer": "/role", "detail": f"unknown role {role!r}"}])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(issuer_id=issuer.id, role=role, label=label, token_hash=hash_token(token),
                   expires_at=expires_at)
    db.add(row)
    db.flush()
    record(db, issuer, actor, "token.create", f"token:{row.id}",
           {"role": role, "label": label, "expiresAt": _when(expires_at)})
    return NewToken(token, row)


def _when(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment else None


def token_status(row: ApiToken, now: datetime) -> str:
    if row.revoked_at is not None:
        return "revoked"
    if row.expires_at is not None and row.expires_at <= now:
        return "expired"
    return "active"


def token_view(row: ApiToken, slug: str) -> dict[str, Any]:
    """What an admin sees of a token: never the token, nor its hash."""
    return {"id": row.id, "issuer": slug, "role": row.role, "label": row.label,
            "status": token_status(row, datetime.now(UTC)),
            "createdAt": _when(row.created_at), "expiresAt": _when(row.expires_at),
            "lastUsedAt": _when(row.last_used_at), "revokedAt": _when(row.revoked_at)}


def _caller(db: Session, which: Any, now: datetime) -> Caller:
    """The caller the token ``which`` selects establishes, read from the store on every
    request (no per-process cache, so a revocation holds at once on every host); 401 naming
    why not. Notes the token's use at most once per ``LAST_USED_RESOLUTION``."""
    row = db.execute(
        select(ApiToken.id, ApiToken.issuer_id, Issuer.slug, ApiToken.role,
               ApiToken.revoked_at, ApiToken.expires_at, ApiToken.last_used_at)
        .join(Issuer, Issuer.id == ApiToken.issuer_id).where(which)).first()
    if row is None:
        raise Unauthenticated("the API token is unknown")
    if row.revoked_at is not None:
        raise Unauthenticated("the API token has been revoked")
    if row.expires_at is not None and row.expires_at <= now:
        raise Unauthenticated(f"the API token expired at {_when(row.expires_at)}")
    stale = now - LAST_USED_RESOLUTION
    if row.last_used_at is None or row.last_used_at < stale:
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
    """Who a presented bearer token belongs to; Unauthenticated for an unknown, revoked or
    expired one."""
    if not token.startswith(TOKEN_PREFIX):
        raise Unauthenticated("the API token is unknown")
    with db.begin():
        return _caller(db, ApiToken.token_hash == hash_token(token), datetime.now(UTC))
