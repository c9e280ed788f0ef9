"""Issuers and their API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from issuer.problems import Problem
from issuer.services.audit import record
from issuer.services.callers import Caller
from issuer.services.identifiers import IssuerIdentifiers
from issuer.services.keyring import create_signing_key
from issuer.store.models import ApiToken, Issuer
from keys.encryption import KeyEncryptionKey

ROLES = ("assessor", "admin")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
TOKEN_PREFIX = "cc_"


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so one SHA-256 is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: str
    issuer: str
    role: str
    label: str | None


def _mint_token(db: Session, issuer: Issuer, role: str, label: str | None,
                actor_token_id: int | None = None) -> NewToken:
    if role not in ROLES:
        raise Problem(422, "Invalid request", f"role must be one of {', '.join(ROLES)}",
                      type_="/problems/validation",
                      errors=[{"pointer": "/role", "detail": f"unknown role {role!r}"}])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(issuer_id=issuer.id, role=role, label=label, token_hash=hash_token(token))
    db.add(row)
    db.flush()
    record(db, issuer, actor_token_id, "token.create", f"token:{row.id}",
           {"role": role, "label": label})
    return NewToken(token, issuer.slug, role, label)


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
                 caller: Caller | None = None) -> dict[str, str | None]:
    """A new token for issuer ``slug``; over HTTP only an admin of that issuer may ask."""
    if caller is not None:
        caller.require(slug, ("admin",))
    with db.begin():
        issuer = get_issuer(db, slug)
        token = _mint_token(db, issuer, role, label, caller.token_id if caller else None)
    return {"token": token.token, "issuer": token.issuer, "role": token.role,
            "label": token.label}


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


def authenticate(db: Session, token: str) -> Caller | None:
    """Who a presented bearer token belongs to, or None for an unknown or revoked token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with db.begin():
        row = db.execute(
            select(ApiToken.id, ApiToken.issuer_id, Issuer.slug, ApiToken.role)
            .join(Issuer, Issuer.id == ApiToken.issuer_id)
            .where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
        ).first()
    return Caller(*row) if row else None
