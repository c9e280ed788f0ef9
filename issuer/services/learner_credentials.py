"""A learner's own credentials: every credential issued to their email address, by every
issuer on this service, one item per credential (a wallet-bound copy is listed under the
credential it was issued from, not as an item of its own); hiding one from their public
list; and that public list.

The public list is opt-in: it exists only while the learner keeps it on, at
``/learners/<handle>`` where the handle is 128 random bits (unguessable, and naming no
one: an email address never appears in a URL). Turning it off forgets the handle; turning it
on again makes a new one, so an old link stops working. It shows only active credentials the
learner has not hidden: a revoked or suspended credential is not advertised for them."""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from credentials.proofs.data_integrity import ProofError
from credentials.proofs.jwt import decode_jwt
from issuer.services.credential_table import KINDS
from issuer.services.errors import NotFound
from issuer.services.identifiers import credential_url
from issuer.services.share import headline
from issuer.store.models import Credential, Issuer, LearnerProfile

CREDENTIAL_ID = re.compile(r"^[0-9a-f-]{36}$")
HANDLE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class Item:
    """One credential in the learner's list, in words."""

    id: str
    url: str
    kind: str  # achievement | programme | clr
    kind_name: str
    title: str
    competency: str | None
    level: str | None
    issuer: str
    issued: datetime
    status: str  # active | suspended | revoked
    status_reason: str | None
    hidden: bool
    is_jwt: bool
    wallet_copies: list[str] = field(default_factory=list)  # ids of wallet-bound copies

    @property
    def issued_on(self) -> str:
        return self.issued.strftime("%d %B %Y")


def _document(stored: str) -> dict[str, Any]:
    try:
        return decode_jwt(stored).credential if not stored.startswith("{") \
            else json.loads(stored)
    except (ProofError, ValueError):  # stored by us, so never expected: listed by its row
        return {}


def headline_of(credential: Credential) -> tuple[str, str | None, str | None]:
    """The stored credential's name, competency and level (see share.headline)."""
    return headline(_document(credential.document))


def _item(base_url: str, credential: Credential, issuer: Issuer) -> Item:
    title, competency, level = headline_of(credential)
    return Item(id=credential.id, url=credential_url(base_url, credential.id),
                kind=credential.kind, kind_name=KINDS.get(credential.kind, "Credential"),
                title=title, competency=competency, level=level, issuer=issuer.name,
                issued=credential.created_at, status=credential.status,
                status_reason=credential.status_reason, hidden=credential.hidden,
                is_jwt=not credential.document.startswith("{"))


def list_for(db: Session, base_url: str, email: str) -> list[Item]:
    """Every credential issued to ``email`` (newest first), wallet-bound copies under their
    root."""
    with db.begin():
        rows = db.execute(select(Credential, Issuer).join(
            Issuer, Issuer.id == Credential.issuer_id).where(
            Credential.learner_email == email).order_by(
            Credential.created_at.desc(), Credential.id)).all()
        items = {c.id: _item(base_url, c, i) for c, i in rows if c.source_id is None}
        for credential, _issuer in rows:
            if credential.source_id is not None and credential.source_id in items:
                items[credential.source_id].wallet_copies.append(credential.id)
        return list(items.values())


def own_credential(db: Session, email: str, credential_id: str) -> Credential:
    """The learner's root credential ``credential_id`` (inside the caller's transaction);
    NotFound for anyone else's, for a wallet-bound copy and for an unknown id alike."""
    row = db.get(Credential, credential_id) if CREDENTIAL_ID.match(credential_id) else None
    if row is None or row.learner_email != email or row.source_id is not None:
        raise NotFound(f"you hold no credential {credential_id!r}")
    return row


def set_hidden(db: Session, email: str, credential_id: str, hidden: bool) -> None:
    """Hide a credential from the learner's public list, or show it there again."""
    with db.begin():
        own_credential(db, email, credential_id).hidden = hidden


def public_handle(db: Session, email: str) -> str | None:
    with db.begin():
        profile = db.get(LearnerProfile, email)
        return profile.public_handle if profile else None


def set_public(db: Session, email: str, public: bool) -> str | None:
    """Turn the public list on (a new random handle, even if one existed) or off (the handle
    is forgotten); the handle now."""
    with db.begin():
        profile = db.get(LearnerProfile, email)
        if profile is None:
            profile = LearnerProfile(email=email)
            db.add(profile)
        profile.public_handle = secrets.token_urlsafe(16) if public else None
        profile.updated_at = datetime.now(UTC)
        return profile.public_handle


def public_list(db: Session, base_url: str, handle: str) -> list[Item]:
    """The active credentials the learner behind ``handle`` has not hidden; NotFound for a
    handle that is not (or no longer) on."""
    with db.begin():
        email = db.scalar(select(LearnerProfile.email).where(
            LearnerProfile.public_handle == handle)) if HANDLE.match(handle) else None
    if email is None:
        raise NotFound("no public list of credentials here: its owner may have turned it off")
    return [item for item in list_for(db, base_url, email)
            if item.status == "active" and not item.hidden]
