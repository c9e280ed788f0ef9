"""The service's own issuer identity (the platform): it signs the learner records (CLRs)
learners build of their own credentials, across employers. ``flask init`` makes it once, as
an issuer with its own did:web and Ed25519 key like any other, flagged ``is_platform``. It
is never an employer: no API token is ever minted for it and no one is on its staff, so
nobody can issue as it except the learner-record use case here."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from issuer.services.audit import record
from issuer.services.errors import Conflict, NotFound
from issuer.services.keyring import create_signing_key
from issuer.store.models import Issuer
from keys.encryption import KeyEncryptionKey

PLATFORM_SLUG = "platform"
DEFAULT_NAME = "Competency Credentials"


def ensure_platform(db: Session, kek: KeyEncryptionKey, name: str | None = None) -> Issuer:
    """The platform issuer, made now if the store has none (idempotent); ``name`` renames
    it. Conflict when an employer already uses the platform's slug."""
    with db.begin():
        issuer = find_platform(db)
        if issuer is None:
            taken = db.scalars(select(Issuer).where(Issuer.slug == PLATFORM_SLUG)).first()
            if taken is not None:
                raise Conflict(f"issuer {PLATFORM_SLUG!r} exists and is an employer: the "
                               "service's own identity needs that slug")
            issuer = Issuer(slug=PLATFORM_SLUG, name=name or DEFAULT_NAME, is_platform=True,
                            learner_mail=False)
            db.add(issuer)
            db.flush()
            create_signing_key(db, issuer, kek)
            record(db, issuer, None, "issuer.create", f"issuer:{PLATFORM_SLUG}",
                   {"name": issuer.name, "platform": True})
        elif name and name != issuer.name:
            issuer.name = name
            record(db, issuer, None, "issuer.update", f"issuer:{issuer.slug}", {"name": name})
        return issuer


def find_platform(db: Session) -> Issuer | None:
    return db.scalars(select(Issuer).where(Issuer.is_platform.is_(True))).first()


def platform_issuer(db: Session) -> Issuer:
    """The platform issuer (inside the caller's transaction); NotFound until ``flask init``
    has made it."""
    issuer = find_platform(db)
    if issuer is None:
        raise NotFound("this service has no platform identity yet: its operator runs "
                       "`flask --app wsgi init` to make it", code="/problems/no-platform")
    return issuer
